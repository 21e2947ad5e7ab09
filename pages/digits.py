"""Image classification: 8x8 digit images -> the digit, with the features the network learned."""

from dataclasses import asdict

import numpy as np
import pandas as pd
import streamlit as st

from core.data import datasets
from core.data.links import Field
from core.figures.images import confusion_figure, misclassified_figure, weights_figure
from core.figures.training import curves_figure
from core.nn.fields import activation_field, batch_size_field, learning_rate_field, optimizer_field
from core.nn.images import (
    MAX_WEIGHT_IMAGES,
    DigitsResult,
    DigitsSettings,
    count_test_images,
    digits_code,
    train_digits,
)
from core.nn.networks import DenseLayer, OptimizerSpec
from core.nn.training import RunRecord
from pages.ui.display import show_code
from pages.ui.job_pool import warm_up_training
from pages.ui.links import PageLink
from pages.ui.live_jobs import run_live_training, show_last_run
from pages.ui.patches import require_navigation

require_navigation()
warm_up_training()  # in the background: the first Train finds Keras loaded

RUN_KEY = "digits_run"
MAX_MISTAKES_SHOWN = 32

st.title("Image classification")
st.markdown(
    "The talk's third example, on images small enough to train here in seconds: **X** = an "
    "image as a series of pixel values (8x8 = 64 numbers), **Y** = the digit 0-9. The network "
    "is Input 64 -> Dense hidden layer -> Dense 10 with softmax, one probability per digit. "
    "Nobody tells it what a stroke or a loop is: *deep learning learns the features from data*."
)
st.caption("Data: scikit-learn's 1,797 handwritten digits (UCI), 8x8 pixels, ink from 0 to 16.")


@st.cache_data(show_spinner=False)
def load_digits() -> tuple[np.ndarray, np.ndarray]:
    return datasets.digits()


images, labels = load_digits()

# The settings travel in the page's address, so a copied link opens the same experiment.
FIELDS = {
    "units": Field("int", 32, 1, 256, label="Hidden units", widget="slider"),
    "activation": activation_field(label="Hidden activation"),
    "optimizer": optimizer_field(),
    "rate": learning_rate_field(0.01, 0.0001, 10.0),
    "epochs": Field("int", 20, 1, 500, label="Epochs"),
    "batch": batch_size_field(32, 8, 256),
    "test_share": Field(
        "float", 0.25, 0.1, 0.5, label="Test share", widget="slider", step=0.05, key="digits_test"
    ),
}
link = PageLink(FIELDS, key_prefix="digits_")
with st.form("digits_settings"):
    left, middle, right = st.columns(3)
    units = link.draw("units", left)
    activation = link.draw("activation", left)
    optimizer = link.draw("optimizer", middle)
    rate = link.draw("rate", middle)
    epochs = link.draw("epochs", right)
    batch = link.draw("batch", right)
    test_share = link.draw("test_share", right)
    submitted = st.form_submit_button("Train", icon=":material/play_arrow:", type="primary")
link.write()

try:
    settings = DigitsSettings(
        hidden=DenseLayer(int(units), activation),
        optimizer=OptimizerSpec(optimizer, float(rate)),
        epochs=int(epochs),
        batch_size=int(batch),
        test_fraction=float(test_share),
    )
except ValueError as error:
    st.error(f"**These settings cannot be used:** {error}", icon=":material/error:")
    st.stop()

n_test = count_test_images(len(labels), settings.test_fraction)
st.markdown(
    f"**{len(labels) - n_test:,} images to train** (10% of them held out to validate) and "
    f"**{n_test:,} to test**, drawn so that every digit has the same share in both."
)


def draw(record: RunRecord, key_prefix: str) -> None:
    a, b = st.columns(2)
    with a:
        st.plotly_chart(
            curves_figure(record.history, total_epochs=record.total_epochs),
            key=f"{key_prefix}_loss",
        )
    with b:
        st.plotly_chart(
            curves_figure(
                record.history,
                keys=("accuracy", "val_accuracy"),
                total_epochs=record.total_epochs,
                y_title="accuracy",
            ),
            key=f"{key_prefix}_accuracy",
        )


if submitted:
    run_live_training(
        lambda record, stop: train_digits(settings, images, labels, record, stop),
        RunRecord(kind="digits", settings=asdict(settings)),
        draw,
        key=RUN_KEY,
    )

record: RunRecord | None = st.session_state.get(RUN_KEY)
if record is None:
    st.info("Choose the settings and press **Train**.", icon=":material/info:")
    show_code(digits_code(settings))
else:
    shown = DigitsSettings.from_dict(record.settings)
    show_last_run(record, shown != settings, draw, "digits_final")
    result = record.result
    if isinstance(result, DigitsResult):
        wrong = result.misclassified
        st.subheader("On the test images")
        a, b, c = st.columns(3)
        a.metric("Test accuracy", f"{result.accuracy:.1%}")
        b.metric("Correct", f"{result.correct:,} of {len(result.y_test):,}")
        c.metric("Misclassified", f"{len(wrong):,}")

        if result.accuracy < 0.2:
            st.warning(
                f"A test accuracy of {result.accuracy:.0%} is about what guessing gives (10%): "
                "the network learned next to nothing. Lower the learning rate, or train longer.",
                icon=":material/warning:",
            )
        st.markdown("**Confusion matrix**: the diagonal counts the right answers.")
        st.plotly_chart(confusion_figure(result.matrix), key="digits_confusion")
        with st.expander("Confusion matrix as a table"):
            digits = [str(d) for d in range(10)]
            st.dataframe(
                pd.DataFrame(
                    result.matrix,
                    index=pd.Index(digits, name="true"),
                    columns=pd.Index(digits, name="predicted"),
                )
            )

        st.markdown("**The mistakes**: test images with their true and predicted digit.")
        if len(wrong) == 0:
            st.success("Every test image was classified correctly.", icon=":material/check:")
        else:
            picked = wrong[:MAX_MISTAKES_SHOWN]
            if len(wrong) > MAX_MISTAKES_SHOWN:
                st.caption(f"The first {MAX_MISTAKES_SHOWN} of {len(wrong)} mistakes.")
            st.plotly_chart(
                misclassified_figure(
                    result.images_test[picked], result.y_test[picked], result.y_pred[picked]
                ),
                key="digits_mistakes",
            )
            with st.expander("Mistakes as a table"):
                st.dataframe(
                    pd.DataFrame(
                        {
                            "test image": wrong,
                            "true": result.y_test[wrong],
                            "predicted": result.y_pred[wrong],
                        }
                    ),
                    hide_index=True,
                )

        count = min(len(result.weights), MAX_WEIGHT_IMAGES)
        st.subheader("What the first layer learned")
        st.markdown(
            f"Each hidden unit has 64 weights, one per pixel, so it can be drawn as an 8x8 "
            f"image (the first {count} of {len(result.weights)} units here, on one colour "
            "scale). Red pixels push the unit up when they hold ink, blue ones push it down: "
            "each unit looks for ink in some places and its absence in others, a feature the "
            "network found on its own, from data. The speckled border is left over from the "
            "random start: border pixels almost never hold ink, so their weights barely change.\n"
        )
        st.plotly_chart(weights_figure(result.weights[:count]), key="digits_weights")
        with st.expander("Weights as a table (one row per unit, one column per pixel)"):
            st.dataframe(
                pd.DataFrame(
                    result.weights[:count].reshape(count, -1),
                    index=pd.Index(range(1, count + 1), name="unit"),
                    columns=[f"({r},{c})" for r in range(8) for c in range(8)],
                )
            )
    show_code(digits_code(shown))
