"""The impact page's counts: only what the site shows, counted once, in the order the charts draw them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from narrative import impact
from narrative.config import Settings, from_mapping
from narrative.impact import Count, PrincipleProgress, Responses
from narrative.model import (
    Change, Consent, Conversation, Period, PledgeUpdate, Progress, Response, Source, Status, Story,
)
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
          status: Status = Status.PUBLISHED, location: str | None = None, conversation: str | None = None,
          translation_of: str | None = None) -> Story:
    return Story(slug=slug, title=slug.capitalize(), published=when, summary="A story.", topics=topics,
                 consent=Consent(True), body="Words.", source=Source(f"stories/patient/{slug}.md"), status=status,
                 location=location, conversation=conversation, translation_of=translation_of)


def record(slug: str, topics: dict[str, int], when: dt.datetime = dt.datetime(2026, 3, 2, 10, tzinfo=UTC),
           channel: str = "listening-booth", place: str = "Eastbrook Library", principle: str = "listen",
           until: dt.date | None = None) -> Conversation:
    return Conversation(slug=slug, period=Period(when, until), channel=channel, place=place, people=30,
                        topics=tuple(topics.items()), principle=principle, body="",
                        source=Source(f"stories/conversations/{slug}.md"))


def response(slug: str, answers: str, day: int, change: Change | None = None) -> Response:
    return Response(slug=slug, story=answers, published=dt.datetime(2026, 4, day, 12, tzinfo=UTC),
                    responder="Sam Reed", body="Thank you.", source=Source(f"stories/responses/{slug}.md"),
                    change=change)


def update(slug: str, principle: str, progress: Progress) -> PledgeUpdate:
    return PledgeUpdate(slug=slug, title=slug.capitalize(), published=dt.datetime(2026, 5, 1, tzinfo=UTC),
                        summary="An update.", principle=principle, progress=progress, body="Words.",
                        source=Source(f"stories/pledge/{slug}.md"))


def test_conversations_are_published_stories_only_without_records(settings: Settings) -> None:
    site = Site.from_items([story("one"), story("two"), story("draft", status=Status.DRAFT),
                            story("gone", status=Status.WITHDRAWN)], settings)
    counted = impact.measure(site)
    assert (counted.conversations, counted.aspiration) == (2, 2500)


def test_each_conversation_is_counted_once(settings: Settings) -> None:
    """A record counts its conversations; a story told in one of them, or translating another, adds none."""
    site = Site.from_items([
        record("booth", {"carers": 7, "mental-health": 5}),
        record("calls", {"primary-care": 9}, channel="phone", place="Phone line"),
        story("told-at-the-booth", conversation="booth"), story("walked-in"),
        story("walked-in-in-polish", translation_of="walked-in"),
    ], settings)
    counted = impact.measure(site)
    assert counted.conversations == 7 + 5 + 9 + 1
    assert impact.by_channel(site) == (
        Count("Listening booth", 12), Count("Phone", 9), Count(impact.ON_THIS_SITE, 1), Count("Event", 0),
        Count("Other", 0), Count("Outreach", 0), Count("Post", 0), Count("Social media", 0), Count("Survey", 0))
    assert sum(count.value for count in impact.by_channel(site)) == counted.conversations
    assert sum(count.value for count in impact.by_place(site)) == counted.conversations
    assert sum(count.value for count in impact.by_month(site)) == counted.conversations


def test_conversations_by_topic_most_first_with_empty_topics_kept(settings: Settings) -> None:
    site = Site.from_items([story("a", topics=("carers", "mental-health")), story("b", topics=("carers",)),
                            story("c", topics=("carers",), status=Status.WITHDRAWN),
                            record("booth", {"primary-care": 4, "carers": 1}),
                            story("d", topics=("primary-care",), conversation="booth")], settings)
    assert impact.by_topic(site) == (Count("Primary care", 4, "primary-care"), Count("Carers", 3, "carers"),
                                     Count("Mental health", 1, "mental-health"))


def test_conversations_by_month_oldest_first_with_empty_months_and_the_site_time_zone(settings: Settings) -> None:
    late_in_new_york = dt.datetime(2026, 1, 31, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    site = Site.from_items([story("november", dt.datetime(2025, 11, 3, tzinfo=UTC)),
                            story("late", late_in_new_york),
                            story("february", dt.datetime(2026, 2, 10, tzinfo=UTC)),
                            record("week", {"carers": 6}, dt.datetime(2025, 11, 28, tzinfo=UTC),
                                   until=dt.date(2025, 12, 4))], settings)
    assert impact.by_month(site) == (Count("November 2025", 7, "2025-11"), Count("December 2025", 0, "2025-12"),
                                     Count("January 2026", 0, "2026-01"), Count("February 2026", 2, "2026-02"))


def test_no_stories_no_months(settings: Settings) -> None:
    assert impact.by_month(Site.from_items([], settings)) == ()


def test_conversations_by_place_most_first_and_unrecorded_last(settings: Settings) -> None:
    site = Site.from_items([story("a", location="Eastbrook  Library"), story("b", location="Eastbrook Library"),
                            story("c", location="Market stall"), story("d"), story("e", location="  "),
                            story("f", location="Cafe"), story("g", location="Hidden", status=Status.WITHDRAWN),
                            record("stall", {"carers": 3}, place="Market  stall")],
                           settings)
    assert impact.by_place(site) == (Count("Market stall", 4), Count("Eastbrook Library", 2), Count("Cafe", 1),
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


def test_pledge_updates_and_conversations_by_principle(settings: Settings) -> None:
    site = Site.from_items([update("a", "deliver", Progress.DONE), update("b", "deliver", Progress.PLANNED),
                            update("c", "deliver", Progress.DONE), update("d", "listen", Progress.IN_PROGRESS),
                            record("booth", {"carers": 8}), record("stall", {"carers": 2}, principle="deliver"),
                            story("a-story")], settings)
    assert impact.pledge(site) == (PrincipleProgress("Listen", (0, 1, 0), 8), PrincipleProgress("Deliver", (2, 0, 1), 2))


def test_the_figures_last_changed_with_the_newest_item(settings: Settings) -> None:
    site = Site.from_items([story("a"), record("booth", {"carers": 8}, dt.datetime(2026, 6, 1, tzinfo=UTC)),
                            response("a-1", "a", 2)], settings)
    assert impact.measure(site).updated == dt.datetime(2026, 6, 1, tzinfo=UTC)
    assert impact.measure(Site.from_items([], settings)).updated is None


def test_charts_say_what_they_show_with_small_numbers_withheld(settings: Settings) -> None:
    site = Site.from_items([story("a", topics=("carers", "mental-health"), location="Cafe"), story("b"),
                            record("booth", {"carers": 12, "primary-care": 6}),
                            response("a-1", "a", 1, Change.MADE), update("u", "deliver", Progress.DONE)], settings)
    charts = impact.charts(impact.measure(site))
    assert [chart.title for chart in charts] == [
        "Conversations so far, against our aspiration", "Conversations by how they were held",
        "Conversations by topic", "Conversations by month", "Where we heard people",
        "Our responses and the changes they led to", "Pledge updates by principle and status"]
    conversations, channels, topics, months, places, answered, pledge = charts
    assert conversations.description == "20 conversations so far, against an aspiration of 2,500: 1% of the way."
    assert [(row.label, row.values) for row in conversations.rows] == [
        ("Conversations so far", (20,)), ("Our aspiration", (2500,))]
    assert topics.description == ("A bar for each topic, showing how many conversations were about it. The longest "
                                  "bar is Carers, with 14 conversations. The numbers are in the table.")
    assert [(row.label, row.text(0)) for row in topics.rows] == [
        ("Carers", "14"), ("Primary care", "[c]"), ("Mental health", "<5")]
    # Eastbrook 18, Cafe 1, Not recorded 1: the two small ones withheld can only be 1 each from the total of 20,
    # so the largest is withheld too.
    assert [(row.label, row.text(0), row.drawn(0)) for row in places.rows] == [
        ("Eastbrook Library", "[c]", False), ("Cafe", "<5", False), ("Not recorded", "<5", False)]
    assert [row.text(0) for row in channels.rows[:2]] == ["[c]", "<5"]
    assert [row.text(0) for row in answered.rows] == ["<5", "<5", "0", "<5"]
    assert answered.description == ("Responses given: <5, to <5 stories; changes planned after 0 stories and made "
                                    "after <5.")
    assert pledge.series == ("Done", "In progress", "Planned")
    assert [(row.label, row.values, row.total_text) for row in pledge.rows] == [
        ("Listen", (0, 0, 0), "0"), ("Deliver", (1, 0, 0), "<5")]
    assert months.description.startswith("A bar for each month, oldest first")
    assert len({chart.key for chart in charts}) == len(charts)


def test_without_an_aspiration_there_is_no_aspiration_chart() -> None:
    site = Site.from_items([story("a")], settings_with(aspiration=None))
    charts = impact.charts(impact.measure(site))
    assert charts[0].title == "Conversations by how they were held"


def test_an_empty_site_still_has_words_for_every_chart(settings: Settings) -> None:
    charts = impact.charts(impact.measure(Site.from_items([], settings)))
    assert "There are none yet." in charts[2].description
    assert charts[3].rows == ()


def test_a_chart_of_small_numbers_only_says_they_are_withheld(settings: Settings) -> None:
    charts = impact.charts(impact.measure(Site.from_items([story("a"), story("b")], settings)))
    assert "Every count is fewer than 5, so the numbers are withheld." in charts[2].description
