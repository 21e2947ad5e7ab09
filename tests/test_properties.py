"""Property tests at the boundary where user files come in.

The contract: arbitrary bytes and text give either a correct result or a
:class:`core.errors.DataError` with a message for people; never another exception, never a
hang. Valid files written by the test (with the csv module, or by our own exporters) read back
exactly, where "exactly" is what each loader documents (for example: CSV texts are stripped).

Hypothesis runs derandomized (profile ``ci``), so every run tries the same examples. Set
``HYPOTHESIS_PROFILE=explore`` to search with fresh random examples and more of them.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import signal
import zipfile
from collections import Counter
from datetime import timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from core.data.datasets import Corpus, LabelledText
from core.data.reading import (
    FASTTEXT_PREFIX,
    MIN_LABELLED_ROWS,
    MIN_ROWS_PER_CLASS,
    TEXT_COLUMNS,
    decode_bytes,
    parse_upload,
)
from core.embeddings import vector_read, vector_write
from core.embeddings.vectors import VectorSet
from core.errors import DataError
from core.text import analysis, bagofwords

settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("explore", database=None, print_blob=True)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(PROFILE)


def examples(n: int) -> int:
    """How many examples a property tries: ``n`` in CI, ten times more when exploring."""
    return n * 10 if PROFILE == "explore" else n


# Parsing a few kilobytes takes milliseconds; ten seconds only trips on a real blow-up, not on
# a busy machine. TensorFlow tests run without a deadline and rely on the watchdog below.
CHEAP = timedelta(seconds=10)
HANG_SECONDS = 180


class Hang(BaseException):
    """Raised by the watchdog. A BaseException, so no ``except Exception`` in the code under
    test can turn a hang into a DataError and let the test pass."""


@pytest.fixture(autouse=True)
def _watchdog():
    """Fail a test that runs longer than HANG_SECONDS instead of letting it hang the suite."""

    def alarm(signum, frame):
        raise Hang(f"a property test ran longer than {HANG_SECONDS} s")

    if not hasattr(signal, "SIGALRM"):  # not on Windows
        yield
        return
    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(HANG_SECONDS)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def data_error_or(call, *args, **kwargs):
    """``call(*args, **kwargs)``, or None when it raised a DataError with a non-empty message.

    Any other exception propagates and fails the property. The outcome is recorded as a
    Hypothesis event (``pytest --hypothesis-show-statistics`` lists how often each happened).
    """
    try:
        result = call(*args, **kwargs)
    except DataError as error:
        assert isinstance(error.message, str) and error.message.strip(), repr(error)
        assert str(error).strip()
        event(f"{call.__name__}: DataError")
        return None
    event(f"{call.__name__}: {type(result).__name__}")
    return result


# ---------------------------------------------------------------- strategies

# Characters a person's text may hold: anything printable, plus the characters that matter to
# CSV and line splitting. Control characters are left out because a file with many of them is
# refused as binary on purpose (tested with arbitrary bytes instead).
TEXT_CHARS = st.characters(exclude_categories=("Cs", "Cc"), include_characters="\n\r\t,\"' ")
SPECIAL = st.sampled_from(["😀", "👍🏽", "中文", "漢字テスト", "é", "ß", "İ", "\u2028", '""', ",,"])
any_text = st.lists(st.one_of(st.text(TEXT_CHARS, max_size=8), SPECIAL), max_size=5).map("".join)
LABELS = ("spam", "ham", "neutral", "été", "标签")


def _person_text(value: str) -> bool:
    # "__label__" anywhere would let a line look like fastText; such files are read as
    # fastText on purpose (see test_parse_upload_arbitrary_input for their contract).
    return bool(value.strip()) and FASTTEXT_PREFIX not in value


# Something that is not white space somewhere, so that the text survives stripping.
anchor = st.characters(exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp"))
person_text = st.builds(lambda head, mid, tail: head + mid + tail, any_text, anchor, any_text)
person_text = person_text.filter(_person_text)


@st.composite
def label_lists(draw) -> list[str]:
    """At least two classes, MIN_ROWS_PER_CLASS rows each, MIN_LABELLED_ROWS rows in all, shuffled."""
    classes = draw(st.lists(st.sampled_from(LABELS), min_size=2, max_size=4, unique=True))
    counts = [draw(st.integers(MIN_ROWS_PER_CLASS, 6)) for _ in classes]
    short = MIN_LABELLED_ROWS - sum(counts)
    if short > 0:
        counts[0] += short
    labels = [label for label, n in zip(classes, counts, strict=True) for _ in range(n)]
    return draw(st.permutations(labels))


@st.composite
def labelled_rows(draw, text=person_text) -> tuple[list[str], list[str]]:
    labels = draw(label_lists())
    texts = [draw(text) for _ in labels]
    return texts, labels


def maybe_gzip(name: str, data: bytes, wrap: bool) -> tuple[str, bytes]:
    return (name + ".gz", gzip.compress(data, mtime=0)) if wrap else (name, data)


@st.composite
def flipped(draw, data: bytes) -> bytes:
    """``data`` with a few bytes replaced, a slice cut out, or cut short."""
    buffer = bytearray(data)
    if not buffer:
        return bytes(buffer)
    how = draw(st.sampled_from(["flip", "cut", "truncate", "insert"]))
    at = draw(st.integers(0, len(buffer) - 1))
    if how == "flip":
        for _ in range(draw(st.integers(1, 4))):
            spot = draw(st.integers(0, len(buffer) - 1))
            buffer[spot] = draw(st.integers(0, 255))
    elif how == "cut":
        del buffer[at : at + draw(st.integers(1, 64))]
    elif how == "truncate":
        del buffer[at:]
    else:
        buffer[at:at] = draw(st.binary(min_size=1, max_size=16))
    return bytes(buffer)


UPLOAD_FRAGMENTS = st.sampled_from(
    [
        "text",
        "label",
        "Text,Label",
        "class",
        ",",
        "\t",
        '"',
        "\n",
        "\r\n",
        "\r",
        " ",
        FASTTEXT_PREFIX,
        "__label__spam ",
        "spam",
        "ham",
        "\x00",
        "\x01",
        "\ufeff",
        "é",
        "😀",
        "\u2028",
    ]
)
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252"])


@st.composite
def text_like_bytes(draw) -> bytes:
    """Bytes built from fragments of CSV, TSV and fastText, in one of several encodings."""
    pieces = draw(st.lists(st.one_of(UPLOAD_FRAGMENTS, st.text(max_size=6)), max_size=80))
    return "".join(pieces).encode(draw(ENCODINGS), errors="ignore")


@st.composite
def valid_csv_bytes(draw) -> bytes:
    texts, labels = draw(labelled_rows())
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(["text", "label"])
    writer.writerows(zip(texts, labels, strict=True))
    return out.getvalue().encode("utf-8")


@st.composite
def gzip_bytes(draw) -> bytes:
    inner = draw(st.one_of(st.binary(max_size=200), text_like_bytes()))
    packed = gzip.compress(inner, mtime=0)
    return draw(st.one_of(st.just(packed), flipped(packed), st.just(b"\x1f\x8b" + inner)))


upload_bytes = st.one_of(
    st.binary(max_size=2_000),
    text_like_bytes(),
    valid_csv_bytes(),
    valid_csv_bytes().flatmap(flipped),
    gzip_bytes(),
)
upload_names = st.one_of(
    st.sampled_from(["a.csv", "a.tsv", "a.tab", "a.txt", "a.csv.gz", "a.gz", "a", ".csv", "A.CSV"]),
    st.text(max_size=30),
)


# ---------------------------------------------------------------- core/datasets.py


def check_upload(result: LabelledText | Corpus, want: str) -> None:
    """What every successful parse promises, whatever the file held."""
    if want == "labelled":
        assert isinstance(result, LabelledText)
    if want == "corpus":
        assert isinstance(result, Corpus)
    if isinstance(result, LabelledText):
        assert len(result.texts) == len(result.labels) >= MIN_LABELLED_ROWS
        assert all(isinstance(t, str) and t and t == t.strip() for t in result.texts)
        assert all(isinstance(label, str) and label for label in result.labels)
        counts = Counter(result.labels)
        assert len(counts) >= 2 and min(counts.values()) >= MIN_ROWS_PER_CLASS
    else:
        assert isinstance(result, Corpus)
        assert result.documents
        assert all(isinstance(d, str) and d and d == d.strip() for d in result.documents)


@settings(max_examples=examples(150), deadline=CHEAP)
@given(
    name=upload_names,
    data=upload_bytes,
    want=st.sampled_from(["any", "labelled", "corpus"]),
)
def test_parse_upload_arbitrary_input(name, data, want):
    result = data_error_or(parse_upload, name, data, want=want)
    if result is not None:
        check_upload(result, want)


@settings(max_examples=examples(150), deadline=CHEAP)
@given(data=st.one_of(st.binary(max_size=1_000), text_like_bytes()))
def test_decode_bytes_arbitrary_input(data):
    decoded = data_error_or(decode_bytes, data, "upload.txt")
    if decoded is None:
        return
    assert "\x00" not in decoded.text
    if decoded.encoding == "UTF-8":
        assert decoded.text == data.decode("utf-8") and not decoded.warnings
    elif decoded.encoding == "latin-1":
        assert decoded.text == data.decode("latin-1") and decoded.warnings
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
    elif decoded.encoding == "UTF-8 with BOM":
        assert decoded.text == data[3:].decode("utf-8")
    else:
        assert decoded.encoding == "UTF-16 with BOM"
        assert decoded.text == data.decode("utf-16")


def expected_rows(texts: list[str], labels: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What the loader documents: texts and labels stripped of surrounding white space."""
    return tuple(t.strip() for t in texts), tuple(label.strip() for label in labels)


@settings(max_examples=examples(60), deadline=CHEAP)
@given(
    rows=labelled_rows(),
    columns=st.tuples(st.sampled_from(TEXT_COLUMNS), st.sampled_from(("label", "class", "v1"))),
    text_first=st.booleans(),
    # Python 3.11's writer quotes a field holding \r only when \r is in its line terminator,
    # so "\n" line ends go with QUOTE_ALL: an unquoted \r in a field is not valid CSV.
    dialect=st.sampled_from(
        [("\r\n", csv.QUOTE_MINIMAL), ("\r\n", csv.QUOTE_ALL), ("\n", csv.QUOTE_ALL)]
    ),
    wrap=st.booleans(),
)
def test_valid_csv_round_trips(rows, columns, text_first, dialect, wrap):
    texts, labels = rows
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator=dialect[0], quoting=dialect[1])
    order = (0, 1) if text_first else (1, 0)
    writer.writerow([columns[i] for i in order])
    for row in zip(texts, labels, strict=True):
        writer.writerow([row[i] for i in order])
    name, data = maybe_gzip("data.csv", out.getvalue().encode("utf-8"), wrap)

    result = parse_upload(name, data, want="labelled")

    assert (result.texts, result.labels) == expected_rows(texts, labels)
    assert result.format.startswith("CSV") and ("gzip" in result.format) == wrap
    assert not result.warnings
    corpus = parse_upload(name, data, want="corpus")
    assert corpus.documents == result.texts


fasttext_word = st.text(
    st.characters(exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), min_size=1, max_size=8
).filter(lambda w: not any(c.isspace() for c in w) and not w.startswith(FASTTEXT_PREFIX))


@settings(max_examples=examples(60), deadline=CHEAP)
@given(
    labels=label_lists(),
    data=st.data(),
    gap=st.sampled_from([" ", "  ", "\t", " \t "]),
    line_end=st.sampled_from(["\n", "\r\n"]),
    wrap=st.booleans(),
)
def test_valid_fasttext_round_trips(labels, data, gap, line_end, wrap):
    """A fastText line is label then words; the loader joins the words with single spaces."""
    words = [data.draw(st.lists(fasttext_word, min_size=1, max_size=6)) for _ in labels]
    lines = [
        f"{FASTTEXT_PREFIX}{label}{gap}{gap.join(ws)}"
        for label, ws in zip(labels, words, strict=True)
    ]
    name, payload = maybe_gzip("data.txt", (line_end.join(lines) + line_end).encode(), wrap)

    result = parse_upload(name, payload, want="labelled")

    assert result.texts == tuple(" ".join(ws) for ws in words)
    assert result.labels == tuple(labels)
    assert result.format.startswith("fastText")


# One line per row: a label<TAB>text file cannot hold a line break inside a text.
one_line_text = person_text.map(lambda t: t.replace("\r", " ").replace("\n", " "))


@settings(max_examples=examples(60), deadline=CHEAP)
@given(
    rows=labelled_rows(text=one_line_text),
    suffix=st.sampled_from([".tsv", ".tab", ".txt", ""]),
    line_end=st.sampled_from(["\n", "\r\n"]),
    wrap=st.booleans(),
)
def test_valid_uci_tsv_round_trips(rows, suffix, line_end, wrap):
    """label<TAB>text lines without a header, written as they stand (no quoting): each text
    comes back as written, its quotes and tabs included."""
    texts, labels = rows
    # A first row naming a text column ("text", "message") is a header, by design.
    if any(c.strip().strip('"').lower() in TEXT_COLUMNS for c in texts[0].split("\t")):
        texts = ["x" + texts[0], *texts[1:]]
    body = "".join(f"{label}\t{text}{line_end}" for label, text in zip(labels, texts, strict=True))
    name, data = maybe_gzip("sms" + suffix, body.encode("utf-8"), wrap)

    result = parse_upload(name, data, want="labelled")

    assert (result.texts, result.labels) == expected_rows(texts, labels)
    assert result.format.startswith("UCI TSV") and not result.skipped


@settings(max_examples=examples(60), deadline=CHEAP)
@given(rows=labelled_rows(text=one_line_text), padding=st.integers(0, 3))
def test_csv_text_split_at_commas_is_joined_back(rows, padding):
    """``v1,v2,,,`` files: a text written unquoted is split at its commas by the csv module;
    the pieces come back as one text, commas restored (up to trailing commas and spaces)."""
    texts, labels = rows
    texts = [t.replace('"', "'") for t in texts]  # unquoted fields: no quote opens a field
    texts = [t if rejoined(t) else "x" + t for t in texts]  # "," alone is no text
    header = "v1,v2" + "," * padding
    lines = [f"{label},{text}" + "," * padding for label, text in zip(labels, texts, strict=True)]
    data = ("\r\n".join([header, *lines]) + "\r\n").encode("utf-8")

    result = parse_upload("spam.csv", data, want="labelled")

    assert result.labels == tuple(labels) and not result.skipped
    assert result.texts == tuple(rejoined(t) for t in texts)


def rejoined(text: str) -> str:
    """What the loader documents for text split at commas: the pieces up to the last one that
    holds more than white space, joined by commas, stripped."""
    pieces = text.split(",")
    while pieces and not pieces[-1].strip():
        pieces.pop()
    return ",".join(pieces).strip()


# ---------------------------------------------------------------- core/text.py

long_tokens = st.builds(
    lambda piece, n, tail: piece * n + tail,
    st.text(min_size=1, max_size=3),
    st.integers(1_000, 5_000),
    st.text(max_size=5),
)
tokenizer_input = st.one_of(st.text(max_size=300), any_text, long_tokens)
text_settings = st.builds(
    analysis.TextSettings,
    tokenizer=st.sampled_from(list(analysis.TOKENIZERS)),
    lowercase=st.booleans(),
    remove_stop_words=st.booleans(),
    stemmer=st.sampled_from(list(analysis.STEMMERS)),
    ngram_range=st.tuples(st.integers(1, 3), st.integers(0, 2)).map(lambda p: (p[0], p[0] + p[1])),
)


@pytest.fixture(scope="module")
def warm_text():
    """Import NLTK and build every tokenizer once, so a deadline never counts import time."""
    for name in analysis.TOKENIZERS:
        analysis.tokenize("warm up", name)
    analysis.analyze("warming", analysis.TextSettings(stemmer="snowball"))
    analysis.analyze("warming", analysis.TextSettings(stemmer="porter", remove_stop_words=True))


@settings(max_examples=examples(100), deadline=CHEAP)
@given(text=tokenizer_input)
def test_every_tokenizer_takes_any_text(warm_text, text):
    for name in analysis.TOKENIZERS:
        tokens = analysis.tokenize(text, name)
        assert isinstance(tokens, list)
        assert all(isinstance(t, str) and t for t in tokens), (name, tokens)


@settings(max_examples=examples(150), deadline=CHEAP)
@given(text=tokenizer_input)
def test_regexp_tokens_are_the_input_in_order(warm_text, text):
    """Each regexp token is a substring of the input, found after the previous one."""
    position = 0
    for token in analysis.tokenize(text, "regexp"):
        found = text.find(token, position)
        assert found >= 0, (token, text[position : position + 50])
        position = found + len(token)


@settings(max_examples=examples(100), deadline=CHEAP)
@given(text=tokenizer_input, options=text_settings)
def test_analyze_over_settings(warm_text, text, options):
    terms = analysis.analyze(text, options)
    assert isinstance(terms, list)
    assert all(isinstance(t, str) and t for t in terms), terms
    if options.lowercase:
        assert all(t == t.lower() for t in terms), [t for t in terms if t != t.lower()]
    if options.remove_stop_words and options.stemmer == "none" and options.ngram_range == (1, 1):
        assert not {t.lower() for t in terms} & analysis.stop_words()
    # The page shows steps() one by one and counts with analyze(): they must agree.
    assert analysis.steps(text, options).terms == terms


@settings(max_examples=examples(60), deadline=CHEAP)
@given(
    documents=st.lists(st.one_of(st.text(max_size=60), any_text), min_size=1, max_size=5),
    options=text_settings,
    weighting=st.sampled_from(list(bagofwords.WEIGHTINGS)),
)
def test_bag_of_words_works_or_has_an_empty_vocabulary(warm_text, documents, options, weighting):
    """The Text to numbers page shows describe_empty_vocabulary() for any ValueError, so a
    ValueError is only allowed when no document has a single term."""
    terms = [analysis.analyze(d, options) for d in documents]
    try:
        bow = bagofwords.bag_of_words(documents, options, weighting)
    except ValueError:
        assert not any(terms), terms
        assert bagofwords.describe_empty_vocabulary(options).strip()
        return
    assert bow.vocabulary == sorted({t for doc in terms for t in doc})
    assert bow.shape == (len(documents), len(bow.vocabulary))
    assert np.isfinite(bow.matrix.data).all()


# ---------------------------------------------------------------- core/vector_io.py

vector_word = st.text(
    st.characters(exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), min_size=1, max_size=10
).filter(lambda w: not any(c.isspace() for c in w))
float32s = st.floats(width=32, allow_nan=False, allow_infinity=False)


@st.composite
def word_vectors(draw, words=vector_word) -> tuple[list[str], list[list[float]]]:
    """Unique words and one row of float32 values per word (1 to 8 dimensions)."""
    chosen = draw(st.lists(words, min_size=1, max_size=12, unique=True))
    dimension = draw(st.integers(1, 8))
    row = st.lists(float32s, min_size=dimension, max_size=dimension)
    return chosen, [draw(row) for _ in chosen]


def vector_set(spec: tuple[list[str], list[list[float]]]) -> VectorSet:
    from gensim.models import KeyedVectors

    words, rows = spec
    keyed = KeyedVectors(vector_size=len(rows[0]), count=0, dtype=np.float32)
    keyed.add_vectors(list(words), np.array(rows, dtype=np.float32))
    return VectorSet("generated", keyed, "test")


def same_bits(loaded: VectorSet, original: VectorSet, words: list[str] | None = None) -> None:
    """Same words in the same order and bit-for-bit the same float32 vectors."""
    expected_words = list(original.vectors.index_to_key) if words is None else words
    assert list(loaded.vectors.index_to_key) == expected_words
    assert loaded.vectors.vectors.dtype == np.float32
    assert loaded.vectors.vectors.tobytes() == original.vectors.vectors.tobytes()


def check_vector_set(vs: VectorSet) -> None:
    assert isinstance(vs, VectorSet) and len(vs) >= 1 and vs.dimension >= 1
    matrix = np.asarray(vs.vectors.vectors)
    assert matrix.shape == (len(vs), vs.dimension) and matrix.dtype == np.float32
    assert np.isfinite(matrix).all()
    assert all(isinstance(w, str) and w for w in vs.vectors.index_to_key)


@st.composite
def vector_like_bytes(draw) -> bytes:
    """Headers, words and numbers in some order: enough structure to get past the first checks."""
    header = draw(
        st.one_of(
            st.just(""),
            st.builds("{} {}\n".format, st.integers(0, 20), st.integers(0, 12)),
            st.builds(lambda n: "1" * n + " 2\n", st.integers(90, 6_000)),
        )
    )
    number = st.one_of(
        float32s.map(repr),
        st.sampled_from(["nan", "inf", "-inf", "1e999", "1_0", "0x10", "", "abc", "١٢"]),
    )
    line = st.builds(
        lambda w, ns, sep: w + sep + sep.join(ns),
        st.one_of(vector_word, st.text(max_size=4)),
        st.lists(number, max_size=5),
        st.sampled_from([" ", "\t", "  "]),
    )
    body = "\n".join(draw(st.lists(line, max_size=8)))
    raw = (header + body).encode(draw(ENCODINGS), errors="ignore")
    if draw(st.booleans()):
        raw += draw(st.binary(max_size=64))
    return raw


vector_bytes = st.one_of(
    st.binary(max_size=2_000),
    vector_like_bytes(),
    st.builds(
        lambda head, body: head + body,
        st.sampled_from([b"2 3\n", b"1 1\n", b"3 2\n"]),
        st.binary(max_size=80),
    ),
    vector_like_bytes().map(lambda raw: gzip.compress(raw, mtime=0)),
)
vector_names = st.one_of(
    st.sampled_from(["v.txt", "v.bin", "v.txt.gz", "v.vec", "v.model", "v"]), st.text(max_size=20)
)


@pytest.mark.parametrize("fmt", ["auto", "word2vec-text", "word2vec-binary", "glove"])
@settings(max_examples=examples(100), deadline=CHEAP)
@given(name=vector_names, data=vector_bytes)
@example(name="v.txt", data=b"1" * 4_301 + b" 1\n")
def test_load_vectors_arbitrary_input(fmt, name, data):
    result = data_error_or(vector_read.load_vectors, name, data, format=fmt)
    if result is not None:
        check_vector_set(result)


@settings(max_examples=examples(80), deadline=CHEAP)
@given(spec=word_vectors(), fmt=st.sampled_from(["auto", "word2vec-text"]), wrap=st.booleans())
def test_word2vec_text_round_trip_is_exact(spec, fmt, wrap):
    vs = vector_set(spec)
    name, data = maybe_gzip("vectors.txt", vector_write.to_word2vec_text(vs), wrap)
    same_bits(vector_read.load_vectors(name, data, format=fmt), vs)


@settings(max_examples=examples(80), deadline=CHEAP)
@given(spec=word_vectors(), fmt=st.sampled_from(["auto", "word2vec-binary"]), wrap=st.booleans())
# Float bytes with no control byte: b"1 1\n0 \xcd\xccL=\n" looks like text to the first check.
@example(spec=(["0"], [[0.05]]), fmt="auto", wrap=False)
@example(spec=(["0"], [[0.05]]), fmt="word2vec-binary", wrap=False)
def test_word2vec_binary_round_trip_is_exact(spec, fmt, wrap):
    vs = vector_set(spec)
    name, data = maybe_gzip("vectors.bin", vector_write.to_word2vec_binary(vs), wrap)
    same_bits(vector_read.load_vectors(name, data, format=fmt), vs)


@settings(max_examples=examples(80), deadline=CHEAP)
@given(spec=word_vectors(), sep=st.sampled_from([" ", "\t"]), wrap=st.booleans())
def test_glove_round_trip_is_exact(spec, sep, wrap):
    """GloVe text written by hand (no header), values with nine significant digits."""
    vs = vector_set(spec)
    lines = [
        word + sep + sep.join(f"{v:.9g}" for v in row.tolist())
        for word, row in zip(vs.vectors.index_to_key, vs.vectors.vectors, strict=True)
    ]
    name, data = maybe_gzip("glove.txt", ("\n".join(lines) + "\n").encode("utf-8"), wrap)
    same_bits(vector_read.load_vectors(name, data, format="glove"), vs)


@settings(max_examples=examples(80), deadline=CHEAP)
@given(spec=word_vectors(words=st.text(min_size=1, max_size=6)), binary=st.booleans())
@example(spec=(["\x80"], [[0.0]]), binary=False)
def test_any_words_export_then_load_as_written(spec, binary):
    """Words of any characters: export refuses (DataError) or writes export_words(), and the
    file reads back with exactly those words and vectors."""
    vs = vector_set(spec)
    written = data_error_or(vector_write.export_words, vs)
    if written is None:
        return
    data = (vector_write.to_word2vec_binary if binary else vector_write.to_word2vec_text)(vs)
    same_bits(vector_read.load_vectors("vectors", data), vs, written)


# ---------------------------------------------------------------- core/bundle.py

CATCH_ALL = "could not be read as a Deep Text Lab bundle ("


@pytest.fixture(scope="module")
def exported():
    """One tiny classifier, trained once: its bundle bytes, members and probe predictions."""
    from core.classifier.bundle_export import export_bundle
    from core.classifier.splits import split_by_group
    from core.classifier.train import ClassifierSettings, train_classifier
    from core.data.datasets import youtube_spam
    from core.nn.networks import DenseLayer

    split = split_by_group(youtube_spam(), "Shakira")
    trained = train_classifier(split, ClassifierSettings(hidden=(DenseLayer(4),), epochs=1))
    data = export_bundle(trained)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    return data, members


def zip_members(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, payload in members.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), payload)
    return out.getvalue()


def import_or_error(data: bytes):
    """import_bundle() → a classifier that predicts, or a DataError (returned as None)."""
    from core.classifier.bundle import import_bundle
    from core.classifier.train import TrainedClassifier

    try:
        back = import_bundle(data, "upload.zip")
    except DataError as error:
        assert error.message.strip(), repr(error)
        # import_bundle turns any unexpected exception into a DataError; note when it had to.
        caught = CATCH_ALL in error.message
        event(
            "import_bundle: DataError" + (f" by the catch-all: {error.message}" if caught else "")
        )
        return None
    event("import_bundle: TrainedClassifier")
    assert isinstance(back, TrainedClassifier)
    probabilities = back.predict_proba(["check out my channel", "great song"])
    assert probabilities.shape == (2, len(back.label_names))
    assert np.isfinite(probabilities).all()
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    return back


member_names = st.sampled_from(
    ["spec.json", "weights.npz", "features.npz", "config.json", "../spec.json", "x/", "a.txt"]
)


@settings(max_examples=examples(60), deadline=None)
@given(
    data=st.one_of(
        st.binary(max_size=2_000),
        st.builds(lambda rest: b"PK\x03\x04" + rest, st.binary(max_size=200)),
        st.dictionaries(member_names, st.binary(max_size=100), max_size=4).map(zip_members),
    )
)
def test_import_bundle_arbitrary_bytes(data):
    assert import_or_error(data) is None


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_import_bundle_mutated_bytes(exported, data):
    """Flips, cuts and insertions in the zip itself, or in one member before zipping again."""
    raw, members = exported
    if data.draw(st.booleans(), label="whole zip"):
        changed = data.draw(flipped(raw), label="zip bytes")
    else:
        name = data.draw(st.sampled_from(sorted(members)), label="member")
        changed = zip_members(
            {**members, name: data.draw(flipped(members[name]), label="member bytes")}
        )
    import_or_error(changed)


def spec_paths(value, prefix=()):
    """Every place in spec.json an edit can aim at; the long vocabulary only at a few indices."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "vocabulary":
                yield (*prefix, key)
                for index in (0, 1, len(item) - 1):
                    yield (*prefix, key, index)
            else:
                yield from spec_paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from spec_paths(item, (*prefix, index))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


def edited(spec, path, how: str, value):
    """A deep copy of ``spec`` with one edit at ``path``."""
    spec = json.loads(json.dumps(spec))
    if not path:
        return value if how == "replace" else spec
    parent = spec
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    old = parent[last]
    if how == "delete":
        del parent[last]
    elif how == "nudge" and isinstance(old, int | float) and not isinstance(old, bool):
        parent[last] = old + value if isinstance(value, int) else old * 2
    elif how == "add" and isinstance(old, dict):
        old[f"extra_{value!s:.10}"] = value
    elif how == "add" and isinstance(old, list):
        old.append(value)
    else:
        parent[last] = value
    return spec


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_import_bundle_edited_spec(exported, data):
    """One JSON edit of spec.json, zipped again with the real weights: a replaced, deleted,
    added or nudged value anywhere."""
    _, members = exported
    spec = json.loads(members["spec.json"])
    path = data.draw(st.sampled_from(list(spec_paths(spec))), label="path")
    how = data.draw(st.sampled_from(["replace", "delete", "nudge", "add"]), label="edit")
    value = data.draw(st.one_of(st.integers(-3, 3), json_values), label="value")
    spec = edited(spec, path, how, value)
    payload = json.dumps(spec, ensure_ascii=data.draw(st.booleans())).encode()
    back = import_or_error(zip_members({**members, "spec.json": payload}))
    if back is None:
        return
    assert back.net.n_classes == len(back.label_names)
