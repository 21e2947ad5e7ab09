"""Projecting word vectors: core.embeddings.projection, its figures and the page."""

import sys

import numpy as np
import pytest

from core.embeddings.projection import (
    ProjectionSettings,
    cache_key,
    find_word,
    project,
    projection_words,
    run_projection,
    unit_length,
    word_matrix,
)
from core.embeddings.projection_table import (
    axis_titles,
    map_neighbours,
    neighbour_overlap,
    projection_frame,
)
from core.embeddings.vectors import VectorSet
from core.errors import DataError
from core.figures.projection import is_label_word, projection_figure
from tests.app_pages import open_page

FAST = {"perplexity": 10.0, "max_iter": 250, "n_neighbors": 5, "n_epochs": 30}


@pytest.fixture(scope="module")
def vs():
    from core.embeddings.word2vec import quick_vector_set

    return quick_vector_set()


@pytest.fixture(scope="module")
def rare_word(vs):
    """A word well outside the 60 most frequent, whose neighbours are mostly outside them too."""
    return vs.vectors.index_to_key[700]


def matrix_of(vs, settings, **kwargs):
    return word_matrix(vs, projection_words(vs, settings, **kwargs))


# ---------------------------------------------------------------- shapes and methods


@pytest.mark.parametrize("n_components", [2, 3])
@pytest.mark.parametrize("method", ["pca", "tsne"])
def test_each_method_gives_one_row_per_word(vs, method, n_components):
    settings = ProjectionSettings(method=method, n_components=n_components, n_words=60, **FAST)
    coords = project(matrix_of(vs, settings), settings)
    assert coords.shape == (60, n_components)
    assert np.isfinite(coords).all()


def test_umap_in_3d_reports_its_epochs_without_loading_tensorflow(vs):
    settings = ProjectionSettings(method="umap", n_components=3, n_words=60, **FAST)
    stages = []
    coords = project(matrix_of(vs, settings), settings, lambda m, f: stages.append((m, f)))
    assert coords.shape == (60, 3) and np.isfinite(coords).all()
    fractions = [f for _, f in stages]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any("epoch 30 of 30" in m for m, _ in stages)
    if "keras" not in sys.modules:  # another test module may have loaded it first
        assert "tensorflow" not in sys.modules


def test_pca_equals_sklearn_on_unit_length_vectors(vs):
    from sklearn.decomposition import PCA

    settings = ProjectionSettings(method="pca", n_components=3, n_words=200)
    matrix = matrix_of(vs, settings)
    result = run_projection(matrix, settings)
    normalised = matrix / np.linalg.norm(matrix, axis=1, keepdims=True)
    expected = PCA(n_components=3).fit(normalised)
    np.testing.assert_allclose(result.coords, expected.transform(normalised), atol=1e-8)
    np.testing.assert_allclose(result.explained_variance_ratio, expected.explained_variance_ratio_)
    assert axis_titles(result)[0] == f"PC1 ({expected.explained_variance_ratio_[0]:.1%})"


def test_normalize_off_projects_the_raw_vectors(vs):
    from sklearn.decomposition import PCA

    settings = ProjectionSettings(method="pca", n_words=100, normalize=False)
    matrix = matrix_of(vs, settings)
    np.testing.assert_allclose(
        project(matrix, settings), PCA(n_components=2).fit_transform(matrix), atol=1e-8
    )


def test_tsne_is_deterministic_with_a_seed_and_a_random_start_depends_on_it(vs):
    settings = ProjectionSettings(method="tsne", n_words=60, init="random", random_state=3, **FAST)
    matrix = matrix_of(vs, settings)
    first = project(matrix, settings)
    np.testing.assert_array_equal(first, project(matrix, settings))
    other = ProjectionSettings(method="tsne", n_words=60, init="random", random_state=4, **FAST)
    assert not np.allclose(first, project(matrix, other))


def test_tsne_pre_reduces_long_vectors_with_pca():
    rng = np.random.default_rng(0)
    matrix = rng.normal(size=(80, 120))
    settings = ProjectionSettings(method="tsne", n_words=80, **FAST)
    stages = []
    result = run_projection(matrix, settings, lambda m, f: stages.append(m))
    assert result.coords.shape == (80, 2)
    assert "PCA from 120 to 50 dimensions" in result.pre_reduction
    assert any("120 → 50" in m for m in stages)
    steps = [m for m in stages if m.startswith("t-SNE: step")]
    assert steps[0].startswith("t-SNE: step 50 of 250") and steps[-1].startswith("t-SNE: step 250")


def test_tsne_progress_leaves_other_threads_output_alone(capsys):
    import threading

    stdout = sys.stdout
    printed = []

    def report(message, fraction):
        # While t-SNE's output is being read in this thread:
        if message.startswith("t-SNE: step") and not printed:
            worker = threading.Thread(target=lambda: print("from another thread"))
            worker.start()
            worker.join()
            printed.append(message)

    settings = ProjectionSettings(method="tsne", n_words=30, **FAST)
    project(np.random.default_rng(2).normal(size=(30, 5)), settings, report)
    assert sys.stdout is stdout
    out = capsys.readouterr().out
    assert printed and "from another thread" in out and "[t-SNE]" not in out


def test_neighbour_overlap_is_one_for_pca_of_2d_vectors_and_lower_for_a_shuffle():
    rng = np.random.default_rng(1)
    points = rng.normal(size=(50, 2)) + 5.0  # away from the origin: cosine differs from angle 0
    angles = np.arctan2(points[:, 1], points[:, 0])
    # On a circle, nearest by cosine is nearest by arc length: the circle itself keeps them all.
    circle = np.c_[np.cos(angles), np.sin(angles)]
    assert neighbour_overlap(points, circle, k=5) == pytest.approx(1.0)
    assert neighbour_overlap(points, rng.permutation(circle), k=5) < 0.5


# ---------------------------------------------------------------- words and the frame


def test_frame_columns_and_true_neighbours(vs):
    settings = ProjectionSettings(method="pca", n_words=300)
    word = vs.vectors.index_to_key[20]
    words = projection_words(vs, settings, highlight=word, colour_by="war", k=8)
    coords = project(word_matrix(vs, words), settings)
    frame = projection_frame(vs, settings, coords, highlight=word, colour_by="war", k=8)
    assert list(frame.columns) == [
        "word",
        "rank",
        "count",
        "frequency",
        "x",
        "y",
        "in_top",
        "role",
        "neighbour_rank",
        "similarity_to_searched",
        "cosine",
    ]
    assert frame["word"].tolist() == words
    assert (frame["frequency"] == [vs.count(w) for w in words]).all()
    np.testing.assert_array_equal(frame[["x", "y"]].to_numpy(), coords)
    truth = vs.vectors.most_similar(word, topn=8)
    marked = frame[frame["role"] == "neighbour"].sort_values("neighbour_rank")
    assert marked["word"].tolist() == [w for w, _ in truth]
    np.testing.assert_allclose(marked["similarity_to_searched"], [s for _, s in truth], rtol=1e-5)
    assert frame.loc[frame["role"] == "searched", "word"].tolist() == [word]
    cos = frame.set_index("word")["cosine"]
    assert cos["war"] == pytest.approx(1.0)
    assert cos[truth[0][0]] == pytest.approx(vs.vectors.similarity("war", truth[0][0]), rel=1e-5)


def test_searched_word_outside_the_top_is_added_with_its_neighbours(vs, rare_word):
    settings = ProjectionSettings(method="pca", n_words=60)
    words = projection_words(vs, settings, highlight=rare_word, k=5)
    neighbours = [w for w, _ in vs.vectors.most_similar(rare_word, topn=5)]
    top = vs.top_words(60)
    assert words[:60] == top
    assert words[60] == rare_word
    assert words[61:] == [w for w in neighbours if w not in top]
    frame = projection_frame(
        vs, settings, project(word_matrix(vs, words), settings), highlight=rare_word, k=5
    )
    assert not frame.set_index("word").loc[rare_word, "in_top"]
    assert sorted(frame.loc[frame["role"] == "neighbour", "word"]) == sorted(neighbours)


def test_map_neighbours_ranks_by_distance_on_the_map(vs):
    settings = ProjectionSettings(method="pca", n_words=100)
    word = vs.vectors.index_to_key[10]
    words = projection_words(vs, settings, highlight=word, k=5)
    frame = projection_frame(
        vs, settings, project(word_matrix(vs, words), settings), highlight=word, k=5
    )
    table = map_neighbours(frame, word)
    assert table["neighbour_rank"].tolist() == [1, 2, 3, 4, 5]
    xy = frame.set_index("word")[["x", "y"]]
    distances = np.linalg.norm(xy.to_numpy() - xy.loc[word].to_numpy(), axis=1)
    for row in table.itertuples():
        own = np.linalg.norm(xy.loc[row.word].to_numpy() - xy.loc[word].to_numpy())
        assert row.map_rank == int((distances < own).sum())


def test_vectors_without_counts_use_the_rank_as_frequency(vs):
    no_counts = VectorSet("file", vs.vectors, "a file", has_counts=False)
    settings = ProjectionSettings(method="pca", n_words=10)
    frame = projection_frame(no_counts, settings, np.zeros((10, 2)))
    assert "count" not in frame.columns
    assert frame["frequency"].tolist() == list(range(1, 11))


def test_unknown_word_gets_close_spellings(vs):
    with pytest.raises(DataError) as caught:
        find_word(vs, "presidnet")
    assert "not in the vocabulary" in caught.value.message
    assert "president" in caught.value.hint
    assert find_word(vs, "  President ") == "president"


def test_cache_key_follows_the_vectors_not_only_the_name(vs):
    settings = ProjectionSettings(method="pca", n_words=50)
    words = projection_words(vs, settings)
    copy = vs.vectors.__class__(vs.vectors.vector_size)
    copy.add_vectors(vs.vectors.index_to_key, vs.vectors.vectors * 2)
    twin = VectorSet(vs.name, copy, "scaled")
    assert cache_key(vs, words, settings) == cache_key(vs, words, settings)
    assert cache_key(vs, words, settings) != cache_key(twin, words, settings)
    other = ProjectionSettings(method="pca", n_words=50, random_state=1)
    assert cache_key(vs, words, settings) != cache_key(vs, words, other)


def test_frame_rejects_coordinates_of_other_words(vs):
    settings = ProjectionSettings(method="pca", n_words=10)
    with pytest.raises(ValueError, match="expected"):
        projection_frame(vs, settings, np.zeros((11, 2)))


# ---------------------------------------------------------------- impossible settings


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"method": "lda"}, "Unknown projection method"),
        ({"n_components": 4}, "2 or 3 dimensions"),
        ({"n_words": 2}, "n_words must be a whole number from 3"),
        ({"method": "tsne", "n_words": 4}, "n_words must be a whole number from 5"),
        ({"method": "tsne", "n_words": 20, "perplexity": 30.0}, "must be smaller than the number"),
        ({"method": "tsne", "max_iter": 100}, "max_iter must be a whole number from 250"),
        ({"method": "tsne", "init": "spectral"}, "init must be pca or random"),
        ({"method": "umap", "n_words": 10, "n_neighbors": 15}, "n_neighbors (15) must be smaller"),
        ({"method": "umap", "min_dist": 1.5}, "min_dist must be between 0 and 1"),
        ({"method": "umap", "metric": "manhattan"}, "not offered"),
        ({"random_state": -1}, "random_state must be a whole number"),
    ],
)
def test_impossible_settings_raise_clear_errors(kwargs, message):
    with pytest.raises(DataError) as caught:
        ProjectionSettings(**kwargs)
    assert message in caught.value.message
    assert caught.value.hint


def test_impossible_inputs_raise_clear_errors(vs):
    with pytest.raises(DataError, match="1,831 words"):
        projection_words(vs, ProjectionSettings(n_words=2000))
    tsne = ProjectionSettings(method="tsne", n_words=60, perplexity=30.0)
    with pytest.raises(DataError, match="smaller than the number of points"):
        project(np.ones((25, 5)), tsne)
    with pytest.raises(DataError, match="cannot be drawn in 3D"):
        project(np.ones((10, 2)), ProjectionSettings(n_components=3, n_words=10))
    broken = np.ones((10, 4))
    broken[3, 1] = np.nan
    with pytest.raises(DataError, match="1 of the vectors contain NaN"):
        project(broken, ProjectionSettings(n_words=10))


def test_unit_length_keeps_zero_rows():
    out = unit_length(np.array([[3.0, 4.0], [0.0, 0.0]]))
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.0, 0.0]])


# ---------------------------------------------------------------- figures


def figure_frame(vs, n_components, word, k=6):
    settings = ProjectionSettings(method="pca", n_components=n_components, n_words=120)
    words = projection_words(vs, settings, highlight=word, colour_by="war", k=k)
    result = run_projection(word_matrix(vs, words), settings)
    frame = projection_frame(vs, settings, result.coords, word, "war", k)
    return frame, axis_titles(result)


@pytest.mark.parametrize("n_components", [2, 3])
def test_figure_has_every_point_once_with_hover_text(vs, rare_word, n_components):
    frame, titles = figure_frame(vs, n_components, rare_word)
    fig = projection_figure(frame, titles, colour_by="war", searched=rare_word, label_top=5)
    kind = "scatter" if n_components == 2 else "scatter3d"
    assert {trace.type for trace in fig.data} == {kind}
    by_name = {trace.name: trace for trace in fig.data}
    assert sum(len(trace.x) for trace in fig.data) == len(frame)
    assert len(by_name[f"neighbours of {rare_word}"].x) == 6
    searched = by_name[f"searched: {rare_word}"]
    assert len(searched.x) == 1
    notes = fig.layout.scene.annotations if n_components == 3 else fig.layout.annotations
    labelled = {note.text.replace("<b>", "").replace("</b>", "") for note in notes}
    expected = set(frame.loc[frame["role"] != "", "word"]) | {"war"}  # plus the colour word
    assert len(notes) == len(expected) and labelled == expected
    assert by_name["words"].marker.showscale
    hover = " ".join(h for trace in fig.data for h in trace.hovertext)
    count = vs.count(rare_word)
    assert f"<b>{rare_word}</b><br>count {count:,}" in searched.hovertext[0]
    assert "cosine to war" in hover
    plain = frame[(frame["role"] == "") & (frame["word"] != "war")]
    meaningful = plain[[is_label_word(w) for w in plain["word"]]]
    assert [t for t in by_name["words"].text if t] == meaningful.nsmallest(5, "rank")[
        "word"
    ].tolist()


def test_figure_without_search_or_colour_is_one_trace_in_one_colour(vs):
    settings = ProjectionSettings(method="pca", n_words=50)
    coords = project(matrix_of(vs, settings), settings)
    frame = projection_frame(vs, settings, coords)
    fig = projection_figure(frame, ["a", "b"])
    assert len(fig.data) == 1 and len(fig.data[0].x) == 50
    assert fig.data[0].marker.color == "#8D72E1"
    assert fig.layout.yaxis.scaleanchor == "x"
    assert "frequency rank 1" in fig.data[0].hovertext[0]


def test_words_are_escaped_in_labels_and_hover():
    import pandas as pd

    frame = pd.DataFrame(
        {
            "word": ["<b>x</b>", "y"],
            "rank": [1, 2],
            "frequency": [1, 2],
            "x": [0.0, 1.0],
            "y": [0.0, 1.0],
            "in_top": [True, True],
            "role": ["searched", "neighbour"],
            "neighbour_rank": [None, 1],
            "similarity_to_searched": [1.0, 0.5],
        }
    )
    fig = projection_figure(frame, ["a", "b"], searched="<b>x</b>")
    text = " ".join(h for trace in fig.data for h in trace.hovertext)
    assert "&lt;b&gt;x&lt;/b&gt;" in text and "<b>x</b>" not in text.replace("<b>&lt;", "")
    assert [note.text for note in fig.layout.annotations] == ["y", "<b>&lt;b&gt;x&lt;/b&gt;</b>"]


# ---------------------------------------------------------------- the page


def test_page_without_vectors_offers_a_quick_model():
    at = open_page("pages/word_vectors_projection.py")
    assert not at.exception
    assert at.title[0].value == "Project word vectors"
    assert at.button(key="proj_vectors_quick")
    assert not at.get("plotly_chart")


def test_page_draws_a_pca_map_and_marks_a_searched_word(vs):
    at = open_page("pages/word_vectors_projection.py")
    at.session_state["word_vectors"] = {vs.name: vs}
    at.session_state["word_vectors_current"] = vs.name
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    captions = " ".join(c.value for c in at.caption)
    assert f"Showing 500 of {len(vs):,} words (the 500 most frequent)" in captions
    assert len(at.get("plotly_chart")) == 1
    submit = next(b for b in at.button if b.label == "Project")
    at.text_input(key="proj_search").input("presidnet")
    submit.click().run()
    assert any("president" in e.value for e in at.error)
    at.text_input(key="proj_search").input("president")
    next(b for b in at.button if b.label == "Project").click().run()
    assert not at.exception and not at.error
    table = at.dataframe[0].value
    assert table["word"].tolist() == [w for w, _ in vs.vectors.most_similar("president", topn=10)]


def test_page_runs_tsne_in_the_background_and_explains_impossible_settings(vs):
    at = open_page("pages/word_vectors_projection.py")
    at.session_state["word_vectors"] = {vs.name: vs}
    at.session_state["word_vectors_current"] = vs.name
    at.run()
    at.radio(key="proj_method").set_value("tsne")
    at.number_input(key="proj_n_words").set_value(20)
    next(b for b in at.button if b.label == "Project").click().run()
    assert not at.exception
    assert any("must be smaller than the number of words shown (20)" in e.value for e in at.error)
    assert not at.get("plotly_chart")
    at.slider(key="proj_perplexity").set_value(5)
    at.number_input(key="proj_max_iter").set_value(250)
    next(b for b in at.button if b.label == "Project").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error
    assert len(at.get("plotly_chart")) == 1
    captions = " ".join(c.value for c in at.caption)
    assert f"Showing 20 of {len(vs):,} words (the 20 most frequent)" in captions
    assert "t-SNE, 2D" in captions


def test_idle_cores_is_at_least_one_and_at_most_the_cores(monkeypatch):
    import os

    from core.embeddings.projection_threads import idle_cores

    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    monkeypatch.setattr(os, "getloadavg", lambda: (2.6, 0.0, 0.0))
    assert idle_cores() == 5
    monkeypatch.setattr(os, "getloadavg", lambda: (30.0, 0.0, 0.0))
    assert idle_cores() == 1
    monkeypatch.setattr(os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    assert idle_cores() == 8


def test_default_labels_skip_stop_words_and_every_point_carries_its_word(vs):
    frame, titles = figure_frame(vs, 2, None)
    fig = projection_figure(frame, titles, label_top=15)
    words = fig.data[0]
    labels = [t for t in words.text if t]
    assert len(labels) == 15
    assert not {"the", "of", "and", "to", "a", "in"} & set(labels)
    assert all(any(ch.isalpha() for ch in label) for label in labels)
    assert list(words.customdata) == list(frame.loc[frame["role"] == "", "word"])


def test_a_click_on_the_map_names_the_word():
    from core.figures.projection import clicked_word

    event = {"selection": {"points": [{"x": 0.1, "y": 0.2, "customdata": "police"}]}}
    assert clicked_word(event) == "police"
    assert clicked_word({"selection": {"points": [{"customdata": ["fire"]}]}}) == "fire"
    assert clicked_word({"selection": {"points": []}}) is None
    assert clicked_word(None) is None
