"""Personal data replaced by placeholders, and `narrative redact PATH` doing it to a file in place."""

from __future__ import annotations

from pathlib import Path

import pytest

from narrative import build, cli
from narrative.redact import Removal, described, redact
from tests.content import settings_for, write_file
from tests.test_screen import BODY, FRONT

VALUES = ("07700 900 123", "jo.bloggs@example.org", "0113 496 0000", "3 March 1961", "943 476 5919", "LS1 4AP")

REDACTED = """---
title: (phone number removed)
date: 2026-03-14
summary: Jo's story. Write to (email address removed).
topics: [mental-health]
consent:
  given: true
  how: Spoken, and checked by phone on (phone number removed)
content_note: Talks about self-harm.
---
I was (date of birth removed).

My NHS number is (NHS number removed) and I live at (postcode removed).

Some nights I was cutting myself.
"""


def test_every_kind_is_replaced_and_said_by_kind_and_line() -> None:
    redaction = redact(f"---\n{FRONT.replace('Call me on ', '')}---\n{BODY}")
    assert redaction.text == REDACTED
    assert redaction.removed == (
        Removal("phone", "phone number", 2), Removal("email", "email address", 4),
        Removal("phone", "phone number", 8), Removal("date-of-birth", "date of birth", 11),
        Removal("nhs-number", "NHS number", 13), Removal("postcode", "postcode", 13))
    assert described(redaction.removed[3:5]) == "a date of birth (line 11) and an NHS number (line 13)"


def test_the_redacted_file_is_still_a_valid_story_with_nothing_left_to_find(tmp_path: Path) -> None:
    write_file(tmp_path, "patient", "everything", None, REDACTED)
    site, problems = build.read_site(settings_for(tmp_path))
    assert problems == []
    assert [finding.kind for finding in build.screen_site(site).findings] == ["crisis", "crisis"]


def test_lines_are_counted_in_the_new_text_when_a_date_of_birth_spans_two() -> None:
    redaction = redact("I was born\n3 March 1961.\nRing 07700 900 123.\n")
    assert redaction.text == "I was (date of birth removed).\nRing (phone number removed).\n"
    assert [removal.line for removal in redaction.removed] == [1, 2]


def test_text_without_personal_data_is_unchanged() -> None:
    assert redact("Ward 7 in 2025 at 0800.\n").text == "Ward 7 in 2025 at 0800.\n"
    assert redact("Ward 7 in 2025 at 0800.\n").removed == ()


def test_the_command_redacts_in_place(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_file(tmp_path, "patient", "everything", FRONT, BODY)
    assert cli.main(["redact", str(path)]) == cli.OK
    assert capsys.readouterr().out == (
        f"{path}: removed a phone number (line 2), an email address (line 4), a phone number (line 8), a date of "
        "birth (line 11), an NHS number (line 13) and a postcode (line 13).\n")
    text = path.read_text(encoding="utf-8")
    assert not [value for value in VALUES if value in text]
    assert cli.main(["redact", str(path)]) == cli.OK
    assert capsys.readouterr().out == f"{path}: no personal data found; nothing changed.\n"


def test_the_command_refuses_a_missing_file_and_says_so_for_one_not_utf8(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["redact", str(tmp_path / "nothing.md")]) == cli.USAGE
    assert capsys.readouterr().err == f"narrative redact: {tmp_path / 'nothing.md'}: no such file\n"
    (tmp_path / "latin.md").write_bytes(b"caf\xe9 07700 900 123\n")
    assert cli.main(["redact", str(tmp_path / "latin.md")]) == cli.PROBLEMS
    assert capsys.readouterr().err == (f"{tmp_path / 'latin.md'}: is not UTF-8 text: save it again as UTF-8, "
                                       "then redact it\n")
    assert (tmp_path / "latin.md").read_bytes() == b"caf\xe9 07700 900 123\n"
