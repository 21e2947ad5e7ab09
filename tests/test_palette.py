"""One palette: a colour per meaning, the same on every chart, readable on light and dark pages."""

import re

import numpy as np
import pytest

from core.figures import palette
from core.figures.classifier import probability_histogram
from core.figures.optimization import fitted_curves_figure
from core.figures.perceptron import decision_figure
from core.figures.playground import boundary_figure
from core.figures.regression import mse_bars
from core.figures.runs import runs_overlay_figure
from core.figures.training import curves_figure
from core.nn.perceptron import make_clusters
from tests.test_look import BACKGROUNDS, MIN_CONTRAST, contrast, hex_rgb

LINE_ROLES = {
    "class": palette.CLASS_COLOURS,
    "train": (palette.TRAIN_COLOUR,),
    "validation": (palette.VALIDATION_COLOUR,),
    "network": (palette.NETWORK_COLOUR,),
    "baseline": palette.BASELINE_COLOURS,
    "variant": palette.VARIANT_COLOURS,
    "line": tuple(palette.LINE_COLOURS),
}


@pytest.mark.parametrize("role", LINE_ROLES)
def test_every_line_colour_reads_on_light_and_dark_pages(role):
    for colour in LINE_ROLES[role]:
        for name, background in BACKGROUNDS.items():
            ratio = contrast(hex_rgb(colour), background)
            assert ratio >= MIN_CONTRAST, f"{role} {colour} on the {name} page: {ratio:.2f}"


def test_meanings_that_share_a_chart_have_different_colours():
    assert palette.TRAIN_COLOUR != palette.VALIDATION_COLOUR
    assert palette.NETWORK_COLOUR not in palette.BASELINE_COLOURS
    assert len(set(palette.CLASS_COLOURS)) == len(palette.CLASS_COLOURS)
    shared = {palette.TRAIN_COLOUR, palette.VALIDATION_COLOUR}
    assert not shared & set(palette.VARIANT_COLOURS[:4])  # Overfitting's four and its points


def _class_colours(fig, pattern: str) -> dict[int, set[str]]:
    """{class: the colours of the traces whose name matches ``pattern`` for it}."""
    found: dict[int, set[str]] = {}
    for trace in fig.data:
        match = re.search(pattern, trace.name or "")
        if match:
            found.setdefault(int(match.group(1)), set()).add(trace.marker.color)
    return found


def test_a_class_has_one_colour_on_the_perceptron_the_playground_and_the_classifier():
    clusters = make_clusters(20, seed=0)
    perceptron = decision_figure(clusters, (1.0, 1.0), 0.0, "sigmoid")
    x = clusters.points
    y = clusters.labels
    playground = boundary_figure(x, y, x[:5], y[:5])
    scores = np.column_stack([1 - np.linspace(0, 1, len(y)), np.linspace(0, 1, len(y))])
    histogram = probability_histogram(scores, y, ["0", "1"])
    by_builder = [
        _class_colours(perceptron, r"class (\d)"),
        _class_colours(playground, r"class (\d)"),
        _class_colours(histogram, r"true: (\d)"),
    ]
    for label in (0, 1):
        colours = [found[label] for found in by_builder]
        assert all(c == {palette.class_colour(label)} for c in colours), (label, colours)
    assert palette.class_colour(0) != palette.class_colour(1)
    # The shading behind the points runs from class 0's side to class 1's on both pages.
    heat = [t for t in playground.data if t.type == "heatmap"]
    assert not heat  # no probabilities given: only the points
    assert perceptron.data[0].colorscale[0][1] == palette.PALE_CLASS_SCALE[0][1]


def test_train_and_validation_and_network_and_baseline_colours():
    fig = curves_figure({"loss": [3, 2, 1], "val_loss": [3, 2.5, 2.6]})
    assert [t.line.color for t in fig.data] == [palette.TRAIN_COLOUR, palette.VALIDATION_COLOUR]
    bars = mse_bars(0.2, 0.1)
    assert list(bars.data[0].marker.color) == [palette.NETWORK_COLOUR, palette.baseline_colour(0)]


def test_given_colours_hold_on_both_overfitting_charts():
    names = ["Plain", "Early stopping", "L2 penalty", "Dropout"]
    colours = palette.variant_colours(names)
    curves = {f"{n} · {c}": [1.0, 0.5] for n in names for c in ("loss", "val_mse")}
    overlay = runs_overlay_figure(curves, colours=colours)
    # The fitted curves drawn for only some variants keep the colours all four have.
    grid = [0.0, 1.0]
    fits = fitted_curves_figure(grid, grid, grid, grid, grid, grid, {"Dropout": grid}, colours)
    line = {t.name.split(" · ")[0]: t.line.color for t in overlay.data}
    assert line == colours
    fitted = {t.name: t.line.color for t in fits.data if t.name in colours}
    assert fitted == {"Dropout": colours["Dropout"]}
