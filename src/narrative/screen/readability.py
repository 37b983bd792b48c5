"""How easy a text is to read: Flesch reading ease, a school grade, and its length in words.

The only module that imports textstat. The scores are for Markdown turned to plain sentences: list items,
headings and quotes end a sentence even without a full stop, as a reader takes them.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from textstat.backend import counts, selections

from narrative.background import long_lived

MIN_WORDS = 30
"""Below this many words the scores swing too far on one long word to be worth a note."""

_IMAGE = re.compile(r"!\[([^\[\]]*)\]\([^()\[\]]*\)")
_LINK = re.compile(r"\[([^\[\]]*)\]\([^()\[\]]*\)")
_TAG = re.compile(r"<[^<>]+>")
"""Neither a link nor a tag is read past the next opening mark (`[`, `(` or `<`), so that each character is
looked at a few times at most: a line of a million `[` or `<` is read in a moment, not in hours."""
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


LANGUAGE = "en_US"
"""textstat's language, whose dictionary and hyphenation count syllables."""


LONGEST_WORD = 45
"""Letters in the longest word of an English dictionary; a longer "word" is a string of marks or digits."""
LETTERS_A_SYLLABLE = 3


@functools.lru_cache(maxsize=None)
def syllables(word: str) -> int:
    """The syllables of one word as textstat counts them (its pronouncing dictionary, else hyphenation): the
    same few thousand words make up every story, so each is counted once, not once per use. A word longer
    than any in a dictionary is counted as a syllable every three letters: hyphenating a line of a million
    digits took ten seconds."""
    if len(word) > LONGEST_WORD:
        return len(word) // LETTERS_A_SYLLABLE
    return counts.count_syllables(word, LANGUAGE)


@functools.cache
def load() -> None:
    """Load the pronouncing dictionary now, once, so that processes forked later share it."""
    with long_lived():
        syllables("a")


_SENTENCE = re.compile(r"\b[^.!?]+[.!?]*")
"""A sentence as textstat's `count_sentences` finds one."""
_WORDLIKE = re.compile(r"\w")


def _short(sentence: str) -> bool:
    """Whether textstat would leave this sentence out of its count: two words or fewer once punctuation is
    removed. Removing punctuation never splits or joins words and keeps every token with a letter or digit, so
    the answer is plain from the tokens; only the rare sentence between is counted textstat's way."""
    tokens = sentence.split()
    if len(tokens) <= 2:
        return True
    wordlike = 0
    for token in tokens:
        if _WORDLIKE.search(token):
            wordlike += 1
            if wordlike == 3:
                return False
    return counts.count_words(sentence) <= 2


def count_sentences(text: str) -> int:
    """textstat's `count_sentences`, without counting the words of every sentence by textstat's way (a
    third of the time a story's scores took)."""
    if not text:
        return 0
    found = _SENTENCE.findall(text)
    return max(1, len(found) - sum(map(_short, found)))


def scores(text: str) -> tuple[float, float, int]:
    """Flesch reading ease, Flesch-Kincaid grade and words, computed as textstat computes them, from the same
    word list, sentence count and syllables (a test holds them equal), but counting syllables word by word."""
    words = selections.list_words(text, lowercase=True)
    sentences = count_sentences(text)
    per_sentence = len(words) / sentences if sentences else 0.0
    per_word = sum(map(syllables, words)) / len(words) if words else 0.0
    if per_sentence == 0 or per_word == 0:
        return 0.0, 0.0, len(words)
    return 206.835 - 1.015 * per_sentence - 84.6 * per_word, 0.39 * per_sentence + 11.8 * per_word - 15.59, len(words)


def measure(path: str, line: int, markdown: str) -> Reading:
    """The scores of a Markdown text, kept to the ranges people know: ease 0 to 100, grade 0 or more (the
    formulas run past both for very short or very long sentences)."""
    ease, grade, words = scores(plain_text(markdown))
    return Reading(path, line, words, round(min(100.0, max(0.0, ease)), 1), round(max(0.0, grade), 1))
