"""A finished classifier comparison as one self-contained HTML report that opens offline.

:func:`report_html` turns a :class:`ReportInputs` (the trained network, its comparison with the
baselines, the split, the data's facts, the chosen threshold and any repeat over seeds or
folds) into one HTML page: the data, the settings and package versions, the measures at the
threshold with the curves and confusion matrix, the tuned baselines and the verdict (with its
spread when repeated), the most confident mistakes and the limits of the data. plotly.js is
inlined once and a Content-Security-Policy forbids every request, so nothing is fetched; every
text from the data is HTML-escaped. :func:`write_report` writes the page to a file.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from core.classifier.metrics import METRIC_COLUMNS
from core.classifier.repeats import RepeatResult, mean_sd_table
from core.classifier.report import (
    Comparison,
    ThresholdView,
    kept_epoch,
    mistakes_at,
    view_at_threshold,
)
from core.classifier.report_facts import DataFacts, data_limits, package_versions, settings_rows
from core.classifier.splits import TextSplit
from core.classifier.train import TrainedClassifier
from core.errors import DataError
from core.figures.classifier import (
    confusion_figure,
    metrics_bar_figure,
    pr_figure,
    probability_histogram,
    roc_figure,
)
from core.figures.training import curves_figure

MISTAKES_SHOWN = 50
FIGURE_CONFIG = {"displaylogo": False, "responsive": True}
# Inline scripts and styles only; no request of any kind, so the page is the same offline.
CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:"
)
STYLE = """
body { margin: 0; background: #f6f5fa; color: #222; line-height: 1.5;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header { background: #fff; border-bottom: 3px solid #6C4AB6; padding: 1.5rem 2rem 1rem; }
header h1 { margin: 0 0 .3rem; color: #4b2f91; font-size: 1.8rem; }
header p { margin: .2rem 0; max-width: 70rem; }
nav a { margin-right: 1rem; color: #6C4AB6; text-decoration: none; font-weight: 600; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem 2rem 3rem; }
section { background: #fff; border: 1px solid #e3e0ee; border-radius: 10px;
  padding: 1rem 1.5rem 1.2rem; margin: 1.2rem 0; }
h2 { color: #4b2f91; margin: .2rem 0 .8rem; font-size: 1.35rem; }
h3 { margin: 1.2rem 0 .4rem; font-size: 1.05rem; }
table { border-collapse: collapse; margin: .4rem 0 1rem; font-size: .9rem; }
th, td { border-bottom: 1px solid #e6e3ef; padding: .3rem .7rem; text-align: left;
  vertical-align: top; }
th { background: #f1eefa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.text { min-width: 5rem; max-width: 38rem; overflow-wrap: anywhere; }
tbody tr:nth-child(even) { background: #faf9fd; }
.verdict { font-weight: 600; font-size: 1.05rem; }
.note { color: #555; font-size: .9rem; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(24rem, 1fr)); gap: 1rem; }
.figure { min-height: 300px; }
.limits li { margin: .35rem 0; }
footer { text-align: center; color: #777; font-size: .85rem; padding-bottom: 2rem; }
"""


@dataclass
class ReportInputs:
    """A finished run to report: the trained network, its comparison with the baselines on
    ``split``, where the data came from, the decision threshold the measures are cut at, and
    the repeat over seeds or folds it was the first run of (or ``None``)."""

    trained: TrainedClassifier
    comparison: Comparison
    split: TextSplit
    facts: DataFacts
    threshold: float = 0.5
    repeat: RepeatResult | None = None
    title: str = "Text classifier report"


def escape(value: Any) -> str:
    """Any value as HTML text: ``<``, ``>``, ``&`` and quotes escaped."""
    return html.escape(str(value), quote=True)


def cell_html(value: Any) -> str:
    """One table cell: numbers right-aligned (floats to 3 decimals, NaN as ``–``), text escaped."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, bool):
        return f"<td>{escape('' if value is None else value)}</td>"
    if isinstance(value, int):
        return f'<td class="num">{value:,}</td>'
    if isinstance(value, float):
        return f'<td class="num">{"–" if math.isnan(value) else f"{value:.3f}"}</td>'
    return f'<td class="text">{escape(value)}</td>'


def table_html(frame: pd.DataFrame, table_id: str, index: bool = True) -> str:
    """A DataFrame as an HTML table with id ``table_id``; every header and cell escaped."""
    names = ([frame.index.name or ""] if index else []) + [str(c) for c in frame.columns]
    head = "".join(f"<th>{escape(name)}</th>" for name in names)
    rows = []
    for label, values in zip(frame.index, frame.itertuples(index=False), strict=True):
        cells = ([f"<th>{escape(label)}</th>"] if index else []) + [cell_html(v) for v in values]
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f'<table id="{escape(table_id)}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def pairs_html(pairs: Sequence[tuple[str, Any]], table_id: str) -> str:
    """(name, value) pairs as a two-column table."""
    rows = "".join(f"<tr><th>{escape(name)}</th>{cell_html(value)}</tr>" for name, value in pairs)
    return f'<table id="{escape(table_id)}"><tbody>{rows}</tbody></table>'


def figure_html(fig: go.Figure, div_id: str) -> str:
    """One figure as a div and the script that draws it, without plotly.js itself."""
    return (
        '<div class="figure">'
        + fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id, config=FIGURE_CONFIG)
        + "</div>"
    )


def report_figures(inputs: ReportInputs, view: ThresholdView) -> dict[str, go.Figure]:
    """The report's figures by div id: ROC and precision-recall (binary), scores by class,
    confusion matrix, models side by side, and the training curves when there are any.

    Class names are user text and Plotly draws a few HTML tags in labels, so their ``<``, ``>``
    and ``&`` go into the figures escaped (Plotly shows those entities as the characters; it
    would show an escaped quote as ``&quot;``)."""
    names = [html.escape(name, quote=False) for name in inputs.split.label_names]
    confusion = view.confusion.copy()
    confusion.index, confusion.columns = names, names
    figures: dict[str, go.Figure] = {}
    if view.curves is not None:
        curves = view.curves
        figures["fig-roc"] = roc_figure(curves.roc, curves.roc_auc, curves.point, "Keras network")
        figures["fig-pr"] = pr_figure(
            curves.pr, curves.pr_auc, curves.point, curves.prevalence, "Keras network"
        )
    figures["fig-histogram"] = probability_histogram(
        view.proba, inputs.split.y_test, names, view.threshold
    )
    figures["fig-confusion"] = confusion_figure(confusion)
    figures["fig-versus"] = metrics_bar_figure(inputs.comparison.table)
    record = inputs.trained.record
    if record.history.get("loss"):
        figures["fig-loss"] = curves_figure(
            record.history,
            ("loss", "val_loss"),
            record.total_epochs,
            record.best_epoch,
            record.stopped_epoch,
        )
    return figures


def data_section(inputs: ReportInputs) -> str:
    """Where the texts came from, how they were split and each class's count."""
    facts, split = inputs.facts, inputs.split
    train = facts.train
    pairs: list[tuple[str, Any]] = [
        ("Training source", train.name),
        ("Format", train.format),
        ("Rows read", train.rows),
        ("Rows left out", len(train.skipped)),
    ]
    if facts.test is not None:
        pairs += [
            ("Test source", facts.test.name),
            ("Test format", facts.test.format),
            ("Test rows read", facts.test.rows),
            ("Test rows left out", len(facts.test.skipped)),
        ]
    if facts.groups:
        pairs.append(("Groups", ", ".join(facts.groups)))
    pairs += [
        ("Split", split.description),
        ("Training texts", len(split.train_texts)),
        ("Test texts", len(split.test_texts)),
    ]
    counts = pd.DataFrame(
        {
            "Training texts": [split.train_labels.count(n) for n in split.label_names],
            "Test texts": [split.test_labels.count(n) for n in split.label_names],
        },
        index=pd.Index(list(split.label_names), name="class"),
    )
    skipped = [
        f"<li>{escape(source.name)}, line {line}: {escape(reason)}</li>"
        for source in filter(None, (train, facts.test))
        for line, reason in source.skipped
    ]
    warnings = [
        f"<li>{escape(w)}</li>" for s in filter(None, (train, facts.test)) for w in s.warnings
    ]
    parts = [
        '<section id="data"><h2>Data</h2>',
        pairs_html(pairs, "data-table"),
        "<h3>Classes</h3>",
        table_html(counts, "classes-table"),
    ]
    if skipped:
        parts.append(
            f"<details><summary>Rows left out</summary><ul>{''.join(skipped)}</ul></details>"
        )
    if warnings:
        parts.append(f"<h3>Warnings</h3><ul>{''.join(warnings)}</ul>")
    return "".join(parts) + "</section>"


def settings_section(inputs: ReportInputs) -> str:
    """The run's settings in words, every setting as JSON, and the package versions."""
    trained = inputs.trained
    rows = settings_rows(trained, kept_epoch(trained))
    versions = package_versions()
    everything = json.dumps(asdict(trained.settings), indent=2, default=str)
    return (
        '<section id="settings"><h2>Settings</h2>'
        + pairs_html(rows, "settings-table")
        + f"<details><summary>Every setting</summary><pre>{escape(everything)}</pre></details>"
        + "<h3>Package versions</h3>"
        + pairs_html(list(versions.items()), "versions-table")
        + "</section>"
    )


def metrics_section(inputs: ReportInputs, view: ThresholdView, drawn: dict[str, str]) -> str:
    """The network's measures at the threshold, its curves and its confusion matrix."""
    metrics = view.metrics
    headline = [(METRIC_COLUMNS[k], v) for k, v in metrics.headline().items()]
    if view.threshold is None:
        cut = "More than two classes: each text goes to its most probable class."
    else:
        positive = inputs.split.label_names[1]
        cut = (
            f"A text counts as {escape(positive)} when its probability is at least "
            f"{view.threshold:.2f}."
        )
    notes = "".join(f'<p class="note">{escape(note)}</p>' for note in metrics.notes)
    curves = [drawn[k] for k in ("fig-roc", "fig-pr") if k in drawn]
    per_class = metrics.per_class_table()
    confusion = view.confusion.rename_axis(index="true \\ predicted", columns=None)
    return (
        '<section id="metrics"><h2>The network on the test texts</h2>'
        f"<p>{cut}</p>"
        + pairs_html(headline, "metrics-table")
        + notes
        + (f'<div class="grid">{"".join(curves)}</div>' if curves else "")
        + drawn["fig-histogram"]
        + "<h3>Confusion matrix</h3>"
        + drawn["fig-confusion"]
        + table_html(confusion, "confusion-table")
        + "<h3>Per class</h3>"
        + table_html(per_class, "per-class-table")
        + ("<h3>Training</h3>" + drawn["fig-loss"] if "fig-loss" in drawn else "")
        + "</section>"
    )


def baselines_section(inputs: ReportInputs, drawn: dict[str, str]) -> str:
    """The verdict (spread-aware when repeated), the models side by side and how they were
    scored."""
    comparison, repeat = inputs.comparison, inputs.repeat
    parts = ['<section id="baselines"><h2>Tuned baselines and the verdict</h2>']
    if repeat is not None and repeat.runs:
        spread = repeat.verdict()
        parts += [
            f'<p class="verdict" id="verdict">{escape(spread.sentence)}</p>',
            '<p class="note">Each run scores the network and the baselines on the same test '
            "texts, so runs are compared in pairs (network minus best baseline). A win or a loss "
            "is called only when the 95% interval of the mean paired gap (Student's t) excludes "
            "zero; otherwise the two are level. Standard deviations are over runs.</p>",
            f"<h3>Mean ± standard deviation over {len(repeat.runs)} runs</h3>",
            table_html(mean_sd_table(repeat.summary()), "spread-table"),
            "<h3>The first run</h3>",
            f"<p>{escape(comparison.verdict)}</p>",
        ]
    else:
        parts.append(f'<p class="verdict" id="verdict">{escape(comparison.verdict)}</p>')
    parts += [
        f'<p class="note">{escape(comparison.scoring_note(inputs.threshold))}</p>',
        drawn["fig-versus"],
        table_html(comparison.table, "versus-table"),
        "</section>",
    ]
    return "".join(parts)


def mistakes_section(inputs: ReportInputs, view: ThresholdView) -> str:
    """How many test texts are wrong at the threshold, and the most confident of them."""
    mistakes = mistakes_at(view, inputs.split)
    shown = mistakes.table.head(MISTAKES_SHOWN)
    n_test = len(inputs.split.test_texts)
    listed = (
        "" if len(shown) == mistakes.n_wrong else f" The {len(shown)} most confident are listed."
    )
    return (
        '<section id="mistakes"><h2>The most confident mistakes</h2>'
        f'<p id="mistakes-count">{mistakes.n_wrong:,} of {n_test:,} test texts are '
        f"misclassified at this threshold, the most confident first.{listed}</p>"
        + table_html(shown, "mistakes-table")
        + "</section>"
    )


def limits_section(inputs: ReportInputs, view: ThresholdView) -> str:
    """What the data does not cover, as a list."""
    limits = data_limits(
        inputs.split,
        inputs.facts,
        inputs.trained,
        view.metrics.accuracy,
        repeated=inputs.repeat is not None and len(inputs.repeat.runs) > 1,
    )
    items = "".join(f"<li>{escape(limit)}</li>" for limit in limits)
    return (
        '<section id="limits"><h2>Limits: what the data does not cover</h2>'
        f'<ul class="limits">{items}</ul></section>'
    )


def report_html(inputs: ReportInputs) -> str:
    """The whole report as one HTML page, plotly.js inlined once."""
    from plotly.offline import get_plotlyjs

    view = view_at_threshold(
        inputs.comparison.network.prediction.proba, inputs.split, inputs.threshold
    )
    figures = report_figures(inputs, view)
    drawn = {key: figure_html(fig, key) for key, fig in figures.items()}
    mcc = view.metrics.mcc
    at = f" at threshold {view.threshold:.2f}" if view.threshold is not None else ""
    lead = (
        f"A Keras network trained on {inputs.facts.train.name} "
        f"({len(inputs.split.train_texts):,} texts, classes "
        f"{', '.join(inputs.split.label_names)}): MCC {mcc:.3f} on "
        f"{len(inputs.split.test_texts):,} test texts{at}."
    )
    sections = [
        ("data", "Data"),
        ("settings", "Settings"),
        ("metrics", "Measures"),
        ("baselines", "Baselines"),
        ("mistakes", "Mistakes"),
        ("limits", "Limits"),
    ]
    nav = "".join(f'<a href="#{key}">{name}</a>' for key, name in sections)
    made = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return "".join(
        [
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(inputs.title)}</title><style>{STYLE}</style>",
            f'<script type="text/javascript">{get_plotlyjs()}</script></head>',
            f'<body data-figures="{len(figures)}"><header>',
            f"<h1>{escape(inputs.title)}</h1><p>{escape(lead)}</p><nav>{nav}</nav></header><main>",
            data_section(inputs),
            settings_section(inputs),
            metrics_section(inputs, view, drawn),
            baselines_section(inputs, drawn),
            mistakes_section(inputs, view),
            limits_section(inputs, view),
            f"</main><footer>Made by Deep Text Lab on {made}.</footer></body></html>",
        ]
    )


def check_report_path(path: str | Path) -> Path:
    """``path`` as a :class:`Path`, refused with a :class:`DataError` when its folder does not
    exist or it names a folder: checked before a long run rather than after it."""
    path = Path(path)
    if path.is_dir():
        raise DataError(
            f"Cannot write the report to {path}: it is a folder.",
            "Give a file name, such as report.html.",
        )
    if not path.parent.is_dir():
        raise DataError(
            f"Cannot write the report to {path}: the folder {path.parent} does not exist.",
            "Give a path in an existing folder, such as report.html.",
        )
    return path


def write_report(path: str | Path, inputs: ReportInputs) -> Path:
    """Write :func:`report_html` of ``inputs`` to ``path`` (UTF-8); returns the path.

    Raises :class:`DataError` when the file cannot be written."""
    path = check_report_path(path)
    try:
        path.write_text(report_html(inputs), encoding="utf-8")
    except OSError as error:
        raise DataError(
            f"Cannot write the report to {path}: {error.strerror or error}.",
            "Give a path you can write to, such as report.html.",
        ) from error
    return path
