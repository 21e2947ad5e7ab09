"""Try your own text (probabilities and each word's part in them), or score a whole file."""

import streamlit as st

from core.classifier.contributions import class_probabilities, gradient_x_input, occlusion
from core.classifier.contributions_display import contributions_frame, highlight_html
from core.classifier.features import FEATURE_KINDS
from core.classifier.snippets import try_code
from core.data.export import escape_table
from core.errors import DataError
from core.figures.contributions import contributions_figure, probabilities_figure
from pages.ui.display import show_code
from pages.ui.patches import require_navigation
from pages.ui.scoring import show_file_scoring
from pages.ui.stores import current_classifier
from pages.ui.uploads import show_data_error

EXAMPLES = {
    "spam": "Check out my channel and subscribe for free gift cards!! http://example.com",
    "not spam": "This song reminds me of summer 2012, still love it",
}
SCORE_FILE = "Score a file"
MODES = ["Try your own text", SCORE_FILE]
METHODS = {
    "occlusion": "Occlusion: remove the word, see the probability change",
    "gradient": "Gradient × input: a first-order estimate from one backward pass",
}

require_navigation()

st.title("Try your own text")
st.markdown(
    "Type a message and see what the classifier makes of it: the probability of each class, "
    "and which words pushed it there. **Occlusion** removes one word at a time and measures "
    "how far the probability moves. **Gradient × input** asks the network, in one backward "
    "pass (the `GradientTape` of the talk), how sensitive the output is to each input and "
    "multiplies by the input; it is quicker and only a local estimate."
)

trained = current_classifier()
if trained is None:
    st.info(
        "No classifier in this session yet. Train one first (it takes under a minute), or "
        "load a saved bundle.",
        icon=":material/info:",
    )
    st.page_link(
        "pages/classifier_train.py",
        label="Train a text classifier",
        icon=":material/model_training:",
    )
    st.page_link(
        "pages/classifier_bundles.py", label="Save and load models", icon=":material/save:"
    )
    st.stop()

kind = trained.featurizer.settings.kind
origin = trained.record.message
st.caption(
    f"Model: {FEATURE_KINDS.get(kind, kind)} features, {len(trained.net.hidden)} hidden "
    f"layer(s), classes: {' · '.join(trained.label_names)}. {origin[:1].upper()}{origin[1:]}"
)
mode = st.segmented_control(
    "Mode", MODES, default=MODES[0], key="try_mode", label_visibility="collapsed"
)
if mode == SCORE_FILE:
    show_file_scoring(trained)
    st.stop()
with st.form("try_text"):
    default = EXAMPLES.get(trained.label_names[-1], EXAMPLES["spam"])
    text = st.text_area("Your text", default, height=100, max_chars=20_000, key="try_text")
    left, right = st.columns(2)
    method = left.radio("Explain with", list(METHODS), format_func=METHODS.get, key="try_method")
    target_label = right.selectbox(
        "Explain the probability of",
        ["the predicted class", *trained.label_names],
        key="try_target",
    )
    st.form_submit_button("Classify", type="primary", icon=":material/play_arrow:")

try:
    probabilities = class_probabilities(trained, text)
    target = None if target_label == "the predicted class" else target_label
    explain = occlusion if method == "occlusion" else gradient_x_input
    contributions = explain(trained, text, target=target)
except DataError as error:
    show_data_error(error)
    st.stop()

predicted, confidence = probabilities[0]
explained = target or predicted
st.subheader(f"Predicted: {predicted} ({confidence:.1%})")
probability_col, words_col = st.columns([1, 1.4])
with probability_col:
    st.plotly_chart(probabilities_figure(probabilities), key="try_probabilities")
with words_col:
    st.plotly_chart(contributions_figure(contributions, explained), key="try_contributions")

st.markdown(
    f"Words shaded **warm** push the text towards *{explained}*; **teal** ones push it away. "
    "The stronger the shade, the larger the effect; hover a word for its number."
)
st.html(highlight_html(text, contributions))
if method == "gradient":
    st.caption(
        "Gradient × input values are a linear estimate: they need not add up to the actual "
        "change in probability, and can disagree with occlusion beyond the strongest words."
    )
with st.expander("Chart data: probabilities and word contributions"):
    st.dataframe(
        escape_table(
            {
                "class": [label for label, _ in probabilities],
                "probability": [p for _, p in probabilities],
            }
        ),
        hide_index=True,
        column_config={"probability": st.column_config.NumberColumn(format="%.4f")},
    )
    st.dataframe(escape_table(contributions_frame(contributions)), hide_index=True)
show_code(try_code(trained, text, method, target))
