"""The one palette: a colour per meaning, shared by every figure and readable in both themes.

Meanings, not positions: class 0 has one colour on the perceptron, the Playground and the
classifier's charts; the training curve one colour and the validation curve another; the
network one colour and each baseline its own; an Overfitting variant the same colour on every
chart that shows it. Colours drawn as lines or markers straight on the page have a contrast of
at least 3 against both Streamlit's white page and its dark one (relative luminance between
about 0.13 and 0.30; ``tests/test_palette.py`` checks). Plain Python: no Plotly here, so
``core.classifier`` can take its word colours from it too.
"""

from __future__ import annotations

from collections.abc import Iterable

# Fills and areas (the talk map's rings, bars behind text): not all of these read as lines.
PALETTE = ["#6C4AB6", "#8D72E1", "#B9E0FF", "#F4A261", "#2A9D8F", "#E76F51"]

# Lines and markers on the page, in the order series take them when nothing else decides.
LINE_COLOURS = [
    "#7A5CCF",  # purple
    "#E4572E",  # orange-red
    "#2A9D8F",  # teal
    "#3D8BD9",  # blue
    "#B5479B",  # magenta
    "#4F9D69",  # green
    "#7C7C7C",  # grey
    "#8C564B",  # brown
]

# Classes: orange for class 0 and blue for class 1, as in the TensorFlow Playground.
CLASS_COLOURS = ("#E07A1F", "#3D8BD9", "#2A9D8F", "#B5479B", "#4F9D69", "#8C564B", "#7C7C7C")
# Behind points: pale class 0 → white (unsure) → pale class 1, for P(class 1) or ŷ.
CLASS_SCALE = [[0.0, "#F6B26B"], [0.5, "#F7F7F7"], [1.0, "#6FA8DC"]]
PALE_CLASS_SCALE = [[0.0, "#FDD0A2"], [0.5, "#F7F7F7"], [1.0, "#C6DBEF"]]

# Training against validation, on loss curves and as data points.
TRAIN_COLOUR = "#7A5CCF"
VALIDATION_COLOUR = "#E4572E"

# The network against the baselines it is compared with.
NETWORK_COLOUR = "#7A5CCF"
BASELINE_COLOURS = ("#2A9D8F", "#E4572E", "#3D8BD9", "#B5479B", "#4F9D69", "#7C7C7C")

# Variants of one experiment (Overfitting's plain, early stopping, L2, dropout): none is the
# train or validation colour, which share the charts with them.
VARIANT_COLOURS = ("#3D8BD9", "#2A9D8F", "#B5479B", "#4F9D69", "#8C564B", "#7C7C7C")

# Reference lines (chance, the true function, zero) and marks on curves.
REFERENCE_COLOUR = "#888888"
BEST_MARK_COLOUR = "#2A9D8F"
STOP_MARK_COLOUR = "#E76F51"

# A word's push towards the explained class (warm) or away from it (teal), as RGB for shading.
TOWARDS_RGB = (231, 111, 81)
AGAINST_RGB = (42, 157, 143)


def class_colour(index: int) -> str:
    """Class ``index``'s colour, the same on every chart (cycling past the last)."""
    return CLASS_COLOURS[index % len(CLASS_COLOURS)]


def baseline_colour(index: int) -> str:
    """The ``index``-th baseline's colour (cycling), never the network's."""
    return BASELINE_COLOURS[index % len(BASELINE_COLOURS)]


def variant_colours(names: Iterable[str]) -> dict[str, str]:
    """A colour per variant name, in the order given: pass the full list of variants (not only
    those with results), so a variant keeps its colour whichever others are shown."""
    return {name: VARIANT_COLOURS[i % len(VARIANT_COLOURS)] for i, name in enumerate(names)}
