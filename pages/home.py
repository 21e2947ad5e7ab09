"""Home: the map of the talk. Imports nothing heavy, so it opens as fast as a bare app."""

import time

import streamlit as st

from core.figures.talk_map import ai_ml_dl_figure

st.title("Deep Text Lab")
st.markdown(
    "The *Intro to Deep Learning* workshop, one live experiment per idea. "
    "Start here for the big picture, then follow the links."
)

left, right = st.columns([3, 2])
left.subheader("AI ⊃ ML ⊃ DL")
# The chart's slot is reserved here and filled last (see the end of the script).
diagram = left.empty()
with right:
    st.subheader("Three nested ideas")
    st.markdown(
        "- **Artificial intelligence**: any technique that makes a computer act the way a person "
        "would.\n"
        "- **Machine learning**: the part of AI that learns from examples instead of following "
        "rules someone wrote.\n"
        "- **Deep learning**: the part of ML that uses neural networks to find the patterns "
        "itself."
    )
    st.info("Every deep-learning model is a machine-learning model, but not the other way round.")

st.subheader("Learning maps an input X to an output Y")
st.caption("Three examples from the talk, each with its real data and a page that works with it.")
EXAMPLES = [
    (
        ":material/mail: Spam detection",
        "the text of a message",
        "one of {spam, not spam}",
        "cross-entropy (a classification loss)",
        "See the spam comments",
        "spam",
        ("pages/classifier_train.py", "Train a classifier on it"),
    ),
    (
        ":material/trending_up: Stock price prediction",
        "the last 5 weekly prices (one price a week)",
        "next week's price, a number",
        "mean squared error, (1/n) Σ (Yᵢ − Ŷᵢ)²",
        "See the price windows",
        "stocks",
        ("pages/stock_regression.py", "Train a network on it"),
    ),
    (
        ":material/image: Image classification",
        "an image, as a grid of pixel values",
        "a class, such as {cat, dog} or a digit 0-9",
        "cross-entropy over the classes",
        "See the digit images",
        "digits",
        ("pages/digits.py", "Train a network on it"),
    ),
]
for column, (name, x, y, loss, link, dataset, (page, action)) in zip(
    st.columns(3), EXAMPLES, strict=True
):
    with column.container(border=True):
        st.markdown(f"**{name}**")
        st.markdown(f"**X** = {x}  \n**Y** = {y}  \n**Loss** = {loss}")
        st.page_link(
            "pages/datasets.py",
            label=link,
            icon=":material/arrow_forward:",
            query_params={"dataset": dataset},
        )
        st.page_link(page, label=action, icon=":material/play_arrow:")

st.subheader("Hand-made features versus learned features")
features, table = st.columns(2)
with features:
    st.markdown(
        "Classical ML needs a person to decide what to measure: *does the message contain "
        "“free”? how many links?* Such features take time to design, break when the data "
        "shifts, and do not scale to new problems.\n\n"
        "Deep learning learns the features from the data, layer by layer:\n"
        "1. **Low level**: lines and edges (in text: characters and word pieces).\n"
        "2. **Mid level**: eyes, noses and ears (in text: words and phrases).\n"
        "3. **High level**: the structure of a face (in text: topic and intent)."
    )
with table:
    # A Markdown table, not st.table: st.table goes through pandas and Arrow, whose first
    # import would add about a second to the home page's cold start.
    st.markdown(
        "| Machine learning | Deep learning |\n"
        "|---|---|\n"
        "| Works on small datasets | Needs large datasets |\n"
        "| Runs on low-end computers | Depends on high-end computers (GPUs) |\n"
        "| Trains faster | Takes longer to train |\n"
        "| Slower to test | Faster to test |\n"
        "| Features made by hand | Features learned from data |"
    )
st.markdown(
    "**Why now?** Neural networks are decades old. They came back because of **big data** "
    "(larger datasets, easier to collect and store), **hardware** (GPUs, massively parallel) and "
    "**software** (better techniques, new models, toolboxes such as TensorFlow and Keras)."
)

st.subheader("Where to go next")
st.page_link(
    "pages/perceptron.py",
    label="Neural networks, from one perceptron to a trained network",
    icon=":material/hub:",
)
st.page_link(
    "pages/text_to_numbers.py",
    label="Text → numbers: tokens, bag of words, cosine",
    icon=":material/pin:",
)
st.page_link(
    "pages/word2vec_train.py",
    label="Word embeddings: train word2vec, explore and project the vectors",
    icon=":material/model_training:",
)
st.page_link(
    "pages/classifier_train.py",
    label="A text classifier on your data, against classical ML",
    icon=":material/psychology:",
)
st.page_link(
    "pages/sequence_models.py",
    label="Deep learning for NLP: convolutional and recurrent networks read the words in order",
    icon=":material/linear_scale:",
)

# The browser fetches plotly.js (several MB) when it meets its first chart, and holds back
# whatever arrives in the same batch of updates until then. Filling the chart last, a moment
# after the text, lets the whole page show at once and the diagram follow.
time.sleep(0.1)
diagram.plotly_chart(ai_ml_dl_figure(), config={"displayModeBar": False})
