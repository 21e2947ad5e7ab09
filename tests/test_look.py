"""Look and feel: chart-heavy pages in the browser's dark and light colour schemes.

Streamlit follows the browser's prefers-color-scheme; Plotly charts drawn with Streamlit's theme
should follow it too. The browser test measures what a reader sees: the app's background, the
charts' background, and the contrast of chart text (titles, ticks, legends) against the page.
Screenshots land in tests/artifacts/screenshots/ with a _dark or _light suffix.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.embeddings.vectors import VectorSet
from core.figures.common import LINE_COLOURS
from tests.conftest import ROOT
from tests.streamlit_server import wait_idle

SHOTS = Path(__file__).parent / "artifacts" / "screenshots"
MIN_CONTRAST = 3.0  # WCAG's minimum for large text and graphics


# ---------------------------------------------------------------- colour arithmetic


def parse_rgba(css: str) -> tuple[float, float, float, float]:
    """``rgb(1, 2, 3)`` or ``rgba(1, 2, 3, 0.5)`` (a computed CSS colour) -> (r, g, b, alpha)."""
    numbers = [float(n) for n in re.findall(r"[\d.]+", css)]
    if len(numbers) == 3:
        numbers.append(1.0)
    if len(numbers) != 4:
        raise ValueError(f"not a computed rgb colour: {css!r}")
    return numbers[0], numbers[1], numbers[2], numbers[3]


def luminance(rgb: tuple[float, ...]) -> float:
    """WCAG relative luminance of an sRGB colour with 0-255 channels: 0 black, 1 white."""

    def linear(channel: float) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """WCAG contrast ratio between two colours, from 1 (same) to 21 (black on white)."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_arithmetic_matches_wcag():
    assert contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast((118, 118, 118), (255, 255, 255)) == pytest.approx(4.54, abs=0.01)
    assert contrast((10, 20, 30), (10, 20, 30)) == pytest.approx(1.0)
    assert parse_rgba("rgba(14, 17, 23, 0.5)") == (14, 17, 23, 0.5)
    assert parse_rgba("rgb(255, 0, 0)") == (255, 0, 0, 1.0)


def hex_rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))


# Streamlit's page backgrounds: white, and the dark theme's (older releases used #0E1117).
BACKGROUNDS = {"light": (255, 255, 255), "dark": (23, 22, 20), "dark (older)": (14, 17, 23)}


@pytest.mark.parametrize("colour", LINE_COLOURS)
def test_line_colours_read_on_light_and_dark_pages(colour):
    for name, background in BACKGROUNDS.items():
        ratio = contrast(hex_rgb(colour), background)
        assert ratio >= MIN_CONTRAST, f"{colour} on the {name} page: {ratio:.2f}"


# ---------------------------------------------------------------- the browser test

# Chart text that sits on the chart's own (transparent) background, so on the page's colour.
CHART_COLOURS_JS = """() => {
  const app = getComputedStyle(document.querySelector('[data-testid="stApp"]')).backgroundColor;
  const charts = [...document.querySelectorAll('.js-plotly-plot')];
  const texts = [];
  for (const chart of charts) {
    const selector = '.gtitle, .xtick text, .ytick text, .legendtext, .g-xtitle text, '
      + '.g-ytitle text, .xtitle, .ytitle';
    for (const node of chart.querySelectorAll(selector)) {
      if (!node.textContent.trim()) continue;
      texts.push({text: node.textContent.slice(0, 40), fill: getComputedStyle(node).fill});
    }
  }
  const papers = charts.map(chart => {
    const svg = chart.querySelector('.main-svg');
    const bg = chart.querySelector('.main-svg .bg');
    return {
      svg: svg ? getComputedStyle(svg).backgroundColor : 'rgba(0, 0, 0, 0)',
      // Plotly draws a transparent plot area as a fill with fill-opacity 0: what shows is none.
      paper: bg && getComputedStyle(bg).fillOpacity !== '0'
        ? getComputedStyle(bg).fill : 'rgba(0, 0, 0, 0)',
    };
  });
  return {app, charts: charts.length, texts, papers};
}"""


def open_and_measure(page, title: str, shot: str) -> dict:
    """Wait for the page's charts, screenshot it and return its colours (see CHART_COLOURS_JS)."""
    page.get_by_role("heading", name=title, level=1).wait_for(timeout=60_000)
    wait_idle(page)
    page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
    page.wait_for_timeout(500)  # Plotly draws its axes a moment after the div appears
    # After a live switch of the colour scheme Plotly redraws each chart in the new theme; on a
    # busy machine a chart can still be in the old one here. Wait (at most 15 s) until every
    # chart is in the page's colours: one that never gets there fails the check below.
    measured = page.evaluate(CHART_COLOURS_JS)
    for _ in range(30):
        if charts_match_page(measured):
            break
        page.wait_for_timeout(500)
        measured = page.evaluate(CHART_COLOURS_JS)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{shot}.png"))
    return measured


def charts_match_page(measured: dict) -> bool:
    """Whether every chart's background is transparent or the page's own colour."""
    app = parse_rgba(measured["app"])
    for paper in measured["papers"]:
        for colour in (paper["svg"], paper["paper"]):
            rgba = parse_rgba(colour)
            if not (rgba[3] == 0 or contrast(rgba, app) < 1.2):
                return False
    return True


def check_colours(measured: dict, scheme: str, where: str) -> None:
    """The page is dark in dark mode and light in light mode, and chart text reads on it."""
    app = parse_rgba(measured["app"])
    if scheme == "dark":
        assert luminance(app) < 0.1, f"{where}: the app background {measured['app']} is not dark"
    else:
        assert luminance(app) > 0.8, f"{where}: the app background {measured['app']} is not light"
    assert measured["charts"] > 0, f"{where}: no chart drawn"
    # Transparent, or the page's own colour: never a light box on a dark page or back.
    papers = [colour for paper in measured["papers"] for colour in (paper["svg"], paper["paper"])]
    assert charts_match_page(measured), f"{where}: chart backgrounds {papers} on {measured['app']}"
    if where != "home":  # the home diagram has no axes: its labels sit on its own rings
        assert measured["texts"], f"{where}: no chart text found"
    for item in measured["texts"]:
        ratio = contrast(parse_rgba(item["fill"]), app)
        assert ratio >= MIN_CONTRAST, (
            f"{where}: chart text {item['text']!r} in {item['fill']} has contrast {ratio:.1f} "
            f"on {measured['app']}"
        )


def open_from_sidebar(page, title: str) -> None:
    """A sidebar link keeps the session (and its runs); a fresh URL would start a new one."""
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title).click()


def measure_both_schemes(page, title: str, stem: str) -> None:
    """Screenshot and check the open page in the dark scheme, then in the light one.

    The browser switches its prefers-color-scheme live; Streamlit follows the switch without
    a reload, so one session (and its runs) serves both.
    """
    for scheme in ("dark", "light"):
        page.emulate_media(color_scheme=scheme)
        check_colours(open_and_measure(page, title, f"{stem}_{scheme}"), scheme, stem)


@pytest.mark.browser
def test_charts_follow_the_colour_scheme(app_url, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 3000}, color_scheme="dark")
    page = context.new_page()
    try:
        page.goto(app_url)
        measure_both_schemes(page, "Deep Text Lab", "home")

        open_from_sidebar(page, "Text → numbers")
        measure_both_schemes(page, "Text → numbers", "text_to_numbers")

        # A short Playground run, so the Runs page has curves to draw.
        open_from_sidebar(page, "Playground")
        page.get_by_role("heading", name="Playground", level=1).wait_for(timeout=60_000)
        wait_idle(page)
        epochs = page.get_by_label("Epochs", exact=True)
        epochs.fill("3")
        epochs.blur()
        page.get_by_role("button", name=re.compile(r"Train$")).click()
        done = page.locator('[data-testid="stAlertContentSuccess"]').filter(has_text="Complete")
        done.first.wait_for(timeout=120_000)
        measure_both_schemes(page, "Playground", "playground")

        open_from_sidebar(page, "Runs")
        measure_both_schemes(page, "Runs", "runs")
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        context.close()


# ---------------------------------------------------------------- the evaluate page's tables

EVALUATE = "pages/word_vectors_evaluate.py"
SHARE = re.compile(r"^(\d{1,3}\.\d%|> 99\.9%|< 0\.1%)$")


@pytest.fixture(scope="module")
def quick():
    from core.embeddings.word2vec import quick_vector_set

    return quick_vector_set()


def open_evaluate(vector_sets: list[VectorSet], model_b: str | None = None) -> AppTest:
    """The evaluate page with these vectors in the session, Evaluate pressed."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["word_vectors"] = {vs.name: vs for vs in vector_sets}
    at.session_state["word_vectors_current"] = vector_sets[0].name
    at.run()
    at.switch_page(EVALUATE).run()
    if model_b:
        at.selectbox(key="evaluate_model_b").set_value(model_b)
    next(b for b in at.button if b.label == "Evaluate").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown_values(element):
    """What a styled st.dataframe displays (its Styler's display values) as a DataFrame."""
    import pyarrow as pa

    styler = element.proto.arrow_data.styler
    assert styler.display_values, "the table is not styled"
    return pa.ipc.open_stream(styler.display_values).read_all().to_pandas()


def test_evaluate_tables_show_a_dash_for_no_score_and_shares_with_one_decimal(quick):
    at = open_evaluate([quick])
    analogy = next(d for d in at.dataframe if "OOV share" in d.value.columns)
    numbers, shown = analogy.value, shown_values(analogy)
    none_asked = numbers["asked"] == 0
    assert none_asked.any()  # the Lee model cannot ask a single currency question
    assert (shown.loc[none_asked.to_numpy(), "accuracy"] == "–").all()
    assert shown["accuracy"].str.fullmatch(r"–|\d{1,3}\.\d%|> 99\.9%|< 0\.1%").all()
    assert shown["OOV share"].map(lambda text: bool(SHARE.match(text))).all()
    # 100.0% only where every question was skipped, never for a rounded 99.96%.
    full = (shown["OOV share"] == "100.0%").to_numpy()
    assert (numbers.loc[full, "OOV share"] == 1.0).all()
    # The browser draws a missing number with the table's placeholder, whatever the Styler says.
    for element in at.dataframe:
        assert element.proto.placeholder == "–"
        if element.proto.arrow_data.styler.display_values:
            text = shown_values(element).astype(str)
            assert not text.isin(["None", "nan", "NaN", "<NA>"]).any().any()


def test_side_by_side_needs_two_models(quick):
    one = open_evaluate([quick])
    assert "Side by side" not in [h.value for h in one.header]
    assert one.get("download_button")[0].proto.label == "Download the results (CSV)"
    twin = VectorSet("twin", quick.vectors, "the same vectors", has_counts=False)
    two = open_evaluate([quick, twin], model_b="twin")
    assert "Side by side" in [h.value for h in two.header]
    comparison = next(d for d in two.dataframe if "twin · coverage" in d.value.columns)
    assert shown_values(comparison)["twin · coverage"].map(lambda t: bool(SHARE.match(t))).all()


def test_cbow_twin_is_offered_only_for_the_quick_model(quick):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    other = VectorSet("imported.txt", quick.vectors, "an upload", has_counts=False)
    at.session_state["word_vectors"] = {other.name: other}
    at.session_state["word_vectors_current"] = other.name
    at.run()
    at.switch_page(EVALUATE).run()
    assert not at.exception
    assert "evaluate_cbow_twin" not in [b.key for b in at.button]
    assert any("word2vec_train" in link.proto.page for link in at.get("page_link"))


# ---------------------------------------------------------------- the runs table


def test_runs_table_shows_numbers_as_people_write_them():
    from core.nn.training import RunRecord

    record = RunRecord(
        kind="playground",
        settings={"noise": 0.1, "learning_rate": 0.03, "epochs": 3},
        total_epochs=3,
        history={"loss": [0.6, 0.4, 0.2]},
        status="complete",
        duration=10.01,
        number=1,
    )
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["runs"] = [record]
    at.run()
    at.switch_page("pages/runs.py").run()
    assert not at.exception, [e.value for e in at.exception]
    settings = next(d for d in at.dataframe if "status" in d.value.columns)
    text = shown_values(settings).astype(str)
    assert not text.apply(lambda column: column.str.contains(r"\.\d{5,}")).any().any()
    assert "0.1" in text.to_numpy() and "10.01" in text.to_numpy()
