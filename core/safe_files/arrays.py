"""Numpy ``.npz`` and ``.npy`` arrays read without pickles, each header checked before its data.

An ``.npz`` is a zip of ``.npy`` members, so it goes through the hardened zip reader first; each
``.npy`` header must then give the expected dtype (never ``object``) and shape, and a data size
that matches the bytes that follow. Arrays are loaded with ``allow_pickle=False``.
"""

from __future__ import annotations

import io
import math

import numpy as np

from core.errors import DataError
from core.safe_files.zips import ZipRules, read_zip_members

# (shape, or None for any shape; dtype) of each array, by key.
ArraySpecs = dict[str, tuple[tuple[int, ...] | None, str]]


def read_npz(
    raw: bytes,
    what: str,
    expected: ArraySpecs,
    rules: ZipRules,
    labels: dict[str, str] | None = None,
) -> dict[str, np.ndarray]:
    """The arrays of an ``.npz`` (itself a zip) by key, each checked against
    ``expected[key] = (shape or None for any, dtype)`` from its ``.npy`` header *before* its
    data is read. Loaded with ``allow_pickle=False``. ``labels[key]`` names an array in
    messages (``"the kernel of layer 'dense_1'"``); ``rules`` word the refusals."""
    members = read_zip_members(raw, what, rules, required=tuple(f"{key}.npy" for key in expected))
    arrays = {}
    for key, (shape, dtype) in expected.items():
        payload = members[f"{key}.npy"]
        label = (labels or {}).get(key)
        where = f"{what}: {key}" + (f" ({label})" if label else "")
        check_npy_header(payload, where, shape, dtype, rules.changed_hint)
        arrays[key] = np.load(io.BytesIO(payload), allow_pickle=False)
    return arrays


def check_npy_header(
    payload: bytes, where: str, shape: tuple[int, ...] | None, dtype: str, hint: str
) -> tuple[int, ...]:
    """The shape an ``.npy`` payload's header declares, after checking its version, its dtype
    (``dtype``, never ``object``), its shape (when ``shape`` is given) and that the data after
    the header is exactly the declared size. Raises :class:`DataError` with ``hint``."""
    from numpy.lib import format as npy

    stream = io.BytesIO(payload)
    major, _ = npy.read_magic(stream)
    if major == 1:
        found_shape, _, found_dtype = npy.read_array_header_1_0(stream)
    elif major in (2, 3):
        found_shape, _, found_dtype = npy.read_array_header_2_0(stream)
    else:
        raise DataError(f"{where} has an unknown .npy version {major}.", hint)
    if found_dtype.hasobject or found_dtype != np.dtype(dtype):
        raise DataError(f"{where} holds {found_dtype} values; expected {dtype}.", hint)
    if shape is not None and tuple(found_shape) != tuple(shape):
        raise DataError(f"{where} has shape {tuple(found_shape)}; expected {tuple(shape)}.", hint)
    size = math.prod(found_shape) * found_dtype.itemsize
    if size != len(payload) - stream.tell():
        raise DataError(
            f"{where} holds {len(payload) - stream.tell():,} bytes of data; its "
            f"header says {size:,}.",
            hint,
        )
    return tuple(found_shape)
