"""Keep Keras's global state across script runs, for a server where several people train at once.

After every script run, Streamlit calls ``keras.backend.clear_session()`` once Keras is imported
(``_clean_problem_modules`` in ``streamlit.runtime.scriptrunner.script_runner``). Here, that
call would:

- reset Keras's global state (its dtype policy, distribution and name counters) under the
  trainings other sessions have in progress, in other threads;
- run a full garbage collection, which with TensorFlow loaded holds the interpreter for a
  quarter of a second or more: meanwhile every other session waits, and so does every file the
  server is sending to a browser that opens the app.

Nothing needs clearing: each run builds its models afresh and drops them when it ends.
Streamlit's other clean-up there, closing Matplotlib's figures, is kept.
"""

from __future__ import annotations

import sys

from streamlit.runtime.scriptrunner import script_runner

# Streamlit's own clean-up, kept for reference (and for the test that shows what it clears).
STREAMLIT_CLEAN_UP = getattr(script_runner, "_clean_problem_modules", None)


def _close_matplotlib_figures() -> None:
    """What Streamlit's clean-up does besides clearing Keras."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")


def keep_keras_state_between_runs() -> bool:
    """Stop Streamlit clearing Keras after each script run. Returns whether the hook was found
    (a Streamlit without it clears nothing, or clears in a way this does not know about)."""
    if not callable(getattr(script_runner, "_clean_problem_modules", None)):
        return False
    script_runner._clean_problem_modules = _close_matplotlib_figures
    return True
