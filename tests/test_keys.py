"""Keys: equal values give equal keys in any process and any maker, and any change to a value changes its key."""

from __future__ import annotations

import dataclasses
import datetime as dt

from markupsafe import Markup

from narrative.keys import LONG_TEXT, Keys
from narrative.model import Kind


@dataclasses.dataclass(frozen=True)
class Shown:
    title: str
    body: str
    tags: tuple[str, ...] = ()


LONG = "word " * LONG_TEXT


def test_equal_values_have_equal_keys_whoever_makes_them() -> None:
    first, second = Keys(), Keys()
    value = {"story": Shown("A title", LONG), "when": dt.date(2026, 3, 1), "kind": Kind.STORY, "seen": {1, 2, 3}}
    twin = {"story": Shown("A title", "word " * LONG_TEXT), "when": dt.date(2026, 3, 1), "kind": Kind.STORY,
            "seen": {3, 2, 1}}
    assert first.key(value) == first.key(value) == second.key(twin) is not None


def test_a_change_anywhere_changes_the_key() -> None:
    maker = Keys()
    base = [Shown("A title", LONG, ("carers",)), "text", 1, b"1", None]
    variants = [
        [Shown("A title!", LONG, ("carers",)), "text", 1, b"1", None],
        [Shown("A title", LONG + ".", ("carers",)), "text", 1, b"1", None],
        [Shown("A title", LONG, ("carers", "grow")), "text", 1, b"1", None],
        [Shown("A title", LONG, ("carers",)), "text", True, b"1", None],
        [Shown("A title", LONG, ("carers",)), "text", "1", b"1", None],
        [Shown("A title", LONG, ("carers",)), "text", 1, "1", None],
        [Shown("A title", LONG, ("carers",)), "text", 1, b"1"],
        [[Shown("A title", LONG, ("carers",)), "text"], 1, b"1", None],
    ]
    keys = {maker.key(value) for value in [base, *variants]}
    assert len(keys) == len(variants) + 1


def test_a_long_text_read_again_after_a_change_is_not_taken_for_the_old_one() -> None:
    maker = Keys()
    first = maker.key("a" * LONG_TEXT)
    maker.forget_unused()
    maker.forget_unused()
    assert maker.key("b" * LONG_TEXT) != first == Keys().key("a" * LONG_TEXT)


def test_markup_is_keyed_by_its_text_and_what_cannot_be_read_makes_no_key() -> None:
    assert Keys().key(Markup("<p>Hi</p>")) == Keys().key("<p>Hi</p>")
    assert Keys().key({"fine": 1, "not": object()}) is None
    assert Keys().key(Shown) is None  # a class, not a value


def test_a_key_of_an_object_is_remembered_for_its_object_and_the_rest_of_its_inputs() -> None:
    maker, story = Keys(), Shown("A title", LONG)
    first = maker.of("shared", story, ("picture.jpg", 10, 1))
    assert first == Keys().key("shared", story, ("picture.jpg", 10, 1)) is not None
    assert maker.of("shared", story, ("picture.jpg", 10, 1)) == first
    assert maker.of("shared", story, ("picture.jpg", 11, 1)) != first
    assert maker.of("other", story, ("picture.jpg", 10, 1)) != first
    assert maker.of("shared", Shown("A title", LONG + "!"), ("picture.jpg", 10, 1)) != first
    assert maker.of("shared", "short text") == Keys().key("shared", "short text")
