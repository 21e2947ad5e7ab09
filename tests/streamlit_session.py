"""Drive one Streamlit session over its websocket as the browser's front end does: BackMsg out,
ForwardMsg in, and the page those messages draw, kept as a flat list of elements.

Shared by the protocol tests and the load benchmarks. A browser sends a ``rerun_script``
:class:`~streamlit.proto.BackMsg_pb2.BackMsg` (the page's name, its query string and the widget
states, a pressed button as a trigger) over ``ws://HOST:PORT/_stcore/stream``; the server answers
with :class:`~streamlit.proto.ForwardMsg_pb2.ForwardMsg` messages: ``new_session`` when a run of
the script starts, one ``delta`` per element at its ``delta_path``, ``script_finished`` at the end.
:class:`PageView` applies those messages the way the front end does (a later element at a path
replaces the earlier one and its children; a finished full run drops elements it did not draw).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

STREAM_PATH = "/_stcore/stream"
FINISHED = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_SUCCESSFULLY")
FRAGMENT_FINISHED = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_FRAGMENT_RUN_SUCCESSFULLY")
# Where an element's visible words are, by the element's kind.
TEXT_FIELDS = {
    "heading": ("body",),
    "markdown": ("body",),
    "text": ("body",),
    "alert": ("body",),
    "metric": ("label", "body"),
    "progress": ("text",),
    "button": ("label",),
    "exception": ("type", "message"),
    "spinner": ("text",),
}
ALERT_KINDS = {1: "error", 2: "warning", 3: "info", 4: "success"}


# ---------------------------------------------------------------- messages


def trigger(widget_id: str) -> WidgetState:
    """The state of a pressed button: a trigger, true for one run only."""
    return WidgetState(id=widget_id, trigger_value=True)


def rerun_message(
    page_name: str = "",
    query_string: str = "",
    page_script_hash: str = "",
    widgets: Iterable[WidgetState] = (),
    fragment_id: str = "",
    is_auto_rerun: bool = False,
) -> bytes:
    """The bytes of a ``rerun_script`` BackMsg: run ``page_name`` (its URL path, "" for the
    default page) with ``query_string`` (without "?") and these widget states."""
    message = BackMsg()
    state = message.rerun_script
    state.page_name = page_name
    state.query_string = query_string
    state.page_script_hash = page_script_hash
    state.fragment_id = fragment_id
    state.is_auto_rerun = is_auto_rerun
    state.widget_states.widgets.extend(widgets)
    return message.SerializeToString()


def parse_forward(data: bytes) -> ForwardMsg:
    """One ForwardMsg from the bytes of a websocket frame."""
    message = ForwardMsg()
    message.ParseFromString(data)
    return message


def element_text(kind: str, element) -> str:
    """The visible words of one element (``element`` is the proto of that kind), "" if none."""
    words = [str(getattr(element, name)) for name in TEXT_FIELDS.get(kind, ())]
    return " ".join(w for w in words if w)


# ---------------------------------------------------------------- the page


@dataclass
class Shown:
    """One element on the page: its kind (the Element oneof's name), its proto, its words, the
    script run that drew it, and when it arrived (``time.monotonic()``)."""

    kind: str
    proto: object
    text: str
    run_id: str
    at: float

    @property
    def alert(self) -> str:
        """For an alert: "error", "warning", "info" or "success"; "" for other elements."""
        return ALERT_KINDS.get(self.proto.format, "") if self.kind == "alert" else ""


@dataclass
class PageView:
    """What one session's page shows, built from the ForwardMsgs it receives."""

    elements: dict[tuple[int, ...], Shown] = field(default_factory=dict)
    run_id: str = ""
    page_script_hash: str = ""
    query_string: str = ""
    runs: list[str] = field(default_factory=list)  # run ids in order of their start
    finished: dict[str, int] = field(default_factory=dict)  # run id -> script_finished status
    auto_reruns: dict[str, float] = field(default_factory=dict)  # fragment id -> interval (s)

    def apply(self, message: ForwardMsg) -> Shown | None:
        """Take in one ForwardMsg; the element it put on the page, if it put one."""
        kind = message.WhichOneof("type")
        if kind == "new_session":
            self.run_id = message.metadata.run.script_run_id
            self.runs.append(self.run_id)
            if message.new_session.page_script_hash:
                self.page_script_hash = message.new_session.page_script_hash
        elif kind == "navigation" and message.navigation.page_script_hash:
            # With st.navigation, new_session names the app's main script; this names the page.
            self.page_script_hash = message.navigation.page_script_hash
        elif kind == "page_info_changed":
            self.query_string = message.page_info_changed.query_string
        elif kind == "auto_rerun":
            rerun = message.auto_rerun
            self.auto_reruns[rerun.fragment_id] = rerun.interval
        elif kind == "stop_auto_rerun":
            for fragment in message.stop_auto_rerun.fragment_ids:
                self.auto_reruns.pop(fragment, None)
        elif kind == "script_finished":
            run_id = message.metadata.run.script_run_id or self.run_id
            self.finished[run_id] = message.script_finished
            if message.script_finished == FINISHED:
                # The front end drops what the finished run did not draw (stale elements).
                self.elements = {p: e for p, e in self.elements.items() if e.run_id == run_id}
        elif kind == "delta":
            return self._apply_delta(message)
        return None

    def _apply_delta(self, message: ForwardMsg) -> Shown | None:
        path = tuple(message.metadata.delta_path)
        delta = message.delta
        # A new element or block at a path replaces what was there, children included.
        depth = len(path)
        for old in [p for p in self.elements if len(p) > depth and p[:depth] == path]:
            del self.elements[old]
        if delta.WhichOneof("type") == "new_element":
            kind = delta.new_element.WhichOneof("type") or ""
            proto = getattr(delta.new_element, kind) if kind else None
            shown = Shown(kind, proto, element_text(kind, proto), self.run_id, time.monotonic())
        else:
            shown = Shown("block", None, "", self.run_id, time.monotonic())
        self.elements[path] = shown
        return shown if shown.kind != "block" else None

    def shown(self, kind: str | None = None, after_runs: int = 0) -> list[Shown]:
        """Elements on the page in page order, of one ``kind`` if given, drawn by a run that
        started after the first ``after_runs`` runs of this session."""
        recent = set(self.runs[after_runs:])
        return [
            e
            for _, e in sorted(self.elements.items())
            if (kind is None or e.kind == kind) and (not after_runs or e.run_id in recent)
        ]

    def texts(self, after_runs: int = 0) -> list[str]:
        """The words of every element with words, in page order."""
        return [e.text for e in self.shown(after_runs=after_runs) if e.text]

    def button(self, label: str) -> object | None:
        """The proto of the button labelled ``label`` (a form's submit button first), or None."""
        buttons = [e.proto for e in self.shown("button") if e.proto.label == label]
        buttons.sort(key=lambda b: not b.is_form_submitter)
        return buttons[0] if buttons else None

    def finished_since(self, after_runs: int) -> bool:
        """Whether a full run of the script started after the first ``after_runs`` runs has
        finished (a run cut short by a rerun does not count)."""
        return any(self.finished.get(run) == FINISHED for run in self.runs[after_runs:])


# ---------------------------------------------------------------- one session


class Session:
    """One front end on one page of a Streamlit server, over a websocket.

    ``page_name`` is the page's URL path ("" for the default page); ``query_string`` the
    address's query without "?". Every wait is bounded by a time limit.
    """

    def __init__(self, port: int, page_name: str = "", query_string: str = "") -> None:
        self.port, self.page_name = port, page_name
        self.view = PageView(query_string=query_string)
        self.socket = None
        self.received = 0
        self._due: dict[str, float] = {}  # fragment id -> when its next auto rerun is due

    async def open(self, timeout: float = 30) -> None:
        """Connect the websocket (no script runs until :meth:`rerun`)."""
        from websockets.asyncio.client import connect

        origin = f"http://127.0.0.1:{self.port}"
        self.socket = await asyncio.wait_for(
            connect(
                f"ws://127.0.0.1:{self.port}{STREAM_PATH}",
                subprotocols=["streamlit"],
                origin=origin,
                max_size=None,  # charts come as one message of several MB
                open_timeout=timeout,
            ),
            timeout,
        )

    async def rerun(self, widgets: Iterable[WidgetState] = (), fragment_id: str = "") -> int:
        """Ask for a run of the page with these widget states; the number of runs started
        before it (pass it to the waits to look only at what this run and later ones draw)."""
        before = len(self.view.runs)
        await self.socket.send(
            rerun_message(
                self.page_name,
                self.view.query_string,
                self.view.page_script_hash,
                widgets,
                fragment_id,
                is_auto_rerun=bool(fragment_id),
            )
        )
        return before

    async def press(self, label: str) -> int:
        """Press the button labelled ``label``; as :meth:`rerun`. KeyError if the page has none."""
        button = self.view.button(label)
        if button is None:
            raise KeyError(f"no button {label!r} on the page: {self.view.texts()[:20]}")
        return await self.rerun([trigger(button.id)])

    async def wait_for(
        self,
        done: Callable[[PageView, Shown | None], bool],
        timeout: float,
        max_messages: int = 1_000_000,
    ) -> bool:
        """Receive messages until ``done(view, element just drawn or None)`` holds; False when
        ``timeout`` seconds or ``max_messages`` messages pass first, or the socket closes."""
        deadline = time.monotonic() + timeout
        for _ in range(max_messages):
            if done(self.view, None):
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            await self._auto_rerun()
            try:
                data = await asyncio.wait_for(self.socket.recv(), min(left, 0.5))
            except TimeoutError:
                continue
            except Exception:  # the server closed the connection
                return False
            self.received += 1
            shown = self.view.apply(parse_forward(data))
            if shown is not None and done(self.view, shown):
                return True
        return False

    async def _auto_rerun(self) -> None:
        """Rerun fragments that asked for it (``st.fragment(run_every=...)``), as the front end
        does on its timer."""
        now = time.monotonic()
        for fragment, interval in self.view.auto_reruns.items():
            due = self._due.setdefault(fragment, now + interval)
            if now >= due:
                self._due[fragment] = now + interval
                await self.rerun(fragment_id=fragment)

    async def close(self) -> None:
        """Close the websocket, as closing the browser tab does."""
        if self.socket is not None:
            await self.socket.close()
