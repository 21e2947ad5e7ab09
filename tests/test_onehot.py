"""One-hot versus embedding: the maths in core/onehot.py and the page through AppTest."""

import numpy as np
import pytest

from core.embeddings import onehot
from core.figures.onehot import memory_figure, similarity_heatmap, word_arrows_figure
from tests.app_pages import open_page

PAGE = "pages/one_hot_vs_embedding.py"


def test_parse_words_keeps_phrases_order_and_reports_duplicates():
    parsed = onehot.parse_words("Soft, teddy   bear,\nbook, soft,, ;cat")
    assert parsed.words == ("soft", "teddy bear", "book", "cat")
    assert parsed.duplicates == ("soft",)
    assert parsed.size == 4
    assert onehot.parse_words(" , ,\n").words == ()
    many = onehot.parse_words(",".join(f"w{i}" for i in range(12)), limit=10)
    assert many.size == 10 and many.truncated == 2


@pytest.mark.parametrize("size", [1, 3, 7, 25])
def test_one_hot_size_and_cosine_is_identity(size):
    matrix = onehot.one_hot_matrix(size)
    assert matrix.shape == (size, size)
    assert (matrix.sum(axis=1) == 1).all()
    cosine = onehot.cosine_matrix(matrix)
    off_diagonal = cosine[~np.eye(size, dtype=bool)]
    assert (off_diagonal == 0.0).all()
    assert (np.diag(cosine) == 1.0).all()


def test_one_hot_vector_has_length_v_and_one_at_the_index():
    words = ("soft", "teddy bear", "book", "cat")
    vector = onehot.one_hot("book", words)
    assert vector.shape == (len(words),)
    assert vector.tolist() == [0, 0, 1, 0]


def test_cosine_rejects_zero_vectors():
    with pytest.raises(ValueError, match="zero vector"):
        onehot.cosine_matrix(np.array([[1.0, 0.0], [0.0, 0.0]]))


def test_hand_made_embedding_groups_the_slide_words():
    table = onehot.embedding_table(onehot.DEFAULT_WORDS)
    assert table.missing == () and table.dim == 3
    cos = onehot.cosine_matrix(table.matrix)
    at = {w: i for i, w in enumerate(table.words)}

    def sim(a, b):
        return cos[at[a], at[b]]

    # The slide: teddy bear and soft point in similar directions, book elsewhere.
    assert sim("teddy bear", "soft") > 0.9 > sim("teddy bear", "book")
    assert sim("soft", "cute") > 0.9 and sim("book", "reading") > 0.9 and sim("cat", "dog") > 0.9
    for close, far in [("soft", "book"), ("reading", "cat"), ("dog", "book")]:
        assert sim(close, far) < 0.5


def test_words_without_a_vector_are_listed_not_invented():
    table = onehot.embedding_table(("soft", "zebra", "book", "quantum"))
    assert table.words == ("soft", "book")
    assert table.missing == ("zebra", "quantum")
    assert table.matrix.shape == (2, 3)
    empty = onehot.embedding_table(("zebra",))
    assert empty.matrix.shape == (0, 3)


@pytest.mark.parametrize("word", onehot.DEFAULT_WORDS)
def test_lookup_one_hot_times_matrix_is_the_row(word):
    table = onehot.embedding_table(onehot.DEFAULT_WORDS)
    found = onehot.lookup(word, table)
    np.testing.assert_array_equal(found.product, table.matrix[table.words.index(word)])
    np.testing.assert_array_equal(found.product, found.row)
    assert found.one_hot.sum() == 1 and found.one_hot[found.index] == 1


def test_lookup_of_an_unknown_word_is_refused():
    with pytest.raises(ValueError, match="no row"):
        onehot.lookup("zebra", onehot.embedding_table(onehot.DEFAULT_WORDS))


@pytest.mark.parametrize("vocab_size,dim", [(1_000, 16), (10_000, 128), (1_000_000, 1024)])
def test_memory_formulas(vocab_size, dim):
    cost = onehot.memory_cost(onehot.MemorySettings(vocab_size, dim))
    assert cost.one_hot_vector == vocab_size * 4
    assert cost.dense_vector == dim * 4
    assert cost.one_hot_table == vocab_size * vocab_size * 4
    assert cost.dense_table == vocab_size * dim * 4
    assert cost.ratio == pytest.approx(vocab_size / dim)


def test_memory_settings_and_curve():
    with pytest.raises(ValueError):
        onehot.MemorySettings(0, 16)
    curve = onehot.memory_curve(64, (1_000, 2_000))
    assert curve["one-hot table (bytes)"] == [4_000_000, 16_000_000]
    assert curve["dense table (bytes)"] == [256_000, 512_000]
    assert onehot.VOCAB_CHOICES[0] == 1_000 and onehot.VOCAB_CHOICES[-1] == 1_000_000
    assert onehot.DIM_CHOICES[0] == 16 and onehot.DIM_CHOICES[-1] == 1024


def test_human_bytes():
    assert onehot.human_bytes(512) == "512 B"
    assert onehot.human_bytes(4096) == "4.0 KiB"
    assert onehot.human_bytes(4 * 10**12) == "3.6 TiB"


def test_figures_hold_the_data():
    words = ("soft", "book")
    heat = similarity_heatmap(np.eye(2), words)
    assert heat.data[0].zmin == -1 and heat.data[0].zmax == 1
    arrows = word_arrows_figure(words, np.eye(3)[:2])
    assert [t.name for t in arrows.data if t.type == "scatter3d"] == list(words)
    mem = memory_figure([1_000, 10_000], [4e6, 4e8], [5e5, 5e6], 10_000, 128)
    assert mem.layout.yaxis.type == "log" and list(mem.data[0].y) == [4e6, 4e8]


def test_show_the_code_runs(capsys):
    table = onehot.embedding_table(("soft", "book", "zebra", "cat"))
    code = onehot.lookup_code(table, "cat", onehot.MemorySettings(2_000, 32))
    assert "V, d = 2000, 32" in code and "keras.layers.Embedding" in code
    exec(compile(code, "<show the code>", "exec"), {})
    out = capsys.readouterr().out
    assert "cat -> [0.45 0.85 0.05]" in out
    assert "one-hot table: 16000000 bytes; dense table: 256000 bytes" in out


def test_page_renders_and_v_follows_the_words():
    at = open_page(PAGE)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "One-hot versus embedding"
    assert at.metric[0].value == str(len(onehot.DEFAULT_WORDS))
    assert not at.warning

    at.text_input(key="oh_words").set_value("soft, teddy bear, book, zebra, kite").run()
    assert not at.exception
    assert at.metric[0].value == "5"
    assert any("zebra, kite" in w.value for w in at.warning)

    at.text_input(key="oh_words").set_value("soft, book").run()
    assert at.metric[0].value == "2"
    assert at.selectbox(key="oh_lookup_word").options == ["soft", "book"]


def test_page_lookup_and_memory_widgets():
    at = open_page(PAGE)
    at.selectbox(key="oh_lookup_word").set_value("dog").run()
    product = at.dataframe[-2].value  # e_w, just before the memory data
    assert product.to_numpy().tolist()[0] == pytest.approx([0.35, 0.90, 0.10])
    at.select_slider(key="oh_vocab_size").set_value(100_000).run()
    at.select_slider(key="oh_dim").set_value(256).run()
    assert not at.exception
    values = {m.label: m.value for m in at.metric}
    assert values["One-hot table (V x V x 4 B)"] == onehot.human_bytes(100_000**2 * 4)
    assert values["Dense table (V x d x 4 B)"] == onehot.human_bytes(100_000 * 256 * 4)
    code = at.expander[-1].code[0].value
    assert "V, d = 100000, 256" in code and "words.index('dog')" in code


def test_page_with_no_words_says_how_to_fix_it():
    at = open_page(PAGE)
    at.text_input(key="oh_words").set_value(" , ").run()
    assert not at.exception
    assert "No words to show" in at.error[0].value
