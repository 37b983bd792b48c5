"""Who gets which emails, and how often: the only module that talks to the subscribers' database.

SQLAlchemy Core, so the same code runs on SQLite (a file in the service's state folder, WAL mode, every commit
synced) or on PostgreSQL (`NARRATIVE_SUBSCRIBERS_URL`). An address is kept encrypted with the service's key
and found again by its keyed hash, so the database alone never reveals who subscribed. A subscription holds
a scope (`scopes`), a frequency and whether its address confirmed it; unconfirmed ones are forgotten after a
week, and an address with no subscription left is forgotten with them.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from narrative.intake.keys import Keys

URL_VARIABLE = "NARRATIVE_SUBSCRIBERS_URL"
FILE = "subscribers.sqlite"
FORGET_UNCONFIRMED = dt.timedelta(days=7)
SUSPEND_AFTER = 3
"""Hard bounces after which an address gets nothing more until it signs up and confirms again."""

METADATA = sa.MetaData()
SUBSCRIBERS = sa.Table(
    "subscribers", METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("address_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("address", sa.LargeBinary, nullable=False),
    sa.Column("bounces", sa.Integer, nullable=False, default=0),
    sa.Column("created", sa.BigInteger, nullable=False),
    sqlite_autoincrement=True,
)
SUBSCRIPTIONS = sa.Table(
    "subscriptions", METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("subscriber", sa.Integer, sa.ForeignKey("subscribers.id", ondelete="CASCADE"), nullable=False),
    sa.Column("scope", sa.String(200), nullable=False),
    sa.Column("frequency", sa.String(10), nullable=False),
    sa.Column("confirmed", sa.BigInteger, nullable=True),
    sa.Column("created", sa.BigInteger, nullable=False),
    sa.UniqueConstraint("subscriber", "scope"),
    sa.Index("subscriptions_by_frequency", "frequency", "id"),
    sqlite_autoincrement=True,  # a number is never given twice, so an old outbox record never covers a new one
)


@dataclass(frozen=True)
class Subscription:
    """One address's wish: emails about `scope`, `frequency` (instant, daily or weekly)."""

    id: int
    subscriber: int
    scope: str
    frequency: str
    confirmed: bool


def _seconds(moment: dt.datetime) -> int:
    return int(moment.timestamp())


def database_url(state_dir: Path, environ: Mapping[str, str] = os.environ) -> str:
    """`NARRATIVE_SUBSCRIBERS_URL` (a `postgresql://` URL is read with psycopg 3), or the state folder's file."""
    url = environ.get(URL_VARIABLE, "").strip()
    if not url:
        return f"sqlite:///{state_dir / FILE}"
    return "postgresql+psycopg://" + url.removeprefix("postgresql://") if url.startswith("postgresql://") else url


def _sqlite_pragmas(connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = connection.cursor()
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "busy_timeout=10000",
                   "secure_delete=ON"):  # an address forgotten is overwritten, not left in a free page
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def engine_for(url: str) -> Engine:
    """An engine for the URL; on SQLite, WAL mode, full syncs, foreign keys on and waiting for a busy lock."""
    engine = sa.create_engine(url, pool_pre_ping=not url.startswith("sqlite"))
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


class Subscribers:
    """The store. Every method is one transaction."""

    def __init__(self, engine: Engine, keys: Keys) -> None:
        self.engine = engine
        self.keys = keys
        METADATA.create_all(engine)

    @classmethod
    def open(cls, state_dir: Path, keys: Keys, environ: Mapping[str, str] = os.environ) -> Subscribers:
        url = database_url(state_dir, environ)
        if url == f"sqlite:///{state_dir / FILE}" and not (state_dir / FILE).exists():
            # readable by its owner alone, as are the WAL files SQLite makes beside it with the same mode
            state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.close(os.open(state_dir / FILE, os.O_CREAT | os.O_WRONLY, 0o600))
        return cls(engine_for(url), keys)

    def close(self) -> None:
        self.engine.dispose()

    def _find(self, connection: Connection, address: str) -> sa.Row | None:
        hashes = self.keys.lookup_hashes(address.strip().lower())
        row = connection.execute(sa.select(SUBSCRIBERS).where(SUBSCRIBERS.c.address_hash.in_(hashes))).first()
        if row is not None and row.address_hash != hashes[0]:  # found under an older key: store it under the newest
            connection.execute(SUBSCRIBERS.update().where(SUBSCRIBERS.c.id == row.id).values(
                address_hash=hashes[0], address=self.keys.rotate(row.address)))
        return row

    def sign_up(self, address: str, scope: str, frequency: str, now: dt.datetime) -> Subscription:
        """The subscription to confirm. A new one waits for confirmation; one waiting already takes the new
        frequency; a confirmed one is left as it is until the new link (which carries the frequency) is used."""
        normal = address.strip().lower()
        with self.engine.begin() as connection:
            subscriber = self._find(connection, normal)
            if subscriber is None:
                subscriber_id = connection.execute(SUBSCRIBERS.insert().values(
                    address_hash=self.keys.lookup_hash(normal), address=self.keys.encrypt(normal.encode("utf-8")),
                    bounces=0, created=_seconds(now))).inserted_primary_key[0]
            else:
                subscriber_id = subscriber.id
            row = connection.execute(sa.select(SUBSCRIPTIONS).where(
                SUBSCRIPTIONS.c.subscriber == subscriber_id, SUBSCRIPTIONS.c.scope == scope)).first()
            if row is None:
                new_id = connection.execute(SUBSCRIPTIONS.insert().values(
                    subscriber=subscriber_id, scope=scope, frequency=frequency, confirmed=None,
                    created=_seconds(now))).inserted_primary_key[0]
                return Subscription(new_id, subscriber_id, scope, frequency, False)
            if row.confirmed is None:
                connection.execute(SUBSCRIPTIONS.update().where(SUBSCRIPTIONS.c.id == row.id).values(
                    frequency=frequency, created=_seconds(now)))
                return Subscription(row.id, subscriber_id, scope, frequency, False)
            return _subscription(row)

    def confirm(self, subscription_id: int, frequency: str, now: dt.datetime) -> Subscription | None:
        """Confirmed at the frequency the link carries, and the address no longer counted as bouncing (it
        has just read an email); None when the subscription is gone (left, or forgotten after a week)."""
        with self.engine.begin() as connection:
            row = connection.execute(sa.select(SUBSCRIPTIONS).where(SUBSCRIPTIONS.c.id == subscription_id)).first()
            if row is None:
                return None
            connection.execute(SUBSCRIPTIONS.update().where(SUBSCRIPTIONS.c.id == row.id).values(
                frequency=frequency, confirmed=row.confirmed or _seconds(now)))
            connection.execute(SUBSCRIBERS.update().where(SUBSCRIBERS.c.id == row.subscriber).values(bounces=0))
        return Subscription(row.id, row.subscriber, row.scope, frequency, True)

    def subscription(self, subscription_id: int) -> Subscription | None:
        with self.engine.connect() as connection:
            row = connection.execute(sa.select(SUBSCRIPTIONS).where(SUBSCRIPTIONS.c.id == subscription_id)).first()
        return None if row is None else _subscription(row)

    def of(self, subscriber_id: int) -> list[Subscription]:
        """A subscriber's confirmed subscriptions, oldest first: what their manage page lists."""
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(SUBSCRIPTIONS).where(
                SUBSCRIPTIONS.c.subscriber == subscriber_id, SUBSCRIPTIONS.c.confirmed.is_not(None))
                .order_by(SUBSCRIPTIONS.c.id)).all()
        return [_subscription(row) for row in rows]

    def address(self, subscriber_id: int) -> str | None:
        with self.engine.connect() as connection:
            token = connection.execute(sa.select(SUBSCRIBERS.c.address).where(
                SUBSCRIBERS.c.id == subscriber_id)).scalar()
        return None if token is None else self.keys.decrypt(token).decode("utf-8")

    def add(self, subscriber_id: int, scope: str, frequency: str, now: dt.datetime) -> None:
        """From the manage page, whose link proves the address: confirmed at once, or the frequency changed."""
        with self.engine.begin() as connection:
            if connection.execute(sa.select(SUBSCRIBERS.c.id).where(SUBSCRIBERS.c.id == subscriber_id)).first() is None:
                return
            changed = connection.execute(SUBSCRIPTIONS.update().where(
                SUBSCRIPTIONS.c.subscriber == subscriber_id, SUBSCRIPTIONS.c.scope == scope).values(
                frequency=frequency, confirmed=sa.func.coalesce(SUBSCRIPTIONS.c.confirmed, _seconds(now))))
            if changed.rowcount == 0:
                connection.execute(SUBSCRIPTIONS.insert().values(
                    subscriber=subscriber_id, scope=scope, frequency=frequency, confirmed=_seconds(now),
                    created=_seconds(now)))

    def change(self, subscriber_id: int, subscription_id: int, frequency: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(SUBSCRIPTIONS.update().where(
                SUBSCRIPTIONS.c.id == subscription_id, SUBSCRIPTIONS.c.subscriber == subscriber_id).values(
                frequency=frequency))

    def drop(self, subscription_id: int, subscriber_id: int | None = None) -> None:
        """One subscription ended (by the one-click link, or from the manage page, which names its owner);
        an address left with none is forgotten."""
        with self.engine.begin() as connection:
            where = [SUBSCRIPTIONS.c.id == subscription_id]
            if subscriber_id is not None:
                where.append(SUBSCRIPTIONS.c.subscriber == subscriber_id)
            owner = connection.execute(sa.select(SUBSCRIPTIONS.c.subscriber).where(*where)).scalar()
            connection.execute(SUBSCRIPTIONS.delete().where(*where))
            if owner is not None:
                _forget_if_empty(connection, owner)

    def leave(self, subscriber_id: int) -> None:
        """Everything about an address forgotten: it and all its subscriptions."""
        with self.engine.begin() as connection:
            connection.execute(SUBSCRIPTIONS.delete().where(SUBSCRIPTIONS.c.subscriber == subscriber_id))
            connection.execute(SUBSCRIBERS.delete().where(SUBSCRIBERS.c.id == subscriber_id))

    def forget_unconfirmed(self, now: dt.datetime) -> int:
        """Sign-ups not confirmed within a week forgotten, with addresses left with nothing; how many."""
        cutoff = _seconds(now - FORGET_UNCONFIRMED)
        with self.engine.begin() as connection:
            gone = connection.execute(SUBSCRIPTIONS.delete().where(
                SUBSCRIPTIONS.c.confirmed.is_(None), SUBSCRIPTIONS.c.created < cutoff)).rowcount
            connection.execute(SUBSCRIBERS.delete().where(~sa.exists().where(
                SUBSCRIPTIONS.c.subscriber == SUBSCRIBERS.c.id)))
        return gone

    def bounced(self, subscriber_id: int) -> bool:
        """One more hard bounce counted; True when the address is now suspended."""
        with self.engine.begin() as connection:
            connection.execute(SUBSCRIBERS.update().where(SUBSCRIBERS.c.id == subscriber_id).values(
                bounces=SUBSCRIBERS.c.bounces + 1))
            bounces = connection.execute(sa.select(SUBSCRIBERS.c.bounces).where(
                SUBSCRIBERS.c.id == subscriber_id)).scalar()
        return (bounces or 0) >= SUSPEND_AFTER

    def recipients(self, frequency: str, batch: int = 1000) -> Iterator[tuple[Subscription, str]]:
        """Every confirmed subscription at a frequency whose address is not suspended, with the address, in
        order; read a batch at a time, so memory stays flat however many there are."""
        last = 0
        query = (sa.select(SUBSCRIPTIONS, SUBSCRIBERS.c.address)
                 .join(SUBSCRIBERS, SUBSCRIBERS.c.id == SUBSCRIPTIONS.c.subscriber)
                 .where(SUBSCRIPTIONS.c.frequency == frequency, SUBSCRIPTIONS.c.confirmed.is_not(None),
                        SUBSCRIBERS.c.bounces < SUSPEND_AFTER)
                 .order_by(SUBSCRIPTIONS.c.id).limit(batch))
        while True:
            with self.engine.connect() as connection:
                rows = connection.execute(query.where(SUBSCRIPTIONS.c.id > last)).all()
            for row in rows:
                yield _subscription(row), self.keys.decrypt(row.address).decode("utf-8")
            if len(rows) < batch:
                return
            last = rows[-1].id


def _subscription(row: sa.Row) -> Subscription:
    return Subscription(row.id, row.subscriber, row.scope, row.frequency, row.confirmed is not None)


def _forget_if_empty(connection: Connection, subscriber_id: int) -> None:
    if connection.execute(sa.select(SUBSCRIPTIONS.c.id).where(
            SUBSCRIPTIONS.c.subscriber == subscriber_id).limit(1)).first() is None:
        connection.execute(SUBSCRIBERS.delete().where(SUBSCRIBERS.c.id == subscriber_id))
