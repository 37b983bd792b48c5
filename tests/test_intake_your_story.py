"""A writer's own story, end to end: shared through the real form to `narrative intake` on 127.0.0.1 with the
local git destination; an editor played by git (merging the submission, adding a response and a pledge update);
its state on the writer's page at each step; "tell me when" emails through a real SMTP server, once per change
even across restarts; taking it back before and after it was merged; a wrong code answered like a story taken
back; and the site rebuilt after a withdrawal with the story nowhere in it."""

from __future__ import annotations

import gzip
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser

from tests.browser import page_at, serving
from tests.conftest import REPO, Project, new_project
from tests.intake import commit_with_remote, environment, git
from tests.smtp import Sink, smtp  # noqa: F401 - a fixture
from tests.test_intake_app import FORM, ORIGIN, Running, free_port

CODE = re.compile(r'id="nv-code">([0-9A-Z]{4}(?: [0-9A-Z]{4}){5})<')
REFERENCE = re.compile(r'id="nv-reference">(HM-[0-9A-Z]{4}-[0-9A-Z]{4})<')
STATE = re.compile(r'id="nv-story-state">([^<]*)<')
TITLE = "Zephyrine and the lantern keeper"
SLUG = "zephyrine-and-the-lantern-keeper"
WORDS = ("Zephyrine", "lantern keeper", "quillwort", "marmalade ferry")
"""Words of the story's title and body found nowhere else on the site."""
STORY = {**FORM, "title": TITLE, "summary": "A nurse called Zephyrine kept a lantern lit.",
         "story": "She told me about quillwort and the marmalade ferry until morning.",
         "notify_email": "writer@example.org"}
NOTHING = "We cannot show you a story"
EDITOR = ("-c", "user.name=Editor", "-c", "user.email=editor@example.org")


@pytest.fixture
def site(tmp_path: Path) -> Project:
    """The sample site's settings and theme with no content, committed to git with a bare `origin`."""
    project = new_project(tmp_path / "site")
    posts_an_hour(project, 10_000)
    commit_with_remote(project.root, tmp_path / "remote.git", ignore=".narrative-intake/\nsite/\n")
    return project


def posts_an_hour(project: Project, limit: int) -> None:
    text = project.config_file.read_text(encoding="utf-8")
    project.config_file.write_text(re.sub(r"\n      rate_limit: \d+\n", f"\n      rate_limit: {limit}\n", text),
                                   encoding="utf-8")


@pytest.fixture
def env(smtp: Sink) -> dict[str, str]:
    return environment(**smtp.environ(), NARRATIVE_INTAKE_ORIGINS=ORIGIN)


@pytest.fixture
def service(site: Project, env: dict[str, str], tmp_path: Path) -> Iterator[Running]:
    running = Running(site.root, env, tmp_path / "service.log").start()
    yield running
    running.stop()


class Writer:
    """One writer: shares the story, keeps the reference and code, and asks the service about it."""

    def __init__(self, service: Running, form: dict[str, str] = STORY) -> None:
        self.service = service
        thanks = service.share(form)
        assert thanks.status_code == 200, thanks.text
        self.reference = REFERENCE.findall(thanks.text)[0]
        self.code = CODE.findall(thanks.text)[0]

    def post(self, path: str, reference: str | None = None, code: str | None = None) -> httpx.Response:
        return httpx.post(f"{self.service.url}/{path}", headers={"Origin": ORIGIN}, timeout=30,
                          data={"reference": reference or self.reference, "code": code or self.code})

    def state(self) -> str:
        answer = self.post("your-story")
        assert answer.status_code == 200, answer.text
        found = STATE.findall(answer.text)
        return found[0] if found else answer.text

    def take_back(self) -> None:
        sure = self.post("your-story/withdraw")
        assert "Are you sure you want to take your story back?" in sure.text
        assert 'action="withdrawn"' in sure.text
        done = self.post("your-story/withdrawn")
        assert "<h1>Your story is being taken back</h1>" in done.text


def notify(root: Path, env: dict[str, str]) -> str:
    """`narrative intake notify`, as the deploy runs it; what it printed."""
    done = subprocess.run([sys.executable, "-m", "narrative.cli", "intake", "notify"], cwd=root, text=True,
                          capture_output=True, env={**os.environ, "PYTHONPATH": str(REPO / "src"), **env},
                          check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def merge(root: Path, branch: str, status: str = "published") -> None:
    """An editor merges a branch into main and publishes the story."""
    git(root, *EDITOR, "merge", "-q", "--no-ff", "-m", f"Merge {branch}", branch)
    path = root / "stories/patient" / f"{SLUG}.md"
    path.write_text(path.read_text(encoding="utf-8").replace("status: draft", f"status: {status}"), "utf-8")
    git(root, *EDITOR, "commit", "-q", "-am", "Publish it")


def delivered(writer: Writer) -> None:
    writer.service.wait_until_delivered(1)


def test_the_state_at_each_step_and_one_email_for_each_change(service: Running, site: Project, smtp: Sink,
                                                               env: dict[str, str]) -> None:
    writer = Writer(service)
    assert writer.state() in {"We have your story. It is on its way to our editors.",
                              "An editor is reading your story. Nothing is published until they have checked it."}
    delivered(writer)
    assert writer.state() == "An editor is reading your story. Nothing is published until they have checked it."
    assert notify(site.root, env) == "Sent 0 emails to writers about their stories.\n"

    merge(site.root, f"submissions/{writer.reference}")
    page = writer.post("your-story").text
    assert STATE.findall(page) == ["Your story is published on our website."]
    assert f'href="https://stories.hollowmere.example/stories/{SLUG}/"' in page
    assert notify(site.root, env) == "Sent 1 email to writers about their stories.\n"
    assert notify(site.root, env) == "Sent 0 emails to writers about their stories.\n"
    [published] = smtp.to("writer@example.org")
    assert published["Subject"] == "Your story is published"
    body = published.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert f"Your story is published on our website. (Your reference is {writer.reference}.)" in body
    assert f"Your story: https://stories.hollowmere.example/stories/{SLUG}/" in body
    assert writer.code not in body

    site.response("we-hear-you", SLUG)
    git(site.root, "add", "-A")
    git(site.root, *EDITOR, "commit", "-q", "-m", "Our response")
    assert writer.state() == "Your story is published, and we have answered it."
    service.kill()
    service.start()
    assert notify(site.root, env) == "Sent 1 email to writers about their stories.\n"
    service.kill()
    service.start()
    assert notify(site.root, env) == "Sent 0 emails to writers about their stories.\n"
    assert smtp.to("writer@example.org")[-1]["Subject"] == "We have answered your story"

    site.update("lanterns-on-every-ward", stories=[SLUG], status="in-progress")
    git(site.root, "add", "-A")
    git(site.root, *EDITOR, "commit", "-q", "-m", "A pledge update")
    page = writer.post("your-story").text
    assert STATE.findall(page) == [
        "Your story is published, we have answered it, and we plan a change because of it."]
    assert f'href="https://stories.hollowmere.example/stories/{SLUG}/#our-response"' in page
    assert ('<a href="https://stories.hollowmere.example/pledge/updates/lanterns-on-every-ward/">Read what we are '
            'doing about it: Lanterns on every ward</a>') in page
    assert notify(site.root, env) == "Sent 0 emails to writers about their stories.\n"

    site.update("lanterns-on-every-ward", stories=[SLUG], status="done")
    git(site.root, *EDITOR, "commit", "-q", "-am", "Done")
    assert writer.state() == "Your story is published, we have answered it, and we have made a change because of it."
    assert notify(site.root, env) == "Sent 1 email to writers about their stories.\n"
    assert notify(site.root, env) == "Sent 0 emails to writers about their stories.\n"
    assert [message["Subject"] for message in smtp.to("writer@example.org")] == [
        "Your story is published", "We have answered your story", "We have made a change because of your story"]


def test_taken_back_before_it_was_merged_its_branch_and_original_are_gone(service: Running, site: Project,
                                                                          tmp_path: Path) -> None:
    writer = Writer(service)
    delivered(writer)
    branch = f"refs/heads/submissions/{writer.reference}"
    assert git(tmp_path / "remote.git", "for-each-ref", "--format=%(refname)", branch) == branch + "\n"
    (tmp_path / "remote.git").rename(tmp_path / "away.git")
    not_now = writer.post("your-story/withdrawn")
    assert not_now.status_code == 503
    assert "<h1>We could not take your story back just now</h1>" in not_now.text
    assert writer.state().startswith("An editor is reading your story.")
    (tmp_path / "away.git").rename(tmp_path / "remote.git")
    writer.take_back()
    assert git(site.root, "for-each-ref", "--format=%(refname)", "refs/heads/") == "refs/heads/main\n"
    assert git(tmp_path / "remote.git", "for-each-ref", "--format=%(refname)", "refs/heads/") == "refs/heads/main\n"
    assert NOTHING in writer.post("your-story").text
    shown = subprocess.run([sys.executable, "-m", "narrative.cli", "intake", "show", writer.reference],
                           cwd=site.root, capture_output=True, text=True,
                           env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO / "src"), **service.env})
    assert "Original: purged" in shown.stdout and "writer@example.org" not in shown.stdout


def test_taken_back_after_it_was_merged_a_withdrawal_branch_sets_withdrawn_and_nothing_else(
        service: Running, site: Project, tmp_path: Path) -> None:
    writer = Writer(service)
    delivered(writer)
    merge(site.root, f"submissions/{writer.reference}")
    before = git(site.root, "show", f"main:stories/patient/{SLUG}.md")
    writer.take_back()
    branch = f"withdrawals/{writer.reference}"
    after = git(tmp_path / "remote.git", "show", f"{branch}:stories/patient/{SLUG}.md")
    assert after == before.replace("status: published", "status: withdrawn")
    assert git(site.root, "show", f"main:stories/patient/{SLUG}.md") == before
    assert git(site.root, "diff", "--name-only", "main", branch) == f"stories/patient/{SLUG}.md\n"
    assert NOTHING in writer.post("your-story").text
    assert NOTHING in writer.post("your-story/withdrawn").text  # a second time: the answer to a wrong code


def site_files(site_dir: Path) -> Iterator[tuple[str, str]]:
    """Every file of a built site as text (the search index's compressed parts opened), by its path."""
    for path in sorted(site_dir.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if data[:2] == b"\x1f\x8b":
                data = gzip.decompress(data)
            yield path.relative_to(site_dir).as_posix(), data.decode("utf-8", errors="replace")


def test_once_the_withdrawal_is_merged_the_rebuilt_site_has_the_story_nowhere(service: Running, site: Project,
                                                                              env: dict[str, str]) -> None:
    writer = Writer(service)
    delivered(writer)
    merge(site.root, f"submissions/{writer.reference}")
    site.response("we-hear-you", SLUG, change="planned")
    site.update("lanterns-on-every-ward", stories=[SLUG])
    git(site.root, "add", "-A")
    git(site.root, *EDITOR, "commit", "-q", "-m", "Answered")
    built, site_dir = site.build()
    assert built.returncode == 0, built.stderr
    found = {path for path, text in site_files(site_dir) if any(word in text for word in (SLUG, *WORDS))}
    assert {f"stories/{SLUG}/index.html", "index.html", "stories/index.html", "topics/mental-health/index.html",
            "pledge/updates/lanterns-on-every-ward/index.html", "feeds/all.xml", "feeds/stories.json",
            "digests/index.html", "sitemap.xml", "sitemap.xml.gz"} <= found  # the words are there before
    assert any(path.startswith("pagefind/") and path.endswith(".pf_fragment") for path in found)

    writer.take_back()
    git(site.root, *EDITOR, "merge", "-q", "--no-ff", "-m", "Withdraw", f"withdrawals/{writer.reference}")
    built, site_dir = site.build()
    assert built.returncode == 0, built.stderr
    found = {path for path, text in site_files(site_dir) if any(word in text for word in (SLUG, *WORDS))}
    assert found == {f"stories/{SLUG}/index.html"}
    notice = (site_dir / "stories" / SLUG / "index.html").read_text(encoding="utf-8")
    assert "This story was withdrawn at the author's request." in notice
    assert not any(word in notice for word in WORDS)


def test_a_wrong_code_is_answered_like_a_story_taken_back_in_the_same_time(service: Running) -> None:
    gone, kept = Writer(service), Writer(service)
    delivered(gone)
    gone.take_back()
    withdrawn = gone.post("your-story")
    wrong_code = kept.post("your-story", code=gone.code)
    wrong_reference = kept.post("your-story", reference="HM-0000-0000")
    assert withdrawn.content == wrong_code.content == wrong_reference.content
    assert withdrawn.status_code == wrong_code.status_code == wrong_reference.status_code == 200
    assert gone.post("your-story/withdraw").content == withdrawn.content
    again = httpx.get(f"{service.url}/your-story")  # the answer's address opened again: the site's page
    assert (again.status_code, again.headers["location"]) == (303, "https://stories.hollowmere.example/your-story/")
    assert NOTHING in withdrawn.text and kept.reference not in withdrawn.text

    timings: dict[str, list[float]] = {"withdrawn": [], "wrong": []}
    with httpx.Client(timeout=30) as client:
        for _ in range(60):  # interleaved, so a slow moment of the machine falls on both
            for kind, reference in (("withdrawn", gone.reference), ("wrong", "HM-ZZZZ-ZZZZ")):
                started = time.perf_counter()
                answer = client.post(f"{service.url}/your-story", headers={"Origin": ORIGIN},
                                     data={"reference": reference, "code": gone.code})
                timings[kind].append(time.perf_counter() - started)
                assert (answer.status_code, answer.content) == (200, withdrawn.content)
    withdrawn_time, wrong_time = (statistics.median(times) for times in timings.values())
    assert abs(withdrawn_time - wrong_time) < max(0.005, 0.5 * min(withdrawn_time, wrong_time)), timings


def take_back_in_the_browser(browser: Browser, address: str, writer: Writer, state: str) -> None:
    """The site's page, the reference and code typed as a person might, the state, and back out by both buttons."""
    with page_at(browser, address + "your-story/", javascript=False) as page:
        page.fill("#reference", writer.reference.lower())
        page.fill("#code", writer.code.replace(" ", "").lower())
        page.click("button[type=submit]")
        assert page.locator("#nv-story-state").inner_text() == state
        page.click("text=Take my story back")
        page.click("text=No, keep my story")
        assert page.locator("#nv-story-state").inner_text() == state
        page.click("text=Take my story back")
        page.click("text=Yes, take my story back")
        assert page.locator("h1").inner_text() == "Your story is being taken back"


@pytest.mark.browser
def test_taken_back_on_the_your_story_page_with_javascript_off(site: Project, env: dict[str, str], tmp_path: Path,
                                                               browser: Browser) -> None:
    """The built page takes the reference and code, the service shows the state, and two buttons take the story
    back: one never merged (its branch deleted), one published (a withdrawal branch)."""
    port = free_port()
    text = site.config_file.read_text(encoding="utf-8")
    site.config_file.write_text(re.sub(r"(\n    intake:\n      url: )\S+", rf"\1http://127.0.0.1:{port}/", text),
                                encoding="utf-8")
    built, site_dir = site.build()
    assert built.returncode == 0, built.stderr
    with serving(site_dir) as address:
        running = Running(site.root, {**env, "NARRATIVE_INTAKE_ORIGINS": f"{ORIGIN},{address.rstrip('/')}",
                                      "NARRATIVE_INTAKE_PUBLIC_URL": f"http://127.0.0.1:{port}/"},
                          tmp_path / "service.log")
        running.port, running.url = port, f"http://127.0.0.1:{port}"
        running.start()
        try:
            published = Writer(running)
            unmerged = Writer(running, {**STORY, "title": "Another night"})
            running.wait_until_delivered(2)
            merge(site.root, f"submissions/{published.reference}")
            take_back_in_the_browser(browser, address, unmerged, "An editor is reading your story. Nothing is "
                                                                 "published until they have checked it.")
            take_back_in_the_browser(browser, address, published, "Your story is published on our website.")
        finally:
            running.stop()
    assert git(site.root, "for-each-ref", "--format=%(refname)", "refs/heads/") == (
        f"refs/heads/main\nrefs/heads/submissions/{published.reference}\n"
        f"refs/heads/withdrawals/{published.reference}\n")


def test_the_writer_s_pages_are_guarded_like_the_form(site: Project, env: dict[str, str], tmp_path: Path) -> None:
    """Posts from another site are refused, and one address may post a few times an hour, counted with the form's."""
    posts_an_hour(site, 3)
    running = Running(site.root, env, tmp_path / "service.log").start()
    try:
        writer = Writer(running)
        assert httpx.post(f"{running.url}/your-story", data={"reference": writer.reference, "code": writer.code},
                          headers={"Origin": "https://elsewhere.example"}).status_code == 403
        assert [writer.post(path).status_code for path in ("your-story", "your-story/withdraw", "your-story")] == [
            200, 200, 429]
    finally:
        running.stop()
