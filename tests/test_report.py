"""The editor's Markdown report, and `narrative check --format markdown` that prints it."""

from __future__ import annotations

from pathlib import Path

import pytest

from narrative import build, cli, report
from narrative.problems import Problem, Severity
from narrative.screen import Screening
from tests.content import settings_for, story, write_file
from tests.test_screen import BODY, FRONT
from tests.test_screen_readability import EASY, HARD

EVERY_KIND = """\
❌ **Not ready to publish:** 2 errors to fix, 2 urgent safeguarding findings and 5 possible pieces of personal \
data in 4 files.

### stories/patient/broken.md

**Errors: fix before merging**

- Line 5 (topics): unknown topic 'mental-heath' (did you mean 'mental-health'?); choose from mental-health, \
primary-care, carers

**Readability:** 3 words, reading ease 100, grade 0.

### stories/patient/everything.md

**Errors: fix before merging**

- Line 13: NHS number `943 *** ****`

**Urgent: safeguarding**

- Line 9 (content\\_note): words about self-harm: “self-harm”
- Line 15: words about self-harm: “cutting myself”

**Possible personal data**

- Line 2 (title): phone number `07700 9** ***`
- Line 4 (summary): email address `j***@example.org`
- Line 6 (consent): phone number `0113 49* ****`
- Line 11: date of birth `born 3 *** ****`
- Line 13: postcode `LS1 ***`

To replace them with placeholders, run `narrative redact stories/patient/everything.md`.

**Readability:** 25 words, reading ease 100, grade 0.9.

### stories/patient/hard-words.md

**Readability:** 43 words, reading ease 0, grade 19.1. Harder to read than this site aims for: shorter sentences \
and everyday words would help more people.

<details><summary>1 file with nothing to flag</summary>

- stories/patient/plain.md: 75 words, reading ease 100, grade 0

</details>

**What to do**

- **Errors** stop the site from building: fix each one in the file.
- **Urgent:** make sure the person is safe and tell the safeguarding lead now, before anything else. Then add \
`crisis` to `reviewed:` in the file's front matter.
- **Personal data:** remove it, or once you have checked it may stay, add its kind to `reviewed:` in the front \
matter, e.g. `reviewed: [phone]`.
"""


@pytest.fixture
def every_kind(tmp_path: Path) -> Path:
    """A site with a file holding every kind of finding, one with an error, one hard to read and one plain;
    NHS numbers are errors on this site."""
    write_file(tmp_path, "patient", "everything", FRONT, BODY)
    story(tmp_path, "broken", topics=["mental-heath"])
    story(tmp_path, "hard-words", body=HARD)
    story(tmp_path, "plain", body=EASY * 3)
    settings_for(tmp_path, screening={"error_kinds": ["nhs-number"]})
    return tmp_path / "mkdocs.yml"


def checked(config_file: Path) -> tuple[list[Problem], Screening]:
    settings = settings_for(config_file.parent, screening={"error_kinds": ["nhs-number"]})
    site, problems = build.read_site(settings)
    return problems, build.screen_site(site)


def test_the_report_for_a_file_with_every_kind(every_kind: Path) -> None:
    problems, screening = checked(every_kind)
    assert report.markdown(problems, screening, 4) == EVERY_KIND


def test_the_check_command_prints_the_report_and_fails_on_errors(every_kind: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["-f", str(every_kind), "check", "--format", "markdown"]) == cli.PROBLEMS
    assert capsys.readouterr().out == EVERY_KIND


def test_warnings_alone_do_not_fail_the_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    story(tmp_path, "call-me", body="Call me on 07700 900 123.\n")
    story(tmp_path, "plain", body=EASY * 3)
    config_file = tmp_path / "mkdocs.yml"
    settings_for(tmp_path)
    assert cli.main(["-f", str(config_file), "check", "--format", "markdown",
                     str(tmp_path / "stories/patient/call-me.md")]) == cli.OK
    assert capsys.readouterr().out == (
        "⚠️ **Check before publishing:** 1 possible piece of personal data in 1 file.\n\n"
        "### stories/patient/call-me.md\n\n"
        "**Possible personal data**\n\n"
        "- Line 9: phone number `07700 9** ***`\n\n"
        "To replace them with placeholders, run `narrative redact stories/patient/call-me.md`.\n\n"
        "**Readability:** 6 words, reading ease 100, grade 0.\n\n"
        "**What to do**\n\n"
        "- **Personal data:** remove it, or once you have checked it may stay, add its kind to `reviewed:` in the "
        "front matter, e.g. `reviewed: [phone]`.\n")


def test_an_urgent_finding_leads_the_verdict(tmp_path: Path) -> None:
    story(tmp_path, "hard-night", body="I felt suicidal. Call me on 07700 900 123.\n")
    problems, screening = checked(tmp_path / "mkdocs.yml")
    assert report.markdown(problems, screening, 1).splitlines()[0] == (
        "🚨 **Urgent:** 1 urgent safeguarding finding and 1 possible piece of personal data in 1 file.")


def test_a_clean_check(tmp_path: Path) -> None:
    story(tmp_path, "plain", body=EASY * 3)
    problems, screening = checked(tmp_path / "mkdocs.yml")
    assert report.markdown(problems, screening, 1) == (
        "✅ **Ready for an editor:** no errors, urgent findings or personal data in 1 file.\n\n"
        "<details><summary>1 file with nothing to flag</summary>\n\n"
        "- stories/patient/plain.md: 75 words, reading ease 100, grade 0\n\n"
        "</details>\n")


def test_text_from_a_file_cannot_add_markdown_or_mentions() -> None:
    problems = [Problem("stories/patient/x.md", 3, "title", "unknown topic '<img src=x> [link](y) @someone `z`*'")]
    text = report.markdown(problems, Screening(), 1)
    assert ("- Line 3 (title): unknown topic '\\<img src=x\\> \\[link\\](y) @\u2060someone \\`z\\`\\*'"
            in text.splitlines())


def test_text_and_json_output_carry_the_findings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    story(tmp_path, "hard-night", body="I felt suicidal. Call me on 07700 900 123.\n")
    settings_for(tmp_path)
    config_file = str(tmp_path / "mkdocs.yml")
    assert cli.main(["-f", config_file, "check"]) == cli.OK
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "stories/patient/hard-night.md:9: phone number '07700 9** ***': remove it, or once checked add 'phone' to "
        "'reviewed:' [warning]",
        "stories/patient/hard-night.md:9: urgent: words about suicide ('suicidal'): make sure the person is safe and "
        "follow the safeguarding procedure; once done, add 'crisis' to 'reviewed:' [urgent]"]
    assert err == "0 errors and 2 warnings (1 urgent) in 1 file.\n"
    assert cli.main(["-f", config_file, "check", "--format", "json"]) == cli.OK
    out = capsys.readouterr().out
    assert '"severity": "urgent"' in out and '"code": "phone"' in out and "900 123" not in out


def test_other_warnings_and_an_urgent_finding_made_an_error(tmp_path: Path) -> None:
    story(tmp_path, "hard-night", body="I felt suicidal.\n")
    settings = settings_for(tmp_path, screening={"error_kinds": ["crisis"]})
    site, _ = build.read_site(settings)
    warning = Problem("stories/patient/hard-night.md", 2, "title", "is in capitals", "shouting", Severity.WARNING)
    lines = report.markdown([warning], build.screen_site(site), 1).splitlines()
    assert lines[0] == "❌ **Not ready to publish:** 1 urgent safeguarding finding in 1 file."
    assert lines[2:13] == [
        "### stories/patient/hard-night.md", "",
        "**Urgent: safeguarding**", "",
        "- Line 9: words about suicide: “suicidal” (an error on this site)", "",
        "**Also check**", "",
        "- Line 2 (title): is in capitals", "",
        "**Readability:** 3 words, reading ease 34.6, grade 9.2."]
