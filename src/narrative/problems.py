"""Problems are values: every check yields them, and each edge (CLI, hook, intake) reports them its own way."""

from __future__ import annotations

import difflib
import enum
from collections.abc import Iterable
from dataclasses import dataclass


class Severity(enum.Enum):
    """How much a problem matters: an error stops a build; the rest inform an editor, an urgent finding
    (words that may mean someone is at risk) before anything else, a note (how a story reads) last."""

    ERROR = "error"
    URGENT = "urgent"
    WARNING = "warning"
    NOTE = "note"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one file, located as precisely as we can: path, line and field."""

    path: str
    line: int | None
    field: str | None
    message: str
    code: str = "invalid"
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        place = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{place}: {self.field}: {self.message}" if self.field else f"{place}: {self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "field": self.field,
            "code": self.code,
            "message": self.message,
            "severity": self.severity.value,
        }


def has_errors(problems: Iterable[Problem]) -> bool:
    return any(problem.is_error for problem in problems)


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """File order, then line order, so a report reads like the files themselves."""
    return sorted(problems, key=lambda p: (p.path, p.line or 0, p.field or "", p.message))


def did_you_mean(value: object, choices: Iterable[str]) -> str:
    """A " (did you mean 'x'?)" hint for a near miss, or nothing when no choice is close."""
    close = difflib.get_close_matches(str(value), list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
