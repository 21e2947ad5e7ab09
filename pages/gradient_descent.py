"""Gradient descent: J(w, b) as a surface, one GradientTape step at a time, four optimizers."""

import math

import streamlit as st

from core.data.links import Field
from core.figures.optimization import line_fit_figure, loss_steps_figure, surface_figure
from core.nn import optimization as opt
from core.nn import tape_loop
from core.nn.networks import OPTIMIZERS, learning_rates
from pages.ui.display import show_code
from pages.ui.links import PageLink
from pages.ui.patches import require_navigation

# Finer steps around 0.25, where descent on this data starts to diverge.
LEARNING_RATES = learning_rates(0.001, 1.0, also=(0.05, 0.2, 0.25, 0.5))

require_navigation()

st.title("Gradient descent")
st.markdown(
    "Training means finding the network weights that **achieve the lowest loss**. "
    "Here the model is as small as it gets, a line y = w·x + b fitted to 20 points with the "
    "mean squared error, so the loss J depends on two numbers only and can be drawn as a map."
)
st.latex(
    r"\mathbf{W}^* = \operatorname{argmin}_{\mathbf{W}} J(\mathbf{W})"
    r"\qquad J(w, b) = \frac{1}{n}\sum_{i=1}^{n} (w x^{(i)} + b - y^{(i)})^2"
)
st.markdown(
    "**Algorithm** (from the talk)\n"
    "1. Initialize weights randomly $\\sim \\mathcal{N}(0, \\sigma^2)$\n"
    "2. Loop until convergence:\n"
    "3. Compute gradient, $\\frac{\\partial J(W)}{\\partial W}$\n"
    "4. Update weights, $W \\leftarrow W - \\eta \\frac{\\partial J(W)}{\\partial W}$\n"
    "5. Return weights"
)

# The settings travel in the page's address, so a copied link opens the same experiment.
FIELDS = {
    "lr": Field(
        "choice",
        0.1,
        options=LEARNING_RATES,
        label="Learning rate η",
        widget="select_slider",
        help="Above about 0.25 on this data, each step overshoots more than the last.",
    ),
    "w0": Field("float", -1.0, -10.0, 10.0, label="Start w", step=0.5),
    "b0": Field("float", 3.0, -10.0, 10.0, label="Start b", step=0.5),
    "steps": Field("int", 40, 1, 200, label="Steps N (loop and optimizers)", widget="slider"),
}
link = PageLink(FIELDS, key_prefix="gd_")
cols = st.columns(4)
learning_rate = link.draw("lr", cols[0])
start_w = link.draw("w0", cols[1])
start_b = link.draw("b0", cols[2])
steps = link.draw("steps", cols[3])
link.write()

try:
    settings = opt.DescentSettings(
        learning_rate=float(learning_rate),
        steps=int(steps),
        start_w=float(start_w),
        start_b=float(start_b),
    )
except ValueError as error:
    st.error(f"**These settings cannot run.** {error}", icon=":material/error:")
    st.stop()

data = opt.make_line_data(settings.n_points, settings.seed)
minimum = opt.least_squares(data.x, data.y)
w_range, b_range = opt.surface_ranges(minimum, (settings.start_w, settings.start_b))
ws, bs, grid = opt.loss_surface(data.x, data.y, w_range, b_range)

# --- One step at a time -------------------------------------------------------------------------
st.header("One step at a time")
st.markdown(
    "Each click on **Step** records the loss at the current (w, b) on a `tf.GradientTape`, asks "
    "the tape for the gradient ∇J, and moves the weights a distance η·|∇J| downhill. The star "
    "marks W*, the exact minimum."
)
start = (settings.start_w, settings.start_b)
state = st.session_state.get("gd_path")
if state is None or state["start"] != start:
    # A new start point begins a new path.
    state = {"start": start, "steps": []}
    st.session_state["gd_path"] = state

buttons = st.columns([1, 1, 6])
if buttons[0].button("Step", key="gd_step", icon=":material/south_east:", type="primary"):
    w, b = (state["steps"][-1].new_w, state["steps"][-1].new_b) if state["steps"] else start
    if math.isfinite(w) and math.isfinite(b):
        state["steps"].append(opt.gradient_step(w, b, settings.learning_rate, data.x, data.y))
if buttons[1].button("Reset", key="gd_reset", icon=":material/restart_alt:"):
    state["steps"] = []

path = state["steps"]
path_w = [start[0]] + [s.new_w for s in path]
path_b = [start[1]] + [s.new_b for s in path]
path_losses = [opt.mse(start[0], start[1], data.x, data.y)] + [s.new_loss for s in path]
w_now, b_now = path_w[-1], path_b[-1]

metrics = st.columns(4)
metrics[0].metric("w", f"{w_now:.4f}")
metrics[1].metric("b", f"{b_now:.4f}")
delta = f"{path_losses[-1] - path_losses[-2]:+.4g}" if len(path_losses) > 1 else None
metrics[2].metric("J(w, b)", f"{path_losses[-1]:.4g}", delta=delta, delta_color="inverse")
metrics[3].metric("Steps taken", len(path))

if path:
    last = path[-1]
    st.latex(
        rf"\nabla J = \left(\tfrac{{\partial J}}{{\partial w}}, \tfrac{{\partial J}}{{\partial b}}"
        rf"\right) = ({last.grad_w:.4f},\ {last.grad_b:.4f}) \qquad \eta = {last.learning_rate:g}"
    )
    st.latex(
        rf"W \leftarrow W - \eta \nabla J:\quad ({last.w:.4f},\ {last.b:.4f}) - {last.learning_rate:g}"
        rf"\times ({last.grad_w:.4f},\ {last.grad_b:.4f}) = ({last.new_w:.4f},\ {last.new_b:.4f})"
    )
    problem = opt.divergence_problem(path_losses)
    if problem:
        st.error(problem, icon=":material/error:")
    elif last.new_loss > last.loss:
        st.warning(
            "This step **increased** the loss: it jumped over the valley to a higher point. "
            "Learning rate too high? Lower it and reset.",
            icon=":material/warning:",
        )
else:
    st.info("Click **Step** to take the first gradient descent step.", icon=":material/info:")

left, right = st.columns([3, 2])
left.plotly_chart(
    surface_figure(ws, bs, grid, {"your steps": (path_w, path_b)}, minimum), key="gd_surface_steps"
)
right.plotly_chart(line_fit_figure(data.x, data.y, w_now, b_now), key="gd_line_fit")
with st.expander("Data: the steps so far and the 20 points"):
    st.dataframe(
        {
            "step": list(range(len(path_w))),
            "w": path_w,
            "b": path_b,
            "J(w, b)": path_losses,
            "dJ/dw": [s.grad_w for s in path] + [None],
            "dJ/db": [s.grad_b for s in path] + [None],
        },
        hide_index=True,
    )
    st.dataframe({"x": data.x, "y": data.y}, hide_index=True, height=240)

# --- The talk's loop ----------------------------------------------------------------------------
st.header("The training loop from the talk, run")
st.markdown(
    f"The same steps, {settings.steps} of them in a loop, written the way the talk writes it. "
    "This exact code runs on the server with the settings above; its losses are plotted below."
)


@st.cache_data(show_spinner="Running the loop…", max_entries=32)
def run_loop(learning_rate: float, steps: int, start_w: float, start_b: float):
    return opt.run_training_loop(
        opt.DescentSettings(
            learning_rate=learning_rate, steps=steps, start_w=start_w, start_b=start_b
        )
    )


@st.cache_data(show_spinner="Running four optimizers…", max_entries=32)
def run_optimizers(learning_rate: float, steps: int, start_w: float, start_b: float):
    return opt.optimizer_trajectories(
        opt.DescentSettings(
            learning_rate=learning_rate, steps=steps, start_w=start_w, start_b=start_b
        )
    )


args = (settings.learning_rate, settings.steps, settings.start_w, settings.start_b)
loop = run_loop(*args)
st.code(loop.code, language="python")
if loop.problem:
    st.error(loop.problem, icon=":material/error:")
else:
    st.success(
        f"After {loop.steps_taken} steps: w = {loop.w:.4f}, b = {loop.b:.4f}, "
        f"loss {loop.final_loss:.4g} (the minimum is {opt.mse(*minimum, data.x, data.y):.4g} "
        f"at w = {minimum[0]:.4f}, b = {minimum[1]:.4f}).",
        icon=":material/check_circle:",
    )
st.plotly_chart(loss_steps_figure({"loop": loop.losses}), key="gd_loop_losses")
with st.expander("Data: loss per step"):
    st.dataframe({"step": list(range(len(loop.losses))), "loss": loop.losses}, hide_index=True)

# --- Optimizers ---------------------------------------------------------------------------------
st.header("Four optimizers on the same surface")
st.markdown(
    "Plain SGD follows the gradient; momentum keeps part of the previous step, so it speeds up "
    "along the long valley floor; RMSprop and Adam divide each coordinate's step by a running "
    "size of its gradients, so their steps are about η long whatever the slope. All four start "
    f"at ({settings.start_w:g}, {settings.start_b:g}) with η = {settings.learning_rate:g} for "
    f"{settings.steps} steps, calling `optimizer.apply_gradients` on the two variables w and b."
)
trajectories = run_optimizers(*args)
names = {name: OPTIMIZERS[name] for name in trajectories}
st.plotly_chart(
    surface_figure(
        ws, bs, grid, {names[n]: (t.ws, t.bs) for n, t in trajectories.items()}, minimum
    ),
    key="gd_surface_optimizers",
)
for name, trajectory in trajectories.items():
    if trajectory.problem:
        st.error(f"**{names[name]}**: {trajectory.problem}", icon=":material/error:")
st.plotly_chart(
    loss_steps_figure({names[n]: t.losses for n, t in trajectories.items()}),
    key="gd_optimizer_losses",
)
rows = {
    "optimizer": [],
    "final w": [],
    "final b": [],
    "final loss": [],
    "distance to W*": [],
    "verdict": [],
}
for name, t in trajectories.items():
    rows["optimizer"].append(names[name])
    rows["final w"].append(t.ws[-1])
    rows["final b"].append(t.bs[-1])
    rows["final loss"].append(t.losses[-1])
    rows["distance to W*"].append(math.hypot(t.ws[-1] - minimum[0], t.bs[-1] - minimum[1]))
    rows["verdict"].append("diverged" if t.problem else "ok")
st.dataframe(rows, hide_index=True)
with st.expander("Data: every optimizer's path"):
    st.dataframe(
        {
            "optimizer": [names[n] for n, t in trajectories.items() for _ in t.ws],
            "step": [i for t in trajectories.values() for i in range(len(t.ws))],
            "w": [v for t in trajectories.values() for v in t.ws],
            "b": [v for t in trajectories.values() for v in t.bs],
            "loss": [v for t in trajectories.values() for v in t.losses],
        },
        hide_index=True,
        height=300,
    )
show_code(opt.optimizers_code(settings))

# --- Putting it all together --------------------------------------------------------------------
st.header("Putting it all together: the talk's loop with a Keras model")
st.markdown(
    "The talk's last training slide swaps the two numbers w and b for a whole network: "
    "`tf.keras.Sequential`, an optimizer, and `model.trainable_variables`. Here it runs "
    f"exactly as the slide writes it, with a small network (one tanh layer of "
    f"{tape_loop.TapeLoopSettings().hidden_units} units) on the same 20 points, "
    f"η = {settings.learning_rate:g} and {settings.steps} steps."
)


@st.cache_data(show_spinner="Running the slide's loop…", max_entries=16)
def run_slide(learning_rate: float, steps: int):
    return tape_loop.run_slide_loop(
        tape_loop.TapeLoopSettings(learning_rate=learning_rate, steps=steps)
    )


@st.cache_data(show_spinner="Running the corrected loop…", max_entries=16)
def run_corrected(learning_rate: float, steps: int):
    return tape_loop.run_corrected_loop(
        tape_loop.TapeLoopSettings(learning_rate=learning_rate, steps=steps)
    )


slide = run_slide(settings.learning_rate, settings.steps)
st.subheader("As written on the slide")
st.code(slide.code, language="python")
if slide.all_none:
    st.error(
        f"**The loop stops at its first step.** `tape.gradient` returned `None` for all "
        f"{len(slide.gradients)} trainable variables, and `optimizer.apply_gradients` raised "
        f"`{slide.error}`. No weight moved. The forward pass `prediction = model(x)` ran "
        "*before* the tape opened, so the tape only saw the loss computed from a finished "
        "tensor: it never recorded that the loss depends on the weights.",
        icon=":material/error:",
    )
else:  # not expected with Keras 3, but say what happened if a version behaves otherwise
    st.warning(f"The slide's loop ran: {slide.error or 'no error'}.", icon=":material/warning:")
st.dataframe(
    {
        "variable": [g.name for g in slide.gradients],
        "shape": [str(g.shape) for g in slide.gradients],
        "gradient from the tape": [
            "None" if g.gradient is None else "a tensor" for g in slide.gradients
        ],
    },
    hide_index=True,
)

corrected = run_corrected(settings.learning_rate, settings.steps)
st.subheader("Corrected: the forward pass inside the tape")
st.markdown(
    "Moving `prediction = model(x)` into the `with tf.GradientTape()` block is the whole fix: "
    "the tape now records every operation from the weights to the loss, so it can give "
    "∂J/∂W for each variable and the optimizer applies W ← W − η ∂J/∂W."
)
st.code(corrected.code, language="python")
if corrected.problem:
    st.error(corrected.problem, icon=":material/error:")
else:
    st.success(
        f"Every step had a gradient for all {len(corrected.names)} variables: the loss went "
        f"from {corrected.losses[0]:.4g} to {corrected.losses[-1]:.4g} in "
        f"{len(corrected.losses)} steps.",
        icon=":material/check_circle:",
    )
st.plotly_chart(loss_steps_figure({"corrected loop": corrected.losses}), key="gd_tape_loop_losses")
with st.expander("Data: the first step, variable by variable"):
    st.markdown(
        "For plain SGD, `apply_gradients` is exactly W ← W − η·gradient: the first weight of "
        "each variable before and after the first step, and its gradient."
    )
    st.dataframe(
        {
            "variable": corrected.names,
            "first weight before": [float(w.flat[0]) for w in corrected.weights_before],
            "its gradient": [float(g.flat[0]) for g in corrected.first_gradients],
            "after the step": [float(w.flat[0]) for w in corrected.weights_after_first],
        },
        hide_index=True,
    )
    st.dataframe(
        {"step": list(range(len(corrected.losses))), "loss": corrected.losses}, hide_index=True
    )
