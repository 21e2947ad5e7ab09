"""Fixtures every test file shares: the repository root, app.py navigation, the server and browser."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# The baseline tests' YouTube split and its TF-IDF features (``split``, ``tfidf``); a test file
# that defines fixtures of those names uses its own.
pytest_plugins = ["tests.baseline_fixtures"]


@pytest.fixture(autouse=True)
def _app_py_navigation(monkeypatch):
    """Run AppTest the way a warm server runs the app: through app.py's st.navigation.

    AppTest starts every run as a brand-new server would, and a brand-new server runs a
    deep-linked file in pages/ on its own first; pages/ui/patches.require_navigation() then reruns
    through app.py, which would swallow a button click made in the test. The browser test
    covers the brand-new-server path for real.
    """
    from streamlit.runtime.pages_manager import PagesManager

    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


# The browser tests' server and Chromium: one of each per test module (the modules' sessions
# stay apart), shared by the fixtures of test_browser, test_sessions and test_look.
@pytest.fixture(scope="module")
def app_url():
    """The app served by `streamlit run app.py` on a free local port; yields its base URL."""
    from tests.streamlit_server import running_app

    with running_app() as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium (Debian's), or the module's tests skipped when it is missing."""
    from tests.streamlit_server import CHROMIUM, launch_chromium

    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: scripts/test.sh installs it")
    with sync_api.sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()
