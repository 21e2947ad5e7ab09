"""Inside a trained sequence model, for one typed text: what each convolution filter responds
to, and the prediction as the words arrive one by one.

Both take a :class:`~core.classifier.train.TrainedClassifier` with token-id input; Keras is
imported inside the functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from core.errors import DataError

SEQUENCE_HINT = "Train a sequence model (token ids through an Embedding) first."


@dataclass(frozen=True)
class FilterResponses:
    """One convolution's filters over one text.

    ``activations[i, f]`` is filter ``f``'s output (after relu) on the window of
    ``kernel_size`` tokens starting at token ``i``; only windows that start inside the text
    are kept. Global max pooling hands each filter's largest value on to the Dense layers.
    """

    tokens: list[str]
    known: list[bool]
    kernel_size: int
    activations: np.ndarray

    def windows(self) -> list[str]:
        """The words of each window (shorter at the end of a short text, where padding follows)."""
        k = self.kernel_size
        return [" ".join(self.tokens[i : i + k]) for i in range(len(self.activations))]

    def strongest(self, n: int = 5) -> list[tuple[int, str, float]]:
        """The ``n`` filters that respond most to this text: (filter, the window that
        excites it most, its activation), strongest first."""
        best = self.activations.max(axis=0)
        windows = self.windows()
        order = np.argsort(-best, kind="stable")[:n]
        return [
            (int(f), windows[int(self.activations[:, f].argmax())], float(best[f])) for f in order
        ]


@dataclass(frozen=True)
class StepPredictions:
    """The model's class probabilities after each word of a text: row ``i`` is the prediction
    for the first ``i + 1`` tokens, as if the text ended there."""

    tokens: list[str]
    label_names: tuple[str, ...]
    proba: np.ndarray


def _token_ids(trained: Any, text: str) -> tuple[np.ndarray, list[str], list[bool]]:
    """The model's id row for ``text`` and the tokens it holds (cut at the sequence length),
    each marked as known to the vocabulary or not."""
    featurizer = trained.featurizer
    if featurizer.input_kind != "sequence":
        raise DataError("This model reads a bag of words, not a word sequence.", SEQUENCE_HINT)
    row = featurizer.transform([text])[0]
    tokens = featurizer.tokens(text)[: featurizer.input_dim]
    if not tokens:
        raise DataError("The text has no words.", "Type a sentence with a few words.")
    vocabulary = set(featurizer.vocabulary)
    return row, tokens, [t in vocabulary for t in tokens]


def filter_responses(trained: Any, text: str, kernel_size: int | None = None) -> FilterResponses:
    """The responses of the convolution with ``kernel_size`` (default: the first) to ``text``.

    Raises :class:`DataError` when the model has no convolution or the text no words.
    """
    import keras

    sequence = trained.net.sequence
    if trained.net.input_kind != "sequence" or sequence.kind != "cnn":
        raise DataError("This model has no convolution.", "Train the Conv1D model first.")
    size = kernel_size or sequence.kernel_sizes[0]
    if size not in sequence.kernel_sizes:
        raise DataError(
            f"The model has no convolution of kernel size {size}.",
            f"Choose one of {', '.join(map(str, sequence.kernel_sizes))}.",
        )
    row, tokens, known = _token_ids(trained, text)
    embedded = trained.model.get_layer("embedding")(row[None, :])
    out = trained.model.get_layer(f"conv_{size}")(embedded)
    activations = np.asarray(keras.ops.convert_to_numpy(out), dtype=np.float64)[0]
    starts = max(1, min(len(tokens) - size + 1, len(activations)))
    return FilterResponses(tokens, known, size, activations[:starts])


def predictions_as_words_arrive(trained: Any, text: str) -> StepPredictions:
    """The class probabilities after each token of ``text``: the first word alone, the first
    two, and so on (each prefix padded as a text of that length would be)."""
    row, tokens, _ = _token_ids(trained, text)
    prefixes = np.zeros((len(tokens), len(row)), dtype=row.dtype)
    for i in range(len(tokens)):
        prefixes[i, : i + 1] = row[: i + 1]
    proba = trained.predict_proba_features(prefixes)
    return StepPredictions(tokens, tuple(trained.label_names), proba)
