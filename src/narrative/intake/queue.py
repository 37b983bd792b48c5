"""The queue of submissions waiting to reach the editors, and the record of each one delivered.

A submission is committed here (encrypted, on disk) before the writer is thanked, and leaves the waiting list
only in the same transaction that records where it went: a crash at any point loses nothing, and the worker
starts again from what is still waiting. The record of a delivery (reference → branch, pull request, slug)
stays, so a writer's reference can be looked up later; the reference and the times are the only plain text.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path

from narrative.intake.keys import Keys
from narrative.intake.sqlite import Store
from narrative.intake.submission import Submission

FILE = "queue.sqlite3"


@dataclass(frozen=True)
class Delivery:
    """Where a submission went: its story file on a branch, and the pull request when there is one."""

    reference: str
    slug: str
    path: str
    """The story file's path in the repository."""
    branch: str
    commit: str
    pull_request: str | None = None
    """The pull request's web address (the GitHub destination)."""


@dataclass(frozen=True)
class Waiting:
    """A submission still to deliver, and how many times delivering it has failed."""

    submission: Submission
    attempts: int


class Queue(Store):
    """Submissions waiting (`put`, `next_due`, `failed`, `delivered`) and deliveries made (`delivery`)."""

    SCHEMA = """
        CREATE TABLE IF NOT EXISTS waiting (
            reference TEXT PRIMARY KEY, received REAL NOT NULL, due REAL NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0, payload BLOB NOT NULL);
        CREATE INDEX IF NOT EXISTS waiting_due ON waiting (due, received);
        CREATE TABLE IF NOT EXISTS delivered (
            reference TEXT PRIMARY KEY, received REAL NOT NULL, delivered REAL NOT NULL, record BLOB NOT NULL);
    """
    ENCRYPTED = (("waiting", "payload"), ("delivered", "record"))

    def __init__(self, folder: Path, keys: Keys) -> None:
        super().__init__(folder / FILE)
        self.keys = keys

    def put(self, submission: Submission) -> None:
        """Keep a submission, durably, due at once."""
        received = submission.received.timestamp()
        with self.transaction() as db:
            db.execute("INSERT INTO waiting (reference, received, due, payload) VALUES (?, ?, ?, ?)",
                       (submission.reference, received, received, self.keys.encrypt(submission.to_bytes())))

    def next_due(self, now: float) -> Waiting | None:
        """The submission waiting longest of those due by `now`."""
        rows = self.rows("SELECT payload, attempts FROM waiting WHERE due <= ? ORDER BY due, received LIMIT 1",
                         (now,))
        if not rows:
            return None
        payload, attempts = rows[0]
        return Waiting(Submission.from_bytes(self.keys.decrypt(payload)), attempts)

    def next_time(self) -> float | None:
        """When the next waiting submission is due, or None when nothing waits."""
        return self.rows("SELECT min(due) FROM waiting")[0][0]

    def failed(self, reference: str, due: float) -> None:
        """One more failed attempt: try again at `due`."""
        with self.transaction() as db:
            db.execute("UPDATE waiting SET attempts = attempts + 1, due = ? WHERE reference = ?", (due, reference))

    def delivered(self, delivery: Delivery, now: float) -> None:
        """Record where the submission went and forget its content, in one transaction."""
        record = self.keys.encrypt(json.dumps(dataclasses.asdict(delivery)).encode("utf-8"))
        with self.transaction() as db:
            db.execute("INSERT OR IGNORE INTO delivered (reference, received, delivered, record) "
                       "SELECT reference, received, ?, ? FROM waiting WHERE reference = ?",
                       (now, record, delivery.reference))
            db.execute("DELETE FROM waiting WHERE reference = ?", (delivery.reference,))

    def forget(self, reference: str) -> bool:
        """Drop a submission still waiting (its writer took it back); whether one was waiting."""
        with self.transaction() as db:
            return db.execute("DELETE FROM waiting WHERE reference = ?", (reference,)).rowcount > 0

    def delivery(self, reference: str) -> Delivery | None:
        rows = self.rows("SELECT record FROM delivered WHERE reference = ?", (reference,))
        return Delivery(**json.loads(self.keys.decrypt(rows[0][0]))) if rows else None

    def waiting(self, reference: str) -> Waiting | None:
        rows = self.rows("SELECT payload, attempts FROM waiting WHERE reference = ?", (reference,))
        return Waiting(Submission.from_bytes(self.keys.decrypt(rows[0][0])), rows[0][1]) if rows else None

    def counts(self) -> tuple[int, int]:
        """How many submissions wait, and how many have been delivered."""
        return self.rows("SELECT (SELECT count(*) FROM waiting), (SELECT count(*) FROM delivered)")[0]
