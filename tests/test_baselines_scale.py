"""Baselines on large training rows: SGD in place of liblinear, and the command line's order
(baselines first, TensorFlow after)."""

import json
import subprocess
import sys
import weakref
from dataclasses import replace

import pytest
from sklearn.linear_model import SGDClassifier
from sklearn.svm import LinearSVC

from core.classifier import sgd_baselines
from core.classifier.baselines import run_baselines
from core.classifier.features import Featurizer
from core.classifier.report import Comparison
from core.classifier.sgd_baselines import LOGISTIC_SGD, SGD_FROM, SVM_SGD, at_scale
from core.classifier.tuning import SGD_ALPHA_GRID
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def at_scale_results(split, tfidf):
    """The four baselines with the SGD threshold at one non-zero: the large-data path."""
    _, x_train, x_test, _ = tfidf
    return run_baselines(
        x_train, split.y_train, x_test, split.y_test, split.label_names, sgd_from=1
    )


def test_large_training_rows_get_sgd_named_as_such(at_scale_results):
    by_name = {result.name: result for result in at_scale_results}
    assert list(by_name) == ["MultinomialNB", "ComplementNB", LOGISTIC_SGD, SVM_SGD]
    assert "SGD" in SVM_SGD and "hinge" in SVM_SGD and "SGD" in LOGISTIC_SGD
    for name, loss in ((SVM_SGD, "hinge"), (LOGISTIC_SGD, "log_loss")):
        result = by_name[name]
        assert isinstance(result.model, SGDClassifier)
        assert result.model.loss == loss and result.model.penalty == "l2"
        assert result.model.class_weight == "balanced"
        # tuned over alpha, not C, and the chosen value is fitted
        assert result.tuning.grid == {"alpha": list(SGD_ALPHA_GRID)}
        assert result.params["alpha"] in SGD_ALPHA_GRID
        assert result.model.alpha == result.params["alpha"]
        assert result.tuning.folds == 5 and result.tuning.cv_mcc > 0.5
        # a real model on the YouTube comments, not a constant guess
        assert result.metrics.mcc > 0.6


def test_the_hinge_model_ranks_by_margin_and_logistic_gives_probabilities(at_scale_results):
    by_name = {result.name: result for result in at_scale_results}
    assert by_name[SVM_SGD].prediction.kind != "probability"
    assert by_name[LOGISTIC_SGD].prediction.kind == "probability"


def test_the_scoring_note_names_sgd_only_when_sgd_ran(split, tfidf, at_scale_results):
    _, x_train, x_test, _ = tfidf
    small = run_baselines(
        x_train, split.y_train, x_test, split.y_test, split.label_names, names=["LinearSVC"]
    )
    scaled = Comparison(at_scale_results[0], at_scale_results, None, "", "").scoring_note()
    plain = Comparison(small[0], small, None, "", "").scoring_note()
    assert SVM_SGD in scaled and "alpha for the SGD linear models" in scaled
    assert "C for LogisticRegression and LinearSVC" not in scaled
    assert "SGD" not in plain and "C for LogisticRegression and LinearSVC" in plain


def test_small_data_still_gets_liblinear(split, tfidf):
    _, x_train, x_test, _ = tfidf
    assert x_train.nnz < SGD_FROM
    results = run_baselines(
        x_train, split.y_train, x_test, split.y_test, split.label_names, names=["LinearSVC"]
    )
    assert [r.name for r in results] == ["LinearSVC"]
    assert isinstance(results[0].model, LinearSVC) and "C" in results[0].params


def test_the_threshold_is_counted_in_stored_values():
    names = ["MultinomialNB", "LogisticRegression", "LinearSVC"]
    assert at_scale(names, SGD_FROM - 1) == names
    assert at_scale(names, SGD_FROM) == ["MultinomialNB", LOGISTIC_SGD, SVM_SGD]
    assert at_scale(names, 10**12, sgd_from=None) == names


def test_sgd_names_may_be_asked_for_and_unknown_names_are_refused(split, tfidf):
    _, x_train, x_test, _ = tfidf
    results = run_baselines(
        x_train, split.y_train, x_test, split.y_test, split.label_names, names=[SVM_SGD]
    )
    assert isinstance(results[0].model, SGDClassifier)
    with pytest.raises(ValueError, match="unknown baselines"):
        run_baselines(x_train, split.y_train, x_test, split.y_test, split.label_names, ["SVM"])


def test_the_counts_are_let_go_before_the_linear_models_run(monkeypatch, split, tfidf):
    featurizer, x_train, x_test, _ = tfidf
    counts = Featurizer(replace(featurizer.settings, kind="bow"), featurizer.vocabulary)

    refs: list[weakref.ref] = []

    def nb_inputs():  # held by nothing but run_baselines
        pair = (counts.transform(split.train_texts), counts.transform(split.test_texts))
        refs.append(weakref.ref(pair[0]))
        return {"tfidf": (x_train, x_test), "counts": pair}

    alive_at_linear: list[bool] = []
    make_svm = sgd_baselines.SGD_BASELINES[SVM_SGD]

    def watched(seed: int, class_weight: bool):
        alive_at_linear.append(refs[0]() is not None)
        return make_svm(seed, class_weight)

    monkeypatch.setitem(sgd_baselines.SGD_BASELINES, SVM_SGD, watched)
    names = ["MultinomialNB", "LinearSVC"]
    # Called as the comparison calls it: a call with *args would keep its keywords alive.
    results = run_baselines(
        x_train, split.y_train, x_test, split.y_test, split.label_names, names,
        nb_inputs=nb_inputs(), sgd_from=1,
    )  # fmt: skip
    assert results[0].tuning.grid["input"] == ["tfidf", "counts"]  # naive Bayes read them
    assert results[1].name == SVM_SGD
    assert alive_at_linear == [False]


def test_classify_runs_the_baselines_before_tensorflow_is_imported(tmp_path):
    script = tmp_path / "watch.py"
    script.write_text(
        "import json, sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "import core.classifier.report as report\n"
        "seen = []\n"
        "original = report.run_baselines\n"
        "def watched(*args, **kwargs):\n"
        "    seen.append(sorted(m for m in ('keras', 'tensorflow') if m in sys.modules))\n"
        "    results = original(*args, **kwargs)\n"
        "    seen.append(sorted(m for m in ('keras', 'tensorflow') if m in sys.modules))\n"
        "    return results\n"
        "report.run_baselines = watched\n"
        "from core.cli import main\n"
        "argv = ['classify', '--train', 'youtube', '--epochs', '1', '--json']\n"
        "code = main([*argv, '--linear-baselines', 'sgd'])\n"
        "print(json.dumps({'code': code, 'seen': seen, 'tf_at_end': 'tensorflow' in sys.modules}))\n"
    )
    out = subprocess.run(
        [sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert out.returncode == 0, out.stderr[-2000:]
    lines = out.stdout.strip().splitlines()
    watch, summary = json.loads(lines[-1]), json.loads(lines[-2])
    assert watch["code"] == 0 and watch["tf_at_end"]  # the network did train, after them
    assert watch["seen"] == [[], []]
    names = [b["name"] for b in summary["baselines"]]
    assert names == ["MultinomialNB", "ComplementNB", LOGISTIC_SGD, SVM_SGD]
    svm = summary["baselines"][3]
    assert list(svm["grid"]) == ["alpha"] and svm["mcc"] > 0.6
    assert summary["model"]["mcc"] is not None and summary["epochs_run"] == 1
    assert summary["timings"]["vectorize"] > 0


def test_classify_refuses_a_solver_choice_for_repeated_runs():
    out = subprocess.run(
        [sys.executable, "-m", "core", "classify", "--train", "youtube", "--seeds", "0", "1",
         "--linear-baselines", "sgd", "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert out.returncode == 2
    error = json.loads(out.stdout.strip().splitlines()[-1])
    assert "--linear-baselines" in error["error"] and "Drop" in error["hint"]


def test_release_freed_memory_collects_cycles_and_says_whether_glibc_gave_memory_back():
    from core.classifier.memory import release_freed_memory

    class Node:
        pass

    node = Node()
    node.self = node  # a cycle: only the garbage collector frees it
    gone = weakref.ref(node)
    del node
    assert isinstance(release_freed_memory(), bool)
    assert gone() is None


def test_counts_share_the_tfidf_layout_and_equal_a_transform_of_their_own(split, tfidf):
    import numpy as np

    from core.classifier.tuning import counts_like

    featurizer, x_train, _, _ = tfidf
    counts = Featurizer(replace(featurizer.settings, kind="bow"), featurizer.vocabulary)
    own = counts.transform(split.train_texts)
    shared = counts_like(counts, split.train_texts, x_train)
    assert shared.dtype == np.float32 and shared.shape == own.shape
    assert (shared != own).nnz == 0 and shared.sum() == own.sum() > 0
    assert np.shares_memory(shared.indices, x_train.indices)
    # a layout that differs (another text's row) gets counts of their own, still right
    moved = counts_like(counts, split.train_texts[::-1], x_train)
    assert not np.shares_memory(moved.indices, x_train.indices)
    assert (moved != own[::-1]).nnz == 0


def test_stack_rows_equals_vstack_and_lets_the_parts_go():
    import numpy as np
    from scipy import sparse

    from core.classifier.vocabulary import stack_rows

    rng = np.random.default_rng(0)
    parts = [sparse.random(n, 40, density=0.2, format="csr", random_state=rng) for n in (5, 0, 9)]
    expected = sparse.vstack(parts, format="csr", dtype=np.float32)
    given = [p.astype(np.float32) for p in parts]
    stacked = stack_rows(given)
    assert given == []
    assert stacked.dtype == np.float32 and stacked.shape == (14, 40)
    assert (stacked != expected).nnz == 0
    assert np.array_equal(stacked.indptr, expected.indptr)


@pytest.mark.parametrize("name", ["MultinomialNB", "ComplementNB"])
def test_naive_bayes_folds_without_copies_score_as_the_grid_search_does(split, tfidf, name):
    from core.classifier.baselines import BASELINE_GRIDS, BASELINES
    from core.classifier.tuning import additive_grid_scores, grid_scores

    _, x_train, _, _ = tfidf
    model = BASELINES[name](0, True)
    grid = BASELINE_GRIDS[name]
    searched = grid_scores(model, grid, x_train, split.y_train, 5, 3)
    summed = additive_grid_scores(model, grid, x_train, split.y_train, 5, 3)
    assert len(set(searched)) > 1  # the grid matters on this data
    assert summed == pytest.approx(searched, abs=1e-12)
