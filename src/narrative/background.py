"""Work done in forked processes, so that a machine's other cores share it: the search index, the feeds and the
digests made while MkDocs draws the pages, and long lists of bodies to render or stories to screen; and the
objects kept for a process's whole life, made so that the helpers it forks share them.

MkDocs draws pages on one core. A fork starts with everything the parent has loaded and rendered (the site,
every body's HTML), so nothing is sent to it; only the work's result, or its exception, comes back, pickled,
through a pipe. Where there is no fork (Windows), the work runs in the calling process when its result is
asked for. Nothing here knows what the work is.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import pickle
import select
import signal
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")
YIELDING = 10
"""How much lower a yielding child's priority is (added to its niceness)."""


class BackgroundError(RuntimeError):
    """The forked process stopped without saying how its work went (it was killed, or could not report)."""


def _report(work: Callable[[], object], pipe: int) -> None:
    """In the child: do the work and send back its result, or the exception it raised."""
    try:
        outcome: tuple[bool, object] = (True, work())
    except BaseException as error:  # noqa: BLE001 - every failure goes back to the parent, which re-raises it
        outcome = (False, error)
    try:
        data = pickle.dumps(outcome)
    except Exception as error:  # noqa: BLE001 - an exception or result that cannot be pickled, said in words
        data = pickle.dumps((False, BackgroundError(f"{type(outcome[1]).__name__}: {outcome[1]} ({error})")))
    with os.fdopen(pipe, "wb") as out:
        out.write(data)


def _cancelled() -> Any:
    raise BackgroundError("the background work was stopped before it finished")


def _stop(pid: int, *pipes: int) -> None:
    """Stop an abandoned child and everything it started (its own process group), and reap it."""
    try:
        os.killpg(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError, PermissionError):
        pass
    for pipe in pipes:
        try:
            os.close(pipe)
        except OSError:
            pass


def _wait_for_go(pipe: int) -> None:
    """In a held child: wait until the parent says go; a parent that dropped the work first has closed the pipe,
    and the child ends without doing it."""
    said = os.read(pipe, 1)
    os.close(pipe)
    if not said:
        os._exit(0)


def _hurry(group: int) -> None:
    """A yielding child and what it started back at this process's priority, as this process now waits for
    them: their lower priority kept this process its core, and on a busy machine it would now hold back the
    end of the build (at 25,000 stories the search index ran on for 40 s after MkDocs had drawn the pages,
    behind other people's work). Raising a priority needs a privilege the process may not have; without it the child
    finishes at its lower priority."""
    try:
        os.setpriority(os.PRIO_PGRP, group, os.getpriority(os.PRIO_PROCESS, 0))
    except OSError:
        pass


class Background(Generic[T]):
    """`work` running in a child process from the moment this is made; `result()` waits for it, returning its
    result or raising its exception. Dropped before then (a build that failed half way), the child and
    anything it started are stopped. A `yielding` child runs at a lower priority (`lower_priority`), as do the
    programs it starts, so that when there are more busy processes than cores the parent keeps its core; work
    that may give way only in part calls `lower_priority` itself, once what must not wait has started. Once
    the parent asks for the result, they run at the parent's priority again, where the system allows it.

    A `held` child waits for `go()` before it starts: forked as soon as what the work reads is ready, it holds
    only that much of the parent's memory (a fork's pages count in both processes' size), not what the parent
    makes afterwards; its work may still need the parent to do something first (put files in place) before it
    is told to go."""

    def __init__(self, work: Callable[[], T], *, yielding: bool = False, held: bool = False) -> None:
        self._work = work
        self._pid: int | None = None
        self._go: int | None = None
        if not hasattr(os, "fork"):
            return
        read, write = os.pipe()
        wait, go = os.pipe() if held else (None, None)
        pid = os.fork()
        if pid == 0:
            os.close(read)
            os.setpgid(0, 0)  # its own group, so that stopping it stops what it started too
            try:
                if wait is not None and go is not None:
                    os.close(go)
                    _wait_for_go(wait)
                if yielding:
                    lower_priority()
                _report(work, write)
            finally:
                os._exit(0)  # not the parent's clean-ups: they are the parent's to run
        os.close(write)
        if wait is not None:
            os.close(wait)
        try:
            os.setpgid(pid, pid)  # as the child does: whichever runs first, the group exists before any stop
        except OSError:
            pass
        self._pid, self._read, self._go = pid, read, go
        self._stop = weakref.finalize(self, _stop, pid, read, *([] if go is None else [go]))

    def go(self) -> None:
        """A held child starts its work (nothing, if it is not held or was told already)."""
        if self._go is not None:
            os.write(self._go, b"g")
            os.close(self._go)
            self._stop.detach()
            self._stop = weakref.finalize(self, _stop, self._pid, self._read)
            self._go = None

    def done(self) -> bool:
        """Whether the work has finished (its result can be had without waiting for it)."""
        if self._pid is None:
            return True
        readable, _, _ = select.select([self._read], [], [], 0)
        return bool(readable)

    def cancel(self) -> None:
        """Stop the work and everything it started; its result is never asked for."""
        if self._pid is not None:
            self._stop()
        self._pid = None
        self._work = _cancelled

    def result(self) -> T:
        if self._pid is None:
            return self._work()
        self.go()
        self._stop.detach()
        _hurry(self._pid)  # (work that lowered its own priority too)
        with os.fdopen(self._read, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(self._pid, 0)
        if not data:
            raise BackgroundError(f"the background work stopped without a result (exit status {status})")
        try:
            done, value = pickle.loads(data)
        except Exception as error:  # noqa: BLE001 - an exception whose class cannot be rebuilt from its pickle
            raise BackgroundError(f"the background work failed, and its error could not be read ({error})") from None
        if not done:
            raise value
        return value  # type: ignore[no-any-return]


def lower_priority() -> None:
    """This process, and the programs it starts from now on, yield their cores to the build's other processes
    (see `Background`); where there are no priorities (Windows), nothing."""
    if hasattr(os, "nice"):
        os.nice(YIELDING)


_frozen_after_whole = 0
"""How many objects were frozen after the last collection of the whole heap."""


@contextlib.contextmanager
def long_lived() -> Iterator[None]:
    """Around making objects that are kept from then on (the loaded site, the pronouncing dictionary). The
    cyclic garbage collector is paused meanwhile: it would walk the growing heap again and again and free
    nothing (loading the dictionary took four times as long). What is alive at the end is then frozen, as
    Python's documentation advises before a fork: later collections, here and in every forked helper, leave it
    alone, so its memory stays shared. In a long-running process (`mkdocs serve`), what was frozen before is
    thawed and the whole heap collected only once it has grown by a quarter since the last time, the rule
    Python's own collector follows for its oldest generation: walking the whole heap took a fifth of a quick
    rebuild at 10,000 stories, and what a rebuild drops is freed as it goes unless it is a cycle."""
    global _frozen_after_whole
    enabled = gc.isenabled()
    whole = not _frozen_after_whole * 3 // 4 <= gc.get_freeze_count() < _frozen_after_whole * 5 // 4
    # (a heap that shrank by a quarter was thawed meanwhile, or dropped much of what was kept)
    if whole:
        gc.unfreeze()
    gc.disable()
    try:
        yield
    finally:
        gc.collect() if whole else gc.collect(1)
        gc.freeze()
        if whole:
            _frozen_after_whole = gc.get_freeze_count()
        if enabled:
            gc.enable()


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def spare_core(taken: Iterable[int | None] = ()) -> int | None:
    """The last of the cores this process may run on that is not `taken`; None where a program's cores cannot be
    chosen (only Linux lets them be), or when every core is taken."""
    if not hasattr(os, "sched_getaffinity"):
        return None
    spare = sorted(os.sched_getaffinity(0) - set(taken), reverse=True)
    return spare[0] if spare else None


@contextlib.contextmanager
def programs_on(core: int | None) -> Iterator[None]:
    """The programs started inside run on `core` alone, every thread of theirs (a program takes the cores of
    the process that starts it); with None, or where the system refuses, on this process's own cores. A program
    whose threads share out work spends CPU in handing it and its memory between cores; beside a build that
    keeps every core busy, it does the same work with less CPU kept to one."""
    allowed = None
    if core is not None and hasattr(os, "sched_setaffinity"):
        try:
            allowed = os.sched_getaffinity(0)
            os.sched_setaffinity(0, {core})
        except OSError:
            allowed = None
    try:
        yield
    finally:
        if allowed is not None:
            os.sched_setaffinity(0, allowed)


def _each(function: Callable[[T], R], items: Sequence[T]) -> list[R]:
    return [function(item) for item in items]


def on_all_cores(function: Callable[[T], R], items: Sequence[T], least: int = 200) -> list[R]:
    """`[function(item) for item in items]`, with the items shared out among the machine's cores: a forked
    helper for each core but this one's takes every n-th item and sends its results back. Fewer than `least`
    items are done here alone, as forking would cost more than it saves."""
    ways = cores() if hasattr(os, "fork") and len(items) >= least else 1
    if ways < 2:
        return _each(function, items)
    shares = [items[number::ways] for number in range(ways)]
    helpers = [Background(functools.partial(_each, function, share)) for share in shares[1:]]
    results: list[R] = [None] * len(items)  # type: ignore[list-item]
    results[0::ways] = _each(function, shares[0])
    for number, helper in enumerate(helpers, start=1):
        results[number::ways] = helper.result()
    return results
