"""`mkdocs serve` rebuilds when a story changes, as an editor previewing their work expects."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

from tests.conftest import BUILD_ENV, Project


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
