"""Zip archives read safely: the directory checked before anything is unpacked, reads capped.

Member names (no paths out of the archive, folders, links, encrypted or unknown members),
declared sizes, compression ratios and the number of members are all checked from the central
directory; each member is then inflated reading at most one byte past its declared size, so a
lying directory is caught too. Every refusal is a :class:`~core.errors.DataError`.
"""

from __future__ import annotations

import io
import stat
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from core.errors import DataError

MAX_UNCOMPRESSED_BYTES = 256 * 1024 * 1024  # all members together, once inflated
MAX_COMPRESSION_RATIO = 200
# Below this size a member cannot hurt, whatever its ratio; a short JSON may compress well.
RATIO_CHECK_FROM_BYTES = 1024 * 1024
# A zip whose bytes hold more central-directory signatures than this is refused before
# zipfile parses it, so a file of millions of tiny entries never becomes millions of objects.
MAX_DIRECTORY_SIGNATURES = 1_000
MAX_NAME_CHARS = 500
BOMB_HINT = "This looks like a zip bomb; it is not unpacked."


@dataclass(frozen=True)
class ZipRules:
    """How an archive's refusals are worded, and how much it may unpack to.

    ``kind`` names what the archive is after "a" ("a bundle holds at most 3 files");
    ``changed_hint`` ends refusals of what it holds, ``damaged_hint`` those of broken bytes.
    """

    kind: str
    changed_hint: str
    damaged_hint: str
    max_total_bytes: int = MAX_UNCOMPRESSED_BYTES
    max_ratio: int = MAX_COMPRESSION_RATIO


def read_zip_members(
    data: bytes,
    what: str,
    rules: ZipRules,
    *,
    required: tuple[str, ...],
    optional: tuple[str, ...] = (),
    caps: dict[str, int] | None = None,
    check_names: Callable[[list[str]], None] | None = None,
) -> dict[str, bytes]:
    """The members of the zip ``data`` by name, after checking its directory first.

    Exactly the ``required`` names and any of ``optional`` are accepted: no other names, no
    folders, links or encrypted members. Sizes declared in the central directory must stay
    under ``caps[name]`` (else ``rules.max_total_bytes``) and in total under
    ``rules.max_total_bytes``, with a compression ratio of at most ``rules.max_ratio``.
    Reading then stops at the cap whatever the header said. ``check_names`` gets the member
    names before any other check of them (to refuse a Keras archive by its own message).
    ``what`` names the archive in messages.
    """
    caps = caps or {}
    allowed = (*required, *optional)
    if data.count(b"PK\x01\x02") > MAX_DIRECTORY_SIGNATURES:
        raise _too_many(what, f"more than {MAX_DIRECTORY_SIGNATURES:,}", len(allowed), rules)
    with open_zip(data, what, rules) as archive:
        infos = archive.infolist()
        names = [info.filename for info in infos]
        if check_names is not None:
            check_names(names)
        if len(infos) > len(allowed):
            raise _too_many(what, f"{len(infos):,}", len(allowed), rules)
        for info in infos:
            check_member_name(info, what, allowed, rules)
        if len(set(names)) != len(names):
            raise DataError(f"{what} holds two files of the same name.", rules.changed_hint)
        total = 0
        for info in infos:
            check_member_size(info, what, member_cap(info.filename, caps, rules), rules)
            total += info.file_size
            if total > rules.max_total_bytes:
                raise DataError(
                    f"{what} would unpack to more than {_mb(rules.max_total_bytes)}, the limit "
                    f"for a {rules.kind}.",
                    BOMB_HINT,
                )
        missing = [n for n in required if n not in names]
        if missing:
            raise DataError(
                f"{what} has no {', '.join(missing)}, which every {rules.kind} holds.",
                rules.changed_hint,
            )
        return {info.filename: read_member(archive, info, what, caps, rules) for info in infos}


def open_zip(data: bytes, what: str, rules: ZipRules) -> zipfile.ZipFile:
    """The zip archive in ``data``; a damaged directory or an unsupported feature is a DataError.

    ``is_zipfile`` only finds the end record, so a bad central directory still fails here.
    """
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, NotImplementedError) as error:
        raise DataError(
            f"{what} is damaged or uses a zip feature this app does not read ({str(error)[:200]}).",
            rules.damaged_hint,
        ) from None


def member_cap(name: str, caps: dict[str, int], rules: ZipRules) -> int:
    """The most bytes member ``name`` may unpack to: its own cap, never above the total's."""
    return min(caps.get(name, rules.max_total_bytes), rules.max_total_bytes)


def check_member_name(
    info: zipfile.ZipInfo, what: str, allowed: tuple[str, ...], rules: ZipRules
) -> None:
    """Refuse a member that is not a plain, known, readable file inside the archive."""
    name = info.filename
    hint = rules.changed_hint
    if not name:
        # Checked first: ZipInfo.is_dir() looks at name[-1] and fails on an empty name.
        raise DataError(f"{what} holds a file with an empty name.", hint)
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or ".." in parts or (len(name) > 1 and name[1] == ":"):
        raise DataError(
            f"{what} holds a file named {name[:MAX_NAME_CHARS]!r}, a path outside the archive; "
            "it is not unpacked.",
            hint,
        )
    if info.is_dir():
        raise DataError(f"{what} holds a folder ({name[:MAX_NAME_CHARS]!r}).", hint)
    if stat.S_ISLNK(info.external_attr >> 16):
        raise DataError(
            f"{what} holds {name[:MAX_NAME_CHARS]!r} as a symbolic link; links are not followed.",
            hint,
        )
    if name not in allowed:
        raise DataError(
            f"{what} holds an unexpected file {name[:MAX_NAME_CHARS]!r}; a {rules.kind} holds "
            f"only {', '.join(allowed)}.",
            hint,
        )
    if info.flag_bits & 0x1:
        raise DataError(f"{what}: {name} is encrypted.", hint)
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise DataError(
            f"{what}: {name} uses a compression method the app does not read "
            f"(number {info.compress_type}).",
            hint,
        )


def check_member_size(info: zipfile.ZipInfo, what: str, cap: int, rules: ZipRules) -> None:
    """Refuse a member whose declared size is over ``cap`` or whose ratio gives a bomb away."""
    if info.file_size > cap:
        raise DataError(
            f"{what}: {info.filename} would unpack to {_mb(info.file_size)}; the limit is "
            f"{_mb(cap)}.",
            BOMB_HINT,
        )
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size >= RATIO_CHECK_FROM_BYTES and ratio > rules.max_ratio:
        raise DataError(
            f"{what}: {info.filename} is compressed {ratio:,.0f} to 1; a {rules.kind}'s members "
            f"are at most {rules.max_ratio} to 1.",
            BOMB_HINT,
        )


def read_member(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    what: str,
    caps: dict[str, int],
    rules: ZipRules,
) -> bytes:
    """Inflate one member, reading at most one byte past its declared size and its cap."""
    limit = min(info.file_size, member_cap(info.filename, caps, rules))
    try:
        with archive.open(info) as stream:
            payload = stream.read(limit + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as error:
        raise DataError(
            f"{what}: {info.filename} is damaged ({str(error)[:200]}).", rules.damaged_hint
        ) from None
    if len(payload) > limit:
        raise DataError(
            f"{what}: {info.filename} unpacks to more than its directory entry says.", BOMB_HINT
        )
    return payload


def _too_many(what: str, count: str, allowed: int, rules: ZipRules) -> DataError:
    return DataError(
        f"{what} holds {count} files; a {rules.kind} holds at most {allowed}.", rules.changed_hint
    )


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:,.0f} MB"
