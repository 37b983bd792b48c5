"""Generated pages: where each goes, what it holds, and how long lists are split."""

from __future__ import annotations

import datetime as dt

import pytest

from narrative.config import Settings, from_mapping
from narrative.model import Consent, PledgeUpdate, Progress, Response, Source, Status, Story
from narrative.pages import Page, Pagination, all_pages, list_pages, paginate, pledge_pages, story_pages
from narrative.site import Site
from tests.content import config


@pytest.fixture(scope="module")
def settings() -> Settings:
    settings, problems = from_mapping(config(per_page=2))
    assert settings is not None, problems
    return settings


def story(slug: str, day: int, status: Status = Status.PUBLISHED, topics: tuple[str, ...] = ("carers",)) -> Story:
    return Story(slug=slug, title=slug.capitalize(), published=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
                 + dt.timedelta(days=day), summary=f"About {slug}.", topics=topics, consent=Consent(True),
                 body=f"*{slug}*", source=Source(f"stories/patient/{slug}.md"), status=status)


@pytest.mark.parametrize(("src_uri", "url"), [
    ("index.md", ""), ("stories/index.md", "stories/"), ("stories/page/2/index.md", "stories/page/2/"),
    ("stories/ward-7/index.md", "stories/ward-7/"), ("about.md", "about/"), ("pledge/updates/x/index.md",
                                                                          "pledge/updates/x/"),
])
def test_page_url(src_uri: str, url: str) -> None:
    assert Page(src_uri, "T", "t.html").url == url


def test_pagination() -> None:
    first, middle, last = (Pagination(number, 3, "stories/") for number in (1, 2, 3))
    assert [first.url(n) for n in first.numbers] == ["stories/", "stories/page/2/", "stories/page/3/"]
    assert (first.previous, first.next) == (None, "stories/page/2/")
    assert (middle.previous, middle.next) == ("stories/", "stories/page/3/")
    assert (last.previous, last.next) == ("stories/page/2/", None)
    assert list(first.numbers) == [1, 2, 3]


def test_a_single_page_has_no_neighbours() -> None:
    only = Pagination(1, 1, "topics/carers/")
    assert (only.previous, only.next, list(only.numbers)) == (None, None, [1])


def test_paginate_45_stories_at_20_a_page() -> None:
    stories = [story(f"s{n:02d}", n) for n in range(45)]
    pages = list(paginate(stories, 20, "stories/", "Stories", "narrative/stories.html", "All stories.", {"x": 1}))
    assert [page.src_uri for page in pages] == ["stories/index.md", "stories/page/2/index.md",
                                                "stories/page/3/index.md"]
    assert [page.url for page in pages] == ["stories/", "stories/page/2/", "stories/page/3/"]
    assert [page.title for page in pages] == ["Stories", "Stories (page 2 of 3)", "Stories (page 3 of 3)"]
    assert [list(page.context["stories"]) for page in pages] == [stories[:20], stories[20:40], stories[40:]]
    assert [page.context["pagination"] for page in pages] == [Pagination(n, 3, "stories/") for n in (1, 2, 3)]
    assert {(page.template, page.description, page.context["total"], page.context["x"]) for page in pages} == {
        ("narrative/stories.html", "All stories.", 45, 1)}


@pytest.mark.parametrize(("count", "pages"), [(0, 1), (1, 1), (20, 1), (21, 2), (40, 2), (41, 3)])
def test_page_count(count: int, pages: int) -> None:
    stories = [story(f"s{n}", n) for n in range(count)]
    assert len(list(paginate(stories, 20, "stories/", "Stories", "t.html", "", {}))) == pages


def test_an_empty_list_still_has_its_page() -> None:
    [page] = paginate([], 20, "topics/carers/", "Carers", "t.html", "", {})
    assert (page.url, list(page.context["stories"]), page.context["total"]) == ("topics/carers/", [], 0)


def test_content_pages_of_a_small_site(settings: Settings) -> None:
    update = PledgeUpdate(slug="quieter", title="Quieter", published=dt.datetime(2026, 2, 1, tzinfo=dt.timezone.utc),
                          summary="Radios off.", principle="deliver", progress=Progress.DONE, body="Done.",
                          source=Source("stories/pledge/quieter.md"), stories=("a", "gone"), topics=("carers",))
    reply = Response(slug="r", story="a", published=dt.datetime(2026, 2, 2, tzinfo=dt.timezone.utc),
                     responder="Sam Reed, Lead", body="Thanks.", source=Source("stories/responses/r.md"))
    site = Site.from_items([story("a", 1), story("b", 2, topics=("mental-health",)), story("c", 3),
                            story("gone", 4, Status.WITHDRAWN), story("draft", 5, Status.DRAFT), update, reply],
                           settings)
    pages = {page.url: page for page in (*list_pages(site), *story_pages(site), *pledge_pages(site))}
    assert [page.url for page in all_pages(site)][:len(pages)] == list(pages)
    assert list(pages) == [
        "stories/", "stories/page/2/", "topics/", "topics/mental-health/", "topics/primary-care/", "topics/carers/",
        "stories/c/", "stories/b/", "stories/a/", "stories/gone/",
        "pledge/", "pledge/listen/", "pledge/deliver/", "pledge/updates/quieter/",
    ]
    assert [s.slug for s in pages["stories/"].context["stories"]] == ["c", "b"]
    assert [s.slug for s in pages["stories/page/2/"].context["stories"]] == ["a"]
    assert pages["topics/"].context["topics"] == [(settings.topic("mental-health"), 1),
                                                  (settings.topic("primary-care"), 0), (settings.topic("carers"), 2)]
    story_a = pages["stories/a/"]
    assert (story_a.title, story_a.template, story_a.description) == ("A", "narrative/story.html", "About a.")
    assert str(story_a.context["body"]) == "<p><em>a</em></p>"
    assert [(response, str(body)) for response, body in story_a.context["responses"]] == [(reply, "<p>Thanks.</p>")]
    assert story_a.context["updates"] == (update,)
    assert story_a.context["topics"] == [settings.topic("carers")]
    gone = pages["stories/gone/"]
    assert (gone.title, gone.template, gone.context) == (
        "This story was withdrawn", "narrative/withdrawn.html", {"withdrawn": True})
    assert "About gone." not in str(gone)
    assert pages["pledge/deliver/"].context["counts"] == {Progress.PLANNED: 0, Progress.IN_PROGRESS: 0,
                                                          Progress.DONE: 1}
    assert pages["pledge/updates/quieter/"].context["stories"] == (site.story("a"),)


def test_a_long_list_links_its_ends_and_the_pages_near_this_one() -> None:
    assert Pagination(250, 500, "stories/").numbers == (1, None, 248, 249, 250, 251, 252, None, 500)
    assert Pagination(1, 10, "stories/").numbers == (1, 2, 3, None, 10)
    assert Pagination(4, 10, "stories/").numbers == (1, 2, 3, 4, 5, 6, None, 10)
