"""Checks across files: duplicate slugs and references to stories that do not exist."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from narrative.build import read_site
from narrative.config import Settings
from narrative.problems import Problem, Severity
from narrative.validate import duplicate_slugs, future_dates, story_references
from tests.content import conversation, response, settings_for, story, update, write_file


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return settings_for(tmp_path)


def problems(settings: Settings) -> list[Problem]:
    return read_site(settings)[1]


def test_a_clean_site_has_no_problems(settings: Settings) -> None:
    story(settings.root, "ward-7")
    update(settings.root, "quieter-nights", stories=["ward-7"])
    response(settings.root, "ward-7-reply", "ward-7")
    site, found = read_site(settings)
    assert found == []
    assert [item.slug for item in (*site.stories, *site.updates, *site.responses)] == [
        "ward-7", "quieter-nights", "ward-7-reply"]


def test_two_files_with_the_same_slug(settings: Settings) -> None:
    story(settings.root, "2025/ward-7")
    story(settings.root, "2026/ward-7")
    assert problems(settings) == [Problem(
        "stories/patient/2026/ward-7.md", 1, None,
        "has the same name 'ward-7.md' as stories/patient/2025/ward-7.md: rename one of them, as both would have the "
        "same address", "duplicate-slug")]


def test_three_files_with_the_same_slug_name_the_first(settings: Settings) -> None:
    for folder in ("a", "b", "c"):
        story(settings.root, f"{folder}/ward-7")
    assert [str(problem) for problem in problems(settings)] == [
        f"stories/patient/{folder}/ward-7.md:1: has the same name 'ward-7.md' as stories/patient/a/ward-7.md: rename "
        "one of them, as both would have the same address" for folder in ("b", "c")]


def test_a_story_and_an_update_may_share_a_slug(settings: Settings) -> None:
    """They live at different addresses: stories/<slug>/ and pledge/updates/<slug>/."""
    story(settings.root, "ward-7")
    update(settings.root, "ward-7")
    response(settings.root, "ward-7", "ward-7")
    assert problems(settings) == []


def test_a_response_to_a_story_that_does_not_exist(settings: Settings) -> None:
    story(settings.root, "ward-7")
    response(settings.root, "ward-8-reply", "ward-8")
    assert problems(settings) == [Problem(
        "stories/responses/ward-8-reply.md", 2, "story",
        "no story is called 'ward-8' (looked for stories/patient/ward-8.md)", "unknown-story")]


def test_an_update_naming_a_story_that_does_not_exist(settings: Settings) -> None:
    story(settings.root, "ward-7")
    write_file(settings.root, "pledge", "quieter-nights",
               "title: Quieter nights\ndate: 2026-04-01\nsummary: s\nprinciple: deliver\nstatus: done\n"
               "stories:\n  - ward-7\n  - ward-8\n  - ward-9\n")
    assert [str(problem) for problem in problems(settings)] == [
        "stories/pledge/quieter-nights.md:7: stories: no story is called 'ward-8' (looked for "
        "stories/patient/ward-8.md)",
        "stories/pledge/quieter-nights.md:7: stories: no story is called 'ward-9' (looked for "
        "stories/patient/ward-9.md)",
    ]


def test_a_story_with_bad_fields_still_answers_references(settings: Settings) -> None:
    """One mistake gives one error: a response to a story whose date is wrong still finds its story."""
    story(settings.root, "ward-7", date="soon")
    response(settings.root, "ward-7-reply", "ward-7")
    update(settings.root, "quieter-nights", stories=["ward-7"])
    assert [str(problem) for problem in problems(settings)] == [
        "stories/patient/ward-7.md:3: date: 'soon' is not a date: write it as year-month-day, like 2026-03-14"]


def test_references_to_withdrawn_and_draft_stories_are_fine(settings: Settings) -> None:
    story(settings.root, "gone", status="withdrawn")
    story(settings.root, "soon", status="draft")
    response(settings.root, "gone-reply", "gone")
    update(settings.root, "quieter-nights", stories=["gone", "soon"])
    assert problems(settings) == []


def test_a_story_in_a_file_that_cannot_be_read_is_unknown(settings: Settings) -> None:
    write_file(settings.root, "patient", "ward-7", None, "No front matter at all.\n")
    response(settings.root, "ward-7-reply", "ward-7")
    assert [problem.code for problem in problems(settings)] == ["no-front-matter", "unknown-story"]


def test_checks_are_generators_of_problems(settings: Settings) -> None:
    story(settings.root, "ward-7")
    site, _ = read_site(settings)
    assert list(story_references([], frozenset())) == []
    assert list(duplicate_slugs([])) == []


def test_problems_come_in_file_and_line_order(settings: Settings) -> None:
    write_file(settings.root, "patient", "b", "title: x\ndate: soon\nsummary: s\ntopics: [carers]\nconsent: no\n")
    write_file(settings.root, "patient", "a", "title: x\n", "")
    response(settings.root, "c", "nobody")
    assert [(problem.path, problem.line, problem.field) for problem in problems(settings)] == [
        ("stories/patient/a.md", 3, None),
        ("stories/patient/a.md", 3, "consent"),
        ("stories/patient/a.md", 3, "date"),
        ("stories/patient/a.md", 3, "summary"),
        ("stories/patient/a.md", 3, "topics"),
        ("stories/patient/b.md", 3, "date"),
        ("stories/patient/b.md", 6, "consent"),
        ("stories/responses/c.md", 2, "story"),
    ]


def test_a_date_ahead_waits_and_a_year_ahead_is_a_warning(settings: Settings) -> None:
    story(settings.root, "typo", date="2062-03-01")
    story(settings.root, "tomorrow", date="2026-03-02")
    story(settings.root, "today", date="2026-03-01T09:00")
    items = read_site(settings, preview=True)[0].all_stories
    now = dt.datetime(2026, 3, 1, 12, tzinfo=dt.timezone.utc)
    assert list(future_dates(items, now)) == [
        Problem("stories/patient/typo.md", 3, "date", "is 1 March 2062, more than a year ahead: check the year",
                "future-date", Severity.WARNING),
        Problem("stories/patient/tomorrow.md", 3, "date", "is 2 March 2026, in the future: it waits until that day "
                "to be published (a preview shows it now)", "future-date", Severity.NOTE)]
    assert [problem.path for problem in future_dates(items, now, hold=False)] == ["stories/patient/typo.md"]


def test_a_mistake_in_one_field_hides_no_missing_story(settings: Settings) -> None:
    """Errors come all at once: a bad `change:` used to hide that the story does not exist."""
    response(settings.root, "reply", "ward-8", change="soon")
    update(settings.root, "quieter-nights", status="finished", stories=["ward-9"])
    assert [str(problem) for problem in problems(settings)] == [
        "stories/pledge/quieter-nights.md:6: status: must be one of planned, in-progress, done, not 'finished'",
        "stories/pledge/quieter-nights.md:7: stories: no story is called 'ward-9' (looked for "
        "stories/patient/ward-9.md)",
        "stories/responses/reply.md:2: story: no story is called 'ward-8' (looked for stories/patient/ward-8.md)",
        "stories/responses/reply.md:5: change: must be one of planned, made, not 'soon'"]


@pytest.mark.parametrize(("named", "expected"), [
    (["booth", "stall"], "stories/patient/told-1.md:8: conversation: no conversation record is called 'stall' "
                         "(looked for stories/conversations/stall.md)"),
    (["booth", "booth"], "stories/conversations/booth.md:6: conversations: adds up to 1, but 2 stories say they "
                         "were gathered in these conversations: count each of them here"),
])
def test_a_story_names_a_conversation_record_that_exists_and_counts_it(settings: Settings, named: list[str],
                                                                      expected: str) -> None:
    conversation(settings.root, "booth", conversations={"carers": 1})
    for number, record in enumerate(named):
        story(settings.root, f"told-{number}", conversation=record)
    assert [str(problem) for problem in problems(settings)] == [expected]


def test_a_translation_names_another_story_that_exists(settings: Settings) -> None:
    story(settings.root, "ward-7")
    story(settings.root, "oddzial-7", translation_of="ward-7", lang="pl")
    story(settings.root, "mirror", translation_of="mirror")
    story(settings.root, "lost", translation_of="nowhere")
    assert [str(problem) for problem in problems(settings)] == [
        "stories/patient/lost.md:8: translation_of: no story is called 'nowhere' (looked for "
        "stories/patient/nowhere.md)",
        "stories/patient/mirror.md:8: translation_of: names this story itself: give the slug of the story it "
        "translates"]
