"""The service's front door: what a request must be before the app sees it, and what every answer carries.

Pure ASGI middleware (no framework of its own), which `app.create_app` puts in front of every route:

- every answer gets the security headers: a content security policy allowing the service and the site's own
  stylesheets and script and nothing inline, no framing, no sniffing, no referrer beyond the service, and no
  caching (an answer may hold what a writer typed);
- a body larger than `max_body` is refused (413) as soon as it is seen to be, by its Content-Length or while
  it streams in, never once it has all been read;
- a POST to a guarded path (the forms') must be a form (`multipart/form-data` or
  `application/x-www-form-urlencoded`, else 415), come from a page of an allowed origin (its `Origin`, or
  else its `Referer`, else 403), and be within the rate limit of its address (429, with `Retry-After`).

The honeypot is the form's to see (`form.read` returns `Spam`). Behind a reverse proxy, uvicorn must be told
to trust its `X-Forwarded-For` (`--proxy-headers`), or every writer shares the proxy's address and limit.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from narrative.config import Settings
from narrative.intake import answer_pages
from narrative.share_form import PHOTO_MEGABYTES, PHOTOS

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_BODY = (PHOTOS * PHOTO_MEGABYTES + 1) * 1_000_000
"""The largest request: three photos of 5 MB each and a megabyte for the words."""
HOUR = 3600.0
FORM_TYPES = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})
TRACKED_ADDRESSES = 10_000
"""How many addresses the rate limit remembers before it forgets those that have been quiet for its window."""


@dataclass(frozen=True)
class Refusal:
    """A request the guard will not pass on: its status and what the page says."""

    status: int
    title: str
    message: str


TOO_LARGE = Refusal(413, "Your story is too big to send",
                    f"Your story and photos came to more than {MAX_BODY // 1_000_000} MB together. Try smaller "
                    f"photos, or fewer of them.")
NOT_A_FORM = Refusal(415, "This was not sent by our form", "Please send your story with the form on our website.")
WRONG_ORIGIN = Refusal(403, "This was not sent from our website",
                       "Please send your story with the form on our website. If you did, go back to the form and "
                       "send it again.")
TOO_MANY = Refusal(429, "Please wait before you send the form again",
                   "The form has been sent many times from your connection in the last hour. Please wait an hour "
                   "and try again, or use one of the other ways to share your story.")


def origin(url: str) -> str:
    """`scheme://host[:port]` of an address, as a browser's `Origin` header says it."""
    parts = urlsplit(url.strip())
    return f"{parts.scheme}://{parts.netloc}".lower()


class RateLimit:
    """At most `limit` requests from one address in any `window` seconds, remembered in memory."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._seen: dict[str, deque[float]] = {}

    def wait(self, address: str) -> float:
        """Seconds until `address` may be served (0: now, and this request is counted)."""
        now = self.clock()
        if len(self._seen) > TRACKED_ADDRESSES:
            self._forget_quiet(now)
        times = self._seen.setdefault(address, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        if len(times) >= self.limit:
            return times[0] + self.window - now
        times.append(now)
        return 0.0

    def _forget_quiet(self, now: float) -> None:
        for address in [address for address, times in self._seen.items() if not times or times[-1] <= now - self.window]:
            del self._seen[address]


class _Answer:
    """The way out: the security headers put on the answer's head (those the app set itself are kept)."""

    def __init__(self, send: Send, headers: list[tuple[bytes, bytes]]) -> None:
        self._send, self._headers, self.started = send, headers, False

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
            present = {name.lower() for name, _ in message.get("headers", [])}
            message["headers"] = [*message.get("headers", []),
                                  *((name, value) for name, value in self._headers if name not in present)]
        await self._send(message)


class _Body:
    """The way in: the request's body counted as it streams; past `limit`, the app is told the client has gone
    (so it stops reading) and `too_large` says why."""

    def __init__(self, receive: Receive, limit: int) -> None:
        self._receive, self._limit, self._seen, self.too_large = receive, limit, 0, False

    async def receive(self) -> Message:
        if self.too_large:
            return {"type": "http.disconnect"}
        message = await self._receive()
        if message["type"] == "http.request":
            self._seen += len(message.get("body", b""))
            if self._seen > self._limit:
                self.too_large = True
                return {"type": "http.disconnect"}
        return message


def security_headers(site: Settings) -> list[tuple[bytes, bytes]]:
    """The headers on every answer. The site's origin may give stylesheets and scripts (the answer pages use
    the site's); the service's own address may be posted to (the form on the answer page)."""
    from_site = " ".join(["'self'", *([origin(site.site_url)] if site.site_url else [])])
    to_service = " ".join(["'self'", *([origin(site.intake.url)] if site.intake.url else [])])
    policy = (f"default-src 'none'; script-src {from_site}; style-src {from_site}; img-src {from_site}; "
              f"form-action {to_service}; frame-ancestors 'none'; base-uri 'none'")
    return [(name.encode("latin-1"), value.encode("latin-1")) for name, value in (
        ("content-security-policy", policy),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "same-origin"),
        ("x-frame-options", "DENY"),
        ("cross-origin-opener-policy", "same-origin"),
        ("cross-origin-resource-policy", "same-origin"),
        ("permissions-policy", "camera=(), microphone=(), geolocation=()"),
        ("cache-control", "no-store"),
    )]


class Guard:
    """The middleware: `Guard(app, site=..., origins=..., guarded=("/share",), max_body=MAX_BODY)`.

    `origins` are the origins whose pages may post to the guarded paths, besides the site's own and the
    service's (`extra.narrative.intake.url`); the rate limit is the site's `extra.narrative.intake.rate_limit`
    posts an hour from one address, unless `rate_limit` says otherwise."""

    def __init__(self, app: ASGIApp, *, site: Settings, origins: Iterable[str] = (),
                 guarded: Iterable[str] = ("/share",), max_body: int = MAX_BODY,
                 rate_limit: RateLimit | None = None) -> None:
        self.app, self.site, self.max_body = app, site, max_body
        self.guarded = frozenset(guarded)
        self.origins = frozenset(origin(url) for url in (*origins, site.site_url or "", site.intake.url or "") if url)
        self.limit = rate_limit or RateLimit(site.intake.rate_limit, HOUR)
        self.headers = security_headers(site)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        answer = _Answer(send, self.headers)
        refusal, wait = self._refusal(scope)
        if refusal is not None:
            await self._refuse(refusal, answer.send, wait)
            return
        body = _Body(receive, self.max_body)

        async def from_app(message: Message) -> None:
            if answer.started or not body.too_large:  # the answer to a body cut short is the guard's
                await answer.send(message)

        try:
            await self.app(scope, body.receive, from_app)
        except Exception:
            if not body.too_large:
                raise
        if body.too_large and not answer.started:
            await self._refuse(TOO_LARGE, answer.send)

    def _refusal(self, scope: Scope) -> tuple[Refusal | None, float]:
        """What is wrong with the request from its head alone, and for a rate limit how long to wait."""
        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > self.max_body:
            return TOO_LARGE, 0.0
        if scope["method"] != "POST" or scope["path"] not in self.guarded:
            return None, 0.0
        if headers.get("content-type", "").split(";")[0].strip().lower() not in FORM_TYPES:
            return NOT_A_FORM, 0.0
        sender = headers.get("origin") or origin(headers.get("referer", ""))
        if sender not in self.origins:
            return WRONG_ORIGIN, 0.0
        client = scope.get("client")
        wait = self.limit.wait(client[0] if client else "unknown")
        return (TOO_MANY, wait) if wait else (None, 0.0)

    async def _refuse(self, refusal: Refusal, send: Send, wait: float = 0.0) -> None:
        body = answer_pages.refusal(refusal.title, refusal.message, self.site).encode("utf-8")
        headers = [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(body)).encode()),
                   (b"connection", b"close")]
        if wait:
            headers.append((b"retry-after", str(math.ceil(wait)).encode()))
        await send({"type": "http.response.start", "status": refusal.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
