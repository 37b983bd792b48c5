"""Never a traceback, for any file: each nasty file below gives problems naming it, and reading goes on."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from narrative import render
from narrative.build import read_site, screen_site
from narrative.config import Settings
from narrative.render import to_html
from tests.content import MARKDOWN_GUARDS_NESTING, conversation, settings_for, story, story_fields, write_file

VALID = "title: T\ndate: 2026-03-01\nsummary: S\ntopics: [carers]\nconsent: true\n"
ALIASES = "l0: &l0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]\n" for n in range(1, 9))
"""9^8 (43 million) items from nine lines, if anything were to expand them."""

NASTY: dict[str, bytes] = {
    "empty": b"",
    "only-dashes": b"---",
    "only-dashes-twice": b"---\n---\n",
    "whitespace": b" \n\t\n  \n",
    "binary": bytes(range(256)),
    "png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01",
    "utf16": "---\ntitle: x\n---\nBody\n".encode("utf-16"),
    "latin1": "---\ntitle: Café\n---\nBody\n".encode("latin-1"),
    "nul-in-yaml": b"---\ntitle: a\x00b\n---\nBody\n",
    "huge-title": f"---\n{VALID.replace('title: T', 'title: ' + 'x' * 200_000)}---\nBody\n".encode(),
    "huge-line-of-dashes": b"-" * 100_000,
    "alias-bomb": f"---\n{ALIASES}title: *l8\ndate: *l8\nsummary: *l8\ntopics: *l8\nconsent: *l8\nstatus: *l8\n"
                  f"images: *l8\naudio: *l8\nvideo: *l8\nreviewed: *l8\nauthor: *l8\nstory: *l8\nresponder: *l8\n"
                  f"principle: *l8\nstories: *l8\nchange: *l8\n---\nBody\n".encode(),
    "alias-bomb-in-list": f"---\n{ALIASES}{VALID.replace('[carers]', '[*l8]')}---\nBody\n".encode(),
    "alias-bomb-as-key": f"---\n{ALIASES}? *l8\n: x\n---\nBody\n".encode(),
    "undefined-alias": b"---\ntitle: *nothing\n---\nBody\n",
    "recursive-alias": b"---\ntitle: &a [*a]\n---\nBody\n",
    "list-front-matter": b"---\n- title: x\n- date: 2026-03-01\n---\nBody\n",
    "scalar-front-matter": b"---\n42\n---\nBody\n",
    "tabs": b"---\ntitle:\tx\n\tdate: 2026-03-01\n---\nBody\n",
    "tab-only-values": b"---\ttitle\t: x\n---\nBody\n",
    "date-int": f"---\n{VALID.replace('2026-03-01', '20260301')}---\nBody\n".encode(),
    "date-float": f"---\n{VALID.replace('2026-03-01', '2026.03')}---\nBody\n".encode(),
    "date-tagged": f"---\n{VALID.replace('2026-03-01', '!!timestamp 2026-03-01')}---\nBody\n".encode(),
    "date-year-0": f"---\n{VALID.replace('2026-03-01', '0000-01-01')}---\nBody\n".encode(),
    "date-huge-offset": f"---\n{VALID.replace('2026-03-01', '2026-03-01T10:00+25:00')}---\nBody\n".encode(),
    "nested-garbage": b"---\ntitle: {a: [1, {b: [2, {c: null}]}]}\nconsent: {given: {given: true}}\n"
                      b"topics: [[[[]]]]\nimages: [[{src: [1]}]]\naudio: {src: {}}\nvideo: [1]\n---\nBody\n",
    "deep-nesting": b"---\ntitle: " + b"[" * 10_000 + b"]" * 10_000 + b"\n---\nBody\n",
    "python-tag": b"---\ntitle: !!python/object/apply:os.system [echo owned]\n---\nBody\n",
    "custom-tag": b"---\ntitle: !include /etc/passwd\n---\nBody\n",
    "set-tag": b"---\ntitle: !!set {a, b}\n---\nBody\n",
    "binary-tag": b"---\ntitle: !!binary aGVsbG8=\n---\nBody\n",
    "null-keys": b"---\n~: x\nnull: y\n1: z\ntrue: w\n2026-03-01: v\n---\nBody\n",
    "merge-key": b"---\nbase: &b {title: x, date: 2026-03-01}\n<<: *b\n<<: [*b, *b]\n---\nBody\n",
    "duplicate-keys": b"---\ntitle: a\ntitle: b\n---\nBody\n",
    "unclosed-quote": b"---\ntitle: \"Ward 7\n---\nBody\n",
    "unclosed-front-matter": f"---\n{VALID}Body\n".encode(),
    "second-document": f"---\n{VALID}...\nmore: x\n---\nBody\n".encode(),
    "crlf-and-cr": b"---\r\ntitle: x\rdate: y\r\n---\r\nBody",
    "bom-twice": "\ufeff\ufeff---\ntitle: x\n---\nBody\n".encode(),
    "control-characters": ("---\n" + VALID.replace("title: T", 'title: "T\\u0007\\u001b[31m"')
                           + "---\nBody\n").encode(),
    "surrogate-escape": b"---\ntitle: \"\\ud800\"\n---\nBody\n",
    "only-body": b"Once upon a time\n",
    "front-matter-later": b"Hello\n---\ntitle: x\n---\n",
}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return settings_for(tmp_path)


@pytest.mark.parametrize("folder", ["patient", "pledge", "responses", "conversations"])
def test_nasty_files_give_problems_never_exceptions(settings: Settings, folder: str) -> None:
    story(settings.root, "ward-7")
    (settings.stories_path / folder).mkdir(exist_ok=True)
    for name, data in NASTY.items():
        (settings.stories_path / folder / f"{name}.md").write_bytes(data)
    site, problems = read_site(settings)
    assert [story.slug for story in site.all_stories] == ["ward-7"]
    assert {problem.path for problem in problems} == {f"stories/{folder}/{name}.md" for name in NASTY}
    assert all(problem.is_error for problem in problems)
    assert max(len(str(problem)) for problem in problems) < 1000


@pytest.mark.parametrize("name", list(NASTY))
def test_each_nasty_file_alone(settings: Settings, name: str) -> None:
    path = settings.stories_path / "patient" / f"{name}.md"
    path.write_bytes(NASTY[name])
    site, problems = read_site(settings, only=[path])
    assert site.all_stories == ()
    assert problems and {problem.path for problem in problems} == {f"stories/patient/{name}.md"}
    assert all("Traceback" not in str(problem) and "\n" not in str(problem) for problem in problems)


def test_the_command_never_shows_a_traceback(settings: Settings) -> None:
    for name, data in NASTY.items():
        (settings.stories_path / "patient" / f"{name}.md").write_bytes(data)
    result = subprocess.run([sys.executable, "-m", "narrative.cli", "check"], cwd=settings.root,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.endswith(f" in {len(NASTY)} files.\n")


HOSTILE_BODIES: dict[str, str] = {
    "nested-markers": "- " * 496 + "a\n",
    "nested-indented-items": "".join("    " * depth + "- a\n" for depth in range(250)),
    "brackets": "[" * 1_000_000 + "\n",
    "angle-brackets": "<" * 1_000_000 + "\n",
    "pictures": "![" * 500_000 + "\n",
    "unclosed-links": "[a](" * 250_000 + "\n",
    "brackets-on-lines": "[\n" * 500_000,
    "brackets-in-paragraphs": "[" * 200 + "\n\n" * 2400,
    "email-addresses": "jane@example.org\n" * 60_000,
}
"""Bodies that crashed or hung the check or the build, most at 1 MB."""
SECONDS = 10
"""Far more than any needs now (the machine is shared and slow); minutes to hours before."""


def check_in_time(settings: Settings, name: str) -> list[str]:
    """The check's problems for a story with this body, found within `SECONDS`."""
    write_file(settings.root, "patient", name, story_fields(name), HOSTILE_BODIES[name])
    started = time.monotonic()
    site, problems = read_site(settings)
    screen_site(site)
    assert time.monotonic() - started < SECONDS
    return [str(problem) for problem in problems if problem.is_error]


@pytest.mark.parametrize("name", list(HOSTILE_BODIES))
def test_a_hostile_body_is_checked_in_seconds(tmp_path: Path, name: str) -> None:
    check_in_time(settings_for(tmp_path), name)


LIMIT_PROBLEMS = {
    "nested-markers": "stories/patient/nested-markers.md:9: lists or quotes nested 496 deep: keep to 20 "
                      "(extra.narrative.limits.max_depth); a line like '- - - words' is three lists, one inside "
                      "another",
    "nested-indented-items": "stories/patient/nested-indented-items.md:29: lists or quotes nested 21 deep: keep to "
                             "20 (extra.narrative.limits.max_depth); a line like '- - - words' is three lists, one "
                             "inside another",
    "brackets": "stories/patient/brackets.md:9: too many '[' or '(' without their ']' or ')' from this paragraph "
                "on: close each one, or write '\\[' for a bracket that is only text",
    "pictures": "stories/patient/pictures.md:9: too many '[' or '(' without their ']' or ')' from this paragraph "
                "on: close each one, or write '\\[' for a bracket that is only text",
    "unclosed-links": "stories/patient/unclosed-links.md:9: too many '[' or '(' without their ']' or ')' from this "
                      "paragraph on: close each one, or write '\\[' for a bracket that is only text",
}


@pytest.mark.parametrize("name", list(LIMIT_PROBLEMS))
def test_past_the_file_limits_a_body_is_named_before_it_is_rendered(tmp_path: Path, name: str) -> None:
    roomy = settings_for(tmp_path, limits={"max_file_size": 5_000_000, "max_line_length": 5_000_000})
    assert check_in_time(roomy, name) == [LIMIT_PROBLEMS[name]]


def test_a_file_too_big_or_with_a_line_too_long_is_an_error_and_screened_whole(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, limits={"max_file_size": 2_000, "max_line_length": 300})
    write_file(tmp_path, "patient", "long", story_fields("long"), "Call 07700 900123. " * 200)
    write_file(tmp_path, "patient", "wide", story_fields("wide"), "Fine.\n\n" + "She wanted to end it all. " * 20)
    site, problems = read_site(settings)
    assert [str(problem) for problem in problems] == [
        "stories/patient/long.md:1: is 3,906 bytes long: a file may hold 2,000 (extra.narrative.limits.max_file_size): "
        "keep to the story itself, or split it in two",
        "stories/patient/wide.md:11: this line is 520 characters long: a line may hold 300 "
        "(extra.narrative.limits.max_line_length): break it into paragraphs, with an empty line between them"]
    kinds = {(finding.path, finding.kind) for finding in screen_site(site).findings}
    assert kinds == {("stories/patient/long.md", "phone"), ("stories/patient/wide.md", "crisis")}


def test_a_body_markdown_cannot_render_is_a_problem_not_a_crash(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A body nested deeper than Python allows (Python-Markdown before 3.11.4 raised RecursionError part way;
    later versions stop nesting first), and a body Markdown fails on for any other reason."""
    settings = settings_for(tmp_path, limits={"max_depth": 1000})
    write_file(tmp_path, "patient", "deep", story_fields("deep"), "Words.\n\n" + "- " * 496 + "a\n")
    failing = write_file(tmp_path, "patient", "odd", story_fields("odd"), "Odd words.\n")
    convert = render._convert
    monkeypatch.setattr(render, "_convert", lambda text, extensions: convert(text, extensions)
                        if "Odd words" not in text else {}["a key Markdown did not expect"])
    _, problems = read_site(settings)
    deep = ([] if MARKDOWN_GUARDS_NESTING else [
        "stories/patient/deep.md:9: cannot be turned into a page: it is nested too deeply; use fewer lists "
        "inside lists"])
    assert [str(problem) for problem in problems] == [*deep, (
        f"{failing.relative_to(tmp_path).as_posix()}:9: cannot be turned into a page (KeyError): look for unusual "
        "marks in the text")]
    assert to_html("Then *this* renders.") == "<p>Then <em>this</em> renders.</p>"


def test_checking_some_files_renders_only_theirs(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    write_file(tmp_path, "patient", "deep", story_fields("deep"), "- " * 30 + "a\n")
    fine = write_file(tmp_path, "patient", "fine", story_fields("fine"), "Some *words*.\n")
    render._bodies.clear()
    assert read_site(settings, only=[fine])[1] == []
    assert [item.slug for item in render._bodies] == ["fine"]


def test_the_screen_reads_the_bodies_the_check_rendered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check renders each body once, as the build will; the screen reads those renders rather than
    rendering again (the check's time for ten thousand stories depends on it)."""
    settings = settings_for(tmp_path)
    story(tmp_path, "ward", "Some *days* I want to kill my**self**.\n")
    site, _ = read_site(settings)
    converted: list[str] = []
    convert = render._convert
    monkeypatch.setattr(render, "_convert",
                        lambda text, extensions: converted.append(text) or convert(text, extensions))
    assert [finding.text for finding in screen_site(site).findings] == ["kill myself"]
    assert converted == []


def test_a_file_too_big_that_is_not_text_is_an_error_not_a_crash(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, limits={"max_file_size": 2_000})
    write_file(tmp_path, "patient", "big", None, "---\ntitle: x\n---\n")
    with (settings.stories_path / "patient" / "big.md").open("ab") as file:
        file.write(b"\xff\xfe words\n" * 300)
    assert [problem.code for problem in read_site(settings)[1]] == ["too-big"]


def test_a_conversation_records_write_up_is_screened_but_never_rendered(tmp_path: Path) -> None:
    """A record is counted, never published as a page: its body costs the check no rendering."""
    settings = settings_for(tmp_path)
    conversation(tmp_path, "booth", body="- " * 30 + "Call 07700 900123.\n")
    render._bodies.clear()
    site, problems = read_site(settings)
    assert (problems, render._bodies) == ([], {})
    assert [finding.kind for finding in screen_site(site).findings] == ["phone"]


def test_a_reviews_file_that_links_outside_the_site_is_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.yml"
    secret.write_text("Jane Doe 943 476 5919:\n  - kind: phone\n", encoding="utf-8")
    settings = settings_for(tmp_path / "site")
    story(settings.root, "ward-7")
    (settings.stories_path / "reviews.yml").symlink_to(secret)
    assert [str(problem) for problem in read_site(settings)[1]] == [
        "stories/reviews.yml:1: is a link to a file outside the site's folder, so it is not read: put the file "
        "itself here, or remove the link"]
