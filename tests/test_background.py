"""Work in forked processes: results and errors come back, priorities are lowered, abandoned work is stopped."""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import time
import weakref
from pathlib import Path

import pytest

from narrative.background import (YIELDING, Background, BackgroundError, long_lived, on_all_cores, programs_on,
                                  spare_core)


def _square(number: int) -> int:
    return number * number


def _pid() -> int:
    return os.getpid()


def _running(pid: int) -> bool:
    """Whether `pid` is a live process (a killed one waiting for its parent to reap it is not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not stat.exists() or stat.read_text().rpartition(")")[2].split()[0] != "Z"


def test_the_result_comes_back_from_another_process() -> None:
    work = Background(lambda: (os.getpid(), [1, 2, 3]))
    pid, value = work.result()
    assert value == [1, 2, 3]
    assert pid != os.getpid()


def test_an_exception_in_the_work_is_raised_by_result() -> None:
    def fails() -> None:
        raise ValueError("the feed could not be written")

    work = Background(fails)
    with pytest.raises(ValueError, match="the feed could not be written"):
        work.result()


def test_a_result_that_cannot_be_pickled_is_said_in_words() -> None:
    work = Background(lambda: (lambda: None))
    with pytest.raises(BackgroundError, match="Can't pickle|cannot pickle"):
        work.result()


def test_a_child_that_is_killed_is_an_error_not_a_hang(tmp_path: Path) -> None:
    started = tmp_path / "started"

    def wait_to_be_killed() -> None:
        started.write_text(str(os.getpid()))
        time.sleep(60)

    work = Background(wait_to_be_killed)
    while not started.exists() or not started.read_text():
        time.sleep(0.01)
    os.kill(int(started.read_text()), signal.SIGKILL)
    with pytest.raises(BackgroundError, match="stopped without a result"):
        work.result()


def test_a_yielding_child_and_what_it_starts_run_at_a_lower_priority() -> None:
    ours = os.nice(0)
    work = Background(lambda: (os.nice(0), subprocess.run(["sh", "-c", "nice"], capture_output=True,
                                                            text=True, check=True).stdout.strip()),
                      yielding=True)
    while not work.done():  # asked for its result, the child would be raised back (below)
        time.sleep(0.01)
    child, program = work.result()
    lower = min(ours + YIELDING, 19)  # 19 is the lowest priority there is
    assert child == lower
    assert program == str(lower)
    assert Background(lambda: os.nice(0)).result() == ours


@pytest.mark.skipif(os.geteuid() != 0, reason="raising a process's priority back needs root (or CAP_SYS_NICE)")
def test_a_yielding_child_waited_for_runs_at_our_priority_again_with_what_it_started() -> None:
    ours = os.nice(0)

    def wait_to_be_raised() -> tuple[int, int]:
        program = subprocess.Popen(["sleep", "30"])
        deadline = time.monotonic() + 10
        while os.nice(0) != ours and time.monotonic() < deadline:
            time.sleep(0.01)
        try:
            return os.nice(0), os.getpriority(os.PRIO_PROCESS, program.pid)
        finally:
            program.kill()
            program.wait()

    work = Background(wait_to_be_raised, yielding=True)
    time.sleep(0.2)  # the child lowers its own priority first thing
    assert work.result() == (ours, ours)


def test_abandoned_work_is_stopped_with_the_programs_it_started(tmp_path: Path) -> None:
    pids = tmp_path / "pids"

    def start_a_program() -> None:
        program = subprocess.Popen(["sleep", "60"])
        pids.write_text(f"{os.getpid()} {program.pid}")
        program.wait()

    work = Background(start_a_program)
    while not pids.exists() or not pids.read_text():
        time.sleep(0.01)
    child, program = map(int, pids.read_text().split())
    del work
    gc.collect()
    deadline = time.monotonic() + 10
    while any(map(_running, (child, program))) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not _running(child)
    assert not _running(program)


def test_work_shared_among_cores_keeps_the_items_order() -> None:
    numbers = list(range(1_000))
    assert on_all_cores(_square, numbers, least=10) == [number * number for number in numbers]


def test_few_items_are_done_in_this_process() -> None:
    assert on_all_cores(lambda _: _pid(), [1, 2, 3], least=10) == [os.getpid()] * 3


def _cores_of_a_program() -> str:
    """The cores a program started now may run on, as the system lists them."""
    said = subprocess.run(["grep", "Cpus_allowed_list", "/proc/self/status"], capture_output=True, text=True,
                          check=True).stdout
    return said.split(":")[1].strip()


def test_the_spare_core_is_the_last_not_taken() -> None:
    ours = sorted(os.sched_getaffinity(0))
    assert spare_core() == ours[-1]
    assert spare_core([ours[-1]]) == (ours[-2] if len(ours) > 1 else None)
    assert spare_core(ours) is None
    assert spare_core([None]) == ours[-1]  # a program on every core takes none of its own


def test_programs_started_on_a_core_run_there_alone_and_this_process_keeps_its_cores() -> None:
    ours = os.sched_getaffinity(0)
    core = max(ours)
    with programs_on(core):
        assert _cores_of_a_program() == str(core)
    assert os.sched_getaffinity(0) == ours
    with programs_on(None):
        assert os.sched_getaffinity(0) == ours
    with pytest.raises(RuntimeError), programs_on(core):
        raise RuntimeError("the work failed")
    assert os.sched_getaffinity(0) == ours


def test_a_core_the_system_refuses_leaves_programs_on_this_process_cores() -> None:
    ours = os.sched_getaffinity(0)
    with programs_on(10_000):  # no such core
        assert os.sched_getaffinity(0) == ours
    assert os.sched_getaffinity(0) == ours


class _Cycle:
    """An object that refers to itself, so only the cyclic garbage collector can free it."""

    def __init__(self) -> None:
        self.itself = self


def test_what_is_made_long_lived_is_frozen_and_the_collector_runs_again_after() -> None:
    frozen = gc.get_freeze_count()
    try:
        with long_lived():
            assert not gc.isenabled()
            kept = [[number] for number in range(1_000)]
        assert gc.isenabled()
        assert gc.get_freeze_count() >= frozen + len(kept)
    finally:
        gc.unfreeze()


def test_garbage_is_collected_not_frozen_and_what_was_frozen_once_the_heap_has_grown_by_a_quarter() -> None:
    try:
        with long_lived():
            before = _Cycle()
        frozen_then_dropped = weakref.ref(before)
        del before
        with long_lived():
            made_and_dropped = weakref.ref(_Cycle())
        assert made_and_dropped() is None
        assert frozen_then_dropped() is not None  # frozen, and the heap has not grown: not looked for yet
        with long_lived():
            grown = [_Cycle() for _ in range(gc.get_freeze_count() // 3)]
        assert frozen_then_dropped() is not None  # this time the heap grew: the next one collects the whole
        with long_lived():
            pass
        assert frozen_then_dropped() is None
        assert all(each.itself is each for each in grown)
    finally:
        gc.unfreeze()


def test_a_held_child_starts_its_work_only_when_told(tmp_path: Path) -> None:
    """Forked early (to share less of the parent's memory), it must not touch the output folder before the
    parent has put it in place."""
    started = tmp_path / "started"
    work = Background(lambda: started.write_text("yes") and os.getpid(), held=True)
    time.sleep(0.3)
    assert not started.exists()
    work.go()
    assert work.result() != os.getpid()
    assert started.read_text() == "yes"


def test_a_held_child_dropped_before_it_was_told_never_does_its_work(tmp_path: Path) -> None:
    started = tmp_path / "started"
    work = Background(lambda: started.write_text("yes"), held=True)
    pid = work._pid
    assert pid is not None and _running(pid)
    del work
    gc.collect()
    assert not _running(pid)
    assert not started.exists()


def test_asking_a_held_child_for_its_result_tells_it_to_start() -> None:
    assert Background(lambda: 7, held=True).result() == 7
