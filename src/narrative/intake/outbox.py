"""The outbox: each (subscription, digest) recorded before it is sent and after, so every digest goes once.

A record is written `sending` (and synced) before the message leaves and `sent` after the server accepts it.
Run again, a `sent` one is skipped and anything else is sent: one never started, one the server asked to try
later, or one a crash left `sending`. Only the last can have reached the reader already (the server had taken
it when the process died); it goes again with the same `Message-ID`, which mail programs show as one message.
A hard bounce is recorded too, and never retried.

The records are written on one connection that does not wait for the disk at each commit (SQLite's
`synchronous=NORMAL` in WAL mode, PostgreSQL's `synchronous_commit=off`), and synced when the run ends: a
sender that crashes or is killed loses none of them (they are with the operating system or the database
server), and a power cut can lose only the last moment's, whose messages then go again with the same
`Message-ID`. Never a gap. Waiting for the disk twice a message would cap a send at a few hundred a second.
"""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from narrative.intake.subscribers import METADATA

OUTBOX = sa.Table(
    "outbox", METADATA,
    sa.Column("subscription", sa.Integer, primary_key=True),
    sa.Column("digest", sa.String(300), primary_key=True),
    sa.Column("state", sa.String(10), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("updated", sa.BigInteger, nullable=False),
)


class State(enum.Enum):
    SENDING = "sending"
    SENT = "sent"
    LATER = "later"
    BOUNCED = "bounced"

    @property
    def done(self) -> bool:
        return self in (State.SENT, State.BOUNCED)


class Outbox:
    """The records, in the subscribers' database (so PostgreSQL holds them too when it holds those)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        OUTBOX.create(engine, checkfirst=True)
        self._connection: Connection | None = None

    def _open(self) -> Connection:
        if self._connection is None:
            self._connection = self.engine.connect()
            relaxed = {"sqlite": "PRAGMA synchronous = NORMAL", "postgresql": "SET synchronous_commit = off"}
            if self.engine.dialect.name in relaxed:
                self._connection.exec_driver_sql(relaxed[self.engine.dialect.name])
                self._connection.commit()
        return self._connection

    def close(self) -> None:
        """Everything recorded synced to the disk, and the connection closed."""
        if self._connection is None:
            return
        if self.engine.dialect.name == "sqlite":
            self._connection.exec_driver_sql("PRAGMA wal_checkpoint(FULL)")
        self._connection.close()
        self._connection = None

    def start(self, subscription: int, digest: str, now: dt.datetime) -> bool:
        """Record that this digest is about to go to this subscription; False when it already went (or
        bounced), or another sender recorded it at the same moment."""
        connection = self._open()
        where = (OUTBOX.c.subscription == subscription, OUTBOX.c.digest == digest)
        try:
            with connection.begin():
                row = connection.execute(sa.select(OUTBOX.c.state, OUTBOX.c.attempts).where(*where)).first()
                if row is None:
                    connection.execute(OUTBOX.insert().values(subscription=subscription, digest=digest,
                                                              state=State.SENDING.value, attempts=1,
                                                              updated=int(now.timestamp())))
                    return True
                if State(row.state).done:
                    return False
                connection.execute(OUTBOX.update().where(*where).values(
                    state=State.SENDING.value, attempts=row.attempts + 1, updated=int(now.timestamp())))
                return True
        except IntegrityError:
            return False

    def finish(self, subscription: int, digest: str, state: State, now: dt.datetime) -> None:
        connection = self._open()
        with connection.begin():
            connection.execute(OUTBOX.update().where(
                OUTBOX.c.subscription == subscription, OUTBOX.c.digest == digest).values(
                state=state.value, updated=int(now.timestamp())))

    def waiting(self, period: str, since: dt.datetime) -> dict[str, set[int]]:
        """The digests of a period some subscriptions still wait for (told to try later, or left `sending` by a
        run that stopped), recorded since `since`: each digest's name and those subscriptions."""
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(OUTBOX.c.digest, OUTBOX.c.subscription).where(
                OUTBOX.c.digest.startswith(f"{period}/"), OUTBOX.c.updated >= int(since.timestamp()),
                OUTBOX.c.state.in_([State.LATER.value, State.SENDING.value]))).all()
        found: dict[str, set[int]] = {}
        for digest, subscription in rows:
            found.setdefault(digest, set()).add(subscription)
        return found
