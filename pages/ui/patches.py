"""Changes to Streamlit's own behaviour that a shared server needs, each with its reason."""

from __future__ import annotations

import sys

import streamlit as st
from streamlit.runtime.scriptrunner import script_runner


def require_navigation() -> None:
    """Make sure this page runs inside app.py's navigation, even when it is the server's first run.

    Streamlit decides between the legacy ``pages/`` discovery and ``st.navigation`` on the first
    run of a server process. When that first run is a deep link (``/datasets``), it runs the page
    file on its own, with an auto-discovered menu and without app.py's config. Switching the
    legacy mode off and re-running sends the same URL through app.py's navigation.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


# Streamlit's own clean-up, kept for reference (and for the test that shows what it clears).
STREAMLIT_CLEAN_UP = getattr(script_runner, "_clean_problem_modules", None)


def _close_matplotlib_figures() -> None:
    """What Streamlit's clean-up does besides clearing Keras: close pyplot's figures, which
    would otherwise pile up in memory from one script run to the next."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")


def keep_keras_state_between_runs() -> bool:
    """Stop Streamlit clearing Keras after each script run. Returns whether the hook was found
    (a Streamlit without it clears nothing, or clears in a way this does not know about).

    Why: after every script run of every session, Streamlit calls
    ``keras.backend.clear_session()``, which resets Keras's process-wide state (dtype policy,
    distribution, layer name counters). On a shared server trainings run in worker threads
    across many script runs, so one person's page load would reset that state under another
    person's training. Matplotlib figures are still closed, as Streamlit does.
    """
    if not callable(getattr(script_runner, "_clean_problem_modules", None)):
        return False
    script_runner._clean_problem_modules = _close_matplotlib_figures
    return True
