"""The data layer: embedded datasets and reading uploads in every format, hostile files included."""

import gzip

import numpy as np
import pytest

from core.data import datasets, reading
from core.data.datasets import Corpus, LabelledText
from core.data.reading import parse_upload
from core.errors import DataError
from tests.hostile_files import hostile_files, utf16_corpus


def labelled_csv(rows: int = 12, classes=("spam", "ham")) -> bytes:
    lines = ["message,category"]
    for i in range(rows):
        lines.append(f'"text number {i}, with a comma",{classes[i % len(classes)]}')
    return ("\n".join(lines) + "\n").encode()


# ---------------------------------------------------------------- embedded defaults


def test_youtube_spam_has_the_published_counts():
    data = datasets.youtube_spam()
    assert len(data) == 1956
    assert data.class_counts() == {"not spam": 951, "spam": 1005}
    assert set(data.groups) == set(datasets.YOUTUBE_VIDEOS)
    psy = datasets.youtube_spam(["Psy"])
    assert len(psy) == 350 and psy.class_counts() == {"not spam": 175, "spam": 175}


def test_youtube_unknown_video_is_a_data_error():
    with pytest.raises(DataError, match="Unknown video"):
        datasets.youtube_spam(["Nobody"])


def test_youtube_accepts_the_original_class_column(tmp_path, monkeypatch):
    source = datasets.YOUTUBE_DIR / "Youtube01-Psy.csv"
    text = source.read_text(encoding="utf-8").replace(",label\n", ",CLASS\n", 1)
    (tmp_path / "Youtube01-Psy.csv").write_text(text, encoding="utf-8")
    monkeypatch.setattr(datasets, "YOUTUBE_DIR", tmp_path)
    assert datasets.youtube_spam(["Psy"]).class_counts() == {"not spam": 175, "spam": 175}


def test_gensim_corpora_load_from_the_installed_package():
    lee = datasets.gensim_corpus("lee_background.cor")
    assert len(lee) == 300
    assert lee.documents[0].startswith("Hundreds of people have been forced")
    head = datasets.gensim_corpus("Wikipedia head 500 (250 docs)")
    assert len(head) == 250
    with pytest.raises(DataError):
        datasets.gensim_corpus("nope.cor")


def test_pang_lee_polarity_is_balanced_fasttext():
    data = datasets.pang_lee_polarity()
    assert len(data) == 200
    assert data.class_counts() == {"neg": 100, "pos": 100}
    assert not data.texts[0].startswith("__label__")


def test_digits_and_stocks():
    images, labels = datasets.digits()
    assert images.shape == (1797, 8, 8) and set(labels) == set(range(10))
    prices = datasets.stocks()
    assert {"GOOG", "AAPL"} <= set(prices.columns) and len(prices) > 100


def test_lagged_windows_use_last_week_to_predict_tomorrow():
    X, y = datasets.lagged_windows([1, 2, 3, 4, 5, 6, 7], window=5)
    np.testing.assert_array_equal(X, [[1, 2, 3, 4, 5], [2, 3, 4, 5, 6]])
    np.testing.assert_array_equal(y, [6, 7])
    with pytest.raises(DataError):
        datasets.lagged_windows([1, 2, 3], window=5)


def test_upload_limit_is_the_streamlit_one():
    import tomllib

    config = tomllib.loads((datasets.PROJECT_ROOT / ".streamlit/config.toml").read_text())
    assert config["server"]["maxUploadSize"] == datasets.MAX_UPLOAD_MB


# ---------------------------------------------------------------- formats


def test_csv_with_named_columns():
    result = parse_upload("my.csv", labelled_csv())
    assert isinstance(result, LabelledText)
    assert len(result) == 12
    assert result.texts[0] == "text number 0, with a comma"
    assert result.classes == ["ham", "spam"]
    assert "CSV" in result.format and "message" in result.format and "category" in result.format


@pytest.mark.parametrize(
    "text_col,label_col", [("v2", "v1"), ("CONTENT", "CLASS"), ("Text", "Label")]
)
def test_csv_column_names_are_found_case_insensitively(text_col, label_col):
    body = "".join(
        f"{label_col},{text_col}\n" if i == 0 else f"{'ab'[i % 2]},hello {i}\n" for i in range(13)
    )
    result = parse_upload("x.csv", body.encode())
    assert isinstance(result, LabelledText) and len(result) == 12


def test_uci_tsv_without_header():
    rows = [f"{'spam' if i % 3 == 0 else 'ham'}\tmessage {i}, free prize" for i in range(15)]
    result = parse_upload("SMSSpamCollection", "\n".join(rows).encode())
    assert isinstance(result, LabelledText)
    assert result.format.startswith("UCI TSV")
    assert result.texts[0] == "message 0, free prize" and result.labels[0] == "spam"


def test_fasttext_lines():
    rows = [f"__label__{'pos' if i % 2 else 'neg'} review number {i}" for i in range(12)]
    result = parse_upload("reviews.txt", "\n".join(rows).encode())
    assert isinstance(result, LabelledText) and result.format.startswith("fastText")
    assert result.texts[1] == "review number 1" and result.labels[1] == "pos"


def test_plain_corpus_and_gzip():
    raw = b"first document here\n\nsecond document\n"
    for name, data in [("c.txt", raw), ("c.cor.gz", gzip.compress(raw))]:
        result = parse_upload(name, data)
        assert isinstance(result, Corpus)
        assert result.documents == ("first document here", "second document")
    assert "gzip" in parse_upload("c.cor.gz", gzip.compress(raw)).format


def test_labelled_file_gives_its_text_column_as_corpus():
    result = parse_upload("my.csv", labelled_csv(), want="corpus")
    assert isinstance(result, Corpus) and len(result) == 12


def test_text_column_without_labels_is_a_corpus_but_not_labelled():
    data = b"text,score\nhello world,1\nsecond row,2\n"
    assert isinstance(parse_upload("x.csv", data), Corpus)
    with pytest.raises(DataError, match="no label column"):
        parse_upload("x.csv", data, want="labelled")


def test_plain_text_is_refused_when_labels_are_required():
    with pytest.raises(DataError, match="no labels"):
        parse_upload("x.txt", b"just some text\nmore text\n", want="labelled")


# ---------------------------------------------------------------- encodings


def test_encodings():
    text = "café naïve\nsecond line\n"
    assert parse_upload("a.txt", text.encode("utf-8")).documents[0] == "café naïve"
    bom = parse_upload("a.txt", b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert bom.documents[0] == "café naïve" and "BOM" in bom.format
    utf16 = parse_upload("a.txt", utf16_corpus())
    assert utf16.documents[0] == "première ligne du corpus" and "UTF-16" in utf16.format
    latin = parse_upload("a.txt", text.encode("latin-1"))
    assert latin.documents[0] == "café naïve"
    assert "latin-1" in latin.format and latin.warnings and "UTF-8" in latin.warnings[0]
    assert not parse_upload("a.txt", text.encode("utf-8")).warnings


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "name,pattern",
    [
        ("empty.txt", "empty"),
        ("binary.txt", "NUL"),
        ("random.bin", "binary"),
        ("long_line.txt", "Line 1 .* characters"),
        ("wide.csv", "5,000 columns"),
        ("one_class.csv", "one class only"),
        ("no_text_column.csv", "no text column"),
        ("unbalanced.csv", "unbalanced quote"),
    ],
)
def test_hostile_files_give_a_data_error_with_a_hint(name, pattern):
    with pytest.raises(DataError, match=pattern) as info:
        parse_upload(name, hostile_files()[name], want="labelled")
    assert info.value.message and info.value.hint


def test_size_limit_and_gzip_bomb():
    with pytest.raises(DataError, match="limit is 1 MB"):
        parse_upload("big.txt", b"a" * (1024 * 1024 + 1), max_bytes=1024 * 1024)
    bomb = gzip.compress(b"a\n" * (5 * 1024 * 1024))
    assert len(bomb) < 1024 * 1024
    with pytest.raises(DataError, match="decompresses to more than"):
        parse_upload("bomb.txt.gz", bomb, max_bytes=1024 * 1024)


def test_too_few_rows_and_rare_class():
    with pytest.raises(DataError, match="at least 10"):
        parse_upload("x.csv", labelled_csv(rows=4))
    rows = "text,label\n" + "".join(f"t{i},a\n" for i in range(12)) + "lonely,b\n"
    with pytest.raises(DataError, match="fewer than 2"):
        parse_upload("x.csv", rows.encode())


def test_blank_rows_are_skipped_and_reported_by_line():
    data = labelled_csv() + b'"",spam\n'
    result = parse_upload("x.csv", data)
    assert len(result) == 12 and result.skipped == ((14, "no text"),)


def test_data_error_str_has_message_and_hint():
    error = DataError("Bad file.", "Fix it.")
    assert str(error) == "Bad file. Fix it."


def test_decode_bytes_reports_the_encoding():
    assert reading.decode_bytes("naïve".encode()).encoding == "UTF-8"
    assert reading.decode_bytes(b"\xef\xbb\xbfhi").text == "hi"
    assert reading.decode_bytes("hi".encode("utf-16")).encoding == "UTF-16 with BOM"
    latin = reading.decode_bytes("naïve".encode("latin-1"))
    assert latin.encoding == "latin-1" and latin.text == "naïve" and latin.warnings
    with pytest.raises(DataError, match="UTF-16"):
        reading.decode_bytes(b"\xff\xfe\x00\xd8")  # a lone surrogate is not valid UTF-16
    with pytest.raises(DataError, match="binary"):
        reading.decode_bytes(bytes(range(1, 32)) * 50)
