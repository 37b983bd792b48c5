"""Text as a reader sees it, with the way back to where it was written.

A screen that reads a file as written is easily fooled while readers see the words plainly: `my&#115;elf`,
`my**self**`, `sui<!-- x -->cide`, a soft hyphen or a zero-width space inside a word, a Cyrillic `і`, full-width
digits. A `Readable` is what a reader sees (a body's rendered, cleaned HTML turned to text, or a field's text)
the way the eye takes it: entities decoded, compatibility forms (NFKC) and look-alike letters folded to plain
ones, accents and invisible format characters gone. It keeps, for each of its characters, the place in the
written text it came from, so `find` gives a detector's hits at offsets into the text as written: the report
names the line to change, and a redaction knows what to replace.

The only module that imports confusable_homoglyphs. Everything here is linear in its input.
"""

from __future__ import annotations

import bisect
import functools
import html
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace

from confusable_homoglyphs import confusables

from narrative.screen.finding import Hit

Detector = Callable[[str], Iterator[Hit]]
Piece = tuple[str, int, int]
"""Readable text and the written span `[start, end)` it comes from: character for character when the two are
the same length, else each of its characters stands for the whole span (`&#115;` → `s`)."""


class _Pieces:
    """Pieces in the order they are read, neighbours that map character for character joined into one."""

    def __init__(self) -> None:
        self.pieces: list[Piece] = []

    def add(self, text: str, start: int, end: int) -> None:
        if not text:
            return
        if self.pieces and len(text) == end - start:
            last, last_start, last_end = self.pieces[-1]
            if last_end == start and len(last) == last_end - last_start:
                self.pieces[-1] = (last + text, last_start, end)
                return
        self.pieces.append((text, start, end))


@dataclass(frozen=True)
class Readable:
    """`text` as a reader sees it; each piece's readable start in `starts`, its written span in `spans`."""

    text: str
    starts: tuple[int, ...]
    spans: tuple[tuple[int, int], ...]

    @classmethod
    def of(cls, pieces: Iterable[Piece]) -> Readable:
        pieces = list(pieces)
        starts, at = [], 0
        for text, _, _ in pieces:
            starts.append(at)
            at += len(text)
        return cls("".join(text for text, _, _ in pieces), tuple(starts), tuple((s, e) for _, s, e in pieces))

    def bounds(self, index: int) -> tuple[int, int, tuple[int, int]]:
        """The piece holding readable `index`: where it starts and stops in `text`, and its written span."""
        number = bisect.bisect_right(self.starts, index) - 1
        stop = self.starts[number + 1] if number + 1 < len(self.starts) else len(self.text)
        return self.starts[number], stop, self.spans[number]

    def written(self, start: int, end: int) -> tuple[int, int]:
        """The written span that readable `text[start:end]` comes from (`end` > `start`)."""
        first, stop, (written_start, written_end) = self.bounds(start)
        linear = stop - first == written_end - written_start
        begin = written_start + start - first if linear else written_start
        first, stop, (written_start, written_end) = self.bounds(end - 1)
        linear = stop - first == written_end - written_start
        return begin, written_start + end - first if linear else written_end

    def unseen(self, written: str) -> Readable:
        """What is in `written` but not in the readable text (markup, a comment, a link's address), each stretch
        a line of its own."""
        pieces: list[Piece] = []
        reach = 0
        for start, end in (*self.spans, (len(written), len(written))):
            if start > reach:
                pieces += [(written[reach:start], reach, start), ("\n", start, start)]
            reach = max(reach, end)
        return Readable.of(pieces)

    def point(self, index: int) -> tuple[int, int]:
        """The empty written span where readable `index` would stand."""
        if index < len(self.text):
            place = self.written(index, index + 1)[0]
        else:
            place = self.spans[-1][1] if self.spans else 0
        return place, place


# Folding one character at a time: accents, compatibility forms, look-alikes and invisible characters.

_DASHES = dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\ufe58\ufe63", "-")
"""Hyphens and dashes as a reader takes them: `self‑harm` (a non-breaking hyphen) is `self-harm`."""


@functools.lru_cache(maxsize=4096)
def fold(char: str) -> str:
    """One character as plain text: "" for an invisible format character (soft hyphen, zero-width space, word
    joiner, direction marks) or a combining accent, ASCII for a full-width form, a dash or a letter that looks
    like a Latin one (Cyrillic `і`, Greek `ο`), else the character without its accents."""
    if unicodedata.category(char) == "Cf":
        return ""
    plain = "".join(part for part in unicodedata.normalize("NFKD", char) if not unicodedata.combining(part))
    return "".join(_DASHES.get(part) or _look_alike(part) for part in plain)


def _look_alike(char: str) -> str:
    """The ASCII letter or digit `char` is made to look like, by Unicode's confusables list, else `char`."""
    if char.isascii():
        return char
    found = confusables.is_confusable(char, greedy=True, preferred_aliases=["latin"]) or []
    plain = [glyph["c"] for entry in found for glyph in entry["homoglyphs"]
             if glyph["c"].isascii() and glyph["c"].isalnum()]
    return plain[0] if plain else char


_NOT_ASCII = re.compile(r"[^\x00-\x7f]+")


def _folded(pieces: Iterable[Piece]) -> Iterator[Piece]:
    """The pieces with every character that is not ASCII folded. A run of such characters keeps its own written
    span, character for character when it folds to as many characters (`ｓｕｉｃｉｄｅ`), else as a whole."""
    for text, start, end in pieces:
        if text.isascii():
            yield text, start, end
            continue
        linear, last = len(text) == end - start, 0
        for run in _NOT_ASCII.finditer(text):
            yield text[last:run.start()], start + last if linear else start, start + run.start() if linear else end
            span = (start + run.start(), start + run.end()) if linear else (start, end)
            yield "".join(map(fold, run[0])), *span
            last = run.end()
        yield text[last:], start + last if linear else start, end


def _joined(pieces: Iterable[Piece]) -> Readable:
    joined = _Pieces()
    for piece in pieces:
        joined.add(*piece)
    return Readable.of(joined.pieces)


# Entities: `&#115;`, `&#x73;`, `&commat;`, decoded where they stand.

ENTITY = re.compile(r"&(?:#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,8}|[A-Za-z][A-Za-z0-9]{0,31});?")


def _decoded(text: str) -> list[Piece]:
    """`text` with every character reference decoded, as pieces of the text."""
    pieces = _Pieces()
    last = 0
    for match in ENTITY.finditer(text) if "&" in text else ():
        decoded = html.unescape(match[0])
        if decoded != match[0]:
            pieces.add(text[last:match.start()], last, match.start())
            pieces.add(decoded, match.start(), match.end())
            last = match.end()
    pieces.add(text[last:], last, len(text))
    return pieces.pieces


FIELD_MARKUP = re.compile(r"<!--.{0,200}?-->|</?[A-Za-z][^<>]{0,200}>|[*_~`]+", re.DOTALL)
"""Markup a field shows as it is, which a reader reads past all the same (`kill my**self**`, `sui<i></i>cide`)."""


def of_text(text: str) -> Readable:
    """A field's text as a reader sees it: shown as written on the site, so only read past its markup."""
    if text.isascii() and "&" not in text and not FIELD_MARKUP.search(text):
        return Readable(text, (0,), ((0, len(text)),))
    pieces, last = _Pieces(), 0
    for markup in FIELD_MARKUP.finditer(text):
        pieces.add(text[last:markup.start()], last, markup.start())
        last = markup.end()
    pieces.add(text[last:], last, len(text))
    unmarked = Readable.of(pieces.pieces)
    return _joined(_folded(_through(_decoded(unmarked.text), unmarked)))


def plain(written: str) -> str:
    """A stretch of written text as a reader reads it, whatever marks or disguises it: `kill my**self**`,
    `kill my&#115;elf` and `kill myself` all read `kill myself`. A review's fingerprint is made from it, so that
    a review holds while the words found stay the same, whether the text around them is rendered or not."""
    return of_text(written).text


INLINE = re.compile(r"[<&*_`\[\\~]")
"""What Markdown and HTML hide or join words with: a body without any of these reads as it is written, and
need not be rendered to be screened."""


# A body: the text of its rendered HTML, found again in the Markdown it was rendered from.

_TAG = re.compile(r'<(/?)([a-zA-Z][a-zA-Z0-9]*)(?:[^>"]|"[^"]*")*>')
"""A tag in the sanitiser's output, whose attribute values are always in double quotes."""
BREAKS = frozenset({"p", "br", "hr", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
                    "blockquote", "pre", "table", "thead", "tbody", "tr", "th", "td", "caption", "div"})
"""Tags that end a word, where the reader sees a new line or a new cell: between any others the words run on,
as `sui<i></i>cide` reads `suicide`."""
_PUNCTUATION = re.compile("[\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u00ab\u00bb]")
_TYPED = {"\u2018": ("'",), "\u2019": ("'",), "\u201c": ('"',), "\u201d": ('"',), "\u2013": ("--",),
          "\u2014": ("---", "--"), "\u2026": ("...",), "\u00ab": ("<<",), "\u00bb": (">>",)}
"""What the renderer's curly quotes, dashes and ellipses were typed as (or they were typed as themselves)."""
WINDOW = 512
"""How far past the last piece found the next piece of text is looked for as written, before looking for it
character by character: markup between two pieces of text (a link's address, a tag) is rarely longer."""


def _texts(rendered: str) -> Iterator[str | None]:
    """The text between the tags of sanitised HTML, decoded; None where a tag ends a word."""
    last = 0
    for tag in _TAG.finditer(rendered):
        if tag.start() > last:
            yield html.unescape(rendered[last:tag.start()])
        if tag[2].lower() in BREAKS:
            yield None
        last = tag.end()
    if last < len(rendered):
        yield html.unescape(rendered[last:])


class _Aligner:
    """Finds each piece of a reader's text in the written text, in order, never going back: each is taken at
    its first place at or after the last, so a piece is never placed after where it was really written."""

    def __init__(self, written: str) -> None:
        self.written = written
        self.at = 0
        self.pieces = _Pieces()
        self.next_place: dict[str, int] = {}

    def text(self, text: str) -> None:
        if text.isspace():
            self.pieces.add(text, self.at, self.at)  # the renderer's line breaks between tags
            return
        last = 0
        for mark in _PUNCTUATION.finditer(text):
            self.run(text[last:mark.start()])
            self.punctuation(mark[0])
            last = mark.end()
        self.run(text[last:])

    def run(self, run: str) -> None:
        if not run:
            return
        place = self.written.find(run, self.at, self.at + len(run) + WINDOW)
        if place < 0:
            for char in run:
                self.char(char)
            return
        self.pieces.add(run, place, place + len(run))
        self.at = place + len(run)

    def char(self, char: str) -> None:
        written, at = self.written, self.at
        if at < len(written) and (written[at] == char or (char == " " and written[at] == "\t")
                                  or (char == "\n" and written[at] == "\r")):
            size = 2 if written.startswith("\r\n", at) and char == "\n" else 1
            self.pieces.add(char, at, at + size)
            self.at = at + size
        elif char == " " and at and written[at - 1] == "\t":
            self.pieces.add(char, at - 1, at)  # a tab the renderer turned into spaces
        elif char.isspace():
            self.pieces.add(char, at, at)  # space hides nothing: never worth looking ahead for
        else:
            place = self.find(char)
            if place < 0:
                self.pieces.add(char, at, at)  # made by the renderer: nothing to point at
            else:
                self.pieces.add(char, place, place + 1)
                self.at = place + 1

    def find(self, char: str) -> int:
        """The first place of `char` at or after `at`, remembered, so that looking again costs nothing."""
        place = self.next_place.get(char)
        if place is None or 0 <= place < self.at:
            place = self.next_place[char] = self.written.find(char, self.at)
        return place

    def punctuation(self, char: str) -> None:
        for typed in (char, *_TYPED[char]):
            if self.written.startswith(typed, self.at):
                self.pieces.add(char, self.at, self.at + len(typed))
                self.at += len(typed)
                return
        self.char(char)

    def stop(self) -> None:
        self.pieces.add("\n", self.at, self.at)


def of_html(written: str, rendered: str) -> Readable:
    """A body as a reader sees it: `rendered` (its sanitised HTML) turned to text, with each character's place
    in `written`, the Markdown it was rendered from."""
    decoded = _decoded(written)
    plain = "".join(text for text, _, _ in decoded)
    aligner = _Aligner(plain)
    for text in _texts(rendered):
        if text is None:
            aligner.stop()
        else:
            aligner.text(text)
    pieces: Iterable[Piece] = aligner.pieces.pieces
    if plain != written:
        pieces = _through(pieces, Readable.of(decoded))
    return _joined(_folded(pieces))


def _through(pieces: Iterable[Piece], via: Readable) -> Iterator[Piece]:
    """Pieces placed in `via.text`, placed instead in the text `via` was made from: a piece that maps character
    for character is cut where the pieces of `via` meet."""
    for text, start, end in pieces:
        if len(text) != end - start:
            yield (text, *via.written(start, end)) if end > start else (text, *via.point(start))
            continue
        at = start
        while at < end:
            first, last, (written_start, written_end) = via.bounds(at)
            stop = min(end, last)
            if last - first == written_end - written_start:
                yield text[at - start:stop - start], written_start + at - first, written_start + stop - first
            else:
                yield text[at - start:stop - start], written_start, written_end
            at = stop


def seen(detector: Detector, as_read: Readable) -> Iterator[Hit]:
    """The detector's hits in the readable text, at the written span each comes from."""
    for hit in detector(as_read.text):
        start, end = as_read.written(hit.start, hit.end)
        yield replace(hit, start=start, end=end)


def find(detector: Detector, text: str, as_read: Readable | None = None) -> list[Hit]:
    """The detector's hits in `text` as a reader sees it (`as_read`, by default the text read as a field is),
    and in what is written but never seen (a comment, a link's address: in the repository all the same), each
    at offsets into `text`, in order. Hits of one kind that overlap are one finding: the one that starts first,
    or the longer, is kept."""
    as_read = as_read or of_text(text)
    return found_in(detector, as_read, as_read.unseen(text))


def found_in(detector: Detector, as_read: Readable, unseen: Readable) -> list[Hit]:
    """`find` in a text already read both ways, as it is seen (`as_read`) and what of it is never seen
    (`unseen`), so that several detectors share the reading."""
    found = sorted([*seen(detector, as_read), *seen(detector, unseen)],
                   key=lambda hit: (hit.start, hit.start - hit.end))
    kept: list[Hit] = []
    reach: dict[str, int] = {}
    for hit in found:
        if hit.start >= reach.get(hit.kind, -1):
            kept.append(hit)
            reach[hit.kind] = hit.end
    return kept
