"""A writer's answers to the story file a contributor would write: checked, screened and redacted by the core."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from narrative.cli import main
from narrative.intake.form import FormInput, Photo
from narrative.intake.settings import IntakeSettings
from narrative.intake.submission import REFERENCE_LETTERS, Original, Submission, build, new_reference
from narrative.problems import Problem
from narrative.redact import Removal
from tests.content import story, write_site
from tests.intake import EVERY_KIND, PERSONAL, answers, intake_settings

RECEIVED = dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.UTC)  # 23:30 UTC is still 30 November in London


@pytest.fixture
def settings(tmp_path: Path) -> IntakeSettings:
    write_site(tmp_path / "site")
    return intake_settings(tmp_path / "site")


def built(form: FormInput, settings: IntakeSettings) -> tuple[Submission, Original]:
    result = build(form, settings, reference="HM-7K3Q-2F9D", received=RECEIVED)
    assert not isinstance(result, list), result
    return result


def test_the_file_is_what_a_contributor_would_write_as_a_draft(settings: IntakeSettings) -> None:
    form = answers(naming="initials", name="J. B.", role="patient", service="Ward 7",
                      content_note="Talks about a hard night.", topics=("mental-health", "carers"),
                      photos=(Photo(b"png", "png", "The ward's garden"),), notify_email="jo@example.net")
    submission, original = built(form, settings)
    assert submission.markdown == """\
---
title: The night nurse on ward 7
date: 2026-11-30
summary: A kind nurse at night.
topics: [mental-health, carers]
consent:
  given: true
  date: 2026-11-30
  how: Agreed on the web form (consent wording 2026-11)
author: J. B.
role: patient
service: Ward 7
content_note: Talks about a hard night.
images:
- src: the-night-nurse-on-ward-7/photo-1.png
  alt: The ward's garden
status: draft
---
She sat with me until morning.
"""
    assert (submission.slug, submission.path, submission.photos, submission.urgent, submission.removed) == (
        "the-night-nurse-on-ward-7", "patient/the-night-nurse-on-ward-7.md",
        (("the-night-nurse-on-ward-7/photo-1.png", b"png"),), False, ())
    assert [path for path, _ in submission.files] == ["patient/the-night-nurse-on-ward-7.md",
                                                      "patient/the-night-nurse-on-ward-7/photo-1.png"]
    assert original == Original(submission.markdown, None, "jo@example.net")


def test_personal_data_is_replaced_and_kept_only_in_the_original(settings: IntakeSettings) -> None:
    submission, original = built(EVERY_KIND, settings)
    assert submission.removed == (
        Removal("phone", "phone number", 2), Removal("email", "email address", 4),
        Removal("date-of-birth", "date of birth", 13), Removal("nhs-number", "NHS number", 15),
        Removal("postcode", "postcode", 15))
    assert not [value for value in PERSONAL.values() if value in submission.to_bytes().decode()]
    assert submission.slug == "ring-me-on-phone-number-removed"
    assert "author: Jo Bloggs\n" in submission.markdown
    assert all(value in original.text for kind, value in PERSONAL.items() if kind != "contact")
    assert original.contact_email == PERSONAL["contact"]


def test_redaction_off_keeps_the_words_for_a_private_repository(tmp_path: Path) -> None:
    write_site(tmp_path / "site")
    settings = intake_settings(tmp_path / "site", NARRATIVE_INTAKE_REDACT="false")
    submission, original = built(EVERY_KIND, settings)
    assert submission.removed == ()
    assert submission.markdown == original.text
    assert submission.slug == "ring-me-on-07700-900-123"


def test_crisis_words_make_it_urgent(settings: IntakeSettings) -> None:
    submission, _ = built(answers(story="Some nights I felt suicidal.\n"), settings)
    assert submission.urgent


def test_the_core_checks_say_what_is_wrong(settings: IntakeSettings) -> None:
    result = build(answers(topics=("gardening",), summary="x" * 301), settings, reference="HM-7K3Q-2F9D",
                   received=RECEIVED)
    assert result == [
        Problem("stories/patient/the-night-nurse-on-ward-7.md", 4, "summary",
                "is 301 characters long: keep it to 300 or fewer", "bad-value"),
        Problem("stories/patient/the-night-nurse-on-ward-7.md", 5, "topics",
                "unknown topic 'gardening'; choose from mental-health, primary-care, carers", "bad-value")]


def test_a_name_taken_by_a_published_story_gets_the_reference_s_end(settings: IntakeSettings) -> None:
    story(settings.root, "the-night-nurse-on-ward-7")
    assert built(answers(), settings)[0].slug == "the-night-nurse-on-ward-7-2f9d"
    assert built(answers(title="Index"), settings)[0].slug == "index-2f9d"
    assert built(answers(title="!!!"), settings)[0].slug == "story"


def test_it_survives_the_queue_s_bytes(settings: IntakeSettings) -> None:
    submission, original = built(dataclasses.replace(EVERY_KIND, photos=(Photo(b"\x00\xff", "jpg", "A"),)),
                                 settings)
    assert Submission.from_bytes(submission.to_bytes()) == submission
    assert Original.from_bytes(original.to_bytes()) == original


def test_references_are_short_and_unambiguous() -> None:
    reference = new_reference("HM")
    assert len(reference) == len("HM-7K3Q-2F9D") and reference[:3] == "HM-" and reference[7] == "-"
    assert set(reference[3:7] + reference[8:]) <= set(REFERENCE_LETTERS)
    assert len({new_reference("HM") for _ in range(1000)}) == 1000


def test_the_redacted_file_passes_the_check_a_pull_request_gets(settings: IntakeSettings,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    submission, _ = built(EVERY_KIND, settings)
    path = settings.site.stories_path / submission.path
    path.write_text(submission.markdown, encoding="utf-8")
    code = main(["-f", str(settings.site.config_file), "check", str(path)])
    assert (code, capsys.readouterr().err) == (0, "")


def test_a_line_longer_than_the_check_allows_is_said_beside_the_story(settings: IntakeSettings) -> None:
    result = build(answers(story="word " * 4_001), settings, reference="HM-7K3Q-2F9D", received=RECEIVED)
    assert result == [
        Problem("stories/patient/the-night-nurse-on-ward-7.md", 12, None, "this line is 20,004 characters long: a "
                "line may hold 20,000 (extra.narrative.limits.max_line_length): break it into paragraphs, with an "
                "empty line between them", "long-line")]


def test_lists_nested_deeper_than_the_check_allows_are_refused(settings: IntakeSettings) -> None:
    result = build(answers(story="- " * 21 + "deep\n"), settings, reference="HM-7K3Q-2F9D", received=RECEIVED)
    assert result == [
        Problem("stories/patient/the-night-nurse-on-ward-7.md", 12, None, "lists or quotes nested 21 deep: keep to "
                "20 (extra.narrative.limits.max_depth); a line like '- - - words' is three lists, one inside another",
                "unrenderable")]
