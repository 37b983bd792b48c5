"""The service's front door on a real port: security headers on every answer, bodies too big refused while they
stream, only forms from allowed origins, a rate limit per address; and the honeypot, through the whole service."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from lxml import html
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from narrative.config import Settings
from narrative.intake import guard
from narrative.intake.app import Contained, create_app
from narrative.intake.guard import Guard, RateLimit
from tests.asgi import served_app
from tests.content import settings_for
from tests.intake import git, git_site, intake_settings

SITE = "https://stories.example.org"
SERVICE = "https://share.example.org"
LIMIT = 20_000
FORM = {"content-type": "application/x-www-form-urlencoded", "origin": SITE}


class Seen:
    """What the app behind the guard was given."""

    requests: list[str] = []


async def share(request: Request) -> PlainTextResponse:
    async with request.form() as data:
        Seen.requests.append(request.client.host if request.client else "")
        return PlainTextResponse(f"read {len(data)} answers")


async def page(request: Request) -> PlainTextResponse:
    return PlainTextResponse("a page", headers={"cache-control": "max-age=60"})


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return settings_for(tmp_path_factory.mktemp("site"), intake={"url": f"{SERVICE}/", "rate_limit": 3})


@pytest.fixture
def url(site: Settings) -> Iterator[str]:
    """A small app behind the guard and the service's catch-all for errors, as `create_app` puts them, with a
    body limit of 20 kB."""
    Seen.requests = []
    app = Starlette(routes=[Route("/share", share, methods=["POST"]), Route("/page", page)],
                    middleware=[Middleware(Guard, site=site, origins=["http://localhost:8000"], max_body=LIMIT),
                                Middleware(Contained)])
    with served_app(app) as root:
        yield root


def refused(response: httpx.Response, status: int, title: str) -> None:
    assert response.status_code == status
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert html.fromstring(response.text).cssselect("h1")[0].text == title
    assert Seen.requests == []


def test_every_answer_carries_the_security_headers(url: str) -> None:
    answers = [httpx.get(url + "page"), httpx.get(url + "nowhere"), httpx.post(url + "share", data={"a": "b"},
                                                                                headers={"origin": "https://evil.example"})]
    assert [answer.status_code for answer in answers] == [200, 404, 403]
    for answer in answers:
        assert answer.headers["content-security-policy"] == (
            f"default-src 'none'; script-src 'self' {SITE}; style-src 'self' {SITE}; img-src 'self' {SITE}; "
            f"form-action 'self' {SERVICE}; frame-ancestors 'none'; base-uri 'none'")
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "same-origin"
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["permissions-policy"] == "camera=(), microphone=(), geolocation=()"
    assert answers[0].headers["cache-control"] == "max-age=60"  # the app's own header is left as it is
    assert answers[1].headers["cache-control"] == "no-store"


@pytest.mark.parametrize("headers", [
    {"origin": SITE}, {"origin": SERVICE}, {"origin": "http://localhost:8000"},
    {"referer": f"{SITE}/share-your-story/"},
])
def test_a_form_from_an_allowed_origin_is_passed_on(url: str, headers: dict[str, str]) -> None:
    response = httpx.post(url + "share", data={"title": "Mine", "story": "Words"}, headers=headers)
    assert (response.status_code, response.text) == (200, "read 2 answers")


def test_multipart_is_a_form_too(url: str) -> None:
    response = httpx.post(url + "share", data={"title": "Mine"}, files={"photo-1": ("a.png", b"png")},
                          headers={"origin": SITE})
    assert (response.status_code, response.text) == (200, "read 2 answers")


@pytest.mark.parametrize("headers", [
    {"origin": "https://evil.example"}, {"origin": "null"}, {"origin": "https://stories.example.org.evil.example"},
    {"referer": "https://evil.example/share-your-story/"}, {},
])
def test_a_form_from_anywhere_else_is_refused(url: str, headers: dict[str, str]) -> None:
    refused(httpx.post(url + "share", data={"title": "Mine"}, headers=headers), 403,
            "This was not sent from our website")


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", "multipart/mixed; boundary=x", ""])
def test_only_a_form_is_taken(url: str, content_type: str) -> None:
    refused(httpx.post(url + "share", content=b'{"title": "Mine"}', headers={"content-type": content_type,
                                                                              "origin": SITE}),
            415, "This was not sent by our form")


def raw(url: str, head: str, body_chunks: Iterator[bytes] = iter(())) -> tuple[str, int]:
    """Send a request by hand on a socket: its head, then body chunks for as long as the server takes them.
    Gives the status line and how many body bytes went out before the answer came."""
    port = int(url.rstrip("/").rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(head.encode("latin-1"))
        sent = 0
        connection.setblocking(False)
        for chunk in body_chunks:
            try:
                if connection.recv(1, socket.MSG_PEEK):
                    break  # the server has answered
            except BlockingIOError:
                pass
            try:
                connection.sendall(chunk)
            except (BlockingIOError, BrokenPipeError, ConnectionResetError):
                break
            sent += len(chunk)
        connection.setblocking(True)
        return connection.makefile("rb").readline().decode("latin-1").strip(), sent


def test_a_body_said_to_be_too_big_is_refused_before_it_is_sent(url: str) -> None:
    status, _ = raw(url, f"POST /share HTTP/1.1\r\nHost: x\r\nOrigin: {SITE}\r\nContent-Type: "
                         f"application/x-www-form-urlencoded\r\nContent-Length: {LIMIT + 1}\r\n\r\n")
    assert status == "HTTP/1.1 413 Request Entity Too Large"
    assert Seen.requests == []


def test_a_body_too_big_is_refused_while_it_streams(url: str) -> None:
    def unfinished() -> Iterator[bytes]:
        """64 MB of a body that never ends: an answer can only come from a guard that counts as it streams."""
        yield b"1000\r\ntitle=" + b"x" * (0x1000 - 6) + b"\r\n"
        for _ in range(64 * 256):
            yield b"1000\r\n" + b"x" * 0x1000 + b"\r\n"

    status, sent = raw(url, f"POST /share HTTP/1.1\r\nHost: x\r\nOrigin: {SITE}\r\nContent-Type: "
                            f"application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n",
                       unfinished())
    assert status == "HTTP/1.1 413 Request Entity Too Large"
    assert sent < 64 * 1024 * 1024  # answered before the client stopped sending
    assert Seen.requests == []


def test_the_rate_limit_per_address(url: str) -> None:
    answers = [httpx.post(url + "share", data={"n": str(n)}, headers={"origin": SITE}) for n in range(4)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert 3590 <= int(answers[3].headers["retry-after"]) <= 3600
    assert html.fromstring(answers[3].text).cssselect("h1")[0].text == "Please wait before you send the form again"
    assert httpx.get(url + "page").status_code == 200  # reading pages is not limited


def test_the_rate_limit_forgets_with_time() -> None:
    now = [0.0]
    limit = RateLimit(2, 60.0, clock=lambda: now[0])
    assert [limit.wait("a"), limit.wait("a"), limit.wait("a"), limit.wait("b")] == [0.0, 0.0, 60.0, 0.0]
    now[0] = 30.0
    assert limit.wait("a") == 30.0
    now[0] = 60.0
    assert limit.wait("a") == 0.0


def test_the_rate_limit_forgets_quiet_addresses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(guard, "TRACKED_ADDRESSES", 3)
    now = [0.0]
    limit = RateLimit(1, 60.0, clock=lambda: now[0])
    for address in "abcd":
        limit.wait(address)
    now[0] = 61.0
    assert limit.wait("e") == 0.0
    assert set(limit._seen) == {"e"}


def test_the_origins_allowed(site: Settings) -> None:
    allowed = Guard(page, site=site, origins=["https://Other.example:8443/path"]).origins  # type: ignore[arg-type]
    assert allowed == {SITE, SERVICE, "https://other.example:8443"}


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The whole service on a real port, for a site in a git repository; yields its address and the site."""
    root = git_site(tmp_path_factory.mktemp("service"))
    with served_app(create_app(intake_settings(root))) as address:
        yield address, root


ANSWERS = {"story": "Buy now", "title": "Cheap", "summary": "Cheap", "topics": "carers", "naming": "anonymous",
           "consent": "yes", "consent_version": "2026-12", "website": ""}


def test_a_honeypot_filled_is_thanked_and_nothing_is_kept(service: tuple[str, Path]) -> None:
    address, root = service
    response = httpx.post(address + "share", headers={"origin": SERVICE},
                          data={**ANSWERS, "website": "http://cheap.example"})
    assert response.status_code == 200
    assert html.fromstring(response.text).cssselect("h1")[0].text == "Thank you for sharing your story"
    health = httpx.get(address + "healthz").json()
    assert (health["waiting"], health["delivered"]) == (0, 0)
    assert git(root, "branch", "--list", "submissions/*") == ""


def test_answers_to_put_right_come_back_on_the_form(service: tuple[str, Path]) -> None:
    address, _ = service
    response = httpx.post(address + "share", headers={"origin": SERVICE},
                          data={**ANSWERS, "title": "<b>" + "x" * 120, "topics": "knitting"})
    assert response.status_code == 400
    doc = html.fromstring(response.text)
    assert [link.text_content() for link in doc.cssselect(".nv-error-summary a")] == [
        "The title must be 120 characters or fewer", "Choose topics from the list"]
    assert doc.cssselect("#title")[0].get("value") == "<b>" + "x" * 120 and "<b>x" not in response.text
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    assert httpx.get(address + "healthz").json()["waiting"] == 0
