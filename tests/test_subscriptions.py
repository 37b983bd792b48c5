"""The subscription routes served by uvicorn on 127.0.0.1, sending through a real SMTP server: sign up, confirm
from the email, manage, unsubscribe with RFC 8058's one-click POST; links altered or expired are refused; and
the whole way through a browser with JavaScript off, to the digest and after the unsubscribe."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser

from narrative.intake import links
from narrative.intake.app import create_app
from narrative.intake.keys import new_key
from narrative.intake.mailer import MailSettings, SmtpMailer
from narrative.intake.send import main as send
from narrative.intake.send import unsubscribe_url
from narrative.intake.settings import IntakeSettings
from narrative.intake.subscribers import Subscribers
from tests import content
from tests.asgi import free_port, served_app
from tests.browser import page_at, serving
from tests.test_accessibility import violations
from tests.conftest import new_project
from tests.smtp import Sink, smtp  # noqa: F401 - a fixture

DIGEST = {"sender": "Sample stories <stories@example.org>", "reply_to": "team@example.org",
          "unsubscribe_url": "https://stories.example.org/subscribe/"}
ADDRESS = "reader@example.org"


@dataclass
class Service:
    url: str
    settings: IntakeSettings
    store: Subscribers
    sink: Sink
    environ: dict[str, str]

    def post(self, path: str, data: dict[str, str]) -> httpx.Response:
        """A form posted from a page of the site, as the guard wants it."""
        return httpx.post(self.url + path, data=data, headers={"Origin": "https://stories.example.org"})

    def link(self, kind: str, message_number: int = -1) -> str:
        """The `/subscribe/<kind>/<token>` link in an email the sink received."""
        text = self.sink.messages[message_number].get_body(("plain",)).get_content()
        return re.search(rf"https?://\S+/subscribe/{kind}/\S+", text.replace("\r\n", "\n"))[0]  # type: ignore[index]


@contextlib.contextmanager
def service_for(root: Path, sink: Sink, state: Path, port: int | None = None,
                origin: str | None = None) -> Iterator[Service]:
    """The service as `narrative intake` runs it (create_app, under uvicorn), mailing through `sink`; its
    forms may be posted from `origin` too."""
    port = port or free_port()
    environ = {"NARRATIVE_INTAKE_KEY": new_key(), "NARRATIVE_INTAKE_STATE": str(state),
               "NARRATIVE_INTAKE_PUBLIC_URL": f"http://127.0.0.1:{port}/", **sink.environ(),
               **({"NARRATIVE_INTAKE_ORIGINS": origin.rstrip("/")} if origin else {})}
    settings = IntakeSettings.load(root, environ)
    store = Subscribers.open(settings.state_dir, settings.keys, environ)
    app = create_app(settings, mailer=SmtpMailer(MailSettings.from_environment(DIGEST["sender"], environ)))
    with served_app(app, port) as url:
        yield Service(url, settings, store, sink, environ)
    store.close()


@pytest.fixture
def service(tmp_path: Path, smtp: Sink) -> Iterator[Service]:
    root = tmp_path / "site"
    content.write_site(root, digest=DIGEST)
    with service_for(root, smtp, tmp_path / "state") as running:
        yield running


def sign_up(service: Service, address: str = ADDRESS, follow: str = "topic", frequency: str = "daily",
            **extra: str) -> httpx.Response:
    return service.post("subscribe", {"email": address, "follow": follow, "topic": "carers",
                                      "principle": "listen", "frequency": frequency, **extra})


def test_a_sign_up_sends_only_a_confirmation_saying_what_and_how_often(service: Service) -> None:
    answer = sign_up(service)
    assert answer.status_code == 200
    assert "<h1>Check your email</h1>" in answer.text and ADDRESS not in answer.text
    (message,) = service.sink.messages
    assert message["To"] == ADDRESS and message["Subject"] == "Confirm your emails from Sample stories"
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text.startswith("Someone, we hope you, asked Sample ICB to email this address about new stories\n"
                           "and pledge updates on Carers: one email a day, on days something new is\npublished.\n")
    assert "List-Unsubscribe" not in message
    assert service.store.subscription(1).confirmed is False  # type: ignore[union-attr]


def test_the_answer_never_reveals_whether_the_address_was_known(service: Service,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, "narrative.intake")
    first = sign_up(service)
    second = sign_up(service)
    refused = sign_up(service, "gone@example.org")  # the mail server refuses it: the answer is the same
    assert (first.status_code, first.text) == (second.status_code, second.text) == (refused.status_code, refused.text)
    assert [line for line in caplog.messages if line.startswith("subscriptions")] == [
        "subscriptions: a confirmation email was not sent (bounced)"]  # for the operator, without the address


def test_confirming_from_the_email_and_a_second_sign_up_changes_the_frequency(service: Service) -> None:
    sign_up(service)
    confirm = service.link("confirm")
    page = httpx.get(confirm)
    assert page.status_code == 200 and "<h1>Confirm your emails</h1>" in page.text
    assert service.store.subscription(1).confirmed is False  # type: ignore[union-attr]  # a GET changes nothing
    done = httpx.post(confirm)
    assert done.status_code == 200 and "<h1>You are subscribed</h1>" in done.text
    sign_up(service, frequency="weekly")
    httpx.post(service.link("confirm"))
    held = service.store.of(1)
    assert [(s.scope, s.frequency) for s in held] == [("topic:carers", "weekly")]


@pytest.mark.parametrize("spoil", ["expire", "alter", "swap"])
def test_an_expired_or_altered_link_is_refused(service: Service, spoil: str) -> None:
    sign_up(service)
    confirm = service.link("confirm")
    if spoil == "expire":
        sent = dt.datetime.now(dt.UTC) - links.CONFIRM_FOR - dt.timedelta(seconds=1)
        token = links.sign(links.Link("confirm", 1, "daily", sent + links.CONFIRM_FOR), service.settings.keys)
        confirm = confirm.rsplit("/", 1)[0] + "/" + token
    elif spoil == "alter":
        payload, signature = confirm.rsplit(".", 1)
        confirm = f"{payload}.{signature[:-1]}{'0' if signature[-1] != '0' else '1'}"
    else:  # a confirmation link used as an unsubscribe one
        confirm = confirm.replace("/confirm/", "/unsubscribe/")
    refused = httpx.post(confirm, data={"List-Unsubscribe": "One-Click"})
    assert refused.status_code == 400
    assert "<h1>This link does not work</h1>" in refused.text
    assert service.store.subscription(1).confirmed is False  # type: ignore[union-attr]


def test_a_sign_up_with_mistakes_draws_the_form_again_with_each_and_sends_nothing(service: Service) -> None:
    answer = service.post("subscribe", {"email": "not an address", "follow": "topic", "topic": "astrology",
                                        "principle": "listen", "frequency": "hourly"})
    assert answer.status_code == 400
    assert "<title>Error: Sign up for emails - " in answer.text and "<h1>Sign up for emails</h1>" in answer.text
    assert re.findall(r'<li><a href="(#[^"]+)">(.*?)</a></li>', answer.text) == [
        ("#signup-email", "Enter an email address in the right format, like name@example.com"),
        ("#follow-all", "Choose a topic to follow"),
        ("#signup-frequency-instant", "Choose how often you would like emails: instant, daily or weekly")]
    assert re.findall(r'<p class="nv-error-message" id="([^"]+)">', answer.text) == [
        "signup-email-error", "follow-error", "signup-frequency-error"]
    assert re.search(r'<input [^>]*id="signup-email"[^>]*>', answer.text)[0] == (  # type: ignore[index]
        '<input class="nv-input" id="signup-email" name="email" type="email" autocomplete="email" spellcheck="false"\n'
        '           value="not an address"\n'
        '           aria-describedby="signup-email-hint signup-email-error" aria-invalid="true" required>')
    assert 'id="follow-topic" name="follow" type="radio" value="topic" checked>' in answer.text
    assert '<option value="listen" selected>' in answer.text
    assert 'action="subscribe" method="post"' in answer.text  # the site names no service: this one
    assert service.sink.messages == []


def test_a_story_sign_up_with_a_mistake_draws_the_story_form_again(service: Service) -> None:
    answer = service.post("subscribe", {"email": "", "follow": "story", "story": "a-walk",
                                        "frequency": "weekly"})
    assert answer.status_code == 400 and "<h1>Get emails about this story</h1>" in answer.text
    assert re.findall(r'<li><a href="(#[^"]+)">(.*?)</a></li>', answer.text) == [
        ("#follow-email", "Enter an email address in the right format, like name@example.com")]
    assert '<input type="hidden" name="story" value="a-walk">' in answer.text
    assert 'id="follow-frequency-weekly" name="frequency" type="radio" value="weekly" checked>' in answer.text
    assert 'name="topic"' not in answer.text


def test_an_address_with_an_internationalised_domain_is_sent_to_in_its_ascii_form(service: Service) -> None:
    answer = sign_up(service, "ana@Bücher.example")
    assert answer.status_code == 200 and "<h1>Check your email</h1>" in answer.text
    (message,) = service.sink.messages
    assert message["To"] == "ana@xn--bcher-kva.example"


@pytest.mark.parametrize(("address", "message"), [
    ("ána@example.org", "Enter an email address with only the letters A to Z before the @: we cannot send emails "
                        "to addresses with other letters there yet"),
    ("ana@bücher", "Enter an email address in the right format, like name@example.com"),
    ("ana@xn--bcher.example", "Enter an email address in the right format, like name@example.com"),
])
def test_an_address_that_cannot_be_sent_to_is_refused_naming_the_field(service: Service, address: str,
                                                                        message: str) -> None:
    answer = sign_up(service, address)
    assert answer.status_code == 400
    assert re.findall(r'<li><a href="(#[^"]+)">(.*?)</a></li>', answer.text) == [("#signup-email", message)]
    assert service.sink.messages == []


def confirmed(service: Service, **wish: str) -> None:
    sign_up(service, **wish)
    httpx.post(service.link("confirm"))


def test_manage_changes_adds_drops_and_leaves(service: Service) -> None:
    confirmed(service)
    answer = httpx.post(service.link("confirm")).text
    manage = re.search(r'href="([^"]+/subscribe/manage/[^"]+)"', answer)[1]  # type: ignore[index]
    page = httpx.get(manage)
    assert "Emails about new stories and pledge updates on Carers: <strong>daily</strong>" in page.text
    added = httpx.post(manage, data={"action": "add", "follow": "principle:deliver", "frequency": "weekly"})
    assert added.status_code == 303
    httpx.post(manage, data={"action": "change", "subscription": "1", "frequency": "instant"})
    assert [(s.scope, s.frequency) for s in service.store.of(1)] == [("topic:carers", "instant"),
                                                                    ("principle:deliver", "weekly")]
    httpx.post(manage, data={"action": "drop", "subscription": "1"})
    assert [s.scope for s in service.store.of(1)] == ["principle:deliver"]
    left = httpx.post(manage, data={"action": "leave"})
    assert "<h1>You will get no more emails</h1>" in left.text
    assert service.store.address(1) is None


def test_one_click_unsubscribe_answers_a_get_with_one_button_and_a_post_at_once(service: Service) -> None:
    confirmed(service)
    link = unsubscribe_url(service.settings.public_url, links.sign(links.Link("unsubscribe", 1), service.settings.keys))
    page = httpx.get(link)
    assert page.status_code == 200 and page.text.count("<button") == 1
    assert service.store.subscription(1) is not None
    assert httpx.post(link, data={"other": "x"}).status_code == 400
    done = httpx.post(link, content=b"List-Unsubscribe=One-Click",
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert done.status_code == 200 and "<h1>You are unsubscribed</h1>" in done.text
    assert service.store.subscription(1) is None


def test_the_site_offers_the_forms_only_when_it_names_the_service(tmp_path: Path) -> None:
    project = new_project(tmp_path / "project")
    project.story("night-shift", topics=["carers"])
    built, site_dir = project.build()
    assert built.returncode == 0, built.stderr
    subscribe_page = (site_dir / "subscribe" / "index.html").read_text(encoding="utf-8")
    assert 'action="http://127.0.0.1:8001/subscribe"' in subscribe_page
    assert '<option value="carers">Carers</option>' in subscribe_page  # the form the service draws again
    assert 'id="follow-all" name="follow" type="radio" value="all" checked>' in subscribe_page
    assert "aria-invalid" not in subscribe_page and "nv-error-summary" not in subscribe_page
    story_page = (site_dir / "stories" / "night-shift" / "index.html").read_text(encoding="utf-8")
    assert '<h2 id="follow-this-story">Get emails about this story</h2>' in story_page
    assert '<input type="hidden" name="story" value="night-shift">' in story_page
    text = project.config_file.read_text(encoding="utf-8")
    project.config_file.write_text(re.sub(r"\n    intake:\n      url: \S+\n      rate_limit: \d+", "", text),
                                   encoding="utf-8")
    built, site_dir = project.build()
    assert built.returncode == 0, built.stderr
    subscribe_page = (site_dir / "subscribe" / "index.html").read_text(encoding="utf-8")
    assert "email-form" not in subscribe_page
    assert 'To get the digests, write to <a href="mailto:engagement@hollowmere.example">' in subscribe_page
    assert "follow-this-story" not in (site_dir / "stories" / "night-shift" / "index.html").read_text(encoding="utf-8")


@contextlib.contextmanager
def site_at(config_file: Path, url: str) -> Iterator[None]:
    """`site_url` set to where the built site is served while the block runs, so the service's pages get the
    site's stylesheets from it, as they do on a server."""
    text = config_file.read_text(encoding="utf-8")
    config_file.write_text(re.sub(r"(?m)^site_url: .*$", f"site_url: {url}", text), encoding="utf-8")
    try:
        yield
    finally:
        config_file.write_text(text, encoding="utf-8")


@pytest.mark.browser
def test_the_whole_way_with_javascript_off(tmp_path: Path, smtp: Sink, browser: Browser) -> None:
    """Sign up on the built site's subscribe page, confirm from the email, get the day's digest, unsubscribe
    with one click, and get nothing after."""
    project = new_project(tmp_path / "project")
    port = free_port()
    text = project.config_file.read_text(encoding="utf-8")
    project.config_file.write_text(re.sub(r"(\n    intake:\n      url: )\S+", rf"\1http://127.0.0.1:{port}/", text),
                                   encoding="utf-8")
    project.story("night-shift", date="2026-03-14T08:00", topics=["carers"])
    project.story("gp-call", date="2026-03-14T09:00", topics=["primary-care"])
    built, site_dir = project.build()
    assert built.returncode == 0, built.stderr
    with serving(site_dir) as site, site_at(project.config_file, site), \
            service_for(project.root, smtp, tmp_path / "state", port, site) as service:
        with page_at(browser, site + "subscribe/") as page:  # axe-core runs in the page: JavaScript on
            page.fill("#signup-email", "reader@localhost")  # the browser takes it; the service does not
            page.check("#follow-pledge")
            page.click("button[type=submit]")
            assert page.title() == "Error: Sign up for emails - Hollowmere stories (sample)"
            assert page.input_value("#signup-email") == "reader@localhost" and page.is_checked("#follow-pledge")
            assert violations(page) == []
            page.click("#nv-error-summary a")
            assert page.evaluate("document.activeElement.id") == "signup-email"
        with page_at(browser, site + "subscribe/", javascript=False) as page:
            page.fill("#signup-email", ADDRESS)
            page.check("#follow-topic")
            page.select_option("#signup-topic", "carers")
            page.check("#signup-frequency-daily")
            page.click("button[type=submit]")
            assert page.locator("h1").inner_text() == "Check your email"
            page.goto(service.link("confirm"))
            page.click("button[type=submit]")
            assert page.locator("h1").inner_text() == "You are subscribed"
            manage = page.get_attribute("text=Manage your emails", "href")
            page.goto(manage)  # type: ignore[arg-type]
            assert page.locator("h1").inner_text() == "Manage your emails"
            page.select_option("#frequency-1", "weekly")
            page.click("text=Change how often")
            assert "Emails about new stories and pledge updates on Carers: weekly" in page.inner_text("main")
            page.select_option("#frequency-1", "daily")
            page.click("text=Change how often")
        checked = browser.new_page()  # axe-core runs in the page, so this one has JavaScript
        checked.goto(manage)  # type: ignore[arg-type]
        assert violations(checked) == []
        checked.close()
        with page_at(browser, site + "stories/night-shift/", javascript=False) as page:
            page.fill("#follow-email", "follower@example.org")
            page.click("#follow-email-form button[type=submit]")
            assert page.locator("h1").inner_text() == "Check your email"
            page.goto(service.link("confirm"))
            page.click("button[type=submit]")
        assert [(s.scope, s.frequency) for s in service.store.of(2)] == [("story:night-shift", "instant")]
        args = argparse.Namespace(config_file=str(project.config_file), period="daily", date=dt.date(2026, 3, 14))
        assert send(args, service.environ) == 0
        digest = smtp.messages[-1]
        assert digest["Subject"].endswith("New on 14 March 2026: 1 story")
        assert "Night shift" in digest.get_body(("plain",)).get_content()
        one_click = digest["List-Unsubscribe"][1:-1]
        assert httpx.post(one_click, data={"List-Unsubscribe": "One-Click"}).status_code == 200
        project.story("night-shift-two", date="2026-03-15T08:00", topics=["carers"])
        count = len(smtp.messages)
        assert send(argparse.Namespace(config_file=str(project.config_file), period="daily",
                                       date=dt.date(2026, 3, 15)), service.environ) == 0
        assert len(smtp.messages) == count

