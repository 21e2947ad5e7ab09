"""The word-order probe: texts a bag of words cannot classify, by construction.

Each text praises or pans with a negation: "... not bad ... good ..." is positive, and its twin
"... not good ... bad ..." is negative. The twins hold exactly the same words, so any model that
sees a text as a bag of single words gives both the same answer and gets one of them wrong: on
a test set of whole pairs it scores 50%. Convolutions over neighbouring words and recurrent
layers see which word follows "not". Word bigrams would see it too; the probe's bag of words
is one of single words, as the talk's is.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from core.classifier.features import FeatureSettings
from core.classifier.model import SequenceLayer
from core.classifier.splits import TextSplit
from core.classifier.train import ClassifierSettings, TrainedClassifier, train_classifier
from core.nn.networks import DenseLayer, OptimizerSpec
from core.text.analysis import TextSettings

POSITIVE_WORDS = ("good", "great", "fine", "nice", "funny", "clever")
NEGATIVE_WORDS = ("bad", "awful", "dull", "poor", "boring", "silly")
FILLER_WORDS = (
    "the", "film", "was", "and", "plot", "really", "it", "actors", "music", "story",
    "quite", "so", "i", "think", "overall", "ending", "very", "this", "script", "felt",
)  # fmt: skip
LABELS = ("negative", "positive")
PROBE_LENGTH = 16  # the longest text: 6 fillers, "not", two adjectives… fits with room

PROBE_MODELS: dict[str, str] = {
    "bow": "Bag-of-words network (Dense)",
    "logistic": "Logistic regression on a bag of words",
    "pooled": "Pooled embeddings (order-blind)",
    "cnn": "Convolution (Conv1D)",
    "lstm": "LSTM",
    "gru": "GRU",
}
ORDER_AWARE = ("cnn", "lstm", "gru")


def twin_texts(rng: np.random.Generator) -> tuple[str, str]:
    """One pair of twins, (positive text, negative text), with the same multiset of words.

    The positive one negates a negative word and states a positive one ("not bad … good");
    its twin swaps the two adjectives. Fillers and which phrase comes first are random.
    """
    good = str(rng.choice(POSITIVE_WORDS))
    bad = str(rng.choice(NEGATIVE_WORDS))
    fillers = [str(w) for w in rng.choice(FILLER_WORDS, size=int(rng.integers(2, 7)))]
    cuts = sorted(int(c) for c in rng.integers(0, len(fillers) + 1, size=2))
    parts = fillers[: cuts[0]], fillers[cuts[0] : cuts[1]], fillers[cuts[1] :]
    negated_first = bool(rng.integers(0, 2))

    def text(negated: str, stated: str) -> str:
        first, second = (["not", negated], [stated])
        if not negated_first:
            first, second = second, first
        return " ".join([*parts[0], *first, *parts[1], *second, *parts[2]])

    return text(bad, good), text(good, bad)


def word_order_split(n_pairs: int = 300, test_share: float = 0.25, seed: int = 0) -> TextSplit:
    """A :class:`TextSplit` of ``n_pairs`` twin pairs; whole pairs go to the test side, so a
    bag of words scores exactly 50% there."""
    if n_pairs < 8 or not 0.0 < test_share < 1.0:
        raise ValueError("the probe needs at least 8 pairs and a test share between 0 and 1")
    rng = np.random.default_rng(seed)
    pairs = [twin_texts(rng) for _ in range(n_pairs)]
    n_test = max(2, round(test_share * n_pairs))
    sides: list[tuple[list[str], list[str]]] = [([], []), ([], [])]
    for i, (positive, negative) in enumerate(pairs):
        texts, labels = sides[1] if i < n_test else sides[0]
        texts += [positive, negative]
        labels += ["positive", "negative"]
    (train_texts, train_labels), (test_texts, test_labels) = sides
    return TextSplit(
        tuple(train_texts),
        tuple(train_labels),
        tuple(test_texts),
        tuple(test_labels),
        LABELS,
        f"word-order probe: {n_pairs - n_test} training pairs, {n_test} test pairs",
    )


@dataclass(frozen=True)
class ProbeSettings:
    """How the probe runs: its data size and seed, the models, and their training."""

    n_pairs: int = 300
    seed: int = 0
    models: tuple[str, ...] = ("bow", "logistic", "pooled", "cnn", "lstm")
    epochs: int = 25
    embedding_dim: int = 16
    learning_rate: float = 0.01

    def __post_init__(self) -> None:
        unknown = [m for m in self.models if m not in PROBE_MODELS]
        if unknown or not self.models:
            raise ValueError(f"probe models must be among {list(PROBE_MODELS)}, not {unknown}")


@dataclass
class ProbeRow:
    """One model's test accuracy on the probe, and the network when it is one."""

    model: str
    accuracy: float
    seconds: float
    trained: TrainedClassifier | None = None

    @property
    def name(self) -> str:
        return PROBE_MODELS[self.model]

    @property
    def order_aware(self) -> bool:
        return self.model in ORDER_AWARE


@dataclass
class ProbeResult:
    """The probe's split and each model's row, in the order asked."""

    split: TextSplit
    rows: list[ProbeRow] = field(default_factory=list)

    def accuracy(self, model: str) -> float:
        return next(row.accuracy for row in self.rows if row.model == model)

    def table(self) -> list[dict[str, object]]:
        """Rows for display: model, whether it sees word order, test accuracy, seconds."""
        return [
            {
                "model": row.name,
                "sees word order": row.order_aware,
                "test accuracy": round(row.accuracy, 3),
                "seconds": round(row.seconds, 1),
            }
            for row in self.rows
        ]


def probe_classifier_settings(model: str, settings: ProbeSettings) -> ClassifierSettings:
    """The classifier settings the probe trains ``model`` (not ``logistic``) with: single
    words for the bag of words, token ids of length :data:`PROBE_LENGTH` for the others."""
    common = {
        "hidden": (DenseLayer(16, "relu"),),
        "optimizer": OptimizerSpec("adam", settings.learning_rate),
        "epochs": settings.epochs,
        "patience": 5,
        "seed": settings.seed,
    }
    if model == "bow":
        features = FeatureSettings(kind="bow", analyzer="word", ngram_range=(1, 1))
        return ClassifierSettings(features=features, **common)
    features = FeatureSettings(
        kind="embedding", sequence_length=PROBE_LENGTH, embedding_dim=settings.embedding_dim
    )
    layer = {
        "pooled": SequenceLayer(),
        "cnn": SequenceLayer("cnn", filters=16, kernel_sizes=(2,)),
        "lstm": SequenceLayer("lstm", units=16),
        "gru": SequenceLayer("gru", units=16),
    }[model]
    return ClassifierSettings(features=features, sequence=layer, **common)


def logistic_accuracy(split: TextSplit, seed: int = 0) -> float:
    """Test accuracy of scikit-learn's logistic regression on counts of single words."""
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

    from core.text.analysis import build_analyzer

    vectorizer = CountVectorizer(analyzer=build_analyzer(TextSettings()))
    x_train = vectorizer.fit_transform(split.train_texts)
    model = LogisticRegression(max_iter=1_000, random_state=seed)
    model.fit(x_train, split.y_train)
    predicted = model.predict(vectorizer.transform(split.test_texts))
    return float((predicted == split.y_test).mean())


def run_word_order_probe(settings: ProbeSettings = ProbeSettings()) -> ProbeResult:
    """Train every model of ``settings`` on the probe's training pairs and measure its test
    accuracy. Bag-of-words models stay at 50% by construction; the order-aware ones should not."""
    split = word_order_split(settings.n_pairs, seed=settings.seed)
    result = ProbeResult(split)
    for model in settings.models:
        started = time.perf_counter()
        if model == "logistic":
            accuracy, trained = logistic_accuracy(split, settings.seed), None
        else:
            trained = train_classifier(split, probe_classifier_settings(model, settings))
            predicted = trained.predict_proba(split.test_texts).argmax(axis=1)
            accuracy = float((predicted == split.y_test).mean())
        result.rows.append(ProbeRow(model, accuracy, time.perf_counter() - started, trained))
    return result
