"""The site's questions: what is public, in what order, and what answers what."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from narrative.config import Settings, from_mapping
from narrative.model import Consent, PledgeUpdate, Progress, Response, Source, Status, Story
from narrative.site import Site, newest_first
from tests.content import config

UTC = dt.timezone.utc


@pytest.fixture(scope="module")
def settings() -> Settings:
    settings, problems = from_mapping(config())
    assert settings is not None, problems
    return settings


def at(day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, tzinfo=UTC)


def story(slug: str, day: int = 1, status: Status = Status.PUBLISHED, topics: tuple[str, ...] = ("carers",),
          hour: int = 12, lang: str | None = None, translation_of: str | None = None) -> Story:
    return Story(slug=slug, title=slug.capitalize(), published=at(day, hour), summary="A story.", topics=topics,
                 consent=Consent(True), body="Words.", source=Source(f"stories/patient/{slug}.md"), status=status,
                 lang=lang, translation_of=translation_of)


def update(slug: str, day: int = 1, principle: str = "deliver", progress: Progress = Progress.DONE,
           stories: tuple[str, ...] = ()) -> PledgeUpdate:
    return PledgeUpdate(slug=slug, title=slug.capitalize(), published=at(day), summary="An update.",
                        principle=principle, progress=progress, body="Words.",
                        source=Source(f"stories/pledge/{slug}.md"), stories=stories)


def response(slug: str, to: str, day: int = 1, hour: int = 12) -> Response:
    return Response(slug=slug, story=to, published=at(day, hour), responder="Sam Reed, Lead", body="Thanks.",
                    source=Source(f"stories/responses/{slug}.md"))


def slugs(items: tuple[object, ...] | list[object]) -> list[str]:
    return [item.slug for item in items]  # type: ignore[attr-defined]


def test_stories_newest_first(settings: Settings) -> None:
    site = Site.from_items([story("a", 1), story("c", 3), story("b", 2)], settings)
    assert slugs(site.stories) == ["c", "b", "a"]


def test_same_moment_ordered_by_slug(settings: Settings) -> None:
    site = Site.from_items([story("b", 2), story("c", 2), story("a", 2), story("z", 1)], settings)
    assert slugs(site.stories) == ["a", "b", "c", "z"]


def test_order_uses_the_moment_not_the_wall_clock() -> None:
    later = story("later", 1, hour=0)
    earlier = replace(story("earlier"), published=dt.datetime(2026, 3, 1, 1, 30,
                                                              tzinfo=dt.timezone(dt.timedelta(hours=2))))
    assert slugs(newest_first([earlier, later])) == ["later", "earlier"]


def test_items_dated_after_now_wait_for_their_day(settings: Settings) -> None:
    items = [story("today", 1), story("tomorrow", 2), story("draft-tomorrow", 2, Status.DRAFT),
             response("reply-tomorrow", "today", 2)]
    now = at(1, 18)
    site = Site.from_items(items, settings, now=now)
    assert (slugs(site.stories), slugs(site.responses), slugs(site.waiting), slugs(site.scheduled)) == (
        ["today"], [], ["draft-tomorrow", "reply-tomorrow", "tomorrow"], ["reply-tomorrow", "tomorrow"])
    assert slugs(site.every_item) == ["today", "draft-tomorrow", "reply-tomorrow", "tomorrow"]
    assert slugs(Site.from_items(items, settings, preview=True, now=now).stories) == [
        "draft-tomorrow", "tomorrow", "today"]
    assert slugs(Site.from_items(items, replace(settings, publish_future=True), now=now).stories) == [
        "tomorrow", "today"]


def test_drafts_hidden_unless_preview(settings: Settings) -> None:
    items = [story("shown", 1), story("draft", 2, Status.DRAFT)]
    assert slugs(Site.from_items(items, settings).stories) == ["shown"]
    assert slugs(Site.from_items(items, settings, preview=True).stories) == ["draft", "shown"]
    assert Site.from_items(items, settings).story("draft") is None
    assert Site.from_items(items, settings, preview=True).story("draft") == items[1]


def test_withdrawn_hidden_even_in_preview_and_listed(settings: Settings) -> None:
    items = [story("shown", 1), story("gone", 2, Status.WITHDRAWN), story("draft", 3, Status.DRAFT)]
    for preview in (False, True):
        site = Site.from_items(items, settings, preview=preview)
        assert "gone" not in slugs(site.stories)
        assert site.story("gone") is None
        assert slugs(site.withdrawn) == ["gone"]
        assert slugs(site.all_stories) == ["draft", "gone", "shown"]


def test_story_by_slug(settings: Settings) -> None:
    site = Site.from_items([story("a")], settings)
    assert site.story("a") == story("a")
    assert site.story("b") is None


def test_responses_to_oldest_first(settings: Settings) -> None:
    site = Site.from_items([story("a"), response("r3", "a", 9), response("r1", "a", 2), response("r2", "a", 5),
                            response("other", "b", 3)], settings)
    assert slugs(site.responses_to("a")) == ["r1", "r2", "r3"]
    assert site.responses_to("nothing") == ()


def test_responses_only_to_public_stories(settings: Settings) -> None:
    site = Site.from_items([story("a", 1), story("gone", 1, Status.WITHDRAWN), story("draft", 1, Status.DRAFT),
                            response("to-a", "a", 2), response("to-gone", "gone", 3),
                            response("to-draft", "draft", 4)], settings)
    assert slugs(site.responses) == ["to-a"]
    assert site.responses_to("gone") == ()
    assert slugs(site.all_responses) == ["to-draft", "to-gone", "to-a"]
    assert slugs(Site.from_items(site.all_stories + site.all_responses, settings, preview=True).responses) == [
        "to-draft", "to-a"]


def test_updates_citing(settings: Settings) -> None:
    site = Site.from_items([story("a"), story("b"), update("u1", 1, stories=("a",)),
                            update("u2", 3, stories=("a", "b")), update("u3", 2)], settings)
    assert slugs(site.updates) == ["u2", "u3", "u1"]
    assert slugs(site.updates_citing("a")) == ["u2", "u1"]
    assert slugs(site.updates_citing("b")) == ["u2"]
    assert site.updates_citing("c") == ()


def test_cited_stories_drop_withdrawn_and_drafts(settings: Settings) -> None:
    cited = update("u", stories=("gone", "a", "draft", "missing", "b"))
    items = [story("a", 1), story("b", 2), story("gone", 3, Status.WITHDRAWN), story("draft", 4, Status.DRAFT), cited]
    assert slugs(Site.from_items(items, settings).cited_stories(cited)) == ["a", "b"]
    assert slugs(Site.from_items(items, settings, preview=True).cited_stories(cited)) == ["a", "draft", "b"]


def test_stories_on_a_topic(settings: Settings) -> None:
    site = Site.from_items([story("a", 1, topics=("carers",)), story("b", 2, topics=("carers", "mental-health")),
                            story("gone", 3, Status.WITHDRAWN, topics=("carers",))], settings)
    assert slugs(site.stories_on("carers")) == ["b", "a"]
    assert slugs(site.stories_on("mental-health")) == ["b"]
    assert site.stories_on("primary-care") == ()


def test_updates_for_a_principle_and_progress_counts(settings: Settings) -> None:
    site = Site.from_items([update("u1", 1, "deliver", Progress.DONE), update("u2", 2, "deliver", Progress.PLANNED),
                            update("u3", 3, "deliver", Progress.DONE), update("u4", 4, "listen", Progress.IN_PROGRESS)],
                           settings)
    assert slugs(site.updates_for("deliver")) == ["u3", "u2", "u1"]
    assert site.progress_counts("deliver") == {Progress.PLANNED: 1, Progress.IN_PROGRESS: 0, Progress.DONE: 2}
    assert site.progress_counts("listen") == {Progress.PLANNED: 0, Progress.IN_PROGRESS: 1, Progress.DONE: 0}
    assert site.progress_counts("unused") == {Progress.PLANNED: 0, Progress.IN_PROGRESS: 0, Progress.DONE: 0}
    assert list(site.progress_counts("deliver")) == [Progress.PLANNED, Progress.IN_PROGRESS, Progress.DONE]


def test_published_items_are_public_stories_and_updates_newest_first(settings: Settings) -> None:
    site = Site.from_items([story("a", 1), update("u", 2), story("gone", 3, Status.WITHDRAWN),
                            story("draft", 4, Status.DRAFT), response("r", "a", 5), story("c", 6)], settings)
    assert slugs(site.published_items) == ["c", "u", "a"]


def test_an_empty_site(settings: Settings) -> None:
    site = Site.from_items([], settings)
    assert (site.stories, site.withdrawn, site.updates, site.responses, site.published_items) == ((), (), (), (), ())


def test_a_story_and_its_translations_are_versions_of_each_other(settings: Settings) -> None:
    site = Site.from_items([story("ward-7", 1), story("oddzial-7", 2, lang="pl", translation_of="ward-7"),
                            story("ward-7-bn", 3, lang="bn", translation_of="ward-7"),
                            story("hidden", 4, lang="cy", translation_of="ward-7", status=Status.DRAFT),
                            story("alone", 5)], settings)
    assert slugs(site.versions(site.stories[-1])) == ["oddzial-7", "ward-7-bn"]
    assert slugs(site.versions(site.story("oddzial-7"))) == ["ward-7", "ward-7-bn"]
    assert site.versions(site.story("alone")) == ()


def test_a_translation_of_a_story_that_is_not_public_has_no_versions(settings: Settings) -> None:
    site = Site.from_items([story("gone", status=Status.WITHDRAWN),
                            story("zniknela", lang="pl", translation_of="gone")], settings)
    assert site.versions(site.stories[0]) == ()
