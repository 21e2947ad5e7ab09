"""Why did the classifier say that? Class probabilities for one text and each word's share.

Two ways to give every word of a text a number, both about one target class (by default the
class the model predicts):

* **Occlusion**: take the word out of the text, run the model again and see how far the
  target probability falls. ``contribution = p(full text) − p(text without the word)``: positive
  means the word pushed towards the target class. Every variant goes through the model in one
  ``predict`` call. Works for every feature kind, because the changed text goes through the
  same featurizer as any other text.
* **Gradient × input**: one backward pass. The gradient of the target probability with respect
  to the model's input, times the input, says how much each input number adds to the output to
  first order. Input numbers are then shared out among the words that produced them (the rules
  are in :func:`gradient_x_input`).

Words are found with the featurizer's own tokenizer and kept with their character span in the
original text, so :func:`core.classifier.contributions_display.highlight_html` can colour the
text exactly as it was typed. Keras is imported inside the functions, and the backward pass uses
the running Keras backend's own automatic differentiation (TensorFlow, JAX or PyTorch).
"""

from __future__ import annotations

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


def occlusion(
    trained: TrainedClassifier, text: str, target: int | str | None = None
) -> list[WordContribution]:
    """Each word occurrence's effect on the target class, by taking it out of the text.

    ``target`` is a class index or label; by default the predicted class. For every word the
    variant text has that word's characters replaced by a space (other occurrences of the same
    word stay), and ``contribution = p(target | text) − p(target | variant)``. The full text and
    all variants go through the model in one ``predict`` call. A word the model never learned
    gives 0 with bag-of-words features, but may not with n-grams (removing it joins its
    neighbours into a new bigram) or an ``Embedding`` model (the average runs over one fewer
    position).

    Raises :class:`DataError` for blank text, text without words, or more than
    :data:`MAX_WORDS` words.
    """
    words = _checked_words(trained.featurizer, text)
    variants = [text, *(_without(text, w) for w in words)]
    p = trained.predict_proba(variants)
    index = _target_index(trained, target, p[0])
    values = p[0, index] - p[1:, index]
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


def _head(trained: TrainedClassifier, first_layer: int, target: int) -> Callable[[Any], Any]:
    """The target probability computed from the output of layer ``first_layer - 1`` onwards
    (dropout off). A binary model's single sigmoid is p(class 1); class 0 is 1 − p."""
    import keras

    layers = trained.model.layers[first_layer:]
    binary = trained.net.n_classes == 2

    def head(h, mask=None):
        for layer in layers:
            if mask is not None and layer.name == "pooling":
                h = layer(h, mask=mask)
                mask = None
            else:
                h = layer(h, training=False)
        p = h[:, 0] if binary else h[:, target]
        if binary and target == 0:
            p = 1.0 - p
        return keras.ops.sum(keras.ops.cast(p, "float32"))

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
    trained: TrainedClassifier, text: str, target: int | str | None = None
) -> list[WordContribution]:
    """Each word occurrence's gradient × input for the target class (default: predicted).

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
    up to the change in probability, unlike occlusion, which measures it. Raises
    :class:`DataError` as :func:`occlusion` does.
    """
    featurizer = trained.featurizer
    words = _checked_words(featurizer, text)
    p = trained.predict_proba([text])[0]
    index = _target_index(trained, target, p)
    kind = featurizer.input_kind
    known = _known(featurizer, words)
    if kind == "sparse":
        x = np.asarray(featurizer.transform([text]).toarray(), dtype=np.float32)
        per_column = (_gradient(_head(trained, 0, index), x) * x)[0]
        values = _share_sparse(featurizer, text, words, per_column)
    elif kind == "dense":
        x = featurizer.transform([text])
        gradient = _gradient(_head(trained, 0, index), x)[0]
        lookup = featurizer._index()
        values = np.zeros(len(words))
        n_known = sum(known)
        for i, word in enumerate(words):
            if known[i]:
                values[i] = gradient @ featurizer.word_vectors[lookup[word.term]] / n_known
    else:
        values = _embedding_gradient_x_input(trained, text, index, len(words))
    return _contributions(words, values, known)


def _embedding_gradient_x_input(
    trained: TrainedClassifier, text: str, target: int, n_words: int
) -> np.ndarray:
    import keras

    ids = trained.featurizer.transform([text])
    embedding = trained.model.get_layer("embedding")
    embedded = np.asarray(keras.ops.convert_to_numpy(embedding(ids)), dtype=np.float32)
    mask = keras.ops.not_equal(keras.ops.convert_to_tensor(ids), 0)
    first = trained.model.layers.index(embedding) + 1
    head = _head(trained, first, target)
    gradient = _gradient(lambda e: head(e, mask=mask), embedded)
    per_position = (gradient * embedded).sum(axis=-1)[0]
    values = np.zeros(n_words)
    shown = min(n_words, len(per_position))
    values[:shown] = per_position[:shown]
    return values
