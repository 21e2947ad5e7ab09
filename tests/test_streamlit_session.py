"""The websocket session client's protocol helpers and the class load test's judging, without a
server: BackMsgs built, ForwardMsgs applied to a page, a session run against a fake socket."""

from __future__ import annotations

import asyncio
import time

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from benchmarks.class_load import LoadSettings, Trainee, outcome, plan
from tests.streamlit_session import (
    FINISHED,
    PageView,
    Session,
    parse_forward,
    rerun_message,
    trigger,
)

EARLY = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_EARLY_FOR_RERUN")


def started(run_id: str, page_hash: str = "abc") -> ForwardMsg:
    message = ForwardMsg()
    message.new_session.page_script_hash = page_hash
    message.metadata.run.script_run_id = run_id
    return message


def finished(run_id: str, status: int = FINISHED) -> ForwardMsg:
    message = ForwardMsg()
    message.script_finished = status
    message.metadata.run.script_run_id = run_id
    return message


def element(path: tuple[int, ...], kind: str, **fields) -> ForwardMsg:
    message = ForwardMsg()
    message.metadata.delta_path.extend(path)
    target = getattr(message.delta.new_element, kind)
    target.SetInParent()  # an element with no fields set is still there (st.empty)
    for name, value in fields.items():
        setattr(target, name, value)
    return message


def block(path: tuple[int, ...]) -> ForwardMsg:
    message = ForwardMsg()
    message.metadata.delta_path.extend(path)
    message.delta.add_block.SetInParent()
    return message


def page(*messages: ForwardMsg) -> PageView:
    view = PageView()
    for message in messages:
        # Through bytes, as they come off the websocket.
        view.apply(parse_forward(message.SerializeToString()))
    return view


def test_rerun_message_carries_page_query_and_a_pressed_button():
    data = rerun_message("playground", "epochs=5", "hash1", [trigger("$$ID-1-Train")])
    message = BackMsg()
    message.ParseFromString(data)
    state = message.rerun_script
    assert message.WhichOneof("type") == "rerun_script"
    assert (state.page_name, state.query_string, state.page_script_hash) == (
        "playground",
        "epochs=5",
        "hash1",
    )
    [widget] = state.widget_states.widgets
    assert widget.id == "$$ID-1-Train" and widget.trigger_value
    assert not state.is_auto_rerun and not state.fragment_id


def test_page_view_keeps_latest_element_per_path_and_its_words():
    view = page(
        started("r1"),
        element((0, 0), "heading", body="Playground"),
        element((0, 1), "progress", value=0, text="Starting…"),
        element((0, 1), "progress", value=50, text="Epoch 1 of 2"),
        element((0, 2), "metric", label="Test accuracy", body="97.5%"),
    )
    assert view.texts() == ["Playground", "Epoch 1 of 2", "Test accuracy 97.5%"]
    assert view.page_script_hash == "abc" and view.runs == ["r1"]


def test_a_new_element_at_a_path_drops_the_children_of_what_was_there():
    view = page(
        started("r1"),
        block((0, 3)),
        element((0, 3, 0), "markdown", body="live chart caption"),
        element((0, 3), "empty"),
    )
    assert [e.kind for e in view.shown()] == ["empty"]


def test_a_finished_run_drops_what_it_did_not_draw_and_an_early_end_does_not():
    view = page(
        started("r1"),
        element((0, 0), "heading", body="Playground"),
        element((0, 1), "alert", body="Press **Train**", format=3),
        finished("r1"),
        started("r2"),
        element((0, 0), "heading", body="Playground"),
        finished("r2", EARLY),
    )
    assert len(view.shown()) == 2  # the run that was cut short leaves the page as it was
    assert not view.finished_since(1)
    view.apply(started("r3"))
    view.apply(element((0, 0), "heading", body="Playground"))
    view.apply(finished("r3"))
    assert view.texts() == ["Playground"]
    assert view.finished_since(1) and view.finished_since(2)
    assert [e.text for e in view.shown(after_runs=2)] == ["Playground"]


def test_the_page_hash_is_the_navigation_page_not_the_main_script():
    navigation = ForwardMsg()
    navigation.navigation.page_script_hash = "page-hash"
    view = page(started("r1", "main-script-hash"), navigation)
    assert view.page_script_hash == "page-hash"


def test_page_info_and_auto_reruns_are_followed():
    info = ForwardMsg()
    info.page_info_changed.query_string = "epochs=7"
    rerun = ForwardMsg()
    rerun.auto_rerun.interval = 0.5
    rerun.auto_rerun.fragment_id = "queue"
    view = page(info, rerun)
    assert view.query_string == "epochs=7" and view.auto_reruns == {"queue": 0.5}
    stop = ForwardMsg()
    stop.stop_auto_rerun.fragment_ids.append("queue")
    view.apply(stop)
    assert view.auto_reruns == {}


def test_button_prefers_the_form_submitter_and_alerts_are_named():
    view = page(
        started("r1"),
        element((0, 5), "button", id="other", label="Train"),
        element((0, 2, 1), "button", id="submit", label="Train", is_form_submitter=True),
        element((0, 3), "alert", body="**Complete**: 5 of 5 epochs", format=4),
    )
    assert view.button("Train").id == "submit"
    assert view.button("Stop training") is None
    assert view.shown("alert")[0].alert == "success"


class FakeSocket:
    """A websocket that hands out the given frames, then nothing, and records what is sent."""

    def __init__(self, frames: list[bytes]) -> None:
        self.frames, self.sent = list(frames), []

    async def send(self, data: bytes) -> None:
        self.sent.append(data)

    async def recv(self) -> bytes:
        if self.frames:
            return self.frames.pop(0)
        await asyncio.sleep(3600)

    async def close(self) -> None:
        pass


def test_session_presses_by_label_and_its_waits_are_bounded():
    frames = [
        started("r1", "hash9"),
        element((0, 2, 1), "button", id="submit", label="Train", is_form_submitter=True),
        finished("r1"),
    ]
    session = Session(1, "playground", "epochs=5")
    session.socket = FakeSocket([f.SerializeToString() for f in frames])

    async def scenario() -> tuple[bool, bool, int]:
        loaded = await session.wait_for(lambda v, _: v.finished_since(0), timeout=5)
        before = await session.press("Train")
        # Nothing more comes: the wait ends at its time limit, not before and not never.
        result = await session.wait_for(lambda v, _: v.finished_since(before), timeout=0.3)
        return loaded, result, before

    loaded, result, before = asyncio.run(scenario())
    assert loaded and not result and before == 1
    pressed = BackMsg()
    pressed.ParseFromString(session.socket.sent[-1])
    assert pressed.rerun_script.page_script_hash == "hash9"
    assert pressed.rerun_script.query_string == "epochs=5"
    assert [w.id for w in pressed.rerun_script.widget_states.widgets] == ["submit"]


def test_the_class_is_two_thirds_playground_pressing_within_the_window():
    people = plan(LoadSettings(sessions=30, press_window_s=30, close_tabs=10))
    kinds = [p.kind for p in people]
    assert kinds.count("playground") == 20 and kinds.count("classifier") == 10
    assert max(p.press_at for p in people) <= 30
    closing = [p for p in people if p.closes]
    assert len(closing) == 10 and {p.kind for p in closing} == {"playground", "classifier"}


def finished_page(*elements: ForwardMsg) -> PageView:
    return page(started("r1"), finished("r1"), started("r2"), *elements, finished("r2"))


def test_judging_a_playground_result():
    person = Trainee(1, "playground", "epochs=5", 0.0)
    done = element((0, 3), "alert", body="**Complete**: 5 of 5 epochs in 3 s", format=4)
    good = finished_page(done, element((0, 4), "metric", label="Test accuracy", body="92.5%"))
    assert outcome(person, good, 1) == ("test accuracy 92.5%", "")
    poor = finished_page(done, element((0, 4), "metric", label="Test accuracy", body="41.0%"))
    assert "no better than chance" in outcome(person, poor, 1)[1]
    short = element((0, 3), "alert", body="**Complete**: 3 of 5 epochs in 3 s", format=4)
    assert "unexpected status" in outcome(person, finished_page(short), 1)[1]
    stopped = element((0, 3), "alert", body="**Stopped**: 2 of 5 epochs", format=2)
    assert "Stopped" in outcome(person, finished_page(stopped), 1)[1]
    # Before the press's run has finished there is no outcome yet.
    assert outcome(person, page(started("r1"), finished("r1"), started("r2"), done), 1) is None


def test_judging_a_classifier_result():
    person = Trainee(3, "classifier", "units_1=8&epochs=3", 0.0)
    view = finished_page(
        element((0, 3), "alert", body="**Complete**: 3 of 3 epochs in 9 s", format=4),
        element((0, 4), "metric", label="Accuracy", body="0.950"),
        element((0, 5), "metric", label="MCC", body="0.900"),
        element((0, 6), "markdown", body="**On MCC, the Keras network wins with 0.900.**"),
    )
    result, problem = outcome(person, view, 1)
    assert problem == "" and result.startswith("On MCC, the Keras network wins")
    no_verdict = finished_page(
        element((0, 3), "alert", body="**Complete**: 3 of 3 epochs in 9 s", format=4),
        element((0, 5), "metric", label="MCC", body="0.900"),
    )
    assert "no verdict" in outcome(person, no_verdict, 1)[1]


def test_server_watch_reads_cpu_time_threads_and_memory_from_proc():
    import os
    import threading

    from benchmarks.server_watch import cpu_seconds, rss_mb, thread_count

    me = os.getpid()
    before = cpu_seconds(me)
    deadline = time.process_time() + 0.3
    while time.process_time() < deadline:  # burn a little CPU
        pass
    assert cpu_seconds(me) - before >= 0.2
    threads = thread_count(me)
    idle = threading.Event()
    extra = threading.Thread(target=idle.wait, daemon=True)
    extra.start()
    assert thread_count(me) == threads + 1
    idle.set()
    extra.join()
    assert rss_mb(me) > 10
    assert cpu_seconds(2**22 + 12345) == 0.0 and thread_count(2**22 + 12345) == 0


def test_the_idle_check_tells_a_busy_process_from_a_quiet_one():
    import subprocess
    import sys

    from benchmarks.class_load import wait_idle
    from benchmarks.server_watch import cpu_seconds

    busy = subprocess.Popen([sys.executable, "-c", "import time\nt = time.time()\nwhile time.time() - t < 4: pass"])  # fmt: skip
    quiet = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(4)"])
    try:
        # What the busy one gets of this machine's CPU now, whatever else runs on it.
        used = cpu_seconds(busy.pid)
        time.sleep(0.5)
        busy_cores = (cpu_seconds(busy.pid) - used) / 0.5
        assert wait_idle(busy.pid, within_s=1.0, busy_cores=busy_cores, window_s=0.5) is None
        assert wait_idle(quiet.pid, within_s=1.0, busy_cores=busy_cores, window_s=0.5) == (
            pytest.approx(0.5, abs=0.3)
        )
    finally:
        busy.kill()
        quiet.kill()
        busy.wait()
        quiet.wait()
