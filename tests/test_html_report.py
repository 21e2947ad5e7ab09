"""The classifier report as one HTML file: its sections, its numbers, escaping and no network."""

from dataclasses import replace
from importlib import metadata

import numpy as np
import pytest

from core.classifier.html_report import (
    check_report_path,
    report_figures,
    report_html,
    write_report,
)
from core.classifier.metrics import METRIC_COLUMNS
from core.classifier.report import view_at_threshold
from core.classifier.report_facts import (
    PACKAGES,
    data_facts,
    data_limits,
    unseen_word_share,
    writing_systems,
)
from core.data.datasets import youtube_spam
from core.errors import DataError
from tests.report_html import IMG_LABEL, SCRIPT_TEXT, THRESHOLD, hostile_report_inputs, parse_report


@pytest.fixture(scope="module")
def run():
    inputs = hostile_report_inputs()
    return inputs, report_html(inputs)


def test_report_holds_every_section_with_the_comparisons_numbers(run):
    inputs, text = run
    page = parse_report(text)
    ids = {attrs.get("id") for tag, attrs in page.tags if tag == "section"}
    assert ids == {"data", "settings", "metrics", "baselines", "mistakes", "limits"}
    split, comparison = inputs.split, inputs.comparison
    view = view_at_threshold(comparison.network.prediction.proba, split, THRESHOLD)

    data = page.table("data-table")
    assert data["Training source"] == ["hostile.csv"] and data["Rows left out"] == ["1"]
    assert data["Training texts"] == ["600"] and data["Test texts"] == ["31"]
    classes = page.table("classes-table")
    assert classes["ham"] == [
        str(split.train_labels.count("ham")),
        str(split.test_labels.count("ham")),
    ]

    metrics = page.table("metrics-table")
    for name, value in view.metrics.headline().items():
        assert metrics[METRIC_COLUMNS[name]] == [f"{value:.3f}"]
    confusion = page.table("confusion-table")
    for label, row in view.confusion.iterrows():
        assert confusion[label] == [str(count) for count in row]

    versus = page.table("versus-table")
    assert versus["model"][:1] == ["Kind"]
    mcc = versus["model"].index("MCC")
    for model, row in comparison.table.iterrows():
        assert versus[model][mcc] == f"{row['MCC']:.3f}"
    assert page.texts["verdict"] == comparison.verdict

    wrong = int(view.confusion.to_numpy().sum() - np.trace(view.confusion.to_numpy()))
    assert page.texts["mistakes-count"].startswith(f"{wrong} of 31 test texts")
    assert len(page.tables["mistakes-table"]) == wrong + 1  # all listed, under the header

    versions = page.table("versions-table")
    assert set(versions) == {"python", *PACKAGES}
    assert versions["numpy"] == [metadata.version("numpy")]
    settings = page.table("settings-table")
    assert settings["Seed"] == ["1"] and settings["Epochs"][0].startswith("at most 2;")
    limits = " ".join(page.items)
    for start in ("Class balance", "Text lengths seen", "Sources", "Test texts", "Languages"):
        assert start in limits
    assert "One run" in limits


def test_user_text_and_labels_are_inert(run):
    inputs, text = run
    assert SCRIPT_TEXT not in text and IMG_LABEL not in text
    assert "&lt;script&gt;document.title=&#x27;owned&#x27;&lt;/script&gt;" in text
    page = parse_report(text)
    tags = [tag for tag, _ in page.tags]
    assert "img" not in tags and "b" not in tags
    # plotly.js once, then one script per figure: none from the data.
    figures = report_figures(
        inputs,
        view_at_threshold(inputs.comparison.network.prediction.proba, inputs.split, THRESHOLD),
    )
    assert tags.count("script") == 1 + len(figures)
    # Plotly draws tags in labels: the label's < and > reach it as entities, its quotes as is.
    legend = [trace.name for trace in figures["fig-histogram"].data]
    assert 'true: &lt;img src=x onerror="alert(1)"&gt;spam' in legend
    assert SCRIPT_TEXT in [row[1] for row in page.tables["mistakes-table"][1:]]
    assert IMG_LABEL in page.table("classes-table")
    assert "no <b>text</b>" in " ".join(page.items)  # the row left out, as text


def test_report_fetches_nothing_and_inlines_plotly_once(run):
    from plotly.offline import get_plotlyjs

    inputs, text = run
    page = parse_report(text)
    for tag, attrs in page.tags:
        assert "src" not in attrs, tag
        assert attrs.get("href", "#").startswith("#"), attrs
    assert text.count(get_plotlyjs()) == 1
    assert text.count("* plotly.js v") == 1
    assert "@import" not in text.split("<script")[0] and "url(" not in text.split("<script")[0]
    csp = next(a for t, a in page.tags if a.get("http-equiv") == "Content-Security-Policy")
    assert csp["content"].startswith("default-src 'none'")
    bodies = [a for t, a in page.tags if t == "body"]
    assert bodies[0]["data-figures"] == "6"  # ROC, PR, scores, confusion, versus, loss


def test_write_report_refuses_a_missing_folder_and_writes_a_file(run, tmp_path):
    inputs, _ = run
    with pytest.raises(DataError, match="does not exist"):
        write_report(tmp_path / "nowhere" / "report.html", inputs)
    with pytest.raises(DataError, match="is a folder"):
        check_report_path(tmp_path)
    written = write_report(tmp_path / "report.html", inputs)
    assert written.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_limits_say_where_the_test_texts_came_from(run):
    inputs, _ = run
    split, trained = inputs.split, inputs.trained
    youtube = youtube_spam()
    by_source = {
        "random share": data_facts(youtube, train_name="all.csv"),
        "separate file": data_facts(youtube, youtube, train_name="a.csv", test_name="b.csv"),
        "held out in turn": data_facts(youtube, folds=True),
    }
    for words, facts in by_source.items():
        limits = data_limits(split, facts, trained, 0.9, repeated=True)
        assert words in " ".join(limits), (words, limits)
        assert not any(limit.startswith("One run") for limit in limits)
    held = replace(split, description="trained on every group but Psy, tested on it")
    limits = data_limits(held, data_facts(youtube), trained, 0.9)
    assert any("held-out group Psy" in limit for limit in limits)
    assert any("5 groups (Psy, Katy Perry, LMFAO, Eminem, Shakira)" in x for x in limits)


def test_writing_systems_and_unseen_words_are_counted():
    shares = writing_systems(["abc", "где", "1 2 3 !"])
    assert shares == {"LATIN": 0.5, "CYRILLIC": 0.5}
    assert unseen_word_share(["the cat sat"], ["The dog sat down"]) == 0.5
    assert unseen_word_share(["a"], [""]) == 0.0


# ---------------------------------------------------------------- the command line


def test_classify_writes_the_report_with_the_spread_of_its_seeds(tmp_path):
    import csv
    import json

    from tests.test_cli import run_cli

    youtube = youtube_spam()
    path = tmp_path / "small.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows(zip(youtube.texts[:300], youtube.labels[:300], strict=True))
    report = tmp_path / "report.html"
    out = run_cli(
        "classify", "--train", str(path), "--epochs", "1", "--seeds", "0", "1",
        "--report", str(report), "--json",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    assert summary["report"] == str(report) and f"report written to {report}" in out.stderr
    page = parse_report(report.read_text(encoding="utf-8"))
    assert page.texts["verdict"] == summary["verdict"]
    spread = page.table("spread-table")
    assert spread["Keras network"][:2] == ["network", "2"]
    mean = summary["repeats"]["models"]["Keras network"]["mcc"]
    assert spread["Keras network"][2] == f"{mean['mean']:.3f} ± {mean['sd']:.3f}"
    assert page.table("metrics-table")["MCC"] == [f"{summary['model']['mcc']:.3f}"]
    data = page.table("data-table")
    assert data["Training source"] == [str(path)] and data["Test texts"] == ["75"]
    assert not any(item.startswith("One run") for item in page.items)


def test_classify_refuses_a_report_path_before_training(tmp_path):
    import json

    from tests.test_cli import run_cli

    out = run_cli(
        "classify", "--train", "youtube", "--report", str(tmp_path / "no" / "r.html"), "--json"
    )
    assert out.returncode == 2 and "Traceback" not in out.stderr
    error = json.loads(out.stdout.strip().splitlines()[-1])
    assert "does not exist" in error["error"] and "existing folder" in error["hint"]
    assert "epoch" not in out.stderr
