"""The service's parts put together: its stores in the state folder, its destination and its worker, and
`accept()`, the one way a submission comes in.

`accept()` returns only once the submission is on disk, encrypted, in both stores: the writer is thanked for
something that can no longer be lost. The web app, `narrative intake show` and `purge` all open the same
`Service`.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable

from narrative.intake.destinations import Destination, from_settings
from narrative.intake.private_store import PrivateStore
from narrative.intake.queue import Queue
from narrative.intake.settings import IntakeSettings
from narrative.intake.form import FormInput
from narrative.intake.submission import Submission, build, new_reference
from narrative.intake.worker import Worker
from narrative.problems import Problem


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Service:
    def __init__(self, settings: IntakeSettings, *, destination: Destination | None = None,
                 clock: Callable[[], dt.datetime] = utc_now) -> None:
        self.settings = settings
        self.clock = clock
        self.queue = Queue(settings.state_dir, settings.keys)
        self.private = PrivateStore(settings.state_dir, settings.keys)
        self.worker = Worker(self.queue, destination or from_settings(settings),
                             retry_seconds=settings.retry_seconds, clock=lambda: self.clock().timestamp())

    def accept(self, answers: FormInput) -> Submission | list[Problem]:
        """Build the submission and keep it durably (private part first), or the problems with it."""
        for _ in range(3):  # a reference already taken (one chance in a trillion) is drawn again
            received = self.clock()
            built = build(answers, self.settings, reference=new_reference(self.settings.reference_prefix),
                          received=received)
            if isinstance(built, list):
                return built
            submission, original = built
            try:
                self.private.put(submission.reference, received, original)
            except sqlite3.IntegrityError:
                continue
            try:
                self.queue.put(submission)
            except BaseException:
                self.private.delete(submission.reference)  # the writer is told nothing was kept: so it is not
                raise
            self.worker.wake()
            return submission
        raise RuntimeError("no free reference after three draws")

    def purge(self) -> int:
        """Forget every writer's original older than the retention period; how many went."""
        return self.private.purge(self.clock() - dt.timedelta(days=self.settings.retention_days))

    def close(self) -> None:
        self.worker.stop()
        self.queue.close()
        self.private.close()
