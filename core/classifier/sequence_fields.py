"""The Sequence models page's settings, each declared once as a link field, and the
:class:`ClassifierSettings` they make.

The data, split and training fields are the text classifier's own (``settings_fields.FIELDS``),
so both pages choose data and train alike; the fields here add what reads the token ids.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from core.classifier.features import FeatureSettings
from core.classifier.model import SEQUENCE_KINDS, SequenceLayer
from core.classifier.settings_fields import FIELDS as CLASSIFIER_FIELDS
from core.classifier.train import ClassifierSettings
from core.data.links import Field, fields_for_page
from core.nn.networks import DenseLayer, OptimizerSpec

# Kernel sizes as the link writes them: one size, or several parallel branches.
KERNEL_CHOICES = ("2", "3", "4", "5", "2,3", "2,3,4", "3,4,5")
SHARED = (
    "data",
    "split",
    "video",
    "test_share",
    "optimizer",
    "lr",
    "batch",
    "epochs",
    "class_weight",
    "validation",
    "patience",
    "seed",
)
PROPOSED = 0  # the sequence length field's value for "proposed from the data"
# Short names for the choice of model, so the four fit side by side in one control.
KIND_LABELS = {"pooled": "Pooled (order-blind)", "cnn": "Convolution", "lstm": "LSTM", "gru": "GRU"}

FIELDS: dict[str, Field] = {
    **fields_for_page({name: CLASSIFIER_FIELDS[name] for name in SHARED}, "seq_"),
    "model": Field(
        "choice",
        "cnn",
        options=tuple(SEQUENCE_KINDS),
        label="What reads the words",
        widget="segmented_control",
        format=KIND_LABELS,
        key="seq_model_kind",
    ),
    "kernels": Field(
        "choice",
        "2,3,4",
        options=KERNEL_CHOICES,
        label="Kernel sizes (words per window)",
        help="Several sizes run side by side, each with its own filters; their maxima are "
        "joined before the Dense layers.",
    ),
    "filters": Field(
        "choice", 32, options=(8, 16, 32, 64, 128), label="Filters per size", widget="select_slider"
    ),
    "units": Field(
        "choice", 32, options=(8, 16, 32, 64, 128), label="Recurrent units", widget="select_slider"
    ),
    "bidirectional": Field(
        "bool",
        False,
        label="Bidirectional",
        help="A second layer reads the words from the end back to the start; the two final "
        "states are joined.",
    ),
    "length": Field(
        "int",
        PROPOSED,
        0,
        400,
        label="Sequence length (0: proposed from the data)",
        help="Texts are padded or cut to this many tokens. 0 takes the 95th percentile of "
        "the training texts' lengths.",
    ),
    "embedding_dim": replace(CLASSIFIER_FIELDS["embedding_dim"], default=32),
    "freeze": Field(
        "bool",
        False,
        label="Freeze the word vectors",
        help="Keeps the Embedding rows as the word vectors give them; otherwise training "
        "fine-tunes them. Only used when the Embedding starts from word vectors.",
    ),
    "dense": Field("int", 32, 0, 512, label="Dense units after it (0: none)"),
    "dropout": Field("float", 0.3, 0.0, 0.8, label="Dropout", widget="slider", step=0.1),
}


def kernel_sizes(choice: str) -> tuple[int, ...]:
    """``"2,3,4"`` → ``(2, 3, 4)``."""
    return tuple(int(size) for size in str(choice).split(","))


def chosen_length(values: Mapping[str, Any], proposed: int) -> int:
    """The sequence length the page trains with: the field's value, or ``proposed`` for 0."""
    asked = int(values["length"])
    return proposed if asked == PROPOSED else asked


def sequence_layer(values: Mapping[str, Any], frozen: bool = False) -> SequenceLayer:
    """What reads the embedded words, from the link ``values``; ``frozen`` keeps the
    Embedding's rows (for rows that start from word vectors)."""
    kind = values["model"]
    return SequenceLayer(
        kind=kind,
        filters=int(values["filters"]),
        kernel_sizes=kernel_sizes(values["kernels"]) if kind == "cnn" else (3,),
        units=int(values["units"]),
        bidirectional=bool(values["bidirectional"]) and kind in ("lstm", "gru"),
        freeze_embedding=frozen,
    )


def sequence_settings(
    values: Mapping[str, Any], length: int, vector_size: int | None = None
) -> ClassifierSettings:
    """The :class:`ClassifierSettings` of the link ``values`` with sequences of ``length``
    tokens. ``vector_size`` is the size of the word vectors the Embedding starts from (its
    width then), ``None`` for random rows. Raises ``ValueError`` on settings that cannot be
    used (a kernel longer than the sequence, say)."""
    dense = int(values["dense"])
    features = FeatureSettings(
        kind="embedding",
        sequence_length=int(length),
        embedding_dim=int(vector_size or values["embedding_dim"]),
    )
    return ClassifierSettings(
        features=features,
        hidden=(DenseLayer(dense, "relu", dropout=float(values["dropout"])),) if dense else (),
        sequence=sequence_layer(values, frozen=vector_size is not None and bool(values["freeze"])),
        optimizer=OptimizerSpec(values["optimizer"], float(values["lr"])),
        batch_size=int(values["batch"]),
        epochs=int(values["epochs"]),
        class_weight=bool(values["class_weight"]),
        validation_split=float(values["validation"]),
        patience=int(values["patience"]),
        seed=int(values["seed"]),
    )
