"""What a change (a pull request) alters since a commit: its files, and the editors' reviews it adds or removes.

The report uses it to list the findings a change's files hold that editors have accepted, and to say plainly
when a change records or withdraws reviews itself, so that a review can never slip in unremarked.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass

from narrative import reviews
from narrative.config import Settings
from narrative.reviews import Review, Reviews


class ChangesError(ValueError):
    """The commit to compare with is unknown to git; the message says so."""


@dataclass(frozen=True)
class Changes:
    """The files a change alters (as the site's folder shows them) and the reviews it adds and removes."""

    files: frozenset[str]
    added: tuple[Review, ...] = ()
    removed: tuple[Review, ...] = ()

    def touches(self, path: str) -> bool:
        """Whether the change alters the file at `path` or a review of it."""
        return path in self.files or any(review.path == path for review in (*self.added, *self.removed))


def _git(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], capture_output=True, text=True, check=False, cwd=settings.root)


def since(settings: Settings, base: str) -> Changes:
    """The changes in the working copy (committed or not, untracked files too) since the commit `base`."""
    changed = _git(settings, "diff", "--name-only", "--relative", base, "--")
    if changed.returncode != 0:
        raise ChangesError(f"'{base}' is not a commit git knows here: give a branch, tag or commit")
    untracked = _git(settings, "ls-files", "--others", "--exclude-standard").stdout
    earlier = _git(settings, "show", f"{base}:./{reviews.shown(settings)}")
    before = reviews.parse(earlier.stdout, reviews.shown(settings))[0] if earlier.returncode == 0 else Reviews()
    now = reviews.load(settings)[0]
    return Changes(frozenset((changed.stdout + untracked).split("\n")) - {""},
                   _missing_from(now, before), _missing_from(before, now))


def _missing_from(these: Reviews, those: Reviews) -> tuple[Review, ...]:
    return tuple(review for review in these.entries if not those.accepts(review))
