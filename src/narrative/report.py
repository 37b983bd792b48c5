"""The editor's report on a pull request, in Markdown: a one-line verdict, then a short section per file.

A pure function of the check's results, short enough to read on a phone. Within a file: errors first, then
urgent findings, then possible personal data, requests for review and findings editors have accepted (always
listed, masked), then how it reads. Files with nothing to flag are folded away. A change that records or
withdraws editors' reviews says so first, and is never called ready.
Everything taken from a file is escaped, so a story cannot add links, mentions or layout to the comment, and
personal data appears only masked, as the screen left it.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from narrative.changes import Changes
from narrative.presentation import listed, one_line, plural
from narrative.problems import Problem, Severity, has_errors
from narrative.screen import Finding, Reading, Screening
from narrative.screen.finding import LANGUAGE, READABILITY

_MARKDOWN = re.compile(r"([\\`*_\[\]<>|~&])")
_LINKABLE = re.compile(r"(?i)(:)(//)|\b(www)(\.)")
"""What GitHub turns into a link even without Markdown's marks: `https://...` and `www.`."""
_JOINER = "\u2060"
"""A word joiner: invisible, but it stops GitHub from reading a mention or a bare link."""


def escape(text: str) -> str:
    """Text shown as written: Markdown's marks backslashed, mentions and bare links (`https://`, `www.`) broken
    with a word joiner, one line."""
    escaped = _MARKDOWN.sub(r"\\\1", one_line(text)).replace("@", "@" + _JOINER)
    return _LINKABLE.sub(lambda match: _JOINER.join(part for part in match.groups() if part), escaped)


def _code(text: str) -> str:
    """Text for inside a code span, which shows backslashes: a backtick would end the span, so it goes."""
    return one_line(text).replace("`", "'")


def _place(line: int | None, name: str | None) -> str:
    where = f"Line {line}" if line is not None else "The file"
    return f"{where} ({escape(name)})" if name else where


def _scores(reading: Reading) -> str:
    return f"{reading.words} words, reading ease {reading.ease:g}, grade {reading.grade:g}"


@dataclass
class _File:
    """One file's section: its entries in the order the report gives them, and how it reads."""

    errors: list[str] = field(default_factory=list)
    urgent: list[str] = field(default_factory=list)
    personal: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    reading: Reading | None = None
    hard_to_read: bool = False
    redactable: bool = False
    """It holds personal data (an error or not), which `narrative redact` can replace by placeholders."""

    @property
    def flagged(self) -> bool:
        return bool(self.errors or self.urgent or self.personal or self.requests or self.accepted or self.warnings
                    or self.hard_to_read)


def _entry(finding: Finding) -> str:
    place = _place(finding.line, finding.field)
    if finding.urgent:
        error = " (an error on this site)" if finding.severity is Severity.ERROR else ""
        return f"{place}: {finding.label}: “{escape(finding.text)}”{error}"
    return f"{place}: {finding.label} `{finding.text}`"


REVIEW_REQUEST = "review-request"
"""The code of the note on a file's `reviewed:` field: a request, listed under its own heading."""


def _files(problems: Sequence[Problem], screening: Screening, changes: Changes | None) -> dict[str, _File]:
    files: dict[str, _File] = defaultdict(_File)
    for problem in problems:
        section = files[problem.path]
        entries = (section.errors if problem.is_error else section.requests if problem.code == REVIEW_REQUEST
                   else section.warnings)
        entries.append(f"{_place(problem.line, problem.field)}: {escape(problem.message)}")
    for finding in screening.accepted:
        if changes is None or changes.touches(finding.path):
            files[finding.path].accepted.append(_entry(finding))
    for finding in screening.findings:
        section = files[finding.path]
        if finding.kind == READABILITY and finding.severity is not Severity.ERROR:
            section.hard_to_read = True
        elif finding.urgent:
            section.urgent.append(_entry(finding))
        elif finding.kind == LANGUAGE:  # what to do is the whole of it: the message says who must read it
            entries = section.errors if finding.severity is Severity.ERROR else section.warnings
            entries.append(f"{_place(finding.line, finding.field)}: {escape(finding.message)}")
        else:
            (section.errors if finding.severity is Severity.ERROR else section.personal).append(_entry(finding))
            section.redactable |= finding.kind != READABILITY  # the rest is personal data
    for reading in screening.readings:
        files[reading.path].reading = reading
    return dict(sorted(files.items()))


def _section(path: str, section: _File) -> list[str]:
    lines = [f"### {escape(path)}", ""]
    for title, entries in (("Errors: fix before merging", section.errors),
                           ("Urgent: safeguarding", section.urgent),
                           ("Possible personal data", section.personal),
                           ("Review requested", section.requests),
                           ("Accepted by an editor: confirm each may stay", section.accepted),
                           ("Also check", section.warnings)):
        if entries:
            lines += [f"**{title}**", "", *(f"- {entry}" for entry in entries), ""]
        if section.redactable and entries and entries is (section.personal or section.errors):  # once, after it
            lines += [f"To replace them with placeholders, run `narrative redact {_code(path)}`.", ""]
    if section.reading is not None:
        note = (" Harder to read than this site aims for: shorter sentences and everyday words would help more "
                "people.") if section.hard_to_read else ""
        lines += [f"**Readability:** {_scores(section.reading)}.{note}", ""]
    return lines


COUNTED = (("errors", "error to fix", "errors to fix"),
           ("urgent", "urgent safeguarding finding", "urgent safeguarding findings"),
           ("personal", "possible piece of personal data", "possible pieces of personal data"),
           ("requests", "request for review", "requests for review"),
           ("accepted", "finding accepted by an editor", "findings accepted by an editor"))


def _verdict(files: dict[str, _File], failing: bool, checked: int, reviews_changed: bool) -> str:
    counts = {name: sum(len(getattr(section, name)) for section in files.values()) for name, _, _ in COUNTED}
    parts = [plural(counts[name], one, many) for name, one, many in COUNTED if counts[name]]
    parts += ["a change to the editors' reviews"] if reviews_changed else []
    where = plural(checked, "file")
    if not parts:
        return f"✅ **Ready for an editor:** no errors, urgent findings or personal data in {where}."
    title = ("❌ **Not ready to publish:**" if failing else "🚨 **Urgent:**" if counts["urgent"]
             else "⚠️ **Check before publishing:**" if counts["personal"] else "🔎 **For an editor to confirm:**")
    return f"{title} {listed(parts)} in {where}."


def _review_changes(changes: Changes | None, screening: Screening) -> list[str]:
    """The reviews a change records or withdraws, said before anything else: a review must never slip in."""
    if changes is None or not (changes.added or changes.removed):
        return []
    found = {(finding.path, finding.kind, finding.fingerprint): finding for finding in screening.accepted}
    added = [f"- {escape(review.path)}: {_entry(found[key])}" if (key := (review.path, review.kind,
                                                                           review.fingerprint)) in found
             else f"- {escape(review.path)}: a review of {review.kind} that matches nothing in the file"
             for review in changes.added]
    removed = [f"- {escape(review.path)}: the review of {review.kind} is withdrawn" for review in changes.removed]
    return ["**This change alters the editors' reviews.** Only an editor may accept a finding: check each one "
            "below before merging.", "", *added, *removed, ""]


ADVICE = {
    "errors": "**Errors** stop the site from building: fix each one in the file.",
    "urgent": ("**Urgent:** make sure the person is safe and tell the safeguarding lead now, before anything "
               "else. Then an editor records it as dealt with: `narrative review PATH --accept crisis`."),
    "personal": ("**Personal data:** remove it, or an editor who has checked it may stay records that with "
                 "`narrative review PATH --accept KIND`, e.g. `--accept phone`."),
    "requests": ("**Review requested:** `reviewed:` in a file accepts nothing by itself; an editor who has checked "
                 "each finding runs `narrative review PATH --accept KIND`."),
    "accepted": ("**Accepted by an editor:** each review holds only while the text it was made on is unchanged; "
                 "confirm that each finding still may stay."),
}
"""Said once at the end, for the kinds of entry the report holds, rather than under every file."""


LENGTH = 60_000
"""Characters the report keeps to: GitHub takes 65,536 in a comment (and 1 MiB in a job's summary), and a
file can hold hundreds of thousands of findings. What is left out is counted, and `narrative check` lists it."""
ENTRIES = 50
"""Entries a file's section lists under each heading; the rest are counted."""
QUIET = 100
"""Files with nothing to flag that are listed by name; the rest are counted."""


LISTS = ("errors", "urgent", "personal", "requests", "accepted", "warnings")
"""A file section's lists of entries, in the order the report gives them."""


def _shortened(section: _File) -> tuple[_File, int]:
    """The section with no more than `ENTRIES` entries under each heading, and how many were left out."""
    kept = {name: getattr(section, name)[:ENTRIES] for name in LISTS}
    left = sum(len(getattr(section, name)) - len(entries) for name, entries in kept.items())
    return dataclasses.replace(section, **kept), left


def _flagged_sections(files: dict[str, _File], room: int) -> list[str]:
    """Each flagged file's section, in path order, as many as fit in `room` characters (files with urgent
    findings first, then those with errors), then a line saying how many entries (and files) were
    left out, and where to read them all."""
    flagged = [(path, section) for path, section in files.items() if section.flagged]
    kept: dict[str, list[str]] = {}
    size, left = 0, 0
    for path, section in sorted(flagged, key=lambda pair: (not pair[1].urgent, not pair[1].errors)):
        shortened, dropped = _shortened(section)
        text = _section(path, shortened)
        length = sum(len(line) + 1 for line in text)
        if size + length > room:
            left += sum(len(getattr(section, name)) for name in LISTS)
            continue
        size, left, kept[path] = size + length, left + dropped, text
    lines = [line for path, _ in flagged if path in kept for line in kept[path]]
    if left:
        files_left = len(flagged) - len(kept)
        where = f" (and {plural(files_left, 'file')} more)" if files_left else ""
        lines += [f"**{plural(left, 'more entry', 'more entries')}{where} left out to keep this report short:** "
                  "run `narrative check` on the files to see every one.", ""]
    return lines


def markdown(problems: Sequence[Problem], screening: Screening, checked: int, changes: Changes | None = None) -> str:
    """The report on the check's own problems and the screen's findings and readings; `checked` is the number
    of files looked at. With `changes` (what a pull request alters), findings editors have accepted are listed
    for the files it touches, and reviews it records or withdraws are listed first; without, all are listed."""
    files = _files(problems, screening, changes)
    failing = has_errors([*problems, *screening.problems])
    changed = _review_changes(changes, screening)
    lines = [_verdict(files, failing, checked, bool(changed)), "", *changed]
    lines += _flagged_sections(files, LENGTH - sum(len(line) + 1 for line in lines))
    quiet = [(path, section.reading) for path, section in files.items() if not section.flagged and section.reading]
    if quiet:
        more = [f"- and {plural(len(quiet) - QUIET, 'more file')}"] if len(quiet) > QUIET else []
        lines += [f"<details><summary>{plural(len(quiet), 'file')} with nothing to flag</summary>", "",
                  *(f"- {escape(path)}: {_scores(reading)}" for path, reading in quiet[:QUIET]), *more, "",
                  "</details>", ""]
    advice = [text for name, text in ADVICE.items() if any(getattr(section, name) for section in files.values())]
    if advice:
        lines += ["**What to do**", "", *(f"- {text}" for text in advice), ""]
    return "\n".join(lines).rstrip() + "\n"
