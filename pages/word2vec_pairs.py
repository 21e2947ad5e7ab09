"""Skip-gram and CBOW pairs: the training examples word2vec cuts out of a sentence."""

import pandas as pd
import streamlit as st

from core.data.export import escape_table
from core.embeddings import pairs as embeddings
from core.figures.embeddings import pair_growth_figure, window_figure
from pages.ui.display import chips, show_code
from pages.ui.patches import require_navigation

require_navigation()

st.title("Skip-gram and CBOW pairs")
st.markdown(
    "Word2vec learns word vectors by training a network on a **proxy task**: guessing which "
    "words are likely to appear around a given word. A window slides over the "
    "sentence; the word in the middle is the **target**, its neighbours are the **context**. "
    "**Skip-gram** predicts each context word from the target; **CBOW** (continuous bag of "
    "words) predicts the target from all of its context words together."
)

left, right = st.columns([3, 1])
sentence = left.text_input("Sentence", value=embeddings.TALK_SENTENCE, key="w2v_sentence")
window = right.slider(
    "Window size",
    min_value=embeddings.MIN_WINDOW,
    max_value=embeddings.MAX_WINDOW,
    value=2,
    key="w2v_window",
    help="How many words on each side of the target count as its context.",
)
settings = embeddings.PairSettings(sentence=sentence, window=window)

tokens = embeddings.sentence_tokens(settings.sentence)
if not tokens:
    st.error(
        "**The sentence has no words.** Type a sentence with at least two words, "
        "for example: a cute teddy bear is reading.",
        icon=":material/error:",
    )
    st.stop()
if len(tokens) > embeddings.MAX_SENTENCE_TOKENS:
    st.warning(
        f"The sentence has {len(tokens):,} words; only the first "
        f"{embeddings.MAX_SENTENCE_TOKENS} are used, so the diagram stays readable. "
        "Shorten it to see every word.",
        icon=":material/warning:",
    )
    tokens = tokens[: embeddings.MAX_SENTENCE_TOKENS]

skipgram = embeddings.skipgram_pairs(tokens, settings.window)
cbow = embeddings.cbow_examples(tokens, settings.window)

st.markdown("**Tokens** (lower-cased): " + chips(tokens))
counts = st.columns(3)
counts[0].metric("Words", len(tokens))
counts[1].metric("Skip-gram pairs", len(skipgram))
counts[2].metric("CBOW examples", len(cbow))
if len(tokens) == 1:
    st.warning(
        "**A single word has no neighbours**, so there are no pairs to learn from. "
        "Add more words to the sentence.",
        icon=":material/warning:",
    )
    st.stop()

# ------------------------------------------------------------------ the sliding window
st.header("The window slides over the sentence")
position = st.select_slider(
    "Target position",
    options=list(range(len(tokens))),
    value=min(2, len(tokens) - 1),
    format_func=lambda i: f"{i}: {tokens[i]}",
    key=f"w2v_position_{len(tokens)}",  # a new slider when the sentence length changes
)
context = embeddings.context_positions(len(tokens), position, settings.window)
st.plotly_chart(window_figure(tokens, position, context), key="w2v_window_fig")
context_words = ", ".join(f"*{tokens[j]}*" for j in context)
st.caption(
    f"Target *{tokens[position]}* with window {settings.window}: context {context_words}. "
    f"Skip-gram makes {len(context)} pairs from this position (arrows above); CBOW makes one "
    "example that predicts the target from all of them (arrows below)."
)
with st.expander("Diagram data"):
    roles = [
        "target" if i == position else "context" if i in context else "outside window"
        for i in range(len(tokens))
    ]
    st.dataframe(
        escape_table(pd.DataFrame({"position": range(len(tokens)), "word": tokens, "role": roles})),
        hide_index=True,
    )


# ------------------------------------------------------------------ the tables
def table_height(rows: int) -> int:
    """Tall enough to show every row (35 px each, plus the header) up to 20, then scroll."""
    return 35 * (min(rows, 20) + 1) + 3


st.header("Every training example")
sg_col, cbow_col = st.columns(2)


with sg_col:
    st.subheader(f"Skip-gram: {len(skipgram)} pairs")
    st.caption("Input: the target word. Output to predict: one context word.")
    st.dataframe(
        escape_table(pd.DataFrame(skipgram, columns=["target (input)", "context (predict)"])),
        hide_index=True,
        width="stretch",
        height=table_height(len(skipgram)),
    )
with cbow_col:
    st.subheader(f"CBOW: {len(cbow)} examples")
    st.caption("Input: all context words together. Output to predict: the target word.")
    st.dataframe(
        escape_table(
            pd.DataFrame(
                [(" ".join(ctx), target) for ctx, target in cbow],
                columns=["context (input)", "target (predict)"],
            )
        ),
        hide_index=True,
        width="stretch",
        height=table_height(len(cbow)),
    )

# ------------------------------------------------------------------ growth with the window
st.header("More window, more pairs")
by_window = embeddings.pair_counts_by_window(len(tokens))
st.plotly_chart(pair_growth_figure(by_window, settings.window), key="w2v_growth")
st.caption(
    "Each word pairs with up to 2 × window neighbours, fewer near the ends of the sentence. "
    f"Once the window reaches {len(tokens) - 1} (the sentence length minus one), every word "
    "already sees every other word and the count stops growing. CBOW always makes one example "
    "per word; only its examples get wider."
)
with st.expander("Pair counts by window"):
    st.dataframe(
        pd.DataFrame({"window": list(by_window), "skip-gram pairs": list(by_window.values())}),
        hide_index=True,
    )

show_code(embeddings.pairs_code(settings))
