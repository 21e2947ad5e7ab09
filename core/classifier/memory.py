"""Giving freed memory back to the operating system between the large phases of a run.

After the baselines' fold copies and the chunked feature transforms are freed, glibc's allocator
keeps much of that memory in its heap (arrays under its mmap threshold, which grows to 32 MB
after the first large frees), so the process's resident size stays up while TensorFlow is
imported and the network trains. :func:`release_freed_memory` collects garbage and asks glibc to
return free heap pages; elsewhere (macOS, musl) it only collects garbage.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from functools import cache


@cache
def _libc():
    """glibc, or ``None`` where there is no ``malloc_trim`` to call."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None


def trim_heap() -> bool:
    """Return free heap memory to the system (glibc's ``malloc_trim(0)``), without collecting
    garbage: cheap enough to call after each chunk of a long copy. ``True`` when glibc gave
    memory back, ``False`` when it had none to give or is absent."""
    libc = _libc()
    return bool(libc.malloc_trim(0)) if libc is not None else False


def release_freed_memory() -> bool:
    """Collect garbage, then :func:`trim_heap`; what that returns."""
    gc.collect()
    return trim_heap()
