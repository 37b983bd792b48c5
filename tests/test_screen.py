"""The screen over whole files: findings at the right lines, accepted kinds left out, severity from settings."""

from __future__ import annotations

import json
from pathlib import Path

from narrative import build
from narrative.config import from_mapping, load_settings
from narrative.problems import Severity
from tests.conftest import REPO
from tests.content import config, conversation, response, screened, settings_for, story, update, write_file

FRONT = """title: Call me on 07700 900 123
date: 2026-03-14
summary: Jo's story. Write to jo.bloggs@example.org.
topics: [mental-health]
consent:
  given: true
  how: Spoken, and checked by phone on 0113 496 0000
content_note: Talks about self-harm.
"""
BODY = """I was born 3 March 1961.

My NHS number is 943 476 5919 and I live at LS1 4AP.

Some nights I was cutting myself.
"""


def test_findings_carry_the_file_line_field_kind_and_masked_text(tmp_path: Path) -> None:
    write_file(tmp_path, "patient", "everything", FRONT, BODY)
    screening = screened(tmp_path)
    assert [str(finding.problem) for finding in screening.findings] == [
        "stories/patient/everything.md:2: title: phone number '07700 9** ***': remove it, or once checked add "
        "'phone' to 'reviewed:'",
        "stories/patient/everything.md:4: summary: email address 'j***@example.org': remove it, or once checked "
        "add 'email' to 'reviewed:'",
        "stories/patient/everything.md:6: consent: phone number '0113 49* ****': remove it, or once checked add "
        "'phone' to 'reviewed:'",
        "stories/patient/everything.md:9: content_note: urgent: words about self-harm ('self-harm'): make sure the "
        "person is safe and follow the safeguarding procedure; once done, add 'crisis' to 'reviewed:'",
        "stories/patient/everything.md:11: date of birth 'born 3 *** ****': remove it, or once checked add "
        "'date-of-birth' to 'reviewed:'",
        "stories/patient/everything.md:13: NHS number '943 *** ****': remove it, or once checked add 'nhs-number' "
        "to 'reviewed:'",
        "stories/patient/everything.md:13: postcode 'LS1 ***': remove it, or once checked add 'postcode' to "
        "'reviewed:'",
        "stories/patient/everything.md:15: urgent: words about self-harm ('cutting myself'): make sure the person "
        "is safe and follow the safeguarding procedure; once done, add 'crisis' to 'reviewed:'",
    ]
    assert [finding.severity for finding in screening.findings] == [
        Severity.WARNING, Severity.WARNING, Severity.WARNING, Severity.URGENT, Severity.WARNING, Severity.WARNING,
        Severity.WARNING, Severity.URGENT]
    assert [finding.urgent for finding in screening.findings].count(True) == 2
    assert [reading.line for reading in screening.readings] == [11]


def test_no_output_holds_the_personal_data(tmp_path: Path) -> None:
    write_file(tmp_path, "patient", "everything", FRONT, BODY)
    screening = screened(tmp_path)
    everything = json.dumps([problem.as_dict() for problem in screening.problems]) + repr(screening)
    for secret in ("900 123", "jo.bloggs", "496 0000", "March 1961", "476 5919", "4AP"):
        assert secret not in everything


def test_an_editor_accepts_kinds_in_reviewed(tmp_path: Path) -> None:
    write_file(tmp_path, "patient", "everything", FRONT + "reviewed: [phone, crisis]\n", BODY)
    kinds = [finding.kind for finding in screened(tmp_path).findings]
    assert kinds == ["email", "date-of-birth", "nhs-number", "postcode"]


def test_an_unknown_kind_in_reviewed_is_an_error_with_a_suggestion(tmp_path: Path) -> None:
    story(tmp_path, "typo", reviewed=["phnoe"])
    _, problems = build.read_site(settings_for(tmp_path))
    assert [str(problem) for problem in problems] == [
        "stories/patient/typo.md:8: reviewed: unknown finding kind 'phnoe' (did you mean 'phone'?); choose from "
        "nhs-number, phone, email, postcode, date-of-birth, crisis, readability, language"]


def test_the_settings_make_a_kind_an_error(tmp_path: Path) -> None:
    write_file(tmp_path, "patient", "everything", FRONT, BODY)
    screening = screened(tmp_path, error_kinds=["nhs-number", "crisis"])
    severities = {finding.kind: finding.severity for finding in screening.findings}
    assert severities == {"phone": Severity.WARNING, "email": Severity.WARNING, "crisis": Severity.ERROR,
                          "date-of-birth": Severity.WARNING, "nhs-number": Severity.ERROR,
                          "postcode": Severity.WARNING}
    assert [problem.code for problem in screening.problems if problem.is_error] == ["crisis", "nhs-number", "crisis"]


def test_an_unknown_error_kind_in_the_settings_is_reported() -> None:
    settings, problems = from_mapping(config(screening={"error_kinds": ["nhs_number"]}))
    assert settings is None
    assert [str(problem) for problem in problems] == [
        "mkdocs.yml: extra.narrative.screening.error_kinds: unknown finding kind 'nhs_number' (did you mean "
        "'nhs-number'?); choose from nhs-number, phone, email, postcode, date-of-birth, crisis, readability, language"]


def test_updates_responses_drafts_and_withdrawn_stories_are_screened(tmp_path: Path) -> None:
    story(tmp_path, "draft-story", status="draft", body="Email me at sam@example.org.\n")
    story(tmp_path, "gone", status="withdrawn", body="I felt suicidal.\n")
    response(tmp_path, "reply", "draft-story", body="Call our team on 07700 900 456.\n")
    update(tmp_path, "news", body="Our office moved to HX1 2AB.\n")
    screening = screened(tmp_path)
    assert [(finding.path, finding.kind) for finding in screening.findings] == [
        ("stories/patient/draft-story.md", "email"), ("stories/patient/gone.md", "crisis"),
        ("stories/pledge/news.md", "postcode"), ("stories/responses/reply.md", "phone")]


def test_only_the_files_asked_for(tmp_path: Path) -> None:
    one = story(tmp_path, "one", body="Email me at sam@example.org.\n")
    story(tmp_path, "two", body="Email me at kim@example.org.\n")
    settings = settings_for(tmp_path)
    site, _ = build.read_site(settings, only=[one])
    assert [finding.path for finding in build.screen_site(site, only=[one]).findings] == ["stories/patient/one.md"]


def test_the_sample_site_passes_the_gate() -> None:
    settings, _ = load_settings(REPO / "mkdocs.yml")
    assert settings is not None
    site, problems = build.read_site(settings)
    assert [str(problem) for problem in problems] == []
    assert [str(problem) for problem in build.screen_site(site).problems] == []


def test_a_file_with_an_error_is_screened_all_the_same(tmp_path: Path) -> None:
    """A misspelt field or a wrong topic must not hide a crisis or personal data from the editors: every
    string in the front matter is screened, whatever field holds it, and the body."""
    write_file(tmp_path, "patient", "misspelt", "title: The bus\ndate: 2026-03-01\nsummary: I felt suicidal\n"
               "topics: [carer]\nautor: Call Jo on 07700 900 123\nconsent: true\n",
               "I want to kill myself. My NHS number is 943 476 5919.\n")
    site, problems = build.read_site(settings_for(tmp_path))
    assert [problem.field for problem in problems] == ["topics", "autor"]
    findings = build.screen_site(site).findings
    assert [(finding.line, finding.field, finding.kind, finding.text) for finding in findings] == [
        (4, "summary", "crisis", "suicidal"), (6, "autor", "phone", "07700 9** ***"),
        (9, None, "crisis", "kill myself"), (9, None, "nhs-number", "943 *** ****")]


def test_a_file_whose_front_matter_cannot_be_read_is_screened_whole(tmp_path: Path) -> None:
    path = tmp_path / "stories" / "patient" / "unclosed.md"
    path.parent.mkdir(parents=True)
    path.write_text('---\ntitle: "The bus\ndate: 2026-03-01\n---\n\nCall me on 07700 900 123, I want to die.\n')
    settings = settings_for(tmp_path)
    site, problems = build.read_site(settings)
    assert [problem.code for problem in problems] == ["bad-front-matter"]
    findings = build.screen_site(site).findings
    assert [(finding.path, finding.line, finding.kind) for finding in findings] == [
        ("stories/patient/unclosed.md", 6, "crisis"), ("stories/patient/unclosed.md", 6, "phone")]


POLISH = "Zadzwońcie do mnie: 07700 900123. Nie chcę już żyć.\n"


def test_a_story_in_another_language_is_screened_for_personal_data_and_marked_for_a_reader(tmp_path: Path) -> None:
    story(tmp_path, "po-polsku", body=POLISH, lang="pl")
    screening = screened(tmp_path)
    assert [str(finding.problem) for finding in screening.findings] == [
        "stories/patient/po-polsku.md:8: lang: not screened for crisis words: it is in Polish, so someone who "
        "speaks Polish must read it for anything that means a person is at risk; once done, add 'language' to "
        "'reviewed:'",
        "stories/patient/po-polsku.md:10: phone number '07700 9*****': remove it, or once checked add 'phone' to "
        "'reviewed:'"]
    assert [finding.severity for finding in screening.findings] == [Severity.WARNING, Severity.WARNING]
    assert screening.readings == (), "readability is measured in English only"


def test_an_editor_who_read_it_accepts_the_language_note(tmp_path: Path) -> None:
    story(tmp_path, "po-polsku", body="Dziękuję za pomoc.\n", lang="pl", reviewed=["language"])
    story(tmp_path, "in-english", body="Thank you for the help.\n", lang="en-GB")
    screening = screened(tmp_path)
    assert screening.findings == ()
    assert [reading.path for reading in screening.readings] == ["stories/patient/in-english.md"]


def test_the_language_note_is_under_also_check_in_the_report(tmp_path: Path) -> None:
    from narrative import report

    story(tmp_path, "po-polsku", body="Dziękuję.\n", lang="pl")
    text = report.markdown([], screened(tmp_path), 1)
    assert "**Also check**\n\n- Line 8 (lang): not screened for crisis words: it is in Polish" in text
    assert "Possible personal data" not in text


def test_a_conversation_record_is_screened(tmp_path: Path) -> None:
    conversation(tmp_path, "booth", body="One caller said she wanted to die.\n", place="Ring 07700 900123")
    assert [finding.kind for finding in screened(tmp_path).findings] == ["phone", "crisis"]
