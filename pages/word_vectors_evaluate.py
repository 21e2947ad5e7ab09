"""Evaluate word vectors: analogy accuracy and word-pair correlations, one or two models."""

import math
from dataclasses import asdict, replace

import streamlit as st

from core.data.export import escape_table, frame_to_csv_bytes
from core.embeddings import evaluation as we
from core.embeddings import snippets
from core.embeddings.word2vec import QUICK_SETTINGS, vector_set_name
from core.figures.word_vectors import analogy_accuracy_figure, pair_correlation_figure
from pages.ui.display import show_code
from pages.ui.patches import require_navigation
from pages.ui.stores import add_vector_set, choose_vector_set, vector_sets

require_navigation()

st.title("Evaluate word vectors")
st.markdown(
    "Two classic tests of word vectors, on the files that ship with gensim:\n\n"
    "- **Analogies** (`questions-words.txt`, 19,544 questions in 14 sections): "
    "*Athens : Greece :: Oslo : ?* The vectors answer by 3CosAdd (the word closest to "
    "Greece − Athens + Oslo) and score a hit only when the top answer is *Norway*.\n"
    "- **Word pairs** (`wordsim353.tsv`, 353 pairs rated for relatedness; `simlex999.txt`, "
    "999 pairs rated for similarity proper): the **Spearman** rank correlation between "
    "people's ratings and the vectors' cosines. 1 means the same order, 0 no relation.\n\n"
    "A question or pair with a word the vectors do not know is **skipped**, so every score "
    "comes with the share it could not answer (OOV: out of vocabulary). Case is ignored."
)

NONE = "(none)"
RESULTS_KEY = "evaluate_results"
QUICK_NAME = vector_set_name(QUICK_SETTINGS, "lee_background")
CBOW_TWIN_NAME = vector_set_name(replace(QUICK_SETTINGS, sg=0), "lee_background")
BLANK = "–"  # what an empty score (no question could be asked) shows in a table


@st.cache_data(max_entries=16, show_spinner=False)
def cached_evaluation(fingerprint: str, restrict_vocab: int, _vectors) -> we.Evaluation:
    """One model's benchmarks, cached by a hash of its vectors (never by who asked)."""
    return we.evaluate(_vectors, restrict_vocab=restrict_vocab)


def train_cbow_twin() -> None:
    with st.spinner("Training a CBOW model on the Lee corpus…"):
        add_vector_set(we.quick_cbow_vector_set())


def table_height(rows: int) -> int:
    """Tall enough for every row (35 px each, plus the header): no scrolling inside."""
    return 35 * (rows + 1) + 3


def percent(value: float) -> str:
    """A share as a percent with one decimal; never rounded to 0.0% or 100.0% when it is not."""
    if math.isnan(value):
        return BLANK
    text = f"{value:.1%}"
    if text == "100.0%" and value < 1:
        return "> 99.9%"
    if text == "0.0%" and value > 0:
        return "< 0.1%"
    return text


def number(value: float) -> str:
    return BLANK if math.isnan(value) else f"{value:.3f}"


def formatted(frame, percent_columns=(), number_columns=()):
    """``frame`` styled for display: shares as percents with one decimal, scores with three,
    and a dash where there is no value (sorting still uses the numbers underneath)."""
    formats = {c: percent for c in percent_columns if c in frame.columns}
    formats |= {c: number for c in number_columns if c in frame.columns}
    return frame.style.format(formats, na_rep=BLANK)


def is_quick_model(vector_set) -> bool:
    """True for the quick skip-gram model of the Lee corpus, the one a CBOW twin mirrors."""
    return vector_set.name == QUICK_NAME and vector_set.settings == asdict(QUICK_SETTINGS)


if not vector_sets():
    choose_vector_set("Model A", key="evaluate_model_a")
    st.stop()

with st.form("evaluate_form"):
    left, right = st.columns(2)
    with left:
        model_a = choose_vector_set("Model A", key="evaluate_model_a")
    names = [NONE] + [name for name in vector_sets() if name != model_a.name]
    with right:
        name_b = st.selectbox(
            "Model B (optional)",
            names,
            index=0,
            key="evaluate_model_b",
            help="A second model to compare with Model A on the same tests.",
        )
    restrict_vocab = st.number_input(
        "Only the most frequent words (restrict_vocab)",
        min_value=1,
        max_value=10_000_000,
        value=we.DEFAULT_RESTRICT_VOCAB,
        step=10_000,
        key="evaluate_restrict_vocab",
        help="gensim ignores questions with a word outside the N most frequent words of the "
        "model. Lower it to evaluate a large imported model faster.",
    )
    submitted = st.form_submit_button("Evaluate", icon=":material/fact_check:", type="primary")

if len(vector_sets()) < 2:
    st.markdown(
        "**A second model to compare with**: train one with other settings (CBOW instead of "
        "skip-gram, more dimensions, more epochs, another corpus) on **Train word2vec**, or "
        "load a file on **Import and export vectors**; it then appears under Model B."
    )
    link_col, button_col = st.columns(2)
    with link_col:
        st.page_link(
            "pages/word2vec_train.py", label="Train word2vec", icon=":material/model_training:"
        )
    # The twin compares skip-gram with CBOW only against the quick model it mirrors.
    if is_quick_model(model_a) and CBOW_TWIN_NAME not in vector_sets():
        button_col.button(
            "Train a CBOW twin of the quick model",
            key="evaluate_cbow_twin",
            on_click=train_cbow_twin,
            icon=":material/bolt:",
            help="Same Lee corpus, settings and seed, with sg=0 (CBOW): a few seconds.",
        )

show_code(
    snippets.evaluation_code(
        model_a, vector_sets().get(name_b) if name_b != NONE else None, int(restrict_vocab)
    )
)

if submitted:
    chosen = [model_a]
    if name_b != NONE and name_b in vector_sets():
        chosen.append(vector_sets()[name_b])
    with st.spinner("Running the benchmarks…"):
        evaluations = [
            we.renamed(
                cached_evaluation(we.vectors_fingerprint(vs), int(restrict_vocab), vs), vs.name
            )
            for vs in chosen
        ]
    st.session_state[RESULTS_KEY] = evaluations

evaluations = st.session_state.get(RESULTS_KEY)
if not evaluations:
    st.info("Pick one or two models and press **Evaluate**.", icon=":material/info:")
    st.stop()

current = [model_a.name] + ([name_b] if name_b != NONE else [])
if [ev.name for ev in evaluations] != current:
    st.caption("The results below are for the models evaluated last; press Evaluate to update.")

# ------------------------------------------------------------------ headline numbers
st.header("Results")
for ev in evaluations:
    total = ev.analogy_total
    st.markdown(f"**{ev.name}** · {ev.vocab_size:,} words × {ev.dimension} dimensions")
    cols = st.columns(1 + len(ev.pairs))
    cols[0].metric(
        "Analogy accuracy",
        percent(total.accuracy),
        help=f"{total.correct:,} correct of {total.attempted:,} questions asked.",
    )
    cols[0].caption(f"{total.attempted:,} of {total.questions:,} questions could be asked")
    for col, pair in zip(cols[1:], ev.pairs, strict=True):
        col.metric(f"{pair.dataset} Spearman", number(pair.spearman))
        col.caption(f"{pair.scored:,} of {pair.pairs:,} pairs could be scored")

if any(ev.analogy_total.oov_share > 0.5 for ev in evaluations):
    st.warning(
        "**Most test words are missing, so these scores say little.** A small corpus like "
        "gensim's Lee news sample (about 60,000 words; some 1,800 words kept at min_count 5) "
        "never mentions most capitals, currencies or US states, so those questions are "
        "skipped. The words it does keep were seen only a handful of times each, too few to "
        "place them well, so even the questions it can ask mostly fail. Vectors trained on "
        "millions of sentences reach 50 to 75% analogy accuracy and a Spearman of 0.6 to 0.7 "
        "on WordSim-353.",
        icon=":material/warning:",
    )

# ------------------------------------------------------------------ analogies
st.header("Analogies by section")
long_analogy = we.analogy_long(evaluations)
st.plotly_chart(analogy_accuracy_figure(long_analogy), key="evaluate_analogy_chart")
st.caption(
    "Accuracy among the questions the model could ask. 'none asked' (an empty accuracy in "
    "the table) marks a section where every question has a word outside the vocabulary."
)
tabs = st.tabs([ev.name for ev in evaluations]) if len(evaluations) > 1 else [st.container()]
for tab, ev in zip(tabs, evaluations, strict=True):
    with tab:
        st.dataframe(
            formatted(ev.analogy_table(), percent_columns=("accuracy", "OOV share")),
            height=table_height(len(ev.analogy)),
            placeholder=BLANK,
        )
with st.expander("Chart data"):
    st.dataframe(
        formatted(escape_table(long_analogy), percent_columns=("accuracy",)),
        hide_index=True,
        placeholder=BLANK,
    )

# ------------------------------------------------------------------ word pairs
st.header("Word-pair similarity")
long_pairs = we.pairs_long(evaluations)
st.plotly_chart(pair_correlation_figure(long_pairs), key="evaluate_pairs_chart")
st.dataframe(
    formatted(
        escape_table(long_pairs[["model", "dataset", "Spearman", "scored", "pairs", "OOV share"]]),
        percent_columns=("OOV share",),
        number_columns=("Spearman",),
    ),
    hide_index=True,
    width="stretch",
    placeholder=BLANK,
    column_config={"scored": st.column_config.NumberColumn(help="Pairs with both words known")},
)
st.caption(
    "OOV share: pairs skipped because a word is not in the vocabulary (gensim's "
    "evaluate_word_pairs reports it in percent; here it is a share of the file's pairs). "
    "A correlation over a few dozen pairs is noisy: see its p-value below."
)
with st.expander("Pearson, p-values and counts"):
    for ev in evaluations:
        st.markdown(f"**{ev.name}**")
        st.dataframe(
            formatted(
                ev.pairs_table(),
                percent_columns=("OOV share",),
                number_columns=("Spearman", "Pearson"),
            ),
            width="stretch",
            placeholder=BLANK,
        )

# ------------------------------------------------------------------ side by side
comparison = we.compare(evaluations)
if len(evaluations) > 1:
    # With one model the tables above already say everything this one would.
    st.header("Side by side")
    shown = escape_table(comparison)
    st.dataframe(
        formatted(
            shown,
            percent_columns=[c for c in shown.columns if c.endswith("· coverage")],
            number_columns=[c for c in shown.columns if not c.endswith("· coverage")],
        ),
        height=table_height(len(shown)),
        width="stretch",
        placeholder=BLANK,
    )
    st.caption(
        "Analogy rows: accuracy; word-pair rows: Spearman. Coverage is the share of questions "
        f"or pairs the model could answer at all (1 − OOV share); {BLANK} means it could "
        "answer none."
    )
st.download_button(
    "Download the comparison (CSV)" if len(evaluations) > 1 else "Download the results (CSV)",
    frame_to_csv_bytes(comparison),
    file_name="word_vector_evaluation.csv",
    mime="text/csv",
    icon=":material/download:",
    key="evaluate_download",
)
seconds = sum(ev.seconds for ev in evaluations)
st.caption(f"Computing these benchmarks took {seconds:.1f} s; the results are cached.")
