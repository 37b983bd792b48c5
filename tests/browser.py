"""Real Chromium for browser tests: the built sample site served over HTTP on 127.0.0.1, one browser a session.

The fixtures (`browser`, `served`) reach every test module through `pytest_plugins` in conftest.py, so
that the session has one browser: a second Playwright cannot start while the first runs. When Chromium cannot
start, browser tests skip on a developer's machine and fail under CI (`CI=true`), where they must run.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NoReturn

import pytest
from playwright.sync_api import Browser, Error as PlaywrightError, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCHEMES = {"light": "default", "dark": "slate"}
"""The reader's colour-scheme preference, and the Material scheme the page must then show."""


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the standard library's name
        """Keep test output to the tests' own."""


def unavailable(reason: str) -> NoReturn:
    """A browser test that cannot run: a failure under CI, a skip elsewhere."""
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def served(sample_site: Path) -> Iterator[str]:
    """The sample site over real HTTP, as a reader's browser fetches it; yields the site's root URL."""
    with serving(sample_site) as url:
        yield url


@contextmanager
def serving(site_dir: Path, port: int = 0) -> Iterator[str]:
    """A built site over real HTTP on 127.0.0.1 (on `port`, or a free one) while the block runs; yields the
    site's root URL."""
    server = ThreadingHTTPServer(("127.0.0.1", port), functools.partial(_QuietHandler, directory=str(site_dir)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, without background network traffic."""
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except PlaywrightError as error:
            unavailable(f"Chromium cannot start from {CHROMIUM}: {error.message.splitlines()[0]}")
        try:
            yield launched
        finally:
            launched.close()


@contextmanager
def page_at(browser: Browser, url: str, *, width: int = 1280, scheme: str = "light",
            javascript: bool = True) -> Iterator[Page]:
    """A fresh tab of `width` CSS pixels for a reader who prefers `scheme`, with `url` loaded and the page's
    colour scheme applied."""
    context = browser.new_context(viewport={"width": width, "height": 900},
                                  color_scheme=scheme,  # type: ignore[arg-type]
                                  java_script_enabled=javascript)
    try:
        page = context.new_page()
        response = page.goto(url)
        assert response is not None and response.ok, f"{url} answered {response and response.status}"
        if javascript:
            page.wait_for_selector(f'body[data-md-color-scheme="{SCHEMES[scheme]}"]', state="attached")
        yield page
    finally:
        context.close()


def tab_to(page: Page, selector: str, what: str, presses: int = 30) -> None:
    """Press Tab, as a keyboard user does, until the element `selector` has focus; fail if it never does."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("selector => document.activeElement.matches(selector)", selector):
            return
    pytest.fail(f"Tab never reached {what}")
