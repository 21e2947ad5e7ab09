"""One-hot versus embedding: the talk's slide with live vectors, the lookup and the memory bill."""

import pandas as pd
import streamlit as st

from core.data.export import escape_table
from core.embeddings import onehot
from core.figures.common import heatmap
from core.figures.onehot import memory_figure, similarity_heatmap, word_arrows_figure
from pages.ui.display import show_code
from pages.ui.patches import require_navigation

require_navigation()

st.title("One-hot versus embedding")
st.markdown(
    "The talk contrasts two ways to turn a word into a vector. The **1-hot representation**, "
    "noted $o_w$, is the simplest one: one slot per vocabulary word, a single 1, so it says "
    "**nothing about which words are alike**. A **word embedding**, noted $e_w$, is a short dense vector "
    "that **encodes how alike words are**: *teddy bear* and *soft* point in similar "
    "directions, *book* somewhere else."
)

# ------------------------------------------------------------------ vocabulary
st.header("1 · The vocabulary")
typed = st.text_input(
    "Words (separated by commas)",
    value=", ".join(onehot.DEFAULT_WORDS),
    key="oh_words",
    help="A multi-word entry such as 'teddy bear' counts as one vocabulary item.",
)
vocab = onehot.parse_words(typed)
if vocab.duplicates:
    st.warning(
        "Listed more than once, kept once: " + ", ".join(sorted(set(vocab.duplicates))) + "."
    )
if vocab.truncated:
    st.warning(
        f"Only the first {onehot.MAX_WORDS} words are used ({vocab.truncated} dropped): "
        "remove some words to see them all."
    )
if not vocab.words:
    st.error(
        "No words to show. Type a few words separated by commas, for example "
        "“soft, teddy bear, book”.",
        icon=":material/error:",
    )
    st.stop()

words = vocab.words
size = vocab.size
st.metric("V = vocabulary size = length of every one-hot vector", size)
st.caption(
    f"Each word becomes a vector of **{size}** numbers. Add a word above and every vector "
    "gets one number longer; a real vocabulary of 100,000 words means 100,000 numbers per word."
)

# ------------------------------------------------------------------ one-hot
st.header("2 · One-hot vectors $o_w$")
one_hot = onehot.one_hot_matrix(size)
st.plotly_chart(
    heatmap(one_hot, words, [f"{i}: {w}" for i, w in enumerate(words)], "value"),
    key="oh_onehot_matrix",
)
with st.expander("One-hot matrix data"):
    st.dataframe(
        escape_table(pd.DataFrame(one_hot.astype(int), index=list(words), columns=list(words)))
    )
st.caption(
    "Row = the word's vector o_w. Every row has a single 1, in its own column, so any two "
    "different words share nothing."
)

# ------------------------------------------------------------------ similarity
st.header("3 · Cosine similarity: one-hot against a small embedding")
table = onehot.embedding_table(words)
left, right = st.columns(2)
with left:
    st.subheader("One-hot")
    one_hot_cos = onehot.cosine_matrix(one_hot)
    st.plotly_chart(similarity_heatmap(one_hot_cos, words), key="oh_onehot_cosine")
    st.caption(
        "1 on the diagonal, exactly 0 everywhere else: *soft* is as far from *teddy bear* "
        "as from *book*."
    )
with right:
    st.subheader("Embedding")
    if table.words:
        emb_cos = onehot.cosine_matrix(table.matrix)
        st.plotly_chart(similarity_heatmap(emb_cos, table.words), key="oh_embedding_cosine")
        st.caption("Words with related meanings now have cosine near 1; unrelated ones near 0.")
    else:
        emb_cos = None
        st.info("None of these words has a hand-made vector, so there is nothing to compare.")
if table.missing:
    st.warning(
        "No hand-made vector for: **" + ", ".join(table.missing) + "**. They are left out of "
        "the embedding views rather than given made-up numbers. The built-in words are: "
        + ", ".join(onehot.HAND_MADE_EMBEDDING)
        + ". Real embeddings are learned from text "
        "(see the word2vec page).",
        icon=":material/info:",
    )
with st.expander("Similarity data"):
    st.markdown("**One-hot cosine**")
    st.dataframe(escape_table(pd.DataFrame(one_hot_cos, index=list(words), columns=list(words))))
    if emb_cos is not None:
        st.markdown("**Embedding cosine**")
        st.dataframe(
            pd.DataFrame(emb_cos, index=list(table.words), columns=list(table.words)).round(3)
        )

st.subheader("The slide in 3-D")
st.markdown(
    "The embedding below is **hand-made, not learned**: 3 numbers per word, picked so that "
    "soft / teddy bear / cute, book / reading and cat / dog sit close together. Its axes are "
    f"loosely named {', '.join(onehot.EMBEDDING_AXES)} only to make the numbers readable."
)
left3, right3 = st.columns(2)
with left3:
    st.markdown("**1-hot representation**: three words on three orthogonal axes")
    slide = onehot.SLIDE_WORDS
    st.plotly_chart(word_arrows_figure(slide, onehot.one_hot_matrix(3), slide), key="oh_onehot_3d")
with right3:
    st.markdown("**Word embedding**: related words point the same way")
    if table.words:
        st.plotly_chart(
            word_arrows_figure(table.words, table.matrix, onehot.EMBEDDING_AXES),
            key="oh_embedding_3d",
        )
    else:
        st.info("Add one of the built-in words to see its arrow.")
with st.expander("Embedding table E"):
    st.dataframe(pd.DataFrame(table.matrix, index=list(table.words), columns=onehot.EMBEDDING_AXES))

# ------------------------------------------------------------------ lookup
st.header("4 · The lookup: $o_w \\times E = e_w$")
code_table = table if table.words else onehot.embedding_table(onehot.DEFAULT_WORDS)
word = st.selectbox("Word to look up", code_table.words, key="oh_lookup_word")
if not table.words:
    st.info("None of your words has a vector, so the lookup uses the built-in words.")
found = onehot.lookup(word, code_table)
axes = list(onehot.EMBEDDING_AXES)
st.markdown(f"$o_w$ for *{word}* (1 x {len(code_table.words)})")
st.dataframe(
    pd.DataFrame([found.one_hot.astype(int)], columns=list(code_table.words), index=["o_w"])
)
c2, c3 = st.columns([3, 2])
with c2:
    st.markdown(f"$\\times$ $E$ ({len(code_table.words)} x {code_table.dim})")
    st.dataframe(pd.DataFrame(found.table, index=list(code_table.words), columns=axes))
with c3:
    st.markdown(f"$= e_w$ (1 x {code_table.dim}), row {found.index} of $E$")
    st.dataframe(pd.DataFrame([found.product], index=["e_w"], columns=axes))
st.caption(
    f"Multiplying by a vector that is 0 everywhere but position {found.index} keeps only row "
    f"{found.index} of E, the row of *{word}*. That is why frameworks store E and simply index "
    "it (keras.layers.Embedding) instead of building the one-hot vector."
)

# ------------------------------------------------------------------ memory
st.header("5 · Memory: V words at dimension d")
m1, m2 = st.columns(2)
vocab_size = m1.select_slider(
    "Vocabulary size V",
    onehot.VOCAB_CHOICES,
    value=10_000,
    format_func="{:,}".format,
    key="oh_vocab_size",
)
dim = m2.select_slider("Embedding dimension d", onehot.DIM_CHOICES, value=128, key="oh_dim")
memory = onehot.MemorySettings(vocab_size, dim)
cost = onehot.memory_cost(memory)
n1, n2, n3, n4 = st.columns(4)
n1.metric("One-hot vector (V x 4 B)", onehot.human_bytes(cost.one_hot_vector))
n2.metric("Dense vector (d x 4 B)", onehot.human_bytes(cost.dense_vector))
n3.metric("One-hot table (V x V x 4 B)", onehot.human_bytes(cost.one_hot_table))
n4.metric("Dense table (V x d x 4 B)", onehot.human_bytes(cost.dense_table))
st.caption(
    f"float32 = 4 bytes per number. At V = {vocab_size:,} and d = {dim} the one-hot table is "
    f"**{cost.ratio:,.0f}x** the dense one (V / d)."
    + (" Here d is not smaller than V, so dense vectors save nothing." if dim >= vocab_size else "")
)
curve = onehot.memory_curve(dim)
st.plotly_chart(
    memory_figure(
        curve["V"], curve["one-hot table (bytes)"], curve["dense table (bytes)"], vocab_size, dim
    ),
    key="oh_memory",
)
with st.expander("Memory data"):
    st.dataframe(pd.DataFrame(curve), hide_index=True)

show_code(onehot.lookup_code(code_table, word, memory))
