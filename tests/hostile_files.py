"""Bad uploads shared by the data-layer tests and the browser tests: name -> bytes."""

import io
import json
import os
import stat
import struct
import zipfile
import zlib

from core.classifier.bundle_format import VERSION_KEYS


def hostile_files() -> dict[str, bytes]:
    header = ",".join(f"col{i}" for i in range(5000))
    row = ",".join(str(i) for i in range(5000))
    return {
        "empty.txt": b"",
        "binary.txt": bytes(range(256)) * 64,
        "random.bin": os.urandom(4096).replace(b"\x00", b"\x01"),
        "long_line.txt": b"word " * (2 * 1024 * 1024),  # one 10 MB line
        "wide.csv": (header + "\n" + row + "\n").encode(),
        "one_class.csv": b"text,label\n" + b"".join(b"message %d,ham\n" % i for i in range(20)),
        "no_text_column.csv": b"id,score,label\n" + b"".join(b"%d,0.5,a\n" % i for i in range(20)),
        "unbalanced.csv": b'text,label\n"hello there,spam\nfine,ham\n',
    }


def utf16_corpus() -> bytes:
    """A benign UTF-16 file with BOM: must be read correctly, not refused."""
    return "première ligne du corpus\nsecond line here\n三行目\n".encode("utf-16")


def hostile_vector_files() -> dict[str, tuple[bytes, str]]:
    """Bad word-vector uploads: name -> (bytes, words the error message must contain).

    None of them may be loaded; each must be refused with a message that names the problem.
    The pickle is built by hand, never by pickling an object, and is never unpickled.
    """
    row = " ".join(["0.125"] * 4)
    return {
        "vectors.bin": (b"\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00}\x94.", "pickle"),
        "word2vec.model": (b"4 2\na 0.1 0.2\n", "gensim .model"),
        "vectors.npz": (b"PK\x03\x04" + b"\x00" * 60, "zip archive"),
        "empty.txt": (b"", "is empty"),
        "blank.txt": (b"\n \n\t\n", "no vectors"),
        "ragged.txt": (f"3 4\na {row}\nb 0.5 0.5 0.5\nc {row}\n".encode(), "Line 3"),
        "wrong_dimension.txt": (f"2 3\na {row}\nb {row}\n".encode(), "declares 3 dimensions"),
        "non_numeric.txt": (b"a 0.5 0.25\nb 0.5 zero\n", "'zero', which is not a number"),
        "nan.txt": (b"a 0.5 0.25\nb nan 0.25\n", "not a finite"),
        "header_says_more.txt": (f"4 4\na {row}\nb {row}\nc {row}\n".encode(), "only 3"),
        "header_says_fewer.txt": (
            f"2 4\na {row}\nb {row}\nc {row}\n".encode(),
            "line 4 holds word number 3",
        ),
        "huge_header.txt": (b"999999999 300\nthe 0.1 0.2\n", "999,999,999 words"),
        "huge_dimension.bin": (b"10 9999999\nthe \x00\x00\x80?", "9,999,999 dimensions"),
        "garbage.bin": (bytes(range(1, 256)) * 64, "binary"),
        "utf16_without_bom.txt": ("a 0.5 0.25\n".encode("utf-16-le"), "NUL"),
    }


# ---------------------------------------------------------------- model bundles
#
# Everything below builds bad classifier bundles for core.classifier.bundle.import_bundle. They are made
# by hand (json, numpy, zipfile, struct), without Keras, so building them all is quick; only
# the real .keras file with a Lambda layer needs Keras, and it is optional.


def hostile_bundles(include_keras: bool = True) -> dict[str, bytes]:
    """Bad model bundles: file name -> bytes. Every one must be refused with a DataError.

    ``include_keras`` adds ``lambda_layer.keras``, a real Keras archive whose model holds a
    ``Lambda`` layer (it imports Keras, which takes seconds; it is saved, never loaded).
    """
    import numpy as np

    spec, weights = tiny_bundle_parts()
    good = bundle_zip(spec, weights)
    bad_shape = [w.copy() for w in weights]
    bad_shape[0] = np.zeros((4, 2), dtype=np.float32)
    with_nan = [w.copy() for w in weights]
    with_nan[0][1, 1] = np.nan
    many = {f"file_{i}.txt": b"x" for i in range(50)}
    bundles = {
        "empty.zip": b"",
        "random_bytes.zip": np.random.default_rng(7).bytes(4096),
        "pickle_renamed.zip": b"\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00}\x94.",
        "model.h5": b"\x89HDF\r\n\x1a\n" + bytes(504),
        "truncated.zip": good[: len(good) // 2],
        "keras_lookalike.zip": _zip_bytes(
            {"metadata.json": b"{}", "config.json": b"{}", "model.weights.h5": b"\x89HDF\r\n\x1a\n"}
        ),
        "plain_npz.zip": _npz(*weights),
        "unknown_layer_lambda.zip": bundle_zip(_with_layer_type(spec, "Lambda"), weights),
        "unknown_layer_tfoplambda.zip": bundle_zip(_with_layer_type(spec, "TFOpLambda"), weights),
        "unknown_key.zip": bundle_zip({**spec, "code": "import os"}, weights),
        "wrong_format.zip": bundle_zip({**spec, "format": "keras"}, weights),
        "wrong_version.zip": bundle_zip({**spec, "version": 99}, weights),
        "spec_not_json.zip": _zip_bytes({"spec.json": b"{not json", "weights.npz": _npz(*weights)}),
        "duplicate_vocabulary.zip": bundle_zip(
            _replace(spec, "features", vocabulary=["buy", "buy", "hello", "now", "song"]), weights
        ),
        "vocabulary_too_short.zip": bundle_zip(
            _replace(spec, "features", vocabulary=["buy", "cheap", "hello"]), weights
        ),
        "bad_activation.zip": bundle_zip(
            _replace(
                spec, "network", layers=[{**spec["network"]["layers"][0], "activation": "exec"}]
            ),
            weights,
        ),
        "wrong_manifest_shape.zip": bundle_zip(
            {**spec, "weights": [{**spec["weights"][0], "shape": [4, 2]}, *spec["weights"][1:]]},
            weights,
        ),
        "wrong_weight_shape.zip": bundle_zip(spec, bad_shape),
        "nan_weight.zip": bundle_zip(spec, with_nan),
        "huge_network.zip": bundle_zip(_replace(spec, "network", input_dim=5_000_000), weights),
        "object_array.zip": _zip_bytes(
            {"spec.json": _json(spec), "weights.npz": _zip_bytes(_object_npy_members(len(weights)))}
        ),
        "path_traversal.zip": _zip_bytes(
            {"spec.json": _json(spec), "weights.npz": _npz(*weights), "../../evil.py": b"x"}
        ),
        "absolute_path.zip": _zip_bytes(
            {"spec.json": _json(spec), "weights.npz": _npz(*weights), "/etc/cron.d/evil": b"x"}
        ),
        "symlink.zip": _zip_bytes(
            {"spec.json": _json(spec), "weights.npz": _npz(*weights), "features.npz": b"/etc"},
            links=("features.npz",),
        ),
        "folder.zip": _zip_bytes(
            {"spec.json": _json(spec), "weights.npz": _npz(*weights), "features.npz/": b""}
        ),
        "too_many_members.zip": _zip_bytes({"spec.json": _json(spec), **many}),
        "zip_bomb.zip": _raw_zip([("weights.npz", *_zero_bomb(1024))], spec),
        "high_ratio.zip": _raw_zip([("weights.npz", *_zero_bomb(100))], spec),
        # stored, so that only the inner zip's own directory gives the bomb away
        "nested_bomb.zip": _zip_bytes(
            {"spec.json": _json(spec), "weights.npz": _raw_zip([("arr_0.npy", *_zero_bomb(1024))])},
            stored=("weights.npz",),
        ),
        "lying_sizes.zip": _raw_zip([("weights.npz", *_zero_bomb(8, declare=100))], spec),
    }
    if include_keras:
        bundles["lambda_layer.keras"] = _lambda_keras_file()
    return bundles


def tiny_bundle_parts() -> tuple[dict, list]:
    """A valid bundle's spec and weights, written by hand: bag-of-words counts over five
    words, one hidden Dense(2, relu) layer and a sigmoid output; classes ham and spam."""
    from dataclasses import asdict

    import numpy as np

    from core.classifier.features import FeatureSettings
    from core.nn.networks import OptimizerSpec

    features = json.loads(json.dumps(asdict(FeatureSettings(kind="bow", ngram_range=(1, 1)))))
    features["vocabulary"] = ["buy", "cheap", "hello", "now", "song"]
    weights = [
        np.array([[1, 0], [1, 0], [0, 1], [0.5, 0], [0, 1]], dtype=np.float32),
        np.array([0.0, 0.0], dtype=np.float32),
        np.array([[2.0], [-2.0]], dtype=np.float32),
        np.array([-0.5], dtype=np.float32),
    ]
    spec = {
        "format": "deep-text-lab/classifier",
        "version": 1,
        "labels": ["ham", "spam"],
        "network": {
            "input_kind": "sparse",
            "input_dim": 5,
            "n_classes": 2,
            "vocab_size": 0,
            "embedding_dim": 0,
            "layers": [
                {"type": "Dense", "units": 2, "activation": "relu", "dropout": 0.0, "l2": 0.0}
            ],
        },
        "features": features,
        "training": {
            "optimizer": asdict(OptimizerSpec("adam", 0.001)),
            "epochs": 1,
            "batch_size": 32,
            "seed": 0,
            "class_weight": True,
            "validation_split": 0.0,
            "patience": 3,
            "mixed_precision": False,
            "epochs_done": 1,
            "metrics_epoch": 1,
            "metrics": {"loss": 0.5},
        },
        "versions": dict.fromkeys(
            VERSION_KEYS,
            None,
        ),
        "weights": [
            {"name": name, "shape": list(w.shape), "dtype": "float32"}
            for name, w in zip(
                ("dense_1/kernel", "dense_1/bias", "output/kernel", "output/bias"),
                weights,
                strict=True,
            )
        ],
    }
    return spec, weights


def _json(spec: dict) -> bytes:
    return json.dumps(spec).encode()


def _replace(spec: dict, section: str, **changes) -> dict:
    return {**spec, section: {**spec[section], **changes}}


def _with_layer_type(spec: dict, kind: str) -> dict:
    layer = {**spec["network"]["layers"][0], "type": kind}
    return _replace(spec, "network", layers=[layer])


def _npz(*arrays) -> bytes:
    import numpy as np

    buffer = io.BytesIO()
    np.savez(buffer, *arrays)
    return buffer.getvalue()


def bundle_zip(spec: dict, weights: list) -> bytes:
    return _zip_bytes({"spec.json": _json(spec), "weights.npz": _npz(*weights)})


def _zip_bytes(
    members: dict[str, bytes], links: tuple[str, ...] = (), stored: tuple[str, ...] = ()
) -> bytes:
    """A zip of ``members``, deflated except those named in ``stored``; names in ``links``
    are marked as symbolic links."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, payload in members.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            mode = (stat.S_IFLNK | 0o777) if name in links else (stat.S_IFREG | 0o644)
            info.external_attr = mode << 16
            archive.writestr(info, payload)
    return out.getvalue()


def _object_npy_members(count: int) -> dict[str, bytes]:
    """``.npy`` files that declare object arrays: their data would be a pickle (here a
    three-byte pickle of ``None``, written by hand)."""
    header = "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }"
    header = header + " " * (63 - (10 + len(header)) % 64) + "\n"
    npy = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + b"\x80\x02N."
    return {f"arr_{i}.npy": npy for i in range(count)}


def _zero_bomb(mib: int, declare: int | None = None) -> tuple[bytes, int, int]:
    """A raw deflate stream of ``mib`` MiB of zeros, with its CRC-32 and the size to declare.

    Deflating a GiB takes many seconds, so one MiB is compressed once with a full flush (which
    ends on a byte boundary and forgets the history) and that block is repeated: ~1 KB per MiB.
    """
    chunk = 1 << 20
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(bytes(chunk)) + compressor.flush(zlib.Z_FULL_FLUSH)
    stream = block * mib + b"\x03\x00"  # an empty final block ends the stream
    size = mib * chunk
    return stream, _crc32_of_zeros(size), size if declare is None else declare


def _crc32_of_zeros(length: int) -> int:
    """zlib.crc32(bytes(length)) without touching ``length`` bytes: CRC-32 is linear, so
    appending n zero bytes is a 32x32 matrix over GF(2), raised to the n-th power by squaring
    (the method of zlib's crc32_combine)."""

    def times(matrix: list[int], vector: int) -> int:
        out, row = 0, 0
        while vector:
            if vector & 1:
                out ^= matrix[row]
            vector >>= 1
            row += 1
        return out

    def square(matrix: list[int]) -> list[int]:
        return [times(matrix, matrix[n]) for n in range(32)]

    # The operator for one zero bit on the reflected register, then 2, 4 and 8 bits (a byte).
    one_bit = [0xEDB88320] + [1 << n for n in range(31)]
    one_byte = square(square(square(one_bit)))
    register, operator = 0xFFFFFFFF, one_byte  # crc32 starts from an all-ones register
    while length:
        if length & 1:
            register = times(operator, register)
        length >>= 1
        operator = square(operator)
    return register ^ 0xFFFFFFFF


def _raw_zip(entries: list[tuple[str, bytes, int, int]], spec: dict | None = None) -> bytes:
    """A zip written field by field, so a member's declared size can be anything.

    ``entries`` are (name, raw deflate stream, CRC-32, declared uncompressed size); ``spec``
    adds a ``spec.json`` first, stored.
    """
    members = []
    if spec is not None:
        payload = _json(spec)
        members.append(("spec.json", payload, 0, zlib.crc32(payload), len(payload)))
    members += [(name, data, 8, crc, size) for name, data, crc, size in entries]
    body, directory = b"", b""
    dos_date = (0 << 9) | (1 << 5) | 1  # 1980-01-01
    for name, data, method, crc, size in members:
        encoded = name.encode()
        fields = (20, 0, method, 0, dos_date, crc, len(data), size, len(encoded), 0)
        directory += struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            0x031E,
            *fields,
            0,
            0,
            0,
            (stat.S_IFREG | 0o644) << 16,
            len(body),
        )
        directory += encoded
        body += struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields) + encoded + data
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(directory), len(body), 0
    )
    return body + directory + end


def _lambda_keras_file() -> bytes:
    """A real ``.keras`` archive of a model with a ``Lambda`` layer: saved, never loaded."""
    import tempfile
    from pathlib import Path

    import keras

    model = keras.Sequential(
        [keras.Input(shape=(3,)), keras.layers.Lambda(lambda x: x * 2.0), keras.layers.Dense(1)]
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "lambda_layer.keras"
        model.save(path)
        return path.read_bytes()
