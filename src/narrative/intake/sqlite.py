"""One way to open the service's SQLite stores: durable on commit, private to the service's user.

WAL with `synchronous=FULL` means a committed transaction has reached the disk before `commit()` returns, so a
submission the service has thanked someone for survives a crash or a power cut; WAL lets the worker read while
the web side writes. The files are created readable by their owner alone.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from narrative.intake.keys import Keys

BUSY_MILLISECONDS = 10_000
"""How long a writer waits for another to finish before giving up."""


def connect(path: Path) -> sqlite3.Connection:
    """A connection to the store at `path` (created, with its folder, when missing), shared between threads:
    callers hold `Store.lock` around each use."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    connection.execute(f"PRAGMA busy_timeout = {BUSY_MILLISECONDS}")
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = FULL")
    connection.execute("PRAGMA secure_delete = ON")  # deleted records are overwritten, not left in free pages
    return connection


class Store:
    """A SQLite file with its schema, used from many threads one at a time."""

    SCHEMA = ""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = threading.Lock()
        self.connection = connect(path)
        self.connection.executescript(self.SCHEMA)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """The connection inside `BEGIN IMMEDIATE` … `COMMIT`: everything or nothing, on disk when it ends."""
        with self.lock:
            self.connection.execute("BEGIN IMMEDIATE")
            try:
                yield self.connection
            except BaseException:
                self.connection.execute("ROLLBACK")
                raise
            self.connection.execute("COMMIT")

    ENCRYPTED: tuple[tuple[str, str], ...] = ()
    """Each (table, column) holding Fernet tokens, for `rotate()`."""

    def rotate(self, keys: Keys) -> int:
        """Every token encrypted again under the newest of `keys`, in one transaction; how many. Then the older
        keys may go."""
        count = 0
        with self.transaction() as db:
            for table, column in self.ENCRYPTED:
                rows = db.execute(f"SELECT rowid, {column} FROM {table} WHERE {column} IS NOT NULL").fetchall()
                db.executemany(f"UPDATE {table} SET {column} = ? WHERE rowid = ?",
                               [(keys.rotate(token), rowid) for rowid, token in rows])
                count += len(rows)
        return count

    def rows(self, sql: str, parameters: tuple[object, ...] = ()) -> list[tuple]:
        """What a query outside any transaction answers."""
        with self.lock:
            return self.connection.execute(sql, parameters).fetchall()

    def close(self) -> None:
        with self.lock:
            self.connection.close()
