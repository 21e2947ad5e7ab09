"""What a classifier report says besides its scores: data, settings, versions and limits.

:func:`data_facts` records where the texts came from (a file or a built-in set, the rows left
out, the groups); :func:`settings_rows` lists a run's settings in words; :func:`package_versions`
the libraries that ran it; :func:`data_limits` says, in sentences, what the data does not cover:
class balance, text lengths, sources, writing systems and vocabulary, and where the test texts
came from. Everything here is plain text; :mod:`core.classifier.html_report` escapes it.
"""

from __future__ import annotations

import platform
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata

import numpy as np

from core.classifier.features import ANALYZERS, FEATURE_KINDS
from core.classifier.splits import TextSplit, group_split_description
from core.classifier.steering import LR_FACTOR, cuts_learning_rate, lr_patience
from core.classifier.train import ClassifierSettings, TrainedClassifier
from core.data.datasets import LabelledText

# The libraries a run depends on, by their names on the package index.
PACKAGES = ("keras", "tensorflow", "scikit-learn", "gensim", "numpy", "pandas", "plotly")
# Writing systems are counted on a sample: a character-by-character pass is slow in Python.
SCRIPT_SAMPLE = 5_000
WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class SourceFacts:
    """One labelled source as read: its name, format, rows kept and rows left out."""

    name: str
    format: str
    rows: int
    skipped: tuple[tuple[int, str], ...] = ()
    warnings: tuple[str, ...] = ()

    @classmethod
    def of(cls, data: LabelledText, name: str | None = None) -> SourceFacts:
        """The facts of ``data``, named ``name`` (a path as given) or by its own source."""
        return cls(
            name or data.source, data.format, len(data), tuple(data.skipped), tuple(data.warnings)
        )


@dataclass(frozen=True)
class DataFacts:
    """Where a run's texts came from: the training source, a separate test source if any, and
    the groups of the training source (the YouTube videos), in file order."""

    train: SourceFacts
    test: SourceFacts | None = None
    groups: tuple[str, ...] = ()
    folds: bool = False  # every group was held out in turn (a repeat over folds)


def data_facts(
    train: LabelledText,
    test: LabelledText | None = None,
    *,
    train_name: str | None = None,
    test_name: str | None = None,
    folds: bool = False,
) -> DataFacts:
    """:class:`DataFacts` of a training source and an optional separate test source."""
    groups = tuple(dict.fromkeys(train.groups)) if train.groups else ()
    return DataFacts(
        SourceFacts.of(train, train_name),
        SourceFacts.of(test, test_name) if test is not None else None,
        groups,
        folds,
    )


def package_versions() -> dict[str, str]:
    """Python's version and each of :data:`PACKAGES`' installed versions (``not installed``)."""
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _ngrams(low_high: tuple[int, int] | None, unit: str) -> str:
    low, high = low_high or (0, 0)
    return f"{unit} {low}-grams" if low == high else f"{unit} {low}- to {high}-grams"


def feature_rows(settings: ClassifierSettings) -> list[tuple[str, str]]:
    """The features' settings that apply to their kind, as (name, value) pairs."""
    features = settings.features
    rows = [("Features", FEATURE_KINDS[features.kind])]
    if features.input_kind == "sparse":
        terms = [
            _ngrams(features.word_ngrams, "word") if features.word_ngrams else "",
            _ngrams(features.char_ngrams, "character") if features.char_ngrams else "",
        ]
        rows += [
            ("Terms", f"{ANALYZERS[features.analyzer]}: " + " and ".join(filter(None, terms))),
            ("Most terms kept", f"{features.max_features:,}"),
            ("Least documents per term", f"{features.min_df:,}"),
            ("Sublinear term frequency", "yes" if features.sublinear_tf else "no"),
        ]
    elif features.kind == "word2vec":
        w2v = features.word2vec
        rows += [
            ("Word vectors", f"{w2v.vector_size} dimensions, min count {w2v.min_count}"),
            ("word2vec epochs", str(w2v.epochs)),
        ]
    else:
        rows += [
            ("Embedding", f"{features.embedding_dim} dimensions"),
            ("Words per text", f"first {features.sequence_length}"),
            ("Vocabulary", f"{features.max_tokens:,} ids, padding and unknown included"),
        ]
    text = features.text
    rows.append(
        (
            "Tokens",
            f"{text.tokenizer} tokenizer, {'lower-cased' if text.lowercase else 'case kept'}, "
            f"stop words {'removed' if text.remove_stop_words else 'kept'}, "
            f"stemmer {text.stemmer}",
        )
    )
    return rows


def rate_cut(settings: ClassifierSettings) -> str:
    """How the learning rate was cut during training, in words."""
    if not settings.validation_split:
        return "none (no validation share)"
    if not cuts_learning_rate(settings.features.input_kind):
        return "none (only sparse term features have one)"
    epochs = lr_patience(settings.patience)
    return f"×{LR_FACTOR} after {epochs} epoch(s) of stalled validation loss"


def settings_rows(trained: TrainedClassifier, kept_epoch: int | None) -> list[tuple[str, str]]:
    """A run's settings in words, as (name, value) pairs: features, network, training."""
    settings = trained.settings
    layers = "; ".join(
        f"{layer.units} {layer.activation}"
        + (f", dropout {layer.dropout:g}" if layer.dropout else "")
        + (f", L2 {layer.l2:g}" if layer.l2 else "")
        for layer in settings.hidden
    )
    record = trained.record
    return [
        *feature_rows(settings),
        ("Inputs", f"{trained.net.input_dim:,} ({trained.featurizer.input_kind})"),
        ("Hidden layers", layers or "none"),
        (
            "Optimizer",
            f"{settings.optimizer.name}, learning rate {settings.optimizer.learning_rate:g}",
        ),
        ("Batch size", str(settings.batch_size)),
        ("Epochs", f"at most {settings.epochs}; {record.epochs_done} ran"),
        ("Weights kept", f"epoch {kept_epoch}" if kept_epoch else "the last epoch's"),
        ("Validation share", f"{settings.validation_split:.0%} of the training texts"),
        ("Early-stopping patience", f"{settings.patience} epochs"),
        ("Learning-rate cut", rate_cut(settings)),
        ("Class weights", "balanced" if settings.class_weight else "none"),
        ("Retrained on all training texts", "yes" if settings.refit else "no"),
        ("Mixed precision", "yes" if settings.mixed_precision else "no"),
        ("Seed", str(settings.seed)),
        ("Device", record.device or "not recorded"),
    ]


def class_shares(labels: Sequence[str], names: Sequence[str]) -> dict[str, float]:
    """Each class's share of ``labels``, in ``names`` order."""
    counts = Counter(labels)
    total = max(len(labels), 1)
    return {name: counts.get(name, 0) / total for name in names}


def word_counts(texts: Sequence[str]) -> np.ndarray:
    """Words (runs of letters and digits) in each text."""
    return np.array([len(WORD.findall(text)) for text in texts], dtype=np.int64)


def writing_systems(texts: Sequence[str], sample: int = SCRIPT_SAMPLE) -> dict[str, float]:
    """Each writing system's share of the letters in the first ``sample`` texts, largest first:
    ``{"LATIN": 0.98, "CYRILLIC": 0.02}`` (the first word of each letter's Unicode name)."""
    counts: Counter[str] = Counter()
    for text in texts[:sample]:
        for char in text:
            if char.isalpha():
                counts[unicodedata.name(char, "UNKNOWN").split(" ")[0]] += 1
    total = sum(counts.values()) or 1
    return {script: n / total for script, n in counts.most_common()}


def unseen_word_share(train_texts: Sequence[str], test_texts: Sequence[str]) -> float:
    """The share of the test texts' words (lower-cased) that no training text holds."""
    seen = {word for text in train_texts for word in WORD.findall(text.lower())}
    test_words = [word for text in test_texts for word in WORD.findall(text.lower())]
    if not test_words:
        return 0.0
    return sum(word not in seen for word in test_words) / len(test_words)


def _balance_limit(split: TextSplit) -> str:
    train = class_shares(split.train_labels, split.label_names)
    test = class_shares(split.test_labels, split.label_names)
    listed = ", ".join(f"{name} {share:.0%}" for name, share in train.items())
    rarest = min(train, key=train.get)
    sentence = (
        f"Class balance: the training texts are {listed}; the rarest class, {rarest}, is "
        f"{train[rarest]:.0%}. Precision and PR-AUC depend on these shares: where the classes "
        "come in other proportions, they change."
    )
    moved = max(abs(train[name] - test[name]) for name in split.label_names)
    if moved >= 0.05:
        sentence += (
            " The test texts are balanced differently ("
            + ", ".join(f"{name} {share:.0%}" for name, share in test.items())
            + ")."
        )
    return sentence


def _length_limit(split: TextSplit) -> str:
    words = word_counts(split.train_texts)
    low, median, high = int(words.min()), int(np.median(words)), int(words.max())
    p95 = int(np.percentile(words, 95))
    return (
        f"Text lengths seen: {low} to {high:,} words per training text, median {median}, "
        f"95% at most {p95:,}. Texts much longer or shorter than these were not seen in training."
    )


def _source_limit(facts: DataFacts) -> str:
    if facts.groups:
        listed = ", ".join(facts.groups)
        return (
            f"Sources: the texts come from {len(facts.groups)} groups ({listed}). Texts from "
            "other sources (other videos, sites, years) may use other words and be scored worse."
        )
    return (
        f"Sources: the texts come from one source ({facts.train.name}) with no groups recorded, "
        "so how the scores hold on texts from elsewhere is not measured."
    )


def _test_source_limit(split: TextSplit, facts: DataFacts) -> str:
    if facts.test is not None:
        return (
            f"Test texts: a separate file ({facts.test.name}), so the scores are measured on "
            "texts the training file did not hold."
        )
    if facts.folds:
        return (
            "Test texts: each group was held out in turn; every score is on a group the model "
            "did not train on."
        )
    held = [g for g in facts.groups if split.description == group_split_description(g)]
    if held:
        return (
            f"Test texts: the held-out group {held[0]}, which the model did not train on; it is "
            "still from the same collection as the training texts."
        )
    return (
        "Test texts: a random share of the same source as the training texts, so the scores "
        "say how the model does on more texts like these, not on texts from elsewhere."
    )


def _vocabulary_limit(split: TextSplit, trained: TrainedClassifier) -> str:
    scripts = writing_systems(split.train_texts)
    shown = ", ".join(
        f"{name.title()} {share:.0%}" if share >= 0.01 else f"{name.title()} under 1%"
        for name, share in list(scripts.items())[:4]
    )
    sample = (
        f" (in the first {SCRIPT_SAMPLE:,} texts)" if len(split.train_texts) > SCRIPT_SAMPLE else ""
    )
    unseen = unseen_word_share(split.train_texts, split.test_texts)
    return (
        f"Languages and vocabulary: the letters are {shown or 'none'}{sample}; languages were "
        f"not checked. The features hold {len(trained.featurizer.vocabulary):,} terms; "
        f"{unseen:.1%} of the test texts' words never occur in a training text."
    )


def _size_limit(split: TextSplit, accuracy: float) -> str:
    n = len(split.test_texts)
    error = float(np.sqrt(max(accuracy * (1 - accuracy), 0.0) / n)) if np.isfinite(accuracy) else 0
    return (
        f"Test size: {n:,} test texts, so an accuracy of {accuracy:.3f} has a standard error of "
        f"about {error:.3f}; smaller differences between models are within chance."
    )


def data_limits(
    split: TextSplit,
    facts: DataFacts,
    trained: TrainedClassifier,
    accuracy: float,
    repeated: bool = False,
) -> list[str]:
    """What the data does not cover, one sentence each: class balance, text lengths, sources,
    where the test texts came from, writing systems and vocabulary, the test set's size, and
    (unless ``repeated``) that the scores are one run's."""
    limits = [
        _balance_limit(split),
        _length_limit(split),
        _source_limit(facts),
        _test_source_limit(split, facts),
        _vocabulary_limit(split, trained),
        _size_limit(split, accuracy),
    ]
    if not repeated:
        limits.append(
            "One run: the network trained once, with one seed; its score moves from seed to "
            "seed. Repeat over seeds (the page's Repeat setting, or --seeds) to see the spread."
        )
    return limits
