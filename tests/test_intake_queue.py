"""The queue and the private store: durable, encrypted, opened only with the key, purged after the retention."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from narrative.intake.keys import InvalidToken, Keys, new_key
from narrative.intake.private_store import PrivateStore
from narrative.intake.queue import Delivery, Queue, Waiting
from narrative.intake.submission import Original, Submission
from narrative.redact import Removal
from tests.intake import PERSONAL

RECEIVED = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
SUBMISSION = Submission("HM-7K3Q-2F9D", "ward-7", "---\ntitle: (phone number removed)\n---\nWords.\n",
                        (("ward-7/photo-1.jpg", b"\xff\xd8"),), (Removal("phone", "phone number", 2),), True,
                        RECEIVED)
ORIGINAL = Original(f"title: {PERSONAL['phone']}\n{PERSONAL['nhs-number']}", PERSONAL["contact"], None)


@pytest.fixture
def keys() -> Keys:
    return Keys.from_text(new_key())


def test_a_submission_waits_until_delivered_then_only_its_record_stays(tmp_path: Path, keys: Keys) -> None:
    queue = Queue(tmp_path, keys)
    queue.put(SUBMISSION)
    now = RECEIVED.timestamp()
    assert queue.next_due(now - 1) is None
    assert queue.next_due(now) == Waiting(SUBMISSION, 0)
    queue.failed(SUBMISSION.reference, now + 10)
    assert queue.next_due(now + 9) is None
    assert queue.next_time() == now + 10
    assert queue.next_due(now + 10) == Waiting(SUBMISSION, 1)
    delivery = Delivery(SUBMISSION.reference, "ward-7", "stories/patient/ward-7.md", "submissions/HM-7K3Q-2F9D",
                        "c0ffee")
    queue.delivered(delivery, now + 11)
    queue.close()
    reopened = Queue(tmp_path, keys)
    assert (reopened.next_due(now + 100), reopened.next_time(), reopened.waiting(SUBMISSION.reference)) == (
        None, None, None)
    assert reopened.delivery(SUBMISSION.reference) == delivery
    assert reopened.counts() == (0, 1)


def test_the_queue_survives_a_reopen(tmp_path: Path, keys: Keys) -> None:
    Queue(tmp_path, keys).put(SUBMISSION)
    assert Queue(tmp_path, keys).waiting(SUBMISSION.reference) == Waiting(SUBMISSION, 0)


def test_the_store_opens_with_the_key_and_refuses_without_it(tmp_path: Path) -> None:
    key = new_key()
    PrivateStore(tmp_path, Keys.from_text(key)).put(SUBMISSION.reference, RECEIVED, ORIGINAL)
    kept = PrivateStore(tmp_path, Keys.from_text(key)).get(SUBMISSION.reference)
    assert kept is not None and (kept.original, kept.received) == (ORIGINAL, RECEIVED)
    with pytest.raises(InvalidToken):
        PrivateStore(tmp_path, Keys.from_text(new_key())).get(SUBMISSION.reference)
    assert PrivateStore(tmp_path, Keys.from_text(f"{new_key()},{key}")).get(SUBMISSION.reference) == kept


def test_nothing_personal_is_on_disk_in_plain_text(tmp_path: Path, keys: Keys) -> None:
    queue, store = Queue(tmp_path, keys), PrivateStore(tmp_path, keys)
    store.put(SUBMISSION.reference, RECEIVED, ORIGINAL)
    queue.put(SUBMISSION)
    data = b"".join(path.read_bytes() for path in tmp_path.iterdir())
    assert [value for value in (*PERSONAL.values(), "Words.") if value.encode() in data] == []
    assert {path.stat().st_mode & 0o777 for path in tmp_path.glob("*.sqlite3")} == {0o600}


def test_purge_forgets_what_is_older_than_the_retention(tmp_path: Path, keys: Keys) -> None:
    store = PrivateStore(tmp_path, keys)
    store.put("HM-OLD0-0001", RECEIVED - dt.timedelta(days=91), ORIGINAL)
    store.put("HM-NEW0-0002", RECEIVED - dt.timedelta(days=89), ORIGINAL)
    assert store.purge(RECEIVED - dt.timedelta(days=90)) == 1
    assert (store.get("HM-OLD0-0001"), store.get("HM-NEW0-0002") is not None) == (None, True)


def test_rotate_encrypts_everything_again_under_the_newest_key(tmp_path: Path) -> None:
    old, new = new_key(), new_key()
    queue, store = Queue(tmp_path, Keys.from_text(old)), PrivateStore(tmp_path, Keys.from_text(old))
    queue.put(SUBMISSION)
    queue.put(dataclasses.replace(SUBMISSION, reference="HM-0000-0001"))
    queue.delivered(Delivery("HM-0000-0001", "ward-7", "stories/patient/ward-7.md", "submissions/HM-0000-0001",
                             "c0ffee"), RECEIVED.timestamp())
    store.put(SUBMISSION.reference, RECEIVED, ORIGINAL)
    both = Keys.from_text(f"{new},{old}")
    assert (queue.rotate(both), store.rotate(both)) == (2, 1)
    newest = Keys.from_text(new)
    assert Queue(tmp_path, newest).waiting(SUBMISSION.reference) == Waiting(SUBMISSION, 0)
    assert Queue(tmp_path, newest).delivery("HM-0000-0001") is not None
    assert PrivateStore(tmp_path, newest).get(SUBMISSION.reference).original == ORIGINAL  # type: ignore[union-attr]
