"""Worker threads sharing the server's interpreter: the GIL hand-over and the frozen heap."""

from __future__ import annotations

import gc
import sys

import pytest

from core.nn.jobs import LiveJob
from core.nn.sharing import SWITCH_INTERVAL_S, HeapFreezer, hand_over_often


@pytest.fixture
def switch_interval():
    before = sys.getswitchinterval()
    yield
    sys.setswitchinterval(before)


@pytest.fixture
def unfrozen():
    yield
    gc.unfreeze()


def test_hand_over_often_shortens_the_interval_and_never_lengthens_it(switch_interval):
    sys.setswitchinterval(0.005)
    assert hand_over_often() == pytest.approx(0.005)
    assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL_S)
    sys.setswitchinterval(0.0001)
    hand_over_often()
    assert sys.getswitchinterval() == pytest.approx(0.0001)


def test_heap_freezes_only_after_enough_new_modules(unfrozen):
    modules = [100]
    freezer = HeapFreezer(min_new_modules=50, module_count=lambda: modules[0])
    assert freezer.settle()  # 100 modules since none were counted: the first jobs' imports
    assert freezer.freezes == 1 and gc.get_freeze_count() > 0
    gc.unfreeze()
    modules[0] = 149
    assert not freezer.settle()  # 49 new modules: not worth it
    assert gc.get_freeze_count() == 0
    modules[0] = 150
    assert freezer.settle()
    assert freezer.freezes == 2


def test_frozen_objects_leave_the_collectors_walk(unfrozen):
    held = [[index] for index in range(50_000)]  # tracked containers, alive
    walked_before = len(gc.get_objects())
    HeapFreezer(min_new_modules=0).settle()
    walked_after = len(gc.get_objects())
    assert walked_before - walked_after >= len(held)
    assert held[-1] == [49_999]  # frozen objects stay as they were


def test_garbage_is_collected_before_the_freeze(unfrozen):
    class Node:
        pass

    def cycle() -> None:
        node = Node()
        node.self = node  # unreachable once this returns: only the collector frees it

    gc.disable()
    try:
        cycle()
        HeapFreezer(min_new_modules=0).settle()
    finally:
        gc.enable()
    gc.unfreeze()
    assert not any(type(obj) is Node for obj in gc.get_objects())


def test_server_jobs_settle_the_heap_after_their_work_even_when_it_fails(monkeypatch):
    from pages.ui import job_pool

    settled = []
    monkeypatch.setattr(job_pool.HEAP, "settle", lambda: settled.append(True))

    def fails(job: LiveJob) -> None:
        raise ValueError("bad input")

    with pytest.raises(ValueError):
        job_pool.settled_after(fails)(LiveJob())
    assert job_pool.settled_after(lambda job: 7)(LiveJob()) == 7
    assert settled == [True, True]


def test_outside_a_server_jobs_leave_the_interpreter_as_it_is(switch_interval):
    from pages.ui import job_pool

    sys.setswitchinterval(0.005)
    job = LiveJob()
    job_pool.submit_job(job, lambda job: "done")
    assert job.wait(30) and job.result == "done"
    assert not job_pool.in_server()
    assert sys.getswitchinterval() == pytest.approx(0.005)


def test_in_a_server_jobs_hand_the_gil_over_often_and_settle_after(switch_interval, monkeypatch):
    from pages.ui import job_pool

    settled = []
    monkeypatch.setattr(job_pool, "in_server", lambda: True)
    monkeypatch.setattr(job_pool.HEAP, "settle", lambda: settled.append(True))
    sys.setswitchinterval(0.005)
    job = LiveJob()
    job_pool.submit_job(job, lambda job: "done")
    assert job.wait(30) and job.result == "done"
    assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL_S)
    assert settled == [True]


def test_warm_up_imports_once_in_the_background_then_freezes():
    from core.nn.sharing import WarmUp

    class Freezer:
        settled = 0

        def settle(self) -> bool:
            self.settled += 1
            return True

    freezer = Freezer()
    sys.modules.pop("colorsys", None)
    warm = WarmUp(("colorsys", "no_such_module_here"), freezer)
    assert warm.start()
    assert not warm.start()  # once per server
    warm.thread.join(30)
    assert "colorsys" in sys.modules
    assert warm.failed == ["no_such_module_here"]  # logged; the job that needs it will say
    assert freezer.settled == 1


def test_training_pages_warm_up_only_in_a_server(monkeypatch, switch_interval):
    from pages.ui import job_pool

    started = []
    monkeypatch.setattr(job_pool.WARM_UP, "start", lambda: started.append(True))
    job_pool.warm_up_training()
    assert started == []
    monkeypatch.setattr(job_pool, "in_server", lambda: True)
    job_pool.warm_up_training()
    assert started == [True]


def test_live_redraws_wait_for_more_trainings_and_for_their_own_cost():
    from pages.ui.live_jobs import REDRAW_COST_FACTOR, redraw_interval

    assert redraw_interval(1.0, 0, 0.0) == 1.0
    assert redraw_interval(1.0, 3, 0.05) == 3.0
    slow = 0.4  # a redraw that took 0.4 s: the next waits 4 s, so drawing stays near a tenth
    assert redraw_interval(1.0, 1, slow) == pytest.approx(REDRAW_COST_FACTOR * slow)
    assert slow / (slow + redraw_interval(1.0, 1, slow)) <= 0.1


def test_a_thread_gives_way_for_good_or_for_a_block():
    import os
    import threading

    from core.nn.sharing import lower_priority, yield_cpu_to_pages

    seen = {}

    def niceness() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    def worker() -> None:
        seen["before"] = yield_cpu_to_pages(10)
        seen["after"] = niceness()
        with lower_priority(15) as lowered:
            seen["lowered"], seen["inside"] = lowered, niceness()
        seen["restored"] = niceness()

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(10)
    if seen["before"] is None:
        pytest.skip("this system does not let a thread change its priority")
    assert seen["after"] == max(seen["before"], 10)
    assert seen["lowered"] and seen["inside"] == 15
    if os.geteuid() == 0:  # putting a higher priority back needs the privilege to raise one
        assert seen["restored"] == seen["after"]
    else:
        assert seen["restored"] in (seen["after"], 15)
