"""Deep Text Lab: the navigation and the shared sidebar. Pages live in pages/, logic in core/."""

import streamlit as st

from pages.ui.kept_state import keep_widget_values
from pages.ui.patches import keep_keras_state_between_runs

# Other people's trainings run in this same process: one person's page must not reset them.
keep_keras_state_between_runs()

st.set_page_config(page_title="Deep Text Lab", page_icon=":material/neurology:", layout="wide")

# Sections follow the talk. Every page is listed here: st.navigation turns off auto-discovery.
PAGES = {
    "Start": [
        st.Page(
            "pages/home.py", title="Home: the map of the talk", icon=":material/map:", default=True
        ),
        st.Page("pages/datasets.py", title="Datasets: X → Y", icon=":material/dataset:"),
    ],
    "Neural networks": [
        st.Page("pages/perceptron.py", title="The perceptron", icon=":material/hub:"),
        st.Page("pages/activations.py", title="Activation functions", icon=":material/show_chart:"),
        st.Page("pages/playground.py", title="Playground", icon=":material/scatter_plot:"),
        st.Page(
            "pages/gradient_descent.py", title="Gradient descent", icon=":material/south_east:"
        ),
        st.Page(
            "pages/overfitting.py",
            title="Overfitting and early stopping",
            icon=":material/stacked_line_chart:",
        ),
        st.Page(
            "pages/stock_regression.py",
            title="Stock price regression",
            icon=":material/trending_up:",
        ),
        st.Page("pages/digits.py", title="Image classification", icon=":material/image:"),
    ],
    "Text": [
        st.Page("pages/text_to_numbers.py", title="Text → numbers", icon=":material/pin:"),
    ],
    "Embeddings": [
        st.Page(
            "pages/word2vec_pairs.py", title="Skip-gram and CBOW pairs", icon=":material/link:"
        ),
        st.Page(
            "pages/one_hot_vs_embedding.py",
            title="One-hot versus embedding",
            icon=":material/grid_on:",
        ),
        st.Page(
            "pages/word2vec_train.py", title="Train word2vec", icon=":material/model_training:"
        ),
        st.Page(
            "pages/word_vectors_explore.py", title="Explore word vectors", icon=":material/explore:"
        ),
        st.Page(
            "pages/word_vectors_evaluate.py",
            title="Evaluate word vectors",
            icon=":material/fact_check:",
        ),
        st.Page(
            "pages/word_vectors_projection.py",
            title="Project word vectors",
            icon=":material/bubble_chart:",
        ),
        st.Page(
            "pages/word_vectors_io.py",
            title="Import and export vectors",
            icon=":material/import_export:",
        ),
    ],
    "Classifier": [
        st.Page(
            "pages/classifier_train.py",
            title="Train a text classifier",
            icon=":material/psychology:",
        ),
        st.Page(
            "pages/sequence_models.py", title="Sequence models", icon=":material/linear_scale:"
        ),
        st.Page("pages/classifier_try.py", title="Try your own text", icon=":material/edit_note:"),
        st.Page(
            "pages/classifier_bundles.py", title="Save and load models", icon=":material/save:"
        ),
    ],
    "Lab": [
        st.Page("pages/runs.py", title="Runs", icon=":material/compare_arrows:"),
    ],
}

navigation = st.navigation(PAGES, expanded=True)
# Each page's settings, data choice included, are as the person left them when they come back.
keep_widget_values()

with st.sidebar:
    st.caption(
        "**Deep Text Lab** turns the *Intro to Deep Learning* talk into live experiments. "
        "Everything runs on this server, offline; your uploads stay in your session."
    )

navigation.run()
