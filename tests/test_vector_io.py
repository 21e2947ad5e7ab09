"""Reading and writing word-vector files, and the Import and export vectors page."""

import csv
import gzip
import io

import numpy as np
import pytest

from core.embeddings import vector_read, vector_write
from core.embeddings.vectors import VectorSet
from core.errors import DataError
from tests.hostile_files import hostile_vector_files

PAGE = "pages/word_vectors_io.py"


@pytest.fixture(scope="module")
def quick():
    from core.embeddings.word2vec import quick_vector_set

    return quick_vector_set()


def small_set(words, dimension=3, has_counts=False, seed=0) -> VectorSet:
    """Random float32 vectors for ``words``, built directly with gensim (no training)."""
    from gensim.models import KeyedVectors

    keyed = KeyedVectors(vector_size=dimension, count=0, dtype=np.float32)
    rng = np.random.default_rng(seed)
    keyed.add_vectors(list(words), rng.standard_normal((len(words), dimension)).astype(np.float32))
    if has_counts:
        for rank, word in enumerate(words):
            keyed.set_vecattr(word, "count", 100 - rank)
    return VectorSet("small", keyed, "test", has_counts=has_counts)


def same_vectors(a: VectorSet, b: VectorSet) -> bool:
    return list(a.vectors.index_to_key) == list(b.vectors.index_to_key) and np.array_equal(
        a.vectors.vectors, b.vectors.vectors
    )


def error_of(name: str, data: bytes, **kwargs) -> str:
    with pytest.raises(DataError) as caught:
        vector_read.load_vectors(name, data, **kwargs)
    return str(caught.value)


# ---------------------------------------------------------------- round trips


def test_word2vec_text_round_trip_is_exact_and_detected(quick):
    data = vector_write.to_word2vec_text(quick)
    assert data.startswith(f"{len(quick)} 50\n".encode())
    loaded = vector_read.read_vectors("quick.txt", data)
    assert loaded.format == "word2vec-text"
    assert loaded.rows_read == len(quick) and not loaded.warnings
    assert same_vectors(loaded.vector_set, quick)
    vs = loaded.vector_set
    assert vs.has_counts is False and vs.count("the") is None
    assert vs.source == "loaded from quick.txt (word2vec text)"


def test_word2vec_binary_round_trip_is_exact_and_detected(quick):
    data = vector_write.to_word2vec_binary(quick)
    # Header, then per word: the word, a space, 50 float32 values and a newline.
    body = sum(len(w.encode()) + 1 + 200 + 1 for w in quick.vectors.index_to_key)
    assert len(data) == len(f"{len(quick)} 50\n") + body
    loaded = vector_read.read_vectors("quick.bin", data)
    assert loaded.format == "word2vec-binary"
    assert same_vectors(loaded.vector_set, quick)


def test_glove_round_trip_drops_the_header_only(quick):
    glove = vector_write.to_word2vec_text(quick).split(b"\n", 1)[1]
    loaded = vector_read.read_vectors("glove.txt", glove)
    assert loaded.format == "glove"
    assert np.allclose(loaded.vector_set.vectors.vectors, quick.vectors.vectors)
    assert loaded.vector_set.top_words(3) == quick.top_words(3)


def test_tabs_crlf_and_blank_lines_are_read():
    data = b"2 3\r\n\r\nalpha\t1 2 3\r\nbeta 4\t5  6\r\n\r\n"
    vs = vector_read.load_vectors("crlf.txt", data)
    assert vs.vectors["beta"].tolist() == [4.0, 5.0, 6.0]
    assert len(vs) == 2


def test_gzip_input_is_decompressed_and_said(quick):
    data = gzip.compress(vector_write.to_word2vec_binary(quick))
    vs = vector_read.load_vectors("quick.bin.gz", data)
    assert same_vectors(vs, quick)
    assert vs.name == "quick.bin" and "gzip" in vs.source


def test_gensim_reads_our_exports(quick, tmp_path):
    from gensim.models import KeyedVectors

    for binary, make in (
        (False, vector_write.to_word2vec_text),
        (True, vector_write.to_word2vec_binary),
    ):
        path = tmp_path / f"out{int(binary)}"
        path.write_bytes(make(quick))
        theirs = KeyedVectors.load_word2vec_format(str(path), binary=binary)
        assert theirs.index_to_key == quick.vectors.index_to_key
        assert np.array_equal(theirs.vectors, quick.vectors.vectors)


def test_we_read_what_gensim_writes(quick, tmp_path):
    for binary in (False, True):
        path = tmp_path / f"gensim{int(binary)}"
        quick.vectors.save_word2vec_format(str(path), binary=binary)
        vs = vector_read.load_vectors(path.name, path.read_bytes())
        assert np.allclose(vs.vectors.vectors, quick.vectors.vectors)
        assert vs.vectors.index_to_key == quick.vectors.index_to_key


def test_unicode_words_round_trip_in_every_format():
    words = ["東京", "ネコ", "😀", "café", "naïve", "-minus", "=sum"]
    vs = small_set(words, dimension=4)
    for make in (vector_write.to_word2vec_text, vector_write.to_word2vec_binary):
        back = vector_read.load_vectors("u", make(vs))
        assert same_vectors(back, vs)
    vectors_tsv, metadata_tsv = vector_write.to_projector_tsv(vs)
    assert metadata_tsv.decode().splitlines() == words


def test_projector_tsv_round_trip_and_metadata_header_rule():
    words = ["one", "two", "three", "four"]
    plain = small_set(words, dimension=5)
    vectors_tsv, metadata_tsv = vector_write.to_projector_tsv(plain)
    rows = [line.split("\t") for line in vectors_tsv.decode().splitlines()]
    assert len(rows) == 4 and all(len(row) == 5 for row in rows)
    assert np.array_equal(np.array(rows, dtype=np.float32), plain.vectors.vectors)
    # One column: no header, as the projector reads a single column as labels.
    assert metadata_tsv.decode() == "one\ntwo\nthree\nfour\n"

    counted = small_set(words, dimension=5, has_counts=True)
    _, metadata_tsv = vector_write.to_projector_tsv(counted, ["three", "one"])
    table = list(csv.reader(io.StringIO(metadata_tsv.decode()), delimiter="\t"))
    assert table == [["word", "count"], ["three", "98"], ["one", "100"]]


def test_projector_tsv_keeps_the_chosen_words_in_order(quick):
    words = quick.top_words(25)[::-1]
    vectors_tsv, metadata_tsv = vector_write.to_projector_tsv(quick, words)
    lines = vectors_tsv.decode().splitlines()
    assert len(lines) == 25
    assert np.array_equal(np.array(lines[0].split("\t"), dtype=np.float32), quick.vectors[words[0]])
    assert [row.split("\t")[0] for row in metadata_tsv.decode().splitlines()[1:]] == words
    with pytest.raises(DataError, match="not in"):
        vector_write.to_projector_tsv(quick, ["the", "no-such-word-here"])


def test_coordinates_csv_escapes_formula_words():
    data = vector_write.coordinates_csv(
        ["=cmd", "cat"], np.array([[1.0, 2.0], [3.5, -4.0]]), [7, 3]
    )
    rows = list(csv.reader(io.StringIO(data.decode())))
    assert rows == [
        ["word", "x", "y", "count"],
        ["'=cmd", "1.0", "2.0", "7"],
        ["cat", "3.5", "-4.0", "3"],
    ]
    three = vector_write.coordinates_csv(["a"], [[1, 2, 3]])
    assert three.decode().splitlines()[0] == "word,x,y,z"
    with pytest.raises(ValueError):
        vector_write.coordinates_csv(["a", "b"], [[1, 2]])


# ---------------------------------------------------------------- words that formats cannot hold


def test_words_with_spaces_are_written_with_underscores():
    vs = small_set(["new york", "tab\there", "plain"])
    assert vector_write.renamed_words(vs) == [("new york", "new_york"), ("tab\there", "tab_here")]
    back = vector_read.load_vectors("spaces.txt", vector_write.to_word2vec_text(vs))
    assert back.vectors.index_to_key == ["new_york", "tab_here", "plain"]
    assert np.array_equal(back.vectors.vectors, vs.vectors.vectors)
    binary = vector_read.load_vectors("spaces.bin", vector_write.to_word2vec_binary(vs))
    assert binary.vectors.index_to_key == ["new_york", "tab_here", "plain"]
    _, metadata = vector_write.to_projector_tsv(vs)
    assert metadata.decode() == "new_york\ntab_here\nplain\n"


def test_c1_control_characters_are_written_with_underscores():
    # Many C1 controls make the text reader take a file for binary, so export replaces them.
    words = ["\x80", "a\x9fb", "\x7f\x80", "caf\u00e9\u00a9"]
    assert vector_write.export_words(small_set(words)) == ["_", "a_b", "__", "caf\u00e9\u00a9"]
    with pytest.raises(DataError, match="would both be written as '_'"):
        vector_write.export_words(small_set(["\x80", "\x85"]))
    vs = small_set(["\x80", "a\x9fb", "caf\u00e9"])
    assert vector_write.renamed_words(vs) == [("\x80", "_"), ("a\x9fb", "a_b")]
    for make in (vector_write.to_word2vec_text, vector_write.to_word2vec_binary):
        back = vector_read.load_vectors("c1", make(vs))
        assert back.vectors.index_to_key == ["_", "a_b", "caf\u00e9"]
        assert np.array_equal(back.vectors.vectors, vs.vectors.vectors)


def test_export_refuses_words_that_would_collide_or_are_empty():
    with pytest.raises(DataError, match="would both be written as 'new_york'"):
        vector_write.to_word2vec_text(small_set(["new_york", "new york"]))
    with pytest.raises(DataError, match="empty word"):
        vector_write.to_word2vec_binary(small_set(["", "a"]))


def test_a_word_with_a_space_in_a_file_is_a_ragged_row():
    message = error_of("glove.txt", b"new 0.5 0.25\nnew york 0.5 0.25\n")
    assert "Line 2" in message and "contains a space" in message


# ---------------------------------------------------------------- hostile files


@pytest.mark.parametrize("name", list(hostile_vector_files()))
def test_hostile_vector_files_are_refused_with_a_clear_message(name):
    data, expected = hostile_vector_files()[name]
    assert expected in error_of(name, data)


def test_pickles_are_refused_by_name_and_by_magic_even_gzipped():
    for name, data in [
        ("vectors.txt", b"\x80\x05\x95 junk"),
        ("model.pkl", b"4 2\n"),
        ("w.wv.vectors.npy", b"\x93NUMPY\x01\x00"),
        ("vectors.txt.gz", gzip.compress(b"\x80\x04\x95 junk")),
    ]:
        message = error_of(name, data)
        assert "pickle" in message and "can run code" in message
        assert "save_word2vec_format" in message


def test_ragged_row_names_its_line_and_the_first_rows_count():
    message = error_of("g.txt", b"a 1 2 3\nb 1 2 3\n\nc 1 2\n")
    assert "Line 4 of g.txt ('c') has 2 numbers, but line 1 has 3" in message


def test_glove_chosen_for_a_word2vec_file_says_so():
    message = error_of("w.txt", b"2 3\na 1 2 3\nb 1 2 3\n", format="glove")
    assert "Line 2" in message and "looks like a word2vec header" in message


def test_word2vec_text_chosen_for_a_glove_file_names_line_1():
    message = error_of("g.txt", b"a 1 2 3\nb 1 2 3\n", format="word2vec-text")
    assert "Line 1 of g.txt should be the word2vec header" in message


def test_non_numeric_names_line_word_and_position():
    message = error_of("w.txt", b"2 3\nfirst 1 2 3\nsecond 1 2,5 3\n")
    assert "Line 3 of w.txt ('second'): value 2 is '2,5', which is not a number" in message


def test_infinity_and_float32_overflow_are_refused():
    assert "value 1 is 'inf'" in error_of("i.txt", b"a inf 1\n")
    assert "Line 2" in error_of("o.txt", b"a 1 1\nb 1e39 1\n")


def test_lying_header_small_lies_are_found_at_the_end_large_ones_before_reading():
    row = " ".join(["0.125"] * 4)
    message = error_of("w.txt", f"4 4\na {row}\nb {row}\nc {row}\n".encode())
    assert "declares 4 words, but the file has only 3 (the last on line 4)" in message
    message = error_of("w.txt", f"2 4\na {row}\nb {row}\nc {row}\nd {row}\n".encode())
    assert "line 4 holds word number 3 and the file has 4 in all" in message
    message = error_of("w.txt", f"90 4\na {row}\n".encode())
    assert "needs at least" in message and "90 words" in message


def test_header_only_and_zero_sizes():
    assert "the file has none" in error_of("h.txt", b"3 2\n" + b" " * 30)
    assert "there are no vectors" in error_of("z.txt", b"0 50\n")


def test_duplicate_words_keep_the_first_vector_with_a_warning():
    loaded = vector_read.read_vectors("d.txt", b"3 2\na 1 2\nb 3 4\na 5 6\n")
    assert loaded.vector_set.vectors["a"].tolist() == [1.0, 2.0]
    assert len(loaded.vector_set) == 2 and loaded.rows_read == 3
    assert any("'a' on line 4" in w and "first vector" in w for w in loaded.warnings)


def test_max_words_reads_the_first_words_only(quick):
    for make in (vector_write.to_word2vec_text, vector_write.to_word2vec_binary):
        loaded = vector_read.read_vectors("q", make(quick), max_words=100)
        assert loaded.truncated and len(loaded.vector_set) == 100
        assert loaded.vector_set.top_words(100) == quick.top_words(100)
        assert loaded.vector_set.name == "q (first 100)"
        assert any("first 100 words" in w for w in loaded.warnings)


def test_size_limit_is_checked_before_anything_else():
    message = error_of("big.txt", b"x" * 2048, max_bytes=1024)
    assert "the limit is" in message
    bomb = gzip.compress(b"a 1 2\n" * 10_000)
    assert "decompresses to more than" in error_of("bomb.txt.gz", bomb, max_bytes=len(bomb) + 10)


def test_encodings_utf16_with_bom_and_latin1():
    vs = vector_read.load_vectors("u16.txt", "東京 0.5 0.25\ncafé 1 2\n".encode("utf-16"))
    assert vs.vectors.index_to_key == ["東京", "café"]
    loaded = vector_read.read_vectors("l1.txt", "café 0.5 0.25\n".encode("latin-1"))
    assert loaded.vector_set.vectors.index_to_key == ["café"]
    assert any("latin-1" in w for w in loaded.warnings)


def _binary(words_and_rows, dimension, declared=None) -> bytes:
    parts = [f"{declared or len(words_and_rows)} {dimension}\n".encode()]
    for word, row in words_and_rows:
        parts.append(word.encode() + b" " + np.asarray(row, dtype="<f4").tobytes() + b"\n")
    return b"".join(parts)


def test_binary_lying_dimension_count_and_truncation_are_named():
    rows = [("alpha", [0.5, 0.25, 2.0]), ("beta", [1.0, 3.0, -1.0]), ("gamma", [0.0, 1.0, 2.0])]
    good = _binary(rows, 3)
    read = vector_read.load_vectors("g.bin", good)
    assert read.vectors.index_to_key == ["alpha", "beta", "gamma"]
    assert read.vectors["beta"].tolist() == [1.0, 3.0, -1.0]
    lying_dim = good.replace(b"3 3\n", b"3 2\n", 1)
    message = error_of("d.bin", lying_dim, format="word2vec-binary")
    assert "entry 2" in message.lower() and "control bytes" in message
    message = error_of("m.bin", good.replace(b"3 3\n", b"4 3\n", 1), format="word2vec-binary")
    assert "declares 4 words, but the file ends after 3" in message
    message = error_of("f.bin", good.replace(b"3 3\n", b"2 3\n", 1), format="word2vec-binary")
    assert "declares 2 words" in message and "more bytes follow" in message
    message = error_of("t.bin", good[:-6], format="word2vec-binary")
    assert "Entry 3" in message and "needs 12 bytes" in message
    nan = _binary([("a", [0.5, float("nan")])], 2)
    assert "value 2 is nan" in error_of("n.bin", nan)


def test_binary_whose_float_bytes_look_like_text_is_read_as_binary():
    # 0.05 as float32 is b"\xcd\xccL=": no control byte, so the first look says text.
    data = _binary([("0", [0.05]), ("b", [0.05])], 1)
    assert data == b"2 1\n0 \xcd\xccL=\nb \xcd\xccL=\n"
    for fmt in ("auto", "word2vec-binary"):
        loaded = vector_read.read_vectors("v", data, format=fmt)
        assert loaded.format == "word2vec-binary" and not loaded.warnings
        assert loaded.vector_set.vectors.index_to_key == ["0", "b"]
        assert loaded.vector_set.vectors.vectors.tolist() == [[np.float32(0.05)]] * 2
    assert "word2vec binary file, not text" in error_of("v", data, format="word2vec-text")
    # Without the binary fallback fitting exactly, the text error stands.
    assert "not a number" in error_of("v", data + b"x")


def test_word2vec_text_that_also_fits_as_binary_stays_text():
    # "0.25" is four bytes, so this file also parses as one binary entry; text wins in 'auto'.
    data = b"1 1\nw 0.25\n"
    loaded = vector_read.read_vectors("v", data)
    assert loaded.format == "word2vec-text"
    assert loaded.vector_set.vectors["w"].tolist() == [0.25]


def test_header_too_long_for_int_names_line_1():
    data = b"1" * 4_301 + b" 1\n"
    message = error_of("v.txt", data, format="word2vec-text")
    assert "Line 1 of v.txt is 4,303 characters long" in message
    assert "Line 1 of v.txt" in error_of("v.txt", data, format="word2vec-binary")


def test_formats_chosen_against_the_file_are_explained(quick):
    text = vector_write.to_word2vec_text(small_set(["a", "b"]))
    binary = vector_write.to_word2vec_binary(small_set(["a", "b"]))
    assert "it is word2vec text" in error_of("t", text, format="word2vec-binary")
    assert "word2vec binary file, not text" in error_of("b", binary, format="word2vec-text")
    assert "not a word2vec header" in error_of("g", b"a 1 2\n", format="word2vec-binary")


def test_export_file_stem_is_safe():
    assert vector_write.export_file_stem("skip-gram d50 w5 · lee_background") == (
        "skip-gram_d50_w5_lee_background"
    )
    assert vector_write.export_file_stem("../../etc") == "etc"
    assert vector_write.export_file_stem("glove.6B.50d.txt.gz") == "glove.6B.50d"
    assert vector_write.export_file_stem("mine.txt (first 100)") == "mine.txt_first_100"
    assert vector_write.export_file_stem("···") == "vectors"


# ---------------------------------------------------------------- the page


def test_page_opens_without_vectors_and_offers_a_quick_model():
    from tests.app_pages import open_page

    at = open_page(PAGE)
    assert not at.exception
    assert at.title[0].value == "Import and export vectors"
    assert any("No word vectors in this session to export yet" in i.value for i in at.info)
    assert at.button(key="io_export_choice_quick")
    assert not at.get("download_button")


def test_page_offers_the_four_downloads_for_a_session_model(quick):
    from tests.app_pages import open_page

    at = open_page(PAGE)
    at.session_state["word_vectors"] = {quick.name: quick}
    at.session_state["word_vectors_current"] = quick.name
    at.run()
    assert not at.exception
    labels = [button.label for button in at.get("download_button")]
    assert labels == [
        "word2vec text (.txt)",
        "word2vec binary (.bin)",
        "vectors.tsv",
        "metadata.tsv",
    ]
    assert at.slider(key=f"io_tsv_words_{quick.name}").value == len(quick)
    assert any("TensorFlow Embedding Projector" in i.value for i in at.info)


def test_page_upload_adds_vectors_and_a_bad_file_keeps_them():
    from tests.app_pages import open_page

    at = open_page(PAGE)
    data = b"3 2\nalpha 0.5 0.25\nbeta 1 2\ngamma -1 0\n"
    at.file_uploader(key="io_upload").set_value(("mine.txt", data, "text/plain")).run()
    assert not at.exception
    assert "3 words × 2 dimensions" in at.success[0].value
    sets = at.session_state["word_vectors"]
    assert list(sets) == ["mine.txt"] and sets["mine.txt"].vectors.index_to_key[0] == "alpha"

    at.file_uploader(key="io_upload").set_value(("w.model", b"junk", "application/x")).run()
    assert not at.exception
    assert "can run code" in at.error[0].value
    assert list(at.session_state["word_vectors"]) == ["mine.txt"]
    assert [b.label for b in at.get("download_button")][:1] == ["word2vec text (.txt)"]


def test_page_reading_the_same_file_with_a_limit_replaces_its_vectors():
    from tests.app_pages import open_page

    at = open_page(PAGE)
    data = b"3 2\nalpha 0.5 0.25\nbeta 1 2\ngamma -1 0\n"
    at.file_uploader(key="io_upload").set_value(("mine.txt", data, "text/plain")).run()
    at.number_input(key="io_limit").set_value(2).run()
    assert not at.exception
    sets = at.session_state["word_vectors"]
    assert list(sets) == ["mine.txt (first 2)"] and len(sets["mine.txt (first 2)"]) == 2
    assert any("first 2 words" in w.value for w in at.warning)
