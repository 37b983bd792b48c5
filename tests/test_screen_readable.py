"""The screen reads what readers will see: each disguise that hides words from a reading of the file as written
is caught, at the line it was written on, and the detectors' hits still point into the text they were given."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from narrative import render, screen
from narrative.model import Source, Unchecked
from narrative.screen import crisis, personal_data, readable
from tests.content import screened, settings_for, story

DISGUISES = [
    # character references
    ("943&#32;476&#32;5919", "nhs-number", "943 *** ****"),
    ("jane.doe&#64;example.com", "email", "j***@example.com"),
    ("jane.doe&commat;example.com", "email", "j***@example.com"),
    ("jane.doe@example&#46;com", "email", "j***@example.com"),
    ("07700&nbsp;900&nbsp;123", "phone", "07700 9** ***"),
    ("born&#32;3 March 1961", "date-of-birth", "born 3 *** ****"),
    ("kill my&#115;elf", "crisis", "kill myself"),
    ("kill my&#x73;elf", "crisis", "kill myself"),
    ("I want to &#100;ie", "crisis", "want to die"),
    ("sui&shy;cide", "crisis", "suicide"),
    # emphasis, empty tags, comments and links inside a word
    ("kill my**self**", "crisis", "kill myself"),
    ("kill my*self*", "crisis", "kill myself"),
    ("sui<i></i>cide", "crisis", "suicide"),
    ("sui<span>ci</span>de", "crisis", "suicide"),
    ("sel<b>f-h</b>arm", "crisis", "self-harm"),
    ("sui`c`ide", "crisis", "suicide"),
    ("[sui](https://example.org)cide", "crisis", "suicide"),
    ("sui<!-- x -->cide", "crisis", "suicide"),
    ("943<b></b> 476 5919", "nhs-number", "943 *** ****"),
    ("jane.doe<!-- -->@example.com", "email", "j***@example.com"),
    # invisible characters inside a word
    ("sui\u00adcide", "crisis", "suicide"),
    ("kill my\u200bself", "crisis", "kill myself"),
    ("sui\u200dcide", "crisis", "suicide"),
    ("sui\u200ccide", "crisis", "suicide"),
    ("over\u2060dose", "crisis", "overdose"),
    ("94\ufeff3 476 5919", "nhs-number", "943 *** ****"),
    ("jane.doe\u200e@example.com", "email", "j***@example.com"),
    # look-alike letters, accents, non-breaking hyphens and full-width forms
    ("sui\u0441\u0456de", "crisis", "suicide"),
    ("overd\u043ese", "crisis", "overdose"),
    ("\u03bfverdose", "crisis", "overdose"),
    ("s\u0435lf-harm", "crisis", "self-harm"),
    ("sui\u0301cide", "crisis", "suicide"),
    ("self\u2011harm", "crisis", "self-harm"),
    ("943\u2011476\u20115919", "nhs-number", "943-***-****"),
    ("\uff53\uff55\uff49\uff43\uff49\uff44\uff45", "crisis", "suicide"),
    ("\uff19\uff14\uff13 \uff14\uff17\uff16 \uff15\uff19\uff11\uff19", "nhs-number", "943 *** ****"),
    ("jane.doe\uff20example.com", "email", "j***@example.com"),
    ("\uff2c\uff33\uff11 \uff14\uff21\uff30", "postcode", "LS1 ***"),
]


@pytest.mark.parametrize("disguise, kind, shown", DISGUISES)
def test_a_disguise_in_the_body_is_caught_at_its_line(tmp_path: Path, disguise: str, kind: str, shown: str) -> None:
    story(tmp_path, "hidden", body=f"A first line.\n\n{disguise}\n\nA last line.\n")
    found = [(finding.line, finding.kind, finding.text) for finding in screened(tmp_path).findings]
    assert found == [(11, kind, shown)]


@pytest.mark.parametrize("disguise, kind, shown", [
    disguise for disguise in DISGUISES if not disguise[0].startswith(("[", "sui`"))])
def test_a_disguise_in_a_field_is_caught_at_its_line(tmp_path: Path, disguise: str, kind: str, shown: str) -> None:
    story(tmp_path, "hidden", summary=f"It was {disguise} then.")
    found = [(finding.line, finding.field, finding.kind, finding.text) for finding in screened(tmp_path).findings]
    assert found == [(4, "summary", kind, shown)]


def test_a_disguise_over_lines_is_caught_at_the_line_it_starts_on(tmp_path: Path) -> None:
    story(tmp_path, "hidden",
          body="One.\n\nsui<!--\nnothing\n-->cide, and kill\nmy&#115;elf.\n\nCall 07700&#32;900123.\n")
    found = [(finding.line, finding.kind, finding.text) for finding in screened(tmp_path).findings]
    assert found == [(11, "crisis", "suicide"), (13, "crisis", "kill myself"), (16, "phone", "07700 9*****")]


def test_what_is_written_but_never_shown_is_screened_all_the_same(tmp_path: Path) -> None:
    """A comment or a link's address is in the public repository (and a `tel:` link on the page) though the
    text of the page does not show it."""
    story(tmp_path, "hidden", body="<!-- jane.doe@example.com -->\n\n[Ring me](tel:07700900123)\n")
    found = [(finding.line, finding.kind, finding.text) for finding in screened(tmp_path).findings]
    assert found == [(9, "email", "j***@example.com"), (11, "phone", "077009*****")]


def hits(detector: readable.Detector, text: str) -> list[tuple[str, str]]:
    """Each hit's shown text and the written text it points at."""
    as_read = readable.of_html(text, render.to_html(text))
    return [(hit.text, text[hit.start:hit.end]) for hit in readable.find(detector, text, as_read)]


def test_hits_point_at_the_written_text() -> None:
    text = "I'm *really* killing my&#115;elf. Write to jane&#46;doe@example.com or ring 07700&#32;900123."
    assert hits(crisis.find, text) == [("killing myself", "killing my&#115;elf")]
    assert hits(personal_data.find, text) == [("j***@example.com", "jane&#46;doe@example.com"),
                                              ("07700 9*****", "07700&#32;900123")]


def test_the_detectors_still_read_only_the_text_they_are_given() -> None:
    assert list(crisis.find("kill my&#115;elf")) == []
    assert [hit.kind for hit in personal_data.find("jane.doe@example.com")] == ["email"]


def test_a_field_as_read() -> None:
    as_read = readable.of_text("Kill my**self**, sui&shy;cide, \uff19\uff14\uff13 and s\u0435lf\u2011harm")
    assert as_read.text == "Kill myself, suicide, 943 and self-harm"
    assert as_read.written(0, 11) == (0, 13)
    assert as_read.written(13, 20) == (17, 29)


@pytest.mark.parametrize("line", ["&#115;" * 200_000, "<!--" * 250_000, "\u00ad\u0456" * 500_000,
                                  "*a*" * 300_000, "&" * 1_000_000, "sui<i></i>cide " * 60_000])
def test_reading_is_linear_in_the_text(line: str) -> None:
    """A megabyte read within seconds of processor time (not of the clock, which other work on the machine
    slows)."""
    started = time.process_time()
    as_read = readable.of_text(line)
    readable.find(crisis.find, line, as_read)
    assert time.process_time() - started < 5


def test_a_body_is_aligned_in_linear_time() -> None:
    """Pieces of the rendered text the renderer made, or that stand far from where they were written, are
    looked for character by character from where the last was found, never from the start again."""
    body = ("\u201cquoted\u201d " + "[a](" + "x" * 600 + ") word ") * 2_000 + "\n\nsui<!--" + "y" * 100_000 + "-->cide"
    started = time.process_time()
    found = hits(crisis.find, body)
    assert time.process_time() - started < 5
    assert found == [("suicide", "sui<!--" + "y" * 100_000 + "-->cide")]


def test_every_finding_after_a_disguise_keeps_its_line(tmp_path: Path) -> None:
    """Finding a piece of text far from where the last was found must not throw the later ones off."""
    body = ("\u201cI don't know,\u201d she said -- and\tthen: sui<!--\nnothing\n-->cide.\n\n"
            "[Call](https://example.org/a-very-long-address) me.\n\nI was born 3 March 1961.\n\n"
            "| a | b |\n| --- | --- |\n| kill my&#115;elf | 07700 900123 |\n")
    story(tmp_path, "lines", body=body)
    found = [(finding.line, finding.kind, finding.text) for finding in screened(tmp_path).findings]
    assert found == [(9, "crisis", "suicide"), (15, "date-of-birth", "born 3 *** ****"),
                     (19, "crisis", "kill myself"), (19, "phone", "07700 9*****")]


def test_a_file_with_windows_line_endings_is_placed_by_its_lines(tmp_path: Path) -> None:
    path = story(tmp_path, "crlf", body="One.\n\nsui<i></i>cide\n\n&#48;7700 900123\n")
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    found = [(finding.line, finding.kind) for finding in screened(tmp_path).findings]
    assert found == [(11, "crisis"), (13, "phone")]


def test_a_body_that_is_one_reference() -> None:
    assert hits(crisis.find, "&#115;uicide") == [("suicide", "&#115;uicide")]


@pytest.mark.parametrize("body", ["[" * 1_000_000, "[a](" * 250_000, "![" * 500_000, "- " * 2_000 + "suicide"])
def test_no_body_holds_up_the_screen(tmp_path: Path, body: str) -> None:
    """Bodies the renderer takes minutes over, or cannot render at all, are read as written instead (the
    personal data and crisis screen alone: measuring readability is its own matter)."""
    nasty = Unchecked(Source("stories/patient/nasty.md"), (), body + "\n\nkill my&#115;elf\n")
    settings = settings_for(tmp_path, screening={"error_kinds": ["crisis"]})
    started = time.process_time()
    found = [(finding.line, finding.kind) for finding in screen.errors([nasty], settings)]
    assert time.process_time() - started < 10
    assert found[-1:] == [(3, "crisis")]
