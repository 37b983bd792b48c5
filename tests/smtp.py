"""A real SMTP server for the tests: aiosmtpd on 127.0.0.1 on a free port, keeping every message it accepts.

An address's local part can ask for a refusal: `busy...@` is answered 451 (try later) and `gone...@` 550
(a hard bounce) at RCPT, so the sender's handling of each is tested against real SMTP replies; `hold...@` is
kept waiting at RCPT, so a test can kill a sender at a moment it chooses. `release` lets both through.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tests.asgi import free_port


@dataclass
class Sink:
    """What the server accepted, as parsed messages, in order."""

    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    holding: threading.Event = field(default_factory=threading.Event)
    """Set when a `hold...@` recipient is waiting."""
    release: threading.Event = field(default_factory=threading.Event)
    """Set by the test to let it through."""
    controller: Any = None
    """The running server."""

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [message for message in self.messages if message["To"] == address]

    def environ(self) -> dict[str, str]:
        """The variables that send mail here."""
        return {"NARRATIVE_SMTP_HOST": self.host, "NARRATIVE_SMTP_PORT": str(self.port), "NARRATIVE_SMTP_TLS": "none"}


class Handler:
    """Keeps what it accepts; refuses or holds by the address's local part."""

    def __init__(self, sink: Sink) -> None:
        self.sink = sink

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address.startswith("busy") and not self.sink.release.is_set():
            return "451 4.3.0 Try again later"
        if address.startswith("gone"):
            return "550 5.1.1 No such mailbox"
        if address.startswith("hold"):
            self.sink.holding.set()
            while not self.sink.release.is_set():
                await asyncio.sleep(0.01)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.sink.lock:
            self.sink.messages.append(parsed)  # type: ignore[arg-type]
        return "250 Message accepted"


@pytest.fixture
def smtp() -> Iterator[Sink]:
    """A fresh SMTP server for one test."""
    sink = Sink("127.0.0.1", free_port())
    sink.controller = Controller(Handler(sink), hostname=sink.host, port=sink.port)
    sink.controller.start()
    try:
        yield sink
    finally:
        sink.controller.stop()
