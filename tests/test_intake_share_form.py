"""The share form in real Chromium, end to end: the built site's share-your-story/ page posting to the running
service, with JavaScript on and off and by keyboard alone; the story reaches its branch in a real git repository,
a photo without its GPS; the messages as you type are the service's; axe finds nothing on the form, the form
again with its errors, or the thank-you (with its help for now)."""

from __future__ import annotations

import io
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from narrative import share_form
from narrative.intake.app import create_app
from tests.asgi import free_port, served_app
from tests.browser import SCHEMES, page_at, serving, tab_to
from tests.conftest import new_project
from tests.intake import commit_with_remote, git, intake_settings
from tests.test_accessibility import violations

pytestmark = pytest.mark.browser

GPS_IFD = 0x8825


@dataclass(frozen=True)
class Running:
    """The built site and the intake service, each on its own port, and the site's git repository."""

    site: str
    service: str
    root: Path

    @property
    def form(self) -> str:
        return self.site + "share-your-story/"


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """The sample's settings and pages in a git repository with a bare remote, its site built to post to a
    service on 127.0.0.1, served beside it."""
    tmp = tmp_path_factory.mktemp("share")
    project = new_project(tmp / "site")
    site_port, service_port = free_port(), free_port()
    text = project.config_file.read_text(encoding="utf-8")
    text = text.replace("site_url: https://stories.hollowmere.example/", f"site_url: http://127.0.0.1:{site_port}/")
    text = text.replace("url: http://127.0.0.1:8001/", f"url: http://127.0.0.1:{service_port}/")
    project.config_file.write_text(text, encoding="utf-8")
    result, built = project.build()
    assert result.returncode == 0, result.stderr
    root = project.root
    commit_with_remote(root, tmp / "remote.git", ignore="site/\n.narrative-intake/\n")
    with serving(built, site_port) as site, served_app(create_app(intake_settings(root)), service_port) as service:
        yield Running(site, service, root)


def delivered(running: Running, reference: str) -> list[str]:
    """The files the submission's branch adds, once the service's worker has made it (waits up to 15 s)."""
    deadline = time.monotonic() + 15
    while not git(running.root, "branch", "--list", f"submissions/{reference}"):
        assert time.monotonic() < deadline, f"no branch for {reference}"
        time.sleep(0.1)
    return git(running.root, "diff", "--name-only", f"submissions/{reference}^", f"submissions/{reference}").split()


def photo_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Hollowmere Phone"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (53.0, 48.0, 2.5), 3: "W", 4: (1.0, 32.0, 47.1)})
    out = io.BytesIO()
    Image.new("RGB", (320, 240), "teal").save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def fill(page: Page, title: str, story: str = "The nurse sat with me until the morning came.") -> None:
    page.fill("#story", story)
    page.fill("#title", title)
    page.fill("#summary", "A nurse who stayed.")
    page.check("#topics-carers")
    page.check("#naming-anonymous")
    page.check("#consent")


def thanked(page: Page) -> str:
    expect(page.locator("h1")).to_have_text("Thank you for sharing your story")
    return page.locator("#nv-reference").inner_text()


def test_without_javascript_a_story_and_its_photo_reach_their_branch(browser: Browser, running: Running) -> None:
    with page_at(browser, running.form, javascript=False) as page:
        fill(page, "The night nurse")
        page.set_input_files("#photo-1", files=[{"name": "bench.jpg", "mimeType": "image/jpeg",
                                                 "buffer": photo_with_gps()}])
        page.fill("#photo-1-alt", "A bench in the hospital garden")
        page.click("button[type=submit]")
        reference = thanked(page)
        assert page.locator(".nv-help-now").count() == 0
    files = delivered(running, reference)
    assert files == ["stories/patient/the-night-nurse.md", "stories/patient/the-night-nurse/photo-1.jpg"]
    photo = subprocess.run(["git", "show", f"submissions/{reference}:{files[1]}"], cwd=running.root,
                           capture_output=True, check=True).stdout
    assert Image.open(io.BytesIO(photo)).size == (320, 240)
    assert dict(Image.open(io.BytesIO(photo)).getexif()) == {} and b"Hollowmere Phone" not in photo


def test_without_javascript_the_service_answers_with_the_form_to_put_right(browser: Browser,
                                                                           running: Running) -> None:
    with page_at(browser, running.form, javascript=False) as page:
        fill(page, "t" * 121)
        page.uncheck("#consent")
        page.click("button[type=submit]")
        expect(page).to_have_title("Error: Share your story - Hollowmere stories (sample)")
        assert page.locator(".nv-error-summary a").all_inner_texts() == [
            share_form.FIELDS["title"].too_long, share_form.FIELDS["consent"].missing]
        expect(page.locator("#nv-error-summary")).to_be_focused()  # autofocus is applied once the page is drawn
        assert page.input_value("#title") == "t" * 121 and page.is_checked("#topics-carers")
        page.click(".nv-error-summary a[href='#title']")
        page.fill("#title", "The night nurse again")
        page.check("#consent")
        page.click("button[type=submit]")
        thanked(page)


def test_with_javascript_the_same_messages_come_as_you_type(browser: Browser, running: Running) -> None:
    with page_at(browser, running.form) as page:
        page.fill("#summary", "A nurse\n\n   who stayed. ")  # counted as the service reads it: one line
        expect(page.locator("#summary-count")).to_have_text("You have 281 characters left")
        page.fill("#content_note", "A death.\n\nA birth.")  # this answer keeps its lines
        expect(page.locator("#content_note-count")).to_have_text("You have 282 characters left")
        page.fill("#summary", "")
        page.fill("#title", "t" * 125)
        expect(page.locator("#title-count")).to_have_text("You have 5 characters too many")
        expect(page.locator("#title-error")).to_have_text("Error: " + share_form.FIELDS["title"].too_long)
        page.fill("#contact_email", "jo@")
        page.locator("#contact_email").blur()
        expect(page.locator("#contact_email-error")).to_have_text("Error: " + share_form.BAD_EMAIL)
        page.click("button[type=submit]")
        expect(page.locator(".nv-error-summary")).to_be_visible()
        expect(page.locator("#nv-error-summary")).to_be_focused()
        assert page.locator(".nv-error-summary a").all_inner_texts() == [
            share_form.FIELDS["story"].missing, share_form.FIELDS["title"].too_long,
            share_form.FIELDS["summary"].missing, share_form.FIELDS["topics"].missing,
            share_form.FIELDS["naming"].missing, share_form.BAD_EMAIL, share_form.FIELDS["consent"].missing]
        assert page.title().startswith("Error: ")
        assert violations(page) == []
        page.click(".nv-error-summary a[href='#story']")
        assert page.evaluate("document.activeElement.id") == "story"
        page.fill("#contact_email", "")
        fill(page, "The nurse who stayed", story="I want to end my life, I said, and she stayed with me.")
        expect(page.locator("#title-error")).to_be_hidden()
        page.click("button[type=submit]")
        reference = thanked(page)
        expect(page.locator(".nv-help-now")).to_contain_text("Samaritans free on 116 123")
        assert violations(page) == []
    assert delivered(running, reference) == ["stories/patient/the-nurse-who-stayed.md"]


def test_with_javascript_a_photo_is_checked_when_chosen(browser: Browser, running: Running) -> None:
    with page_at(browser, running.form) as page:
        page.set_input_files("#photo-2", files=[{"name": "huge.jpg", "mimeType": "image/jpeg",
                                                 "buffer": b"\xff\xd8" + b"\0" * 5_000_001}])
        expect(page.locator("#photo-2-error")).to_have_text("Error: Photo 2 must be 5 MB or smaller")
        page.set_input_files("#photo-2", files=[{"name": "bench.jpg", "mimeType": "image/jpeg",
                                                 "buffer": photo_with_gps()}])
        expect(page.locator("#photo-2-error")).to_be_hidden()
        page.click("button[type=submit]")
        assert share_form.FIELDS["photo-2-alt"].missing in page.locator(".nv-error-summary a").all_inner_texts()
        page.fill("#photo-2-alt", "A bench")
        page.locator("#photo-2-alt").blur()
        expect(page.locator("#photo-2-alt-error")).to_be_hidden()


def test_by_keyboard_alone(browser: Browser, running: Running) -> None:
    with page_at(browser, running.form) as page:
        tab_to(page, "#story", "the story", presses=80)
        page.keyboard.type("Nobody answered the phone at eight, so I walked to the surgery.")
        for selector, text in (("#title", "The phone at eight"), ("#summary", "Nobody answered the phone.")):
            page.keyboard.press("Tab")
            assert page.evaluate("selector => document.activeElement.matches(selector)", selector)
            page.keyboard.type(text)
        tab_to(page, "#topics-primary-care", "a topic")
        page.keyboard.press("Space")
        tab_to(page, "#naming", "the first way to be named")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowDown")  # the third choice: anonymous
        tab_to(page, "#consent", "the consent box", presses=60)
        page.keyboard.press("Space")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.type") == "submit"
        page.keyboard.press("Enter")
        reference = thanked(page)
    assert delivered(running, reference) == ["stories/patient/the-phone-at-eight.md"]


def test_no_wcag_violations_on_the_form_the_service_gives_back(browser: Browser, running: Running) -> None:
    """axe runs only with JavaScript on: the form is sent past the page's own checks, as without it."""
    with page_at(browser, running.form) as page:
        fill(page, "")
        with page.expect_navigation():
            page.evaluate("document.querySelector('[data-nv-share-form]').submit()")
        assert page.locator(".nv-error-summary a").all_inner_texts() == [share_form.FIELDS["title"].missing]
        expect(page.locator("#nv-error-summary")).to_be_focused()  # autofocus is applied once the page is drawn
        assert violations(page) == []


@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_no_wcag_violations_on_the_form(browser: Browser, running: Running, scheme: str) -> None:
    with page_at(browser, running.form, scheme=scheme) as page:
        assert page.locator("form[data-nv-share-form]").count() == 1
        assert violations(page) == []


def test_no_sideways_scrolling_on_a_phone(browser: Browser, running: Running) -> None:
    with page_at(browser, running.form, width=375) as page:
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
