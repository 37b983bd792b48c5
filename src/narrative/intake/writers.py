"""What the service keeps for each writer's own page: a keyed hash of their private code, whether they took
their story back, and which "your story was ..." emails they have been sent.

The code is shown once, on the thank-you page, and never kept: only its HMAC under the service's key. Checking
a reference and a code does the same work whether the reference exists or not (a dummy hash stands in for a
missing one) and compares in constant time, so neither the answer nor its timing says which references exist.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from narrative.intake.keys import Keys
from narrative.intake.sqlite import Store
from narrative.intake.submission import REFERENCE_LETTERS

FILE = "writers.sqlite3"
CODE_LENGTH = 24
"""Characters of Crockford's base 32: 120 random bits, read in six groups of four."""
GROUP = 4
READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
"""Letters a writer may type for the ones the code never uses (Crockford's reading)."""


def new_code() -> str:
    """A private code to show once, grouped for reading: `7K3Q 2F9D ...`."""
    code = "".join(secrets.choice(REFERENCE_LETTERS) for _ in range(CODE_LENGTH))
    return " ".join(code[start:start + GROUP] for start in range(0, CODE_LENGTH, GROUP))


def normal_code(typed: str) -> str:
    """The code as typed, without spaces or dashes, in capitals, with look-alike letters read as the code's."""
    return "".join(typed.split()).replace("-", "").upper().translate(READ_AS)[:CODE_LENGTH * 2]


def normal_reference(typed: str) -> str:
    """The reference as typed, in capitals, with its dashes where they belong however it was spaced; its last
    eight characters read as Crockford's (the prefix before them may be any letters)."""
    compact = "".join(typed.split()).replace("-", "").upper()[:40]
    if len(compact) <= 8:
        return compact
    prefix, code = compact[:-8], compact[-8:].translate(READ_AS)
    return f"{prefix}-{code[:4]}-{code[4:]}"


@dataclass(frozen=True)
class Checked:
    """The answer to a reference and a code: `known` only when both are right."""

    known: bool
    withdrawn: bool


class Writers(Store):
    SCHEMA = """
        CREATE TABLE IF NOT EXISTS codes (
            reference TEXT PRIMARY KEY, code_hash TEXT NOT NULL, withdrawn REAL);
        CREATE TABLE IF NOT EXISTS told (
            reference TEXT NOT NULL, state TEXT NOT NULL, sent REAL NOT NULL, PRIMARY KEY (reference, state));
    """
    """`told` is written before an email is sent: a crash half way means one email missed, never one twice."""

    def __init__(self, folder: Path, keys: Keys) -> None:
        super().__init__(folder / FILE)
        self.keys = keys
        self._dummy = keys.lookup_hash(secrets.token_hex(16))

    def issue(self, reference: str) -> str:
        """A new private code for `reference`, its hash kept durably; the code itself is not kept."""
        code = new_code()
        with self.transaction() as db:
            db.execute("INSERT INTO codes (reference, code_hash) VALUES (?, ?)",
                       (reference, self.keys.lookup_hash(normal_code(code))))
        return code

    def check(self, reference: str, code: str) -> Checked:
        """Whether the code is `reference`'s: the same work, and a constant-time comparison, either way."""
        rows = self.rows("SELECT code_hash, withdrawn FROM codes WHERE reference = ?",
                         (normal_reference(reference),))
        stored, withdrawn = rows[0] if rows else (self._dummy, None)
        matched = False
        for candidate in self.keys.lookup_hashes(normal_code(code)):
            matched |= Keys.same(candidate, stored)
        return Checked(matched and bool(rows), withdrawn is not None)

    def withdraw(self, reference: str) -> None:
        """Remember, durably, that the writer took their story back."""
        with self.transaction() as db:
            db.execute("UPDATE codes SET withdrawn = ? WHERE reference = ?", (time.time(), reference))

    def current(self) -> list[str]:
        """Every reference whose writer has not taken their story back, oldest first."""
        return [row[0] for row in self.rows("SELECT reference FROM codes WHERE withdrawn IS NULL ORDER BY rowid")]

    def tell(self, reference: str, states: frozenset[str]) -> frozenset[str]:
        """Record, durably and before sending, that the writer is being told of `states`; those not told
        before, which this caller alone now sends (another sender at the same time gets none of them)."""
        with self.transaction() as db:
            told = {row[0] for row in db.execute("SELECT state FROM told WHERE reference = ?", (reference,))}
            new = states - told
            db.executemany("INSERT INTO told (reference, state, sent) VALUES (?, ?, ?)",
                           [(reference, state, time.time()) for state in sorted(new)])
        return frozenset(new)

    def untell(self, reference: str, states: frozenset[str]) -> None:
        """The email could not be sent this time: try again at the next look."""
        with self.transaction() as db:
            db.executemany("DELETE FROM told WHERE reference = ? AND state = ?",
                           [(reference, state) for state in states])
