"""Text → numbers: tokens, bag of words, TF-IDF and cosine similarity, step by step."""

import streamlit as st

from core.data import datasets
from core.data.export import escape_table, frame_to_csv_bytes
from core.errors import DataError
from core.figures.common import bar_chart, heatmap
from core.figures.text import cosine_heatmap
from core.text import analysis, bagofwords, similarity
from pages.ui.display import chips, show_code
from pages.ui.kept_state import follow_default
from pages.ui.patches import require_navigation
from pages.ui.uploads import show_data_error, upload_text

require_navigation()

st.title("Text → numbers")
st.markdown(
    "A network only sees numbers. The simplest way to turn text into numbers is a **bag of "
    "words**: fix a dictionary, then give each sentence one number per dictionary word. "
    "Similar sentences end up as vectors that point the same way, and **cosine similarity** "
    "measures that."
)


@st.cache_data(show_spinner="Counting words…", max_entries=32)
def fit_bag_of_words(
    documents: tuple[str, ...],
    settings: analysis.TextSettings,
    weighting: str,
    vocabulary: tuple[str, ...] | None = None,
) -> bagofwords.BagOfWords:
    # Keyed by the documents' content and the settings: equal inputs give equal outputs,
    # so a cached entry can never show one user another user's text.
    return bagofwords.bag_of_words(documents, settings, weighting, vocabulary)


@st.cache_data(show_spinner="Loading the corpus…")
def embedded_corpus(name: str) -> tuple[str, ...]:
    return datasets.gensim_corpus(name).documents


# ------------------------------------------------------------------ the talk's examples
st.header("1 · The talk's two examples")
ex1, ex2 = st.columns(2)
with ex1:
    st.markdown(f"**Dictionary** = {{{', '.join(analysis.TALK_DICTIONARY)}}}")
    talk = fit_bag_of_words(
        analysis.TALK_SENTENCES, analysis.TextSettings(), "binary", analysis.TALK_DICTIONARY
    )
    frame = bagofwords.dtm_frame(
        talk, [f"vec{i}" for i in range(1, len(analysis.TALK_SENTENCES) + 1)]
    )
    st.dataframe(frame)
    st.caption(
        " · ".join(f"vec{i} = “{s}”" for i, s in enumerate(analysis.TALK_SENTENCES, 1))
        + ". Each vector has one slot per dictionary word: 1 if the sentence uses the word. "
        "vec1 and vec2 share *the* and *sat*; vec3 shares nothing with either."
    )
with ex2:
    weighting2 = (
        st.segmented_control(
            "Weighting for example 2",
            ["binary", "count"],
            default="binary",
            format_func=bagofwords.WEIGHTINGS.get,
            key="example2_weighting",
        )
        or "binary"
    )
    bow2 = fit_bag_of_words(
        (analysis.TALK_SENTENCE_2,), analysis.TextSettings(), weighting2, analysis.TALK_VOCABULARY_2
    )
    st.markdown(f"**Sentence**: “{analysis.TALK_SENTENCE_2}”")
    st.dataframe(bagofwords.dtm_frame(bow2, ["vector"]), hide_index=True)
    if weighting2 == "binary":
        st.caption(
            "This is the slide's vector [0, 0, 1, 1, 0, 1, 1, 1]: it records whether each "
            "word is **present**, so *the* gets 1 even though it appears twice."
        )
    else:
        st.caption(
            "Counting instead of marking presence gives *the* = 2: the sentence says "
            "“**the** dog is on **the** table”. Counts keep how often a word is used; "
            "presence keeps only whether it is used."
        )

# ------------------------------------------------------------------ your own text
st.header("2 · Your text, step by step")
source = st.radio(
    "Text to use", ["Paste text", "Embedded corpus", "Upload a file"], horizontal=True, key="source"
)
documents: tuple[str, ...] = ()
if source == "Paste text":
    pasted = st.text_area(
        "One document per line",
        value="\n".join(
            [
                *analysis.TALK_SENTENCES,
                analysis.TALK_SENTENCE_2,
                "A cute teddy bear is reading",
                "The cat is reading on the table",
            ]
        ),
        height=160,
        key="pasted",
    )
    documents = tuple(line.strip() for line in pasted.splitlines() if line.strip())
    if not documents:
        st.warning("Type at least one line of text above.")
elif source == "Embedded corpus":
    corpus_name = st.selectbox(
        "Corpus (shipped with gensim)", list(datasets.GENSIM_CORPORA), key="corpus"
    )
    documents = embedded_corpus(corpus_name)
else:
    uploaded = upload_text("Upload a text file", key="text_upload", want="corpus")
    if uploaded is not None:
        documents = uploaded.documents

with st.form("text_settings"):
    c1, c2, c3, c4 = st.columns(4)
    tokenizer = c1.selectbox(
        "Tokenizer",
        list(analysis.TOKENIZERS),
        format_func=analysis.TOKENIZERS.get,
        key="text_tokenizer",
    )
    stemmer = c2.selectbox(
        "Stemmer", list(analysis.STEMMERS), format_func=analysis.STEMMERS.get, key="text_stemmer"
    )
    ngram_max = c3.slider("Longest n-gram", 1, 3, 1, key="text_ngram")
    lowercase = c4.checkbox("Lower-case", value=True, key="text_lowercase")
    remove_stop = c4.checkbox(
        "Remove stop words",
        value=False,
        help="scikit-learn's English list of 318 words",
        key="text_stop_words",
    )
    st.form_submit_button("Apply")
settings = analysis.TextSettings(
    tokenizer=tokenizer,
    lowercase=lowercase,
    remove_stop_words=remove_stop,
    stemmer=stemmer,
    ngram_range=(1, ngram_max),
)
weighting = (
    st.segmented_control(
        "Weighting",
        list(bagofwords.WEIGHTINGS),
        default="count",
        format_func=bagofwords.WEIGHTINGS.get,
        key="weighting",
    )
    or "count"
)

if not documents:
    st.stop()

labels = [f"doc {i}" for i in range(len(documents))]
# The options carry the text, so the choice follows the text when it changes (the first
# document then) instead of keeping a label of text that is gone.
choices = [f"{label}: {document[:80]}" for label, document in zip(labels, documents, strict=True)]
pick = choices.index(st.selectbox("Document to take apart", choices, key="pick"))
stages = analysis.steps(documents[pick], settings)
with st.container(border=True):
    st.markdown("**Raw text**")
    st.text(stages.raw[:2000] + ("…" if len(stages.raw) > 2000 else ""))
    st.markdown(f"**Tokens** ({len(stages.tokens)}): {chips(stages.tokens)}")
    if remove_stop:
        st.markdown(
            f"**Stop words removed** ({len(stages.removed_stop_words)}): "
            f"{chips(stages.removed_stop_words)}"
        )
    if stemmer != "none":
        st.markdown(f"**After stemming** ({len(stages.stems)}): {chips(stages.stems)}")
    st.markdown(f"**Terms, with n-grams** ({len(stages.terms)}): {chips(stages.terms)}")

try:
    bow = fit_bag_of_words(documents, settings, weighting)
except ValueError:
    show_data_error(
        DataError(
            bagofwords.describe_empty_vocabulary(settings),
            "Change the settings above or use other text.",
        )
    )
    st.stop()

n_docs, n_terms = bow.shape
st.subheader("Vocabulary")
st.markdown(
    f"**{n_terms:,} terms** from **{n_docs:,} documents**. Each term is one column "
    "of the matrix below."
)
vocab = bagofwords.vocabulary_frame(bow)
v1, v2 = st.columns([2, 3])
v1.dataframe(escape_table(vocab), hide_index=True, height=300)
top = vocab.head(20)
v2.plotly_chart(
    bar_chart(top["term"], top["total weight"], f"total {weighting} weight"), key="top_terms"
)

st.subheader("Document-term matrix")
dtm = bagofwords.dtm_frame(bow, labels)
if dtm.shape != bow.shape:
    st.caption(
        f"Showing {dtm.shape[0]} of {n_docs:,} documents and the {dtm.shape[1]} heaviest "
        f"of {n_terms:,} terms. The full matrix stays sparse: "
        f"{bow.matrix.nnz:,} of {n_docs * n_terms:,} cells are non-zero."
    )
st.plotly_chart(
    heatmap(dtm.to_numpy(), dtm.index, dtm.columns, weighting, show_values=dtm.size <= 400),
    key="dtm",
)
with st.expander("The numbers"):
    st.dataframe(escape_table(dtm))
st.download_button(
    "Download this table as CSV",
    frame_to_csv_bytes(dtm),
    file_name="document_term_matrix.csv",
    mime="text/csv",
)

# ------------------------------------------------------------------ cosine similarity
st.header("3 · Cosine similarity")
st.latex(r"\text{similarity} = \cos\theta = \frac{a \cdot b}{\lVert a \rVert \, \lVert b \rVert}")
st.markdown(
    "θ is the angle between the two vectors: 1 means they point the same way, 0 means "
    "they share no term."
)
a_col, b_col = st.columns(2)
first = a_col.selectbox("Document a", range(n_docs), format_func=labels.__getitem__, key="cos_a")
second = b_col.selectbox(
    "Document b",
    range(n_docs),
    index=min(1, n_docs - 1),
    format_func=labels.__getitem__,
    key="cos_b",
)
parts = similarity.cosine_parts(
    bow.matrix[first].toarray().ravel(), bow.matrix[second].toarray().ravel()
)
st.markdown(
    f"a·b = **{parts.dot:.4g}**, ‖a‖ = **{parts.norm_a:.4g}**, ‖b‖ = **{parts.norm_b:.4g}**, "
    f"so cos θ = {parts.dot:.4g} / ({parts.norm_a:.4g} × {parts.norm_b:.4g}) = "
    f"**{parts.cosine:.4f}**"
)

shown = min(n_docs, 30)
cosines = similarity.cosine_matrix(bow.matrix, shown)
st.plotly_chart(cosine_heatmap(cosines, labels[:shown]), key="cosine")
if shown < n_docs:
    st.caption(f"The heatmap shows the first {shown} of {n_docs:,} documents.")
with st.expander("Chart data: cosine of every pair of documents"):
    st.dataframe(
        {"document": labels[:shown], **{labels[j]: cosines[:, j] for j in range(shown)}},
        hide_index=True,
        column_config={
            label: st.column_config.NumberColumn(format="%.3f") for label in labels[:shown]
        },
    )

st.subheader("Documents most similar to a query")
follow_default("query", documents[pick][:200])
query = st.text_input(
    "Query text", key="query", help="It follows the document picked above until you edit it."
)
matches = similarity.most_similar(bow, query, topn=5) if query.strip() else []
if query.strip() and not matches:
    st.info("None of the query's terms is in the vocabulary, so it is similar to nothing.")
for index, score in matches:
    st.markdown(f"**{score:.3f}** · {labels[index]}: {documents[index][:300]}")

if source == "Embedded corpus":
    shown_documents = bagofwords.documents_code(documents, corpus=corpus_name)
elif source == "Upload a file":
    shown_documents = bagofwords.documents_code(
        documents, file_name=getattr(st.session_state.get("text_upload"), "name", "your_text.txt")
    )
else:
    shown_documents = bagofwords.documents_code(documents)
show_code(bagofwords.bag_of_words_code(shown_documents, settings, weighting, query))
