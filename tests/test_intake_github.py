"""The GitHub destination against a stand-in for GitHub's REST API on 127.0.0.1: the endpoints it uses, answering
as GitHub's documentation shows (bodies trimmed to the documented fields the destination reads, and a few
beside them), and made to answer 500 or not at all."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import itertools
import json
import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

import pytest

from narrative.intake.destinations import DeliveryError, description, from_settings
from narrative.intake.destinations.github import GitHubPullRequest
from narrative.intake.keys import Keys, new_key
from narrative.intake.queue import Queue
from narrative.intake.settings import GitHubSettings
from narrative.intake.submission import Submission
from narrative.intake.worker import Worker
from narrative.redact import Removal
from tests.content import write_site
from tests.intake import PERSONAL, intake_settings

TOKEN = "ghp_t0ken"
RECEIVED = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
SUBMISSION = Submission("HM-7K3Q-2F9D", "ward-7", "---\ntitle: Ring me on (phone number removed)\n---\nWords.\n",
                        (("ward-7/photo-1.jpg", b"\xff\xd8picture"),), (Removal("phone", "phone number", 2),),
                        True, RECEIVED)
API = "https://api.github.com/repos/hollowmere/stories"


def _sha(*parts: object) -> str:
    return hashlib.sha1(repr(parts).encode()).hexdigest()


class FakeGitHub:
    """The repository `hollowmere/stories` with a `main` branch, kept in memory; `failures` holds what the next
    requests get instead of an answer: a status such as 500, or "timeout" (no answer for a while)."""

    def __init__(self) -> None:
        self.refs = {"heads/main": _sha("main")}
        self.commits: dict[str, dict[str, Any]] = {self.refs["heads/main"]: {"tree": _sha("tree"), "parents": []}}
        self.blobs: dict[str, bytes] = {}
        self.trees: dict[str, dict[str, Any]] = {}
        self.pulls: list[dict[str, Any]] = []
        self.labels: dict[int, list[str]] = {}
        self.requests: list[str] = []
        self.failures: list[int | str] = []
        self.lock = threading.Lock()

    def answer(self, method: str, path: str, query: dict[str, list[str]], body: Any,
               token: str) -> tuple[int, Any]:
        if token != f"Bearer {TOKEN}" and token != f"token {TOKEN}":
            return 401, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"}
        route = path.removeprefix("/repos/hollowmere/stories")
        if method == "GET" and route == "":
            return 200, {"id": 1296269, "name": "stories", "full_name": "hollowmere/stories",
                         "default_branch": "main", "private": False}
        if (found := re.fullmatch(r"/git/ref/(.+)", route)) and method == "GET":
            return self._ref(found[1])
        if (found := re.fullmatch(r"/git/commits/(\w+)", route)) and method == "GET":
            commit = self.commits.get(found[1])
            return (404, _not_found()) if commit is None else (200, self._commit_body(found[1], commit))
        if route == "/git/blobs" and method == "POST":
            data = base64.b64decode(body["content"])
            sha = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
            self.blobs[sha] = data
            return 201, {"url": f"{API}/git/blobs/{sha}", "sha": sha}
        if route == "/git/trees" and method == "POST":
            sha = _sha(body["base_tree"], body["tree"])
            self.trees[sha] = body
            return 201, {"sha": sha, "url": f"{API}/git/trees/{sha}", "truncated": False,
                         "tree": [{**entry, "size": len(self.blobs[entry["sha"]]),
                                   "url": f"{API}/git/blobs/{entry['sha']}"} for entry in body["tree"]]}
        if route == "/git/commits" and method == "POST":
            sha = _sha(body, len(self.commits))
            self.commits[sha] = body
            return 201, self._commit_body(sha, body)
        if route == "/git/refs" and method == "POST":
            name = body["ref"].removeprefix("refs/")
            if name in self.refs:
                return 422, {"message": "Reference already exists",
                             "documentation_url": "https://docs.github.com/rest/git/refs#create-a-reference",
                             "status": "422"}
            self.refs[name] = body["sha"]
            return self._ref(name, 201)
        if route == "/pulls" and method == "GET":
            owner_branch = query.get("head", [""])[0]
            return 200, [pull for pull in self.pulls if f"hollowmere:{pull['head']['ref']}" == owner_branch]
        if route == "/pulls" and method == "POST":
            return self._open(body)
        if (found := re.fullmatch(r"/issues/(\d+)/labels", route)) and method == "POST":
            names = self.labels.setdefault(int(found[1]), [])
            names += [label for label in body["labels"] if label not in names]
            return 200, [{"id": n, "node_id": f"MDU6TGFiZWw{n}", "url": f"{API}/labels/{name}", "name": name,
                          "description": None, "color": "f29513", "default": False} for n, name in enumerate(names)]
        return 404, _not_found()

    def _ref(self, name: str, status: int = 200) -> tuple[int, Any]:
        if name not in self.refs:
            return 404, _not_found()
        sha = self.refs[name]
        return status, {"ref": f"refs/{name}", "node_id": "MDM6UmVmcmVmcy9oZWFkcy9mZWF0dXJlQQ==",
                        "url": f"{API}/git/refs/{name}",
                        "object": {"type": "commit", "sha": sha, "url": f"{API}/git/commits/{sha}"}}

    def _commit_body(self, sha: str, commit: dict[str, Any]) -> dict[str, Any]:
        return {"sha": sha, "node_id": "MDY6Q29tbWl0", "url": f"{API}/git/commits/{sha}",
                "html_url": f"https://github.com/hollowmere/stories/commit/{sha}",
                "message": commit.get("message", "Initial commit"),
                "tree": {"sha": commit["tree"], "url": f"{API}/git/trees/{commit['tree']}"},
                "parents": [{"sha": parent, "url": f"{API}/git/commits/{parent}"} for parent in commit["parents"]],
                "verification": {"verified": False, "reason": "unsigned", "signature": None, "payload": None}}

    def _open(self, body: dict[str, Any]) -> tuple[int, Any]:
        if any(pull["head"]["ref"] == body["head"] for pull in self.pulls):
            return 422, {"message": "Validation Failed", "errors": [
                {"resource": "PullRequest", "code": "custom",
                 "message": f"A pull request already exists for hollowmere:{body['head']}."}],
                "documentation_url": "https://docs.github.com/rest/pulls/pulls#create-a-pull-request",
                "status": "422"}
        number = len(self.pulls) + 1
        pull = {"url": f"{API}/pulls/{number}", "id": 1000 + number, "node_id": "MDExOlB1bGxSZXF1ZXN0MQ==",
                "html_url": f"https://github.com/hollowmere/stories/pull/{number}", "number": number,
                "state": "open", "locked": False, "title": body["title"], "body": body["body"], "draft": False,
                "head": {"label": f"hollowmere:{body['head']}", "ref": body["head"],
                         "sha": self.refs[f"heads/{body['head']}"]},
                "base": {"label": f"hollowmere:{body['base']}", "ref": body["base"],
                         "sha": self.refs[f"heads/{body['base']}"]}}
        self.pulls.append(pull)
        return 201, pull

    def serve(self) -> Iterator[str]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                with fake.lock:
                    fake.requests.append(f"{self.command} {parts.path}")
                    failure = fake.failures.pop(0) if fake.failures else None
                    if failure is None:
                        status, answer = fake.answer(self.command, parts.path, parse_qs(parts.query), body,
                                                     self.headers.get("Authorization", ""))
                if failure == "timeout":
                    time.sleep(1.5)
                    return
                if failure is not None:
                    status, answer = int(failure), {"message": "Server Error"}
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            server.server_close()


def _not_found() -> dict[str, str]:
    return {"message": "Not Found", "documentation_url": "https://docs.github.com/rest", "status": "404"}


F = TypeVar("F", bound=FakeGitHub)


def running(github: F) -> Iterator[F]:
    """`github` answering on 127.0.0.1 (at `github.url`) until the generator is finished."""
    served = github.serve()
    github.url = next(served)  # type: ignore[attr-defined]
    yield github
    next(served, None)


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    yield from running(FakeGitHub())


def destination(fake: FakeGitHub) -> GitHubPullRequest:
    return GitHubPullRequest(GitHubSettings("hollowmere/stories", TOKEN, fake.url), "stories",  # type: ignore
                             None, timeout=1)


def test_a_branch_one_commit_and_a_labelled_pull_request(fake: FakeGitHub) -> None:
    delivery = destination(fake).deliver(SUBMISSION)
    commit = fake.refs["heads/submissions/HM-7K3Q-2F9D"]
    assert (delivery.branch, delivery.commit, delivery.path, delivery.pull_request) == (
        "submissions/HM-7K3Q-2F9D", commit, "stories/patient/ward-7.md",
        "https://github.com/hollowmere/stories/pull/1")
    assert fake.commits[commit]["parents"] == [fake.refs["heads/main"]]
    tree = fake.trees[fake.commits[commit]["tree"]]
    assert tree["base_tree"] == _sha("tree")
    assert {entry["path"]: fake.blobs[entry["sha"]] for entry in tree["tree"]} == {
        "stories/patient/ward-7.md": SUBMISSION.markdown.encode(),
        "stories/patient/ward-7/photo-1.jpg": b"\xff\xd8picture"}
    (pull,) = fake.pulls
    assert (pull["title"], pull["base"]["ref"], pull["body"]) == (
        "Urgent: new story from the web form (HM-7K3Q-2F9D)", "main", description(SUBMISSION))
    assert "a phone number (line 2)" in pull["body"] and PERSONAL["phone"] not in pull["body"]
    assert fake.labels == {1: ["story", "urgent"]}


def test_delivering_twice_makes_one_branch_and_one_pull_request(fake: FakeGitHub) -> None:
    first = destination(fake).deliver(SUBMISSION)
    assert destination(fake).deliver(SUBMISSION) == first
    assert (len(fake.pulls), len(fake.commits), fake.requests.count("POST /repos/hollowmere/stories/git/refs")) == (
        1, 2, 1)


@pytest.mark.parametrize(("failure", "message"), [
    (500, "GitHub answered 500 to GET /repos/hollowmere/stories/git/ref/heads/submissions/HM-7K3Q-2F9D"),
    ("timeout", "GitHub did not answer GET /repos/hollowmere/stories/git/ref/heads/submissions/HM-7K3Q-2F9D "
                "within 1 s"),
])
def test_a_failing_github_is_an_error_naming_the_request(fake: FakeGitHub, failure: int | str,
                                                         message: str) -> None:
    fake.failures = [failure]
    with pytest.raises(DeliveryError) as raised:
        destination(fake).deliver(SUBMISSION)
    assert str(raised.value) == message


@pytest.mark.parametrize("failure", [500, "timeout"])
def test_failures_half_way_are_retried_with_backoff_until_it_is_there_once(fake: FakeGitHub, tmp_path: Path,
                                                                           failure: int | str) -> None:
    """Each request of a first delivery failing in turn: the branch made but not the pull request, the pull
    request but not its labels ... and every retry finishing the job without a second branch or pull request
    (a commit made before a failure to point the branch at it is left for GitHub to clear away)."""
    now = [RECEIVED.timestamp()]
    queue = Queue(tmp_path, Keys.from_text(new_key()))
    queue.put(SUBMISSION)
    worker = Worker(queue, destination(fake), retry_seconds=1, clock=lambda: now[0])
    for attempt in itertools.count(1):
        fake.failures = [*([None] * (attempt - 1)), failure]  # type: ignore[list-item]
        if worker.deliver_due():
            break
        assert attempt < 20
        now[0] += 15 * 60
    assert queue.counts() == (0, 1)
    assert attempt > 8  # every step failed once: the repository, the refs, the blobs, tree, commit, pull, labels
    assert (len(fake.pulls), fake.labels) == (1, {1: ["story", "urgent"]})
    assert [name for name in fake.refs if name.startswith("heads/submissions/")] == ["heads/submissions/HM-7K3Q-2F9D"]
    assert fake.pulls[0]["head"]["sha"] == fake.refs["heads/submissions/HM-7K3Q-2F9D"]


def test_the_settings_choose_github(tmp_path: Path) -> None:
    write_site(tmp_path / "site")
    settings = intake_settings(tmp_path / "site", NARRATIVE_INTAKE_DESTINATION="github",
                               NARRATIVE_GITHUB_REPOSITORY="hollowmere/stories", NARRATIVE_GITHUB_TOKEN=TOKEN)
    chosen = from_settings(settings)
    assert isinstance(chosen, GitHubPullRequest) and chosen.settings.api_url == "https://api.github.com"
