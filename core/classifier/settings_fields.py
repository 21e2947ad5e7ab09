"""The classifier page's settings, each declared once as a link field, and the settings they make.

A field holds a setting's default, range and widget (``core.data.links.Field``); the page draws
every widget from these declarations and the address bar carries their values, so a new setting
is one line here plus its use in :func:`classifier_settings`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.classifier.features import ANALYZERS, FEATURE_KINDS, feature_settings_for
from core.classifier.train import ClassifierSettings
from core.data.datasets import YOUTUBE_VIDEOS
from core.data.links import Field
from core.nn.fields import activation_field, batch_size_field, learning_rate_field, optimizer_field
from core.nn.networks import DenseLayer, OptimizerSpec

DATASETS = ["YouTube Spam Collection", "Pang & Lee movie reviews (gensim)", "Upload a file"]
MAX_LAYERS = 3
L2_OPTIONS = (0.0, 1e-5, 1e-4, 3e-4, 1e-3, 1e-2)

_DEFAULTS = ClassifierSettings()
DATA_CODES = dict(zip(("youtube", "pang_lee", "upload"), DATASETS, strict=True))
SPLITS = {
    "one video": "One video, held out (train on the other four)",
    "a random share": "A random stratified share",
}
# Every setting travels in the page's address, so a copied link opens the same experiment.
FIELDS = {
    "data": Field(
        "choice",
        "youtube",
        options=tuple(DATA_CODES),
        label="Data",
        widget="radio",
        horizontal=True,
        widget_values=DATA_CODES,
        key="clf_dataset",
    ),
    "split": Field(
        "choice",
        "one video",
        options=tuple(SPLITS),
        label="Test on",
        widget="radio",
        format=SPLITS,
        key="clf_split_kind",
    ),
    "video": Field("choice", "Shakira", options=tuple(YOUTUBE_VIDEOS), label="Held-out video"),
    "every_video": Field(
        "bool",
        False,
        label="Every video as the test set, in turn",
        help="Repeats the comparison five times, holding each video out once, and reports "
        "each model's mean ± standard deviation over them.",
    ),
    "test_share": Field("float", 0.25, 0.1, 0.5, label="Test share", widget="slider", step=0.05),
    "features": Field(
        "choice",
        _DEFAULTS.features.kind,
        options=tuple(FEATURE_KINDS),
        label="Features",
        widget="segmented_control",
        format=FEATURE_KINDS,
        key="clf_kind",
    ),
    "analyzer": Field(
        "choice",
        _DEFAULTS.features.analyzer,
        options=tuple(ANALYZERS),
        label="Terms",
        widget="radio",
        format=ANALYZERS,
        horizontal=True,
    ),
    "ngram": Field("int", 2, 1, 5, label="Longest n-gram (words or characters)", widget="slider"),
    "max_features": Field(
        "choice",
        50_000,
        options=(1_000, 5_000, 20_000, 50_000, 200_000),
        label="Vocabulary cap",
        widget="select_slider",
        key="clf_max",
    ),
    "min_df": Field("int", 1, 1, 100, label="Ignore terms in fewer texts than"),
    "embedding_dim": Field(
        "choice",
        64,
        options=(8, 16, 32, 64, 128),
        label="Embedding size",
        widget="select_slider",
    ),
    "sequence_length": Field(
        "choice",
        64,
        options=(16, 32, 64, 128, 256),
        label="Words read per text",
        widget="select_slider",
    ),
    "layers": Field("int", 1, 0, MAX_LAYERS, label="Hidden layers", widget="slider"),
    **{f"units_{i}": Field("int", 64, 1, 1024, label="Units") for i in range(1, MAX_LAYERS + 1)},
    **{f"act_{i}": activation_field() for i in range(1, MAX_LAYERS + 1)},
    **{
        f"drop_{i}": Field("float", 0.5, 0.0, 0.8, label="Dropout", widget="slider", step=0.1)
        for i in range(1, MAX_LAYERS + 1)
    },
    **{
        f"l2_{i}": Field(
            "choice",
            _DEFAULTS.hidden[0].l2,
            options=L2_OPTIONS,
            label="L2 penalty",
            widget="select_slider",
            format="{:g}".format,
            help="Adds this factor times the sum of the layer's squared weights to the loss. "
            "On thousands of TF-IDF features it keeps the network to a few strong terms, "
            "as a linear SVM does; 0 turns it off.",
        )
        for i in range(1, MAX_LAYERS + 1)
    },
    "optimizer": optimizer_field(key="clf_opt"),
    "lr": learning_rate_field(0.001, 0.0001, 0.1),
    "batch": batch_size_field(_DEFAULTS.batch_size, 8, 256),
    "epochs": Field("int", _DEFAULTS.epochs, 1, 300, label="Epochs (at most)"),
    "class_weight": Field("bool", _DEFAULTS.class_weight, label="Weigh classes by rarity"),
    "validation": Field(
        "float",
        _DEFAULTS.validation_split,
        0.0,
        0.4,
        label="Validation share (early stopping)",
        widget="slider",
        step=0.05,
    ),
    "patience": Field("int", _DEFAULTS.patience, 1, 50, label="Patience (epochs)"),
    "seed": Field("int", _DEFAULTS.seed, 0, 10_000, label="Seed"),
    "repeats": Field(
        "int",
        1,
        1,
        10,
        label="Repeat over seeds",
        help="Train and compare this many times, with the seed above and the next ones, and "
        "report mean ± standard deviation: a single run's winner may be the seed's doing.",
    ),
    "refit": Field(
        "bool",
        _DEFAULTS.refit,
        label="Retrain on all texts",
        help="Early stopping picks the epoch on the validation share; then a fresh network "
        "trains on every training text for that many epochs, as the baselines do.",
    ),
    "mixed": Field(
        "bool",
        False,
        label="Mixed precision (GPU)",
        help="Computes the hidden layers in float16. It pays off on GPUs with tensor cores; "
        "on a CPU it only slows training down.",
    ),
}


def classifier_settings(values: Mapping[str, Any]) -> ClassifierSettings:
    """The :class:`ClassifierSettings` that the values of :data:`FIELDS` describe.

    Only the features of the chosen kind and the first ``layers`` hidden layers are used; the
    rest of the values are kept in the link but ignored. Raises ``ValueError`` on settings that
    cannot be used.
    """
    n_layers = int(values["layers"])
    return ClassifierSettings(
        features=feature_settings_for(
            values["features"],
            analyzer=values["analyzer"],
            longest_ngram=int(values["ngram"]),
            max_features=int(values["max_features"]),
            min_df=int(values["min_df"]),
            embedding_dim=int(values["embedding_dim"]),
            sequence_length=int(values["sequence_length"]),
        ),
        hidden=tuple(
            DenseLayer(
                int(values[f"units_{i}"]),
                values[f"act_{i}"],
                dropout=float(values[f"drop_{i}"]),
                l2=float(values[f"l2_{i}"]),
            )
            for i in range(1, n_layers + 1)
        ),
        optimizer=OptimizerSpec(values["optimizer"], float(values["lr"])),
        batch_size=int(values["batch"]),
        epochs=int(values["epochs"]),
        class_weight=bool(values["class_weight"]),
        validation_split=float(values["validation"]),
        patience=int(values["patience"]),
        seed=int(values["seed"]),
        mixed_precision=bool(values["mixed"]),
        refit=bool(values["refit"]),
    )


def repeat_seeds(values: Mapping[str, Any]) -> tuple[int, ...]:
    """The seeds a repeat over ``values["repeats"]`` seeds uses: the chosen seed and the next
    ones (one seed, the chosen one, for a single run)."""
    first = int(values["seed"])
    return tuple(range(first, first + int(values["repeats"])))
