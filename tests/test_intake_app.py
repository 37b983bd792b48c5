"""The service on a real port, in its own process, delivering to a real git repository with a bare remote:
the form's way in, the crisis path, personal data kept out of git and off the disk, a SIGKILL mid-delivery,
and a burst of submissions each delivered exactly once."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import io
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from narrative.intake.app import create_app
from narrative.intake.keys import new_key
from narrative.intake.service import Service
from tests.asgi import free_port, served_app
from tests.content import write_site
from tests.intake import PERSONAL, answers, environment, git, git_site, intake_settings

REPO = Path(__file__).resolve().parents[1]
ORIGIN = "https://stories.example.org"
REFERENCE = re.compile(r'id="nv-reference">(HM-[0-9A-Z]{4}-[0-9A-Z]{4})<')
FORM = {"title": "The night nurse on ward 7", "summary": "A kind nurse at night.",
        "story": "She sat with me until morning.", "topics": "mental-health", "naming": "anonymous",
        "consent": "yes", "consent_version": "2026-12"}
EVERY_KIND = {**FORM, "title": f"Ring me on {PERSONAL['phone']}",
              "summary": f"Write to {PERSONAL['email']} about it.",
              "story": f"I was born {PERSONAL['date-of-birth']}.\n\nMy NHS number is {PERSONAL['nhs-number']} "
                       f"and I live at {PERSONAL['postcode']}.",
              "contact_email": PERSONAL["contact"]}


class Running:
    """`narrative intake` in its own process on 127.0.0.1, its log in a file."""

    def __init__(self, root: Path, env: dict[str, str], log: Path) -> None:
        self.root, self.env, self.log = root, env, log
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Running:
        env = {**os.environ, "PYTHONPATH": str(REPO / "src"), **self.env}
        with self.log.open("ab") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "narrative.cli", "intake", "--port", str(self.port)],
                                            cwd=self.root, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.1)
        raise AssertionError(f"the service did not start:\n{self.log.read_text()}")

    def health(self) -> dict[str, int]:
        return httpx.get(f"{self.url}/healthz", timeout=5).json()

    def share(self, form: dict[str, str], client: httpx.Client | None = None) -> httpx.Response:
        post = client.post if client else httpx.post
        return post(f"{self.url}/share", data=form, headers={"Origin": ORIGIN}, timeout=60)

    def wait_until_delivered(self, count: int, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while self.health()["delivered"] < count:
            assert time.monotonic() < deadline, f"delivered {self.health()} of {count}:\n{self.log.read_text()}"
            time.sleep(0.1)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(20)


def reference(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    found = REFERENCE.search(response.text)
    assert found, response.text
    return found[1]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A site committed to git with a bare `origin`, taking any number of posts from one address."""
    return git_site(tmp_path, rate_limit=100_000)


@pytest.fixture
def env() -> dict[str, str]:
    return environment()


@pytest.fixture
def service(root: Path, env: dict[str, str], tmp_path: Path) -> Iterator[Running]:
    running = Running(root, env, tmp_path / "service.log").start()
    yield running
    running.stop()


def test_a_story_reaches_its_own_branch_as_a_file_the_check_passes(service: Running, root: Path,
                                                                      tmp_path: Path) -> None:
    picture = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(picture, "PNG")
    response = httpx.post(f"{service.url}/share", data={**FORM, "photo-1-alt": "An orange square"},
                          files={"photo-1": ("square.png", picture.getvalue(), "image/png")},
                          headers={"Origin": ORIGIN}, timeout=60)
    ref = reference(response)
    service.wait_until_delivered(1)
    branch = f"submissions/{ref}"
    assert git(tmp_path / "remote.git", "branch", "--list", "submissions/*").split() == [branch]
    text = git(root, "show", f"{branch}:stories/patient/the-night-nurse-on-ward-7.md")
    assert text.startswith("---\ntitle: The night nurse on ward 7\n")
    assert ("images:\n- src: the-night-nurse-on-ward-7/photo-1.png\n  alt: An orange square\nstatus: draft\n---\n"
            "She sat with me until morning.\n") in text
    assert git(root, "status", "--short") == ""
    assert git(root, "branch", "--show-current") == "main\n"
    git(root, "worktree", "add", "-q", str(tmp_path / "branch"), branch)
    checked = subprocess.run([sys.executable, "-m", "narrative.cli", "check"], cwd=tmp_path / "branch",
                             env={**os.environ, "PYTHONPATH": str(REPO / "src")}, capture_output=True, text=True,
                             check=False)
    assert (checked.returncode, checked.stdout) == (0, "No problems in 1 file.\n"), checked.stderr


def test_answers_to_put_right_go_back_to_the_form(service: Running) -> None:
    response = service.share({**FORM, "title": ""})
    assert response.status_code == 400
    assert 'href="#title"' in response.text
    assert service.health() == {"status": "ok", "waiting": 0, "delivered": 0}


def test_crisis_words_show_help_now_and_mark_it_urgent(service: Running, root: Path) -> None:
    response = service.share({**FORM, "story": "Some nights I wanted to kill myself."})
    ref = reference(response)
    assert "Samaritans free on" in response.text and 'href="tel:999"' in response.text
    assert "If you need help now" not in service.share(FORM).text
    service.wait_until_delivered(2)
    assert git(root, "log", "-1", "--format=%s", f"submissions/{ref}") == (
        f"Urgent: new story from the web form ({ref})\n")


def test_personal_data_never_reaches_git_the_disk_or_the_log(service: Running, root: Path, tmp_path: Path,
                                                             env: dict[str, str]) -> None:
    ref = reference(service.share(EVERY_KIND))
    service.wait_until_delivered(1)
    history = git(root, "log", "-p", "--all") + git(tmp_path / "remote.git", "log", "-p", "--all")
    assert "(NHS number removed)" in history
    state = b"".join(path.read_bytes() for path in (root / ".narrative-intake").rglob("*") if path.is_file())
    log = service.log.read_bytes()
    for value in PERSONAL.values():
        assert value not in history
        assert value.encode() not in state
        assert value.encode() not in log
    shown = subprocess.run([sys.executable, "-m", "narrative.cli", "intake", "show", ref], cwd=root,
                           env={**os.environ, "PYTHONPATH": str(REPO / "src"), **env}, capture_output=True,
                           text=True, check=False)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith(f"Reference: {ref}\nState: delivered: submissions/{ref} "
                                   "(stories/patient/ring-me-on-phone-number-removed.md)\nReceived: ")
    assert all(value in shown.stdout for value in PERSONAL.values())
    refused = subprocess.run([sys.executable, "-m", "narrative.cli", "intake", "show", ref], cwd=root,
                             env={**os.environ, "PYTHONPATH": str(REPO / "src"), **env,
                                  "NARRATIVE_INTAKE_KEY": new_key()}, capture_output=True, text=True, check=False)
    assert (refused.returncode, refused.stdout) == (1, "")
    assert refused.stderr == (f"narrative intake show: {ref} cannot be opened with NARRATIVE_INTAKE_KEY: it was "
                              "kept under another key; put that key after the new one, separated by a comma\n")


def test_killed_mid_delivery_it_resumes_and_delivers_once(root: Path, env: dict[str, str], tmp_path: Path) -> None:
    marker, release = tmp_path / "pushing", tmp_path / "release"
    hook = root / ".git" / "hooks" / "pre-push"
    hook.write_text(f"#!/bin/sh\ntouch '{marker}'\nwhile [ ! -e '{release}' ]; do sleep 0.05; done\nexit 1\n",
                    encoding="utf-8")
    hook.chmod(0o755)
    running = Running(root, env, tmp_path / "service.log").start()
    ref = reference(running.share(FORM))
    deadline = time.monotonic() + 30
    while not marker.exists():
        assert time.monotonic() < deadline, running.log.read_text()
        time.sleep(0.05)
    running.kill()  # the branch is made, the push under way, the queue not yet told
    hook.unlink()
    release.touch()  # the killed service's push, left behind, fails
    restarted = Running(root, env, tmp_path / "service.log").start()
    try:
        restarted.wait_until_delivered(1)
    finally:
        restarted.stop()
    branch = f"submissions/{ref}"
    assert git(tmp_path / "remote.git", "branch", "--list", "submissions/*").split() == [branch]
    assert git(root, "rev-list", "--count", f"main..{branch}") == "1\n"
    assert git(tmp_path / "remote.git", "rev-parse", branch) == git(root, "rev-parse", branch)


def test_a_burst_of_200_each_delivered_exactly_once(root: Path, env: dict[str, str], tmp_path: Path) -> None:
    """200 writers at once, from 20 clients; the service killed while it delivers them, and started again."""
    env = {**env, "NARRATIVE_INTAKE_GIT_REMOTE": ""}
    running = Running(root, env, tmp_path / "service.log").start()
    try:
        with httpx.Client() as client, concurrent.futures.ThreadPoolExecutor(20) as pool:
            responses = list(pool.map(lambda n: running.share({**FORM, "title": f"Story number {n}"}, client),
                                      range(200)))
        references = [reference(response) for response in responses]
        running.wait_until_delivered(20)
        delivered_before = running.health()["delivered"]
    finally:
        running.kill()
    assert delivered_before < 200  # killed with deliveries still to make
    restarted = Running(root, env, tmp_path / "service.log").start()
    try:
        restarted.wait_until_delivered(200)
        assert restarted.health() == {"status": "ok", "waiting": 0, "delivered": 200}
    finally:
        restarted.stop()
    branches = git(root, "for-each-ref", "--format=%(refname:short)", "refs/heads/submissions/").split()
    assert sorted(branches) == sorted(f"submissions/{ref}" for ref in references)
    assert len(set(references)) == 200
    counts = git(root, "rev-list", "--count", "--all", "--not", "main")
    assert counts == "200\n"


def test_purge_forgets_originals_once_the_retention_is_past(tmp_path: Path) -> None:
    write_site(tmp_path / "site")
    settings = intake_settings(tmp_path / "site")
    now = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    service = Service(settings, clock=lambda: now)
    accepted = service.accept(answers(contact_email=PERSONAL["contact"]))
    assert not isinstance(accepted, list)
    assert service.purge() == 0
    now += dt.timedelta(days=90, seconds=-1)
    assert service.purge() == 0
    now += dt.timedelta(seconds=2)
    assert service.purge() == 1
    assert service.private.get(accepted.reference) is None
    assert service.queue.waiting(accepted.reference) is not None  # still to deliver: the story itself stays
    service.close()


def test_when_the_queue_cannot_keep_it_the_original_is_not_kept_either(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    write_site(tmp_path / "site")
    service = Service(intake_settings(tmp_path / "site"))

    def full(submission: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(service.queue, "put", full)
    with pytest.raises(sqlite3.OperationalError):
        service.accept(answers(contact_email=PERSONAL["contact"]))
    assert service.private.rows("SELECT count(*) FROM originals") == [(0,)]
    service.close()


def test_an_error_is_a_plain_page_with_the_guard_s_headers_and_a_log_line_of_its_kind(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    app = create_app(intake_settings(git_site(tmp_path, rate_limit=100)))

    def broken(answers: object) -> None:
        raise ValueError(f"cannot keep {PERSONAL['phone']}")

    app.state.service.accept = broken
    with served_app(app) as url:
        response = httpx.post(f"{url}share", data=FORM, headers={"Origin": ORIGIN})
    assert response.status_code == 500
    assert "<h1>Something went wrong on our side</h1>" in response.text
    assert "content-security-policy" in response.headers
    assert PERSONAL["phone"] not in response.text + caplog.text
    assert "POST /share failed: ValueError" in caplog.messages


def test_an_error_s_log_line_names_the_route_and_not_the_token_in_its_path(caplog: pytest.LogCaptureFixture) -> None:
    from starlette.routing import Route, Router

    from narrative.intake.app import Contained

    async def broken(request: object) -> None:
        raise ValueError("the store is gone")

    token = "m000000000042-00000000000." + "a" * 64
    with served_app(Contained(Router([Route("/subscribe/manage/{token}", broken)]))) as url:
        response = httpx.get(f"{url}subscribe/manage/{token}")
    assert response.status_code == 500
    assert token not in caplog.text
    assert "GET /subscribe/manage/{token} failed: ValueError" in caplog.messages


def test_to_github_through_500s_to_one_labelled_pull_request(root: Path, env: dict[str, str],
                                                            tmp_path: Path) -> None:
    from tests.test_intake_github import TOKEN, FakeGitHub

    github = FakeGitHub()
    served = github.serve()
    github.failures = [500, 500, 502]
    running = Running(root, {**env, "NARRATIVE_INTAKE_DESTINATION": "github", "NARRATIVE_GITHUB_TOKEN": TOKEN,
                             "NARRATIVE_GITHUB_REPOSITORY": "hollowmere/stories",
                             "NARRATIVE_GITHUB_API_URL": next(served)}, tmp_path / "service.log").start()
    try:
        ref = reference(running.share({**FORM, "story": "Some nights I wanted to kill myself."}))
        running.wait_until_delivered(1)
    finally:
        running.stop()
        next(served, None)
    (pull,) = github.pulls
    assert (pull["head"]["ref"], github.labels) == (f"submissions/{ref}", {1: ["story", "urgent"]})
    assert running.log.read_text().count(f"{ref}: delivery failed") == 3
    assert git(root, "branch", "--list", "submissions/*") == ""
