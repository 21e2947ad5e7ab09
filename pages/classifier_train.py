"""Train a text classifier: a Keras network on your labelled text, judged against classical ML."""

from dataclasses import asdict

import pandas as pd
import streamlit as st

from core.classifier import (
    FEATURE_KINDS,
    ClassifierSettings,
    FeatureSettings,
    split_by_group,
    stratified_split,
    train_classifier,
)
from core.classifier_report import compare_with_baselines, view_at_threshold
from core.datasets import YOUTUBE_VIDEOS, DataError, LabelledText, pang_lee_polarity, youtube_spam
from core.export import escape_cell, escape_table
from core.figures.classifier import (
    confusion_figure,
    metrics_bar_figure,
    pr_figure,
    probability_histogram,
    roc_figure,
)
from core.figures.training import curves_figure
from core.metrics import METRIC_COLUMNS, misclassified
from core.networks import ACTIVATIONS, OPTIMIZERS, DenseLayer, OptimizerSpec
from core.training import RunRecord, StopFlag
from pages.widgets import (
    CLASSIFIER_KEY,
    require_navigation,
    run_live_training,
    show_data_error,
    show_device_in_sidebar,
    show_run_status,
    upload_text,
    vector_sets,
)

RUN_KEY = "classifier_run"
TRAIN_REQUEST = "classifier_train_requested"
DATASETS = ["YouTube Spam Collection", "Pang & Lee movie reviews (gensim)", "Upload a file"]
MAX_LAYERS = 3
LEARNING_RATES = [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1]
ON_THE_FLY = "Train word2vec on the training texts"


def request_training() -> None:
    st.session_state[TRAIN_REQUEST] = True


def decimals(frame: pd.DataFrame, digits: int = 3) -> dict:
    """A column_config showing every float column of ``frame`` with ``digits`` decimals."""
    return {
        column: st.column_config.NumberColumn(format=f"%.{digits}f")
        for column in frame.columns
        if pd.api.types.is_float_dtype(frame[column])
    }


require_navigation()

st.title("Train a text classifier")
st.markdown(
    "The talk's first example: **X** = a message, **Y** = spam or not. Choose how texts become "
    "numbers, stack **Dense** layers, and train. The result is then judged honestly: on texts "
    "the network never saw, with every usual measure, and next to three classical models "
    "(naive Bayes, logistic regression, a linear SVM) trained on the very same features."
)

# ---------------------------------------------------------------- data

dataset = st.radio("Data", DATASETS, horizontal=True, key="clf_dataset")
data: LabelledText | None
if dataset == DATASETS[0]:
    data = youtube_spam()
    left, right = st.columns(2)
    split_kind = left.radio(
        "Test on",
        ["one video", "a random share"],
        format_func={
            "one video": "One video, held out (train on the other four)",
            "a random share": "A random stratified share",
        }.get,
        key="clf_split_kind",
    )
    if split_kind == "one video":
        test_video = right.selectbox(
            "Held-out video", list(YOUTUBE_VIDEOS), index=4, key="clf_video"
        )
    else:
        test_share = right.slider("Test share", 0.1, 0.5, 0.25, 0.05, key="clf_test_share")
elif dataset == DATASETS[1]:
    data = pang_lee_polarity()
    split_kind = "a random share"
    test_share = st.slider("Test share", 0.1, 0.5, 0.25, 0.05, key="clf_test_share_pl")
else:
    upload = upload_text("A labelled file: CSV, TSV or fastText", key="clf_upload", want="labelled")
    data = upload if isinstance(upload, LabelledText) else None
    if data is None:
        st.stop()
    split_kind = "a random share"
    test_share = st.slider("Test share", 0.1, 0.5, 0.25, 0.05, key="clf_test_share_up")

try:
    if split_kind == "one video":
        split = split_by_group(data, test_video)
    else:
        split = stratified_split(data, test_share, seed=0)
except DataError as error:
    show_data_error(error)
    st.stop()
counts = pd.Series(split.train_labels).value_counts()
st.caption(
    f"{len(split.train_texts):,} training and {len(split.test_texts):,} test texts "
    f"({split.description}). Training classes: "
    + ", ".join(f"{escape_table(pd.DataFrame([[k]])).iat[0, 0]} {v:,}" for k, v in counts.items())
)

# ---------------------------------------------------------------- settings

defaults = ClassifierSettings()
kind = st.segmented_control(
    "Features",
    list(FEATURE_KINDS),
    format_func=FEATURE_KINDS.get,
    default=defaults.features.kind,
    key="clf_kind",
)
kind = kind or defaults.features.kind
word_vector_choice = ON_THE_FLY
with st.form("clf_settings"):
    feature_col, network_col, training_col = st.columns([1, 1.4, 1], gap="medium")
    with feature_col:
        st.markdown(f"**{FEATURE_KINDS[kind]}**")
        if kind in ("tfidf", "bow"):
            analyzer = st.radio(
                "Terms",
                ["word", "char_wb"],
                format_func={"word": "Words", "char_wb": "Character n-grams"}.get,
                key="clf_analyzer",
                horizontal=True,
            )
            ngram_high = st.slider("Longest n-gram (words or characters)", 1, 5, 2, key="clf_ngram")
            max_features = st.select_slider(
                "Vocabulary cap", [1_000, 5_000, 20_000, 50_000, 200_000], 50_000, key="clf_max"
            )
            min_df = st.number_input(
                "Ignore terms in fewer texts than", 1, 100, 1, key="clf_min_df"
            )
        elif kind == "word2vec":
            word_vector_choice = st.selectbox(
                "Word vectors", [ON_THE_FLY, *vector_sets()], key="clf_vectors"
            )
            st.caption("A document is the mean of its words' vectors; unknown words are skipped.")
        else:
            embedding_dim = st.select_slider(
                "Embedding size", [8, 16, 32, 64, 128], 64, key="clf_embedding_dim"
            )
            sequence_length = st.select_slider(
                "Words read per text", [16, 32, 64, 128, 256], 64, key="clf_sequence_length"
            )
            st.caption("Token ids → Embedding → average over the words → Dense layers.")
    with network_col:
        st.markdown("**Network**: Dense layers, then one output per class")
        n_layers = st.slider("Hidden layers", 0, MAX_LAYERS, 1, key="clf_layers")
        layer_cols = st.columns(MAX_LAYERS)
        layer_widgets = []
        for index, column in enumerate(layer_cols, start=1):
            with column:
                st.caption(f"Layer {index}")
                units = st.number_input("Units", 1, 1024, 64, key=f"clf_units_{index}")
                activation = st.selectbox("Activation", ACTIVATIONS, key=f"clf_act_{index}")
                dropout = st.slider("Dropout", 0.0, 0.8, 0.5, 0.1, key=f"clf_drop_{index}")
                layer_widgets.append((int(units), activation, float(dropout)))
        st.caption("Layers beyond the number of hidden layers chosen above are left out.")
    with training_col:
        st.markdown("**Training**")
        optimizer = st.selectbox(
            "Optimizer", list(OPTIMIZERS), index=3, format_func=OPTIMIZERS.get, key="clf_opt"
        )
        learning_rate = st.select_slider("Learning rate", LEARNING_RATES, 0.001, key="clf_lr")
        batch_size = st.select_slider("Batch size", [8, 16, 32, 64, 128, 256], 32, key="clf_batch")
        epochs = st.number_input("Epochs (at most)", 1, 300, defaults.epochs, key="clf_epochs")
        class_weight = st.checkbox(
            "Weigh classes by rarity", defaults.class_weight, key="clf_class_weight"
        )
        validation = st.slider(
            "Validation share (early stopping)", 0.0, 0.4, defaults.validation_split, 0.05,
            key="clf_validation",
        )  # fmt: skip
        patience = st.number_input(
            "Patience (epochs)", 1, 50, defaults.patience, key="clf_patience"
        )
        seed = st.number_input("Seed", 0, 10_000, defaults.seed, key="clf_seed")
        mixed = st.checkbox(
            "Mixed precision (GPU)", False, key="clf_mixed",
            help="Computes the hidden layers in float16. It pays off on GPUs with tensor cores; "
            "on a CPU it only slows training down.",
        )  # fmt: skip
    st.form_submit_button(
        "Train", type="primary", icon=":material/play_arrow:", on_click=request_training
    )
submitted = st.session_state.pop(TRAIN_REQUEST, False)

try:
    if kind in ("tfidf", "bow"):
        low = 2 if analyzer == "char_wb" and ngram_high >= 2 else 1
        features = FeatureSettings(
            kind=kind,
            analyzer=analyzer,
            ngram_range=(low, int(ngram_high)),
            max_features=int(max_features),
            min_df=int(min_df),
        )
    elif kind == "word2vec":
        features = FeatureSettings(kind="word2vec")
    else:
        features = FeatureSettings(
            kind="embedding", embedding_dim=int(embedding_dim), sequence_length=int(sequence_length)
        )
    settings = ClassifierSettings(
        features=features,
        hidden=tuple(DenseLayer(u, a, dropout=d) for u, a, d in layer_widgets[:n_layers]),
        optimizer=OptimizerSpec(optimizer, float(learning_rate)),
        batch_size=int(batch_size),
        epochs=int(epochs),
        class_weight=bool(class_weight),
        validation_split=float(validation),
        patience=int(patience),
        seed=int(seed),
        mixed_precision=bool(mixed),
    )
except ValueError as error:
    st.error(f"**These settings cannot be used:** {error}", icon=":material/error:")
    st.stop()


def draw(record: RunRecord, key_prefix: str) -> None:
    history = record.history
    if not history.get("loss"):
        # Vectorizing comes first: an empty chart would only show meaningless default axes.
        st.caption("Turning the texts into features; the curves start after the first epoch.")
        return
    loss_col, accuracy_col = st.columns(2)
    with loss_col:
        st.plotly_chart(
            curves_figure(
                history,
                ("loss", "val_loss"),
                record.total_epochs,
                record.best_epoch,
                record.stopped_epoch,
            ),
            key=f"{key_prefix}_loss",
        )
    with accuracy_col:
        st.plotly_chart(
            curves_figure(
                history, ("accuracy", "val_accuracy"), record.total_epochs, y_title="accuracy"
            ),
            key=f"{key_prefix}_accuracy",
        )


def train(record: RunRecord, stop_flag: StopFlag) -> None:
    run_settings: ClassifierSettings = record.extra["settings"]
    run_split = record.extra["split"]
    try:
        trained = train_classifier(
            run_split,
            run_settings,
            record=record,
            stop_flag=stop_flag,
            word_vectors=record.extra.get("word_vectors"),
        )
    except DataError as error:
        record.extra["error"] = error
        record.finish("failed", f"{error.message} {error.hint}")
        return
    if record.status == "failed":
        return
    record.extra["trained"] = trained
    comparison = compare_with_baselines(trained, run_split, run_settings.seed)
    record.extra["comparison"] = comparison
    record.metrics = {
        METRIC_COLUMNS[name]: value for name, value in comparison.network.metrics.headline().items()
    }


if submitted:
    vectors = None
    if kind == "word2vec" and word_vector_choice != ON_THE_FLY:
        vectors = vector_sets()[word_vector_choice].vectors
    new_record = RunRecord(
        kind="classifier",
        settings={"data": dataset, "split": split.description, **asdict(settings)},
        extra={"settings": settings, "split": split, "word_vectors": vectors},
    )
    new_record.total_epochs = settings.epochs
    run_live_training(train, new_record, draw, key=RUN_KEY)

record: RunRecord | None = st.session_state.get(RUN_KEY)
if record is None:
    st.info(
        "Press **Train**. The defaults (TF-IDF of words and word pairs, one hidden layer of 64 "
        "ReLU units with dropout, Adam, early stopping) train in well under a minute here.",
        icon=":material/info:",
    )
    show_device_in_sidebar()
    st.stop()

if record.extra.get("error") is not None:
    show_data_error(record.extra["error"])
else:
    show_run_status(record)
trained = record.extra.get("trained")
comparison = record.extra.get("comparison")
# Handed to the other pages here, after the run has settled: Stop reruns the page before the
# training run's own script gets past run_live_training.
if trained is not None and not record.extra.get("kept"):
    st.session_state[CLASSIFIER_KEY] = trained
    record.extra["kept"] = True
if trained is None or comparison is None:
    if record.history.get("loss"):
        draw(record, "clf_partial")
    show_device_in_sidebar()
    st.stop()

run_split = record.extra["split"]
proba = comparison.network.prediction.proba
threshold = 0.5
if run_split.binary:
    threshold = st.slider(
        f"Decision threshold: a text counts as {run_split.label_names[1]!r} when its "
        "probability is at least this",
        0.01,
        0.99,
        0.5,
        0.01,
        key="clf_threshold",
    )
view = view_at_threshold(proba, run_split, threshold)
headline = view.metrics.headline()
columns = st.columns(len(headline))
for column, (name, value) in zip(columns, headline.items(), strict=True):
    column.metric(METRIC_COLUMNS[name], "–" if pd.isna(value) else f"{value:.3f}")
for note in view.metrics.notes:
    st.caption(note)

curves_tab, confusion_tab, versus_tab, mistakes_tab, training_tab = st.tabs(
    ["Curves", "Confusion matrix", "ML versus DL", "Mistakes", "Training"]
)
with curves_tab:
    if view.curves is not None:
        roc_col, pr_col = st.columns(2)
        roc_col.plotly_chart(
            roc_figure(view.curves.roc, view.curves.roc_auc, view.curves.point, "Keras network"),
            key="clf_roc",
        )
        pr_col.plotly_chart(
            pr_figure(
                view.curves.pr,
                view.curves.pr_auc,
                view.curves.point,
                view.curves.prevalence,
                "Keras network",
            ),
            key="clf_pr",
        )
    st.plotly_chart(
        probability_histogram(proba, run_split.y_test, run_split.label_names, view.threshold),
        key="clf_histogram",
    )
    if view.curves is not None:
        with st.expander("Curve data"):
            left, right = st.columns(2)
            left.dataframe(view.curves.roc, height=250)
            right.dataframe(view.curves.pr, height=250)
with confusion_tab:
    st.plotly_chart(confusion_figure(view.confusion), key="clf_confusion")
    with st.expander("Confusion matrix as a table"):
        st.dataframe(escape_table(view.confusion))
    st.markdown("**Per class**, at this threshold")
    per_class = escape_table(view.metrics.per_class_table())
    st.dataframe(per_class, column_config=decimals(per_class))
with versus_tab:
    st.markdown(f"**{comparison.verdict}**")
    slider_note = (
        f"The threshold slider above ({view.threshold:.2f}) does not apply here. "
        if view.threshold is not None and abs(view.threshold - 0.5) > 1e-9
        else ""
    )
    st.caption(
        "All four models learned from the same training texts and features and are scored on "
        "the same test texts at a 0.5 threshold (LinearSVC at its own decision boundary). "
        + slider_note
        + comparison.note
    )
    st.plotly_chart(metrics_bar_figure(comparison.table), key="clf_versus")
    versus_table = comparison.table.drop(columns=["Note"], errors="ignore")
    st.dataframe(versus_table, column_config=decimals(versus_table))
with mistakes_tab:
    mistakes = misclassified(
        run_split.test_texts, run_split.y_test, proba, run_split.label_names, view.threshold
    )
    # The table holds at most a few hundred rows; the confusion matrix counts every mistake.
    n_wrong = int(view.confusion.to_numpy().sum() - view.confusion.to_numpy().trace())
    listed = (
        "" if len(mistakes) == n_wrong else f" The {len(mistakes):,} most confident are listed."
    )
    st.markdown(
        f"**{n_wrong:,} of {len(run_split.test_texts):,} test texts are misclassified** "
        f"at this threshold, the most confident mistakes first.{listed}"
    )
    if run_split.binary:
        positive = escape_cell(f"p({run_split.label_names[1]})")
        if positive not in mistakes.columns:  # a class may be called "predicted"
            mistakes = mistakes.rename(columns={"p(positive)": positive})
    st.dataframe(mistakes, height=400)
with training_tab:
    draw(record, "clf_final")
    with st.expander("Curve data"):
        st.dataframe(pd.DataFrame(record.history).rename_axis("epoch").rename(lambda i: i + 1))
    st.caption(
        f"Features: {trained.net.input_dim:,} inputs ({trained.featurizer.input_kind}); "
        f"vectorizing took {trained.timings['vectorize']:.1f} s and training "
        f"{trained.timings['train']:.1f} s."
    )

st.page_link(
    "pages/classifier_try.py", label="Try your own text on this model", icon=":material/edit_note:"
)
show_device_in_sidebar()
