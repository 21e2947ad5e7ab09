"""Playground: build a small dense network, train it live in Keras, watch the decision boundary."""

from dataclasses import asdict

import pandas as pd
import streamlit as st

from core.data.links import Field
from core.figures.playground import boundary_figure, loss_curves_figure
from core.nn.networks import ACTIVATIONS, OPTIMIZERS, DenseLayer, OptimizerSpec
from core.nn.playground import (
    DATASETS,
    DataSettings,
    PlaygroundComparison,
    PlaygroundData,
    PlaygroundResult,
    PlaygroundSettings,
    compare_linear_relu,
    comparison_runs,
    make_dataset,
    playground_code,
    train_playground,
)
from core.nn.runs import curves_frame, labelled_curves
from core.nn.training import RunRecord, StopFlag
from pages.ui.display import show_code
from pages.ui.links import linked_settings, sync_link
from pages.ui.live_jobs import (
    run_live_comparison,
    run_live_training,
    show_comparison_status,
    show_run_status,
)
from pages.ui.patches import require_navigation

MAX_LAYERS = 4
LEARNING_RATES = [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0]
L2_VALUES = [0.0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1]
RUN_KEY = "playground_run"
COMPARE_KEY = "playground_compare"
ACTIVATION_NAMES = {"linear": "linear", "relu": "ReLU"}
# Clicks are remembered in session state by a callback: a button's own return value is lost when
# the script reruns before reaching it (require_navigation reruns, and AppTest triggers that).
TRAIN_REQUEST = "playground_train_requested"
COMPARE_REQUEST = "playground_compare_requested"


def request(flag: str) -> None:
    st.session_state[flag] = True


require_navigation()

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
    "dataset": Field("choice", defaults.data.name, options=tuple(DATASETS)),
    "noise": Field("float", defaults.data.noise, 0.0, 0.5),
    "n_samples": Field("int", defaults.data.n_samples, 100, 2000),
    "test_fraction": Field("float", defaults.data.test_fraction, 0.1, 0.5),
    "seed": Field("int", defaults.seed, 0, 10_000),
    "layers": Field("int", len(defaults.hidden), 0, MAX_LAYERS),
    **{f"units_{i}": Field("int", 8, 1, 64) for i in range(1, MAX_LAYERS + 1)},
    **{
        f"activation_{i}": Field("choice", "relu", options=tuple(ACTIVATIONS))
        for i in range(1, MAX_LAYERS + 1)
    },
    "dropout": Field("float", 0.0, 0.0, 0.5),
    "l2": Field("choice", 0.0, options=tuple(L2_VALUES)),
    "optimizer": Field("choice", defaults.optimizer.name, options=tuple(OPTIMIZERS)),
    "learning_rate": Field(
        "choice", defaults.optimizer.learning_rate, options=tuple(LEARNING_RATES)
    ),
    "batch_size": Field("int", defaults.batch_size, 1, 1024),
    "epochs": Field("int", defaults.epochs, 1, 300),
}
link = linked_settings(FIELDS, note_upload=False)
with st.form("settings"):
    data_col, net_col, fit_col = st.columns([1, 1.6, 1], gap="medium")
    with data_col:
        st.markdown("**Data**")
        dataset = st.selectbox(
            "Dataset",
            list(DATASETS),
            format_func=DATASETS.get,
            index=list(DATASETS).index(link["dataset"]),
            key="dataset",
        )
        noise = st.slider("Noise", 0.0, 0.5, link["noise"], 0.05, key="noise")
        n_samples = st.slider("Points", 100, 2000, link["n_samples"], 50, key="n_samples")
        test_fraction = st.slider(
            "Test share", 0.1, 0.5, link["test_fraction"], 0.05, key="test_fraction"
        )
        seed = st.number_input("Seed", 0, 10_000, link["seed"], key="seed")
    with net_col:
        st.markdown("**Network** (2 inputs → hidden layers → 1 sigmoid unit)")
        n_layers = st.slider("Hidden layers", 0, MAX_LAYERS, link["layers"], key="layers")
        st.caption("Units and activation per hidden layer; layers past the count above are unused.")
        layer_cols = st.columns(MAX_LAYERS)
        layer_widgets = []
        for index, column in enumerate(layer_cols, start=1):
            with column:
                st.caption(f"Layer {index}")
                units = st.number_input(
                    "Units", 1, 64, link[f"units_{index}"], key=f"units_{index}"
                )
                activation = st.selectbox(
                    "Activation",
                    ACTIVATIONS,
                    index=ACTIVATIONS.index(link[f"activation_{index}"]),
                    key=f"activation_{index}",
                )
                layer_widgets.append((int(units), activation))
        dropout = st.slider(
            "Dropout after each hidden layer", 0.0, 0.5, link["dropout"], 0.05, key="dropout"
        )
        l2 = st.select_slider("L2 penalty per hidden layer", L2_VALUES, link["l2"], key="l2")
    with fit_col:
        st.markdown("**Training**")
        optimizer = st.selectbox(
            "Optimizer",
            list(OPTIMIZERS),
            format_func=OPTIMIZERS.get,
            index=list(OPTIMIZERS).index(link["optimizer"]),
            key="optimizer",
        )
        learning_rate = st.select_slider(
            "Learning rate", LEARNING_RATES, link["learning_rate"], key="learning_rate"
        )
        batch_size = st.number_input("Batch size", 1, 1024, link["batch_size"], key="batch_size")
        epochs = st.number_input("Epochs", 1, 300, link["epochs"], key="epochs")
    st.form_submit_button(
        "Train",
        icon=":material/play_arrow:",
        type="primary",
        on_click=request,
        args=(TRAIN_REQUEST,),
    )
# Every field is named after its widget's key, so the link is read off the widget state.
sync_link(FIELDS, {name: name for name in FIELDS})
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
    run_data = record.result_as(PlaygroundResult).data
    left, right = st.columns(2)
    with left:
        fig = loss_curves_figure(record.history, record.total_epochs)
        st.plotly_chart(fig, key=f"{key_prefix}_curves")
    with right:
        boundary_chart(record, run_data, key=f"{key_prefix}_boundary")


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
