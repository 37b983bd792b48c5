"""The editors' gate: what in a story looks like personal data, needs urgent safeguarding attention, or reads
harder than the site aims for.

Detectors work on plain strings and yield hits at offsets; `screen()` walks every text of every item (the
front-matter fields people write and the body), turns offsets into the file's lines, leaves out the kinds an
editor has accepted in `reviewed:`, and decides from the settings how much each finding matters. The same
function serves `narrative check`, the MkDocs build and the web form. Nothing here prints.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass

from narrative import languages
from narrative.background import on_all_cores
from narrative.config import Settings
from narrative.model import Item, Unchecked
from narrative.problems import Problem, Severity
from narrative.screen import crisis, personal_data, readability
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
    """Everything the screen found, and how each screened file reads."""

    findings: tuple[Finding, ...] = ()
    readings: tuple[Reading, ...] = ()

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


def _severity(kind: str, settings: Settings) -> Severity:
    if kind in settings.screening.error_kinds:
        return Severity.ERROR
    return {CRISIS: Severity.URGENT, READABILITY: Severity.NOTE}.get(kind, Severity.WARNING)


def _finding(path: str, field: str | None, line: int | None, text: str, hit: Hit, settings: Settings) -> Finding:
    """A hit placed in its file: a body hit on its own line, a front-matter hit on its field's line."""
    if field is None and line is not None:
        line += text.count("\n", 0, hit.start)
    if hit.kind == CRISIS:
        message = (f"urgent: {hit.label} ('{hit.text}'): make sure the person is safe and follow the "
                   f"safeguarding procedure; once done, add '{CRISIS}' to 'reviewed:'")
    else:
        message = f"{hit.label} '{hit.text}': remove it, or once checked add '{hit.kind}' to 'reviewed:'"
    return Finding(path, line, field, hit.kind, hit.label, hit.text, message, _severity(hit.kind, settings))


def _readability_note(reading: Reading, settings: Settings) -> Finding | None:
    aim = settings.screening.max_grade
    if reading.grade <= aim or reading.words < readability.MIN_WORDS:
        return None
    text = f"grade {reading.grade:g}, reading ease {reading.ease:g}"
    message = (f"reads at {text}, above the site's aim of grade {aim:g}: shorter sentences and everyday words "
               f"would help more people; or add '{READABILITY}' to 'reviewed:'")
    return Finding(reading.path, reading.line, None, READABILITY, "harder to read than the aim", text, message,
                   _severity(READABILITY, settings))


def _text_findings(item: Screened, settings: Settings, detectors: Iterable[Detector],
                   kinds: Collection[str] | None = None) -> list[Finding]:
    """What `detectors` find in an item's texts, of `kinds` (all when None), less the kinds it has reviewed."""
    accepted = set(item.reviewed)
    return [
        _finding(item.source.path, field, line, text, hit, settings)
        for field, line, text in texts(item)
        for detector in detectors
        for hit in detector(text)
        if hit.kind not in accepted and (kinds is None or hit.kind in kinds)
    ]


def _language_note(item: Screened, tag: str, settings: Settings) -> Finding | None:
    """Crisis words and readability are English: an item in another language needs a reader who speaks it."""
    if LANGUAGE in item.reviewed:
        return None
    name = languages.english_name(tag)
    message = (f"not screened for crisis words: it is in {name}, so someone who speaks {name} must read it for "
               f"anything that means a person is at risk; once done, add '{LANGUAGE}' to 'reviewed:'")
    return Finding(item.source.path, item.source.line_of("lang"), "lang", LANGUAGE, "not screened for crisis words",
                   name, message, _severity(LANGUAGE, settings))


def screen_item(item: Screened, settings: Settings) -> tuple[list[Finding], Reading | None]:
    """One item's findings, in file order, and how its body reads (English only: the scores are English's).
    Personal data is looked for in every language; crisis words, which are English, only in English."""
    tag = getattr(item, "lang", None)
    if not languages.is_site_language(tag):
        findings = _text_findings(item, settings, (personal_data.find,))
        findings += [note] if (note := _language_note(item, tag, settings)) else []
        return sorted(findings, key=lambda finding: finding.line or 0), None
    findings = _text_findings(item, settings, (crisis.find, personal_data.find))
    reading = readability.measure(item.source.path, item.source.body_line, item.body)
    note = None if READABILITY in item.reviewed else _readability_note(reading, settings)
    findings += [note] if note else []
    return sorted(findings, key=lambda finding: finding.line or 0), reading


def errors(items: Iterable[Item], settings: Settings) -> list[Problem]:
    """Only the findings `screening.error_kinds` makes errors, looking only for those kinds: what a build or a
    deploy needs, without the full screen's cost (measuring readability alone costs more than rendering every
    page), and nothing at all when no kind is an error."""
    kinds = frozenset(settings.screening.error_kinds)
    if kinds & {READABILITY, LANGUAGE}:
        return [problem for problem in screen(items, settings).problems if problem.is_error]
    detectors = [detector for detector, wanted in ((crisis.find, CRISIS in kinds),
                                                   (personal_data.find, bool(kinds - {CRISIS}))) if wanted]
    if not detectors:
        return []
    findings = [finding for item in sorted(items, key=lambda item: item.source.path)
                for finding in sorted(_text_findings(item, settings, detectors, kinds),
                                      key=lambda finding: finding.line or 0)]
    return [finding.problem for finding in findings]


def screen(items: Iterable[Screened], settings: Settings) -> Screening:
    """Every finding in every item, file by file, and each item's reading; a long list is shared out among the
    machine's cores."""
    readability.load()  # once, before any helper is forked, rather than once in each
    screened = on_all_cores(functools.partial(screen_item, settings=settings),
                            sorted(items, key=lambda item: item.source.path))
    findings = tuple(finding for item_findings, _ in screened for finding in item_findings)
    return Screening(findings, tuple(reading for _, reading in screened if reading is not None))
