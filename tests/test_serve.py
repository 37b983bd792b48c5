"""`mkdocs serve` and `narrative serve` rebuild when a story changes, as an editor previewing their work expects,
and show an error in the content on the page being previewed."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import lxml.html
import pytest

from tests.conftest import BUILD_ENV, Project
from tests.test_cli import command


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch_until(url: str, wanted: str, seconds: float) -> str:
    """The page's text once it contains `wanted`, or the last text seen when time runs out."""
    deadline, text = time.monotonic() + seconds, ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                text = answer.read().decode("utf-8")
            if wanted in text:
                return text
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.3)
    return text


def test_serve_shows_an_edited_story_without_a_restart(project: Project) -> None:
    story = project.story("live-edit", body="The first words.\n")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "-f", str(project.config_file), "-a", f"127.0.0.1:{port}"],
        cwd=project.root, env={**os.environ, **BUILD_ENV}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        url = f"http://127.0.0.1:{port}/stories/live-edit/"
        assert "The first words." in fetch_until(url, "The first words.", 60)
        story.write_text(story.read_text(encoding="utf-8").replace("The first words.", "The second words."),
                         encoding="utf-8")
        assert "The second words." in fetch_until(url, "The second words.", 60)
    finally:
        server.terminate()
        server.wait(timeout=30)


def narrative_serve(project: Project, port: int) -> subprocess.Popen[str]:
    """`narrative serve`, as the README tells an editor to preview, without the test environment's quiet setting."""
    env = {key: value for key, value in os.environ.items() if key != "NO_MKDOCS_2_WARNING"}
    return subprocess.Popen([*command(), "-f", str(project.config_file), "serve", "-a", f"127.0.0.1:{port}"],
                            cwd=project.root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def test_an_error_in_the_content_is_shown_on_the_page_being_previewed(project: Project) -> None:
    project.story("calm-story", body="All is well.\n")
    broken = project.story("typo-story", topics=["mental-heath"])
    port = free_port()
    server = narrative_serve(project, port)
    problem = ("stories/patient/typo-story.md:5: topics: unknown topic 'mental-heath' (did you mean "
               "'mental-health'?); choose from ")
    try:
        url = f"http://127.0.0.1:{port}/stories/calm-story/"
        page = lxml.html.fromstring(fetch_until(url, "problem to fix", 60))
        [shown] = page.cssselect(".nv-problems")
        assert shown.get("role") == "alert"
        assert shown.cssselect("p strong")[0].text_content() == "This preview has 1 problem to fix"
        assert [item.text_content() for item in shown.cssselect("li")][0].startswith(problem)
        assert "All is well." in page.cssselect(".nv-story__body")[0].text_content()
        broken.write_text(broken.read_text(encoding="utf-8").replace("mental-heath", "mental-health"),
                          encoding="utf-8")
        fixed = fetch_until(f"http://127.0.0.1:{port}/stories/typo-story/", "It went well.", 60)
        assert "It went well." in fixed and "problem to fix" not in fixed
    finally:
        server.terminate()
        _, err = server.communicate(timeout=30)
    assert "end of life" not in err
    assert f"ERROR   -  narrative: 1 problem(s) in the content, listed on every page:\n  {problem}" in err


def test_the_feeds_and_the_pages_kept_follow_each_edit_while_serving(project: Project) -> None:
    """The page being previewed does not wait for the feeds and the search index, which follow it; pages an
    edit does not change are kept from one rebuild to the next, and those it does change are drawn again."""
    story = project.story("first-story", title="The first title")
    project.story("second-story", body="Nothing changes here.\n")
    port = free_port()
    server = narrative_serve(project, port)
    try:
        base = f"http://127.0.0.1:{port}"
        assert "The first title" in fetch_until(f"{base}/stories/first-story/", "The first title", 60)
        for title in ("The second title", "The third title"):  # the second edit while the first's feeds are made
            story.write_text(story.read_text(encoding="utf-8").replace("The first title", title)
                             .replace("The second title", title), encoding="utf-8")
            assert title in fetch_until(f"{base}/stories/first-story/", title, 60)
        assert "The third title" in fetch_until(f"{base}/stories/", "The third title", 60)
        assert "The third title" in fetch_until(f"{base}/feeds/all.xml", "The third title", 60)
        assert "The second title" not in fetch_until(f"{base}/feeds/all.xml", "The third title", 60)
        assert "Nothing changes here." in fetch_until(f"{base}/stories/second-story/", "Nothing changes", 60)
    finally:
        server.terminate()
        _, err = server.communicate(timeout=30)
    assert "generated pages were unchanged and kept from the last build" in err
    assert err.count("in a quick rebuild of") == 2  # each edit, without MkDocs making the whole site again


def test_serve_stopped_by_sigterm_removes_its_site(project: Project, tmp_path_factory: pytest.TempPathFactory,
                                                   ) -> None:
    """SIGTERM (`docker stop`, systemd, an editor's task runner) stops `narrative serve` as Ctrl+C does: MkDocs
    removes the temporary site it served, a copy of the whole built site, and the work beside it is stopped."""
    project.story("stopped-story", body="Served for a moment.\n")
    temporary = tmp_path_factory.mktemp("serve-tmp")
    port = free_port()
    env = {**os.environ, **BUILD_ENV, "TMPDIR": str(temporary)}
    server = subprocess.Popen([*command(), "-f", str(project.config_file), "serve", "-a", f"127.0.0.1:{port}"],
                              cwd=project.root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{port}/stories/stopped-story/"
        assert "Served for a moment." in fetch_until(url, "Served for a moment.", 60)
        assert [path.name[:7] for path in temporary.iterdir()].count("mkdocs_") == 1
    finally:
        server.terminate()
        _, err = server.communicate(timeout=30)
    assert server.returncode == 0, err
    assert "Shutting down..." in err
    assert not [path for path in temporary.iterdir() if path.name.startswith("mkdocs_")]
