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
