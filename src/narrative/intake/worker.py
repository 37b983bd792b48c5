"""The worker: delivers what waits in the queue, one submission at a time, in the order they came.

It runs in a thread beside the web side, woken when a submission is queued. A submission leaves the queue only
once its destination has it; a failure is tried again later, waiting twice as long each time (up to a quarter
of an hour), and a restart simply carries on with what is still waiting. The log says references and counts,
never what anyone wrote.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from narrative.intake.destinations import Destination, DeliveryError
from narrative.intake.queue import Queue, Waiting

log = logging.getLogger("narrative.intake")

LONGEST_WAIT = 15 * 60.0
"""The longest pause between two attempts at one submission, in seconds."""
IDLE_CHECK = 30.0
"""How often an idle worker looks at the queue without being woken, in seconds."""


def backoff(attempts: int, first: float) -> float:
    """Seconds to wait after the `attempts`-th failure: `first`, then twice as long each time, up to the most."""
    return min(first * 2 ** (attempts - 1), LONGEST_WAIT)


class Worker:
    def __init__(self, queue: Queue, destination: Destination, *, retry_seconds: float,
                 clock: Callable[[], float] = time.time) -> None:
        self.queue = queue
        self.destination = destination
        self.retry_seconds = retry_seconds
        self.clock = clock
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="narrative-intake-worker", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Something was queued: look now rather than at the next check."""
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        """Finish the delivery under way, then stop."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                self.deliver_due()
                pause = self._pause()
            except Exception as error:  # the queue itself failed (a full disk): say so, and look again later
                log.error("the queue cannot be read: %s; looking again in %.0f s", type(error).__name__, IDLE_CHECK)
                pause = IDLE_CHECK
            self._wake.wait(pause)

    def _pause(self) -> float:
        due = self.queue.next_time()
        return IDLE_CHECK if due is None else max(0.0, min(due - self.clock(), IDLE_CHECK))

    def deliver_due(self) -> int:
        """Try every submission due now; how many were delivered."""
        delivered = 0
        while not self._stopping.is_set() and (waiting := self.queue.next_due(self.clock())) is not None:
            delivered += self.attempt(waiting)
        return delivered

    def attempt(self, waiting: Waiting) -> bool:
        """Deliver one submission, or put it back for later; whether it was delivered."""
        reference = waiting.submission.reference
        try:
            delivery = self.destination.deliver(waiting.submission)
        except Exception as error:  # whatever it is, the submission waits for another try; the worker goes on
            reason = str(error) if isinstance(error, DeliveryError) else type(error).__name__
        else:
            self.queue.delivered(delivery, self.clock())
            log.info("%s: delivered to %s", reference, delivery.pull_request or delivery.branch)
            return True
        wait = backoff(waiting.attempts + 1, self.retry_seconds)
        self.queue.failed(reference, self.clock() + wait)
        log.warning("%s: delivery failed (attempt %d): %s; trying again in %.0f s", reference,
                    waiting.attempts + 1, reason, wait)
        return False
