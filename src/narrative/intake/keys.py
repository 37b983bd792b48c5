"""The service's secret: encryption at rest and keyed look-ups, from `NARRATIVE_INTAKE_KEY`.

The variable holds one or more Fernet keys separated by commas, newest first. New data is encrypted with the
newest; data under an older key still decrypts, and `rotate()` re-encrypts it (MultiFernet), so a key can be
replaced without losing anything. A value that must be found again without being stored in plain text (an
email address, a private code) is looked up by an HMAC of it, under a key derived from each Fernet key: the
newest for storing, any of them for finding.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VARIABLE = "NARRATIVE_INTAKE_KEY"

__all__ = ["VARIABLE", "InvalidToken", "KeyProblem", "Keys", "new_key"]


class KeyProblem(ValueError):
    """The key is missing or malformed; the message is one line saying how to set it."""


def new_key() -> str:
    """A fresh key, to put in `NARRATIVE_INTAKE_KEY`."""
    return Fernet.generate_key().decode("ascii")


def _lookup_key(key: bytes) -> bytes:
    """A separate key for look-ups, so the HMAC and the cipher never share one."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"narrative lookup").derive(key)


@dataclass(frozen=True)
class Keys:
    """The loaded keys: encrypt, decrypt, rotate, and hash a value for looking it up."""

    _fernet: MultiFernet
    _lookup: tuple[bytes, ...]

    @classmethod
    def from_text(cls, text: str) -> Keys:
        parts = [part.strip() for part in text.split(",") if part.strip()]
        if not parts:
            raise KeyProblem(f"{VARIABLE} is not set: the service encrypts everything it keeps and needs a key; "
                            f"make one with `narrative intake key` and set it in the environment")
        try:
            fernets = [Fernet(part.encode("ascii")) for part in parts]
        except (ValueError, UnicodeEncodeError):
            raise KeyProblem(f"{VARIABLE} is not a valid key (32 url-safe base64-encoded bytes, or several "
                            f"separated by commas, newest first): make one with `narrative intake key`") from None
        raw = [_raw(part) for part in parts]
        return cls(MultiFernet(fernets), tuple(_lookup_key(key) for key in raw))

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> Keys:
        return cls.from_text(environ.get(VARIABLE, ""))

    def encrypt(self, data: bytes) -> bytes:
        return self._fernet.encrypt(data)

    def decrypt(self, token: bytes) -> bytes:
        """The plain data; raises `InvalidToken` when no key opens it or it was altered."""
        return self._fernet.decrypt(token)

    def rotate(self, token: bytes) -> bytes:
        """The same data, encrypted again under the newest key."""
        return self._fernet.rotate(token)

    def lookup_hash(self, value: str) -> str:
        """The HMAC to store beside a value, under the newest key."""
        return self.lookup_hashes(value)[0]

    def lookup_hashes(self, value: str) -> tuple[str, ...]:
        """The value's HMAC under every key, newest first: one of them matches what was stored."""
        data = value.encode("utf-8")
        return tuple(hmac.new(key, data, hashlib.sha256).hexdigest() for key in self._lookup)

    @staticmethod
    def same(a: str, b: str) -> bool:
        """Constant-time comparison of two hashes or codes."""
        return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def _raw(key: str) -> bytes:
    return base64.urlsafe_b64decode(key.encode("ascii"))
