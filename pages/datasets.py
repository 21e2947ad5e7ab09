"""Datasets: the X and Y of the talk's examples on real data, and a check for your own file."""

import streamlit as st

from core.data import datasets, snippets
from core.data.export import escape_table, to_csv_bytes
from core.figures.common import bar_chart
from core.figures.images import digits_figure
from core.figures.regression import stock_window_figure
from pages.ui.display import show_code
from pages.ui.patches import require_navigation
from pages.ui.uploads import upload_text

CHOICES = {
    "spam": ":material/mail: Spam comments",
    "stocks": ":material/trending_up: Stock prices",
    "digits": ":material/image: Digit images",
    "corpora": ":material/menu_book: Text corpora",
    "upload": ":material/upload_file: Your file",
}

require_navigation()

st.title("Datasets: X → Y")
st.markdown(
    "Every dataset here ships with the app or with a package it installs: nothing is "
    "downloaded. Each one shows what the input **X** and the output **Y** are."
)

requested = st.query_params.get("dataset", "spam")
if requested not in CHOICES:
    st.warning(f"Unknown dataset {requested!r} in the link; showing the spam comments.")
    requested = "spam"
choice = (
    st.segmented_control(
        "Dataset", list(CHOICES), default=requested, format_func=CHOICES.get, key="dataset_choice"
    )
    or requested
)
st.query_params["dataset"] = choice


@st.cache_data(show_spinner=False)
def load_spam() -> datasets.LabelledText:
    return datasets.youtube_spam()


if choice == "spam":
    data = load_spam()
    st.subheader("YouTube Spam Collection")
    st.markdown(
        "**X** = the text of a comment · **Y** = {spam, not spam}. 1,956 real comments "
        "from five music videos (Alberto, Lochter and Almeida, 2015; CC BY 4.0)."
    )
    counts = data.class_counts()
    st.plotly_chart(bar_chart(list(counts), list(counts.values()), "comments"), key="spam_counts")
    with st.expander("Chart data: comments per label"):
        st.dataframe(
            escape_table({"label": list(counts), "comments": list(counts.values())}),
            hide_index=True,
        )
    video = st.selectbox("Video", list(datasets.YOUTUBE_VIDEOS), key="video")
    rows = [
        (t, y) for t, y, g in zip(data.texts, data.labels, data.groups, strict=True) if g == video
    ]
    st.dataframe(
        escape_table({"X: comment": [r[0] for r in rows], "Y: label": [r[1] for r in rows]}),
        height=320,
    )
    st.download_button(
        "Download these comments as CSV",
        to_csv_bytes(["text", "label"], rows),
        file_name=f"youtube_spam_{video}.csv",
        mime="text/csv",
    )
    show_code(snippets.spam_code(video))

elif choice == "stocks":
    prices = datasets.stocks()
    st.subheader("Weekly stock prices (plotly's sample data, 2018-2019)")
    st.markdown(
        "In the talk, **X** = the prices of the last week and **Y** = tomorrow's price. This "
        "sample has one price per week, each divided by its value on 2018-01-01, so here "
        "**X** = the last 5 prices and **Y** = the next one. "
        "The loss is the mean squared error, (1/n) Σ (Yᵢ − Ŷᵢ)²."
    )
    ticker = st.selectbox("Ticker", list(prices.columns), key="ticker")
    series = prices[ticker]
    window = 5
    start = st.slider(
        "Slide the window along the series", 0, len(series) - window - 1, 0, key="window_start"
    )
    st.plotly_chart(stock_window_figure(series, window, start, ticker), key="stock_chart")
    with st.expander(f"Chart data: the {len(series)} weekly prices of {ticker}"):
        st.dataframe(
            {
                "week": [f"{day:%Y-%m-%d}" for day in series.index],
                "price": series.to_numpy(),
                "in the window": [
                    "X" if start <= i < start + window else "Y" if i == start + window else ""
                    for i in range(len(series))
                ],
            },
            hide_index=True,
            height=300,
        )
    X, y = datasets.lagged_windows(series.to_numpy(), window)
    st.markdown(f"The series gives **{len(y)} (X, Y) pairs**. The highlighted one:")
    st.dataframe(
        {
            **{f"t-{window - i}": [round(float(X[start, i]), 4)] for i in range(window)},
            "Y: t": [round(float(y[start]), 4)],
        },
        hide_index=True,
    )
    show_code(snippets.stocks_code(ticker, window, start))

elif choice == "digits":
    images, labels = datasets.digits()
    st.subheader("Handwritten digits (scikit-learn)")
    st.markdown(
        f"**X** = an 8×8 grid of pixel values (64 numbers from 0 to 16) · **Y** = the "
        f"digit, one of 10 classes. {len(labels):,} images."
    )
    offset = st.number_input("First image", 0, len(labels) - 20, 0, step=20, key="digit_offset")
    st.plotly_chart(
        digits_figure(images[offset : offset + 20], labels[offset : offset + 20]), key="digits"
    )
    with st.expander("Chart data: the 64 pixel values of each image shown"):
        shown = images[offset : offset + 20].reshape(-1, 64).astype(int)
        st.dataframe(
            {
                "image": list(range(offset, offset + len(shown))),
                "label": labels[offset : offset + len(shown)],
                **{f"({r},{c})": shown[:, 8 * r + c] for r in range(8) for c in range(8)},
            },
            hide_index=True,
        )
        st.caption("Column (row, column) is one pixel of the 8×8 grid, from 0 (blank) to 16.")
    show_code(snippets.digits_code(int(offset)))

elif choice == "corpora":
    st.subheader("Plain-text corpora")
    st.markdown(
        "For word vectors there is no Y: the text itself is the data. These corpora ship "
        "with gensim."
    )
    for name in datasets.GENSIM_CORPORA:
        corpus = datasets.gensim_corpus(name)
        with st.expander(f"{name}: {len(corpus):,} documents"):
            for doc in corpus.documents[:5]:
                st.markdown(f"- {doc[:300]}…")
    polarity = datasets.pang_lee_polarity()
    with st.expander(f"Pang & Lee movie-review polarity: {len(polarity)} labelled sentences"):
        st.dataframe(
            escape_table({"X: sentence": polarity.texts, "Y: label": polarity.labels}), height=260
        )
    show_code(snippets.corpora_code())

else:
    st.subheader("Check your own file")
    st.markdown(
        "Upload a file to see what the lab reads from it: the format it detected, the "
        "texts and, for labelled data, the classes."
    )
    uploaded = upload_text("Upload a text file", key="dataset_upload")
    if isinstance(uploaded, datasets.LabelledText):
        counts = uploaded.class_counts()
        st.plotly_chart(bar_chart(list(counts), list(counts.values()), "rows"), key="up_counts")
        with st.expander("Chart data: rows per class"):
            st.dataframe(
                escape_table({"class": list(counts), "rows": list(counts.values())}),
                hide_index=True,
            )
        st.dataframe(
            escape_table({"X: text": uploaded.texts[:500], "Y: label": uploaded.labels[:500]}),
            height=300,
        )
    elif uploaded is not None:
        st.dataframe(escape_table({"document": uploaded.documents[:500]}), height=300)
    show_code(snippets.upload_code(getattr(st.session_state.get("dataset_upload"), "name", None)))
