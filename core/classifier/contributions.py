"""Why did the classifier say that? Class probabilities for one text and each word's share.

Two ways to give every word of a text a number, both about one target class (by default the
class the model predicts), each on one of two :data:`SCALES`:

* **Occlusion**: take the word out of the text, run the model again and see how far the
  target's score falls. ``contribution = score(full text) − score(text without the word)``:
  positive means the word pushed towards the target class. Every variant goes through the model
  in one ``predict`` call. Works for every feature kind, because the changed text goes through
  the same featurizer as any other text.
* **Gradient × input**: one backward pass. The gradient of the target's score with respect
  to the model's input, times the input, says how much each input number adds to the output to
  first order. Input numbers are then shared out among the words that produced them (the rules
  are in :func:`gradient_x_input`).

The score is the target's **log-odds** by default, ``log p − log(1 − p)``, computed from the
output layer's logits rather than from the rounded probability: a prediction at 99.999% has
saturated its probability, so taking out "FREE" hardly moves it, while its log-odds still move
by as much as ever. ``scale="probability"`` measures the probability itself.

Words are found with the featurizer's own tokenizer and kept with their character span in the
original text, so :func:`core.classifier.contributions_display.highlight_html` can colour the
text exactly as it was typed. Keras is imported inside the functions, and the backward pass uses
the running Keras backend's own automatic differentiation (TensorFlow, JAX or PyTorch).
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from core.classifier.features import CHAR_MARK
from core.classifier.word_spans import WordSpan, char_ngram_occurrences, words_of
from core.errors import DataError

if TYPE_CHECKING:
    from core.classifier.features import Featurizer
    from core.classifier.train import TrainedClassifier


# What a contribution is measured in: the target's log-odds (default) or its probability.
SCALES = {"log_odds": "log-odds", "probability": "probability"}

# Occlusion runs the model once per word; past this the page would wait for long.
MAX_WORDS = 500


MAX_CHARS = 20_000


@dataclass(frozen=True)
class WordContribution:
    """One occurrence of a word in the text and how much it moved the target probability.

    ``word`` is the text as typed, ``text[start:end]``; ``term`` is what the model sees for it
    (lower-cased, stemmed…); ``known`` says whether the model's vocabulary has any feature for
    it (an unknown word can still matter to n-grams or to an ``Embedding`` model's OOV row).
    """

    position: int
    word: str
    term: str
    start: int
    end: int
    contribution: float
    known: bool


def _check_text(text: str) -> None:
    if not isinstance(text, str) or not text.strip():
        raise DataError("There is no text to classify.", "Type or paste a sentence or two.")
    if len(text) > MAX_CHARS:
        raise DataError(
            f"The text has {len(text):,} characters; at most {MAX_CHARS:,} are explained.",
            "Paste a shorter passage.",
        )


def class_probabilities(trained: TrainedClassifier, text: str) -> list[tuple[str, float]]:
    """The model's probability for every class of ``text``, most likely first.

    Returns ``(label, probability)`` pairs that sum to 1. Raises :class:`DataError` for blank
    text.
    """
    _check_text(text)
    probabilities = trained.predict_proba([text])[0]
    order = np.argsort(-probabilities, kind="stable")
    return [(trained.label_names[i], float(probabilities[i])) for i in order]


def _target_index(trained: TrainedClassifier, target: int | str | None, p: np.ndarray) -> int:
    """The class to explain: given by index or label, else the predicted one."""
    if target is None:
        return int(np.argmax(p))
    if isinstance(target, str):
        if target not in trained.label_names:
            raise DataError(
                f"{target!r} is not a class of this model.",
                f"Pick one of {list(trained.label_names)}.",
            )
        return trained.label_names.index(target)
    if not 0 <= int(target) < len(trained.label_names):
        raise ValueError(f"target must be from 0 to {len(trained.label_names) - 1}")
    return int(target)


def _checked_words(featurizer: Featurizer, text: str) -> list[WordSpan]:
    _check_text(text)
    words = words_of(featurizer, text)
    if not words:
        raise DataError(
            "The text has no words the model reads.",
            "Type words with letters or digits"
            + (" that are not stop words." if featurizer.settings.text.remove_stop_words else "."),
        )
    if len(words) > MAX_WORDS:
        raise DataError(
            f"The text has {len(words):,} words; at most {MAX_WORDS} are explained.",
            "Paste a shorter passage.",
        )
    return words


def _known(featurizer: Featurizer, words: Sequence[WordSpan]) -> list[bool]:
    """Whether the model has any feature for each word on its own."""
    if featurizer.settings.char_ngrams is not None:  # a word alone still has its n-grams
        rows = featurizer.transform([w.word for w in words])
        return [bool(n) for n in np.diff(rows.indptr)]
    vocabulary = set(featurizer.vocabulary)
    return [w.term in vocabulary for w in words]


def _without(text: str, word: WordSpan) -> str:
    # A space, not nothing, so the words on either side never run together.
    return text[: word.start] + " " + text[word.end :]


def _contributions(words: Sequence[WordSpan], values: Sequence[float], known: Sequence[bool]):
    return [
        WordContribution(i, w.word, w.term, w.start, w.end, float(v), bool(k))
        for i, (w, v, k) in enumerate(zip(words, values, known, strict=True))
    ]


def _check_scale(scale: str) -> None:
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {list(SCALES)}")


def log_odds_from_logits(logits: np.ndarray, target: int, binary: bool) -> np.ndarray:
    """Rows of output-layer logits → the target class's log-odds, ``log p − log(1 − p)``.

    A binary model's single logit ``z`` is the log-odds of class 1 (and ``−z`` of class 0). For a
    softmax, ``log p_t − log(1 − p_t) = z_t − log Σ_{j≠t} exp z_j``, computed stably, so it stays
    finite where ``p_t`` rounds to 1.
    """
    z = np.asarray(logits, dtype=np.float64)
    if binary:
        return z[:, 0] if target == 1 else -z[:, 0]
    others = np.delete(z, target, axis=1)
    top = others.max(axis=1)
    return z[:, target] - (top + np.log(np.exp(others - top[:, None]).sum(axis=1)))


# One sub-model per trained model, so repeated explanations reuse its compiled predict function.
_BEFORE_OUTPUT: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def output_logits(trained: TrainedClassifier, x) -> np.ndarray:
    """Model inputs (as ``featurizer.transform`` gives them) → the output layer's logits, the
    numbers before its sigmoid or softmax: one column for a binary model, else one per class."""
    import keras

    model = trained.model
    output = model.layers[-1]
    kernel = np.asarray(keras.ops.convert_to_numpy(output.kernel), dtype=np.float64)
    bias = np.asarray(keras.ops.convert_to_numpy(output.bias), dtype=np.float64)
    if len(model.layers) == 1:  # no hidden layer: the inputs (sparse or not) meet the output
        return np.asarray(x @ kernel, dtype=np.float64) + bias
    before = _BEFORE_OUTPUT.get(model)
    if before is None:
        before = keras.Model(model.inputs, model.layers[-2].output)
        _BEFORE_OUTPUT[model] = before
    h = np.asarray(before.predict(x, batch_size=1024, verbose=0), dtype=np.float64)
    return h @ kernel + bias


def target_scores(
    trained: TrainedClassifier, texts: Sequence[str], target: int | str | None, scale: str
) -> tuple[int, np.ndarray]:
    """The class explained (``target``, or the first text's predicted class) and every text's
    score for it on ``scale``: its probability, or its log-odds from the logits."""
    _check_scale(scale)
    x = trained.featurizer.transform(list(texts))
    if scale == "probability":
        p = trained.predict_proba_features(x)
        index = _target_index(trained, target, p[0])
        return index, p[:, index]
    logits = output_logits(trained, x)
    binary = trained.net.n_classes == 2
    first = np.array([0.0, logits[0, 0]]) if binary else logits[0]
    index = _target_index(trained, target, first)
    return index, log_odds_from_logits(logits, index, binary)


def occlusion(
    trained: TrainedClassifier,
    text: str,
    target: int | str | None = None,
    scale: str = "log_odds",
) -> list[WordContribution]:
    """Each word occurrence's effect on the target class, by taking it out of the text.

    ``target`` is a class index or label; by default the predicted class. For every word the
    variant text has that word's characters replaced by a space (other occurrences of the same
    word stay), and ``contribution = score(text) − score(variant)``, the score being the
    target's log-odds or, with ``scale="probability"``, its probability. The full text and
    all variants go through the model in one ``predict`` call. A word the model never learned
    gives 0 with bag-of-words features, but may not with n-grams (removing it joins its
    neighbours into a new bigram) or an ``Embedding`` model (the average runs over one fewer
    position).

    Raises :class:`DataError` for blank text, text without words, or more than
    :data:`MAX_WORDS` words.
    """
    words = _checked_words(trained.featurizer, text)
    variants = [text, *(_without(text, w) for w in words)]
    _, scores = target_scores(trained, variants, target, scale)
    values = scores[0] - scores[1:]
    return _contributions(words, values, _known(trained.featurizer, words))


def _gradient(function: Callable[[Any], Any], x: np.ndarray) -> np.ndarray:
    """d function(x) / dx for a scalar ``function`` written with Keras layers and ``keras.ops``,
    using the automatic differentiation of whichever backend Keras runs on."""
    import keras

    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        tensor = tf.convert_to_tensor(x)
        with tf.GradientTape() as tape:
            tape.watch(tensor)
            value = function(tensor)
        return np.asarray(tape.gradient(value, tensor), dtype=np.float64)
    if backend == "jax":
        import jax

        return np.asarray(jax.grad(function)(jax.numpy.asarray(x)), dtype=np.float64)
    if backend == "torch":
        import torch

        tensor = torch.tensor(x, requires_grad=True)
        function(tensor).backward()
        return tensor.grad.detach().cpu().numpy().astype(np.float64)
    raise DataError(
        f"Gradients are not available on the {backend!r} Keras backend.",
        "Use occlusion instead, or run with KERAS_BACKEND=tensorflow or jax.",
    )


def _head(
    trained: TrainedClassifier, first_layer: int, target: int, scale: str = "probability"
) -> Callable[[Any], Any]:
    """The target's score computed from the output of layer ``first_layer - 1`` onwards
    (dropout off). A binary model's single sigmoid is p(class 1); class 0 is 1 − p. On the
    log-odds scale the output layer's logits replace its sigmoid or softmax (as in
    :func:`log_odds_from_logits`)."""
    import keras

    ops = keras.ops
    log_odds = scale == "log_odds"
    layers = trained.model.layers[first_layer:]
    if log_odds:
        layers, output = layers[:-1], layers[-1]
    binary = trained.net.n_classes == 2

    def head(h, mask=None):
        for layer in layers:
            if mask is not None and layer.name == "pooling":
                h = layer(h, mask=mask)
                mask = None
            else:
                h = layer(h, training=False)
        if log_odds:
            z = ops.matmul(ops.cast(h, "float32"), output.kernel) + output.bias
            if binary:
                score = z[:, 0] if target == 1 else -z[:, 0]
            else:
                others = ops.where(ops.arange(z.shape[-1]) == target, float("-inf"), z)
                score = z[:, target] - ops.logsumexp(others, axis=-1)
            return ops.sum(ops.cast(score, "float32"))
        p = h[:, 0] if binary else h[:, target]
        if binary and target == 0:
            p = 1.0 - p
        return ops.sum(ops.cast(p, "float32"))

    return head


def _share_sparse(
    featurizer: Featurizer, text: str, words: Sequence[WordSpan], per_column: np.ndarray
) -> np.ndarray:
    """Share each feature column's gradient × input among the words that produced it."""
    settings = featurizer.settings
    index = {term: j for j, term in enumerate(featurizer.vocabulary)}
    # Occurrences per column, each a tuple of the word positions (or character spans) it covers.
    occurrences: dict[int, list[tuple[int, ...]]] = defaultdict(list)
    if settings.word_ngrams is not None:
        low, high = settings.word_ngrams
        terms = [w.term for w in words]
        for n in range(low, high + 1):
            for i in range(len(terms) - n + 1):
                j = index.get(" ".join(terms[i : i + n]))
                if j is not None:
                    occurrences[j].append(tuple(range(i, i + n)))
    if settings.char_ngrams is not None:
        mark = CHAR_MARK if settings.word_ngrams is not None else ""
        for j, covered in char_ngram_occurrences(text, settings, index, words, mark):
            occurrences[j].append(covered)
    shares = np.zeros(len(words))
    for j, places in occurrences.items():
        value = per_column[j] / len(places)
        for covered in places:
            if covered:
                shares[list(covered)] += value / len(covered)
    return shares


def gradient_x_input(
    trained: TrainedClassifier,
    text: str,
    target: int | str | None = None,
    scale: str = "log_odds",
) -> list[WordContribution]:
    """Each word occurrence's gradient × input for the target class (default: predicted), of
    its log-odds or, with ``scale="probability"``, of its probability.

    How input numbers become word numbers, per feature kind:

    * **TF-IDF / bag of words**: ``g_j × x_j`` for every feature column ``j`` of the text.
      A column's value is split equally among its occurrences in the text, and each
      occurrence's share equally among the words it spans: a unigram gives all to its word, a
      bigram half to each of its two words. A ``char_wb`` n-gram goes to the words whose
      characters it overlaps; n-grams of punctuation alone are left out.
    * **Mean word2vec**: the input is ``x = Σ v_w / n`` over the ``n`` known words, so
      ``g · x`` splits exactly into ``g · v_w / n`` per known word (the chain rule through the
      mean); unknown words get 0.
    * **Embedding layer**: the gradient with respect to the embedded sequence, dotted with the
      embedding at each position. Words past ``sequence_length`` are cut off by the model and
      get 0.

    Gradient × input is a first-order estimate: for a network with ReLU layers it need not add
    up to the change in score, unlike occlusion, which measures it. Raises
    :class:`DataError` as :func:`occlusion` does.
    """
    _check_scale(scale)
    featurizer = trained.featurizer
    words = _checked_words(featurizer, text)
    p = trained.predict_proba([text])[0]
    index = _target_index(trained, target, p)
    kind = featurizer.input_kind
    known = _known(featurizer, words)
    if kind == "sparse":
        x = np.asarray(featurizer.transform([text]).toarray(), dtype=np.float32)
        per_column = (_gradient(_head(trained, 0, index, scale), x) * x)[0]
        values = _share_sparse(featurizer, text, words, per_column)
    elif kind == "dense":
        x = featurizer.transform([text])
        gradient = _gradient(_head(trained, 0, index, scale), x)[0]
        lookup = featurizer._index()
        values = np.zeros(len(words))
        n_known = sum(known)
        for i, word in enumerate(words):
            if known[i]:
                values[i] = gradient @ featurizer.word_vectors[lookup[word.term]] / n_known
    else:
        values = _embedding_gradient_x_input(trained, text, index, len(words), scale)
    return _contributions(words, values, known)


def _embedding_gradient_x_input(
    trained: TrainedClassifier, text: str, target: int, n_words: int, scale: str
) -> np.ndarray:
    import keras

    ids = trained.featurizer.transform([text])
    embedding = trained.model.get_layer("embedding")
    embedded = np.asarray(keras.ops.convert_to_numpy(embedding(ids)), dtype=np.float32)
    mask = keras.ops.not_equal(keras.ops.convert_to_tensor(ids), 0)
    first = trained.model.layers.index(embedding) + 1
    head = _head(trained, first, target, scale)
    gradient = _gradient(lambda e: head(e, mask=mask), embedded)
    per_position = (gradient * embedded).sum(axis=-1)[0]
    values = np.zeros(n_words)
    shown = min(n_words, len(per_position))
    values[:shown] = per_position[:shown]
    return values
