"""Scoring files with a trained classifier: the chunked reader, ``score_texts``/``score_file``,
``classify --save-bundle`` and ``python -m core predict`` on good and hostile files."""

from __future__ import annotations

import csv
import gzip
import io
import json
import pickle
import tracemalloc

import numpy as np
import pytest

from core.classifier.bundle import import_bundle
from core.classifier.scoring import PredictionWriter, score_file, score_texts
from core.cli import main
from core.data.datasets import youtube_spam
from core.data.reading import parse_upload
from core.data.streaming import open_chunked
from core.errors import DataError
from tests.hostile_files import hostile_bundles, hostile_files
from tests.test_cli import run_cli

METRIC_KEYS = ("accuracy", "precision", "recall", "f1", "mcc", "roc_auc", "pr_auc")


def last_json(stdout: str) -> dict:
    return json.loads(stdout.strip().splitlines()[-1])


def write_csv(path, header, rows) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


@pytest.fixture(scope="module")
def rows():
    """(text, label) of a few hundred YouTube comments: every fourth of four videos to train,
    the Shakira video's comments to test."""
    data = youtube_spam()
    every = list(zip(data.texts, data.labels, data.groups, strict=True))
    train = [(t, label) for t, label, g in every if g != "Shakira"][::4]
    test = [(t, label) for t, label, g in every if g == "Shakira"]
    return train, test


@pytest.fixture(scope="module")
def classified(tmp_path_factory, rows):
    """``classify --train A --test B --save-bundle m.zip --json`` run once, as a user would."""
    folder = tmp_path_factory.mktemp("classified")
    train, test = rows
    write_csv(folder / "train.csv", ["text", "label"], train)
    write_csv(folder / "test.csv", ["text", "label"], test)
    bundle = folder / "model.zip"
    out = run_cli(
        "classify", "--train", str(folder / "train.csv"), "--test", str(folder / "test.csv"),
        "--epochs", "2", "--seed", "3", "--save-bundle", str(bundle), "--json",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    return folder, last_json(out.stdout)


@pytest.fixture(scope="module")
def trained(classified):
    folder, _ = classified
    return import_bundle((folder / "model.zip").read_bytes(), "model.zip")


def predict(capsys, *args: str) -> tuple[int, dict]:
    """``python -m core predict ... --json`` in this process: exit code and its JSON."""
    code = main(["predict", *args, "--json"])
    return code, last_json(capsys.readouterr().out)


def read_predictions(path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


# ---------------------------------------------------------------- the round trip


def test_classify_saves_a_bundle_that_predict_scores_to_the_same_mcc(classified, rows):
    folder, summary = classified
    assert summary["bundle"]["path"] == str(folder / "model.zip")
    assert summary["bundle"]["bytes"] == (folder / "model.zip").stat().st_size
    out_csv = folder / "predictions.csv"
    out = run_cli(
        "predict", "--bundle", str(folder / "model.zip"), "--input", str(folder / "test.csv"),
        "--out", str(out_csv), "--threshold", "0.5", "--json",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    scored = last_json(out.stdout)
    assert scored["rows"] == summary["test_texts"] == len(rows[1])
    assert scored["labelled"] is True and scored["classes"] == summary["classes"]
    for key in METRIC_KEYS:  # the same measures as classify's model, at the same threshold
        assert scored["metrics"][key] == pytest.approx(summary["model"][key], abs=1e-9), key
    assert scored["metrics"]["threshold"] == 0.5
    assert scored["out"] == str(out_csv) and scored["seconds"] > 0
    assert scored["lines_per_second"] == pytest.approx(scored["rows"] / scored["seconds"])
    table = read_predictions(out_csv)
    assert list(table[0]) == ["line", "text", "predicted", "p(not spam)", "p(spam)", "true label"]
    assert len(table) == len(rows[1])
    assert [r["true label"] for r in table] == [label for _, label in rows[1]]
    for row in table[:20]:
        assert float(row["p(spam)"]) + float(row["p(not spam)"]) == pytest.approx(1.0)
        assert row["predicted"] == ("spam" if float(row["p(spam)"]) >= 0.5 else "not spam")


def test_a_higher_threshold_predicts_spam_less_often(classified, capsys, tmp_path):
    folder, _ = classified
    counts = []
    for threshold in ("0.2", "0.8"):
        out = tmp_path / f"at_{threshold}.csv"
        code, scored = predict(
            capsys, "--bundle", str(folder / "model.zip"), "--input", str(folder / "test.csv"),
            "--out", str(out), "--threshold", threshold,
        )  # fmt: skip
        assert code == 0 and scored["metrics"]["threshold"] == float(threshold)
        counts.append(sum(r["predicted"] == "spam" for r in read_predictions(out)))
    assert counts[0] > counts[1]


def test_unlabelled_plain_lines_are_scored_without_metrics(trained, classified, capsys, tmp_path):
    folder, _ = classified
    texts = [
        "Subscribe to my channel for free gift cards!!",
        "",
        "lovely song, brings back memories",
    ]
    path = tmp_path / "new.txt"
    path.write_text("\n".join(texts) + "\n", encoding="utf-8")
    out = tmp_path / "new_predictions.csv"
    code, scored = predict(
        capsys, "--bundle", str(folder / "model.zip"), "--input", str(path), "--out", str(out)
    )
    assert code == 0 and scored["rows"] == 2 and "metrics" not in scored
    assert scored["labelled"] is False and scored["format"].startswith("plain text")
    table = read_predictions(out)
    assert list(table[0]) == ["line", "text", "predicted", "p(not spam)", "p(spam)"]
    assert [r["line"] for r in table] == ["1", "3"]
    expected = trained.predict_proba([texts[0], texts[2]])[:, 1]
    np.testing.assert_allclose([float(r["p(spam)"]) for r in table], expected, rtol=1e-6)


def test_predictions_csv_is_escaped_against_formula_injection(classified, capsys, tmp_path):
    folder, _ = classified
    path = tmp_path / "formulas.csv"
    write_csv(path, ["text"], [['=HYPERLINK("http://evil")'], ["+1 call now"], ["plain"]])
    out = tmp_path / "escaped.csv"
    code, _ = predict(
        capsys, "--bundle", str(folder / "model.zip"), "--input", str(path), "--out", str(out)
    )
    assert code == 0
    texts = [r["text"] for r in read_predictions(out)]
    assert texts == ['\'=HYPERLINK("http://evil")', "'+1 call now", "plain"]


# ---------------------------------------------------------------- chunks


def test_small_chunks_give_the_same_predictions_as_one_chunk(trained, classified):
    folder, _ = classified
    tables = []
    for chunk_rows in (64, 100_000):  # the test file spans six chunks of 64
        buffer = io.StringIO()
        with open_chunked(folder / "test.csv", chunk_rows) as source:
            score = score_file(trained, source, PredictionWriter(buffer).write, 0.5)
        tables.append(buffer.getvalue())
        assert score.rows == len(score.y)
    assert tables[0] == tables[1]


def test_score_texts_reports_progress_chunk_by_chunk(trained, rows):
    texts = [t for t, _ in rows[1][:25]]
    labels = [label for _, label in rows[1][:25]]
    seen: list[tuple[int, int | None]] = []
    scores = score_texts(
        trained, texts, labels, chunk_rows=10, on_progress=lambda *a: seen.append(a)
    )
    assert seen == [(10, 25), (20, 25), (25, 25)]
    np.testing.assert_allclose(scores.proba, trained.predict_proba(texts), rtol=1e-6)
    view = scores.view(0.5)
    assert view.metrics.n == 25 and view.confusion.to_numpy().sum() == 25
    assert list(scores.table(0.5)["true label"]) == labels


def write_formats(folder, rows) -> dict:
    """The same rows as CSV, gzipped CSV, UCI TSV, fastText and plain lines."""
    paths = {name: folder / name for name in ("a.csv", "a.csv.gz", "b.tsv", "c.txt", "d.txt")}
    write_csv(paths["a.csv"], ["text", "label"], rows)
    paths["a.csv.gz"].write_bytes(gzip.compress(paths["a.csv"].read_bytes()))
    flat = [(" ".join(t.split()), label) for t, label in rows]
    paths["b.tsv"].write_text("".join(f"{label}\t{t}\n" for t, label in flat), encoding="utf-8")
    fasttext = "".join(f"__label__{label.replace(' ', '_')} {t}\n" for t, label in flat)
    paths["c.txt"].write_text(fasttext + "no tag on this line\n", encoding="utf-8")
    paths["d.txt"].write_text("".join(f"{t}\n\n" for t, _ in flat), encoding="utf-8")
    return paths


@pytest.mark.parametrize("name", ["a.csv", "a.csv.gz", "b.tsv", "c.txt", "d.txt"])
def test_chunked_reading_gives_what_reading_the_whole_file_gives(rows, tmp_path, name):
    path = write_formats(tmp_path, rows[0][:120])[name]
    whole = parse_upload(name, path.read_bytes())
    for chunk_rows in (3, 50_000):
        texts, labels, skipped = [], [], []
        with open_chunked(path, chunk_rows) as source:
            for chunk in source.chunks():
                texts += chunk.texts
                labels += chunk.labels or []
                skipped += chunk.skipped
        assert source.format == whole.format
        assert texts == list(getattr(whole, "texts", None) or whole.documents)
        assert labels == list(getattr(whole, "labels", ()))
        assert skipped == list(whole.skipped)
        assert source.labelled == (name != "d.txt")


def test_a_big_file_is_read_in_bounded_memory(tmp_path):
    path = tmp_path / "big.txt"
    line = "a message of a few words that repeats to make a big file\n"
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(200_000):
            handle.write(f"{i} {line}")
    assert path.stat().st_size > 10_000_000
    tracemalloc.start()
    rows = 0
    with open_chunked(path, 1_000) as source:
        for chunk in source.chunks():
            rows += len(chunk)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert rows == 200_000
    assert peak < 2_000_000  # one chunk of 1,000 lines, not the 12 MB file


# ---------------------------------------------------------------- bad input


def test_bad_input_files_are_refused_with_a_hint(classified, capsys, tmp_path):
    folder, _ = classified
    bundle = str(folder / "model.zip")
    bad = hostile_files()
    pickled = tmp_path / "model.csv"
    pickled.write_bytes(pickle.dumps({"weights": list(range(100))}))
    unknown = tmp_path / "colours.csv"
    write_csv(unknown, ["text", "label"], [["a red message", "red"], ["hello", "spam"]])
    cases = {
        pickled: "NUL bytes",
        tmp_path / "missing.csv": "No file at",
        tmp_path / "empty.txt": "is empty",
        tmp_path / "binary.txt": "looks binary|binary file",
        tmp_path / "no_text_column.csv": "has no text column",
        tmp_path / "long_line.txt": "more than 100,000 characters",
        unknown: "labels the classifier does not know: 'red'",
    }
    for name in ("empty.txt", "binary.txt", "no_text_column.csv", "long_line.txt"):
        (tmp_path / name).write_bytes(bad[name])
    out = tmp_path / "out.csv"
    for path, message in cases.items():
        code, error = predict(capsys, "--bundle", bundle, "--input", str(path), "--out", str(out))
        assert code == 2, path
        assert error["hint"], path
        assert any(part in error["error"] for part in message.split("|")), (path, error)
        assert not out.exists()  # nothing half written
        assert not list(tmp_path.glob("*.partial"))


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("zip_bomb.zip", "would unpack to 1,024 MB"),
        ("random_bytes.zip", "not a Deep Text Lab bundle"),
        ("pickle_renamed.zip", "Python pickle; it is not loaded"),
    ],
)
def test_hostile_bundles_are_refused(capsys, tmp_path, rows, name, message):
    bundle = tmp_path / name
    bundle.write_bytes(hostile_bundles(include_keras=False)[name])
    data = tmp_path / "test.csv"
    write_csv(data, ["text", "label"], rows[1][:20])
    code, error = predict(
        capsys, "--bundle", str(bundle), "--input", str(data), "--out", str(tmp_path / "o.csv")
    )
    assert code == 2 and message in error["error"] and error["hint"]


def test_missing_bundle_and_bad_options_are_refused(capsys, tmp_path):
    data = tmp_path / "t.txt"
    data.write_text("hello\n")
    code, error = predict(
        capsys, "--bundle", str(tmp_path / "none.zip"), "--input", str(data), "--out", "o.csv"
    )
    assert code == 2 and "No bundle at" in error["error"] and "--save-bundle" in error["hint"]
    code, error = predict(
        capsys, "--bundle", "x.zip", "--input", str(data), "--out", str(tmp_path / "no" / "o.csv")
    )
    assert code == 2 and "no folder" in error["error"]
    code, error = predict(
        capsys, "--bundle", "x.zip", "--input", str(data), "--out", "o.csv", "--threshold", "1.5"
    )
    assert code == 2 and "not between 0 and 1" in error["error"]


def test_save_bundle_refuses_data_parallel_runs_and_missing_folders(capsys, tmp_path):
    code = main(
        ["classify", "--train", "youtube", "--processes", "2", "--save-bundle", "m.zip", "--json"]
    )
    error = last_json(capsys.readouterr().out)
    assert code == 2 and "--save-bundle" in error["error"] and "--processes" in error["hint"]
    where = str(tmp_path / "no" / "m.zip")
    code = main(["classify", "--train", "youtube", "--save-bundle", where, "--json"])
    error = last_json(capsys.readouterr().out)
    assert code == 2 and "existing folder" in error["error"]


def test_a_chunk_reader_refuses_a_table_without_text_before_reading_on(tmp_path):
    path = tmp_path / "scores.csv"
    path.write_text("id,score\n" + "1,0.5\n" * 10)
    with pytest.raises(DataError, match="no text column") as caught:
        open_chunked(path)
    assert "text" in caught.value.hint


def test_save_bundle_with_seeds_keeps_the_first_runs_network(tmp_path):
    import zipfile

    lines = [f"__label__{c} {c} {c} sample {i}" for i in range(30) for c in ("red", "blue")]
    path = tmp_path / "colours.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    bundle = tmp_path / "first.zip"
    out = run_cli(
        "classify", "--train", str(path), "--epochs", "2", "--features", "bow",
        "--seeds", "4", "5", "--save-bundle", str(bundle), "--json",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    assert last_json(out.stdout)["bundle"]["path"] == str(bundle)
    with zipfile.ZipFile(bundle) as archive:
        spec = json.loads(archive.read("spec.json"))
    assert spec["training"]["seed"] == 4 and spec["labels"] == ["blue", "red"]


@pytest.mark.parametrize("encoding", ["utf-16", "latin-1", "utf-8-sig"])
def test_chunked_reading_decodes_as_uploads_are(tmp_path, encoding):
    lines = [
        f"spam\tcafé crème offer {i}" if i % 2 else f"ham\tnaïve façade {i}" for i in range(40)
    ]
    path = tmp_path / "accents.tsv"
    path.write_bytes("\r\n".join(lines).encode(encoding))
    whole = parse_upload(path.name, path.read_bytes())
    with open_chunked(path, 6) as source:
        chunks = list(source.chunks())
    assert source.format == whole.format
    assert [t for c in chunks for t in c.texts] == list(whole.texts)
    assert [label for c in chunks for label in c.labels] == list(whole.labels)
    assert source.warnings == list(whole.warnings)
