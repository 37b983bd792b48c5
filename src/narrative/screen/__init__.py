"""The editors' gate: what in a story looks like personal data, needs urgent safeguarding attention, or reads
harder than the site aims for.

Detectors work on plain strings and yield hits at offsets; `screen()` walks every text of every item (the
front-matter fields people write and the body), reads each as a reader sees it and what is written but never
shown (`readable`: the body as the site renders it), turns offsets into the file's lines, sets apart the
findings an editor has accepted (`narrative.reviews`; a story's own `reviewed:` accepts nothing), and decides
from the settings how much each finding matters. The same function serves `narrative check`, the MkDocs build
and the web form. Nothing here prints.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass

from narrative import languages, render, reviews
from narrative.background import on_all_cores
from narrative.config import LimitSettings, Settings
from narrative.model import Item, Unchecked
from narrative.problems import Problem, Severity
from narrative.reviews import Reviews
from narrative.screen import crisis, personal_data, readability, readable
from narrative.screen.finding import CRISIS, LANGUAGE, READABILITY, Finding, Hit
from narrative.screen.readability import Reading

__all__ = ["Finding", "Reading", "Screening", "errors", "screen", "screen_item"]

Detector = Callable[[str], Iterator[Hit]]
Screened = Item | Unchecked
"""What the screen reads: a valid item, or the words of a file that is not one."""

TEXT_FIELDS = ("title", "summary", "content_note", "author", "role", "location", "service", "responder", "place")
"""Front-matter fields holding words a person wrote, screened as well as the body."""


@dataclass(frozen=True)
class Screening:
    """Everything the screen found, the findings editors have accepted set apart, and how each file reads."""

    findings: tuple[Finding, ...] = ()
    readings: tuple[Reading, ...] = ()
    accepted: tuple[Finding, ...] = ()
    """Findings an editor has accepted: no longer problems, but always listed (masked) in the report."""

    @property
    def problems(self) -> list[Problem]:
        return [finding.problem for finding in self.findings]


def texts(item: Screened) -> Iterator[tuple[str | None, int | None, str]]:
    """Each text of an item as (field, line, text); the body's field is None and its line its first line."""
    lines = item.source.line_of
    if isinstance(item, Unchecked):
        yield from ((name, lines(name), text) for name, text in item.fields)
        yield None, item.source.body_line, item.body
        return
    for name in TEXT_FIELDS:
        value = getattr(item, name, None)
        if isinstance(value, str):
            yield name, lines(name), value
    consent = getattr(item, "consent", None)
    if consent is not None and consent.how:
        yield "consent", lines("consent"), consent.how
    for image in getattr(item, "images", ()):
        yield "images", lines("images"), image.alt
    yield None, item.source.body_line, item.body


_BREAK = re.compile("\n")


@functools.lru_cache(maxsize=4)
def _line_breaks(text: str) -> list[int]:
    """Where each line break of a text is, so that the line of a hit is found by bisection rather than by
    counting the breaks before it again for each hit (quadratic for a text of many findings)."""
    return [match.start() for match in _BREAK.finditer(text)]


def _as_read(item: Screened, field: str | None, text: str, limits: LimitSettings) -> readable.Readable:
    """A text as a reader sees it: a field's words, or the body as the site renders it when it has any markup
    (the render the check made, or the build's, which its pages reuse). A body never shown (a withdrawn
    story's, a conversation record's) is read past its markup as a field is, without rendering it; so is one
    that cannot be rendered, which the check reports on its own."""
    if field is not None or not readable.INLINE.search(text):
        return readable.of_text(text)
    if isinstance(item, Unchecked):
        html = render.readers_html(text, limits)
    else:
        html = render.readers_html(text, limits, item) if render.shown(item) else None
    return readable.of_text(text) if html is None else readable.of_html(text, html)


def _hits(item: Screened, field: str | None, text: str, detectors: Iterable[Detector],
          limits: LimitSettings) -> Iterator[Hit]:
    """What each detector finds in one text of an item, at offsets into the text as written."""
    as_read = _as_read(item, field, text, limits)
    unseen = as_read.unseen(text)
    for detector in detectors:
        yield from readable.found_in(detector, as_read, unseen)


def _severity(kind: str, settings: Settings) -> Severity:
    if kind in settings.screening.error_kinds:
        return Severity.ERROR
    return {CRISIS: Severity.URGENT, READABILITY: Severity.NOTE}.get(kind, Severity.WARNING)


def _accept(path: str, kind: str) -> str:
    return f"'narrative review {path} --accept {kind}'"


def _finding(path: str, field: str | None, line: int | None, text: str, hit: Hit, settings: Settings) -> Finding:
    """A hit placed in its file: a body hit on its own line, a front-matter hit on its field's line."""
    if field is None and line is not None:
        line += bisect.bisect_left(_line_breaks(text), hit.start)
    if hit.kind == CRISIS:
        message = (f"urgent: {hit.label} ('{hit.text}'): make sure the person is safe and follow the "
                   f"safeguarding procedure; once done, an editor accepts it with {_accept(path, CRISIS)}")
    else:
        message = (f"{hit.label} '{hit.text}': remove it, or once checked an editor accepts it with "
                   f"{_accept(path, hit.kind)}")
    return Finding(path, line, field, hit.kind, hit.label, hit.text, message, _severity(hit.kind, settings),
                   reviews.fingerprint(path, hit.kind, readable.plain(text[hit.start:hit.end])))


def _readability_note(item: Screened, reading: Reading, settings: Settings) -> Finding | None:
    aim = settings.screening.max_grade
    if reading.grade <= aim or reading.words < readability.MIN_WORDS:
        return None
    text = f"grade {reading.grade:g}, reading ease {reading.ease:g}"
    message = (f"reads at {text}, above the site's aim of grade {aim:g}: shorter sentences and everyday words "
               f"would help more people; or an editor accepts it with {_accept(reading.path, READABILITY)}")
    return Finding(reading.path, reading.line, None, READABILITY, "harder to read than the aim", text, message,
                   _severity(READABILITY, settings), reviews.fingerprint(reading.path, READABILITY, item.body))


def _text_findings(item: Screened, settings: Settings, detectors: Iterable[Detector],
                   kinds: Collection[str] | None = None) -> list[Finding]:
    """What `detectors` find in an item's texts, of `kinds` (all when None), in file order."""
    found = [
        _finding(item.source.path, field, line, text, hit, settings)
        for field, line, text in texts(item)
        for hit in _hits(item, field, text, detectors, settings.limits)
        if kinds is None or hit.kind in kinds
    ]
    return sorted(found, key=lambda finding: finding.line or 0)


def _language_note(item: Screened, tag: str, settings: Settings) -> Finding:
    """Crisis words and readability are English: an item in another language needs a reader who speaks it. The
    review is bound to every text the crisis screen would have read, so it lapses when any of them changes."""
    name = languages.english_name(tag)
    message = (f"not screened for crisis words: it is in {name}, so someone who speaks {name} must read it for "
               f"anything that means a person is at risk; once done, an editor accepts it with "
               f"{_accept(item.source.path, LANGUAGE)}")
    read = "\n".join(text for _, _, text in texts(item))
    return Finding(item.source.path, item.source.line_of("lang"), "lang", LANGUAGE, "not screened for crisis words",
                   name, message, _severity(LANGUAGE, settings), reviews.fingerprint(item.source.path, LANGUAGE, read))


def _findings(item: Screened, settings: Settings, detectors: Collection[Detector],
              kinds: Collection[str] | None = None) -> list[Finding]:
    """What `detectors` find in an item, of `kinds` (all when None), in file order. Personal data is looked for
    in every language; crisis words, which are English, only in English, and an item in another language is
    marked for a reader who speaks it instead."""
    tag = getattr(item, "lang", None)
    if languages.is_site_language(tag):
        return _text_findings(item, settings, detectors, kinds)
    findings = _text_findings(item, settings, [detector for detector in detectors if detector is not crisis.find],
                              kinds)
    if kinds is None or LANGUAGE in kinds:
        findings.append(_language_note(item, tag, settings))
    return sorted(findings, key=lambda finding: finding.line or 0)


def _split(findings: Iterable[Finding], on_record: Reviews) -> tuple[list[Finding], list[Finding]]:
    """The findings still to deal with, and those an editor has accepted."""
    active: list[Finding] = []
    accepted: list[Finding] = []
    for finding in findings:
        (accepted if on_record.accepts(finding) else active).append(finding)
    return active, accepted


def screen_item(item: Screened, settings: Settings,
                on_record: Reviews = Reviews()) -> tuple[list[Finding], list[Finding], Reading | None]:
    """One item's findings in file order, those an editor has accepted set apart, and how its body reads
    (English only: the scores are English's)."""
    findings = _findings(item, settings, (crisis.find, personal_data.find))
    if not languages.is_site_language(getattr(item, "lang", None)):
        return *_split(findings, on_record), None
    reading = readability.measure(item.source.path, item.source.body_line, item.body)
    note = _readability_note(item, reading, settings)
    findings = sorted([*findings, note], key=lambda finding: finding.line or 0) if note else findings
    return *_split(findings, on_record), reading


def errors(items: Iterable[Screened], settings: Settings, on_record: Reviews = Reviews()) -> list[Finding]:
    """Only the findings `screening.error_kinds` makes errors and no editor has accepted, looking only for those
    kinds: what a build or a deploy needs, without the full screen's cost (measuring readability alone costs
    more than rendering every page), and nothing at all when no kind is an error."""
    kinds = frozenset(settings.screening.error_kinds)
    if READABILITY in kinds:
        return [finding for finding in screen(items, settings, on_record).findings
                if finding.severity is Severity.ERROR]
    detectors = [detector for detector, wanted in ((crisis.find, CRISIS in kinds),
                                                   (personal_data.find, bool(kinds - {CRISIS, LANGUAGE})))
                 if wanted]
    if not detectors and LANGUAGE not in kinds:
        return []
    held = on_all_cores(functools.partial(_held, settings=settings, detectors=detectors, kinds=kinds,
                                          on_record=on_record), sorted(items, key=lambda item: item.source.path))
    return [finding for findings in held for finding in findings]


def _held(item: Screened, settings: Settings, detectors: list[Detector], kinds: frozenset[str],
          on_record: Reviews) -> list[Finding]:
    """One item's findings of `kinds` that no editor has accepted."""
    return _split(_findings(item, settings, detectors, kinds), on_record)[0]


def screen(items: Iterable[Screened], settings: Settings, on_record: Reviews = Reviews()) -> Screening:
    """Every finding in every item, file by file, those editors have accepted (`on_record`) set apart, and each
    item's reading; a long list is shared out among the machine's cores."""
    readability.load()  # once, before any helper is forked, rather than once in each
    screened = on_all_cores(functools.partial(screen_item, settings=settings, on_record=on_record),
                            sorted(items, key=lambda item: item.source.path))
    return Screening(tuple(finding for active, _, _ in screened for finding in active),
                     tuple(reading for _, _, reading in screened if reading is not None),
                     tuple(finding for _, accepted, _ in screened for finding in accepted))
