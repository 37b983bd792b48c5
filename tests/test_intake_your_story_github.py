"""Taking a story back and its state with the GitHub destination, against the stand-in for GitHub's REST API
(the pull request's state, closing it, deleting a branch, reading and changing a file on a branch)."""

from __future__ import annotations

import base64
import hashlib
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from narrative.intake.destinations.github import GitHubPullRequest
from narrative.intake.story_state import MainBranch, State, where
from tests.test_intake_github import API, SUBMISSION, FakeGitHub, _not_found, destination, running

PATH = "stories/patient/ward-7.md"
PUBLISHED = "---\ntitle: Ward 7\nstatus: published\ntopics: [carers]\n---\nWords.\n"


def _blob_sha(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class FakeGitHubWithContents(FakeGitHub):
    """The stand-in, with a pull request's own page, closing it, deleting a branch and the contents API."""

    def __init__(self) -> None:
        super().__init__()
        self.files: dict[tuple[str, str], bytes] = {}

    def answer(self, method: str, path: str, query: dict[str, list[str]], body: Any,
               token: str) -> tuple[int, Any]:
        route = path.removeprefix("/repos/hollowmere/stories")
        if (found := re.fullmatch(r"/pulls/(\d+)", route)) and method in ("GET", "PATCH"):
            number = int(found[1])
            if number > len(self.pulls):
                return 404, _not_found()
            pull = self.pulls[number - 1]
            pull.setdefault("merged", False)
            if method == "PATCH":
                pull["state"] = body["state"]
            return 200, pull
        if (found := re.fullmatch(r"/git/refs/(.+)", route)) and method == "DELETE":
            if self.refs.pop(found[1], None) is None:
                return 422, {"message": "Reference does not exist", "status": "422"}
            return 204, None
        if (found := re.fullmatch(r"/contents/(.+)", route)) and method in ("GET", "PUT"):
            return self._contents(method, found[1], query, body)
        return super().answer(method, path, query, body, token)

    def _contents(self, method: str, file: str, query: dict[str, list[str]], body: Any) -> tuple[int, Any]:
        branch = query.get("ref", ["main"])[0] if method == "GET" else body["branch"]
        data = self.files.get((branch, file), self.files.get(("main", file)))
        if data is None:
            return 404, _not_found()
        if method == "GET":
            return 200, {"type": "file", "encoding": "base64", "size": len(data), "name": file.rsplit("/", 1)[1],
                         "path": file, "sha": _blob_sha(data), "url": f"{API}/contents/{file}?ref={branch}",
                         "content": base64.encodebytes(data).decode("ascii")}
        if body["sha"] != _blob_sha(data):
            return 409, {"message": f"{file} does not match {body['sha']}", "status": "409"}
        self.files[(branch, file)] = base64.b64decode(body["content"])
        self.commits[sha := hashlib.sha1(self.files[(branch, file)]).hexdigest()] = {
            "tree": "t", "parents": [self.refs[f"heads/{branch}"]], "message": body["message"]}
        self.refs[f"heads/{branch}"] = sha
        return 200, {"content": {"name": file.rsplit("/", 1)[1], "path": file,
                                 "sha": _blob_sha(self.files[(branch, file)])},
                     "commit": {"sha": sha, "message": body["message"]}}


@pytest.fixture
def fake() -> Iterator[FakeGitHubWithContents]:
    yield from running(FakeGitHubWithContents())


@pytest.fixture
def checkout(tmp_path: Path) -> MainBranch:
    """The service's checkout, whose main branch has not got the story."""
    subprocess.run(["git", "init", "-q", "-b", "main", str(tmp_path)], check=True)
    subprocess.run(["git", "-c", "user.name=E", "-c", "user.email=e@example.org", "commit", "-q", "--allow-empty",
                    "-m", "The site"], cwd=tmp_path, check=True)
    return MainBranch(tmp_path, None)


def test_never_merged_its_pull_request_is_closed_and_its_branch_deleted(fake: FakeGitHubWithContents,
                                                                        checkout: MainBranch) -> None:
    github: GitHubPullRequest = destination(fake)
    delivery = github.deliver(SUBMISSION)
    assert where(delivery, checkout, github).state is State.WITH_EDITOR
    assert github.take_back(delivery, "HEAD") is False
    assert fake.pulls[0]["state"] == "closed"
    assert "heads/submissions/HM-7K3Q-2F9D" not in fake.refs
    assert where(delivery, checkout, github).state is State.NOT_PUBLISHED
    fake.failures = [500]
    assert where(delivery, checkout, github).state is State.WITH_EDITOR  # while GitHub cannot say, with the editors
    assert github.take_back(delivery, "HEAD") is False  # again: nothing left to do, and no error
    assert len(fake.pulls) == 1


def test_once_merged_a_pull_request_sets_withdrawn_and_nothing_else(fake: FakeGitHubWithContents,
                                                                     checkout: MainBranch) -> None:
    github: GitHubPullRequest = destination(fake)
    delivery = github.deliver(SUBMISSION)
    fake.pulls[0].update(state="closed", merged=True)
    fake.files[("main", PATH)] = PUBLISHED.encode()
    assert where(delivery, checkout, github).state is State.WITH_EDITOR  # merged; the checkout is behind
    assert github.take_back(delivery, "HEAD") is True
    assert fake.files[("withdrawals/HM-7K3Q-2F9D", PATH)] == PUBLISHED.replace("published", "withdrawn").encode()
    assert fake.files[("main", PATH)] == PUBLISHED.encode()
    withdrawal = fake.pulls[1]
    assert (withdrawal["title"], withdrawal["head"]["ref"], withdrawal["base"]["ref"]) == (
        "Withdraw the story with reference HM-7K3Q-2F9D", "withdrawals/HM-7K3Q-2F9D", "main")
    assert withdrawal["body"] == ("The writer took their story back on the your-story page. Merge this to take it "
                                  "off the website: its address will say it was withdrawn at the writer's request.\n")
    assert github.take_back(delivery, "HEAD") is True  # again: the same branch and pull request
    assert len(fake.pulls) == 2
