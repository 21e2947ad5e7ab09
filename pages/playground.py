"""Playground: build a small dense network, train it live in Keras, watch the decision boundary."""

from dataclasses import asdict

import pandas as pd
import streamlit as st

from core.data.links import Field
from core.figures.neurons import neuron_maps_figure
from core.figures.playground import boundary_figure, loss_curves_figure
from core.nn.fields import learning_rate_field, optimizer_field
from core.nn.networks import ACTIVATIONS, DenseLayer, OptimizerSpec
from core.nn.playground import (
    DATASETS,
    DataSettings,
    PlaygroundComparison,
    PlaygroundData,
    PlaygroundResult,
    PlaygroundSettings,
    below_chance_note,
    compare_linear_relu,
    comparison_runs,
    continued_run,
    make_dataset,
    playground_code,
    train_playground,
)
from core.nn.runs import curves_frame, labelled_curves
from core.nn.training import RunRecord, StopFlag
from pages.ui.display import show_code
from pages.ui.job_pool import warm_up_training
from pages.ui.links import PageLink
from pages.ui.live_jobs import (
    run_live_comparison,
    run_live_training,
    show_comparison_status,
    show_run_status,
)
from pages.ui.patches import require_navigation

MAX_LAYERS = 4
RUN_KEY = "playground_run"
COMPARE_KEY = "playground_compare"
ACTIVATION_NAMES = {"linear": "linear", "relu": "ReLU"}
# Clicks are remembered in session state by a callback: a button's own return value is lost when
# the script reruns before reaching it (require_navigation reruns, and AppTest triggers that).
TRAIN_REQUEST = "playground_train_requested"
COMPARE_REQUEST = "playground_compare_requested"
CONTINUE_REQUEST = "playground_more_epochs"  # how many epochs Continue or One epoch asked for


def request(flag: str) -> None:
    st.session_state[flag] = True


require_navigation()
warm_up_training()  # in the background: the first Train finds Keras loaded

st.title("Playground")
st.markdown(
    "A TensorFlow Playground with real Keras underneath. Pick a 2-D dataset, stack up to four "
    "**Dense** layers, and train: every few epochs the page redraws the **decision boundary**, "
    "the model's probability of class 1 at every point of the input square. Activation "
    "functions are there to bend that boundary: set them all to *linear* and it stays a "
    "straight line, however many layers you stack."
)

defaults = PlaygroundSettings()
# Every setting travels in the page's address, so a copied link opens the same experiment.
FIELDS = {
    "dataset": Field(
        "choice", defaults.data.name, options=tuple(DATASETS), label="Dataset", format=DATASETS
    ),
    "noise": Field(
        "float", defaults.data.noise, 0.0, 0.5, label="Noise", widget="slider", step=0.05
    ),
    "n_samples": Field(
        "int", defaults.data.n_samples, 100, 2000, label="Points", widget="slider", step=50
    ),
    "test_fraction": Field(
        "float",
        defaults.data.test_fraction,
        0.1,
        0.5,
        label="Test share",
        widget="slider",
        step=0.05,
    ),
    "seed": Field("int", defaults.seed, 0, 10_000, label="Seed"),
    "layers": Field(
        "int", len(defaults.hidden), 0, MAX_LAYERS, label="Hidden layers", widget="slider"
    ),
    **{f"units_{i}": Field("int", 8, 1, 64, label="Units") for i in range(1, MAX_LAYERS + 1)},
    **{
        f"activation_{i}": Field("choice", "relu", options=tuple(ACTIVATIONS), label="Activation")
        for i in range(1, MAX_LAYERS + 1)
    },
    "dropout": Field(
        "float",
        0.0,
        0.0,
        0.5,
        label="Dropout after each hidden layer",
        widget="slider",
        step=0.05,
    ),
    "l2": Field(
        "choice",
        0.0,
        options=(0.0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1),
        label="L2 penalty per hidden layer",
        widget="select_slider",
    ),
    "optimizer": optimizer_field(defaults.optimizer.name),
    "learning_rate": learning_rate_field(defaults.optimizer.learning_rate, 0.0001, 3.0),
    "batch_size": Field("int", defaults.batch_size, 1, 1024, label="Batch size"),
    "epochs": Field("int", defaults.epochs, 1, 300, label="Epochs"),
}
# Every widget's key is its parameter's name.
link = PageLink(FIELDS)
with st.form("settings"):
    data_col, net_col, fit_col = st.columns([1, 1.6, 1], gap="medium")
    with data_col:
        st.markdown("**Data**")
        dataset = link.draw("dataset")
        noise = link.draw("noise")
        n_samples = link.draw("n_samples")
        test_fraction = link.draw("test_fraction")
        seed = link.draw("seed")
    with net_col:
        st.markdown("**Network** (2 inputs → hidden layers → 1 sigmoid unit)")
        n_layers = link.draw("layers")
        st.caption("Units and activation per hidden layer; layers past the count above are unused.")
        layer_cols = st.columns(MAX_LAYERS)
        layer_widgets = []
        for index, column in enumerate(layer_cols, start=1):
            with column:
                st.caption(f"Layer {index}")
                units = link.draw(f"units_{index}")
                activation = link.draw(f"activation_{index}")
                layer_widgets.append((int(units), activation))
        dropout = link.draw("dropout")
        l2 = link.draw("l2")
    with fit_col:
        st.markdown("**Training**")
        optimizer = link.draw("optimizer")
        learning_rate = link.draw("learning_rate")
        batch_size = link.draw("batch_size")
        epochs = link.draw("epochs")
    st.form_submit_button(
        "Train",
        icon=":material/play_arrow:",
        type="primary",
        on_click=request,
        args=(TRAIN_REQUEST,),
    )
link.write()
submitted = st.session_state.pop(TRAIN_REQUEST, False)

try:
    hidden = tuple(
        DenseLayer(units, activation, dropout=dropout, l2=l2)
        for units, activation in layer_widgets[:n_layers]
    )
    settings = PlaygroundSettings(
        data=DataSettings(dataset, n_samples, noise, test_fraction, int(seed)),
        hidden=hidden,
        optimizer=OptimizerSpec(optimizer, learning_rate),
        batch_size=int(batch_size),
        epochs=int(epochs),
        seed=int(seed),
    )
except ValueError as error:
    st.error(f"These settings cannot be used: {error} Change them and train again.")
    st.stop()


@st.cache_data(show_spinner=False, max_entries=16)
def load_data(
    name: str, n_samples: int, noise: float, test_fraction: float, seed: int
) -> PlaygroundData:
    return make_dataset(DataSettings(name, n_samples, noise, test_fraction, seed))


def data_for(settings: PlaygroundSettings) -> PlaygroundData:
    d = settings.data
    return load_data(d.name, d.n_samples, d.noise, d.test_fraction, d.seed)


data = data_for(settings)
if settings.batch_size > len(data.x_train):
    st.warning(
        f"The batch size ({settings.batch_size}) is larger than the training set "
        f"({len(data.x_train)} points), so each epoch is a single step. Lower the batch size "
        "for more updates per epoch."
    )
if settings.optimizer.name in ("sgd", "momentum") and settings.optimizer.learning_rate >= 1.0:
    st.warning(
        f"A learning rate of {settings.optimizer.learning_rate} is large for plain SGD: the loss "
        "may blow up. Try 0.1 or less if training fails."
    )


def points_table(data: PlaygroundData) -> pd.DataFrame:
    frames = []
    for split, x, y in (("train", data.x_train, data.y_train), ("test", data.x_test, data.y_test)):
        frames.append(
            pd.DataFrame({"x1": x[:, 0], "x2": x[:, 1], "class": y.astype(int), "split": split})
        )
    return pd.concat(frames, ignore_index=True)


def boundary_chart(record: RunRecord, data: PlaygroundData, key: str, title: str = "") -> None:
    # A part of the comparison has no result until its turn comes.
    result = record.result
    boundary = result.boundary if isinstance(result, PlaygroundResult) else None
    fig = boundary_figure(
        data.x_train,
        data.y_train,
        data.x_test,
        data.y_test,
        *(() if boundary is None else (boundary.xs, boundary.ys, boundary.probability)),
        title=title
        or (f"Decision boundary after epoch {boundary.epoch}" if boundary else "The data"),
    )
    st.plotly_chart(fig, key=key)


def draw(record: RunRecord, key_prefix: str) -> None:
    result = record.result_as(PlaygroundResult)
    left, right = st.columns(2)
    with left:
        fig = loss_curves_figure(record.history, record.total_epochs)
        st.plotly_chart(fig, key=f"{key_prefix}_curves")
    with right:
        boundary_chart(record, result.data, key=f"{key_prefix}_boundary")
    if result.neurons is not None and result.neurons.layers:
        st.plotly_chart(neuron_maps_figure(result.neurons), key=f"{key_prefix}_neurons")
        st.caption(
            "Each small square is one hidden neuron's output over the same input square as "
            "the boundary: blue where it is high, brown where it is low (each on its own "
            "scale). The first layer draws lines; later layers combine them into shapes."
        )


def request_more(epochs: int) -> None:
    """Ask the next script run to carry on training the last run for ``epochs`` epochs."""
    st.session_state[CONTINUE_REQUEST] = epochs


def train(record: RunRecord, stop_flag: StopFlag) -> None:
    asked = record.result_as(PlaygroundResult)
    train_playground(asked.settings, asked.data, record, stop_flag)


if submitted:
    new_record = RunRecord(
        kind="playground",
        settings=asdict(settings),
        # The result holds the data from the start: the first live frame already draws it.
        result=PlaygroundResult(settings, data),
    )
    run_live_training(train, new_record, draw, key=RUN_KEY)

more_epochs = st.session_state.pop(CONTINUE_REQUEST, None)
earlier: RunRecord | None = st.session_state.get(RUN_KEY)
if more_epochs and earlier is not None and earlier.status != "running":
    again = continued_run(earlier)

    def train_more(record: RunRecord, stop_flag: StopFlag) -> None:
        asked = record.result_as(PlaygroundResult)
        train_playground(asked.settings, asked.data, record, stop_flag, more_epochs=more_epochs)

    run_live_training(train_more, again, draw, key=RUN_KEY)

record: RunRecord | None = st.session_state.get(RUN_KEY)
if record is None:
    st.info(
        "Press **Train** to fit the network. Circles are training points, outlined diamonds "
        "are test points; orange is class 0 and blue is class 1.",
        icon=":material/info:",
    )
    st.plotly_chart(
        boundary_figure(data.x_train, data.y_train, data.x_test, data.y_test, title="The data"),
        key="playground_preview",
    )
    with st.expander("The data as a table"):
        st.dataframe(points_table(data), height=300)
    show_code(playground_code(settings))
else:
    result = record.result_as(PlaygroundResult)
    run_settings, run_data = result.settings, result.data
    show_run_status(record)
    if result.model is not None and record.status != "failed":
        play_col, step_col, note_col = st.columns([1, 1, 3])
        play_col.button(
            f"Continue {run_settings.epochs} epochs",
            icon=":material/play_arrow:",
            on_click=request_more,
            args=(run_settings.epochs,),
            key="playground_continue",
        )
        step_col.button(
            "One epoch",
            icon=":material/skip_next:",
            on_click=request_more,
            args=(1,),
            key="playground_step",
        )
        note_col.caption(
            "Play, pause and step, as in TensorFlow Playground: **Stop** pauses a run, "
            "**Continue** and **One epoch** carry on from the same weights."
        )
    accuracy = result.test_accuracy
    history = record.history
    cols = st.columns(3)
    if accuracy is not None and record.status != "failed":
        cols[0].metric("Test accuracy", f"{accuracy:.1%}")
    if history.get("accuracy"):
        cols[1].metric("Train accuracy (last epoch)", f"{history['accuracy'][-1]:.1%}")
    if history.get("val_loss"):
        cols[2].metric("Test loss (last epoch)", f"{history['val_loss'][-1]:.3f}")
    draw(record, "playground_final")
    with st.expander("The curves and the points as tables"):
        st.dataframe(
            pd.DataFrame(history, index=pd.RangeIndex(1, record.epochs_done + 1, name="epoch")),
            height=240,
        )
        st.dataframe(points_table(run_data), height=240)
        boundary = result.boundary
        if boundary is not None:
            st.caption("The boundary: P(class 1) at each grid point (rows x2, columns x1).")
            st.dataframe(
                pd.DataFrame(
                    boundary.probability,
                    index=pd.Index(boundary.ys.round(2), name="x2"),
                    columns=boundary.xs.round(2),
                ).round(3),
                height=240,
            )
    if run_settings != settings:
        st.caption("The settings above changed since this run; press **Train** to use them.")
    show_code(playground_code(run_settings))

st.divider()
st.subheader("Linear versus non-linear")
st.markdown(
    "With only linear activations, a network of any depth still draws a straight boundary; "
    "non-linear ones let it bend the boundary around the data, as far as it needs. This trains "
    "the architecture above twice on the same data, once with every hidden layer *linear* and once "
    "with every hidden layer *ReLU*."
)
if not settings.hidden:
    st.warning(
        "With no hidden layer both versions are the same single sigmoid unit. Set **Hidden "
        "layers** to 1 or more (and press Train) to compare them."
    )
else:
    st.button(
        "Train both",
        icon=":material/compare_arrows:",
        key="compare",
        on_click=request,
        args=(COMPARE_REQUEST,),
    )


def draw_comparison(group: RunRecord, key_prefix: str) -> None:
    """The two boundaries side by side, as far as each run has got."""
    comparison = group.result_as(PlaygroundComparison)
    for column, (activation, run) in zip(st.columns(2), comparison.parts.items(), strict=True):
        with column:
            accuracy = (
                run.result.test_accuracy if isinstance(run.result, PlaygroundResult) else None
            )
            if accuracy is not None:
                title = f"All {ACTIVATION_NAMES[activation]}: test accuracy {accuracy:.1%}"
            else:
                title = f"All {ACTIVATION_NAMES[activation]}: epoch {run.epochs_done}"
            boundary_chart(run, comparison.data, key=f"{key_prefix}_{activation}", title=title)


def train_comparison(group: RunRecord, stop_flag: StopFlag) -> None:
    asked = group.result_as(PlaygroundComparison)
    compare_linear_relu(asked.settings, asked.data, asked.parts, stop_flag)


if settings.hidden and st.session_state.pop(COMPARE_REQUEST, False):
    group = RunRecord(
        kind="playground-comparison",
        settings=asdict(settings),
        result=PlaygroundComparison(comparison_runs(settings), settings, data),
    )
    run_live_comparison(train_comparison, group, draw_comparison, key=COMPARE_KEY)

compared: RunRecord | None = st.session_state.get(COMPARE_KEY)
if compared is not None:
    show_comparison_status(compared, ACTIVATION_NAMES)
    draw_comparison(compared, "playground_compare")
    compared_runs = compared.result_as(PlaygroundComparison)
    for activation, run in compared_runs.parts.items():
        if isinstance(run.result, PlaygroundResult):
            note = below_chance_note(
                run.result.test_accuracy, compared_runs.data, compared_runs.settings.data.name
            )
            if note:
                st.info(f"**All {ACTIVATION_NAMES[activation]}**: {note}", icon=":material/info:")
    with st.expander("Data: the two runs' curves"):
        parts = compared.result_as(PlaygroundComparison).parts
        labels = {ACTIVATION_NAMES[a]: run for a, run in parts.items()}
        st.dataframe(curves_frame(labelled_curves(labels, ("loss", "val_loss", "accuracy"))))
    if compared.result_as(PlaygroundComparison).settings != settings:
        st.caption("These runs are for earlier settings; press **Train both** to refresh them.")
    st.markdown(
        "**Why:** each linear layer multiplies by a matrix and adds a vector, and doing that "
        "several times in a row is still one matrix and one vector, so the stacked linear network "
        "can only draw a straight boundary; ReLU bends the map between layers, so the boundary "
        "can curve around the data."
    )
