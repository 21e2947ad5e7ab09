"""Overfitting and early stopping: a network too big for 30 noisy points, and three remedies."""

import streamlit as st

from core.data.links import Field
from core.figures.optimization import fitted_curves_figure
from core.figures.palette import variant_colours
from core.figures.runs import runs_overlay_figure
from core.figures.training import curves_figure
from core.nn import overfitting as ov
from core.nn.fields import learning_rate_field
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

COMPARE_KEY = "of_compare_run"
# A variant keeps its colour on every chart here, whichever others are drawn beside it.
COLOURS = variant_colours(ov.VARIANTS.values())
# A click is remembered by a callback: the button's own return value is lost if the script
# reruns before reaching it.
COMPARE_REQUEST = "of_compare_requested"


def request_comparison() -> None:
    st.session_state[COMPARE_REQUEST] = True


require_navigation()
warm_up_training()  # in the background: the first Train finds Keras loaded

st.title("Overfitting and early stopping")
st.markdown(
    "A network with far more weights than data points can learn the noise along with the "
    "pattern: its training loss keeps falling while its loss on points it has never seen "
    "(the validation set) turns and rises. The talk's remedy: "
    "**stop training before the network starts to overfit**. Keras does that with an "
    "`EarlyStopping` callback that watches the validation loss and, with "
    "`restore_best_weights=True`, rolls back to the best epoch."
)

# The settings travel in the page's address, so a copied link opens the same experiment. The
# defaults are core's, chosen so that the first plain run visibly overfits.
DEFAULT = ov.OverfitSettings()
FIELDS = {
    "noise": Field(
        "float", DEFAULT.noise, 0.0, 1.0, label="Noise (sd)", widget="slider", step=0.05
    ),
    "units": Field(
        "choice",
        DEFAULT.units,
        options=(8, 16, 32, 64, 128, 256),
        label="Units per layer",
        widget="select_slider",
    ),
    "layers": Field("int", DEFAULT.layers, 1, 4, label="Hidden ReLU layers", widget="slider"),
    "epochs": Field("int", DEFAULT.epochs, 1, 2000, label="Epochs", step=10),
    "lr": learning_rate_field(DEFAULT.learning_rate, 0.0003, 1.0, label="Learning rate (Adam)"),
    "batch": Field("int", DEFAULT.batch_size, 1, 30, label="Batch size"),
    "patience": Field("int", DEFAULT.patience, 1, 500, label="Patience (epochs)"),
    "seed": Field("int", 0, 0, 10_000, label="Seed"),
    "variant": Field(
        "choice",
        list(ov.VARIANTS)[0],  # plain first: see it overfit, then where early stopping acts
        options=tuple(ov.VARIANTS),
        label="Train with",
        widget="radio",
        format=ov.VARIANTS,
        horizontal=True,
    ),
    "l2": Field(
        "choice",
        0.01,
        options=(0.0001, 0.001, 0.01, 0.1),
        label="L2 factor",
        widget="select_slider",
    ),
    "dropout": Field("float", 0.2, 0.05, 0.8, label="Dropout rate", widget="slider", step=0.05),
}
link = PageLink(FIELDS, key_prefix="of_")
with st.form("overfit_settings"):
    cols = st.columns(4)
    noise = link.draw("noise", cols[0])
    units = link.draw("units", cols[1])
    layers = link.draw("layers", cols[2])
    epochs = link.draw("epochs", cols[3])
    cols = st.columns(4)
    learning_rate = link.draw("lr", cols[0])
    batch_size = link.draw("batch", cols[1])
    patience = link.draw("patience", cols[2])
    seed = link.draw("seed", cols[3])
    cols = st.columns(4)
    variant = link.draw("variant", cols[0])
    l2 = link.draw("l2", cols[2])
    dropout = link.draw("dropout", cols[3])
    submitted = st.form_submit_button("Train", icon=":material/play_arrow:", type="primary")
link.write()

try:
    settings = ov.OverfitSettings(
        noise=float(noise),
        units=int(units),
        layers=int(layers),
        epochs=int(epochs),
        batch_size=int(batch_size),
        learning_rate=float(learning_rate),
        patience=int(patience),
        l2=float(l2),
        dropout=float(dropout),
        seed=int(seed),
    )
except ValueError as error:
    st.error(f"**These settings cannot run.** {error}", icon=":material/error:")
    st.stop()

data = ov.make_sine_data(settings)
st.caption(
    f"{settings.n_train} training and {settings.n_val} validation points of y = sin(x) + noise, "
    f"for a network of {settings.layers} x {settings.units} ReLU units: "
    f"{ov.parameter_count(settings):,} weights to fit {settings.n_train} points."
)


def would_stop(record: RunRecord) -> tuple[int, int | None] | None:
    """Where early stopping would have acted on a finished run trained without it. Not for the
    L2 variant: early stopping watches val_loss, which there adds the penalty to the MSE shown."""
    curve = record.history.get(ov.VALIDATION_CURVE)
    if record.status == "running" or record.best_epoch or not curve:
        return None
    if record.settings.get("variant") == "l2":
        return None
    return ov.early_stopping_epochs(curve, int(record.settings.get("patience", 1)))


def draw(record: RunRecord, key_prefix: str) -> None:
    """The loss curves so far, with early stopping's marks once the run has ended: where it
    stopped, or for a run without it, where it would have."""
    marks = {"best_epoch": record.best_epoch, "stopped_epoch": record.stopped_epoch}
    hypothetical = would_stop(record)
    if hypothetical:
        best, stopped = hypothetical
        marks = {
            "best_epoch": best,
            "stopped_epoch": stopped,
            "best_text": f"lowest validation MSE: epoch {best}",
            "stopped_text": f"early stopping would stop at {stopped}" if stopped else None,
        }
    st.plotly_chart(
        curves_figure(
            record.history,
            keys=(ov.TRAIN_CURVE, ov.VALIDATION_CURVE),
            total_epochs=record.total_epochs,
            y_title="loss (MSE)",
            **marks,
        ),
        key=f"{key_prefix}_curves",
    )


def train(record: RunRecord, stop_flag) -> None:
    ov.train_variant(settings, variant, data, record=record, stop_flag=stop_flag)


if submitted:
    run_live_training(
        train,
        RunRecord(kind="overfitting", settings={"variant": variant, **settings.__dict__}),
        draw,
        key="of_run",
    )

# The training and validation points and the true function, as every chart here draws them.
points = tuple(
    a.ravel()
    for a in (data.x_train, data.y_train, data.x_val, data.y_val, data.x_grid, data.y_true)
)


def show_points_data(fitted: dict[str, object]) -> None:
    """The chart's points, and the true and fitted curves on the grid, as tables."""
    x_train, y_train, x_val, y_val, x_grid, y_true = points
    with st.expander("Chart data: the points and the curves"):
        st.dataframe(
            {
                "set": ["train"] * len(x_train) + ["validation"] * len(x_val),
                "x": [*x_train, *x_val],
                "y": [*y_train, *y_val],
            },
            hide_index=True,
            height=240,
        )
        st.dataframe(
            {"x": x_grid, "sin(x)": y_true, **{name: list(v) for name, v in fitted.items()}},
            hide_index=True,
            height=240,
        )


record = st.session_state.get("of_run")
if record is None:
    st.info("Press **Train** to fit the network; the points are below.", icon=":material/info:")
    st.plotly_chart(
        fitted_curves_figure(
            *points,
            {},
        ),
        key="of_points",
    )
    show_points_data({})
else:
    ran = record.settings
    st.subheader(f"{ov.VARIANTS[ran['variant']]}: train and validation loss")
    show_run_status(record)
    draw(record, "of_final")
    lowest = record.lowest(ov.VALIDATION_CURVE)
    if lowest is not None:
        st.caption(
            f"Lowest validation MSE {lowest.value:.4f}, at epoch {lowest.epoch} of "
            f"{record.epochs_done}."
            + (
                " The training loss includes the L2 penalty and is measured with dropout on."
                if ran["variant"] in ("l2", "dropout")
                else ""
            )
        )
        hypothetical = would_stop(record)
        if hypothetical and hypothetical[1]:
            best, stopped = hypothetical
            st.markdown(
                f"**This run overfits**: validation MSE was lowest at epoch {best} "
                f"({lowest.value:.4f}) and then rose while the training loss kept falling. "
                f"Early stopping with patience {ran['patience']} would have stopped at epoch "
                f"{stopped} and restored epoch {best}'s weights. Train with **Early stopping** "
                "to see it happen."
            )
        if ran["variant"] == "early_stopping" and record.stopped_epoch is None:
            st.warning(
                "Early stopping did not fire: the validation loss was still improving within "
                "the patience window. Train longer or lower the patience.",
                icon=":material/warning:",
            )
    result = record.result
    if isinstance(result, ov.VariantResult):
        name = ov.VARIANTS[ran["variant"]]
        fitted = {f"fitted: {name}": result.prediction}
        fit_colours = {f"fitted: {name}": COLOURS[name]}
        st.plotly_chart(fitted_curves_figure(*points, fitted, fit_colours), key="of_fit")
        show_points_data(fitted)
        st.caption(
            f"Final weights{' (restored)' if record.best_epoch else ''}: train MSE "
            f"{result.train_mse:.4f}, validation MSE {result.val_mse:.4f}."
        )
    with st.expander("Data: loss per epoch"):
        st.dataframe(
            {"epoch": list(range(1, record.epochs_done + 1)), **record.history}, hide_index=True
        )

show_code(ov.overfitting_code(settings, variant))

# --- Comparison ---------------------------------------------------------------------------------
st.header("Plain vs early stopping vs L2 vs dropout")
st.markdown(
    "The same network on the same data, trained four ways: as is; with early stopping; with an "
    "L2 penalty on the weights (large weights cost loss, which smooths the curve); and with "
    "dropout (random units switched off at each training step, so no unit can memorise a "
    "point). The MSEs below are measured on the final weights, without dropout or penalty."
)
st.button(
    "Compare the four",
    key="of_compare",
    icon=":material/compare_arrows:",
    on_click=request_comparison,
)


def draw_comparison(group: RunRecord, key_prefix: str) -> None:
    """Each variant's training loss (solid) and validation MSE (dashed) so far, a colour each."""
    curves = variant_curves(group)
    dashed = [name for name in curves if name.endswith(ov.VALIDATION_CURVE)]
    st.plotly_chart(
        runs_overlay_figure(curves, y_title="loss (MSE)", dashed=dashed, colours=COLOURS),
        key=f"{key_prefix}_curves",
    )


def lowest_text(run: RunRecord) -> str:
    """``0.0123 (17)``: the run's lowest validation MSE and its epoch, or ``-`` without one."""
    lowest = run.lowest(ov.VALIDATION_CURVE)
    return "-" if lowest is None else f"{lowest.value:.4f} ({lowest.epoch})"


def variant_curves(group: RunRecord) -> dict[str, list[float]]:
    parts = group.result_as(ov.OverfittingComparison).parts
    return labelled_curves(
        {ov.VARIANTS[n]: run for n, run in parts.items()}, (ov.TRAIN_CURVE, ov.VALIDATION_CURVE)
    )


def train_comparison(group: RunRecord, stop_flag: StopFlag) -> None:
    asked = group.result_as(ov.OverfittingComparison)
    ov.compare_variants(asked.settings, asked.parts, stop_flag)


if st.session_state.pop(COMPARE_REQUEST, False):
    group = RunRecord(
        kind="overfitting-comparison",
        result=ov.OverfittingComparison(ov.variant_runs(settings), settings),
    )
    run_live_comparison(train_comparison, group, draw_comparison, key=COMPARE_KEY)

stored: RunRecord | None = st.session_state.get(COMPARE_KEY)
if stored is not None:
    comparison = stored.result_as(ov.OverfittingComparison)
    ran_settings, parts = comparison.settings, comparison.parts
    show_comparison_status(stored, ov.VARIANTS)
    if ran_settings != settings:
        st.caption("These results are for earlier settings; press the button to refresh them.")
    results = [run.result for run in parts.values() if isinstance(run.result, ov.VariantResult)]
    draw_comparison(stored, "of_compare")
    with st.expander("Data: loss per epoch, each variant"):
        st.dataframe(curves_frame(variant_curves(stored)))
    st.dataframe(
        {
            "variant": [ov.VARIANTS[r.variant] for r in results],
            "epochs run": [r.record.epochs_done for r in results],
            "final train MSE": [r.train_mse for r in results],
            "final validation MSE": [r.val_mse for r in results],
            "lowest validation MSE (epoch)": [lowest_text(r.record) for r in results],
        },
        hide_index=True,
    )
    compare_data = ov.make_sine_data(ran_settings)
    st.plotly_chart(
        fitted_curves_figure(
            compare_data.x_train.ravel(),
            compare_data.y_train.ravel(),
            compare_data.x_val.ravel(),
            compare_data.y_val.ravel(),
            compare_data.x_grid.ravel(),
            compare_data.y_true.ravel(),
            {ov.VARIANTS[r.variant]: r.prediction for r in results},
            COLOURS,
        ),
        key="of_compare_fits",
    )
    with st.expander("Data: the fitted curves"):
        st.dataframe(
            {
                "x": compare_data.x_grid.ravel(),
                "sin(x)": compare_data.y_true.ravel(),
                **{ov.VARIANTS[r.variant]: r.prediction for r in results},
            },
            hide_index=True,
            height=300,
        )
