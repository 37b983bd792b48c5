"""Signed links in emails: confirm a sign-up, manage one's emails, unsubscribe with one click.

A link carries what it is for, whose subscription and until when, signed with an HMAC under the service's
key (`Keys.lookup_hashes`, with its own prefix so a signature is never a look-up hash), so it cannot be made
up or altered, and it still opens after the key is rotated. It holds no address: only a subscription's number.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass

from narrative.intake.keys import Keys

CONFIRM_FOR = dt.timedelta(days=2)
"""How long a confirmation link works: long enough for a slow inbox, short enough that an old email is dead."""
PREFIX = "narrative link\x00"


@dataclass(frozen=True)
class Link:
    """What a signed link says: `purpose` (confirm, manage, unsubscribe), the subscription or subscriber it
    names, an optional frequency (what a confirmation sets) and when it stops working (None: never)."""

    purpose: str
    target: int
    frequency: str | None = None
    expires: dt.datetime | None = None


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(link: Link, keys: Keys) -> str:
    """The token to put in a URL: the link's fields, a dot, and their signature."""
    fields = {"p": link.purpose, "t": link.target, "f": link.frequency,
              "x": int(link.expires.timestamp()) if link.expires else None}
    payload = _encode(json.dumps(fields, separators=(",", ":"), sort_keys=True).encode("utf-8"))
    return f"{payload}.{keys.lookup_hash(PREFIX + payload)}"


def verify(token: str, purpose: str, keys: Keys, now: dt.datetime) -> Link | None:
    """The link a token signs, or None when it was altered, made for another purpose or has expired."""
    payload, _, signature = token.partition(".")
    if not any(Keys.same(signature, expected) for expected in keys.lookup_hashes(PREFIX + payload)):
        return None
    try:
        fields = json.loads(_decode(payload))
    except (binascii.Error, ValueError):
        return None
    expires = dt.datetime.fromtimestamp(fields["x"], dt.UTC) if fields.get("x") is not None else None
    if fields.get("p") != purpose or (expires is not None and expires <= now):
        return None
    return Link(purpose, int(fields["t"]), fields.get("f"), expires)
