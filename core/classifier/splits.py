"""Train and test splits of labelled text: by group (leave one video out) or stratified at random."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.data.datasets import LabelledText
from core.data.export import escape_cell
from core.errors import DataError

# Labels taken as "the positive class" of a binary problem, so metrics such as recall are about it.
POSITIVE_LABELS = ("spam", "pos", "positive", "1", "true", "yes", "toxic", "relevant")


def label_order(labels: Sequence[str]) -> tuple[str, ...]:
    """The class names in a fixed order: sorted, except that in a binary problem a familiar
    positive label (``spam``, ``pos``, ``1``…) comes last, so it is class 1."""
    names = sorted(set(labels))
    if len(names) == 2:
        positive = [n for n in names if n.strip().lower() in POSITIVE_LABELS]
        if len(positive) == 1:
            names.remove(positive[0])
            names.append(positive[0])
    return tuple(names)


@dataclass(frozen=True)
class TextSplit:
    """Training and test texts with their labels; ``label_names[i]`` is class ``i``."""

    train_texts: tuple[str, ...]
    train_labels: tuple[str, ...]
    test_texts: tuple[str, ...]
    test_labels: tuple[str, ...]
    label_names: tuple[str, ...]
    description: str

    def __post_init__(self) -> None:
        unknown = (set(self.train_labels) | set(self.test_labels)) - set(self.label_names)
        if unknown:
            raise DataError(f"Labels {sorted(unknown)} are not among the classes.")
        if not self.train_texts or not self.test_texts:
            raise DataError(
                "The split left no training or no test texts.",
                "Use a larger file or a different test share.",
            )

    @property
    def n_classes(self) -> int:
        return len(self.label_names)

    @property
    def binary(self) -> bool:
        return self.n_classes == 2

    def encode(self, labels: Sequence[str]) -> np.ndarray:
        index = {name: i for i, name in enumerate(self.label_names)}
        return np.array([index[label] for label in labels], dtype=np.int32)

    @property
    def y_train(self) -> np.ndarray:
        return self.encode(self.train_labels)

    @property
    def y_test(self) -> np.ndarray:
        return self.encode(self.test_labels)


def split_summary(split: TextSplit) -> str:
    """One line for display: how many training and test texts, how they were split, and the
    training texts per class, most first. Labels come from users' files, so each is escaped
    like a spreadsheet cell (:func:`core.data.export.escape_cell`)."""
    import pandas as pd

    counts = pd.Series(split.train_labels).value_counts()
    classes = ", ".join(f"{escape_cell(label)} {n:,}" for label, n in counts.items())
    return (
        f"{len(split.train_texts):,} training and {len(split.test_texts):,} test texts "
        f"({split.description}). Training classes: {classes}"
    )


def group_split_description(test_group: str) -> str:
    """How :func:`split_by_group` describes a split that tests on ``test_group``."""
    return f"trained on every group but {test_group}, tested on it"


def share_split_description(test_size: float) -> str:
    """How :func:`stratified_split` describes a split that tests on a ``test_size`` share."""
    return f"random stratified split, {test_size:.0%} for test"


def split_by_group(data: LabelledText, test_group: str) -> TextSplit:
    """Train on every group but ``test_group`` (a YouTube video, say) and test on it."""
    if not data.groups:
        raise DataError("These texts have no groups to hold out.", "Use a random split instead.")
    if test_group not in data.groups:
        raise DataError(
            f"No texts from {test_group!r}.", f"Pick one of {sorted(set(data.groups))}."
        )
    train = [i for i, g in enumerate(data.groups) if g != test_group]
    test = [i for i, g in enumerate(data.groups) if g == test_group]
    return _split(data, train, test, group_split_description(test_group))


def leave_one_group_out(data: LabelledText) -> list[TextSplit]:
    """One split per group, each holding that group out (5 folds on the YouTube set)."""
    return [split_by_group(data, group) for group in dict.fromkeys(data.groups)]


def stratified_split(data: LabelledText, test_size: float = 0.25, seed: int = 0) -> TextSplit:
    """A random split that keeps each class's share the same in training and test."""
    from sklearn.model_selection import train_test_split

    if not 0.05 <= test_size <= 0.5:
        raise ValueError(f"test_size must be from 0.05 to 0.5, got {test_size!r}.")
    counts = Counter(data.labels)
    rare = [label for label, n in counts.items() if n < 2]
    if rare:
        raise DataError(
            f"Classes {rare} have a single text, so they cannot be in both training and test.",
            "Remove those rows or add more examples of them.",
        )
    indices = np.arange(len(data.texts))
    n_test = max(math.ceil(test_size * len(indices)), len(counts))
    train, test = train_test_split(
        indices, test_size=n_test, random_state=seed, stratify=list(data.labels)
    )
    return _split(data, sorted(train), sorted(test), share_split_description(test_size))


def _split(data: LabelledText, train: list[int], test: list[int], description: str) -> TextSplit:
    return TextSplit(
        train_texts=tuple(data.texts[i] for i in train),
        train_labels=tuple(data.labels[i] for i in train),
        test_texts=tuple(data.texts[i] for i in test),
        test_labels=tuple(data.labels[i] for i in test),
        label_names=label_order(data.labels),
        description=description,
    )
