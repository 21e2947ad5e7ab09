"""Train a text classifier: a Keras network on your labelled text, judged against classical ML."""

from dataclasses import asdict

import pandas as pd
import streamlit as st

from core.classifier.features import FEATURE_KINDS, feature_settings_for
from core.classifier.metrics import METRIC_COLUMNS
from core.classifier.report import (
    TrainingRequest,
    mistakes_at,
    probability_table,
    train_and_compare,
    view_at_threshold,
)
from core.classifier.splits import split_by_group, split_summary, stratified_split
from core.classifier.train import ClassifierResult, ClassifierSettings
from core.data.datasets import YOUTUBE_VIDEOS, LabelledText, pang_lee_polarity, youtube_spam
from core.data.export import escape_table
from core.data.links import Field
from core.errors import DataError
from core.figures.classifier import (
    confusion_figure,
    metrics_bar_figure,
    pr_figure,
    probability_histogram,
    roc_figure,
)
from core.figures.training import curves_figure
from core.nn.networks import ACTIVATIONS, OPTIMIZERS, DenseLayer, OptimizerSpec
from core.nn.training import RunRecord, StopFlag
from pages.ui.links import linked_settings, update_link
from pages.ui.live_jobs import run_live_training, show_run_status
from pages.ui.patches import require_navigation
from pages.ui.stores import CLASSIFIER_KEY, show_device_in_sidebar, vector_sets
from pages.ui.uploads import show_data_error, upload_text

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

defaults = ClassifierSettings()
DATA_CODES = dict(zip(("youtube", "pang_lee", "upload"), DATASETS, strict=True))
BATCH_SIZES = [8, 16, 32, 64, 128, 256]
# Every setting travels in the page's address, so a copied link opens the same experiment.
FIELDS = {
    "data": Field("choice", "youtube", options=tuple(DATA_CODES)),
    "split": Field("choice", "one video", options=("one video", "a random share")),
    "video": Field("choice", "Shakira", options=tuple(YOUTUBE_VIDEOS)),
    "test_share": Field("float", 0.25, 0.1, 0.5),
    "features": Field("choice", defaults.features.kind, options=tuple(FEATURE_KINDS)),
    "analyzer": Field("choice", "word", options=("word", "char_wb")),
    "ngram": Field("int", 2, 1, 5),
    "max_features": Field("choice", 50_000, options=(1_000, 5_000, 20_000, 50_000, 200_000)),
    "min_df": Field("int", 1, 1, 100),
    "embedding_dim": Field("choice", 64, options=(8, 16, 32, 64, 128)),
    "sequence_length": Field("choice", 64, options=(16, 32, 64, 128, 256)),
    "layers": Field("int", 1, 0, MAX_LAYERS),
    **{f"units_{i}": Field("int", 64, 1, 1024) for i in range(1, MAX_LAYERS + 1)},
    **{f"act_{i}": Field("choice", "relu", options=ACTIVATIONS) for i in range(1, MAX_LAYERS + 1)},
    **{f"drop_{i}": Field("float", 0.5, 0.0, 0.8) for i in range(1, MAX_LAYERS + 1)},
    "optimizer": Field("choice", "adam", options=tuple(OPTIMIZERS)),
    "lr": Field("choice", 0.001, options=tuple(LEARNING_RATES)),
    "batch": Field("choice", defaults.batch_size, options=tuple(BATCH_SIZES)),
    "epochs": Field("int", defaults.epochs, 1, 300),
    "class_weight": Field("bool", defaults.class_weight),
    "validation": Field("float", defaults.validation_split, 0.0, 0.4),
    "patience": Field("int", defaults.patience, 1, 50),
    "seed": Field("int", defaults.seed, 0, 10_000),
    "mixed": Field("bool", False),
}
link = linked_settings(FIELDS)
dataset = st.radio(
    "Data",
    DATASETS,
    horizontal=True,
    index=list(DATA_CODES).index(link["data"]),
    key="clf_dataset",
)
test_share = link["test_share"]
test_video = link["video"]
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
        index=["one video", "a random share"].index(link["split"]),
        key="clf_split_kind",
    )
    if split_kind == "one video":
        test_video = right.selectbox(
            "Held-out video",
            list(YOUTUBE_VIDEOS),
            index=list(YOUTUBE_VIDEOS).index(link["video"]),
            key="clf_video",
        )
    else:
        test_share = right.slider("Test share", 0.1, 0.5, test_share, 0.05, key="clf_test_share")
elif dataset == DATASETS[1]:
    data = pang_lee_polarity()
    split_kind = "a random share"
    test_share = st.slider("Test share", 0.1, 0.5, test_share, 0.05, key="clf_test_share_pl")
else:
    st.caption(":material/link: A link to this page keeps the settings, not the uploaded file.")
    upload = upload_text("A labelled file: CSV, TSV or fastText", key="clf_upload", want="labelled")
    data = upload if isinstance(upload, LabelledText) else None
    if data is None:
        st.stop()
    split_kind = "a random share"
    test_share = st.slider("Test share", 0.1, 0.5, test_share, 0.05, key="clf_test_share_up")

try:
    if split_kind == "one video":
        split = split_by_group(data, test_video)
    else:
        split = stratified_split(data, test_share, seed=0)
except DataError as error:
    show_data_error(error)
    st.stop()
st.caption(split_summary(split))

# ---------------------------------------------------------------- settings

kind = st.segmented_control(
    "Features",
    list(FEATURE_KINDS),
    format_func=FEATURE_KINDS.get,
    default=link["features"],
    key="clf_kind",
)
kind = kind or defaults.features.kind
# Widgets of the other feature kinds are not drawn; their link values carry over unchanged.
analyzer, ngram_high, max_features, min_df = (
    link["analyzer"],
    link["ngram"],
    link["max_features"],
    link["min_df"],
)
embedding_dim, sequence_length = link["embedding_dim"], link["sequence_length"]
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
                index=["word", "char_wb"].index(analyzer),
                key="clf_analyzer",
                horizontal=True,
            )
            ngram_high = st.slider(
                "Longest n-gram (words or characters)", 1, 5, ngram_high, key="clf_ngram"
            )
            max_features = st.select_slider(
                "Vocabulary cap",
                [1_000, 5_000, 20_000, 50_000, 200_000],
                max_features,
                key="clf_max",
            )
            min_df = st.number_input(
                "Ignore terms in fewer texts than", 1, 100, min_df, key="clf_min_df"
            )
        elif kind == "word2vec":
            word_vector_choice = st.selectbox(
                "Word vectors", [ON_THE_FLY, *vector_sets()], key="clf_vectors"
            )
            st.caption("A document is the mean of its words' vectors; unknown words are skipped.")
        else:
            embedding_dim = st.select_slider(
                "Embedding size", [8, 16, 32, 64, 128], embedding_dim, key="clf_embedding_dim"
            )
            sequence_length = st.select_slider(
                "Words read per text",
                [16, 32, 64, 128, 256],
                sequence_length,
                key="clf_sequence_length",
            )
            st.caption(
                "Token ids → Embedding → average over the words → Dense layers. The "
                "words become ids with the app's tokenizer (what Keras's TextVectorization "
                "does), outside the model, so it runs on any Keras backend."
            )
    with network_col:
        st.markdown("**Network**: Dense layers, then one output per class")
        n_layers = st.slider("Hidden layers", 0, MAX_LAYERS, link["layers"], key="clf_layers")
        layer_cols = st.columns(MAX_LAYERS)
        layer_widgets = []
        for index, column in enumerate(layer_cols, start=1):
            with column:
                st.caption(f"Layer {index}")
                units = st.number_input(
                    "Units", 1, 1024, link[f"units_{index}"], key=f"clf_units_{index}"
                )
                activation = st.selectbox(
                    "Activation",
                    ACTIVATIONS,
                    index=ACTIVATIONS.index(link[f"act_{index}"]),
                    key=f"clf_act_{index}",
                )
                dropout = st.slider(
                    "Dropout", 0.0, 0.8, link[f"drop_{index}"], 0.1, key=f"clf_drop_{index}"
                )
                layer_widgets.append((int(units), activation, float(dropout)))
        st.caption("Layers beyond the number of hidden layers chosen above are left out.")
    with training_col:
        st.markdown("**Training**")
        optimizer = st.selectbox(
            "Optimizer",
            list(OPTIMIZERS),
            index=list(OPTIMIZERS).index(link["optimizer"]),
            format_func=OPTIMIZERS.get,
            key="clf_opt",
        )
        learning_rate = st.select_slider("Learning rate", LEARNING_RATES, link["lr"], key="clf_lr")
        batch_size = st.select_slider("Batch size", BATCH_SIZES, link["batch"], key="clf_batch")
        epochs = st.number_input("Epochs (at most)", 1, 300, link["epochs"], key="clf_epochs")
        class_weight = st.checkbox(
            "Weigh classes by rarity", link["class_weight"], key="clf_class_weight"
        )
        validation = st.slider(
            "Validation share (early stopping)", 0.0, 0.4, link["validation"], 0.05,
            key="clf_validation",
        )  # fmt: skip
        patience = st.number_input("Patience (epochs)", 1, 50, link["patience"], key="clf_patience")
        seed = st.number_input("Seed", 0, 10_000, link["seed"], key="clf_seed")
        mixed = st.checkbox(
            "Mixed precision (GPU)", link["mixed"], key="clf_mixed",
            help="Computes the hidden layers in float16. It pays off on GPUs with tensor cores; "
            "on a CPU it only slows training down.",
        )  # fmt: skip
    st.form_submit_button(
        "Train", type="primary", icon=":material/play_arrow:", on_click=request_training
    )
submitted = st.session_state.pop(TRAIN_REQUEST, False)
update_link(
    {
        "data": next(code for code, name in DATA_CODES.items() if name == dataset),
        "split": split_kind,
        "video": test_video,
        "test_share": test_share,
        "features": kind,
        "analyzer": analyzer,
        "ngram": ngram_high,
        "max_features": max_features,
        "min_df": int(min_df),
        "embedding_dim": embedding_dim,
        "sequence_length": sequence_length,
        "layers": n_layers,
        **{f"units_{i}": u for i, (u, _, _) in enumerate(layer_widgets, start=1)},
        **{f"act_{i}": a for i, (_, a, _) in enumerate(layer_widgets, start=1)},
        **{f"drop_{i}": d for i, (_, _, d) in enumerate(layer_widgets, start=1)},
        "optimizer": optimizer,
        "lr": learning_rate,
        "batch": batch_size,
        "epochs": int(epochs),
        "class_weight": bool(class_weight),
        "validation": validation,
        "patience": int(patience),
        "seed": int(seed),
        "mixed": bool(mixed),
    },
    FIELDS,
)

try:
    settings = ClassifierSettings(
        features=feature_settings_for(
            kind,
            analyzer=analyzer,
            longest_ngram=ngram_high,
            max_features=max_features,
            min_df=min_df,
            embedding_dim=embedding_dim,
            sequence_length=sequence_length,
        ),
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
    asked = record.result_as(ClassifierResult)
    run_settings: ClassifierSettings = asked.settings
    run_split = asked.split

    def keep(trained) -> None:
        asked.trained = trained

    results = train_and_compare(
        TrainingRequest(run_split, run_settings, asked.word_vectors),
        record=record,
        stop_flag=stop_flag,
        on_trained=keep,
    )
    if (error := results.error) is not None:
        asked.error = error
        record.finish("failed", f"{error.message} {error.hint}")
    elif results.comparison is not None:
        asked.comparison = results.comparison
        record.metrics = results.headline


if submitted:
    vectors = None
    if kind == "word2vec" and word_vector_choice != ON_THE_FLY:
        vectors = vector_sets()[word_vector_choice].vectors
    new_record = RunRecord(
        kind="classifier",
        settings={"data": dataset, "split": split.description, **asdict(settings)},
        result=ClassifierResult(settings, split, vectors),
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

run = record.result_as(ClassifierResult)
if run.error is not None:
    show_data_error(run.error)
else:
    show_run_status(record)
trained = run.trained
comparison = run.comparison
# Handed to the other pages here, after the run has settled: Stop reruns the page before the
# training run's own script gets past run_live_training.
if trained is not None and not run.kept:
    st.session_state[CLASSIFIER_KEY] = trained
    run.kept = True
if trained is None or comparison is None:
    if record.history.get("loss"):
        draw(record, "clf_partial")
    show_device_in_sidebar()
    st.stop()

run_split = run.split
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
    with st.expander("Probabilities of the test texts (histogram data)"):
        st.dataframe(probability_table(proba, run_split), height=250)
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
    st.caption(comparison.scoring_note(view.threshold))
    st.plotly_chart(metrics_bar_figure(comparison.table), key="clf_versus")
    versus_table = comparison.table.drop(columns=["Note"], errors="ignore")
    st.dataframe(versus_table, column_config=decimals(versus_table))
with mistakes_tab:
    mistakes = mistakes_at(view, run_split)
    listed = (
        "" if mistakes.all_listed else f" The {len(mistakes.table):,} most confident are listed."
    )
    st.markdown(
        f"**{mistakes.n_wrong:,} of {len(run_split.test_texts):,} test texts are misclassified** "
        f"at this threshold, the most confident mistakes first.{listed}"
    )
    st.dataframe(mistakes.table, height=400)
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
