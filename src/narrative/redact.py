"""Personal data out of a file's text: each finding of the screen replaced by a plain placeholder.

The web form does this before a story reaches git, and `narrative redact PATH` does it to a file that came by
pull request. The placeholder names the kind, never the value: `(phone number removed)`. It is in round
brackets, not square ones, so that one at the start of a front-matter value still reads as text (YAML takes
a value starting with `[` for a list) and one in the body cannot become a Markdown link.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from narrative.presentation import listed
from narrative.screen import personal_data


class Removal(NamedTuple):
    """One piece of personal data taken out: its kind (`phone`), what it was (`phone number`), and the line of
    the new text its placeholder is on."""

    kind: str
    label: str
    line: int


@dataclass(frozen=True)
class Redaction:
    """The text with every finding replaced, and what was removed where, in the order of the text."""

    text: str
    removed: tuple[Removal, ...]


def placeholder(label: str) -> str:
    return f"({label} removed)"


def redact(text: str) -> Redaction:
    """`text` with each piece of personal data the screen finds replaced by its placeholder."""
    parts: list[str] = []
    removed: list[Removal] = []
    line, done = 1, 0
    for hit in personal_data.find(text):
        kept = text[done:hit.start]
        line += kept.count("\n")
        parts += [kept, placeholder(hit.label)]
        removed.append(Removal(hit.kind, hit.label, line))
        done = hit.end
    parts.append(text[done:])
    return Redaction("".join(parts), tuple(removed))


VOWEL_SOUNDS = ("a", "e", "i", "o", "u", "NHS")
"""Labels said with "an" before them: "an email address", "an NHS number"."""


def described(removed: tuple[Removal, ...]) -> str:
    """What was removed, for a person: `a phone number (line 12) and an email address (line 14)`."""
    said = [f"{'an' if removal.label.startswith(VOWEL_SOUNDS) else 'a'} {removal.label} (line {removal.line})"
            for removal in removed]
    return listed(said)
