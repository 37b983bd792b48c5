"""Signed links in emails: confirm a sign-up, manage one's emails, unsubscribe with one click.

A link carries what it is for, whose subscription and until when, signed with an HMAC under the service's
key (`Keys.lookup_hashes`, with its own prefix so a signature is never a look-up hash), so it cannot be made
up or altered, and it still opens after the key is rotated. It holds no address: only a subscription's number.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from narrative.intake.keys import Keys
from narrative.intake.scopes import FREQUENCIES

CONFIRM_FOR = dt.timedelta(days=2)
"""How long a confirmation link works: long enough for a slow inbox, short enough that an old email is dead."""
PREFIX = "narrative link\x00"


@dataclass(frozen=True)
class Link:
    """What a signed link says: `purpose` (confirm, manage, unsubscribe), the subscription or subscriber it
    names, an optional frequency (instant, daily or weekly: what a confirmation sets) and when it stops
    working (None: never)."""

    purpose: str
    target: int
    frequency: str | None = None
    expires: dt.datetime | None = None


TOKEN = re.compile(r"([cmu])(\d{12})([idw-])(\d{11})\.([0-9a-f]{64})")
"""A token: purpose, target, frequency and expiry (0: never) in fixed widths, a dot, and the signature. Every
token is as long as every other, so a drawn email's links can be swapped for a reader's without redrawing."""
LENGTH = 1 + 12 + 1 + 11 + 1 + 64


def sign(link: Link, keys: Keys) -> str:
    """The token to put in a URL: the link's fields, a dot, and their signature."""
    expires = int(link.expires.timestamp()) if link.expires else 0
    payload = f"{link.purpose[0]}{link.target:012d}{(link.frequency or '-')[0]}{expires:011d}"
    return f"{payload}.{keys.lookup_hash(PREFIX + payload)}"


def verify(token: str, purpose: str, keys: Keys, now: dt.datetime) -> Link | None:
    """The link a token signs, or None when it was altered, made for another purpose or has expired."""
    match = TOKEN.fullmatch(token)
    if match is None or match[1] != purpose[0]:
        return None
    payload, signature = token.split(".")
    if not any(Keys.same(signature, expected) for expected in keys.lookup_hashes(PREFIX + payload)):
        return None
    expires = dt.datetime.fromtimestamp(int(match[4]), dt.UTC) if int(match[4]) else None
    if expires is not None and expires <= now:
        return None
    frequency = next((each for each in FREQUENCIES if each[0] == match[3]), None)
    return Link(purpose, int(match[2]), frequency, expires)
