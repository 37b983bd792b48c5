"""Small formatting rules shared by every template: dates as people read them, counts in words.

Registered as Jinja filters by the hook, and used directly by feeds and digests, so a date reads the same
on the site and in an email.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from narrative.languages import autonym


def long_date(moment: dt.datetime | dt.date) -> str:
    """`14 March 2026`: the GOV.UK style, unambiguous for every reader."""
    return f"{moment.day} {moment:%B %Y}"


def iso_date(moment: dt.datetime | dt.date) -> str:
    """`2026-03-14`, for a `<time datetime>` attribute."""
    return moment.strftime("%Y-%m-%d")


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """`1 story`, `3 stories`."""
    return f"{count} {singular if count == 1 else (plural_form or singular + 's')}"


def listed(parts: list[str]) -> str:
    """`a, b and c`: the parts as a sentence lists them."""
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else "".join(parts)


def one_line(text: str) -> str:
    """Every run of whitespace, line breaks included (CR, LF, U+2028 ...), as one space."""
    return " ".join(text.split())


def percent(part: int, whole: int) -> int:
    """A whole-number percentage, 0 when there is nothing to divide by."""
    return round(100 * part / whole) if whole else 0


FILTERS: dict[str, Callable[..., Any]] = {
    "long_date": long_date,
    "iso_date": iso_date,
    "plural": plural,
    "percent": percent,
    "autonym": autonym,
}
