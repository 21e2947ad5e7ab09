"""Bad uploads shared by the data-layer tests and the browser tests: name -> bytes."""

import os


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
