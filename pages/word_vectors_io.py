"""Import and export vectors: read word2vec or GloVe files, write word2vec and projector files."""

import pandas as pd
import streamlit as st

from core.data.datasets import MAX_UPLOAD_MB
from core.data.export import escape_table
from core.embeddings import snippets, vector_read, vector_rows, vector_write
from core.embeddings.vectors import VectorSet
from core.errors import DataError
from pages.ui.display import chips, show_code
from pages.ui.patches import require_navigation
from pages.ui.stores import add_vector_set, choose_vector_set, vector_sets
from pages.ui.uploads import read_once, show_data_error

UPLOAD_KEY = "io_upload"
LOADED_KEY = "_io_loaded"  # (file_id, the name its vectors have in this session)
CHECK_KEY = "_io_export_check"
IMPORT_HELP = (
    "word2vec text (a first line 'words dimensions', then one word and its numbers per line; "
    "fastText .vec files are the same), word2vec binary (.bin) or GloVe text (no first line). "
    f"Optionally gzipped (.gz). Up to {MAX_UPLOAD_MB} MB. gensim .model and other pickle files "
    "are refused: opening them could run code."
)

require_navigation()

st.title("Import and export vectors")
st.markdown(
    "Word vectors travel as plain files. **word2vec** files (text or binary) are what gensim, "
    "fastText and most tools read and write; **GloVe** files are word2vec text without the "
    "first line. Load one here to explore it on the other pages, or save vectors trained in "
    "this session to use elsewhere."
)


# ------------------------------------------------------------------ import
def read_upload(uploaded, format: str, max_words: int | None):
    """Read the uploaded file once per (file, format, limit) and keep it in this session.

    Returns ``(LoadedVectors or DataError, the vectors' name in this session)``. Reading the
    same file again with other options replaces the vectors it gave before; a new file adds.
    """
    result, fresh = read_once(
        uploaded,
        UPLOAD_KEY,
        lambda name, data: vector_read.read_vectors(name, data, format=format, max_words=max_words),
        "Check that it is a word2vec or GloVe file; if it is, please report it.",
        options=(format, max_words),
    )
    # The vectors this same file gave with other options: replaced on success, kept on error.
    given = st.session_state.get(LOADED_KEY)
    name = given[1] if given is not None and given[0] == uploaded.file_id else None
    if fresh and isinstance(result, vector_read.LoadedVectors):
        if name is not None:
            vector_sets().pop(name, None)
        name = add_vector_set(result.vector_set)
        st.session_state[LOADED_KEY] = (uploaded.file_id, name)
    return result, name


def show_loaded(loaded: vector_read.LoadedVectors, name: str) -> None:
    """Size, format, warnings and a peek at the first words of what was read."""
    vs = loaded.vector_set
    st.success(
        f"Loaded **{len(vs):,} words × {vs.dimension} dimensions** as *{name}* · "
        f"{vs.source}. It is now the current vector set of the other word-vector pages.",
        icon=":material/check_circle:",
    )
    for warning in loaded.warnings:
        st.warning(warning, icon=":material/warning:")
    st.markdown("**First words:** " + chips(vs.top_words(30), limit=30))
    with st.expander("First rows of the file, as read"):
        shown = min(8, vs.dimension)
        words = vs.top_words(10)
        frame = pd.DataFrame(
            vs.vectors[words][:, :shown], index=words, columns=[f"v{i + 1}" for i in range(shown)]
        )
        st.dataframe(escape_table(frame.rename_axis("word")))
        if vs.dimension > shown:
            st.caption(f"The first {shown} of {vs.dimension} numbers of each vector.")


st.header("Import word vectors")
left, right = st.columns(2)
chosen_format = left.selectbox(
    "Format",
    list(vector_read.FORMAT_NAMES),
    format_func=vector_read.FORMAT_NAMES.get,
    key="io_format",
    help="Detection reads the first line: two numbers make it word2vec (binary if bytes that "
    "are not text follow), anything else is read as GloVe.",
)
limit = right.number_input(
    "Read only the first N words (0 reads them all)",
    min_value=0,
    max_value=vector_rows.MAX_WORDS,
    value=0,
    step=1_000,
    key="io_limit",
    help="Vector files list the most frequent words first, so the first words are usually "
    f"the useful ones. At most {vector_rows.MAX_WORDS:,} words are read in any case.",
)
uploaded = st.file_uploader("Word vectors file", key=UPLOAD_KEY, help=IMPORT_HELP)
if uploaded is not None:
    outcome, loaded_name = read_upload(uploaded, chosen_format, int(limit) or None)
    if isinstance(outcome, DataError):
        kept = "The vectors already in this session are unchanged." if vector_sets() else None
        show_data_error(outcome, kept)
    else:
        show_loaded(outcome, loaded_name)
else:
    st.caption(
        "To get such a file from gensim: `model.wv.save_word2vec_format('vectors.txt')`. "
        "GloVe's published vectors (glove.6B.50d.txt and others) load as they are."
    )


# ------------------------------------------------------------------ export
def export_check(vs: VectorSet) -> DataError | list[tuple[str, str]]:
    """Words that export renames (or why it cannot export), checked once per vector set."""
    key = (vs.name, len(vs), vs.dimension)
    memo = st.session_state.get(CHECK_KEY)
    if memo is None or memo[0] != key:
        try:
            result: DataError | list[tuple[str, str]] = vector_write.renamed_words(vs)
        except DataError as error:
            result = error
        memo = (key, result)
        st.session_state[CHECK_KEY] = memo
    return memo[1]


def show_exports(vs: VectorSet) -> None:
    """Download buttons; the files are only built when a button is clicked."""
    check = export_check(vs)
    if isinstance(check, DataError):
        show_data_error(check)
        return
    if check:
        examples = ", ".join(f"{old!r} → {new!r}" for old, new in check[:3])
        st.info(
            f"{len(check):,} word(s) contain spaces or control characters, which these formats "
            f"cannot hold; they are written with _ instead ({examples}).",
            icon=":material/info:",
        )
    stem = vector_write.export_file_stem(vs.name)

    st.subheader("word2vec files")
    left, right = st.columns(2)
    left.download_button(
        "word2vec text (.txt)",
        data=lambda: vector_write.to_word2vec_text(vs),
        file_name=f"{stem}.txt",
        mime="text/plain",
        on_click="ignore",
        icon=":material/download:",
        key="io_download_text",
    )
    right.download_button(
        "word2vec binary (.bin)",
        data=lambda: vector_write.to_word2vec_binary(vs),
        file_name=f"{stem}.bin",
        mime="application/octet-stream",
        on_click="ignore",
        icon=":material/download:",
        key="io_download_binary",
    )
    st.caption(
        f"All {len(vs):,} words, most frequent first. Read them back here, or in Python with "
        f"`KeyedVectors.load_word2vec_format('{stem}.txt')` (add `binary=True` for the .bin). "
        "The binary file is smaller and exact; the text file is readable and keeps every "
        "float32 value exactly too."
    )

    st.subheader("Embedding Projector files")
    if len(vs) > 1:
        count = st.slider(
            "Words to export (the most frequent first)",
            min_value=1,
            max_value=len(vs),
            value=len(vs),
            key=f"io_tsv_words_{vs.name}",
        )
    else:
        count = 1
    words = vs.top_words(count)
    left, right = st.columns(2)
    left.download_button(
        "vectors.tsv",
        data=lambda: vector_write.to_projector_tsv(vs, words)[0],
        file_name=f"{stem}_vectors.tsv",
        mime="text/tab-separated-values",
        on_click="ignore",
        icon=":material/download:",
        key="io_download_vectors_tsv",
    )
    right.download_button(
        "metadata.tsv",
        data=lambda: vector_write.to_projector_tsv(vs, words)[1],
        file_name=f"{stem}_metadata.tsv",
        mime="text/tab-separated-values",
        on_click="ignore",
        icon=":material/download:",
        key="io_download_metadata_tsv",
    )
    columns = (
        "a word and its count per line, under a header" if vs.has_counts else "one word per line"
    )
    st.caption(
        f"{count:,} words: vectors.tsv holds {vs.dimension} tab-separated numbers per line, "
        f"metadata.tsv {columns}, in the same order."
    )
    st.info(
        "If you use the TensorFlow Embedding Projector (the projector tab of TensorBoard, or "
        "its web version at projector.tensorflow.org), choose **Load**, give it the vectors "
        "file in step 1 and the metadata file in step 2. Large files make it slow: lower the "
        "number of words above to keep the most frequent ones. This app stays offline: the "
        "files are only saved to your computer.",
        icon=":material/bubble_chart:",
    )


st.header("Export word vectors")
export_set = choose_vector_set(
    "Vectors to export",
    key="io_export_choice",
    empty_hint=(
        "No word vectors in this session to export yet. Load a word2vec or GloVe file under "
        "**Import word vectors** above, train some on **Train word2vec**, or start with a small "
        "model of the Lee news corpus (skip-gram, 50 dimensions, a few seconds)."
    ),
)
if export_set is not None:
    show_exports(export_set)

show_code(
    snippets.vectors_io_code(
        export_set,
        None if export_set is None else st.session_state.get(f"io_tsv_words_{export_set.name}"),
    )
)
