"""The editor's Markdown report, and `narrative check --format markdown` that prints it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from narrative import build, cli, report
from narrative.problems import Problem, Severity
from narrative.presentation import plural
from narrative.screen import Finding, Reading, Screening
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
- **Urgent:** make sure the person is safe and tell the safeguarding lead now, before anything else. Then an \
editor records it as dealt with: `narrative review PATH --accept crisis`.
- **Personal data:** remove it, or an editor who has checked it may stay records that with `narrative review PATH \
--accept KIND`, e.g. `--accept phone`.
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
    settings_for(tmp_path, screening={"error_kinds": []})
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
        "- **Personal data:** remove it, or an editor who has checked it may stay records that with `narrative "
        "review PATH --accept KIND`, e.g. `--accept phone`.\n")


def test_personal_data_made_errors_by_default_says_how_to_replace_it(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    story(tmp_path, "call-me", body="Call me on 07700 900 123.\n")
    settings_for(tmp_path)
    assert cli.main(["-f", str(tmp_path / "mkdocs.yml"), "check", "--format", "markdown",
                     str(tmp_path / "stories/patient/call-me.md")]) == cli.PROBLEMS
    assert ("### stories/patient/call-me.md\n\n"
            "**Errors: fix before merging**\n\n"
            "- Line 9: phone number `07700 9** ***`\n\n"
            "To replace them with placeholders, run `narrative redact stories/patient/call-me.md`.\n\n"
            "**Readability:**") in capsys.readouterr().out


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


def test_bare_links_in_a_field_name_or_value_are_not_made_links() -> None:
    problems = [Problem("stories/patient/x.md", 3, "https://evil.example/a", "unknown topic 'www.evil.example' "
                        "or HTTP://evil.example")]
    text = report.markdown(problems, Screening(), 1)
    assert ("- Line 3 (https:\u2060//evil.example/a): unknown topic 'www\u2060.evil.example' or "
            "HTTP:\u2060//evil.example" in text.splitlines())


def finding(path: str, line: int, kind: str = "phone") -> Finding:
    return Finding(path, line, None, kind, "phone number", "07700 9** ***", "m", Severity.WARNING)


def test_a_report_of_too_many_findings_is_cut_short_and_counts_what_it_left_out() -> None:
    many = [finding("stories/patient/a.md", line) for line in range(1, 100_001)]
    many += [finding(f"stories/patient/f{number:04}.md", 1) for number in range(3000)]
    text = report.markdown([], Screening(tuple(many)), 3001)
    assert len(text) < report.LENGTH + 1000
    assert text.startswith("⚠️ **Check before publishing:** 103000 possible pieces of personal data in 3001 files.")
    assert text.count("### stories/patient/a.md") == 1 and text.count("- Line ") < 1000
    shown = text.count("### ") - 1
    assert (f"**{103000 - 50 - shown} more entries (and {plural(3000 - shown, 'file')} more) left out to keep this "
            "report short:** run `narrative check` on the files to see every one.") in text.splitlines()


def test_many_files_with_nothing_to_flag_are_counted_past_a_hundred() -> None:
    readings = tuple(Reading(f"stories/patient/f{number:04}.md", 1, 40, 80.0, 5.0) for number in range(250))
    lines = report.markdown([], Screening((), readings), 250).splitlines()
    assert lines.count("- and 150 more files") == 1 and len([line for line in lines if "40 words" in line]) == 100


def test_text_and_json_output_carry_the_findings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    story(tmp_path, "hard-night", body="I felt suicidal. Call me on 07700 900 123.\n")
    settings_for(tmp_path, screening={"error_kinds": []})
    config_file = str(tmp_path / "mkdocs.yml")
    assert cli.main(["-f", config_file, "check"]) == cli.OK
    out, err = capsys.readouterr()
    accept = "an editor accepts it with 'narrative review stories/patient/hard-night.md --accept"
    assert out.splitlines() == [
        f"stories/patient/hard-night.md:9: phone number '07700 9** ***': remove it, or once checked {accept} "
        "phone' [warning]",
        "stories/patient/hard-night.md:9: urgent: words about suicide ('suicidal'): make sure the person is safe and "
        f"follow the safeguarding procedure; once done, {accept} crisis' [urgent]"]
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


def test_a_cut_short_report_keeps_the_files_with_urgent_findings() -> None:
    many = [finding(f"stories/patient/a{number:04}.md", line) for number in range(3000) for line in (1, 2)]
    urgent = Finding("stories/patient/z.md", 4, None, "crisis", "words about suicide", "suicidal", "m",
                     Severity.URGENT)
    text = report.markdown([], Screening((*many, urgent)), 3001)
    assert "### stories/patient/z.md" in text and "- Line 4: words about suicide: “suicidal”" in text
    assert text.index("### stories/patient/a0000.md") < text.index("### stories/patient/z.md")


HOSTILE = "stories/patient/hostile.md"


def test_a_contributor_cannot_approve_their_own_story(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`reviewed:` written by a contributor accepts nothing: the findings stay errors, and the request is reported."""
    story(tmp_path, "hostile", body="My NHS number is 943 476 5919. She wants to kill herself.\n",
          reviewed=["crisis", "phone", "nhs-number", "email", "postcode", "date-of-birth"])
    settings_for(tmp_path)
    assert cli.main(["-f", str(tmp_path / "mkdocs.yml"), "check", "--format", "markdown"]) == cli.PROBLEMS
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ("❌ **Not ready to publish:** 1 error to fix, 1 urgent safeguarding finding and 1 request for "
                        "review in 1 file.")
    assert lines[2:18] == [
        f"### {HOSTILE}", "",
        "**Errors: fix before merging**", "",
        "- Line 16: NHS number `943 *** ****`", "",
        f"To replace them with placeholders, run `narrative redact {HOSTILE}`.", "",
        "**Urgent: safeguarding**", "",
        "- Line 16: words about suicide: “kill herself” (an error on this site)", "",
        "**Review requested**", "",
        "- Line 8 (reviewed): asks an editor to accept crisis, phone, nhs-number, email, postcode, date-of-birth: "
        f"this accepts nothing by itself; an editor who has checked each finding records it with 'narrative review "
        f"{HOSTILE} --accept KIND'", ""]


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout


@pytest.fixture
def committed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A site in a git repository: a story with a surgery's phone number, and one with nothing to flag."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "no-gitconfig"))
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Site Editor")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "editor@example.org")
    root = tmp_path / "site"
    story(root, "surgery", body="Call the surgery on 0113 496 0000.\n")
    story(root, "plain", body=EASY * 3)
    settings_for(root)
    git(root, "init", "--quiet", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "--quiet", "-m", "Add the site")
    return root


def check_since(root: Path, capsys: pytest.CaptureFixture[str], *paths: str) -> tuple[int, str]:
    code = cli.main(["-f", str(root / "mkdocs.yml"), "check", "--format", "markdown", "--since", "HEAD",
                     *(str(root / path) for path in paths)])
    return code, capsys.readouterr().out


def test_a_change_that_records_a_review_is_never_ready(committed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["-f", str(committed / "mkdocs.yml"), "review", str(committed / "stories/patient/surgery.md"),
                     "--accept", "phone"]) == cli.OK
    assert capsys.readouterr().out == (
        "Accepted: phone number, line 9.\n"
        "Recorded 1 review of stories/patient/surgery.md in stories/reviews.yml: commit that file. A review lapses "
        "when the text it was made on changes.\n")
    code, out = check_since(committed, capsys)
    assert code == cli.OK
    assert out.split("\n### stories/patient/surgery.md")[0] == (
        "🔎 **For an editor to confirm:** 1 finding accepted by an editor and a change to the editors' reviews in 2 "
        "files.\n\n"
        "**This change alters the editors' reviews.** Only an editor may accept a finding: check each one below "
        "before merging.\n\n"
        "- stories/patient/surgery.md: Line 9: phone number `0113 49* ****`\n")
    assert ("**Accepted by an editor: confirm each may stay**\n\n- Line 9: phone number `0113 49* ****`\n" in out)

    git(committed, "add", ".")
    git(committed, "commit", "--quiet", "-m", "Accept the surgery's number")
    (committed / "stories/patient/plain.md").write_text((committed / "stories/patient/plain.md").read_text() + "More.\n")
    code, out = check_since(committed, capsys)
    assert (code, out.splitlines()[0]) == (
        cli.OK, "✅ **Ready for an editor:** no errors, urgent findings or personal data in 2 files.")
    surgery = committed / "stories/patient/surgery.md"
    surgery.write_text(surgery.read_text().replace("Call the surgery", "Ring the surgery"))
    code, out = check_since(committed, capsys)
    assert (code, out.splitlines()[0]) == (
        cli.OK, "🔎 **For an editor to confirm:** 1 finding accepted by an editor in 2 files.")
    git(committed, "rm", "--quiet", "stories/reviews.yml")
    code, out = check_since(committed, capsys)
    assert code == cli.PROBLEMS
    assert "- stories/patient/surgery.md: the review of phone is withdrawn\n" in out


def test_the_review_command_records_only_what_it_finds(committed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config_file = str(committed / "mkdocs.yml")
    assert cli.main(["-f", config_file, "review", str(committed / "stories/patient/surgery.md"), "--accept", "phone",
                     "--accept", "email"]) == cli.PROBLEMS
    assert capsys.readouterr().err == (
        "narrative review: stories/patient/surgery.md has no email finding left to accept: nothing recorded "
        "('narrative check stories/patient/surgery.md' lists what it finds)\n")
    assert not (committed / "stories" / "reviews.yml").exists()
    assert cli.main(["-f", config_file, "review", str(committed / "stories/patient/nowhere.md"), "--accept",
                     "phone"]) == cli.USAGE


def test_an_unknown_commit_to_compare_with(committed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["-f", str(committed / "mkdocs.yml"), "check", "--since", "no-such-branch"]) == cli.USAGE
    assert capsys.readouterr().err == ("narrative check: --since: 'no-such-branch' is not a commit git knows here: "
                                       "give a branch, tag or commit\n")


def test_reviewing_a_file_again_removes_its_lapsed_reviews(committed: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    config_file, surgery = str(committed / "mkdocs.yml"), committed / "stories/patient/surgery.md"
    assert cli.main(["-f", config_file, "review", str(surgery), "--accept", "phone"]) == cli.OK
    surgery.write_text(surgery.read_text().replace("0113 496 0000", "0113 496 0999"))
    capsys.readouterr()
    assert cli.main(["-f", config_file, "review", str(surgery), "--accept", "phone"]) == cli.OK
    assert capsys.readouterr().out.splitlines()[-1] == (
        "Recorded 1 review of stories/patient/surgery.md in stories/reviews.yml and removed 1 that had lapsed: "
        "commit that file. A review lapses when the text it was made on changes.")
    assert (committed / "stories/reviews.yml").read_text().count("kind: phone") == 1
    assert cli.main(["-f", config_file, "check"]) == cli.OK
    assert capsys.readouterr().out == (
        "No problems in 2 files. 1 finding accepted by an editor: '--format markdown' lists them.\n")
