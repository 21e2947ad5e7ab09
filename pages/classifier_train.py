"""Train a text classifier: a Keras network on your labelled text, judged against classical ML."""

from dataclasses import asdict

import pandas as pd
import streamlit as st

from core.classifier.baselines import CHOSEN
from core.classifier.features import FEATURE_KINDS
from core.classifier.html_report import ReportInputs, report_html
from core.classifier.repeats import Fold, RepeatResult, group_folds
from core.classifier.report import (
    mistakes_at,
    probability_table,
    view_at_threshold,
)
from core.classifier.report_facts import data_facts
from core.classifier.settings_fields import (
    DATASETS,
    FIELDS,
    MAX_LAYERS,
    classifier_settings,
    repeat_seeds,
)
from core.classifier.snippets import classifier_code
from core.classifier.train import ClassifierResult
from core.figures.classifier import (
    metrics_bar_figure,
)
from core.nn.memory import text_training_estimate_mb
from core.nn.training import RunRecord
from pages.ui.classifier_run import choose_data
from pages.ui.classifier_run import draw_training_curves as draw
from pages.ui.classifier_run import train_network_and_baselines as train
from pages.ui.display import show_code
from pages.ui.job_pool import warm_up_training
from pages.ui.links import PageLink
from pages.ui.live_jobs import run_live_training, show_run_status
from pages.ui.measures import decimals, show_confusion, show_curves, show_headline, threshold_slider
from pages.ui.patches import require_navigation
from pages.ui.repeats import show_repeats, start_repeats
from pages.ui.stores import CLASSIFIER_KEY, show_device_in_sidebar, vector_sets
from pages.ui.uploads import show_data_error

RUN_KEY = "classifier_run"
TRAIN_REQUEST = "classifier_train_requested"
ON_THE_FLY = "Train word2vec on the training texts"
CHOSEN_HELP = (
    "What stratified cross-validation on the training texts chose, by MCC: C, or alpha and the "
    "input for naive Bayes. The network's epoch is chosen on its validation split."
)


def request_training() -> None:
    st.session_state[TRAIN_REQUEST] = True


require_navigation()
warm_up_training()  # in the background: the first Train finds Keras loaded

st.title("Train a text classifier")
st.markdown(
    "The talk's first example: **X** = a message, **Y** = spam or not. Choose how texts become "
    "numbers, stack **Dense** layers, and train. The result is then judged honestly: on texts "
    "the network never saw, with every usual measure, and next to four classical models "
    "(two naive Bayes, logistic regression, a linear SVM) trained on the very same features "
    "and tuned by cross-validation on the training texts."
)

# ---------------------------------------------------------------- data

link = PageLink(FIELDS, key_prefix="clf_")
choice = choose_data(link)
dataset, data, split, split_kind = choice.dataset, choice.data, choice.split, choice.split_kind
test_video, every_video = link["video"], choice.every_video
if every_video:
    st.caption("Train holds each of the five videos out in turn instead, one run per video.")

# ---------------------------------------------------------------- settings

kind = link.draw("features")
# Widgets of the other feature kinds are not drawn; their link values carry over unchanged.
word_vector_choice = ON_THE_FLY
with st.form("clf_settings"):
    feature_col, network_col, training_col = st.columns([1, 1.4, 1], gap="medium")
    with feature_col:
        st.markdown(f"**{FEATURE_KINDS[kind]}**")
        if kind in ("tfidf", "bow"):
            link.draw("analyzer")
            link.draw("ngram")
            link.draw("max_features")
            link.draw("min_df")
        elif kind == "word2vec":
            word_vector_choice = st.selectbox(
                "Word vectors", [ON_THE_FLY, *vector_sets()], key="clf_vectors"
            )
            st.caption("A document is the mean of its words' vectors; unknown words are skipped.")
        else:
            link.draw("embedding_dim")
            link.draw("sequence_length")
            st.caption(
                "Token ids → Embedding → average over the words → Dense layers. The "
                "words become ids with the app's tokenizer (what Keras's TextVectorization "
                "does), outside the model, so it runs on any Keras backend."
            )
    with network_col:
        st.markdown("**Network**: Dense layers, then one output per class")
        link.draw("layers")
        layer_cols = st.columns(MAX_LAYERS)
        for index, column in enumerate(layer_cols, start=1):
            with column:
                st.caption(f"Layer {index}")
                for name in ("units", "act", "drop", "l2"):
                    link.draw(f"{name}_{index}")
        st.caption("Layers beyond the number of hidden layers chosen above are left out.")
    with training_col:
        st.markdown("**Training**")
        link.draw("optimizer")
        link.draw("lr")
        link.draw("batch")
        link.draw("epochs")
        link.draw("class_weight")
        link.draw("validation")
        link.draw("patience")
        link.draw("seed")
        link.draw("refit")
        link.draw("repeats")
        link.draw("mixed")
    st.form_submit_button(
        "Train", type="primary", icon=":material/play_arrow:", on_click=request_training
    )
submitted = st.session_state.pop(TRAIN_REQUEST, False)
link.write()

try:
    settings = classifier_settings(link.values)
except ValueError as error:
    st.error(f"**These settings cannot be used:** {error}", icon=":material/error:")
    st.stop()
show_code(
    classifier_code(settings, link.values, split.n_classes, vector_sets().get(word_vector_choice))
)


if submitted:
    vectors = None
    if kind == "word2vec" and word_vector_choice != ON_THE_FLY:
        vectors = vector_sets()[word_vector_choice].vectors
    held_out = "each video held out in turn" if every_video else split.description
    data_name = st.session_state.get("_name_clf_upload") if dataset == DATASETS[2] else dataset
    run_settings = {"data": data_name, "split": held_out, **asdict(settings)}
    seeds = repeat_seeds(link.values)
    if every_video or len(seeds) > 1:
        fold_name = test_video if split_kind == "one video" else "a random share"
        folds = group_folds(data) if every_video else [Fold(fold_name, split)]
        repeat = RepeatResult(settings, folds, seeds, vectors)
        start_repeats(repeat, run_settings | {"seeds": list(seeds)}, draw, RUN_KEY)
    else:
        new_record = RunRecord(
            kind="classifier",
            settings=run_settings,
            result=ClassifierResult(settings, split, vectors, data=data),
        )
        new_record.total_epochs = settings.epochs
        memory_mb = text_training_estimate_mb(
            split.train_texts + split.test_texts,
            settings.features.max_features,
            settings.hidden[0].units if settings.hidden else 1,
        )
        run_live_training(train, new_record, draw, key=RUN_KEY, memory_mb=memory_mb)

record: RunRecord | None = st.session_state.get(RUN_KEY)
if record is None:
    st.info(
        "Press **Train**. The defaults (TF-IDF of words, word pairs and character 2- to "
        "5-grams, one hidden layer of 64 ReLU units with dropout, Adam, early stopping) train "
        "in well under a minute here.",
        icon=":material/info:",
    )
    show_device_in_sidebar()
    st.stop()
if isinstance(record.result, RepeatResult):
    show_repeats(record)
    show_device_in_sidebar()
    st.stop()

run = record.result_as(ClassifierResult)
if run.error is not None:
    show_data_error(run.error)
else:
    show_run_status(record, answer=run.comparison.verdict if run.comparison else None)
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
if run.settings != settings or (run_split.train_texts, run_split.test_texts) != (
    split.train_texts,
    split.test_texts,
):
    st.warning(
        "**These results belong to an earlier run** with other settings or other data than "
        "those above. Press **Train** to see results for what is chosen now.",
        icon=":material/history:",
    )
proba = comparison.network.prediction.proba
threshold = threshold_slider(run_split.label_names, "clf_threshold")
view = view_at_threshold(proba, run_split, threshold)
show_headline(view)
report = ReportInputs(trained, comparison, run_split, data_facts(run.data or data), threshold)
st.download_button(
    "Download report (HTML)",
    data=lambda: report_html(report),  # built on click: plotly.js inlined makes it ~5 MB
    file_name="classifier_report.html",
    mime="text/html",
    icon=":material/download:",
    on_click="ignore",
    key="clf_report",
    help="One HTML file that opens offline: the data, settings and package versions, these "
    "measures at this threshold with their charts, the baselines and verdict, the most "
    "confident mistakes and the limits of the data.",
)

curves_tab, confusion_tab, versus_tab, mistakes_tab, training_tab = st.tabs(
    ["Curves", "Confusion matrix", "ML versus DL", "Mistakes", "Training"]
)
with curves_tab:
    show_curves(view, run_split.y_test, run_split.label_names, "clf")
    with st.expander("Probabilities of the test texts (histogram data)"):
        st.dataframe(probability_table(proba, run_split), height=250)
    if view.curves is not None:
        with st.expander("Curve data"):
            left, right = st.columns(2)
            left.dataframe(view.curves.roc, height=250)
            right.dataframe(view.curves.pr, height=250)
with confusion_tab:
    show_confusion(view, "clf")
with versus_tab:
    st.markdown(f"**{comparison.verdict}**")
    st.caption(comparison.scoring_note(view.threshold))
    st.plotly_chart(metrics_bar_figure(comparison.table), key="clf_versus")
    versus_table = comparison.table.drop(columns=["Note"], errors="ignore")
    chosen = st.column_config.TextColumn(help=CHOSEN_HELP)
    st.dataframe(versus_table, column_config=decimals(versus_table) | {CHOSEN: chosen})
    st.caption(
        "Measured on the YouTube data, 3 seeds × 5 held-out videos (benchmarks/RESULTS.md): "
        "with the default words and character n-grams the network (MCC 0.871 ± 0.037) is "
        "level with tuned logistic regression (0.881 ± 0.036), not ahead of it; character "
        "n-grams lift the linear models, not the network. **Retrain on all texts** (at the "
        "epoch early stopping chose) closes the gap (0.885 ± 0.034): the network then learns "
        "from every training text, as the baselines do. Use **Repeat over seeds** to see the "
        "spread on your data."
    )
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
