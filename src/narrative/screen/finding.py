"""What the screen finds: a `Hit` in a piece of text, and the `Finding` it becomes once placed in a file.

A finding never holds the personal data it found, only a masked copy (`943 *** ****`), so no report, log or
JSON output can leak it.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass

from narrative.problems import Problem, Severity

CRISIS = "crisis"
"""The kind of an urgent finding: words about suicide, self-harm, abuse or immediate danger."""
READABILITY = "readability"
"""The kind of the gentle note on a story that reads harder than the site aims for."""
LANGUAGE = "language"
"""The kind of the note on an item not in English: its crisis words are for someone who reads it to find."""


@dataclass(frozen=True)
class Hit:
    """Something a detector found at `start:end` of one text; `text` is already masked where it needs to be."""

    kind: str
    label: str
    start: int
    end: int
    text: str


def distinct(hits: Iterable[Hit]) -> list[Hit]:
    """Hits that overlap no earlier one (so earlier in `hits` wins), in the order they appear in the text.

    The hits taken never overlap, so kept in order of start they are in order of end too: a new hit can only
    overlap its two neighbours there, found by bisection, and a text with many hits is not quadratic."""
    starts: list[int] = []
    taken: list[Hit] = []
    for hit in hits:
        at = bisect.bisect_left(starts, hit.start)
        before_overlaps = at > 0 and taken[at - 1].end > hit.start
        after_overlaps = at < len(taken) and taken[at].start < hit.end
        if not before_overlaps and not after_overlaps:
            starts.insert(at, hit.start)
            taken.insert(at, hit)
    return taken


@dataclass(frozen=True)
class Finding:
    """A hit placed in its file (the field's line, or the body line), with how much it matters on this site.

    `label` says what it is ("phone number"), `text` is the masked value or the crisis phrase, `message`
    says it all in one line for an editor, and `fingerprint` binds an editor's review to the text found
    (`narrative.reviews`)."""

    path: str
    line: int | None
    field: str | None
    kind: str
    label: str
    text: str
    message: str
    severity: Severity
    fingerprint: str = ""

    @property
    def place(self) -> str:
        """Where it is, without what it is: 'line 9', 'line 2 (title)'."""
        where = "the file" if self.line is None else f"line {self.line}"
        return f"{where} ({self.field})" if self.field else where

    @property
    def urgent(self) -> bool:
        return self.kind == CRISIS

    @property
    def problem(self) -> Problem:
        """The finding as the CLI's text and JSON output and the MkDocs hook carry it; `code` is the kind."""
        return Problem(self.path, self.line, self.field, self.message, self.kind, self.severity)
