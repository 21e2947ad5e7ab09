"""Activation functions: sigmoid, tanh and ReLU with their derivatives, checked by autodiff."""

import pandas as pd
import streamlit as st

from core.figures.perceptron import activation_figure
from core.nn import perceptron
from pages.ui.display import show_code
from pages.ui.patches import require_navigation

require_navigation()

st.title("Activation functions")
st.markdown(
    "The activation g turns a neuron's sum z into its output. Training follows the gradient, "
    "and by the chain rule every gradient that flows back through a neuron is multiplied by "
    "**g'(z)**. Where g' is close to 0, almost no learning signal gets through. Below, each "
    "function is drawn with its derivative from the talk's formula and the derivative that "
    "TensorFlow's `tf.GradientTape` computes by automatic differentiation."
)

# ------------------------------------------------------------------ settings
left, right = st.columns([2, 1])
with left:
    z_range = st.slider("z range", -20.0, 20.0, (-6.0, 6.0), 0.5, key="z_range")
with right:
    threshold = st.select_slider(
        "Gradient counted as 'vanishing' below",
        options=[0.001, 0.01, 0.05, 0.1],
        value=0.01,
        key="threshold",
    )

try:
    settings = perceptron.ActivationSettings(z_range[0], z_range[1], threshold=threshold)
except ValueError as error:
    st.error(
        f"{str(error).capitalize()}. Drag the two ends of **z range** apart.",
        icon=":material/error:",
    )
    st.stop()


@st.cache_data(show_spinner="Differentiating with tf.GradientTape…", max_entries=64)
def check(name: str, settings: perceptron.ActivationSettings) -> perceptron.DerivativeCheck:
    return perceptron.derivative_check(name, settings)


checks = {name: check(name, settings) for name in perceptron.DIFFERENTIABLE}
summaries = {
    name: perceptron.saturation_summary(name, settings) for name in perceptron.DIFFERENTIABLE
}

# ------------------------------------------------------------------ the three functions
columns = st.columns(3)
for column, name in zip(columns, perceptron.DIFFERENTIABLE, strict=True):
    result, summary = checks[name], summaries[name]
    g_formula, dg_formula = perceptron.FORMULAS[name]
    with column:
        st.subheader({"sigmoid": "Sigmoid", "tanh": "Hyperbolic tangent", "relu": "ReLU"}[name])
        st.latex(g_formula)
        st.latex(dg_formula)
        st.plotly_chart(
            activation_figure(
                result.z, result.g, result.closed_form, result.autodiff, name, threshold
            ),
            key=f"activation_{name}",
        )
        a, b = st.columns(2)
        a.metric(
            "Gap to autodiff",
            f"{result.max_abs_difference:.2g}",
            help="The largest |formula − GradientTape| over every z on the grid, in float64.",
        )
        b.metric(
            f"Where g' < {threshold:g}",
            f"{summary.small_fraction:.0%}",
            help=f"The share of the z range where g'(z) < {threshold:g}: gradients vanish there.",
        )
        if name == "relu":
            st.markdown(
                f"**Dead zone**: for z ≤ 0 the gradient is exactly 0, here "
                f"**{summary.dead_fraction:.0%}** of the range. A neuron whose z stays negative "
                "for every example gets no gradient and stops learning. For z > 0 the gradient "
                "is 1 however large z grows: it never saturates."
            )
        else:
            peak = "0.25" if name == "sigmoid" else "1"
            st.markdown(
                f"**Saturation**: g' peaks at **{summary.max_derivative:.4g}** "
                f"(at z = {summary.argmax_z:g}; at most {peak}) and falls below {threshold:g} "
                f"once |z| > **{summary.saturation_z:.2f}**. Large inputs push the neuron "
                "into a flat region where learning nearly stops."
            )
            if name == "sigmoid":
                st.caption(
                    "Even at its best, the sigmoid passes on only a quarter of the gradient; "
                    "stacked sigmoid layers multiply those quarters."
                )

st.caption(
    f"Shaded: where g'(z) < {threshold:g}. The dotted line (GradientTape) lies on top of the "
    "thick one (formula): the two agree to rounding error."
)

st.info(
    "**Why non-linear at all?** Without g, each layer is a linear map, and a stack of linear "
    "maps is again one linear map: however many layers, the network could only draw straight "
    "decision lines. The **Playground** page shows this on data a line cannot separate.",
    icon=":material/lightbulb:",
)

with st.expander("The numbers behind the charts"):
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "g": perceptron.ACTIVATION_NAMES[name],
                    "max g'": s.max_derivative,
                    "at z": s.argmax_z,
                    f"share with g' < {threshold:g}": s.small_fraction,
                    f"g' < {threshold:g} once |z| >": s.saturation_z,
                    "share with g' = 0": s.dead_fraction,
                    "max |formula − autodiff|": checks[name].max_abs_difference,
                }
                for name, s in summaries.items()
            ]
        ),
        hide_index=True,
        width="stretch",
    )
    picked = st.segmented_control(
        "Values on the grid for",
        list(perceptron.DIFFERENTIABLE),
        default="sigmoid",
        format_func=perceptron.ACTIVATION_NAMES.get,
        key="table_function",
    )
    shown = checks[picked or "sigmoid"]
    st.dataframe(
        pd.DataFrame(
            {
                "z": shown.z,
                "g(z)": shown.g,
                "g'(z) formula": shown.closed_form,
                "g'(z) GradientTape": shown.autodiff,
            }
        ),
        hide_index=True,
        width="stretch",
        height=300,
    )

code_name = st.selectbox(
    "Code for",
    list(perceptron.DIFFERENTIABLE),
    format_func=perceptron.ACTIVATION_NAMES.get,
    key="code_function",
)
show_code(perceptron.gradient_tape_code(code_name or "sigmoid", settings))
