"""The subscribers' store, on SQLite and on a real PostgreSQL: sign-up, confirmation, changes, forgetting."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from narrative.intake.keys import Keys, new_key
from narrative.intake.subscribers import Subscribers, Subscription, database_url
from tests.postgres import fresh_database, postgres_server  # noqa: F401 - a fixture

NOW = dt.datetime(2026, 3, 14, 9, 0, tzinfo=dt.UTC)
ADDRESS = "reader@example.org"


@pytest.fixture
def keys() -> Keys:
    return Keys.from_text(new_key())


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path, keys: Keys) -> Iterator[Subscribers]:
    if request.param == "sqlite":
        opened = Subscribers.open(tmp_path / "state", keys, {})
    else:
        url = fresh_database(request.getfixturevalue("postgres_server"))
        opened = Subscribers.open(tmp_path, keys, {"NARRATIVE_SUBSCRIBERS_URL": url})
    yield opened
    opened.close()


def test_the_default_store_is_a_wal_file_in_the_state_folder_with_the_address_encrypted(tmp_path: Path,
                                                                                         keys: Keys) -> None:
    store = Subscribers.open(tmp_path / "state", keys, {})
    store.sign_up("Reader@Example.org", "all", "daily", NOW)
    store.close()
    raw = sqlite3.connect(tmp_path / "state" / "subscribers.sqlite")
    assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert {path.name: path.stat().st_mode & 0o777 for path in (tmp_path / "state").iterdir()} == {
        "subscribers.sqlite": 0o600, "subscribers.sqlite-wal": 0o600, "subscribers.sqlite-shm": 0o600}
    (hashed, token), = raw.execute("SELECT address_hash, address FROM subscribers").fetchall()
    assert hashed == keys.lookup_hash(ADDRESS)
    assert keys.decrypt(token) == ADDRESS.encode()
    assert b"example" not in (tmp_path / "state" / "subscribers.sqlite").read_bytes()


def test_a_postgresql_url_is_read_with_psycopg_3(tmp_path: Path) -> None:
    assert database_url(tmp_path, {"NARRATIVE_SUBSCRIBERS_URL": "postgresql://u@db/subs"}) == \
        "postgresql+psycopg://u@db/subs"
    assert database_url(tmp_path, {}) == f"sqlite:///{tmp_path / 'subscribers.sqlite'}"


def test_a_sign_up_waits_for_confirmation_and_a_second_one_changes_the_frequency(store: Subscribers) -> None:
    first = store.sign_up(ADDRESS, "topic:carers", "daily", NOW)
    assert first.confirmed is False
    assert list(store.recipients("daily")) == []
    again = store.sign_up(" READER@example.org ", "topic:carers", "weekly", NOW)
    assert (again.id, again.frequency) == (first.id, "weekly")
    assert store.confirm(first.id, "weekly", NOW) == Subscription(first.id, first.subscriber, "topic:carers",
                                                                  "weekly", True)
    assert [(s.scope, address) for s, address in store.recipients("weekly")] == [("topic:carers", ADDRESS)]
    store.sign_up(ADDRESS, "topic:carers", "instant", NOW)  # confirmed: unchanged until the new link is used
    assert [s.frequency for s in store.of(first.subscriber)] == ["weekly"]
    store.confirm(first.id, "instant", NOW)
    assert [s.frequency for s in store.of(first.subscriber)] == ["instant"]


def test_unconfirmed_sign_ups_are_forgotten_after_a_week_with_their_address(store: Subscribers) -> None:
    kept = store.sign_up("kept@example.org", "all", "daily", NOW)
    store.confirm(kept.id, "daily", NOW)
    store.sign_up("kept@example.org", "stories", "daily", NOW)
    gone = store.sign_up("gone@example.org", "pledge", "weekly", NOW)
    assert store.forget_unconfirmed(NOW + dt.timedelta(days=6)) == 0
    assert store.forget_unconfirmed(NOW + dt.timedelta(days=7, seconds=1)) == 2
    assert store.address(gone.subscriber) is None
    assert store.address(kept.subscriber) == "kept@example.org"
    assert [s.scope for s in store.of(kept.subscriber)] == ["all"]


def test_manage_adds_changes_and_drops_and_leaving_forgets_everything(store: Subscribers) -> None:
    first = store.sign_up(ADDRESS, "all", "daily", NOW)
    store.confirm(first.id, "daily", NOW)
    store.add(first.subscriber, "principle:listening", "instant", NOW)
    store.add(first.subscriber, "all", "weekly", NOW)
    assert [(s.scope, s.frequency) for s in store.of(first.subscriber)] == [("all", "weekly"),
                                                                            ("principle:listening", "instant")]
    added = store.of(first.subscriber)[1]
    store.change(first.subscriber, added.id, "daily")
    store.change(first.subscriber + 1, first.id, "instant")  # not theirs: nothing changes
    assert [(s.scope, s.frequency) for s in store.of(first.subscriber)] == [("all", "weekly"),
                                                                            ("principle:listening", "daily")]
    store.drop(first.id, first.subscriber)
    assert [s.scope for s in store.of(first.subscriber)] == ["principle:listening"]
    store.leave(first.subscriber)
    assert store.of(first.subscriber) == []
    assert store.address(first.subscriber) is None


def test_the_last_subscription_dropped_forgets_the_address(store: Subscribers) -> None:
    only = store.sign_up(ADDRESS, "story:ward-seven", "instant", NOW)
    store.confirm(only.id, "instant", NOW)
    store.drop(only.id)
    assert store.address(only.subscriber) is None
    assert store.subscription(only.id) is None


def test_three_hard_bounces_suspend_an_address_until_it_confirms_again(store: Subscribers) -> None:
    subscription = store.sign_up(ADDRESS, "all", "daily", NOW)
    store.confirm(subscription.id, "daily", NOW)
    assert [store.bounced(subscription.subscriber) for _ in range(3)] == [False, False, True]
    assert list(store.recipients("daily")) == []
    store.confirm(subscription.id, "daily", NOW)
    assert len(list(store.recipients("daily"))) == 1


def test_recipients_come_in_batches_in_order(store: Subscribers) -> None:
    for number in range(7):
        made = store.sign_up(f"r{number}@example.org", "all", "daily", NOW)
        store.confirm(made.id, "daily", NOW)
    assert [address for _, address in store.recipients("daily", batch=3)] == [f"r{n}@example.org" for n in range(7)]


def test_an_address_kept_under_an_old_key_is_found_and_moved_to_the_new_one(tmp_path: Path) -> None:
    old = new_key()
    store = Subscribers.open(tmp_path, Keys.from_text(old), {})
    first = store.sign_up(ADDRESS, "all", "daily", NOW)
    store.close()
    rotated = Keys.from_text(f"{new_key()},{old}")
    store = Subscribers.open(tmp_path, rotated, {})
    assert store.sign_up(ADDRESS, "all", "weekly", NOW).id == first.id
    with store.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT address_hash FROM subscribers")).scalar() == \
            rotated.lookup_hash(ADDRESS)
    store.close()
