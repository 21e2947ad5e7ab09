"""Files never opened: pickles, HDF5, Keras archives and numpy arrays, told by bytes or by name.

One table says what each kind is, why opening it is unsafe, its first bytes and its file-name
suffixes. Each caller (bundle import, word-vector loading) says which kinds it refuses, whether
by first bytes, by name or by either, in which order, and how the refusal is worded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from core.errors import DataError

HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
NPY_MAGIC = b"\x93NUMPY"
ZIP_MAGIC = b"PK\x03\x04"
# Pickle protocols 2 to 5 open with the PROTO opcode and the protocol number.
PICKLE_MAGICS = tuple(b"\x80" + bytes([protocol]) for protocol in (2, 3, 4, 5))
# The members Keras itself writes into a .keras archive: any one of them gives it away.
KERAS_ARCHIVE_NAMES = frozenset({"config.json", "metadata.json", "model.weights.h5"})

UnsafeKind = Literal["hdf5", "pickle", "gensim", "npy", "npz", "zip", "keras"]
How = Literal["bytes", "name", "either"]


@dataclass(frozen=True)
class Unsafe:
    """One kind of file refused unopened.

    ``what`` names it after "This is"; ``sign`` says what its first bytes show; ``danger`` is
    why opening it could run code ("" when it is merely the wrong kind of file).
    """

    what: str
    sign: str
    danger: str = ""
    magics: tuple[bytes, ...] = ()
    suffixes: tuple[str, ...] = ()


UNSAFE_KINDS: dict[UnsafeKind, Unsafe] = {
    "hdf5": Unsafe(
        "an HDF5 (.h5) Keras file",
        "is an HDF5 file",
        "Keras ignores safe_mode for .h5 files, so loading one can run code (CVE-2025-9905)",
        (HDF5_MAGIC,),
        (".h5", ".hdf5"),
    ),
    "pickle": Unsafe(
        "a Python pickle",
        "starts like a Python pickle",
        "unpickling a file can run any code its author wrote",
        PICKLE_MAGICS,
        (".pkl", ".pickle", ".joblib"),
    ),
    "gensim": Unsafe(
        "a gensim model or KeyedVectors file",
        "is a gensim file",
        "gensim saves them with pickle, and unpickling a file can run any code",
        suffixes=(".model", ".kv"),
    ),
    "npy": Unsafe("a numpy .npy array", "is a numpy .npy array", "", (NPY_MAGIC,), (".npy",)),
    # By its bytes an .npz is a zip; the name alone tells it.
    "npz": Unsafe("a numpy .npz archive", "is a numpy .npz archive", suffixes=(".npz",)),
    "zip": Unsafe(
        "a zip archive (.npz, .keras or similar)",
        "is a zip archive (.npz, .keras or similar)",
        magics=(ZIP_MAGIC,),
    ),
    # Also a zip by its bytes; told by its member names (see refuse_keras_archive).
    "keras": Unsafe(
        "a Keras .keras archive",
        "is a Keras .keras archive",
        "Keras archives can run code when loaded (Lambda layers, CVE-2025-1550)",
        suffixes=(".keras",),
    ),
}


@dataclass(frozen=True)
class Found:
    """What :func:`find_unsafe` found: the kind, and the suffix when the name told it."""

    kind: UnsafeKind
    suffix: str | None = None

    @property
    def unsafe(self) -> Unsafe:
        return UNSAFE_KINDS[self.kind]


@dataclass(frozen=True)
class UnsafeRules:
    """What one kind of upload refuses unopened and how it says so.

    ``checks`` are tried in order, each a kind and whether its first bytes, its name or
    either tells it; ``message(name, found)`` words the refusal and ``hint`` ends it.
    ``ignore_suffixes`` come off the name before it is matched (``.gz``: the name of a
    gzipped pickle still tells a pickle).
    """

    checks: tuple[tuple[UnsafeKind, How], ...]
    message: Callable[[str, Found], str]
    hint: str
    ignore_suffixes: tuple[str, ...] = ()


def find_unsafe(name: str, data: bytes, checks: Iterable[tuple[UnsafeKind, How]]) -> Found | None:
    """The first of ``checks`` that ``data``'s first bytes or ``name``'s suffix match, else None.

    ``name`` is matched as given (lower-case it first); nothing past the first bytes is read.
    """
    for kind, how in checks:
        unsafe = UNSAFE_KINDS[kind]
        if how != "name" and data.startswith(unsafe.magics):
            return Found(kind)
        if how != "bytes":
            for suffix in unsafe.suffixes:
                if name.endswith(suffix):
                    return Found(kind, suffix)
    return None


def refuse_unsafe(name: str, data: bytes, rules: UnsafeRules) -> None:
    """Raise :class:`DataError` when ``data`` or ``name`` is a kind ``rules`` refuses."""
    lower = name.lower()
    for suffix in rules.ignore_suffixes:
        lower = lower.removesuffix(suffix)
    found = find_unsafe(lower, data, rules.checks)
    if found is not None:
        raise DataError(rules.message(name, found), rules.hint)


def is_keras_archive(member_names: Iterable[str]) -> bool:
    """Whether a zip's member names are those Keras writes into a ``.keras`` archive."""
    return not KERAS_ARCHIVE_NAMES.isdisjoint(member_names)


def refuse_keras_archive(name: str, member_names: Iterable[str], rules: UnsafeRules) -> None:
    """Raise :class:`DataError` when a zip's members show a Keras archive (its bytes are any
    zip's, so only its member names tell it)."""
    if is_keras_archive(member_names):
        raise DataError(rules.message(name, Found("keras")), rules.hint)
