"""The public site in a real browser: axe-core finds nothing at WCAG 2.2 A and AA in either colour scheme, the
keyboard reaches everything in order with a visible focus, phones never scroll sideways, the charts tell the
truth, sharing works with and without JavaScript, and a story prints cleanly.

Screenshots land in tests/artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from axe_playwright_python.sync_playwright import Axe
from PIL import Image
from playwright.sync_api import Browser, Page

from tests.browser import SCHEMES, page_at, tab_to
from tests.conftest import REPO

pytestmark = pytest.mark.browser

AXE = Axe()
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SCREENSHOTS = REPO / "tests" / "artifacts" / "screenshots"

PAGES = [
    # (address under the site root, a selector that proves the page is the template it stands for)
    pytest.param("", ".nv-cards .nv-card", id="home"),
    pytest.param("stories/", ".nv-count", id="story-index"),
    pytest.param("stories/phone-queue-at-eight/", ".nv-response", id="story-with-responses"),
    pytest.param("stories/crisis-night-and-the-safe-haven/", ".nv-content-note", id="story-with-content-note"),
    pytest.param("stories/parking-at-hollowmere-general/", ".nv-withdrawn", id="withdrawn-story"),
    pytest.param("stories/ulotka-po-polsku/", ".nv-versions", id="story-in-polish"),
    pytest.param("topics/mental-health/", ".nv-breadcrumb", id="topic"),
    pytest.param("topics/", ".nv-topics", id="topic-index"),
    pytest.param("pledge/", ".nv-principles", id="pledge-overview"),
    pytest.param("pledge/deliver/", ".nv-timeline", id="principle"),
    pytest.param("pledge/updates/quieter-waiting-rooms/", ".nv-update-page", id="update"),
    pytest.param("impact/", ".nv-chart", id="impact"),
    pytest.param("subscribe/", "h1", id="subscribe"),
    pytest.param("digests/", "h1", id="digest-archive"),
    pytest.param("share-your-story/", "form[data-nv-share-form]", id="share-your-story"),
    pytest.param("your-story/", "form.nv-form", id="your-story"),
    pytest.param("404.html", ".nv-not-found", id="not-found"),
]


def violations(page: Page) -> list[str]:
    results = AXE.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]})
    return [f"{violation['id']} at {node['target']}: {node['failureSummary']}"
            for violation in results.response["violations"] for node in violation["nodes"]]


@pytest.mark.parametrize("scheme", list(SCHEMES))
@pytest.mark.parametrize(("url", "proof"), PAGES)
def test_no_wcag_a_or_aa_violations(browser: Browser, served: str, url: str, proof: str, scheme: str) -> None:
    with page_at(browser, served + url, scheme=scheme) as page:
        assert page.locator(proof).count() > 0, f"{url} is not the page it stands for"
        assert violations(page) == []


@pytest.mark.parametrize(("url", "proof"), PAGES)
def test_no_sideways_scrolling_on_a_phone(browser: Browser, served: str, url: str, proof: str) -> None:
    """At 320 CSS pixels, the width WCAG 1.4.10 (reflow) asks for: the impact page's tables stack their rows."""
    with page_at(browser, served + url, width=320) as page:
        assert page.evaluate("document.documentElement.scrollWidth") <= 320


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize(("name", "url"), [("home", ""), ("story", "stories/saying-goodbye-on-ward-7/"),
                                           ("impact", "impact/")])
def test_screenshots_for_a_person_to_look_at(browser: Browser, served: str, name: str, url: str, width: int) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}-{width}.png"
    path.unlink(missing_ok=True)
    with page_at(browser, served + url, width=width) as page:
        page.screenshot(path=str(path), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    with Image.open(path) as shot:
        assert shot.width == width
        assert shot.height > 900


# Marks every control the keyboard should reach, in DOM order, and returns a description of each. A radio group
# is one stop (its checked radio); hidden (by attribute or style), disabled and tabindex=-1 elements are none.
MARK_TAB_STOPS = """() => {
  const stops = [], groups = new Set();
  for (const el of document.querySelectorAll("a[href], button, input, select, textarea, summary, [tabindex]")) {
    if (el.disabled || el.tabIndex < 0 || el.closest("[hidden]")) continue;
    if (!el.checkVisibility({visibilityProperty: true})) continue;
    if (el.type === "radio") {
      if (groups.has(el.name)) continue;
      const group = [...document.getElementsByName(el.name)];
      if ((group.find(radio => radio.checked) || group[0]) !== el) continue;
      groups.add(el.name);
    }
    el.dataset.nvStop = String(stops.length);
    const name = el.getAttribute("href") || el.getAttribute("aria-label") || el.textContent || "";
    stops.push(`${el.tagName.toLowerCase()} ${name.trim().slice(0, 40)}`);
  }
  return stops;
}"""
# The look of focus: an element's outline and shadow, or its label's for an input drawn by its label.
FOCUS_LOOK = """el => {
  const shown = (el.tagName === "INPUT" && getComputedStyle(el).opacity === "0" && el.nextElementSibling) || el;
  const style = getComputedStyle(shown);
  return [style.outlineStyle, style.outlineWidth, style.outlineColor, style.boxShadow].join(" | ");
}"""


@pytest.mark.parametrize("url", ["", "stories/phone-queue-at-eight/", "impact/"])
def test_keyboard_reaches_every_control_in_order_with_a_visible_focus(browser: Browser, served: str,
                                                                      url: str) -> None:
    with page_at(browser, served + url) as page:
        assert page.evaluate("document.querySelectorAll('[tabindex]:not([tabindex=\"-1\"]):not([tabindex=\"0\"])')"
                             ".length") == 0, "a positive tabindex breaks the reading order"
        stops = page.evaluate(MARK_TAB_STOPS)
        assert len(stops) > 20
        assert stops[0] == "a #nv-main", "the skip link comes first"
        reached, focused_looks = [], []
        for _ in stops:
            page.keyboard.press("Tab")
            active = page.evaluate_handle("document.activeElement")
            reached.append(page.evaluate("el => el.dataset.nvStop ?? el.outerHTML.slice(0, 80)", active))
            focused_looks.append(page.evaluate(FOCUS_LOOK, active))
        assert reached == [str(index) for index in range(len(stops))], stops
        page.evaluate("document.activeElement.blur()")
        for index, stop in enumerate(stops):
            element = page.locator(f'[data-nv-stop="{index}"]')
            assert element.evaluate(FOCUS_LOOK) != focused_looks[index], f"no visible focus on {stop}"


def test_the_skip_link_comes_first_and_moves_focus_to_the_content(browser: Browser, served: str) -> None:
    with page_at(browser, served + "stories/phone-queue-at-eight/") as page:
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
        box = page.locator(".nv-skip").bounding_box()
        assert box is not None and box["y"] >= 0, "the skip link must show when focused"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "nv-main"
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.closest('#nv-main') !== null")
        assert page.evaluate("document.activeElement.textContent.trim()") == "Stories"


DRAWER_SHOWN = "() => document.querySelector('.md-sidebar--primary').getBoundingClientRect().right > 100"
"""The menu drawer slides in from the left: off the screen when closed, its links in view when open."""


def test_on_a_phone_the_menu_opens_and_closes_from_the_keyboard(browser: Browser, served: str) -> None:
    with page_at(browser, served + "stories/phone-queue-at-eight/", width=375) as page:
        menu = page.locator(".md-header label[for='__drawer']")
        assert not page.evaluate(DRAWER_SHOWN)
        tab_to(page, ".md-header label[for='__drawer']", "the menu button", presses=10)
        assert (menu.get_attribute("role"), menu.get_attribute("aria-label")) == ("button", "Menu")
        assert menu.get_attribute("aria-expanded") == "false"
        page.keyboard.press("Enter")
        page.wait_for_function(DRAWER_SHOWN)
        assert menu.get_attribute("aria-expanded") == "true"
        page.keyboard.press("Escape")
        page.wait_for_function(f"() => !({DRAWER_SHOWN})()")
        assert menu.get_attribute("aria-expanded") == "false"
        assert menu.evaluate("el => el === document.activeElement"), "focus goes back to the menu button"
        page.keyboard.press(" ")
        page.wait_for_function(DRAWER_SHOWN)


UNDER_THE_HEADER = """() => {
  const focused = document.activeElement, header = document.querySelector(".md-header").getBoundingClientRect();
  const box = focused.getBoundingClientRect();
  return focused !== document.body && !focused.closest(".md-header, .nv-skip") && box.top < header.bottom && box.bottom > header.top;
}"""


def test_on_a_phone_the_closed_menu_is_no_tab_stop_and_nothing_focused_hides_under_the_header(
        browser: Browser, served: str) -> None:
    with page_at(browser, served + "stories/phone-queue-at-eight/", width=375) as page:
        drawer = page.locator(".md-sidebar--primary")
        assert drawer.evaluate("el => el.inert") is True
        in_drawer, hidden = 0, []
        for _ in range(60):
            page.keyboard.press("Tab")
            in_drawer += page.evaluate("document.activeElement.closest('.md-sidebar--primary') !== null")
            if page.evaluate(UNDER_THE_HEADER):
                hidden.append(page.evaluate("document.activeElement.outerHTML.slice(0, 80)"))
        assert (in_drawer, hidden) == (0, [])
        page.locator(".md-header label[for='__drawer']").click()
        page.wait_for_function(DRAWER_SHOWN)
        assert drawer.evaluate("el => el.inert") is False
    with page_at(browser, served + "stories/phone-queue-at-eight/", width=1400) as page:
        assert page.locator(".md-sidebar--primary").evaluate("el => el.inert") is False


def front_matter(path: Path) -> dict[str, Any]:
    _, header, _ = path.read_text(encoding="utf-8").split("---\n", 2)
    return yaml.safe_load(header)


def month_of(value: dt.date | dt.datetime) -> tuple[int, int]:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(zoneinfo.ZoneInfo("Europe/London"))
    return value.year, value.month


CHANNELS = {"listening-booth": "Listening booth", "event": "Event", "outreach": "Outreach", "phone": "Phone",
            "post": "Post", "social-media": "Social media", "survey": "Survey", "other": "Other"}
"""The channels a site has when its settings name none, as the sample's do not."""
DIRECTLY = "Stories shared with us directly"


def conversations_from_the_files() -> list[tuple[int, dict[str, int], tuple[int, int], str, str, str | None]]:
    """Every conversation counted, straight from the content files without the impact module, as (how many,
    by topic, month, place, channel, principle): each record, and each published story that names no record
    and translates no story."""
    stories = [front_matter(path) for path in (REPO / "stories/patient").glob("*.md")]
    counted = [front for front in stories if front.get("status", "published") == "published"
               and "conversation" not in front and "translation_of" not in front]
    records = [front_matter(path) for path in (REPO / "stories/conversations").glob("*.md")]
    return [
        *((1, dict.fromkeys(front["topics"], 1), month_of(front["date"]),
           " ".join((front.get("location") or "").split()) or "Not recorded", DIRECTLY, None) for front in counted),
        *((sum(front["conversations"].values()), front["conversations"],
           month_of(dt.date.fromisoformat(str(front["date"]).split(" to ")[0])), " ".join(front["place"].split()),
           CHANNELS[front["channel"]], front["principle"]) for front in records),
    ]


def counted_from_the_files() -> dict[str, dict[str, list[int]]]:
    """Every chart's numbers, counted straight from the content files without the impact module."""
    settings = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))["extra"]["narrative"]
    stories = {path.stem: front_matter(path) for path in (REPO / "stories/patient").glob("*.md")}
    public = {slug: front for slug, front in stories.items() if front.get("status", "published") == "published"}
    heard = conversations_from_the_files()
    topics, months, places, channels = Counter(), Counter(), Counter(), Counter(dict.fromkeys(CHANNELS.values(), 0))
    for count, about, month, place, channel, _ in heard:
        topics.update(about)
        months[month] += count
        places[place] += count
        channels[channel] += count
    first, last = min(months), max(months)
    month_rows, (year, month) = {}, first
    while (year, month) <= last:
        month_rows[f"{dt.date(year, month, 1):%B %Y}"] = [months[(year, month)]]
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    answers = sorted((front for front in map(front_matter, (REPO / "stories/responses").glob("*.md"))
                      if front["story"] in public), key=lambda front: front["date"])
    latest_change = {front["story"]: front["change"] for front in answers if front.get("change")}
    updates = [front_matter(path) for path in (REPO / "stories/pledge").glob("*.md")]
    return {
        "chart-conversations": {"Conversations so far": [sum(each[0] for each in heard)],
                                "Our aspiration": [settings["aspiration"]]},
        "chart-channels": {channel: [count] for channel, count in channels.items()},
        "chart-topics": {topic["label"]: [topics[topic["slug"]]] for topic in settings["topics"]},
        "chart-months": month_rows,
        "chart-places": {place: [count] for place, count in places.items()},
        "chart-responses": {
            "Responses given": [len(answers)],
            "Stories with a response": [len({front["story"] for front in answers})],
            "Stories that led to a change we have planned": [list(latest_change.values()).count("planned")],
            "Stories that led to a change we have made": [list(latest_change.values()).count("made")],
        },
        "chart-pledge": {
            principle["name"]: [*(counts := [sum(1 for front in updates if front["principle"] == principle["slug"]
                                                 and front["status"] == status)
                                             for status in ("done", "in-progress", "planned")]), sum(counts)]
            for principle in settings["principles"]
        },
    }


def shows(cell: int | str, count: int) -> bool:
    """Whether a published cell is right for the count: the count itself, `<5` for 1 to 4, or `[c]` for a
    larger count withheld so that a small one cannot be worked out."""
    return cell == count if isinstance(cell, int) else (cell == "<5" and count in range(1, 5)) or (
        cell == "[c]" and count >= 5)


READ_CHARTS = """() => Object.fromEntries([...document.querySelectorAll("section.nv-chart")].map(section => {
  const number = text => /^[0-9,]+$/.test(text) ? Number(text.replaceAll(",", "")) : text;
  const table = section.querySelector("table");
  const svg = section.querySelector("svg");
  return [table.id.replace(/-table$/, ""), {
    table: [...table.querySelectorAll("tbody tr")].map(row => [
      row.querySelector("th").textContent, [...row.querySelectorAll("td")].map(td => number(td.textContent))]),
    bars: [...svg.querySelectorAll(".nv-chart__row")].map(row => [
      [...row.querySelectorAll(".nv-chart__label tspan")].map(span => span.textContent).join(" "),
      number(row.querySelector(".nv-chart__value").textContent),
      row.querySelectorAll("rect").length]),
    name: [...svg.getAttribute("aria-labelledby").split(" ")].map(id => document.getElementById(id)?.textContent),
  }];
}))"""


def test_the_impact_charts_match_the_content_with_small_numbers_withheld(browser: Browser, served: str) -> None:
    expected = counted_from_the_files()
    with page_at(browser, served + "impact/") as page:
        charts = page.evaluate(READ_CHARTS)
        headline = page.locator(".nv-headline__number").text_content()
    assert headline is not None and int(headline.replace(",", "")) == expected["chart-conversations"][
        "Conversations so far"][0]
    assert list(charts) == list(expected)
    for key, numbers in expected.items():
        table = {label: values for label, values in charts[key]["table"]}
        assert set(table) == set(numbers), key
        for label, values in table.items():
            assert len(values) == len(numbers[label]), (key, label)
            assert all(shows(cell, count) for cell, count in zip(values, numbers[label])), (key, label, values)
        bars = charts[key]["bars"]
        assert [label for label, _, _ in bars] == [label for label, _ in charts[key]["table"]], key
        assert [total for _, total, _ in bars] == [values[-1] if len(values) > 1 else values[0]
                                                   for _, values in charts[key]["table"]], key
        for (_, total, drawn), (_, values) in zip(bars, charts[key]["table"]):
            if len(values) == 1 and isinstance(total, str):
                assert drawn == 0, f"{key}: a withheld number has no bar, whose length would tell it"
        title, description = charts[key]["name"]
        assert title and description, f"{key} must be named by its title and description"
    assert [label for label, _ in charts["chart-months"]["table"]] == list(expected["chart-months"])
    shown = [cell for key in ("chart-channels", "chart-months", "chart-places", "chart-topics", "chart-pledge")
             for _, values in charts[key]["table"] for cell in values]
    assert "<5" in shown and not any(cell in range(1, 5) for cell in shown if isinstance(cell, int))


def test_copy_link_copies_the_address_and_says_so(browser: Browser, served: str) -> None:
    url = served + "stories/phone-queue-at-eight/"
    with page_at(browser, url) as page:
        page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=served.rstrip("/"))
        button = page.get_by_role("button", name="Copy link")
        button.click()
        status = page.locator("#nv-share-status")
        status.filter(has_text="Link copied").wait_for()
        assert status.text_content() == "Link copied. You can now paste it into a message."
        assert status.get_attribute("role") == "status"
        assert page.evaluate("navigator.clipboard.readText()") == (
            "https://stories.hollowmere.example/stories/phone-queue-at-eight/")


def test_without_javascript_the_address_is_there_to_copy(browser: Browser, served: str) -> None:
    with page_at(browser, served + "stories/phone-queue-at-eight/", javascript=False) as page:
        assert not page.get_by_role("button", name="Copy link").is_visible()
        address = page.get_by_label("Link to this page")
        assert address.is_visible()
        assert address.input_value() == "https://stories.hollowmere.example/stories/phone-queue-at-eight/"
        assert page.get_by_role("link", name="WhatsApp").is_visible()


def test_a_story_prints_without_navigation_or_sharing_and_shows_link_addresses(browser: Browser,
                                                                               served: str) -> None:
    with page_at(browser, served + "stories/phone-queue-at-eight/") as page:
        page.evaluate("""() => {
          const link = document.createElement("a");
          link.href = "https://example.org/leaflet";
          link.textContent = "the leaflet";
          link.id = "outside-link";
          document.querySelector(".nv-story__body").append(link);
        }""")
        display = "selector => getComputedStyle(document.querySelector(selector)).display"
        assert page.evaluate(display, ".nv-print-only") == "none"
        page.emulate_media(media="print")
        hidden = [".md-header", ".md-sidebar--primary", ".nv-share", ".nv-cta", ".md-footer", ".nv-skip"]
        assert [page.evaluate(display, selector) for selector in hidden] == ["none"] * len(hidden)
        assert page.evaluate(display, ".nv-print-only") == "block"
        assert page.locator(".nv-print-only").text_content() == (
            "Read this story online: https://stories.hollowmere.example/stories/phone-queue-at-eight/")
        after = page.evaluate("getComputedStyle(document.getElementById('outside-link'), '::after').content")
        assert after == '" (https://example.org/leaflet)"'
        font = page.evaluate("getComputedStyle(document.querySelector('.nv-story__body')).fontFamily")
        assert font.startswith("Georgia, ")
