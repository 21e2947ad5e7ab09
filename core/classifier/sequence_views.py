"""What a trained sequence model does with one text: the words it reads, what its convolution
filters respond to at each position, and its prediction as the words arrive one by one.

Also the coverage of a vocabulary by word vectors before any training, for the settings form,
and the word-order probe run one model at a time with its twin texts side by side.
Keras is imported inside the functions (through the trained model).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from core.classifier.features import OOV, PAD, FeatureSettings, fit_featurizer
from core.classifier.sequence_input import VectorCoverage, embedding_start
from core.classifier.word_order import (
    PROBE_MODELS,
    ProbeResult,
    ProbeSettings,
    run_word_order_probe,
    word_order_split,
)
from core.errors import DataError

if TYPE_CHECKING:
    from core.classifier.train import TrainedClassifier

UNKNOWN_MARK = "?"  # after a word the vocabulary does not hold (it is read as id 1)
TOP_FILTERS = 8


@dataclass(frozen=True)
class ReadText:
    """A text as the model reads it: its tokens up to the sequence length, their ids, which
    are unknown words, and how many tokens the length cut off."""

    words: list[str]
    ids: np.ndarray
    cut: int

    @property
    def labels(self) -> list[str]:
        """Each word numbered from 1 (so repeated words stay apart), unknown ones marked."""
        return [
            f"{i}: {w}{UNKNOWN_MARK if self.ids[i - 1] == OOV else ''}"
            for i, w in enumerate(self.words, start=1)
        ]


def read_text(trained: TrainedClassifier, text: str) -> ReadText:
    """The tokens ``trained`` reads of ``text``; a :class:`DataError` when it is not a
    sequence model or the text has no word in it."""
    featurizer = trained.featurizer
    if featurizer.input_kind != "sequence":
        raise DataError(
            "This classifier reads a bag of words, not a sequence.",
            "Train a model on the Sequence models page, then type a sentence again.",
        )
    tokens = featurizer.tokens(text)
    if not tokens:
        raise DataError(
            "The text has no words the tokenizer can read.",
            "Type a sentence with at least one word.",
        )
    length = featurizer.settings.sequence_length
    ids = np.asarray(featurizer.transform([text])[0][: min(len(tokens), length)])
    return ReadText(tokens[:length], ids, max(len(tokens) - length, 0))


@dataclass(frozen=True)
class FilterResponses:
    """The strongest convolution filters of one kernel size on one text.

    ``activations[f, p]`` is filter ``filters[f]``'s output (after ReLU) on the window of
    ``kernel_size`` words starting at word ``p``; ``windows`` names each window by its words.
    ``filters`` are ordered by their highest activation on the text, strongest first: that
    maximum is what global max pooling hands on to the Dense layers.
    """

    words: list[str]
    kernel_size: int
    windows: list[str]
    filters: list[int]
    activations: np.ndarray


def conv_kernel_sizes(trained: TrainedClassifier) -> tuple[int, ...]:
    """The kernel sizes of ``trained``'s convolution; empty when it has none."""
    sequence = trained.net.sequence
    return tuple(sequence.kernel_sizes) if sequence.kind == "cnn" else ()


def filter_responses(
    trained: TrainedClassifier, text: str, kernel_size: int | None = None, top: int = TOP_FILTERS
) -> FilterResponses:
    """What the ``top`` strongest filters of size ``kernel_size`` (default: the first) respond
    to in ``text``: the Embedding and the ``Conv1D`` layer run on the text's token ids."""
    sizes = conv_kernel_sizes(trained)
    if not sizes:
        raise DataError(
            "This model has no convolution.",
            "Choose Convolution as the model kind and train it to see its filters.",
        )
    size = sizes[0] if kernel_size is None else int(kernel_size)
    if size not in sizes:
        raise DataError(f"The model has no filters of size {size}.", f"Choose one of {sizes}.")
    read = read_text(trained, text)
    row = trained.featurizer.transform([text])
    embedded = trained.model.get_layer("embedding")(row)
    output = np.asarray(trained.model.get_layer(f"conv_{size}")(embedded))[0]
    # Windows inside the text; a text shorter than the kernel still has the one window the
    # model sees, padding included.
    n_windows = max(len(read.words) - size + 1, 1)
    activations = output[:n_windows].T  # (filters, windows)
    strongest = np.argsort(-activations.max(axis=1), kind="stable")[: max(int(top), 1)]
    windows = [f"{p + 1}: " + " ".join(read.words[p : p + size]) for p in range(n_windows)]
    return FilterResponses(
        words=read.words,
        kernel_size=size,
        windows=windows,
        filters=[int(f) for f in strongest],
        activations=activations[strongest].astype(np.float64),
    )


@dataclass(frozen=True)
class PrefixPredictions:
    """The model's class probabilities after each word: row ``i`` of ``proba`` is its
    prediction from ``words[: i + 1]`` alone, the rest of the sequence padding."""

    words: list[str]
    labels: list[str]
    label_names: tuple[str, ...]
    proba: np.ndarray

    def probabilities_of(self, label: str) -> list[float]:
        """The probability of class ``label`` after each word."""
        return [float(p) for p in self.proba[:, self.label_names.index(label)]]


def prefix_predictions(trained: TrainedClassifier, text: str) -> PrefixPredictions:
    """``trained``'s prediction as the words of ``text`` arrive one by one: one padded row per
    prefix, so a recurrent model's state after word i is what it predicts from."""
    read = read_text(trained, text)
    n = len(read.ids)
    rows = np.full((n, trained.featurizer.settings.sequence_length), PAD, dtype=np.int32)
    for i in range(n):
        rows[i, : i + 1] = read.ids[: i + 1]
    proba = trained.predict_proba_features(rows)
    return PrefixPredictions(read.words, read.labels, tuple(trained.label_names), proba)


def vector_coverage(
    texts: Sequence[str], vectors: Any, features: FeatureSettings | None = None
) -> VectorCoverage:
    """How much of the vocabulary of ``texts`` (the training texts, tokenized as the Embedding
    features do) and of their tokens ``vectors`` (gensim ``KeyedVectors``) cover."""
    settings = features or FeatureSettings(kind="embedding")
    featurizer = fit_featurizer(settings, list(texts))
    return embedding_start(featurizer, texts, vectors).coverage


def probe_steps(settings: ProbeSettings) -> Iterator[ProbeResult]:
    """The word-order probe trained one model at a time, in the order of ``settings.models``:
    yields the result so far after each model (all on the same seeded split)."""
    result = ProbeResult(word_order_split(settings.n_pairs, seed=settings.seed))
    for model in settings.models:
        one = run_word_order_probe(replace(settings, models=(model,)))
        result.rows.extend(one.rows)
        yield result


def probe_examples(result: ProbeResult, n_pairs: int = 4) -> list[dict[str, str]]:
    """The first ``n_pairs`` twin pairs of the probe's test texts, each text with its label and
    each trained network's answer (the same words, so a bag of words answers both alike)."""
    split = result.split
    networks = [row for row in result.rows if row.trained is not None]
    texts = list(split.test_texts[: 2 * n_pairs])
    answers = {row.model: row.trained.predict(texts) for row in networks}
    return [
        {
            "pair": str(i // 2 + 1),
            "text": text,
            "label": split.test_labels[i],
            **{PROBE_MODELS[model]: answers[model][i] for model in answers},
        }
        for i, text in enumerate(texts)
    ]
