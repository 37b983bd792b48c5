"""Search in a real browser on the built sample site: it finds a story by a word of its body, its topic and its
title, never finds a draft or a withdrawn story, narrows by topic and kind, works from the keyboard alone,
passes axe with results open, and gives way to plain links without JavaScript."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route

from narrative.site import Site
from tests.browser import page_at, serving, tab_to
from tests.conftest import REPO, new_project
from tests.test_accessibility import violations

pytestmark = pytest.mark.browser

STORY = "stories/waiting-room-music/"
DRAFT = REPO / "stories/patient/sight-loss-and-letters.md"
WITHDRAWN = REPO / "stories/patient/parking-at-hollowmere-general.md"
STATUS = "#nv-search-status"
READY = "Type a word to search the stories and pledge updates."


@pytest.fixture(scope="module")
def sample(sample_content: Site) -> Site:
    return sample_content


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.lower()))


def words_only_in(path: Path) -> list[str]:
    """Words of one contributed file that nothing else in the sample (content or editors' pages) comes near:
    search matches stems and the beginnings of words, so no other word may share a word's first four letters."""
    others = [other for folder in ("stories", "docs") for other in (REPO / folder).rglob("*.md") if other != path]
    elsewhere = set().union(*(words(other.read_text(encoding="utf-8")) for other in others))
    return sorted(word for word in words(path.read_text(encoding="utf-8"))
                  if len(word) >= 5 and not any(other.startswith(word[:4]) for other in elsewhere))


def open_search(page: Page) -> None:
    page.get_by_role("button", name="Search", exact=True).click()
    assert page.evaluate("document.activeElement.id") == "nv-search-query"


def search(page: Page, term: str) -> str:
    """Type `term` into the open dialog and wait for the answer; returns what the status region says."""
    before = page.locator(STATUS).text_content()
    page.fill("#nv-search-query", term)
    page.wait_for_function("([selector, before]) => document.querySelector(selector).textContent !== before",
                           arg=[STATUS, before])
    return page.locator(STATUS).text_content() or ""


def wait_for_answer(page: Page, before: str) -> str:
    page.wait_for_function("([selector, before]) => document.querySelector(selector).textContent !== before",
                           arg=[STATUS, before])
    return page.locator(STATUS).text_content() or ""


def all_results(page: Page) -> list[dict[str, str]]:
    """Every result of the current query (showing more until there is no more), as shown."""
    while page.locator("[data-nv-search-more]").is_visible():
        before = page.locator(STATUS).text_content() or ""
        page.click("[data-nv-search-more]")
        wait_for_answer(page, before)
    return page.evaluate("""() => [...document.querySelectorAll('.nv-search__result')].map(result => ({
        title: result.querySelector('h3 a').textContent,
        href: result.querySelector('h3 a').getAttribute('href'),
        meta: result.querySelector('.nv-search__result-meta').textContent,
        summary: result.querySelector('.nv-search__result-summary').textContent,
        topics: result.querySelector('.nv-search__result-topics')?.textContent ?? '',
    }))""")


def test_finds_a_story_by_a_word_of_its_body(browser: Browser, served: str, sample: Site) -> None:
    story = sample.story("waiting-room-music")
    assert story is not None
    assert "adverts" in story.body and "adverts" not in (story.title + story.summary).lower()
    with page_at(browser, served + STORY) as page:
        open_search(page)
        assert search(page, "adverts") == "1 result for \u201cadverts\u201d."
        assert all_results(page) == [{
            "title": "The music in the waiting room", "href": "/stories/waiting-room-music/",
            "meta": "Story · 18 January 2025", "summary": story.summary, "topics": "Topic: Improving primary care"}]


def test_finds_every_story_on_a_topic_by_the_topics_name(browser: Browser, served: str, sample: Site) -> None:
    tagged = sample.stories_on("carers")
    unmentioned = [story.title for story in tagged if "carer" not in (story.title + story.summary + story.body).lower()]
    assert unmentioned, "the sample needs a story filed under Carers that never says so"
    with page_at(browser, served) as page:
        open_search(page)
        search(page, "carers")
        titles = [result["title"] for result in all_results(page)]
    assert set(unmentioned) <= set(titles)
    assert {story.title for story in tagged} <= set(titles)


def test_finds_a_story_by_a_word_of_its_title(browser: Browser, served: str, sample: Site) -> None:
    story = sample.story("sunday-at-the-urgent-treatment-centre")
    assert story is not None and "sprained" in story.title.lower()
    assert "sprained" not in (story.summary + story.body).lower()
    with page_at(browser, served + STORY) as page:
        open_search(page)
        assert search(page, "sprained") == "1 result for \u201csprained\u201d."
        assert [result["title"] for result in all_results(page)] == [story.title]


@pytest.mark.parametrize("path", [DRAFT, WITHDRAWN], ids=["draft", "withdrawn"])
def test_a_drafts_and_a_withdrawn_storys_own_words_find_nothing(browser: Browser, served: str, path: Path) -> None:
    unique = words_only_in(path)
    assert len(unique) >= 5, unique
    with page_at(browser, served + STORY) as page:
        open_search(page)
        for word in unique:
            assert search(page, word) == (f"Nothing found for \u201c{word}\u201d. Try another word, or browse the "
                                          "stories below."), word
            assert page.locator(".nv-search__result").count() == 0


def test_the_topic_and_kind_filters_narrow_the_results(browser: Browser, served: str) -> None:
    with page_at(browser, served + STORY) as page:
        open_search(page)
        search(page, "waiting")
        everything = all_results(page)
        before = page.locator(STATUS).text_content() or ""
        page.select_option("#nv-search-topic", "Mental health")
        said = wait_for_answer(page, before)
        on_topic = all_results(page)
        assert 0 < len(on_topic) < len(everything)
        assert said.startswith(f"{len(on_topic)} result") and "(topic Mental health)" in said
        assert all("Mental health" in result["topics"] for result in on_topic)
        assert {result["href"] for result in on_topic} < {result["href"] for result in everything}

        page.select_option("#nv-search-topic", "")
        page.select_option("#nv-search-kind", "Pledge update")
        page.wait_for_function("document.querySelector('#nv-search-status').textContent"
                               ".includes('(pledge updates only)')")
        updates = all_results(page)
        assert updates and all(result["meta"].startswith("Pledge update · ") for result in updates)
        assert all(result["href"].startswith("/pledge/updates/") for result in updates)
        assert len(updates) < len(everything)


def test_more_results_come_on_request_and_focus_moves_to_the_first_new_one(browser: Browser, served: str) -> None:
    with page_at(browser, served) as page:
        open_search(page)
        said = search(page, "the")
        total = int(said.split()[0])
        assert total > 10
        assert said == (f"{total} results for \u201cthe\u201d, showing 10. Use \u201cShow more results\u201d for "
                        "the rest.")
        assert page.locator(".nv-search__result").count() == 10
        page.click("[data-nv-search-more]")
        wait_for_answer(page, said)
        assert page.locator(".nv-search__result").count() == min(20, total)
        assert page.evaluate("document.activeElement.closest('.nv-search__result') === "
                             "document.querySelectorAll('.nv-search__result')[10]")


def test_a_double_click_on_show_more_shows_each_result_once(browser: Browser, served: str) -> None:
    with page_at(browser, served) as page:
        open_search(page)
        total = int(search(page, "the").split()[0])
        said = page.locator(STATUS).text_content() or ""
        page.dblclick("[data-nv-search-more]")
        wait_for_answer(page, said)
        page.wait_for_timeout(500)  # time for a second page of results, were one asked for
        shown = page.eval_on_selector_all(".nv-search__result h3 a", "links => links.map(a => a.getAttribute('href'))")
        assert len(shown) == len(set(shown)) == min(20, total)


def test_more_results_that_cannot_be_fetched_are_said_so(browser: Browser, served: str) -> None:
    with page_at(browser, served) as page:
        open_search(page)
        said = search(page, "the")
        page.route("**/fragment/**", lambda route: route.abort())
        page.click("[data-nv-search-more]")
        assert wait_for_answer(page, said) == ("More results cannot be shown right now. You can still browse all "
                                               "stories below.")


UNFINISHED = ("Search could not finish, so it cannot say what it found. You can still browse all stories, or "
              "stories by topic, below, or try again.")


@pytest.mark.parametrize("failure", ["blocked", "missing"])
def test_an_index_chunk_that_fails_to_load_is_never_nothing_found(browser: Browser, served: str,
                                                                 failure: str) -> None:
    """Pagefind logs a chunk it cannot load and answers with nothing: the reader is told search did not finish,
    and offered the story index, and a second try once the chunk loads finds the story."""
    def fail(route: Route) -> None:
        route.abort() if failure == "blocked" else route.fulfill(status=404, body="Not found")

    with page_at(browser, served + STORY) as page:
        page.route("**/pagefind/1/index/**", fail)
        open_search(page)
        assert search(page, "adverts") == UNFINISHED
        assert page.locator(".nv-search__result").count() == 0
        assert not page.locator("[data-nv-search-more]").is_visible()
        browse = page.locator(".nv-search__browse a").first
        assert (browse.text_content(), browse.is_visible()) == ("all stories", True)
        page.unroute("**/pagefind/1/index/**")
        assert search(page, "adverts ") == "1 result for \u201cadverts\u201d."


def test_a_slow_index_is_said_to_be_searching(browser: Browser, served: str) -> None:
    held: list[Route] = []
    with page_at(browser, served) as page:
        page.route("**/pagefind/**", lambda route: held.append(route))  # no answer until let go
        open_search(page)
        page.fill("#nv-search-query", "music")
        page.wait_for_function("selector => document.querySelector(selector).textContent === 'Searching\u2026'",
                               arg=STATUS)
        assert page.get_attribute("#nv-search-results", "aria-busy") == "true"
        assert held
        page.unroute("**/pagefind/**")  # lets the held requests go on
        said = wait_for_answer(page, "Searching\u2026")
        assert re.fullmatch(r"\d+ results? for \u201cmusic\u201d\.", said), said
        assert page.get_attribute("#nv-search-results", "aria-busy") is None


def test_search_works_from_the_keyboard_alone(browser: Browser, served: str) -> None:
    with page_at(browser, served + STORY) as page:
        tab_to(page, "[data-nv-search-open]", "the search button")
        page.keyboard.press("Enter")
        assert page.get_by_role("dialog", name="Search stories and pledge updates").is_visible()
        assert page.get_by_role("searchbox", name="Words to search for").evaluate("box => box === "
                                                                                   "document.activeElement")
        assert page.get_by_role("dialog").get_by_role("status").text_content() == READY
        page.keyboard.type("adverts")
        page.keyboard.press("Enter")
        wait_for_answer(page, READY)
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "nv-search-topic"
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "nv-search-kind"
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "The music in the waiting room"

        page.keyboard.press("Escape")
        assert not page.evaluate("document.getElementById('nv-search').open")
        assert page.evaluate("document.activeElement.matches('[data-nv-search-open]')")

        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "nv-search-query"
        assert page.input_value("#nv-search-query") == "adverts"
        page.keyboard.press("Escape")
        assert not page.evaluate("document.getElementById('nv-search').open")
        assert page.evaluate("document.activeElement.matches('[data-nv-search-open]')")

        page.keyboard.press("Enter")
        for _ in range(3):
            page.keyboard.press("Tab")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url == served + STORY


def test_focus_stays_in_the_open_dialog(browser: Browser, served: str) -> None:
    with page_at(browser, served + STORY) as page:
        open_search(page)
        search(page, "adverts")
        for _ in range(15):
            page.keyboard.press("Tab")
            assert page.evaluate("document.getElementById('nv-search').contains(document.activeElement) "
                                 "|| document.activeElement === document.body")
        page.get_by_role("button", name="Close search").click()
        assert page.evaluate("document.activeElement.matches('[data-nv-search-open]')")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [375, 1280])
def test_axe_finds_nothing_with_results_open(browser: Browser, served: str, scheme: str, width: int) -> None:
    with page_at(browser, served + STORY, width=width, scheme=scheme) as page:
        open_search(page)
        said = search(page, "the")
        assert said.endswith("Use \u201cShow more results\u201d for the rest.")
        page.select_option("#nv-search-kind", "Story")
        wait_for_answer(page, said)
        assert page.locator(".nv-search__result").count() == 10
        assert violations(page) == []


def test_the_search_box_is_in_the_header_of_every_kind_of_page(browser: Browser, served: str) -> None:
    for url in ("", "stories/", "topics/carers/", "pledge/", STORY, "pledge/updates/quieter-waiting-rooms/"):
        with page_at(browser, served + url) as page:
            button = page.locator(".md-header [data-nv-search-open]")
            assert button.is_visible(), url
            assert button.get_attribute("aria-haspopup") == "dialog"


def test_with_javascript_the_links_give_way_to_the_search_box_unless_the_browser_has_no_dialog(
        browser: Browser, served: str) -> None:
    with page_at(browser, served + STORY) as page:
        assert page.locator("[data-nv-search-open]").is_visible()
        assert not page.locator("[data-nv-search-links]").is_visible()
        page.add_init_script("delete HTMLDialogElement.prototype.showModal")  # as in browsers before 2022
        page.reload()
        page.wait_for_load_state("load")
        assert not page.locator("[data-nv-search-open]").is_visible()
        page.get_by_text("Find stories", exact=True).click()
        assert page.locator(".nv-search-nojs__links a").first.is_visible()


def test_without_javascript_the_search_box_gives_way_to_links(browser: Browser, served: str, sample: Site) -> None:
    with page_at(browser, served + STORY, javascript=False) as page:
        assert not page.locator("[data-nv-search-open]").is_visible()
        page.get_by_text("Find stories", exact=True).click()
        links = page.locator(".nv-search-nojs__links a")
        assert [(link.text_content(), link.get_attribute("href")) for link in links.all()] == [
            ("All stories", "../../stories/"), ("All topics", "../../topics/"),
            *[(topic.label, f"../../topics/{topic.slug}/") for topic in sample.settings.topics]]
        assert all(link.is_visible() for link in links.all())


def test_a_first_query_loads_only_part_of_the_index(browser: Browser, served: str, sample_site: Path) -> None:
    chunks = {path.name for path in (sample_site / "pagefind/1/index").iterdir()}
    fetched: list[str] = []
    with page_at(browser, served + STORY) as page:
        page.on("request", lambda request: fetched.append(request.url))
        open_search(page)
        search(page, "adverts")
    loaded = {url.rsplit("/", 1)[1] for url in fetched if "/pagefind/1/index/" in url}
    assert loaded and loaded < chunks
    assert not any(url.endswith("search_index.json") for url in fetched)


@pytest.fixture(scope="module")
def in_parts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A site of six stories, a month apart, whose search index is in three parts of two; served, its root URL.
    Every story mentions a kettle; only the oldest mentions a zeppelin."""
    project = new_project(tmp_path_factory.mktemp("parts") / "project")
    for month in range(1, 7):
        extra = " We watched a zeppelin from the ward window." if month == 1 else ""
        project.story(f"month-{month}", date=f"2026-0{month}-10", body=f"The kettle was always on.{extra}\n")
    project.index_in_parts_of(2)
    result, site_dir = project.build()
    assert result.returncode == 0, result.stderr
    with serving(site_dir) as url:
        yield url


def test_a_large_archive_is_searched_newest_part_first_then_earlier_on_request(browser: Browser,
                                                                                in_parts: str) -> None:
    fetched: list[str] = []
    with page_at(browser, in_parts) as page:
        page.on("request", lambda request: fetched.append(request.url))
        open_search(page)
        said = search(page, "kettle")
        assert said == ("2 results for \u201ckettle\u201d published since 10 May 2026. Use \u201cSearch earlier "
                        "stories too\u201d to look further back.")
        assert sorted(result["href"] for result in all_results(page)) == ["/stories/month-5/", "/stories/month-6/"]
        assert not any("/pagefind/1/" in url or "/pagefind/2/" in url for url in fetched)
        assert violations(page) == []
        page.click("[data-nv-search-earlier]")
        page.wait_for_function("(passing) => !passing.includes(document.querySelector('#nv-search-status').textContent)",
                               arg=[said, "Searching earlier stories and updates\u2026"])
        assert page.locator(STATUS).text_content() == "6 results for \u201ckettle\u201d."
        assert sorted(result["href"] for result in all_results(page)) == [f"/stories/month-{month}/"
                                                                         for month in range(1, 7)]
        assert page.locator("[data-nv-search-earlier]").is_hidden()
        assert page.evaluate("document.activeElement === document.querySelector('.nv-search__result a')")
        assert any("/pagefind/1/" in url for url in fetched) and any("/pagefind/2/" in url for url in fetched)
        assert not any(url.endswith("/pagefind/1/wasm.en.pagefind") for url in fetched)  # the newest part's serves all


def test_a_word_only_in_an_earlier_part_is_found_without_asking(browser: Browser, in_parts: str) -> None:
    with page_at(browser, in_parts) as page:
        open_search(page)
        assert search(page, "zeppelin") == "1 result for \u201czeppelin\u201d."
        assert [result["href"] for result in all_results(page)] == ["/stories/month-1/"]
        assert page.locator("[data-nv-search-earlier]").is_hidden()


@pytest.mark.parametrize(("term", "title", "href", "lang"), [
    ("przychodni", "Ulotka po polsku na targu", "/stories/ulotka-po-polsku/", "pl"),
    ("টিকা", "নিজের ভাষায় কথা বলার সুযোগ", "/stories/amar-bhashay-kotha/", "bn"),
])
def test_a_search_in_another_language_finds_the_story_in_it(browser: Browser, served: str, term: str,
                                                            title: str, href: str, lang: str) -> None:
    """Pagefind keeps each language's words in an index of its own; the search box, on an English page, opens
    them all."""
    with page_at(browser, served + STORY) as page:
        open_search(page)
        assert search(page, term) == f"1 result for \u201c{term}\u201d."
        assert [(result["title"], result["href"]) for result in all_results(page)] == [(title, href)]
        assert page.evaluate("""() => [...document.querySelectorAll(
            '.nv-search__result-title a, .nv-search__result-summary')].map(element => element.lang)""") == [lang] * 2
