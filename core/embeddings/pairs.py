"""Word embeddings: the training examples word2vec builds from a sentence.

Word2vec learns word vectors from a proxy task: estimating how likely a word is to be
surrounded by other words. A window slides over the sentence; at each position the word there
is the *target* and the words up to ``window`` positions on either side are its *context*.

- Skip-gram predicts each context word from the target: one (target, context) pair per
  neighbour.
- CBOW (continuous bag of words) predicts the target from all of its context words at once:
  one (context words, target) example per position.

Everything works on positions, not on word types: a word that occurs twice is a target twice.
Nothing here imports TensorFlow, Keras or gensim.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.text.analysis import REGEXP_PATTERN, tokenize

MIN_WINDOW = 1
MAX_WINDOW = 5
TALK_SENTENCE = "a cute teddy bear is reading"
# The page draws every word in one row; beyond this many the labels would overlap.
MAX_SENTENCE_TOKENS = 30


@dataclass(frozen=True)
class PairSettings:
    """A sentence and a window size, as chosen on the pairs page."""

    sentence: str = TALK_SENTENCE
    window: int = 2

    def __post_init__(self) -> None:
        check_window(self.window)


def check_window(window: int) -> None:
    """Raise ``ValueError`` unless ``window`` is a whole number of at least 1."""
    if isinstance(window, bool) or not isinstance(window, int) or window < MIN_WINDOW:
        raise ValueError(f"window must be a whole number >= {MIN_WINDOW}, got {window!r}")


def sentence_tokens(sentence: str) -> list[str]:
    """The sentence as lower-cased tokens (regexp tokenizer: words, numbers, inner apostrophes)."""
    return [token.lower() for token in tokenize(sentence, "regexp")]


def context_positions(n_tokens: int, position: int, window: int) -> list[int]:
    """Positions within ``window`` of ``position`` (excluding it), in increasing order."""
    check_window(window)
    if not 0 <= position < n_tokens:
        raise ValueError(f"position {position} is outside a sentence of {n_tokens} tokens")
    low = max(0, position - window)
    high = min(n_tokens - 1, position + window)
    return [j for j in range(low, high + 1) if j != position]


def skipgram_pairs(tokens: Sequence[str], window: int) -> list[tuple[str, str]]:
    """Skip-gram's (target, context) pairs, in sentence order.

    For each position i, one pair per context position j in ``[i - window, i + window]``,
    ``j != i``, in increasing j. A sentence of one word has no pairs.
    """
    check_window(window)
    return [
        (tokens[i], tokens[j])
        for i in range(len(tokens))
        for j in context_positions(len(tokens), i, window)
    ]


def cbow_examples(tokens: Sequence[str], window: int) -> list[tuple[tuple[str, ...], str]]:
    """CBOW's (context words, target) examples, one per position, context in sentence order.

    A position without any context (a one-word sentence) gives no example: there is nothing
    to predict the target from.
    """
    check_window(window)
    examples = []
    for i in range(len(tokens)):
        context = tuple(tokens[j] for j in context_positions(len(tokens), i, window))
        if context:
            examples.append((context, tokens[i]))
    return examples


def skipgram_pair_count(n_tokens: int, window: int) -> int:
    """How many skip-gram pairs a sentence of ``n_tokens`` gives, without listing them.

    Each position has ``min(i, window)`` neighbours on the left and ``min(n - 1 - i, window)``
    on the right.
    """
    check_window(window)
    return sum(min(i, window) + min(n_tokens - 1 - i, window) for i in range(n_tokens))


def pair_counts_by_window(
    n_tokens: int, windows: Sequence[int] = range(MIN_WINDOW, MAX_WINDOW + 1)
) -> dict[int, int]:
    """Skip-gram pair count for each window size: the counts stop growing once the window
    covers the whole sentence (``window >= n_tokens - 1``)."""
    return {w: skipgram_pair_count(n_tokens, w) for w in windows}


def pairs_code(settings: PairSettings) -> str:
    """Plain-Python code that builds the same pairs and examples as this module, for the
    page's "Show the code", with the sentence and window filled in."""
    cut = ""
    if len(sentence_tokens(settings.sentence)) > MAX_SENTENCE_TOKENS:
        cut = f"tokens = tokens[:{MAX_SENTENCE_TOKENS}]  # the page keeps the first words only\n"
    return f'''import re

sentence = {settings.sentence!r}
window = {settings.window}

# Same tokenizer as the page: words and numbers (keeping inner apostrophes), lower-cased.
tokens = [t.lower() for t in re.findall(r"{REGEXP_PATTERN}", sentence)]
{cut}
skipgram = []  # (target, context): predict each neighbour from the target
cbow = []  # (context words, target): predict the target from its neighbours
for i, target in enumerate(tokens):
    context = [
        tokens[j]
        for j in range(max(0, i - window), min(len(tokens), i + window + 1))
        if j != i
    ]
    skipgram += [(target, word) for word in context]
    if context:
        cbow.append((tuple(context), target))

print(len(skipgram), "skip-gram pairs,", len(cbow), "CBOW examples")

# gensim names the same choice with sg= and window=:
# from gensim.models import Word2Vec
# Word2Vec(sentences=[tokens], sg=1, window={settings.window}, min_count=1)  # skip-gram
# Word2Vec(sentences=[tokens], sg=0, window={settings.window}, min_count=1)  # CBOW
'''
