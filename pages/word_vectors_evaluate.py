"""Evaluate word vectors: analogy accuracy and word-pair correlations, one or two models."""

import math

import streamlit as st

from core import word_evaluation as we
from core.export import escape_table, frame_to_csv_bytes
from core.figures.word_vectors import analogy_accuracy_figure, pair_correlation_figure
from pages.widgets import add_vector_set, choose_vector_set, require_navigation, vector_sets

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
    return "n/a" if math.isnan(value) else f"{value:.1%}"


def number(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.3f}"


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
    button_col.button(
        "Train a CBOW twin of the quick model",
        key="evaluate_cbow_twin",
        on_click=train_cbow_twin,
        icon=":material/bolt:",
        help="Same Lee corpus, settings and seed, with sg=0 (CBOW): a few seconds.",
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
percent_columns = {
    "accuracy": st.column_config.NumberColumn(format="percent"),
    "OOV share": st.column_config.NumberColumn(format="percent"),
}
tabs = st.tabs([ev.name for ev in evaluations]) if len(evaluations) > 1 else [st.container()]
for tab, ev in zip(tabs, evaluations, strict=True):
    with tab:
        st.dataframe(
            ev.analogy_table(), column_config=percent_columns, height=table_height(len(ev.analogy))
        )
with st.expander("Chart data"):
    st.dataframe(escape_table(long_analogy), hide_index=True)

# ------------------------------------------------------------------ word pairs
st.header("Word-pair similarity")
long_pairs = we.pairs_long(evaluations)
chart_col, table_col = st.columns([2, 3])
with chart_col:
    st.plotly_chart(pair_correlation_figure(long_pairs), key="evaluate_pairs_chart")
with table_col:
    st.dataframe(
        escape_table(long_pairs[["model", "dataset", "Spearman", "scored", "OOV share"]]),
        hide_index=True,
        column_config={
            "Spearman": st.column_config.NumberColumn(format="%.3f"),
            "scored": st.column_config.NumberColumn(help="Pairs with both words known"),
            "OOV share": st.column_config.NumberColumn(format="percent"),
        },
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
            ev.pairs_table(),
            column_config={"OOV share": st.column_config.NumberColumn(format="percent")},
        )

# ------------------------------------------------------------------ side by side
st.header("Side by side")
comparison = we.compare(evaluations)
shown = escape_table(comparison)
st.dataframe(
    shown,
    column_config={column: st.column_config.NumberColumn(format="%.3f") for column in shown},
    height=table_height(len(shown)),
)
st.caption(
    "Analogy rows: accuracy; word-pair rows: Spearman. Coverage is the share of questions or "
    "pairs the model could answer at all (1 − OOV share); an empty score means it could "
    "answer none."
)
st.download_button(
    "Download the comparison (CSV)",
    frame_to_csv_bytes(comparison),
    file_name="word_vector_evaluation.csv",
    mime="text/csv",
    icon=":material/download:",
    key="evaluate_download",
)
seconds = sum(ev.seconds for ev in evaluations)
st.caption(f"Computing these benchmarks took {seconds:.1f} s; the results are cached.")
