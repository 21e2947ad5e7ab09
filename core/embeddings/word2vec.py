"""Training word2vec with gensim, one epoch at a time, so that a run reports and stops cleanly.

- :class:`Word2VecSettings` mirrors gensim's ``Word2Vec`` parameters (``vector_size``,
  ``window``, ``min_count``, ``sg``, ``negative``/``hs``, ``sample``, ``epochs``, ``workers``,
  ``seed``) and checks them before gensim sees them.
- Corpora are re-iterable sequences of token lists. :class:`TokenizedLines` streams a file (or
  a folder of files) from disk and tokenizes each line as the app does; ``tokens="whitespace"``
  gives gensim's own ``LineSentence`` / ``PathLineSentences`` unchanged.
- :func:`train_word2vec` builds the vocabulary (an empty one is a :class:`DataError` that says
  which ``min_count`` would work), then calls ``train`` once per epoch with the slice of the
  learning-rate schedule that a single call would have used. Each call resets gensim's loss
  tally, so the loss after it *is* that epoch's loss; the stop flag is read between epochs.
- The result keeps only the ``KeyedVectors``: exploring vectors never needs the trainer.
- :class:`Word2VecRunResult` is what a run of the Train page keeps: its corpus and settings,
  then the vector set and the figures, or the data error that stopped it.

gensim is imported inside the functions: importing this module stays cheap.
"""

from __future__ import annotations

import gzip
import math
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

from core.data.datasets import GENSIM_CORPORA, Corpus, gensim_datapath
from core.errors import DataError
from core.text.analysis import tokenize

if TYPE_CHECKING:
    from core.embeddings.vectors import VectorSet

TokenMode = Literal["words", "whitespace"]
# Shortcuts accepted wherever a corpus is named (the CLI's --corpus, for one).
CORPUS_SHORTCUTS = {"lee": "lee_background.cor", "head500": "head500.noblanks.cor"}
MAX_VECTOR_SIZE = 1_000
MAX_WINDOW = 50
MAX_EPOCHS = 500
MAX_WORKERS = 32


@dataclass(frozen=True)
class Word2VecSettings:
    """gensim ``Word2Vec`` settings, by gensim's names. ``sg=1`` is skip-gram, ``sg=0`` CBOW."""

    vector_size: int = 100
    window: int = 5
    min_count: int = 5
    sg: int = 1
    negative: int = 5
    hs: int = 0
    sample: float = 1e-3
    alpha: float = 0.025
    min_alpha: float = 0.0001
    epochs: int = 5
    workers: int = 2
    seed: int = 1
    compute_loss: bool = True

    def __post_init__(self) -> None:
        whole = {
            "vector_size": (1, MAX_VECTOR_SIZE),
            "window": (1, MAX_WINDOW),
            "min_count": (1, 10**9),
            "negative": (0, 100),
            "epochs": (1, MAX_EPOCHS),
            "workers": (1, MAX_WORKERS),
            "seed": (0, 2**32 - 1),
        }
        for name, (low, high) in whole.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ValueError(
                    f"{name} must be a whole number from {low:,} to {high:,}, got {value!r}."
                )
        if self.sg not in (0, 1):
            raise ValueError(f"sg must be 1 (skip-gram) or 0 (CBOW), got {self.sg!r}.")
        if self.hs not in (0, 1):
            raise ValueError(f"hs must be 0 or 1, got {self.hs!r}.")
        if self.hs == 0 and self.negative == 0:
            raise ValueError(
                "With hs=0 and negative=0 there is nothing to train: turn on negative sampling "
                "(negative 5 to 20) or hierarchical softmax (hs=1)."
            )
        if not (0.0 <= self.sample < 1.0) or math.isnan(self.sample):
            raise ValueError(f"sample must be from 0 to below 1, got {self.sample!r}.")
        if not (0 < self.min_alpha <= self.alpha <= 1.0):
            raise ValueError(
                f"Learning rates need 0 < min_alpha <= alpha <= 1, got alpha={self.alpha!r}, "
                f"min_alpha={self.min_alpha!r}."
            )

    @property
    def architecture(self) -> str:
        return "skip-gram" if self.sg == 1 else "CBOW"

    def gensim_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``gensim.models.Word2Vec`` (everything but the corpus)."""
        kwargs = asdict(self)
        return kwargs


@dataclass
class Word2VecResult:
    """What a training run leaves: the vectors, per-epoch figures and how it ended."""

    vectors: Any  # gensim KeyedVectors
    settings: Word2VecSettings
    epoch_losses: list[float] = field(default_factory=list)
    epoch_seconds: list[float] = field(default_factory=list)
    epoch_words: list[int] = field(default_factory=list)  # raw corpus words per epoch
    corpus_words: int = 0
    corpus_sentences: int = 0
    vocab_seconds: float = 0.0
    stopped: bool = False

    @property
    def vocab_size(self) -> int:
        return len(self.vectors)

    @property
    def train_seconds(self) -> float:
        return float(sum(self.epoch_seconds))

    @property
    def words_per_second(self) -> float:
        """Corpus words × epochs run ÷ training wall time (vocabulary building not included)."""
        seconds = self.train_seconds
        return sum(self.epoch_words) / seconds if seconds > 0 else 0.0

    def flat(self) -> dict[str, float]:
        """The final figures by display name (the Runs table's metrics): the vocabulary, the
        words per second and, when the loss was computed, the last epoch's loss."""
        return {
            "vocabulary": self.vocab_size,
            "words per second": self.words_per_second,
            **({"final loss": self.epoch_losses[-1]} if self.epoch_losses else {}),
        }


@dataclass
class Word2VecRunResult:
    """A word2vec run of the Train page: the corpus and settings it was given, then the vector
    set and the training figures, or the data error that stopped it."""

    settings: Word2VecSettings
    sentences: Iterable[list[str]]
    corpus_name: str
    vector_set: VectorSet | None = None
    training: Word2VecResult | None = None
    error: DataError | None = None
    kept: bool = False  # the vector set is already among the session's


# ---------------------------------------------------------------- corpora


class TokenizedLines:
    """A file, or every file in a folder, streamed line by line as lists of lower-cased tokens.

    Nothing is held in memory between iterations, so a corpus larger than memory trains.
    ``.gz`` files are read compressed. Tokens are the app's regexp tokenizer's, lower-cased,
    so a model trained from the command line matches one trained on the page.
    """

    def __init__(self, source: str | Path, lowercase: bool = True) -> None:
        self.source = Path(source)
        self.lowercase = lowercase
        if not self.source.exists():
            raise DataError(f"{self.source} does not exist.", "Give the path of a text file.")

    def _files(self) -> list[Path]:
        if self.source.is_dir():
            return sorted(p for p in self.source.iterdir() if p.is_file())
        return [self.source]

    def __iter__(self) -> Iterator[list[str]]:
        for path in self._files():
            opener = gzip.open if path.suffix == ".gz" else open
            with opener(path, "rt", encoding="utf-8", errors="replace") as handle:
                for line in handle:
                    tokens = tokenize(line.lower() if self.lowercase else line)
                    if tokens:
                        yield tokens


def resolve_corpus_path(name: str) -> Path:
    """``lee``/``head500`` (or a gensim corpus name) → gensim's bundled file; else the path."""
    filename = CORPUS_SHORTCUTS.get(name) or GENSIM_CORPORA.get(name)
    if filename is None and name in GENSIM_CORPORA.values():
        filename = name
    return gensim_datapath(filename) if filename else Path(name)


def stream_corpus(name: str, tokens: TokenMode = "words") -> Iterable[list[str]]:
    """A corpus streamed from disk: ``lee``, ``head500``, a file or a folder of files.

    ``tokens="words"`` tokenizes like the app; ``"whitespace"`` is gensim's ``LineSentence``
    (``PathLineSentences`` for a folder), which splits on spaces and changes nothing else.
    """
    path = resolve_corpus_path(name)
    if not path.exists():
        raise DataError(
            f"No corpus at {path}.", "Give lee, head500, a text file or a folder of text files."
        )
    if tokens == "words":
        return TokenizedLines(path)
    from gensim.models.word2vec import LineSentence, PathLineSentences

    return PathLineSentences(str(path)) if path.is_dir() else LineSentence(str(path))


def corpus_sentences(corpus: Corpus | Sequence[str], lowercase: bool = True) -> list[list[str]]:
    """In-memory documents → token lists, tokenized as on every text page; empty ones dropped."""
    documents = corpus.documents if isinstance(corpus, Corpus) else corpus
    out = []
    for doc in documents:
        tokens = tokenize(doc.lower() if lowercase else doc)
        if tokens:
            out.append(tokens)
    return out


def corpus_file_of(corpus: Iterable[list[str]]) -> Path | None:
    """The file gensim's ``corpus_file`` mode can read as it is, or ``None``: a
    ``LineSentence`` of an uncompressed file already holds space-separated tokens, one sentence
    a line, which is all that mode reads."""
    from gensim.models.word2vec import LineSentence

    if not isinstance(corpus, LineSentence) or not isinstance(corpus.source, str | Path):
        return None
    path = Path(corpus.source)
    return path if path.suffix not in (".gz", ".bz2") and path.is_file() else None


class WritingCorpus:
    """``corpus`` iterated once, each sentence also written to ``handle`` as one line of
    space-separated tokens (the app's tokens hold no spaces), so the vocabulary pass leaves a
    file that gensim's ``corpus_file`` mode can train on."""

    def __init__(self, corpus: Iterable[list[str]], handle: IO[str]) -> None:
        self.corpus, self.handle = corpus, handle

    def __iter__(self) -> Iterator[list[str]]:
        for tokens in self.corpus:
            self.handle.write(" ".join(tokens) + "\n")
            yield tokens


# ---------------------------------------------------------------- training


def _empty_vocabulary_error(settings: Word2VecSettings, raw_vocab: dict[str, int]) -> DataError:
    if not raw_vocab:
        return DataError(
            "The corpus has no words to learn from.",
            "Every line was empty after tokenizing. Check that the file holds plain text, one "
            "sentence or document per line.",
        )
    top = max(raw_vocab.values())
    return DataError(
        f"The vocabulary is empty: no word occurs {settings.min_count:,} times or more "
        f"(min_count = {settings.min_count:,}).",
        f"The most frequent word occurs {top:,} times in this corpus of {len(raw_vocab):,} "
        f"distinct words. Lower min_count to {top:,} or less (5 is gensim's default), or "
        "use a larger corpus.",
    )


def build_model(corpus: Iterable[list[str]], settings: Word2VecSettings):
    """A gensim ``Word2Vec`` with its vocabulary built from ``corpus`` and not yet trained.

    Raises :class:`DataError` when no word reaches ``min_count``.
    """
    from gensim.models import Word2Vec

    kwargs = settings.gensim_kwargs()
    model = Word2Vec(**kwargs)
    model.build_vocab(corpus, keep_raw_vocab=True)
    if len(model.wv) == 0:
        raise _empty_vocabulary_error(settings, dict(model.raw_vocab))
    model.raw_vocab = {}  # only needed for the message above
    return model


def train_word2vec(
    corpus: Iterable[list[str]],
    settings: Word2VecSettings = Word2VecSettings(),
    *,
    should_stop: Callable[[], bool] = lambda: False,
    on_epoch: Callable[[int, Word2VecResult], None] | None = None,
    via_file: bool = False,
) -> Word2VecResult:
    """Train word2vec on ``corpus`` (a re-iterable of token lists) and return its vectors.

    ``on_epoch(epoch, result)`` runs after each epoch (1-based) with the figures so far;
    ``should_stop()`` is asked between epochs, and a true answer ends training there, with
    ``result.stopped`` set. The learning rate falls linearly from ``alpha`` to ``min_alpha``
    over all the epochs asked for, exactly as one ``train`` call would schedule it.

    ``via_file``: train in gensim's ``corpus_file`` mode, where each worker reads its own part
    of a file of space-separated tokens in C, with no Python iterator between epochs and the
    workers. A plain ``LineSentence`` file is read as it is; any other corpus is written to a
    temporary file of its tokens during the vocabulary pass (one pass, as many bytes on disk
    as its tokens), removed at the end.
    """
    with tempfile.TemporaryDirectory(prefix="word2vec-") as folder:
        return _train(corpus, settings, should_stop, on_epoch, Path(folder) if via_file else None)


def _train(corpus, settings, should_stop, on_epoch, folder: Path | None) -> Word2VecResult:
    started = time.perf_counter()
    path = corpus_file_of(corpus) if folder is not None else None
    if folder is not None and path is None:
        path = folder / "tokens.txt"
        with path.open("w", encoding="utf-8") as handle:
            model = build_model(WritingCorpus(corpus, handle), settings)
    else:
        model = build_model(corpus, settings)
    source: dict[str, Any] = (
        {"corpus_iterable": corpus, "total_examples": model.corpus_count}
        if path is None
        else {"corpus_file": str(path), "total_words": model.corpus_total_words}
    )
    result = Word2VecResult(
        vectors=model.wv,
        settings=settings,
        corpus_words=int(model.corpus_total_words),
        corpus_sentences=int(model.corpus_count),
        vocab_seconds=time.perf_counter() - started,
    )
    total = settings.epochs
    step = (settings.alpha - settings.min_alpha) / total
    for epoch in range(total):
        if should_stop():
            result.stopped = True
            break
        began = time.perf_counter()
        _, raw_words = model.train(
            **source,
            epochs=1,
            start_alpha=settings.alpha - step * epoch,
            end_alpha=settings.alpha - step * (epoch + 1),
            compute_loss=settings.compute_loss,
        )
        result.epoch_seconds.append(time.perf_counter() - began)
        result.epoch_words.append(int(raw_words))
        if settings.compute_loss:
            result.epoch_losses.append(float(model.get_latest_training_loss()))
        if on_epoch is not None:
            on_epoch(epoch + 1, result)
    model.epochs = len(result.epoch_seconds)
    return result


def vector_set_name(settings: Word2VecSettings, corpus_name: str) -> str:
    """A short label for a trained model: ``skip-gram d100 w5 · lee_background``."""
    return f"{settings.architecture} d{settings.vector_size} w{settings.window} · {corpus_name}"


QUICK_SETTINGS = Word2VecSettings(vector_size=50, window=5, min_count=5, epochs=10, workers=1)


def train_vector_set(
    corpus: Iterable[list[str]],
    corpus_name: str,
    settings: Word2VecSettings = Word2VecSettings(),
    **train_kwargs: Any,
):
    """:func:`train_word2vec`, wrapped as a :class:`~core.embeddings.vectors.VectorSet` plus result."""
    from core.embeddings.vectors import VectorSet

    result = train_word2vec(corpus, settings, **train_kwargs)
    vector_set = VectorSet(
        name=vector_set_name(settings, corpus_name),
        vectors=result.vectors,
        source=f"trained on {corpus_name} ({result.corpus_words:,} words, "
        f"{len(result.epoch_seconds)} epoch{'s' * (len(result.epoch_seconds) != 1)})",
        settings=asdict(settings),
        has_counts=True,
        corpus=corpus_name,
    )
    return vector_set, result


def quick_vector_set():
    """A small fixed-seed skip-gram model of gensim's Lee corpus (a few seconds on one core).

    The explore, evaluate and projection pages offer it when the session has no vectors yet.
    """
    from core.data.datasets import gensim_corpus

    corpus = corpus_sentences(gensim_corpus("lee_background.cor"))
    vector_set, _ = train_vector_set(corpus, "lee_background", QUICK_SETTINGS)
    return vector_set


def corpus_shortcut(name: str) -> str:
    """A bundled corpus's shortcut for :func:`stream_corpus` (``lee_background`` → ``lee``);
    any other name (a path) unchanged."""
    for shortcut, filename in CORPUS_SHORTCUTS.items():
        if name in (filename, filename.removesuffix(".cor")):
            return shortcut
    return name


def word2vec_code(settings: Word2VecSettings, corpus_name: str = "lee") -> str:
    """The ``core`` calls behind the Train page, with these settings, as a runnable script.

    ``corpus_name`` is a bundled corpus (``lee``, ``lee_background``, ``head500``…) or a path.
    """
    defaults = Word2VecSettings()
    changed = [
        f"{name}={value!r}"
        for name, value in asdict(settings).items()
        if value != getattr(defaults, name)
    ]
    arguments = ", ".join(changed)
    gensim_arguments = ", ".join(f"{k}={v!r}" for k, v in settings.gensim_kwargs().items())
    return f"""
from core.embeddings.word2vec import Word2VecSettings, stream_corpus, train_word2vec

corpus = stream_corpus({corpus_shortcut(corpus_name)!r})  # streamed from disk, tokenized like the app
settings = Word2VecSettings({arguments})
result = train_word2vec(corpus, settings, on_epoch=lambda epoch, r: print(epoch, r.epoch_losses[-1]))
print(result.vocab_size, "words;", round(result.words_per_second), "words/s")
word = result.vectors.index_to_key[min(50, result.vocab_size - 1)]  # a fairly frequent word
print(word, result.vectors.most_similar(word, topn=5))

# The same with gensim alone:
from gensim.models import Word2Vec
# (one train call: the loss it reports is cumulative over all epochs)
model = Word2Vec(corpus, {gensim_arguments})
"""
