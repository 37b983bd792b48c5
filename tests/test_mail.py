"""Digest emails: the `.eml` read back by Python's `email` package, the HTML as mail clients and Chromium see it,
and the plain text as a terminal mail reader shows it."""

from __future__ import annotations

import datetime as dt
import email
import re
import zoneinfo
from email import policy
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html
import pytest
from playwright.sync_api import Browser, Request

from narrative import mail
from narrative.config import Settings, from_mapping
from narrative.digests import Digest, Period, archive, for_date
from narrative.mail import EMAIL_ITEMS, MailError, Recipient, check_eml, compose, draw, settings_problems
from narrative.model import Consent, PledgeUpdate, Progress, Recording, Source, Story
from narrative.problems import Problem
from narrative.site import Site
from tests import content

LONDON = zoneinfo.ZoneInfo("Europe/London")
DIGEST = {"sender": "Sample stories (test) <stories@example.org>", "reply_to": "team@example.org",
          "unsubscribe_url": "https://example.org/unsubscribe?list=digest&id=1", "subject_prefix": "[Sample]"}
URL = re.compile(r"^https://\S+$")


def settings_with(**digest: object) -> Settings:
    settings, problems = from_mapping(content.config(digest={**DIGEST, **digest}))
    assert settings is not None, problems
    return settings


def story(slug: str, when: dt.datetime, title: str | None = None, **fields: object) -> Story:
    return Story(slug, title or slug.replace("-", " ").capitalize(), when, f"What happened at {slug}.",
                 ("carers", "mental-health"), Consent(True), "Words.", Source(f"stories/patient/{slug}.md"),
                 **fields)  # type: ignore[arg-type]


def update(slug: str, when: dt.datetime) -> PledgeUpdate:
    return PledgeUpdate(slug, slug.replace("-", " ").capitalize(), when, "We changed the rota.", "deliver",
                        Progress.IN_PROGRESS, "Words.", Source(f"stories/pledge/{slug}.md"))


def daily(*items: Story | PledgeUpdate, settings: Settings | None = None) -> tuple[Digest, Site]:
    site = Site.from_items(items, settings or settings_with())
    [digest] = for_date(site, Period.DAILY, items[0].published.astimezone(LONDON).date())
    return digest, site


def message(data: bytes) -> EmailMessage:
    parsed = email.message_from_bytes(data, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_the_eml_is_a_multipart_alternative_message_with_every_header() -> None:
    digest, site = daily(story("ward-seven", dt.datetime(2026, 3, 14, 9, 30, tzinfo=LONDON), author="Maureen"),
                         update("quiet-nights", dt.datetime(2026, 3, 14, 16, 0, tzinfo=LONDON)))
    mail = compose(digest, site)
    parsed = message(mail.eml)
    assert parsed.defects == []
    assert parsed["Subject"] == "[Sample] New on 14 March 2026: 1 story and 1 pledge update"
    assert [(a.display_name, a.addr_spec) for a in parsed["From"].addresses] == [
        ("Sample stories (test)", "stories@example.org")]
    assert [a.addr_spec for a in parsed["Reply-To"].addresses] == ["team@example.org"]
    assert parsed["Date"].datetime == dt.datetime(2026, 3, 14, 16, 0, tzinfo=dt.timezone.utc)
    assert re.fullmatch(r"<digest\.daily\.2026-03-14\.[0-9a-f]{16}@stories\.example\.org>", parsed["Message-ID"])
    assert parsed["List-Unsubscribe"] == "<https://example.org/unsubscribe?list=digest&id=1>"
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed["MIME-Version"] == "1.0"
    assert parsed.get_content_type() == "multipart/alternative"
    plain, html = parsed.iter_parts()
    assert (plain.get_content_type(), plain.get_content_charset()) == ("text/plain", "utf-8")
    assert (html.get_content_type(), html.get_content_charset()) == ("text/html", "utf-8")
    assert plain.get_content().replace("\r\n", "\n") == mail.text  # on the wire every line ends in CRLF
    assert html.get_content().replace("\r\n", "\n") == mail.html
    assert plain.defects == [] and html.defects == []
    assert mail.files() == {"email.html": mail.html.encode(), "email.txt": mail.text.encode(), "email.eml": mail.eml}


def test_the_eml_has_crlf_lines_no_longer_than_78() -> None:
    long_title = "A very long title that goes on and on about the night the ward was short of staff again"
    digest, site = daily(story("ward-seven", dt.datetime(2026, 3, 14, 9, tzinfo=LONDON), title=long_title))
    data = compose(digest, site).eml
    lines = data.split(b"\r\n")
    assert b"\n" not in b"".join(lines)
    assert max(len(line) for line in lines) <= 78


def test_a_title_with_line_breaks_cannot_add_a_header() -> None:
    hostile = "Thanks\r\nBcc: everyone@example.org\nX-Injected: yes\r\n\r\n<b>body</b>"
    site = Site.from_items([story("hostile", dt.datetime(2026, 3, 14, 9, tzinfo=LONDON), title=hostile)],
                           settings_with())
    [digest] = for_date(site, Period.INSTANT, dt.date(2026, 3, 14))
    data = compose(digest, site).eml
    parsed = message(data)
    assert parsed["Subject"] == "[Sample] New story: Thanks Bcc: everyone@example.org X-Injected: yes <b>body</b>"
    assert parsed["Bcc"] is None and parsed["X-Injected"] is None
    headers = data.split(b"\r\n\r\n", 1)[0]
    assert not re.search(rb"^(Bcc|X-Injected):", headers, re.MULTILINE)


ENCODED_BCC = "=?utf-8?b?DQpCY2M6IHZpY3RpbUBldmlsLmV4YW1wbGU=?="
"""An RFC 2047 encoded word that decodes to a line break and `Bcc: victim@evil.example` (CVE-2024-6923)."""
SHOWN_BCC = ENCODED_BCC.replace("=?", "=\u2060?")
"""The same as a header shows it: each `=?` broken by a word joiner."""


@pytest.mark.parametrize("title", [ENCODED_BCC, f"Ward 7 {ENCODED_BCC} at night", "x" * 70 + ENCODED_BCC])
def test_an_encoded_word_in_a_title_cannot_add_a_header(title: str) -> None:
    site = Site.from_items([story("hostile", dt.datetime(2026, 3, 14, 9, tzinfo=LONDON), title=title)],
                           settings_with())
    [digest] = for_date(site, Period.INSTANT, dt.date(2026, 3, 14))
    data = compose(digest, site).eml
    parsed = message(data)
    assert parsed.keys() == ["Subject", "From", "Reply-To", "Date", "Message-ID", "List-Unsubscribe",
                             "List-Unsubscribe-Post", "MIME-Version", "Content-Type"]
    assert parsed["Subject"] == "[Sample] New story: " + title.replace(ENCODED_BCC, SHOWN_BCC)
    assert b"victim" not in data.split(b"\r\n\r\n", 1)[0]


@pytest.mark.parametrize(("title", "sender"), [
    ("Łódź: a night at the station", "Historie Łódź <stories@example.org>"),
    (ENCODED_BCC, f"Stories {ENCODED_BCC} <stories@example.org>"),
])
def test_every_header_is_written_encoded_by_narrative_not_left_to_the_library(
        title: str, sender: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever the email package would do (here a policy that writes UTF-8 headers raw), the headers leave as
    plain ASCII lines: words outside ASCII (and so every broken `=?`) as UTF-8 encoded words made here."""
    monkeypatch.setattr(mail, "_POLICY", policy.SMTPUTF8.clone(refold_source="none"))
    site = Site.from_items([story("hostile", dt.datetime(2026, 3, 14, 9, tzinfo=LONDON), title=title)],
                           settings_with(sender=sender))
    [digest] = for_date(site, Period.INSTANT, dt.date(2026, 3, 14))
    headers = compose(digest, site).eml.split(b"\r\n\r\n", 1)[0]
    assert headers.isascii()
    subject = re.search(rb"^Subject: (.*(?:\r\n .*)*)", headers, re.MULTILINE).group(1)  # type: ignore[union-attr]
    sent_from = re.search(rb"^From: (.*)", headers, re.MULTILINE).group(1)  # type: ignore[union-attr]
    assert subject.startswith(b"=?utf-8?") and sent_from.startswith(b"=?utf-8?")
    assert b"victim" not in headers and b"\xc5" not in headers


def test_an_encoded_word_in_the_senders_name_is_shown_as_written() -> None:
    digest, site = daily(story("ward-seven", dt.datetime(2026, 3, 14, 9, tzinfo=LONDON)),
                         settings=settings_with(sender=f"Stories {ENCODED_BCC} <stories@example.org>"))
    parsed = message(compose(digest, site).eml)
    assert parsed["Bcc"] is None
    assert parsed["From"].addresses[0].display_name.startswith("Stories =\u2060?utf-8?b?DQpC")


def test_an_unsubscribe_link_that_is_not_plain_ascii_is_a_settings_problem() -> None:
    settings = settings_with(unsubscribe_url="https://example.org/désabonner")
    assert [str(problem) for problem in settings_problems(settings)] == [
        "mkdocs.yml: extra.narrative.digest.unsubscribe_url: must be plain ASCII, as it goes into an email's "
        "header: write other letters percent-encoded, like %C3%A9 for é"]
    digest, site = daily(story("ward-seven", dt.datetime(2026, 3, 14, 9, tzinfo=LONDON)), settings=settings)
    with pytest.raises(MailError, match=r"unsubscribe_url: must be plain ASCII"):
        compose(digest, site)


def test_the_check_of_a_written_email_refuses_an_added_header_or_a_line_break_in_a_value() -> None:
    digest, site = daily(story("ward-seven", dt.datetime(2026, 3, 14, 9, tzinfo=LONDON)))
    good = compose(digest, site).eml
    subject = "[Sample] New on 14 March 2026: 1 story"
    check_eml(good, subject)
    added = good.replace(b"\r\nFrom:", b"\r\nBcc: victim@evil.example\r\nFrom:", 1)
    with pytest.raises(MailError, match=r"^the email for '\[Sample\] New on 14 March 2026: 1 story' is not safe to "
                                        r"send: has the headers Subject, Bcc, From, "):
        check_eml(added, subject)
    folded = good.replace(b"Subject: [Sample]", b"Subject: " + ENCODED_BCC.encode() + b" [Sample]", 1)
    with pytest.raises(MailError, match=r"the Subject header holds a line break; the subject does not read back"):
        check_eml(folded, subject)
    in_a_parameter = good.replace(b'Content-Type: text/plain; charset="utf-8"',
                                  b"Content-Type: text/plain; charset=\"utf-8\"; name*=utf-8''a%0D%0ABcc%3A%20x", 1)
    assert in_a_parameter != good
    with pytest.raises(MailError, match=r"not safe to send: the Content-Type header holds a line break$"):
        check_eml(in_a_parameter, subject)
    in_a_part = good.replace(b"\r\nContent-Type: text/plain", b"\r\nBcc: victim@evil.example\r\nContent-Type: "
                                                               b"text/plain", 1)
    assert in_a_part != good
    with pytest.raises(MailError, match=r"not safe to send: a part has the headers Bcc, Content-Type, "
                                        r"Content-Transfer-Encoding$"):
        check_eml(in_a_part, subject)


def test_a_reader_s_own_email_keeps_a_long_unsubscribe_link_on_one_line_and_reads_back_with_its_to() -> None:
    digest, site = daily(story("ward-seven", dt.datetime(2026, 3, 14, 9, tzinfo=LONDON)))
    unsubscribe = "https://share.example.org/subscribe/unsubscribe/" + "A" * 150
    parts = draw(digest, site, Recipient("you asked.", "https://share.example.org/subscribe/manage/M", unsubscribe))
    eml = mail.message(digest, site.settings, parts, unsubscribe, to="reader@example.org", personal="s000000000001")
    assert f"\r\nList-Unsubscribe: <{unsubscribe}>\r\n".encode() in eml
    check_eml(eml, parts[0], addressed=True)
    with pytest.raises(MailError, match=r"not safe to send: has the headers Subject, From, To, Reply-To, "):
        check_eml(eml, parts[0])


def test_a_message_is_written_as_with_the_standard_library_s_own_header_classes(
        monkeypatch: pytest.MonkeyPatch) -> None:
    digest, site = daily(story("ward-seven", dt.datetime(2026, 3, 14, 9, tzinfo=LONDON), title="Café — “quoted”"))
    ours = compose(digest, site).eml
    assert mail._POLICY.header_factory["Subject"] is mail._POLICY.header_factory["Subject"]
    monkeypatch.setattr(mail, "_POLICY", policy.SMTP.clone(refold_source="none"))
    assert compose(digest, site).eml == ours


@pytest.mark.parametrize("title", ["میری کہانی: ہسپتال میں ایک رات", "আমার গল্প 🏥", "Café crème — “quoted”"])
def test_non_ascii_subjects_are_encoded_and_read_back(title: str) -> None:
    site = Site.from_items([story("words", dt.datetime(2026, 3, 14, 9, tzinfo=LONDON), title=title)],
                           settings_with(subject_prefix="[Sägë]"))
    [digest] = for_date(site, Period.INSTANT, dt.date(2026, 3, 14))
    data = compose(digest, site).eml
    headers = data.split(b"\r\n\r\n", 1)[0]
    assert headers.isascii()
    assert b"=?utf-8?" in headers
    assert message(data)["Subject"] == f"[Sägë] New story: {title}"


def test_missing_and_wrong_digest_settings_are_named() -> None:
    settings, problems = from_mapping(content.config(digest={"reply_to": "not an address"}))
    assert settings is not None, problems
    assert settings_problems(settings) == [
        Problem("mkdocs.yml", None, "extra.narrative.digest.sender",
                "missing: email digests need it, e.g. sender: Our stories <stories@example.org>", "missing"),
        Problem("mkdocs.yml", None, "extra.narrative.digest.reply_to",
                "'not an address' is not an email address: write it like engagement@example.org", "bad-setting"),
        Problem("mkdocs.yml", None, "extra.narrative.digest.unsubscribe_url", "missing: every digest must offer "
                "one-click unsubscribe, e.g. unsubscribe_url: https://example.org/unsubscribe", "missing"),
    ]
    digest, site = daily(story("ward-seven", dt.datetime(2026, 3, 14, 9, tzinfo=LONDON)), settings=settings)
    with pytest.raises(MailError) as error:
        compose(digest, site)
    assert str(error.value).splitlines()[0] == ("mkdocs.yml: extra.narrative.digest.sender: missing: email digests "
                                                "need it, e.g. sender: Our stories <stories@example.org>")
    assert settings_problems(settings_with()) == []


def test_the_html_is_a_600px_table_with_every_style_inline_and_no_script() -> None:
    recording = Recording("audio/ward.mp3", "audio/mpeg", 1234)
    digest, site = daily(
        story("ward-seven", dt.datetime(2026, 3, 14, 9, tzinfo=LONDON), title="<script>alert(1)</script> & co",
              content_note="Mentions a death.", audio=recording, author="Maureen", role="carer"),
        update("quiet-nights", dt.datetime(2026, 3, 14, 8, tzinfo=LONDON)))
    html = compose(digest, site).html
    tree = lxml.html.fromstring(html)
    assert tree.cssselect("script, style, link, img, iframe, object") == []
    assert "alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html
    assert [table.get("width") for table in tree.cssselect("table[role=presentation]")] == ["100%", "600"]
    assert all(element.get("style") for element in tree.cssselect("[class]"))
    assert "font-size: 26px" in tree.cssselect("h1")[0].get("style")
    preheader = tree.cssselect("div.preheader")[0]
    assert "display: none" in preheader.get("style")
    assert preheader.text_content() == "<script>alert(1)</script> & co; Quiet nights"
    hrefs = [a.get("href") for a in tree.cssselect("a")]
    assert hrefs == [
        "https://stories.example.org/",
        "https://stories.example.org/stories/ward-seven/", "https://stories.example.org/stories/ward-seven/",
        "https://stories.example.org/media/audio/ward.mp3",
        "https://stories.example.org/pledge/updates/quiet-nights/",
        "https://stories.example.org/pledge/updates/quiet-nights/",
        "https://stories.example.org/digests/daily/2026-03-14/", "https://stories.example.org/subscribe/#email",
        "https://example.org/unsubscribe?list=digest&id=1"]
    texts = [" ".join(p.text_content().split()) for p in tree.cssselect("td.item p")]
    assert texts == [
        "Story", "14 March 2026 · Maureen, carer · Carers, Mental health", "Content note: Mentions a death.",
        "What happened at ward-seven.", "Read the story · Listen to the recording",
        "Pledge update", "14 March 2026 · Deliver · In progress", "We changed the rota.", "Read the update"]
    assert [h2.get("dir") for h2 in tree.cssselect("h2")] == ["auto", "auto"]


def test_the_html_says_it_is_drawn_for_a_light_background() -> None:
    """A mail program in dark mode is told the email is light only, rather than left to invert half of it."""
    tree = lxml.html.fromstring(compose(*daily(story("ward-seven", dt.datetime(2026, 3, 14, 9, tzinfo=LONDON))))
                                .html)
    schemes = {meta.get("name"): meta.get("content") for meta in tree.cssselect("meta[name$=color-schemes], "
                                                                                 "meta[name=color-scheme]")}
    assert schemes == {"color-scheme": "light", "supported-color-schemes": "light"}
    assert tree.get("style") == "color-scheme: light;supported-color-schemes: light;"


def test_the_text_is_wrapped_at_78_with_every_link_written_out() -> None:
    long_summary = ("A summary long enough to need wrapping, because the person who shared it had a great deal "
                    "to say about the ward, the nights and the staff who listened.")
    items = [story(f"story-number-{n}-with-a-rather-long-slug-to-make-the-address-long", dt.datetime(
        2026, 3, 14, 9, n, tzinfo=LONDON)) for n in range(3)]
    items = [Story(**{**vars(item), "summary": long_summary}) for item in items]
    digest, site = daily(*items)
    text = compose(digest, site).text
    lines = text.splitlines()
    assert all(len(line) <= 78 or URL.match(line) for line in lines)
    assert any(len(line) > 78 for line in lines), "a long link is kept whole"
    for item in items:
        assert f"https://stories.example.org/stories/{item.slug}/" in lines
    assert "Unsubscribe: https://example.org/unsubscribe?list=digest&id=1" in lines
    assert "https://stories.example.org/digests/daily/2026-03-14/" in text
    assert lines[:4] == ["Sample stories", "", "New on 14 March 2026", "===================="]


def test_a_long_digest_shows_thirty_items_and_links_the_rest() -> None:
    items = [story(f"s{n:02d}", dt.datetime(2026, 3, 14, 9, n, tzinfo=LONDON), title="T" * 119 + f"{n % 10}",
                   content_note="N" * 300) for n in range(35)]
    items = [Story(**{**vars(item), "summary": "S" * 300}) for item in items]
    digest, site = daily(*items)
    mail = compose(digest, site)
    tree = lxml.html.fromstring(mail.html)
    assert len(tree.cssselect("h2")) == EMAIL_ITEMS == 30
    more = tree.cssselect("p.more a")[-1]
    assert (more.text_content(), more.get("href")) == ("And 5 more items on the website",
                                                       "https://stories.example.org/digests/daily/2026-03-14/")
    assert "And 5 more items on the website:" in mail.text
    assert len(mail.html.encode("utf-8")) < 102 * 1024, "Gmail shows the whole email"


def test_an_email_is_the_same_every_build_and_changes_with_its_items() -> None:
    first = story("ward-seven", dt.datetime(2026, 3, 14, 9, tzinfo=LONDON))
    digest, site = daily(first)
    assert compose(digest, site).eml == compose(digest, site).eml
    edited = Story(**{**vars(first), "updated": dt.datetime(2026, 3, 15, tzinfo=LONDON)})
    again, site_again = daily(edited)
    assert message(compose(again, site_again).eml)["Message-ID"] != message(compose(digest, site).eml)["Message-ID"]


def test_every_digest_of_the_archive_composes(tmp_path: Path) -> None:
    site = Site.from_items([story(f"s{n}", dt.datetime(2026, 3, 1 + n, tzinfo=LONDON)) for n in range(10)]
                           + [update("u", dt.datetime(2026, 3, 4, tzinfo=LONDON))], settings_with())
    for digest in archive(site):
        parsed = message(compose(digest, site).eml)
        assert parsed.defects == [] and parsed.get_content_type() == "multipart/alternative"


@pytest.mark.browser
def test_the_html_email_renders_its_items_in_chromium_with_no_other_host(browser: Browser, served: str,  # noqa: F811
                                                                          sample_site: Path) -> None:
    emails = sorted(sample_site.glob("digests/weekly/*/email.html"))
    assert emails, "the sample site has weekly digests"
    path = emails[0]
    url = served + path.relative_to(sample_site).as_posix()
    tree = lxml.html.fromstring(path.read_bytes())
    titles = [" ".join(h2.text_content().split()) for h2 in tree.cssselect("h2")]
    assert titles
    context = browser.new_context(java_script_enabled=False)
    requests: list[str] = []

    def record(request: Request) -> None:
        requests.append(request.url)

    try:
        page = context.new_page()
        page.on("request", record)
        response = page.goto(url)
        assert response is not None and response.ok
        page.wait_for_load_state("load")
        shown = [" ".join(text.split()) for text in page.locator("h2").all_inner_texts()]
        assert shown == titles
        for heading in page.locator("h2").all():
            assert heading.is_visible()
        assert page.locator("div.preheader").is_hidden()
        assert page.locator("table.frame").bounding_box()["width"] == 600  # type: ignore[index]
    finally:
        context.close()
    assert requests == [url]
    assert {urlsplit(request).netloc for request in requests} == {urlsplit(served).netloc}


def test_an_item_in_another_language_is_marked_in_the_html_email() -> None:
    digest, site = daily(story("po-polsku", dt.datetime(2026, 3, 14, 9, tzinfo=LONDON), title="Ulotka po polsku",
                               lang="pl"),
                         story("in-english", dt.datetime(2026, 3, 14, 8, tzinfo=LONDON)))
    tree = lxml.html.fromstring(compose(digest, site).html)
    assert [(heading.text_content(), heading.get("lang")) for heading in tree.cssselect("h2")] == [
        ("Ulotka po polsku", "pl"), ("In english", None)]
    assert [summary.get("lang") for summary in tree.cssselect("p.summary")] == ["pl", None]
