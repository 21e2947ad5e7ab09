"""The hardened readers shared by model bundles and word-vector files: refusals, zips, arrays, JSON."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pytest

from core.errors import DataError
from core.safe_files.arrays import check_npy_header, read_npz
from core.safe_files.schema import JsonChecker, load_strict_json
from core.safe_files.unsafe import (
    UNSAFE_KINDS,
    Found,
    UnsafeRules,
    find_unsafe,
    is_keras_archive,
    refuse_keras_archive,
    refuse_unsafe,
)
from core.safe_files.zips import ZipRules, read_zip_members

PICKLE = b"\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00}\x94."
RULES = ZipRules(kind="test pack", changed_hint="Made again?", damaged_hint="Download again?")


def npz(**arrays: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def zipped(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, payload in members.items():
            archive.writestr(name, payload)
    return out.getvalue()


# ---------------------------------------------------------------- refusals


def test_each_suffix_belongs_to_one_kind():
    suffixes = [s for unsafe in UNSAFE_KINDS.values() for s in unsafe.suffixes]
    assert len(suffixes) == len(set(suffixes))
    assert all(s.startswith(".") and s.count(".") == 1 for s in suffixes)


def test_find_unsafe_tells_by_bytes_or_by_name_as_asked():
    assert find_unsafe("vectors.txt", PICKLE, [("pickle", "bytes")]) == Found("pickle")
    assert find_unsafe("w.npy", b"4 2\n", [("npy", "bytes")]) is None
    assert find_unsafe("w.npy", b"4 2\n", [("npy", "name")]) == Found("npy", ".npy")
    assert find_unsafe("model.h5", PICKLE, [("pickle", "bytes"), ("hdf5", "name")]) == Found(
        "pickle"
    )
    assert find_unsafe("model.h5", PICKLE, [("hdf5", "either"), ("pickle", "bytes")]) == Found(
        "hdf5", ".h5"
    )
    assert find_unsafe("empty.pkl", b"", [("pickle", "bytes")]) is None


def test_refuse_unsafe_words_the_refusal_as_the_caller_asks():
    rules = UnsafeRules(
        checks=(("pickle", "either"),),
        message=lambda name, found: f"{name}: {found.unsafe.what} ({found.suffix})",
        hint="Export it again.",
        ignore_suffixes=(".gz",),
    )
    refuse_unsafe("vectors.txt", b"1 2\n", rules)
    with pytest.raises(DataError) as caught:
        refuse_unsafe("Model.PKL.gz", b"\x1f\x8b", rules)
    assert caught.value.message == "Model.PKL.gz: a Python pickle (.pkl)"
    assert caught.value.hint == "Export it again."


def test_keras_archives_are_told_by_their_member_names():
    rules = UnsafeRules(checks=(), message=lambda name, found: found.unsafe.danger, hint="")
    assert is_keras_archive(["config.json", "model.weights.h5"])
    assert not is_keras_archive(["spec.json", "weights.npz"])
    refuse_keras_archive("a.zip", ["spec.json"], rules)
    with pytest.raises(DataError, match="CVE-2025-1550"):
        refuse_keras_archive("a.zip", ["metadata.json"], rules)


def test_bundles_and_vector_files_refuse_a_pickle_through_the_same_table():
    from core.classifier.bundle import BUNDLE_UNSAFE, import_bundle
    from core.embeddings.vector_read import VECTOR_UNSAFE, load_vectors

    assert find_unsafe("upload.bin", PICKLE, BUNDLE_UNSAFE.checks) == Found("pickle")
    assert find_unsafe("upload.bin", PICKLE, VECTOR_UNSAFE.checks) == Found("pickle")
    with pytest.raises(DataError, match="This is a Python pickle"):
        import_bundle(PICKLE, "upload.bin")
    with pytest.raises(DataError, match="upload.bin starts like a Python pickle"):
        load_vectors("upload.bin", PICKLE)


def test_a_vector_upload_named_npy_is_refused_but_npz_members_are_read():
    from core.embeddings.vector_read import load_vectors

    with pytest.raises(DataError, match=r"has a \.npy name"):
        load_vectors("vectors.npy", b"2 1\na 0.5\nb 0.25\n")
    arrays = read_npz(npz(idf=np.ones(3)), "features.npz", {"idf": ((3,), "float64")}, RULES)
    assert arrays["idf"].tolist() == [1.0, 1.0, 1.0]


# ---------------------------------------------------------------- zips and arrays


def test_zip_refusals_use_the_callers_words():
    with pytest.raises(DataError, match="holds 2 files; a test pack holds at most 1") as caught:
        read_zip_members(zipped({"a": b"1", "b": b"2"}), "pack.zip", RULES, required=("a",))
    assert caught.value.hint == "Made again?"
    with pytest.raises(DataError, match="a test pack holds only a, b") as caught:
        read_zip_members(zipped({"c": b"1"}), "pack.zip", RULES, required=("a",), optional=("b",))
    with pytest.raises(DataError, match="has no a, which every test pack holds"):
        read_zip_members(zipped({"b": b"1"}), "pack.zip", RULES, required=("a",), optional=("b",))
    with pytest.raises(DataError, match="is damaged") as caught:
        read_zip_members(b"not a zip at all", "pack.zip", RULES, required=("a",))
    assert caught.value.hint == "Download again?"


def test_zip_members_are_capped_and_names_checked_first():
    data = zipped({"a": b"x" * 100})
    with pytest.raises(DataError, match="a would unpack to"):
        read_zip_members(data, "pack.zip", RULES, required=("a",), caps={"a": 10})
    assert read_zip_members(data, "pack.zip", RULES, required=("a",)) == {"a": b"x" * 100}

    seen = []
    read_zip_members(data, "pack.zip", RULES, required=("a",), check_names=seen.extend)
    assert seen == ["a"]


def test_npy_headers_are_checked_before_the_data_is_read():
    payload = npz(arr_0=np.zeros((2, 3), dtype=np.float32))
    with pytest.raises(DataError, match=r"has shape \(2, 3\); expected \(3, 2\)"):
        read_npz(payload, "weights.npz", {"arr_0": ((3, 2), "float32")}, RULES)
    with pytest.raises(DataError, match="holds float32 values; expected float64"):
        read_npz(payload, "weights.npz", {"arr_0": (None, "float64")}, RULES)

    buffer = io.BytesIO()
    np.save(buffer, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(DataError, match="holds object values") as caught:
        check_npy_header(buffer.getvalue(), "x.npy", None, "float32", "Hint.")
    assert caught.value.hint == "Hint."


# ---------------------------------------------------------------- schema


@dataclass(frozen=True)
class Knob:
    name: str
    size: int = 1
    kind: Literal["a", "b"] = "a"
    span: tuple[int, int] = (0, 1)
    scale: float | None = None

    def __post_init__(self):
        if self.size < 1:
            raise ValueError("size must be at least 1")


CHECK = JsonChecker("Fix the file.")


def test_a_settings_dataclass_is_built_from_exactly_its_fields():
    value = {"name": "x", "size": 2, "kind": "b", "span": [1, 2], "scale": None}
    assert CHECK.check_dataclass(Knob, value, "knob") == Knob("x", 2, "b", (1, 2), None)
    assert CHECK.check_dataclass(Knob, {**value, "scale": 3}, "knob").scale == 3.0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"size": True}, "knob.size must be a whole number, not true"),
        ({"kind": "c"}, "knob.kind is \"c\"; it must be one of 'a', 'b'"),
        ({"span": [1]}, r"knob.span must be a list of 2 values"),
        ({"scale": "big"}, 'knob.scale must be a number, not "big"'),
        ({"size": 0}, "knob: size must be at least 1."),
        ({"extra": 1}, "knob has unknown keys 'extra'"),
    ],
)
def test_schema_refusals_name_the_place(change, message):
    value = {"name": "x", "size": 2, "kind": "b", "span": [1, 2], "scale": None, **change}
    with pytest.raises(DataError, match=message) as caught:
        CHECK.check_dataclass(Knob, value, "knob")
    assert caught.value.hint == "Fix the file."


def test_a_type_without_a_check_is_a_programming_error():
    with pytest.raises(TypeError):
        CHECK.check_value(bytes, b"x", "where")


def test_strict_json_refuses_repeated_keys_and_nan():
    assert load_strict_json(b'{"a": [1, 2.5]}', "doc.json", "") == {"a": [1, 2.5]}
    for raw in (b'{"a": 1, "a": 2}', b'{"a": NaN}', b"\xff", b"[" * 100_000):
        with pytest.raises(DataError, match="doc.json is not valid JSON"):
            load_strict_json(raw, "doc.json", "")
