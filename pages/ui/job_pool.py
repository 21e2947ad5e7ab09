"""The server's one job pool as pages use it: each browser session is an owner, and a session
that is gone (tab closed, session expired) has its jobs stopped by the pool's watcher.

A session counts as there while Streamlit's runtime holds it as an active session (its
websocket is connected). Without a runtime (``AppTest``, a bare script) every owner counts as
there.
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


def submit_job(
    job: LiveJob,
    work: Callable[[LiveJob], Any],
    estimate_mb: float = JOB_BASE_MB,
    on_withdraw: Callable[[], None] | None = None,
) -> Place:
    """Queue ``job`` in the server's pool for this session; it starts when its turn comes."""
    SERVER_POOL.start_watcher(WATCH_SECONDS)
    return SERVER_POOL.submit(job, work, session_owner(), estimate_mb, on_withdraw)


def job_place_text(job: LiveJob, noun: str = "training") -> str | None:
    """What to show of ``job`` while it waits ("Waiting: 2 trainings ahead of yours"), or
    ``None`` once it has started."""
    place = SERVER_POOL.place(job)
    if place.state != "queued":
        return None
    return waiting_text(place, SERVER_POOL.settings.slots, noun)
