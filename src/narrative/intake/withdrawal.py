"""Taking a story back: a change for the editors that sets `status: withdrawn` on a published story, or, for one
never merged, its submission dropped (the branch deleted, or the pull request closed and its branch deleted).

`Withdrawals` is what a destination does for it; `GitWithdrawals` is the local git destination's: a branch
`withdrawals/<reference>` made with git's plumbing on a temporary index, like the submission's own, and pushed
where the submissions are. The GitHub destination's is in `destinations.github`.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Protocol

from narrative.intake.destinations import DeliveryError
from narrative.intake.destinations.git import AUTHOR, NO_COMMIT, GitBranch
from narrative.intake.queue import Delivery

BRANCH_PREFIX = "withdrawals/"
FRONT_MATTER = re.compile(r"\A(---[ \t]*\r?\n)(.*?)(^---[ \t]*$)", re.MULTILINE | re.DOTALL)
STATUS = re.compile(r"^status:.*$", re.MULTILINE)


def withdrawn_text(text: str) -> str:
    """The story file with `status: withdrawn` in its front matter and every other line as it was."""
    found = FRONT_MATTER.search(text)
    if found is None:
        return text
    front = found[2]
    front = STATUS.sub("status: withdrawn", front, count=1) if STATUS.search(front) else front + "status: withdrawn\n"
    return text[:found.start(2)] + front + text[found.end(2):]


def branch(reference: str) -> str:
    return f"{BRANCH_PREFIX}{reference}"


def message(reference: str) -> str:
    return (f"Withdraw the story with reference {reference}\n\nThe writer took their story back on the "
            "your-story page. Merge this to take it off the website: its address will say it was withdrawn at "
            "the writer's request.\n")


class Withdrawals(Protocol):
    def under_review(self, delivery: Delivery) -> bool:
        """Whether the submission is with the editors: its branch or pull request open, or merged."""

    def take_back(self, delivery: Delivery, base: str) -> bool:
        """Propose the story withdrawn on `base` (`status: withdrawn`) when it was merged, or else drop the
        submission, so nothing of it is left for an editor; whether it had been merged."""


class GitWithdrawals:
    """The local git destination's: branches in the service's repository, pushed to its remote when it has one."""

    def __init__(self, repository: GitBranch) -> None:
        self.repository = repository
        self._git = repository._git  # the same git, with the same environment, as the submissions'

    def under_review(self, delivery: Delivery) -> bool:
        return self.repository.branch_commit(delivery.branch) is not None

    def take_back(self, delivery: Delivery, base: str) -> bool:
        try:
            text = self._git("cat-file", "blob", f"{base}:{delivery.path}")
        except DeliveryError:  # not on the main branch: never merged
            self._drop(delivery.branch)
            return False
        name = branch(delivery.reference)
        if self.repository.branch_commit(name) is None:
            self._commit(delivery, withdrawn_text(text + "\n"), base, name)
        self._push(f"refs/heads/{name}:refs/heads/{name}")
        return True

    def _drop(self, name: str) -> None:
        """The branch deleted where the editors see it (the remote first: a failure there is tried again) and
        here."""
        remote = self.repository.pushes_to()
        if remote and self._git("ls-remote", "--heads", remote, f"refs/heads/{name}"):
            self._git("push", "--quiet", remote, f":refs/heads/{name}")
        if self.repository.branch_commit(name) is not None:
            self._git("update-ref", "-d", f"refs/heads/{name}")

    def _push(self, refspec: str) -> None:
        """Push to the remote the submissions go to, when the repository has it."""
        remote = self.repository.pushes_to()
        if remote is not None:
            self._git("push", "--quiet", remote, refspec)

    def _commit(self, delivery: Delivery, text: str, base: str, name: str) -> None:
        parent = self._git("rev-parse", "--verify", f"{base}^{{commit}}")
        identity = {"GIT_AUTHOR_NAME": AUTHOR[0], "GIT_AUTHOR_EMAIL": AUTHOR[1],
                    "GIT_COMMITTER_NAME": AUTHOR[0], "GIT_COMMITTER_EMAIL": AUTHOR[1]}
        with tempfile.TemporaryDirectory(prefix="narrative-withdraw-") as scratch:
            index = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
            self._git("read-tree", parent, env=index)
            blob = self._git("hash-object", "-w", "--stdin", data=text.encode("utf-8"))
            self._git("update-index", "--cacheinfo", f"100644,{blob},{delivery.path}", env=index)
            tree = self._git("write-tree", env=index)
        commit = self._git("commit-tree", tree, "-p", parent, "-F", "-", data=message(delivery.reference).encode(),
                           env=identity)
        self._git("update-ref", f"refs/heads/{name}", commit, NO_COMMIT)
