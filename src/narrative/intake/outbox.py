"""The outbox: each (subscription, digest) recorded before it is sent and after, so every digest goes once.

A record is written `sending` (and synced) before the message leaves and `sent` after the server accepts it.
Run again, a `sent` one is skipped and anything else is sent: one never started, one the server asked to try
later, or one a crash left `sending`. Only the last can have reached the reader already (the server had taken
it when the process died); it goes again with the same `Message-ID`, which mail programs show as one message.
A hard bounce is recorded too, and never retried.
"""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.engine import Engine
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

    def start(self, subscription: int, digest: str, now: dt.datetime) -> bool:
        """Record that this digest is about to go to this subscription; False when it already went (or
        bounced), or another sender recorded it at the same moment."""
        try:
            with self.engine.begin() as connection:
                row = connection.execute(sa.select(OUTBOX.c.state, OUTBOX.c.attempts).where(
                    OUTBOX.c.subscription == subscription, OUTBOX.c.digest == digest)).first()
                if row is None:
                    connection.execute(OUTBOX.insert().values(subscription=subscription, digest=digest,
                                                              state=State.SENDING.value, attempts=1,
                                                              updated=int(now.timestamp())))
                    return True
                if State(row.state).done:
                    return False
                connection.execute(OUTBOX.update().where(
                    OUTBOX.c.subscription == subscription, OUTBOX.c.digest == digest).values(
                    state=State.SENDING.value, attempts=row.attempts + 1, updated=int(now.timestamp())))
                return True
        except IntegrityError:
            return False

    def finish(self, subscription: int, digest: str, state: State, now: dt.datetime) -> None:
        with self.engine.begin() as connection:
            connection.execute(OUTBOX.update().where(
                OUTBOX.c.subscription == subscription, OUTBOX.c.digest == digest).values(
                state=state.value, updated=int(now.timestamp())))

    def counts(self, digest: str) -> dict[State, int]:
        """How many records of a digest are in each state: what a run reports."""
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(OUTBOX.c.state, sa.func.count()).where(
                OUTBOX.c.digest == digest).group_by(OUTBOX.c.state)).all()
        found = dict.fromkeys(State, 0)
        found.update({State(state): count for state, count in rows})
        return found
