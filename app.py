"""Deep Text Lab: the navigation and the shared sidebar. Pages live in pages/, logic in core/."""

import streamlit as st

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
    ],
}

navigation = st.navigation(PAGES)

with st.sidebar:
    st.caption(
        "**Deep Text Lab** turns the *Intro to Deep Learning* talk into live experiments. "
        "Everything runs on this server, offline; your uploads stay in your session."
    )

navigation.run()
