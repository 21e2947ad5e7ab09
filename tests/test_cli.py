"""The command line: ``python -m core word2vec`` end to end, as a user would run it."""

import json
import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import ROOT


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "core", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_word2vec_json_on_lee_has_every_promised_field():
    out = run_cli(
        "word2vec", "--corpus", "lee", "--epochs", "2", "--vector-size", "20",
        "--workers", "1", "--seed", "5", "--json",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    assert summary["vocab_size"] == 1831  # lee_background words seen 5 times or more
    assert len(summary["epoch_losses"]) == 2 and all(x > 0 for x in summary["epoch_losses"])
    assert summary["words_per_second"] > 0 and summary["seconds"] > 0
    words_trained = summary["words_per_second"] * summary["train_seconds"]
    assert words_trained == pytest.approx(2 * summary["corpus_words"], rel=1e-6)
    evaluation = summary["evaluation"]
    assert 0 <= evaluation["analogy_accuracy"] <= 1
    for name in ("wordsim353", "simlex999"):
        assert -1 <= evaluation[f"{name}_spearman"] <= 1
        assert 0 <= evaluation[f"{name}_oov_share"] <= 1
    assert "epoch 2/2" in out.stderr


def test_word2vec_streams_a_file_and_writes_binary_vectors(tmp_path):
    from gensim.models import KeyedVectors

    corpus = tmp_path / "tiny.txt"
    corpus.write_text("the cat sat on the mat\nthe dog sat on the log\n" * 50, encoding="utf-8")
    out_path = tmp_path / "vectors.bin"
    out = run_cli(
        "word2vec", "--corpus", str(corpus), "--epochs", "1", "--vector-size", "8",
        "--min-count", "1", "--workers", "1", "--out", str(out_path), "--no-eval", "--json",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    assert summary["vocab_size"] == 7 and "evaluation" not in summary
    loaded = KeyedVectors.load_word2vec_format(str(out_path), binary=True)
    assert sorted(loaded.index_to_key) == sorted(["the", "cat", "sat", "on", "mat", "dog", "log"])
    assert np.all(np.isfinite(loaded.vectors))


def test_word2vec_reports_an_empty_vocabulary_as_json_not_a_traceback(tmp_path):
    corpus = tmp_path / "tiny.txt"
    corpus.write_text("one two three\n", encoding="utf-8")
    out = run_cli("word2vec", "--corpus", str(corpus), "--min-count", "9", "--json")
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    error = json.loads(out.stdout.strip().splitlines()[-1])
    assert "vocabulary is empty" in error["error"] and "min_count" in error["hint"]


def test_impossible_settings_are_refused_by_name():
    out = run_cli("word2vec", "--negative", "0", "--hs", "0", "--json")
    assert out.returncode == 2
    assert "nothing to train" in json.loads(out.stdout.strip().splitlines()[-1])["error"]


# ---------------------------------------------------------------- classify


def write_youtube_files(folder):
    """Four videos as a CSV training file and the fifth as a UCI-style TSV test file, written as
    it stands, then three lines whose quotes follow no CSV rule (as in the SMS Spam Collection),
    ending with two lines that cannot be read: 374 and 375."""
    import csv

    from core.data.datasets import youtube_spam

    data = youtube_spam()
    rows = list(zip(data.texts, data.labels, data.groups, strict=True))
    train, test = folder / "train.csv", folder / "test.tsv"
    with open(train, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows([t, label] for t, label, g in rows if g != "Shakira")
    with open(test, "w", encoding="utf-8") as handle:
        for text, label, group in rows:
            if group == "Shakira":
                handle.write(f"{label}\t{' '.join(text.split())}\n")
        handle.write('spam\t"FREE entry" to win a "prize\n')
        handle.write('not spam\t""Hi"" there, "ok"?\ttab inside\n')
        handle.write('spam\t"Call now"\n')
        handle.write("a line without a tab\nspam\t \n")
    return train, test


def test_classify_json_has_the_model_the_baselines_the_device_and_timings(tmp_path):
    train, test = write_youtube_files(tmp_path)
    out = run_cli(
        "classify", "--train", str(train), "--test", str(test), "--epochs", "3", "--seed", "1",
        "--json",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    assert summary["classes"] == ["not spam", "spam"]
    assert summary["test_texts"] == 373  # the Shakira video's comments and three quoted lines
    data = summary["data"]
    assert data["train"]["rows"] == 1586 and data["train"]["skipped_rows"] == []
    assert data["test"]["format"].startswith("UCI TSV") and data["test"]["rows"] == 373
    assert data["test"]["skipped_rows"] == [
        {"line": 374, "reason": "no tab between the label and the text"},
        {"line": 375, "reason": "no text"},
    ]
    assert "2 rows could not be read and were left out (lines 374 and 375)" in out.stderr
    for key in ("accuracy", "f1", "mcc", "roc_auc"):
        assert 0 <= summary["model"][key] <= 1
    assert summary["model"]["mcc"] > 0.6
    names = [b["name"] for b in summary["baselines"]]
    assert names == ["MultinomialNB", "ComplementNB", "LogisticRegression", "LinearSVC"]
    assert all(b["mcc"] > 0.6 for b in summary["baselines"])
    for baseline in summary["baselines"]:  # what cross-validation chose, from which values
        (parameter, values), *_ = baseline["grid"].items()
        assert baseline["params"][parameter] in values and baseline["folds"] == 5
    assert {b["name"]: b for b in summary["baselines"]}["LinearSVC"]["grid"]["C"][0] == 0.01
    assert summary["device"].startswith(("CPU", "GPU"))
    assert set(summary["timings"]) >= {"vectorize", "train", "predict"}
    assert summary["epochs_run"] <= 3


def test_classify_splits_a_single_fasttext_file_with_three_classes(tmp_path):
    lines = [
        f"__label__{colour} {colour} {colour} sample {i}"
        for i in range(40)
        for colour in ("red", "green", "blue")
    ]
    path = tmp_path / "colours.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    out = run_cli("classify", "--train", str(path), "--epochs", "20", "--features", "bow", "--json")
    assert out.returncode == 0, out.stderr[-2000:]
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    assert summary["classes"] == ["blue", "green", "red"]
    assert summary["model"]["accuracy"] == pytest.approx(1.0)


def test_classify_refuses_test_labels_that_training_lacks(tmp_path):
    train = tmp_path / "a.csv"
    train.write_text("text,label\n" + "".join(f"x{i},a\ny{i},b\n" for i in range(10)))
    test = tmp_path / "b.csv"
    test.write_text("text,label\n" + "".join(f"x{i},a\nz{i},c\n" for i in range(10)))
    out = run_cli("classify", "--train", str(train), "--test", str(test), "--json")
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "['c']" in json.loads(out.stdout.strip().splitlines()[-1])["error"]


def test_classify_says_which_rows_it_could_not_read_before_refusing_a_file(tmp_path):
    path = tmp_path / "few.tsv"
    path.write_text("".join(f"{'ab'[i % 2]}\tmessage {i}\n" for i in range(6)) + "b\t\n" * 30)
    out = run_cli("classify", "--train", str(path), "--json")
    assert out.returncode == 2 and "Traceback" not in out.stderr
    error = json.loads(out.stdout.strip().splitlines()[-1])["error"]
    assert "6 usable labelled rows" in error and "30 rows could not be read" in error


def test_classify_json_lists_rows_left_out_and_warnings(tmp_path):
    from core.cli.classify import data_summary, read_labelled

    path = tmp_path / "spam.csv"
    rows = "".join(f"{'ab'[i % 2]},message {i}, split at a comma,,\n" for i in range(12))
    path.write_bytes(("v1,v2,,,\n" + rows + ",orphan text,,,\n").encode())
    summary = data_summary(read_labelled(str(path)))
    assert summary["rows"] == 12
    assert summary["skipped_rows"] == [{"line": 14, "reason": "no label"}]
    assert any("12 rows had their text split" in w for w in summary["warnings"])
    json.dumps(summary)  # plain JSON


def test_classify_with_seeds_reports_mean_and_sd_of_every_model(tmp_path):
    lines = [
        f"__label__{colour} {colour} {colour} sample {i}"
        for i in range(30)
        for colour in ("red", "blue")
    ]
    path = tmp_path / "colours.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    out = run_cli(
        "classify", "--train", str(path), "--epochs", "3", "--features", "bow",
        "--seeds", "4", "5", "--json",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    repeats = summary["repeats"]
    assert repeats["seeds"] == [4, 5] and repeats["folds"] == ["random split"]
    models = repeats["models"]
    assert list(models)[0] == "Keras network" and "LinearSVC" in models
    assert repeats["runs_done"] == 2 and len(repeats["runs"]) == 2 * len(models)
    network = [r["mcc"] for r in repeats["runs"] if r["model"] == "Keras network"]
    assert models["Keras network"]["mcc"]["mean"] == pytest.approx(np.mean(network))
    assert models["Keras network"]["mcc"]["sd"] == pytest.approx(np.std(network, ddof=1))
    assert {"mean", "sd"} <= set(models["LinearSVC"]["accuracy"])
    assert summary["verdict"] == repeats["verdict"]["sentence"]
    assert (
        repeats["verdict"]["outcome"] in ("won", "lost", "level") and "runs" in summary["verdict"]
    )
    # model stays the first run's: seed 4.
    assert summary["model"]["mcc"] == pytest.approx(network[0])
    assert "run 2/2 (seed 5" in out.stderr


def test_classify_refuses_folds_without_groups_and_seed_twice(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("text,label\n" + "".join(f"x{i},a\ny{i},b\n" for i in range(10)))
    out = run_cli("classify", "--train", str(path), "--folds", "--json")
    assert out.returncode == 2 and "Traceback" not in out.stderr
    error = json.loads(out.stdout.strip().splitlines()[-1])
    assert "--folds" in error["error"] and "--train youtube" in error["hint"]
    out = run_cli("classify", "--train", str(path), "--seeds", "1", "1", "--json")
    assert out.returncode == 2
    assert "more than once" in json.loads(out.stdout.strip().splitlines()[-1])["error"]


def test_word2vec_uses_gensims_corpus_file_mode_unless_told_not_to(tmp_path):
    corpus = tmp_path / "tiny.txt"
    corpus.write_text("The cat sat on the mat.\nThe dog sat on the log!\n" * 40, encoding="utf-8")
    common = ["word2vec", "--corpus", str(corpus), "--epochs", "2", "--vector-size", "8",
              "--min-count", "1", "--workers", "1", "--no-eval", "--json"]  # fmt: skip
    summaries = []
    for extra in ([], ["--no-corpus-file"]):
        out = run_cli(*common, *extra)
        assert out.returncode == 0, out.stderr
        summaries.append(json.loads(out.stdout.strip().splitlines()[-1]))
        assert "epoch 2/2: loss" in out.stderr
    via_file, iterated = summaries
    assert via_file["corpus_file_mode"] is True and iterated["corpus_file_mode"] is False
    assert via_file["vocab_size"] == iterated["vocab_size"] == 7  # the app's lower-cased tokens
    assert via_file["corpus_words"] == iterated["corpus_words"] == 480
    assert len(via_file["epoch_losses"]) == 2 and all(x > 0 for x in via_file["epoch_losses"])
