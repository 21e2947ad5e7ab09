"""The perceptron: y_hat = g(w0 + sum x_i w_i), step by step, and its decision line."""

import pandas as pd
import streamlit as st

from core.figures.perceptron import decision_figure
from core.nn import perceptron
from pages.ui.display import show_code
from pages.ui.patches import require_navigation

require_navigation()

st.title("The perceptron")
st.markdown(
    "A perceptron is the single neuron of a network. It multiplies each input by its weight, "
    "adds the products and a **bias** w0, and passes that sum z through a **non-linear "
    "activation function** g. The output is ŷ:"
)
st.latex(r"\hat{y} = g \left(w_0 + \sum_{i=1}^m x_i w_i \right)")


@st.cache_data
def clusters() -> perceptron.Clusters:
    return perceptron.make_clusters(per_class=40, seed=7)


# ------------------------------------------------------------------ settings
top = st.columns([1, 1, 1])
with top[0]:
    m = st.slider("Number of inputs m", 1, perceptron.MAX_INPUTS, 2, key="n_inputs")
with top[1]:
    g_name = st.selectbox(
        "Activation g",
        list(perceptron.ACTIVATION_NAMES),
        format_func=perceptron.ACTIVATION_NAMES.get,
        key="activation",
    )
with top[2]:
    w0 = st.slider("Bias w0", -3.0, 3.0, 0.25, 0.05, key="w0")

# The talk-sized example as defaults: x = (1, 2), w = (0.5, -1); the rest start at 0.5.
DEFAULT_X = (1.0, 2.0, 0.5, 0.5, 0.5)
DEFAULT_W = (0.5, -1.0, 0.5, 0.5, 0.5)
inputs_col, weights_col = st.columns(2)
with inputs_col:
    st.markdown("**Inputs**")
    xs = tuple(
        st.slider(f"x{i}", -3.0, 3.0, DEFAULT_X[i - 1], 0.05, key=f"x{i}") for i in range(1, m + 1)
    )
with weights_col:
    st.markdown("**Weights**")
    ws = tuple(
        st.slider(f"w{i}", -3.0, 3.0, DEFAULT_W[i - 1], 0.05, key=f"w{i}") for i in range(1, m + 1)
    )

try:
    settings = perceptron.PerceptronSettings(xs, ws, w0, g_name or "sigmoid")
except ValueError as error:
    st.error(f"These settings do not describe a perceptron: {error}.", icon=":material/error:")
    st.stop()

result = perceptron.perceptron_output(settings.x, settings.w, settings.w0, settings.activation)

# ------------------------------------------------------------------ the computation, step by step
st.header("1 · From inputs to ŷ")
table_col, steps_col = st.columns([2, 3])
with table_col:
    rows = [
        {"i": i, "x_i": xi, "w_i": wi, "x_i · w_i": term}
        for i, (xi, wi, term) in enumerate(
            zip(settings.x, settings.w, result.terms, strict=True), 1
        )
    ]
    rows.append({"i": 0, "x_i": 1.0, "w_i": settings.w0, "x_i · w_i": settings.w0})
    frame = pd.DataFrame(rows).set_index("i")
    frame.index = [f"x{i} · w{i}" if i else "bias w0" for i in frame.index]
    st.dataframe(frame.style.format("{:.4f}"), width="stretch")
    st.caption("The bias acts like a weight on an input that is always 1.")
with steps_col:
    st.markdown("**Linear combination of the inputs, plus the bias**")
    st.latex(perceptron.sum_latex(settings, result))
    st.markdown(f"**Non-linear activation** ({perceptron.ACTIVATION_NAMES[settings.activation]})")
    st.latex(perceptron.FORMULAS[settings.activation][0])
    label = perceptron.ACTIVATION_NAMES[settings.activation]
    st.latex(rf"\hat{{y}} = g({result.z:.4f}) = {result.y_hat:.4f}")
    a, b = st.columns(2)
    a.metric("z", f"{result.z:.4f}")
    b.metric(f"ŷ = {label}(z)", f"{result.y_hat:.4f}")

# ------------------------------------------------------------------ two inputs: the decision line
st.header("2 · What it decides, for two inputs")
if m != 2:
    st.info(
        "Set **Number of inputs m** to 2 to see the perceptron as a line in the plane: with "
        "two inputs every point (x1, x2) is one input, and the line w0 + w1·x1 + w2·x2 = 0 "
        "splits the plane in two.",
        icon=":material/info:",
    )
else:
    data = clusters()
    w2d = (settings.w[0], settings.w[1])
    correct = perceptron.correct_count(data, w2d, settings.w0)
    total = len(data.labels)
    st.markdown(
        "Each dot is a labelled example. The perceptron says **class 1** where z ≥ 0 "
        "(sigmoid ≥ 0.5, tanh ≥ 0, step = 1, ReLU > 0), so every g here shares "
        "the same boundary: the line w0 + w1·x1 + w2·x2 = 0. The weights tilt the line; the "
        "bias shifts it. Move the sliders and watch it move."
    )
    if settings.w[0] == 0 and settings.w[1] == 0:
        st.warning(
            "With w1 = w2 = 0 the inputs are ignored: z is the bias alone, so there is no line "
            "and every point gets the same class. Give w1 or w2 a non-zero value.",
            icon=":material/warning:",
        )
    chart_col, score_col = st.columns([3, 1])
    with chart_col:
        fig = decision_figure(data, w2d, settings.w0, settings.activation, settings.x[:2])
        st.plotly_chart(fig, key="decision_figure")
    with score_col:
        st.metric("Classified correctly", f"{correct} of {total}")
        st.markdown(f"That is **{correct / total:.0%}** of the points.")
        st.caption(
            "Crosses are points on the wrong side of the line. Try w0 = 0, w1 = 1, w2 = 1: "
            "a line between the two clusters gets nearly all of them."
        )
    with st.expander("The points as a table"):
        predicted = perceptron.classify(data.points, w2d, settings.w0)
        st.dataframe(
            pd.DataFrame(
                {
                    "x1": data.points[:, 0],
                    "x2": data.points[:, 1],
                    "label": data.labels,
                    "z": settings.w0 + data.points @ list(w2d),
                    "predicted": predicted,
                    "correct": predicted == data.labels,
                }
            ).round(4),
            width="stretch",
        )

show_code(perceptron.perceptron_keras_code(settings))
