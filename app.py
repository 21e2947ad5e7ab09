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
    "Text": [
        st.Page("pages/text_to_numbers.py", title="Text → numbers", icon=":material/pin:"),
    ],
}

navigation = st.navigation(PAGES)

with st.sidebar:
    st.caption(
        "**Deep Text Lab** turns the *Intro to Deep Learning* talk into live experiments. "
        "Everything runs on this server, offline; your uploads stay in your session."
    )

navigation.run()
