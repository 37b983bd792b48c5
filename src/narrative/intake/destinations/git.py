"""The default destination: a branch `submissions/<reference>` in the git repository the service runs in.

Made with git's own plumbing and a temporary index (`hash-object`, `update-index`, `write-tree`,
`commit-tree`), so the service's checkout, its index and its current branch are never touched. The branch is
created only if it does not exist (`update-ref` with an all-zero old value), so a second delivery finds the
first's commit. When the repository has the remote named by `NARRATIVE_INTAKE_GIT_REMOTE` (`origin` by
default), the branch is pushed there, and a failed push is retried like any failed delivery.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from narrative.intake.destinations import DeliveryError, branch, description, title
from narrative.intake.queue import Delivery
from narrative.intake.submission import Submission

NO_COMMIT = "0" * 40
ELSEWHERE = frozenset({"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR",
                       "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE", "GIT_PREFIX"})
"""Variables that would point git at another repository or index than the site's: a push's own (credentials,
SSH) are kept."""
GIT_TIMEOUT = 120
"""Seconds a git command may take (a push to a remote that does not answer): then it is tried again later.
git never asks for a password on the terminal: the worker has no one to answer."""
AUTHOR = ("narrative intake", "intake@localhost")
"""Who commits the branch: the service, not the writer, whose name may be theirs to keep."""


def run(root: Path, *args: str, data: bytes | None = None,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """git in `root`, on the site's repository whatever the environment points at, never asking at the
    terminal; `subprocess.TimeoutExpired` after `GIT_TIMEOUT`."""
    clean = {key: value for key, value in os.environ.items() if key not in ELSEWHERE}
    return subprocess.run(["git", *args], cwd=root, input=data or b"", capture_output=True,
                          env={**clean, "GIT_TERMINAL_PROMPT": "0", **(env or {})}, check=False, timeout=GIT_TIMEOUT)


class GitBranch:
    def __init__(self, root: Path, stories_dir: str, remote: str | None, base: str | None) -> None:
        self.root = root
        self.stories_dir = stories_dir
        self.remote = remote
        self.base = base

    def _git(self, *args: str, data: bytes | None = None, env: dict[str, str] | None = None) -> str:
        """git's answer, or `DeliveryError` naming the command (git's own words may hold a remote's address
        with a password in it, so they are left out)."""
        try:
            result = run(self.root, *args, data=data, env=env)
        except subprocess.TimeoutExpired:
            raise DeliveryError(f"git {args[0]} did not finish within {GIT_TIMEOUT} s") from None
        if result.returncode != 0:
            raise DeliveryError(f"git {args[0]} failed (exit {result.returncode})")
        return result.stdout.decode("utf-8").strip()

    def problem(self) -> str | None:
        try:
            self._git("rev-parse", "--verify", f"{self.base or 'HEAD'}^{{commit}}")
        except DeliveryError:
            return (f"{self.root.absolute()} is not in a git repository with a commit on "
                    f"{self.base or 'its current branch'}: start the service in the checkout of the story "
                    "repository, or set NARRATIVE_INTAKE_DESTINATION=github")
        return None

    def deliver(self, submission: Submission) -> Delivery:
        name = branch(submission)
        folder = f"{self._git('rev-parse', '--show-prefix')}{self.stories_dir}/"
        path = folder + submission.path
        commit = self.branch_commit(name) or self._commit(submission, name, folder)
        remote = self.pushes_to()
        if remote is not None:
            self._git("push", "--quiet", remote, f"refs/heads/{name}:refs/heads/{name}")
        return Delivery(submission.reference, submission.slug, path, name, commit)

    def branch_commit(self, name: str) -> str | None:
        """The commit the local branch `name` points at, or None when there is no such branch."""
        try:
            return self._git("rev-parse", "--verify", "--quiet", f"refs/heads/{name}^{{commit}}")
        except DeliveryError:
            return None

    def pushes_to(self) -> str | None:
        """The remote the branches are pushed to, when one is set and the repository has it."""
        if not self.remote:
            return None
        try:
            self._git("remote", "get-url", self.remote)
        except DeliveryError:
            return None
        return self.remote

    def _commit(self, submission: Submission, name: str, folder: str) -> str:
        """One commit on the base holding the story file and its pictures, made on a temporary index; the
        branch is created to point at it only if no delivery made it first."""
        base = self._git("rev-parse", "--verify", f"{self.base or 'HEAD'}^{{commit}}")
        files = [(folder + file_path, data) for file_path, data in submission.files]
        when = submission.received.isoformat()
        identity = {"GIT_AUTHOR_NAME": AUTHOR[0], "GIT_AUTHOR_EMAIL": AUTHOR[1], "GIT_AUTHOR_DATE": when,
                    "GIT_COMMITTER_NAME": AUTHOR[0], "GIT_COMMITTER_EMAIL": AUTHOR[1]}
        with tempfile.TemporaryDirectory(prefix="narrative-intake-") as scratch:
            index = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
            self._git("read-tree", base, env=index)
            for file_path, data in files:
                blob = self._git("hash-object", "-w", "--stdin", data=data)
                self._git("update-index", "--add", "--cacheinfo", f"100644,{blob},{file_path}", env=index)
            tree = self._git("write-tree", env=index)
        message = f"{title(submission)}\n\n{description(submission)}"
        commit = self._git("commit-tree", tree, "-p", base, "-F", "-", data=message.encode("utf-8"), env=identity)
        try:
            self._git("update-ref", f"refs/heads/{name}", commit, NO_COMMIT)
        except DeliveryError:
            existing = self.branch_commit(name)
            if existing is None:
                raise
            return existing
        return commit
