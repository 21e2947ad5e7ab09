"""Project word vectors: PCA, t-SNE or UMAP maps of a vector set in 2D or 3D, with search."""

import streamlit as st

from core.data.export import escape_table, frame_to_csv_bytes
from core.embeddings import projection as proj
from core.embeddings import snippets
from core.embeddings.projection_table import (
    axis_titles,
    explained_variance_caption,
    map_neighbours,
    neighbour_overlap,
    projection_frame,
)
from core.errors import DataError
from core.figures.projection import projection_figure
from core.nn.jobs import LiveJob
from core.nn.memory import memory_estimate_mb
from pages.ui.display import show_code
from pages.ui.job_pool import job_place_text, submit_job
from pages.ui.live_jobs import session_jobs
from pages.ui.patches import require_navigation
from pages.ui.stores import choose_vector_set
from pages.ui.uploads import show_data_error

require_navigation()

RESULTS_KEY = "_projection_results"  # this session's finished projections, by content key
PROJECTIONS = "projection"  # the kind of this page's jobs in the session, by content key
KEEP_RESULTS = 8
OVERLAP_K = 10

st.title("Project word vectors")
st.markdown(
    "Word vectors have tens or hundreds of numbers each; a screen has two or three axes. "
    "Each method below squeezes them down in its own way, so read each map with its method in "
    "mind:\n"
    "- **PCA** turns the whole cloud of vectors and keeps the two or three directions along "
    "which the words differ the most. It is linear and exact about what it keeps, which is "
    "often only a small share of the variance: words that overlap here may be far apart.\n"
    "- **t-SNE** arranges the words so that each one keeps its close neighbours close. Only "
    "those small neighbourhoods are trustworthy: the size of a group and the gap between two "
    "groups say little, and a random start with another seed gives another picture.\n"
    "- **UMAP** also starts from each word's nearest neighbours, but holds on to more of the "
    "large-scale arrangement than t-SNE, so groups that sit near each other are more likely "
    "to be related."
)

vector_set = choose_vector_set("Word vectors", key="proj_vectors")
if vector_set is None:
    st.stop()
vocab_size = len(vector_set)

with st.form("proj_form"):
    left, middle, right = st.columns(3)
    method = left.radio(
        "Method",
        list(proj.METHODS),
        format_func=proj.METHODS.get,
        horizontal=True,
        key="proj_method",
    )
    n_components = middle.radio(
        "Dimensions", [2, 3], format_func=lambda d: f"{d}D", horizontal=True, key="proj_dims"
    )
    n_words = right.number_input(
        "Words to show (the most frequent)",
        min_value=3,
        max_value=proj.MAX_WORDS,
        value=500,
        step=100,
        key="proj_n_words",
        help="t-SNE and UMAP take longer as this grows: a few seconds for 500 words, "
        "a minute or more for several thousand.",
    )
    search_col, k_col, colour_col = st.columns(3)
    search = search_col.text_input(
        "Search a word",
        key="proj_search",
        placeholder="e.g. president",
        help="Marks the word and its nearest neighbours (cosine, in the full vectors, over the "
        "whole vocabulary). Words missing from the most frequent ones are added to the map.",
    )
    k = k_col.slider("Neighbours to mark", 1, 50, 10, key="proj_k")
    colour_word = colour_col.text_input(
        "Colour by similarity to",
        key="proj_colour",
        placeholder="leave empty for one colour",
        help="Colours every word by its cosine similarity to this word, in the full vectors.",
    )
    with st.expander("Method settings", expanded=False, icon=":material/tune:"):
        tsne_col, umap_col, other_col = st.columns(3)
        with tsne_col:
            st.markdown("**t-SNE**")
            perplexity = st.slider(
                "perplexity",
                2,
                100,
                30,
                key="proj_perplexity",
                help="Roughly how many neighbours each word pays attention to. "
                "Must be smaller than the number of words.",
            )
            max_iter = st.number_input("max_iter", 250, 5000, 1000, step=250, key="proj_max_iter")
            init = st.selectbox(
                "init",
                ["pca", "random"],
                key="proj_init",
                help="pca starts from the PCA map, so the result does not depend on the seed; "
                "random starts from random points, so each seed gives its own map.",
            )
        with umap_col:
            st.markdown("**UMAP**")
            n_neighbors = st.slider(
                "n_neighbors",
                2,
                100,
                15,
                key="proj_n_neighbors",
                help="Small values favour fine local detail, large values the overall shape.",
            )
            min_dist = st.slider(
                "min_dist",
                0.0,
                1.0,
                0.1,
                step=0.05,
                key="proj_min_dist",
                help="How tightly UMAP may pack similar words together.",
            )
            metric = st.selectbox("metric", proj.UMAP_METRICS, key="proj_metric")
        with other_col:
            st.markdown("**All methods**")
            normalize = st.checkbox(
                "Scale vectors to unit length first",
                value=True,
                key="proj_normalize",
                help="Word similarity is cosine: with unit-length vectors, straight-line "
                "distance ranks pairs of words exactly as cosine does.",
            )
            seed = st.number_input("Random seed", 0, 2**31 - 1, 0, key="proj_seed")
            label_top = st.slider("Label the most frequent words", 0, 100, 20, key="proj_label_top")
    st.form_submit_button("Project", icon=":material/scatter_plot:", type="primary")

shown = min(int(n_words), vocab_size)
if shown < n_words:
    st.info(
        f"{vector_set.name} has {vocab_size:,} words: all of them are shown.",
        icon=":material/info:",
    )
try:
    settings = proj.ProjectionSettings(
        method=method,
        n_components=n_components,
        n_words=shown,
        perplexity=float(perplexity),
        max_iter=int(max_iter),
        init=init,
        n_neighbors=int(n_neighbors),
        min_dist=float(min_dist),
        metric=metric,
        random_state=int(seed),
        normalize=normalize,
    )
except DataError as error:
    show_data_error(error)
    st.stop()


def vocabulary_word(typed: str) -> str | None:
    """The typed word as a vocabulary entry, or None after showing why it cannot be used."""
    if not typed.strip():
        return None
    try:
        return proj.find_word(vector_set, typed)
    except DataError as error:
        show_data_error(error)
        return None


highlight = vocabulary_word(search)
colour_by = vocabulary_word(colour_word)


def compute(matrix, settings: proj.ProjectionSettings, progress=None):
    """The projection and the share of neighbourhoods it keeps (plain core calls)."""
    result = proj.run_projection(matrix, settings, progress)
    if progress:
        progress("Measuring how many neighbourhoods survived", 1.0)
    return result, neighbour_overlap(matrix, result.coords, OVERLAP_K)


def remember(results: dict, key, value) -> None:
    results[key] = value
    while len(results) > KEEP_RESULTS:
        results.pop(next(iter(results)))


def keep_finished_projections(results: dict) -> None:
    """Move the maps of projections that ended while no run of this page waited for them
    (another click, another page) into ``results``; a failed one is forgotten, as if never
    asked for."""
    jobs = session_jobs(PROJECTIONS)
    for key, job in list(jobs.items()):
        if not job.running:
            del jobs[key]
            if job.error is None:
                remember(results, key, job.take_result())


def project_in_background(key, matrix, settings: proj.ProjectionSettings):
    """Run t-SNE or UMAP in a worker thread, showing its stage and the elapsed seconds.

    The job stays in this session's store even if this script run is interrupted (another
    click, another page), so asking for the same map again picks it up or waits for it. It
    waits its turn in the server's pool, estimated from the words and their pairs.
    """
    jobs = session_jobs(PROJECTIONS)
    job = jobs.get(key)
    if job is None:
        job = LiveJob(name="projection")
        jobs[key] = job
        n_words = matrix.shape[0]
        estimate = memory_estimate_mb(matrix.size + n_words * n_words, bytes_per_value=8)
        # A projection has no batches: if its session goes, it stops at its next stage.
        submit_job(job, lambda job: compute(matrix, settings, job.report_or_stop), estimate)
    with st.status(f"{settings.label} is drawing the map…", expanded=True) as status:
        bar = st.progress(0.0)

        def show(job: LiveJob) -> None:
            waiting = job_place_text(job, "job") if job.queued else None
            text = waiting or f"{job.message} · {job.elapsed:.0f} s elapsed"
            bar.progress(min(job.fraction, 1.0), text=text)

        job.follow(show)
        job.wait()
        bar.empty()
        jobs.pop(key, None)
        if job.error is not None:
            status.update(label=f"{settings.label} failed", state="error", expanded=True)
            return None, job.error
        outcome = job.take_result()
        remember(st.session_state.setdefault(RESULTS_KEY, {}), key, outcome)
        status.update(
            label=f"{settings.label} took {outcome[0].seconds:.1f} s",
            state="complete",
            expanded=False,
        )
    return outcome, None


try:
    words = proj.projection_words(vector_set, settings, highlight, colour_by, k)
except DataError as error:
    show_data_error(error)
    st.stop()
matrix = proj.word_matrix(vector_set, words)
key = proj.cache_key(vector_set, words, settings)
results = st.session_state.setdefault(RESULTS_KEY, {})
keep_finished_projections(results)
outcome, failure = results.get(key), None
if outcome is None:
    if settings.method == "pca":
        try:
            outcome = compute(matrix, settings)
            remember(results, key, outcome)
        except DataError as error:
            failure = error
    else:
        outcome, failure = project_in_background(key, matrix, settings)
if outcome is None:
    if isinstance(failure, DataError):
        show_data_error(failure)
    else:
        st.error(
            f"**The projection failed** ({type(failure).__name__}: {failure}).",
            icon=":material/error:",
        )
        st.caption("Try fewer words, PCA, or other method settings.")
    st.stop()
projection, overlap = outcome

frame = projection_frame(vector_set, settings, projection.coords, highlight, colour_by, k)
added = len(words) - settings.n_words
st.caption(
    f"Showing {settings.n_words:,} of {vocab_size:,} words (the {settings.n_words:,} most "
    "frequent)"
    + (f", plus {added} added for the search" if added else "")
    + f" · {settings.label}, {settings.n_components}D · "
    + explained_variance_caption(projection)
)
st.plotly_chart(
    projection_figure(
        frame,
        axis_titles(projection),
        colour_by=colour_by,
        searched=highlight,
        label_top=label_top,
    ),
    key="proj_figure",
)
st.metric(
    f"Neighbours kept on the map (k = {OVERLAP_K})",
    f"{overlap:.0%}",
    help="For every word shown: how many of its 10 most similar shown words (cosine, full "
    "vectors) are also among its 10 nearest points on the map, averaged. Compare methods "
    "and settings with it.",
)
st.caption(
    f"On average {overlap * OVERLAP_K:.1f} of each word's {OVERLAP_K} most similar shown words are "
    f"also among its {OVERLAP_K} nearest points on this map. Hover a point for its word, count "
    "and similarity; drag to pan, scroll to zoom"
    + (", drag with the mouse to turn the 3D view." if settings.n_components == 3 else ".")
)

if highlight:
    st.subheader(f"Nearest neighbours of “{highlight}”")
    neighbours = map_neighbours(frame, highlight).rename(
        columns={
            "neighbour_rank": "rank by cosine",
            "similarity_to_searched": "cosine (full vectors)",
            "map_rank": "rank by distance on the map",
        }
    )
    st.dataframe(escape_table(neighbours), hide_index=True)
    st.caption(
        "Found in the full vectors over the whole vocabulary, so they are the model's true "
        "neighbours. The last column says how close each one landed on the map (1 = the "
        "nearest point): large numbers show what the projection lost."
    )

with st.expander("Coordinates", icon=":material/table:"):
    table = frame.set_index("word")
    st.dataframe(escape_table(table))
    st.download_button(
        "Download the coordinates (CSV)",
        data=frame_to_csv_bytes(table),
        file_name=f"projection_{settings.method}_{settings.n_components}d.csv",
        mime="text/csv",
        icon=":material/download:",
        key="proj_download",
    )

show_code(snippets.projection_code(vector_set, settings, highlight, colour_by, k))
