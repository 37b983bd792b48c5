"""The git destination on a real repository with a bare remote, and the worker delivering through it."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from narrative.intake.destinations import DeliveryError, description
from narrative.intake.destinations import git as git_destination
from narrative.intake.destinations.git import GitBranch
from narrative.intake.keys import Keys, new_key
from narrative.intake.queue import Delivery, Queue
from narrative.intake.submission import Submission
from narrative.intake.worker import LONGEST_WAIT, Worker, backoff
from narrative.redact import Removal
from tests.content import write_site
from tests.intake import git, git_site

RECEIVED = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
SUBMISSION = Submission("HM-7K3Q-2F9D", "ward-7", "---\ntitle: Ward 7\n---\nWords.\n",
                        (("ward-7/photo-1.jpg", b"\xff\xd8picture"),), (Removal("phone", "phone number", 7),),
                        True, RECEIVED)
BRANCH = "submissions/HM-7K3Q-2F9D"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return git_site(tmp_path)


def checkout(root: Path) -> tuple[str, str, str, bytes]:
    """What the service's own checkout is: its branch, its commit, its status and its index."""
    return (git(root, "branch", "--show-current"), git(root, "rev-parse", "HEAD"), git(root, "status", "--short"),
            (root / ".git" / "index").read_bytes())


def test_one_commit_on_its_own_branch_and_the_checkout_untouched(root: Path, tmp_path: Path) -> None:
    before = checkout(root)
    delivery = GitBranch(root, "stories", "origin", None).deliver(SUBMISSION)
    commit = git(root, "rev-parse", BRANCH).strip()
    assert delivery == Delivery("HM-7K3Q-2F9D", "ward-7", "stories/patient/ward-7.md", BRANCH, commit)
    assert checkout(root) == before
    assert git(root, "rev-list", "--count", f"main..{BRANCH}") == "1\n"
    assert git(root, "diff", "--name-only", f"main..{BRANCH}").split() == [
        "stories/patient/ward-7.md", "stories/patient/ward-7/photo-1.jpg"]
    assert git(root, "show", f"{BRANCH}:stories/patient/ward-7.md") == SUBMISSION.markdown
    assert git(root, "log", "-1", "--format=%an <%ae>%n%B", BRANCH) == (
        f"narrative intake <intake@localhost>\nUrgent: new story from the web form (HM-7K3Q-2F9D)\n\n"
        f"{description(SUBMISSION)}\n")
    assert git(tmp_path / "remote.git", "rev-parse", BRANCH).strip() == commit


def test_delivering_twice_makes_one_branch_and_one_commit(root: Path) -> None:
    destination = GitBranch(root, "stories", "origin", None)
    first = destination.deliver(SUBMISSION)
    assert destination.deliver(SUBMISSION) == first
    assert git(root, "branch", "--list", "submissions/*").split() == [BRANCH]
    assert git(root, "rev-list", "--count", f"main..{BRANCH}") == "1\n"


def test_a_site_in_a_folder_of_the_repository(tmp_path: Path) -> None:
    outer = tmp_path / "outer"
    write_site(outer / "site")
    git(outer, "init", "-q", "-b", "main")
    git(outer, "add", "-A")
    git(outer, "-c", "user.name=E", "-c", "user.email=e@example.org", "commit", "-q", "-m", "The site")
    delivery = GitBranch(outer / "site", "stories", "origin", None).deliver(SUBMISSION)  # no such remote: kept
    assert delivery.path == "site/stories/patient/ward-7.md"
    assert git(outer, "show", f"{BRANCH}:site/stories/patient/ward-7.md") == SUBMISSION.markdown


def test_a_failing_push_is_an_error_and_a_retry_pushes_the_same_commit(root: Path, tmp_path: Path) -> None:
    shutil.move(tmp_path / "remote.git", tmp_path / "away.git")
    destination = GitBranch(root, "stories", "origin", None)
    with pytest.raises(DeliveryError) as raised:
        destination.deliver(SUBMISSION)
    assert str(raised.value) == "git push failed (exit 128)"
    shutil.move(tmp_path / "away.git", tmp_path / "remote.git")
    delivery = destination.deliver(SUBMISSION)
    assert git(tmp_path / "remote.git", "rev-parse", BRANCH).strip() == delivery.commit


def test_the_worker_retries_with_backoff_then_delivers_and_forgets(root: Path, tmp_path: Path) -> None:
    now = [RECEIVED.timestamp()]
    queue = Queue(tmp_path / "state", Keys.from_text(new_key()))
    queue.put(SUBMISSION)
    shutil.move(tmp_path / "remote.git", tmp_path / "away.git")
    worker = Worker(queue, GitBranch(root, "stories", "origin", None), retry_seconds=2, clock=lambda: now[0])
    assert worker.deliver_due() == 0
    assert queue.next_time() == now[0] + 2
    now[0] += 2
    assert worker.deliver_due() == 0
    assert queue.next_time() == now[0] + 4
    shutil.move(tmp_path / "away.git", tmp_path / "remote.git")
    now[0] += 4
    assert worker.deliver_due() == 1
    assert queue.counts() == (0, 1)
    assert queue.delivery(SUBMISSION.reference).branch == BRANCH  # type: ignore[union-attr]


def test_backoff_doubles_up_to_a_quarter_of_an_hour() -> None:
    assert [backoff(attempt, 5) for attempt in (1, 2, 3, 4)] == [5, 10, 20, 40]
    assert backoff(30, 5) == LONGEST_WAIT == 900


class Broken:
    """A destination with a fault of its own: its error's words must not reach the log."""

    def deliver(self, submission: Submission) -> Delivery:
        raise KeyError(submission.markdown)

    def problem(self) -> None:
        return None


def test_an_unexpected_error_puts_it_back_and_logs_only_its_kind(tmp_path: Path,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    queue = Queue(tmp_path, Keys.from_text(new_key()))
    queue.put(SUBMISSION)
    worker = Worker(queue, Broken(), retry_seconds=3, clock=RECEIVED.timestamp)
    assert worker.deliver_due() == 0
    assert queue.waiting(SUBMISSION.reference).attempts == 1  # type: ignore[union-attr]
    assert caplog.messages == ["HM-7K3Q-2F9D: delivery failed (attempt 1): KeyError; trying again in 3 s"]


def test_a_push_that_hangs_is_given_up_and_tried_again_later(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(git_destination, "GIT_TIMEOUT", 1)
    hook = root / ".git" / "hooks" / "pre-push"
    hook.write_text("#!/bin/sh\nsleep 3\n", encoding="utf-8")
    hook.chmod(0o755)
    with pytest.raises(DeliveryError) as raised:
        GitBranch(root, "stories", "origin", None).deliver(SUBMISSION)
    assert str(raised.value) == "git push did not finish within 1 s"
