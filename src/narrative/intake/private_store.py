"""The private store: each writer's original words and addresses, encrypted, for editors on the server only.

Nothing here ever reaches git. Each record is one Fernet token under the service's key, beside its reference
and the time it came; `purge()` deletes what is older than the retention period, so personal data is kept no
longer than it is needed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from narrative.intake.keys import Keys
from narrative.intake.sqlite import Store
from narrative.intake.submission import Original

FILE = "private.sqlite3"


@dataclass(frozen=True)
class Kept:
    """One writer's original, opened, and when it came."""

    reference: str
    received: dt.datetime
    original: Original


class PrivateStore(Store):
    SCHEMA = """
        CREATE TABLE IF NOT EXISTS originals (
            reference TEXT PRIMARY KEY, received REAL NOT NULL, data BLOB NOT NULL);
        CREATE INDEX IF NOT EXISTS originals_received ON originals (received);
    """
    ENCRYPTED = (("originals", "data"),)

    def __init__(self, folder: Path, keys: Keys) -> None:
        super().__init__(folder / FILE)
        self.keys = keys

    def put(self, reference: str, received: dt.datetime, original: Original) -> None:
        """Keep the original, durably."""
        with self.transaction() as db:
            db.execute("INSERT INTO originals (reference, received, data) VALUES (?, ?, ?)",
                       (reference, received.timestamp(), self.keys.encrypt(original.to_bytes())))

    def get(self, reference: str) -> Kept | None:
        """The original, opened with the key; `keys.InvalidToken` when no key the service holds opens it."""
        rows = self.rows("SELECT received, data FROM originals WHERE reference = ?", (reference,))
        if not rows:
            return None
        received, data = rows[0]
        return Kept(reference, dt.datetime.fromtimestamp(received, dt.UTC),
                    Original.from_bytes(self.keys.decrypt(data)))

    def delete(self, reference: str) -> None:
        """Forget one writer's original (their story was not kept after all, or they took it back)."""
        with self.transaction() as db:
            db.execute("DELETE FROM originals WHERE reference = ?", (reference,))

    def purge(self, older_than: dt.datetime) -> int:
        """Delete every original received before `older_than`; how many went."""
        with self.transaction() as db:
            deleted = db.execute("DELETE FROM originals WHERE received < ?", (older_than.timestamp(),)).rowcount
        with self.lock:
            self.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the deleted pages leave the log too
        return deleted
