"""The server's one job pool as pages use it: each browser session is an owner, and a session
that is gone (tab closed, session expired) has its jobs stopped by the pool's watcher.

A session counts as there while Streamlit's runtime holds it as an active session (its
websocket is connected). Without a runtime (``AppTest``, a bare script) every owner counts as
there.

In a server, jobs also share the interpreter politely (:mod:`core.nn.sharing`): the GIL is
handed over often, and the objects a job's imports leave behind are frozen out of full garbage
collections once it ends.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable
from typing import Any

from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from core.errors import DataError
from core.nn.jobs import LiveJob
from core.nn.memory import JOB_BASE_MB
from core.nn.pool import JobPool, Place, PoolSettings, settings_from_env, waiting_text
from core.nn.sharing import HeapFreezer, WarmUp, hand_over_often

log = logging.getLogger(__name__)

NO_SESSION = "no-session"  # the owner of jobs started outside a page run
WATCH_SECONDS = 2.0  # how often the watcher looks for gone sessions


def session_owner() -> str:
    """This page run's session id (the pool's owner of the jobs it starts)."""
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else NO_SESSION


def session_alive(owner: Hashable) -> bool:
    """Whether the session ``owner`` is still connected to this server (``True`` without a
    runtime, and for jobs started outside a session)."""
    if owner == NO_SESSION or not Runtime.exists():
        return True
    # get_client is documented as safe from any thread; None once the session disconnected.
    return Runtime.instance().get_client(str(owner)) is not None


def _pool_settings() -> PoolSettings:
    try:
        return settings_from_env()
    except DataError as error:  # a server setting: say what is wrong in the log, keep serving
        log.warning("%s %s Using the defaults.", error.message, error.hint)
        return PoolSettings()


SERVER_POOL = JobPool(_pool_settings(), is_alive=session_alive)
HEAP = HeapFreezer()
# What Keras trainings and the tuned baselines import: loaded while a training page is open,
# before anyone presses Train.
WARM_UP = WarmUp(
    (
        "keras",
        "sklearn.linear_model",
        "sklearn.svm",
        "sklearn.naive_bayes",
        "sklearn.model_selection",
        "sklearn.metrics",
    ),
    HEAP,
)


def in_server() -> bool:
    """Whether this runs inside a Streamlit server (not ``AppTest`` or a bare script)."""
    return Runtime.exists()


def warm_up_training() -> None:
    """Called by the pages that train Keras networks: in a server, import what their trainings
    need in the background, once, and freeze what the imports left behind (:class:`WarmUp`).
    The page itself does not wait for it."""
    if in_server():
        hand_over_often()
        WARM_UP.start()


def settled_after(work: Callable[[LiveJob], Any]) -> Callable[[LiveJob], Any]:
    """``work``, followed by freezing what its imports left behind (:class:`HeapFreezer`)."""

    def run(job: LiveJob) -> Any:
        try:
            return work(job)
        finally:
            HEAP.settle()

    return run


def submit_job(
    job: LiveJob,
    work: Callable[[LiveJob], Any],
    estimate_mb: float = JOB_BASE_MB,
    on_withdraw: Callable[[], None] | None = None,
) -> Place:
    """Queue ``job`` in the server's pool for this session; it starts when its turn comes."""
    SERVER_POOL.start_watcher(WATCH_SECONDS)
    if in_server():
        hand_over_often()
        work = settled_after(work)
    return SERVER_POOL.submit(job, work, session_owner(), estimate_mb, on_withdraw)


def job_place_text(job: LiveJob, noun: str = "training") -> str | None:
    """What to show of ``job`` while it waits ("Waiting: 2 trainings ahead of yours"), or
    ``None`` once it has started."""
    place = SERVER_POOL.place(job)
    if place.state != "queued":
        return None
    return waiting_text(place, SERVER_POOL.settings.slots, noun)
