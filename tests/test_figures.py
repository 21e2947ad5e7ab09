"""Figure builders shared by pages: the talk map, heatmaps, bars, stock windows, digit grids."""

import numpy as np
import plotly.graph_objects as go

from core.figures.common import bar_chart, heatmap
from core.figures.images import digits_figure
from core.figures.regression import stock_window_figure
from core.figures.talk_map import ai_ml_dl_figure
from core.figures.text import cosine_heatmap


def test_ai_ml_dl_is_three_nested_regions():
    fig = ai_ml_dl_figure()
    assert isinstance(fig, go.Figure)
    names = [trace.name for trace in fig.data]
    assert names == ["Artificial intelligence", "Machine learning", "Deep learning"]
    assert len(fig.layout.shapes) == 3


def test_heatmap_labels_and_values():
    fig = heatmap(np.array([[1, 0], [0.5, 2]]), ["r1", "r2"], ["c1", "c2"], "w")
    trace = fig.data[0]
    assert list(trace.x) == ["c1", "c2"] and list(trace.y) == ["r1", "r2"]
    assert trace.text[1][0] == "0.5" and trace.text[1][1] == "2"


def test_cosine_heatmap_has_a_fixed_scale():
    fig = cosine_heatmap(np.eye(3), ["a", "b", "c"])
    assert fig.data[0].zmin == 0.0 and fig.data[0].zmax == 1.0


def test_bar_stock_and_digits_figures():
    bar = bar_chart(["x", "y"], [3, 1], "count")
    assert list(bar.data[0].y) == ["x", "y"]
    series = np.arange(20.0)
    stock = stock_window_figure(series, 5, 2, "T")
    assert list(stock.data[1].y) == [2, 3, 4, 5, 6] and list(stock.data[2].y) == [7]
    digits = digits_figure(np.zeros((12, 8, 8)), list(range(12)), columns=6)
    assert len(digits.data) == 12
    assert digits.layout.annotations[11].text == "Y = 11"


def test_a_one_epoch_curve_is_drawn_against_zero_not_zoomed_on_its_point():
    from core.figures.training import curves_figure

    one = curves_figure({"loss": [5_128_123.5]}, keys=("loss",), total_epochs=1)
    assert one.layout.yaxis.rangemode == "tozero"
    several = curves_figure({"loss": [3.0, 2.0], "val_loss": [3.5]}, total_epochs=2)
    assert several.layout.yaxis.rangemode is None  # a real curve keeps Plotly's own range
