"""Charts that nothing covers: room for Plotly's toolbar, decade ticks on log axes, no developer
toolbar for people using the app."""

import importlib
import inspect
import pkgutil
import tomllib

import plotly.graph_objects as go
import pytest

import core.figures
from core.figures.common import (
    TOOLBAR_STRIP,
    bar_chart,
    clear_of_toolbar,
    decade_ticks,
    heatmap,
)
from core.figures.optimization import loss_steps_figure
from core.figures.playground import loss_curves_figure
from core.figures.training import curves_figure
from tests.conftest import ROOT


def _builders():
    """Every public function in core.figures that says it returns a figure."""
    for info in pkgutil.iter_modules(core.figures.__path__):
        module = importlib.import_module(f"core.figures.{info.name}")
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ != module.__name__ or name.startswith("_"):
                continue
            returns = str(inspect.signature(function).return_annotation)
            if "go.Figure" in returns and name not in ("clear_of_toolbar", "toolbar_clear"):
                yield f"{info.name}.{name}", function


def test_every_figure_builder_leaves_room_for_the_toolbar():
    builders = dict(_builders())
    assert len(builders) > 30
    missing = [name for name, f in builders.items() if not getattr(f, "toolbar_clear", False)]
    assert not missing


def test_the_strip_sits_above_everything_the_figure_draws():
    fig = go.Figure(go.Bar(x=[1], y=[2]))
    fig.update_layout(height=300, margin={"t": 10}, title="a title")
    clear_of_toolbar(fig)
    assert fig.layout.margin.t == 10 + TOOLBAR_STRIP
    assert fig.layout.height == 300 + TOOLBAR_STRIP  # the plot keeps its size
    assert fig.layout.title.yref == "paper" and fig.layout.title.yanchor == "bottom"
    clear_of_toolbar(fig)  # once is enough
    assert fig.layout.margin.t == 10 + TOOLBAR_STRIP
    # Built figures: legends above the plot, colour bars and bar labels all move down with it.
    assert bar_chart(["a"], [1.0], "x").layout.margin.t == 10 + TOOLBAR_STRIP
    assert heatmap([[1.0]], ["r"], ["c"]).layout.margin.t == 30 + TOOLBAR_STRIP
    curves = curves_figure({"loss": [1.0, 0.5]})
    assert curves.layout.margin.t == 30 + TOOLBAR_STRIP and curves.layout.height == 320 + 32


def test_a_builder_that_resets_the_margin_still_gets_the_strip():
    fig = loss_curves_figure({"loss": [1.0, 0.5], "val_loss": [1.1, 0.7]})
    assert fig.layout.margin.t >= TOOLBAR_STRIP + 10


def test_log_axes_label_powers_of_ten_only():
    settings = decade_ticks([0.0003, 0.2, 45.0, float("nan"), 6.4e12])
    assert settings["type"] == "log" and settings["exponentformat"] == "power"
    assert settings["tickvals"] == [10.0**k for k in range(-3, 13)]
    # A range inside one decade still gets labels: 1-2-5 steps.
    assert decade_ticks([0.23, 0.9])["tickvals"] == [0.5]
    assert decade_ticks([0.15, 3.0])["tickvals"] == [0.2, 0.5, 1.0, 2.0]
    assert "tickvals" not in decade_ticks([float("inf")])
    fig = loss_steps_figure({"loop": [8.36, 2.0, 0.5, 0.24, 0.2322]})
    assert fig.layout.yaxis.type == "log"
    assert list(fig.layout.yaxis.tickvals) == [0.5, 1.0, 2.0, 5.0]
    wide = loss_steps_figure({"sgd": [8.36, 120.0, 6.4e4, 1.3e7]})
    assert list(wide.layout.yaxis.tickvals) == [10.0, 100.0, 1e3, 1e4, 1e5, 1e6, 1e7]


def test_people_using_the_app_get_no_developer_toolbar():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["toolbarMode"] in ("viewer", "minimal")


@pytest.mark.parametrize("values", [[1.0], [5.0, 5.0], [1e-9, 1e9]])
def test_decade_ticks_are_within_the_data(values):
    ticks = decade_ticks(values)["tickvals"]
    assert ticks and all(min(values) <= t <= max(values) for t in ticks)
