"""Reading labelled files exactly as they come: label<TAB>text read literally, CSV text split at
commas joined back, and every row that cannot be read reported by its line number."""

import csv
import gzip
import io
import random

import pytest

from core.data.datasets import Corpus, LabelledText
from core.data.formats import line_list, split_lines
from core.data.reading import parse_upload, skipped_summary
from core.errors import DataError

# ---------------------------------------------------------------- label<TAB>text, no header


def sms_text(i: int, rng: random.Random) -> str:
    """One message with the quotes and tabs real SMS files hold, chosen by ``i``."""
    shapes = [
        f'"Hi {i}" he said, then he left',  # a quote at the start
        f'I said "no way {i} and walked off',  # an unbalanced quote
        f'"The whole message {i} is quoted"',  # quotes around the whole text
        f"tab\tinside {i}\tthe text",  # stray tabs
        f'He said ""{i}"" twice, "again" and "once more',  # several quotes
        f"Free entry {i}, call 0800 now! T&C's apply",
        '"',  # a message that is one quote
        f'{i}" inches, "quoted", \'single\' and a last "',
        f"Ok lar... Joking wif u oni {i}...",
    ]
    return shapes[i % len(shapes)] + " x" * rng.randint(0, 3)


def sms_collection(n: int = 1_200) -> tuple[list[str], list[str], bytes]:
    """The SMS Spam Collection's layout: ``label<TAB>text`` lines, no header, no quoting."""
    rng = random.Random(3)
    labels = ["spam" if rng.random() < 0.2 else "ham" for _ in range(n)]
    texts = [sms_text(i, rng) for i in range(n)]
    body = "".join(f"{label}\t{text}\n" for label, text in zip(labels, texts, strict=True))
    return texts, labels, body.encode("utf-8")


@pytest.mark.parametrize("name", ["SMSSpamCollection", "sms.tsv", "sms.txt", "sms.tab.gz"])
def test_sms_collection_is_read_literally_quotes_and_tabs_included(name):
    texts, labels, data = sms_collection()
    if name.endswith(".gz"):
        data = gzip.compress(data, mtime=0)

    result = parse_upload(name, data, want="labelled")

    assert isinstance(result, LabelledText)
    assert len(result) == len(texts) == 1_200
    assert result.texts == tuple(texts)
    assert result.labels == tuple(labels)
    assert result.format.startswith("UCI TSV") and "literally" in result.format
    assert not result.skipped and not result.warnings
    corpus = parse_upload(name, data, want="corpus")
    assert isinstance(corpus, Corpus) and corpus.documents == tuple(texts)


def test_sms_collection_with_windows_line_ends_and_a_bom():
    texts, labels, data = sms_collection(300)
    data = b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n")
    result = parse_upload("SMSSpamCollection", data)
    assert result.texts == tuple(texts) and result.labels == tuple(labels)


def test_cp1252_ellipsis_read_as_latin1_does_not_split_a_line():
    # Byte 0x85 is "…" in cp1252 and NEL in latin-1, which str.splitlines would break at.
    rows = [
        f"{'spam' if i % 4 == 0 else 'ham'}\tWait\u2026 {i} \u00a3100, see you at the station later".encode(
            "cp1252"
        )
        for i in range(20)
    ]
    result = parse_upload("SMSSpamCollection", b"\n".join(rows), want="labelled")
    assert len(result) == 20 and result.texts[3].startswith("Wait\x85 3 \u00a3100, see")
    assert "latin-1" in result.format and result.warnings


def test_broken_lines_are_reported_by_number_and_the_rest_read():
    lines = [f"{'spam' if i % 3 == 0 else 'ham'}\tmessage {i}" for i in range(30)]
    lines[4] = "a line with no tab at all"
    lines[9] = "spam\t   "
    lines[14] = "\torphan text without a label"
    lines[19] = ""  # blank lines are not rows, and are not reported
    data = ("\r\n".join(lines) + "\r\n").encode()

    result = parse_upload("sms.tsv", data, want="labelled")

    assert len(result) == 26
    assert result.skipped == (
        (5, "no tab between the label and the text"),
        (10, "no text"),
        (15, "no label"),
    )
    assert "message 4" not in result.texts and result.texts[4] == "message 5"


def test_a_header_naming_the_label_column_is_not_a_class():
    lines = ["label\tsms"] + [f"{'ab'[i % 2]}\tmessage {i}" for i in range(12)]
    result = parse_upload("data.tsv", "\n".join(lines).encode(), want="labelled")
    assert result.classes == ["a", "b"] and len(result) == 12
    assert any("Line 1" in w and "header" in w for w in result.warnings)


def test_a_tsv_with_a_header_honours_csv_quoting_when_its_quotes_follow_the_rules():
    texts = [f'He said "hi {i}"\tand left' if i % 2 else f"plain {i}" for i in range(12)]
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter="\t")
    writer.writerow(["label", "text"])
    writer.writerows([["ab"[i % 2], t] for i, t in enumerate(texts)])
    result = parse_upload("quoted.tsv", out.getvalue().encode(), want="labelled")
    assert result.texts == tuple(texts) and not result.warnings
    assert result.format.startswith("TSV (text column 'text'")


def test_a_tsv_with_a_header_and_literal_quotes_is_read_line_by_line():
    texts = [f'"Hi {i}" she said' if i % 3 else f'unbalanced " {i}\tand a tab' for i in range(15)]
    body = "label\ttext\n" + "".join(f"{'ab'[i % 2]}\t{t}\n" for i, t in enumerate(texts))
    result = parse_upload("sms.tsv", body.encode(), want="labelled")
    assert result.texts == tuple(texts)
    assert "quotes read literally" in result.format
    assert any("do not follow CSV" in w for w in result.warnings)


def test_a_csv_name_is_never_read_as_label_tab_text():
    lines = [f"{'ab'[i % 2]}\tmessage {i}" for i in range(12)]
    with pytest.raises(DataError, match="no text column"):
        parse_upload("tabs.csv", "\n".join(lines).encode(), want="labelled")


# ---------------------------------------------------------------- CSV: v1,v2,,,


def kaggle_spam_csv(rows: int = 600, spilled: int = 50) -> tuple[list[str], list[str], bytes]:
    """The widespread CSV copy of the SMS collection: header ``v1,v2,,,``, cp1252 bytes, texts
    with commas quoted, and ``spilled`` rows whose text was split at commas into the unnamed
    columns (up to three of them, two rows more than that)."""
    rng = random.Random(11)
    spill_at = set(rng.sample(range(rows), spilled))
    texts, labels, lines = [], [], ["v1,v2,,,"]
    for i in range(rows):
        label = "spam" if i % 7 == 0 else "ham"
        if i in spill_at:
            commas = 1 + i % 3 if i % 25 else 5
            pieces = [f"part {k} of {i}" + (" \u00a3150" if k else "") for k in range(commas + 1)]
            pieces[-1] += ' G o o d n i g h t . . .@"' if i % 2 else "\u2026 see u"
            text = ", ".join(pieces)
            lines.append(f"{label},{text}" + "," * max(0, 3 - commas))
        elif i % 3 == 0:
            text = f"Go until jurong point {i}, crazy\u2026 caf\u00e9"
            lines.append(f'{label},"{text}",,,')
        else:
            text = f"Ok lar {i}... Joking wif u oni \u00e9t\u00e9"
            lines.append(f"{label},{text},,,")
        texts.append(text.encode("cp1252").decode("latin-1"))
        labels.append(label)
    return texts, labels, ("\r\n".join(lines) + "\r\n").encode("cp1252")


def test_kaggle_spam_csv_text_split_at_commas_is_joined_back():
    texts, labels, data = kaggle_spam_csv()

    result = parse_upload("spam.csv", data, want="labelled")

    assert len(result) == 600 and not result.skipped
    assert result.texts == tuple(texts) and result.labels == tuple(labels)
    assert "latin-1" in result.format
    restored = [w for w in result.warnings if "joined back" in w]
    assert len(restored) == 1 and restored[0].startswith("50 rows had their text split at commas")
    assert any("not valid UTF-8" in w for w in result.warnings)


def test_rows_wider_than_the_header_are_reported_when_text_is_not_last():
    body = "text,label\nhello,a\n" + "".join(f"row {i},{'ab'[i % 2]}\n" for i in range(12))
    body += "hello, world,a\nshort row\n"
    result = parse_upload("x.csv", body.encode(), want="labelled")
    assert len(result) == 13
    assert result.skipped == ((15, "3 fields where the header has 2"), (16, "no label"))


def test_a_row_that_breaks_csv_quoting_is_reported_and_the_rest_read():
    body = "text,label\n" + "".join(f"row {i},{'ab'[i % 2]}\n" for i in range(12))
    body += '"quoted" then more,a\n"opened\nand closed"x,b\nlast row,b\n'
    result = parse_upload("x.csv", body.encode(), want="labelled")
    assert len(result) == 13 and result.texts[-1] == "last row"
    assert [line for line, _ in result.skipped] == [14, 15]
    assert "runs to line 16" in result.skipped[1][1]


def test_a_corpus_from_a_table_reports_rows_without_text():
    result = parse_upload("x.csv", b"text,score\nhello,1\n,2\nworld,3\n")
    assert isinstance(result, Corpus) and result.documents == ("hello", "world")
    assert result.skipped == ((3, "no text"),)


# ---------------------------------------------------------------- fastText


def test_fasttext_lines_without_a_label_or_text_are_reported():
    lines = [f"__label__{'ab'[i % 2]} review {i}" for i in range(12)]
    lines[2] = "no label on this line"
    lines[5] = "__label__a"
    lines[7] = "__label__b __label__a two labels"
    result = parse_upload("r.txt", "\n".join(lines).encode(), want="labelled")
    assert result.skipped == ((3, "no __label__ tag"), (6, "no text"))
    assert len(result) == 10 and "two labels" in result.texts
    assert any("more than one label" in w and "line 8" in w for w in result.warnings)
    corpus = parse_upload("r.txt", "\n".join(lines).encode(), want="corpus")
    assert "no label on this line" in corpus.documents and corpus.skipped == ((6, "no text"),)


# ---------------------------------------------------------------- reporting


def test_too_few_rows_names_the_rows_left_out():
    lines = [f"{'ab'[i % 2]}\tmessage {i}" for i in range(6)] + ["spam\t "] * 40
    with pytest.raises(DataError, match="6 usable labelled rows") as info:
        parse_upload("x.tsv", "\n".join(lines).encode(), want="labelled")
    assert "40 rows could not be read" in info.value.message
    assert "lines 7, 8, 9, 10, 11 and 35 more" in info.value.message
    assert info.value.message.endswith("The first: no text.")


def test_split_lines_counts_lines_as_editors_do():
    assert split_lines("a\r\nb\rc\nd\u2028e\x85f\n") == ["a", "b", "c", "d\u2028e\x85f"]
    assert split_lines("a\n\n") == ["a", ""] and split_lines("") == []


def test_line_lists_and_summaries_are_short_sentences():
    assert line_list([4]) == "line 4"
    assert line_list([1, 2]) == "lines 1 and 2"
    assert line_list(list(range(1, 9))) == "lines 1, 2, 3, 4, 5 and 3 more"
    assert skipped_summary([(3, "no text")]) == "1 row could not be read and was left out (line 3)."
    assert skipped_summary([(3, "x"), (1_200, "y")]).startswith("2 rows could not be read")
