"""The editor's report on a pull request, in Markdown: a one-line verdict, then a short section per file.

A pure function of the check's results, short enough to read on a phone. Within a file: errors first, then
urgent findings, then possible personal data, then how it reads. Files with nothing to flag are folded away.
Everything taken from a file is escaped, so a story cannot add links, mentions or layout to the comment, and
personal data appears only masked, as the screen left it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from narrative.presentation import one_line, plural
from narrative.problems import Problem, Severity, has_errors
from narrative.screen import Finding, Reading, Screening
from narrative.screen.finding import READABILITY

_MARKDOWN = re.compile(r"([\\`*_\[\]<>|~&])")


def escape(text: str) -> str:
    """Text shown as written: Markdown's marks backslashed, mentions broken with a word joiner, one line."""
    return _MARKDOWN.sub(r"\\\1", one_line(text)).replace("@", "@\u2060")


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
    warnings: list[str] = field(default_factory=list)
    reading: Reading | None = None
    hard_to_read: bool = False

    @property
    def flagged(self) -> bool:
        return bool(self.errors or self.urgent or self.personal or self.warnings or self.hard_to_read)


def _entry(finding: Finding) -> str:
    place = _place(finding.line, finding.field)
    if finding.urgent:
        error = " (an error on this site)" if finding.severity is Severity.ERROR else ""
        return f"{place}: {finding.label}: “{escape(finding.text)}”{error}"
    return f"{place}: {finding.label} `{finding.text}`"


def _files(problems: Sequence[Problem], screening: Screening) -> dict[str, _File]:
    files: dict[str, _File] = defaultdict(_File)
    for problem in problems:
        section = files[problem.path]
        (section.errors if problem.is_error else section.warnings).append(
            f"{_place(problem.line, problem.field)}: {escape(problem.message)}")
    for finding in screening.findings:
        section = files[finding.path]
        if finding.kind == READABILITY and finding.severity is not Severity.ERROR:
            section.hard_to_read = True
        elif finding.urgent:
            section.urgent.append(_entry(finding))
        elif finding.severity is Severity.ERROR:
            section.errors.append(_entry(finding))
        else:
            section.personal.append(_entry(finding))
    for reading in screening.readings:
        files[reading.path].reading = reading
    return dict(sorted(files.items()))


def _section(path: str, section: _File) -> list[str]:
    lines = [f"### {escape(path)}", ""]
    for title, entries in (("Errors: fix before merging", section.errors),
                           ("Urgent: safeguarding", section.urgent),
                           ("Possible personal data", section.personal),
                           ("Also check", section.warnings)):
        if entries:
            lines += [f"**{title}**", "", *(f"- {entry}" for entry in entries), ""]
        if entries and entries is section.personal:
            lines += [f"To replace them with placeholders, run `narrative redact {_code(path)}`.", ""]
    if section.reading is not None:
        note = (" Harder to read than this site aims for: shorter sentences and everyday words would help more "
                "people.") if section.hard_to_read else ""
        lines += [f"**Readability:** {_scores(section.reading)}.{note}", ""]
    return lines


def _verdict(files: dict[str, _File], failing: bool, checked: int) -> str:
    errors, urgent, personal = (sum(len(getattr(section, name)) for section in files.values())
                                for name in ("errors", "urgent", "personal"))
    parts = [text for number, text in ((errors, plural(errors, "error to fix", "errors to fix")),
                                       (urgent, plural(urgent, "urgent safeguarding finding",
                                                       "urgent safeguarding findings")),
                                       (personal, plural(personal, "possible piece of personal data",
                                                         "possible pieces of personal data")))
             if number]
    where = plural(checked, "file")
    if not parts:
        return f"✅ **Ready for an editor:** no errors, urgent findings or personal data in {where}."
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    title = ("❌ **Not ready to publish:**" if failing else "🚨 **Urgent:**" if urgent
             else "⚠️ **Check before publishing:**")
    return f"{title} {listed} in {where}."


ADVICE = {
    "errors": "**Errors** stop the site from building: fix each one in the file.",
    "urgent": ("**Urgent:** make sure the person is safe and tell the safeguarding lead now, before anything "
               "else. Then add `crisis` to `reviewed:` in the file's front matter."),
    "personal": ("**Personal data:** remove it, or once you have checked it may stay, add its kind to "
                 "`reviewed:` in the front matter, e.g. `reviewed: [phone]`."),
}
"""Said once at the end, for the kinds of entry the report holds, rather than under every file."""


def markdown(problems: Sequence[Problem], screening: Screening, checked: int) -> str:
    """The report on the check's own problems and the screen's findings and readings; `checked` is the number
    of files looked at."""
    files = _files(problems, screening)
    failing = has_errors([*problems, *screening.problems])
    lines = [_verdict(files, failing, checked), ""]
    for path, section in files.items():
        if section.flagged:
            lines += _section(path, section)
    quiet = [(path, section.reading) for path, section in files.items() if not section.flagged and section.reading]
    if quiet:
        lines += [f"<details><summary>{plural(len(quiet), 'file')} with nothing to flag</summary>", "",
                  *(f"- {escape(path)}: {_scores(reading)}" for path, reading in quiet), "", "</details>", ""]
    advice = [text for name, text in ADVICE.items() if any(getattr(section, name) for section in files.values())]
    if advice:
        lines += ["**What to do**", "", *(f"- {text}" for text in advice), ""]
    return "\n".join(lines).rstrip() + "\n"
