"""Editors' reviews: findings an editor has checked and accepted, kept apart from the stories in one file.

A review is an editor's act that a contributor cannot forge by editing a story: the file (`stories/reviews.yml`)
is given to editors in CODEOWNERS, and each entry is bound to the story's file and to a fingerprint of the text
the finding was made in, so changing that text makes the review lapse and the finding is reported again. A
story's own `reviewed:` field only asks for a review; it accepts nothing.

The fingerprint is a hash of the file's path, the kind and the matched text (case and spacing evened out), so
the file holds no personal data, only which findings were accepted where.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

import yaml

from narrative import loader
from narrative.config import FINDING_KINDS, Settings
from narrative.problems import Problem, did_you_mean

FILE = "reviews.yml"
"""The reviews' file, in the stories folder."""
HEADER = """\
# Findings an editor has checked and accepted, written by 'narrative review PATH --accept KIND'.
# Each is bound to the text it was found in: when that text changes, the review lapses and the check reports
# the finding again. Only editors may change this file (see .github/CODEOWNERS).
"""
_FINGERPRINT = re.compile(r"^[0-9a-f]{32}$")


def fingerprint(path: str, kind: str, text: str) -> str:
    """What binds a review to a finding: a hash of the file, the kind and the text found, whatever its case
    and spacing, so that a review lapses when the text changes and holds when it is only reflowed."""
    normal = " ".join(text.casefold().split())
    return hashlib.sha256(f"{path}\0{kind}\0{normal}".encode()).hexdigest()[:32]


class Found(Protocol):
    """What a review is bound to: a finding's file, kind and fingerprint."""

    @property
    def path(self) -> str: ...

    @property
    def kind(self) -> str: ...

    @property
    def fingerprint(self) -> str: ...


@dataclass(frozen=True)
class Review:
    """One accepted finding: the file, its kind and fingerprint, and where and when it was accepted."""

    path: str
    kind: str
    fingerprint: str
    line: int | None = None
    date: dt.date | None = None

    def as_entry(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"kind": self.kind, "fingerprint": self.fingerprint}
        if self.line is not None:
            entry["line"] = self.line
        if self.date is not None:
            entry["date"] = self.date
        return entry


@dataclass(frozen=True)
class Reviews:
    """Every review on record."""

    entries: tuple[Review, ...] = ()

    @cached_property
    def _keys(self) -> frozenset[tuple[str, str, str]]:
        return frozenset((review.path, review.kind, review.fingerprint) for review in self.entries)

    def accepts(self, found: Found) -> bool:
        """Whether an editor has accepted a finding of `found`'s kind and fingerprint in its file: `found` is a
        finding, or a review of one."""
        return (found.path, found.kind, found.fingerprint) in self._keys


def location(settings: Settings) -> Path:
    return settings.stories_path / FILE


def shown(settings: Settings) -> str:
    """The reviews' file as an editor knows it, from the site's folder."""
    return f"{settings.stories_dir.rstrip('/')}/{FILE}"


def load(settings: Settings) -> tuple[Reviews, list[Problem]]:
    """The reviews on record (none when the file is absent), and every problem with the file, each at its line."""
    name = shown(settings)
    if loader.links_out(location(settings), settings.root.resolve()):
        return Reviews(), [loader.link_out(name)]  # never read: it could show anything on the machine
    try:
        text = location(settings).read_text(encoding="utf-8")
    except FileNotFoundError:
        return Reviews(), []
    except (OSError, UnicodeDecodeError) as error:
        return Reviews(), [Problem(name, 1, None, f"cannot be read: {error}", "bad-reviews")]
    return parse(text, name)


def parse(text: str, name: str) -> tuple[Reviews, list[Problem]]:
    """The reviews in the text of a reviews' file called `name`, and every problem with it, each at its line."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        return Reviews(), [Problem(name, mark.line + 1 if mark else 1, None, "is not valid YAML: "
                                   f"{getattr(error, 'problem', None) or error}", "bad-reviews")]
    if node is None:
        return Reviews(), []
    if not isinstance(node, yaml.MappingNode):
        return Reviews(), [Problem(name, node.start_mark.line + 1, None, "must list reviews under each file's path, "
                                   "as 'narrative review' writes them", "bad-reviews")]
    entries, problems = [], []
    for key, value in node.value:
        for entry_or_problem in _entries(name, key, value):
            (problems if isinstance(entry_or_problem, Problem) else entries).append(entry_or_problem)
    return Reviews(tuple(entries)), problems


def _entries(name: str, key: yaml.Node, value: yaml.Node) -> Iterator[Review | Problem]:
    path = key.value if isinstance(key, yaml.ScalarNode) else None
    if not path or not isinstance(value, yaml.SequenceNode):
        yield Problem(name, key.start_mark.line + 1, None, "each file's path needs a list of reviews under it, as "
                      "'narrative review' writes them", "bad-reviews")
        return
    for node in value.value:
        line = node.start_mark.line + 1
        raw = yaml.SafeLoader("").construct_object(node, deep=True) if isinstance(node, yaml.MappingNode) else None
        if not isinstance(raw, dict):
            yield Problem(name, line, path, "each review needs a kind and a fingerprint", "bad-reviews")
            continue
        kind, print_ = raw.get("kind"), raw.get("fingerprint")
        if kind not in FINDING_KINDS:
            yield Problem(name, line, path, f"unknown finding kind {kind!r}"
                          f"{did_you_mean(kind, FINDING_KINDS) if isinstance(kind, str) else ''}", "bad-reviews")
        elif not isinstance(print_, str) or not _FINGERPRINT.match(print_):
            yield Problem(name, line, path, "the fingerprint must be the 32 letters and digits 'narrative review' "
                          "writes", "bad-reviews")
        else:
            found_at, day = raw.get("line"), raw.get("date")
            yield Review(path, kind, print_, found_at if isinstance(found_at, int) else None,
                         day if isinstance(day, dt.date) else None)


class _Dumper(yaml.SafeDumper):
    """Writes each value out in full: reviews recorded on one day share one date, which YAML would otherwise
    write once as an anchor (`&id001`) and then as aliases, a puzzle for an editor reading the file."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def record(settings: Settings, new: Iterable[Review],
           lapsed: Iterable[Review] = ()) -> tuple[list[Review], list[Problem]]:
    """Add reviews to the file (writing it if need be), less the `lapsed` ones, and return those not already on
    record; or, when the file has problems, change nothing and return them."""
    reviews, problems = load(settings)
    if problems:
        return [], problems
    added = [review for review in dict.fromkeys(new) if not reviews.accepts(review)]
    gone = set(lapsed)
    by_path: dict[str, list[dict[str, Any]]] = {}
    kept = [review for review in reviews.entries if review not in gone]
    for review in sorted([*kept, *added], key=lambda review: (review.path, review.line or 0)):
        by_path.setdefault(review.path, []).append(review.as_entry())
    location(settings).write_text(HEADER + yaml.dump(by_path, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                                                     default_flow_style=None, width=120), encoding="utf-8")
    return added, []
