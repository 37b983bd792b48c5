"""The impact page's counts: only what the site shows, counted once, in the order the charts draw them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from narrative import impact
from narrative.config import Settings, from_mapping
from narrative.impact import Count, PrincipleProgress, Responses
from narrative.model import Change, Consent, PledgeUpdate, Progress, Response, Source, Status, Story
from narrative.site import Site
from tests.content import config

UTC = dt.timezone.utc


def settings_with(**overrides: Any) -> Settings:
    settings, problems = from_mapping(config(**overrides))
    assert settings is not None, problems
    return settings


@pytest.fixture(scope="module")
def settings() -> Settings:
    return settings_with(aspiration=2500)


def story(slug: str, when: dt.datetime = dt.datetime(2026, 3, 1, 12, tzinfo=UTC), topics: tuple[str, ...] = ("carers",),
          status: Status = Status.PUBLISHED, location: str | None = None) -> Story:
    return Story(slug=slug, title=slug.capitalize(), published=when, summary="A story.", topics=topics,
                 consent=Consent(True), body="Words.", source=Source(f"stories/patient/{slug}.md"), status=status,
                 location=location)


def response(slug: str, answers: str, day: int, change: Change | None = None) -> Response:
    return Response(slug=slug, story=answers, published=dt.datetime(2026, 4, day, 12, tzinfo=UTC),
                    responder="Sam Reed", body="Thank you.", source=Source(f"stories/responses/{slug}.md"),
                    change=change)


def update(slug: str, principle: str, progress: Progress) -> PledgeUpdate:
    return PledgeUpdate(slug=slug, title=slug.capitalize(), published=dt.datetime(2026, 5, 1, tzinfo=UTC),
                        summary="An update.", principle=principle, progress=progress, body="Words.",
                        source=Source(f"stories/pledge/{slug}.md"))


def test_conversations_are_published_stories_only(settings: Settings) -> None:
    site = Site.from_items([story("one"), story("two"), story("draft", status=Status.DRAFT),
                            story("gone", status=Status.WITHDRAWN)], settings)
    counted = impact.measure(site)
    assert (counted.conversations, counted.aspiration) == (2, 2500)


def test_stories_by_topic_most_first_with_empty_topics_kept(settings: Settings) -> None:
    site = Site.from_items([story("a", topics=("carers", "mental-health")), story("b", topics=("carers",)),
                            story("c", topics=("carers",), status=Status.WITHDRAWN)], settings)
    assert impact.by_topic(site) == (Count("Carers", 2), Count("Mental health", 1), Count("Primary care", 0))


def test_stories_by_month_oldest_first_with_empty_months_and_the_site_time_zone(settings: Settings) -> None:
    late_in_new_york = dt.datetime(2026, 1, 31, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    site = Site.from_items([story("november", dt.datetime(2025, 11, 3, tzinfo=UTC)),
                            story("late", late_in_new_york),
                            story("february", dt.datetime(2026, 2, 10, tzinfo=UTC))], settings)
    assert impact.by_month(site) == (Count("November 2025", 1), Count("December 2025", 0), Count("January 2026", 0),
                                     Count("February 2026", 2))


def test_no_stories_no_months(settings: Settings) -> None:
    assert impact.by_month(Site.from_items([], settings)) == ()


def test_stories_by_place_most_first_and_unrecorded_last(settings: Settings) -> None:
    site = Site.from_items([story("a", location="Eastbrook  Library"), story("b", location="Eastbrook Library"),
                            story("c", location="Market stall"), story("d"), story("e", location="  "),
                            story("f", location="Cafe"), story("g", location="Hidden", status=Status.WITHDRAWN)],
                           settings)
    assert impact.by_place(site) == (Count("Eastbrook Library", 2), Count("Cafe", 1), Count("Market stall", 1),
                                     Count("Not recorded", 2))


def test_responses_and_the_changes_they_led_to(settings: Settings) -> None:
    site = Site.from_items([
        story("fixed"), story("promised"), story("thanked"), story("gone", status=Status.WITHDRAWN),
        response("fixed-1", "fixed", 1, Change.PLANNED), response("fixed-2", "fixed", 9, Change.MADE),
        response("fixed-3", "fixed", 12),
        response("promised-1", "promised", 2, Change.PLANNED),
        response("thanked-1", "thanked", 3),
        response("gone-1", "gone", 4, Change.MADE),
    ], settings)
    assert impact.responses(site) == Responses(given=5, stories=3, changes_planned=1, changes_made=1)


def test_pledge_updates_by_principle_and_status(settings: Settings) -> None:
    site = Site.from_items([update("a", "deliver", Progress.DONE), update("b", "deliver", Progress.PLANNED),
                            update("c", "deliver", Progress.DONE), update("d", "listen", Progress.IN_PROGRESS)],
                           settings)
    assert impact.pledge(site) == (PrincipleProgress("Listen", (0, 1, 0)), PrincipleProgress("Deliver", (2, 0, 1)))


def test_charts_say_what_they_show(settings: Settings) -> None:
    site = Site.from_items([story("a", topics=("carers", "mental-health"), location="Cafe"), story("b"),
                            response("a-1", "a", 1, Change.MADE), update("u", "deliver", Progress.DONE)], settings)
    charts = impact.charts(impact.measure(site))
    assert [chart.title for chart in charts] == [
        "Conversations so far, against our aspiration", "Stories by topic", "Stories by month",
        "Where we heard stories", "Our responses and the changes they led to",
        "Pledge updates by principle and status"]
    conversations, topics, months, places, answered, pledge = charts
    assert conversations.description == "2 conversations so far, against an aspiration of 2,500: 0% of the way."
    assert [(row.label, row.values) for row in conversations.rows] == [
        ("Conversations so far", (2,)), ("Our aspiration", (2500,))]
    assert topics.description == ("A bar for each topic, showing how many stories are about it. The longest bar is "
                                  "Carers, with 2 stories. The numbers are in the table.")
    assert [(row.label, row.values) for row in places.rows] == [("Cafe", (1,)), ("Not recorded", (1,))]
    assert [row.values for row in answered.rows] == [(1,), (1,), (0,), (1,)]
    assert answered.description == ("1 response given to 1 story; changes planned after 0 stories and made after "
                                    "1 story.")
    assert pledge.series == ("Done", "In progress", "Planned")
    assert [(row.label, row.values) for row in pledge.rows] == [("Listen", (0, 0, 0)), ("Deliver", (1, 0, 0))]
    assert len({chart.key for chart in charts}) == len(charts)


def test_without_an_aspiration_there_is_no_aspiration_chart() -> None:
    site = Site.from_items([story("a")], settings_with(aspiration=None))
    charts = impact.charts(impact.measure(site))
    assert charts[0].title == "Stories by topic"


def test_an_empty_site_still_has_words_for_every_chart(settings: Settings) -> None:
    charts = impact.charts(impact.measure(Site.from_items([], settings)))
    assert "There are none yet." in charts[1].description
    assert charts[2].rows == ()
