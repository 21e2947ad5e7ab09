"""Memory of the server process: what it holds now, what a job is expected to add, and bounded
stores that drop their oldest entries.

The estimate is deliberately simple and on the high side (see :func:`memory_estimate_mb`): the
pool only needs it to hold a job back when the server is already close to its budget.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, MutableMapping
from typing import Any

MB = 1024 * 1024

# What any job adds before its data counts: a thread, a Keras model's graph and its compiled
# training step, the history of its curves. Measured at about 40 to 60 MB for the lab's small
# networks; rounded up.
JOB_BASE_MB = 80.0

# How many copies of its data a training holds at once: the array it was given, the tensors
# Keras makes of it, and a shuffled batch order's copy.
DATA_COPIES = 3

# Per weight: the weight, its gradient, and Adam's two moments.
WEIGHT_COPIES = 4

# Sparse text features: each character of a text starts at most this many word and character
# n-grams (character 2- to 5-grams and the word it is in), each kept as a value and an index.
NGRAMS_PER_CHARACTER = 5


def memory_estimate_mb(data_values: int = 0, weights: int = 0, bytes_per_value: int = 4) -> float:
    """A conservative estimate, in MB, of what one job adds to the server's memory.

    ``data_values`` counts the numbers of its inputs (rows × columns of a dense matrix, stored
    values of a sparse one), ``weights`` the network's parameters, ``bytes_per_value`` their
    size (4 for float32). The formula: ``JOB_BASE_MB + data_values × bytes × DATA_COPIES +
    weights × bytes × WEIGHT_COPIES``.
    """
    if data_values < 0 or weights < 0:
        raise ValueError("data_values and weights must not be negative")
    data = data_values * bytes_per_value * DATA_COPIES
    model = weights * bytes_per_value * WEIGHT_COPIES
    return JOB_BASE_MB + (data + model) / MB


def text_training_estimate_mb(texts: Iterable[str], input_width: int, first_units: int) -> float:
    """:func:`memory_estimate_mb` of a text classifier's training: its sparse features (two
    numbers for each of ``NGRAMS_PER_CHARACTER`` n-grams a character of ``texts`` can start)
    and its first layer (``input_width`` features × ``first_units``), the largest by far."""
    characters = sum(len(text) for text in texts)
    return memory_estimate_mb(
        data_values=characters * NGRAMS_PER_CHARACTER * 2, weights=input_width * first_units
    )


def current_rss_mb(statm: str = "/proc/self/statm") -> float:
    """The resident memory of this process in MB, read from ``/proc`` (Linux); 0.0 where it
    cannot be read, so that a pool on another system admits by slots alone."""
    try:
        with open(statm) as file:
            resident_pages = int(file.read().split()[1])
    except (OSError, ValueError, IndexError):
        return 0.0
    return resident_pages * os.sysconf("SC_PAGE_SIZE") / MB


def drop_oldest(
    store: MutableMapping[Any, Any] | list,
    limit: int,
    keep: Callable[[Any], bool] = lambda entry: False,
) -> list:
    """Drop the oldest entries of ``store`` (a dict in insertion order, or a list oldest first)
    until at most ``limit`` remain, and return the dropped entries (values of a dict), oldest
    first. Entries for which ``keep(entry)`` is true (a run still training) are never dropped,
    so the store may stay above ``limit`` while they last."""
    if limit < 0:
        raise ValueError("limit must not be negative")
    dropped: list = []
    if isinstance(store, list):
        excess = len(store) - limit
        kept = []
        for entry in store:
            # By position, not equality: two equal records are still two entries.
            if len(dropped) < excess and not keep(entry):
                dropped.append(entry)
            else:
                kept.append(entry)
        store[:] = kept
        return dropped
    for key in list(store):
        if len(store) <= limit:
            break
        if not keep(store[key]):
            dropped.append(store.pop(key))
    return dropped
