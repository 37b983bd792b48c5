"""How easy a text is to read: Flesch reading ease, a school grade, and its length in words.

The only module that imports textstat. The scores are for Markdown turned to plain sentences: list items,
headings and quotes end a sentence even without a full stop, as a reader takes them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import textstat

MIN_WORDS = 30
"""Below this many words the scores swing too far on one long word to be worth a note."""

_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_TAG = re.compile(r"<[^>]+>")
_MARKER = re.compile(r"^\s*(?:[-*+]\s+|\d+[.)]\s+|#{1,6}\s+|>\s*)+")
_EMPHASIS = re.compile(r"[*_`~]+")
_SENTENCE_END = re.compile(r"[.!?:;…][\"'”’)]*$")


@dataclass(frozen=True)
class Reading:
    """One file's scores: higher `ease` reads more easily (60–70 is plain English); `grade` is the US school
    grade a reader needs (9 is about a 14-year-old's reading)."""

    path: str
    line: int
    words: int
    ease: float
    grade: float


def plain_text(markdown: str) -> str:
    """The words a reader reads, one sentence or more to each line, without Markdown's marks."""
    lines = []
    for raw in markdown.splitlines():
        line = _EMPHASIS.sub("", _TAG.sub("", _LINK.sub(r"\1", _IMAGE.sub("", _MARKER.sub("", raw))))).strip()
        if line:
            lines.append(line if _SENTENCE_END.search(line) else line + ".")
    return "\n".join(lines)


def measure(path: str, line: int, markdown: str) -> Reading:
    """The scores of a Markdown text, kept to the ranges people know: ease 0 to 100, grade 0 or more (the
    formulas run past both for very short or very long sentences)."""
    text = plain_text(markdown)
    ease = min(100.0, max(0.0, textstat.flesch_reading_ease(text)))
    grade = max(0.0, textstat.flesch_kincaid_grade(text))
    return Reading(path, line, textstat.lexicon_count(text), round(ease, 1), round(grade, 1))
