"""The content model's items: looked up by value, their hash worked out once, and never pickled with it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import pickle

from tests.test_digests import story


def test_an_items_hash_is_kept_but_not_pickled_and_equality_is_by_value() -> None:
    first = story("a-story", dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc))
    same = story("a-story", dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc))
    other = dataclasses.replace(first, title="Another title")
    assert hash(first) == hash(same) and first == same and {first: 1}[same] == 1
    assert first != other and other not in {first: 1}
    assert "_hash" in vars(first)
    copied = pickle.loads(pickle.dumps(first))
    assert "_hash" not in vars(copied) and copied == first and hash(copied) == hash(first)
    assert [field.name for field in dataclasses.fields(first)] == [field.name for field in dataclasses.fields(copied)]
