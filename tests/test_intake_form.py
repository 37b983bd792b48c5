"""The share form's reader: every rule of every answer, all problems at once in the form's order, the honeypot;
and the answer pages drawn from it: everything typed kept and escaped, the thank-you and its help for now."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from lxml import html
from PIL import Image
from starlette.datastructures import FormData, UploadFile

from narrative import share_form
from narrative.config import Settings
from narrative.intake import answer_pages
from narrative.intake.form import FormInput, Spam, read, typed
from tests.conftest import Project
from tests.content import settings_for

GOOD = {"story": "The nurse sat with me\r\nuntil the morning.", "title": "  The night   nurse ", "summary": "A kind nurse.",
        "topics": ["carers", "mental-health"], "naming": "anonymous", "consent": "yes", "consent_version": "2026-12",
        "website": ""}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return settings_for(tmp_path_factory.mktemp("site"), intake={"url": "https://share.example.org/"})


def picture(kind: str = "PNG", size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "teal").save(out, kind)
    return out.getvalue()


def upload(data: bytes, name: str = "garden.png") -> UploadFile:
    return UploadFile(io.BytesIO(data), filename=name)


def sent(**answers: Any) -> FormData:
    """The form as Starlette reads it: GOOD with any answer replaced (None leaves it out, a list repeats it)."""
    items: list[tuple[str, Any]] = []
    for name, value in {**GOOD, **answers}.items():
        if value is not None:
            items += [(name, one) for one in value] if isinstance(value, list) else [(name, value)]
    return FormData(items)


def errors(site: Settings, **answers: Any) -> list[tuple[str, str]]:
    result = read(sent(**answers), site)
    assert isinstance(result, list), result
    return [(error.field, error.message) for error in result]


def test_good_answers_tidied(site: Settings) -> None:
    result = read(sent(), site)
    assert result == FormInput(title="The night nurse", summary="A kind nurse.",
                               story="The nurse sat with me\nuntil the morning.", topics=("carers", "mental-health"),
                               naming="anonymous", name=None, role=None, location=None, service=None,
                               content_note=None, photos=(), consent_version="2026-12", contact_email=None,
                               notify_email=None)


def test_every_optional_answer(site: Settings) -> None:
    result = read(sent(naming="initials", name=" J.M. ", role="carer", location="Eastbrook", service="NHS 111",
                       content_note="Talks about a death.", contact_email="Jo@Example.org",
                       notify_email="jo.news@example.org", **{"photo-1": upload(picture()),
                                                              "photo-1-alt": "A garden bench"}), site)
    assert isinstance(result, FormInput)
    assert (result.naming, result.name, result.role, result.location, result.service, result.content_note) == (
        "initials", "J.M.", "carer", "Eastbrook", "NHS 111", "Talks about a death.")
    assert (result.contact_email, result.notify_email) == ("Jo@example.org", "jo.news@example.org")
    assert [(photo.extension, photo.alt) for photo in result.photos] == [("png", "A garden bench")]
    assert Image.open(io.BytesIO(result.photos[0].data)).size == (40, 30)


def test_everything_missing_is_said_at_once_in_the_form_order(site: Settings) -> None:
    assert errors(site, story=" ", title="", summary=None, topics=None, naming=None, consent=None) == [
        ("story", "Write your story"),
        ("title", "Give your story a title"),
        ("summary", "Sum up your story in a sentence or two"),
        ("topics", "Choose at least one topic"),
        ("naming", "Choose how you want to be named"),
        ("consent", "Tick the box to say you agree, or use another way to share your story"),
    ]


def test_lengths_are_the_content_models(site: Settings) -> None:
    assert errors(site, title="t" * 121, summary="s" * 301, story="w" * 30_001, role="r" * 61,
                  location="l" * 121, service="s" * 121, content_note="c" * 301) == [
        ("story", "Your story must be 30,000 characters or fewer"),
        ("title", "The title must be 120 characters or fewer"),
        ("summary", "The summary must be 300 characters or fewer"),
        ("role", "Who you are must be 60 characters or fewer"),
        ("location", "Where it happened must be 120 characters or fewer"),
        ("service", "The service must be 120 characters or fewer"),
        ("content_note", "The warning must be 300 characters or fewer"),
    ]
    assert isinstance(read(sent(title="t" * 120, summary="s" * 300), site), FormInput)


def test_a_line_break_counts_once_as_the_page_counts_it(site: Settings) -> None:
    assert isinstance(read(sent(content_note="a\r\n" * 99 + "end"), site), FormInput)  # 300 characters with \n


@pytest.mark.parametrize(("answers", "expected"), [
    ({"topics": ["carers", "knitting"]}, [("topics", "Choose topics from the list")]),
    ({"naming": "nickname"}, [("naming", "Choose how you want to be named")]),
    ({"naming": "name"}, [("name", "Write the name or initials to show, or choose anonymous")]),
    ({"naming": "initials", "name": "J.M.K.L."}, [("name", "Initials must be 6 characters or fewer, like J.M.")]),
    ({"naming": "name", "name": "n" * 81}, [("name", "Your name must be 80 characters or fewer")]),
    ({"contact_email": "jo@"}, [("contact_email", share_form.BAD_EMAIL)]),
    ({"notify_email": "jo at example.org"}, [("notify_email", share_form.BAD_EMAIL)]),
    ({"consent": "no"}, [("consent", share_form.FIELDS["consent"].missing)]),
    ({"consent_version": None}, [("consent", share_form.FIELDS["consent"].missing)]),
])
def test_each_rule(site: Settings, answers: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    assert errors(site, **answers) == expected


def test_anonymous_drops_a_name_typed_before_choosing(site: Settings) -> None:
    result = read(sent(naming="anonymous", name="Jo Bloggs"), site)
    assert isinstance(result, FormInput) and result.name is None


def test_invisible_control_characters_are_left_out(site: Settings) -> None:
    result = read(sent(title="The\x00 night\x1b nurse", story="Line one\n\tLine two\x07"), site)
    assert isinstance(result, FormInput)
    assert (result.title, result.story) == ("The night nurse", "Line one\n\tLine two")


def test_photos_each_need_a_description_and_must_be_pictures(site: Settings) -> None:
    assert errors(site, **{"photo-1": upload(picture()), "photo-2": upload(b"%PDF-1.7 not a picture", "scan.jpg"),
                           "photo-2-alt": "A letter", "photo-3": upload(b"", "")}) == [
        ("photo-1-alt", "Describe photo 1 for someone who cannot see it"),
        ("photo-2", "Photo 2 must be a JPEG, PNG or WebP picture"),
    ]


def test_a_description_without_a_photo_is_no_photo(site: Settings) -> None:
    result = read(sent(**{"photo-3-alt": "A view"}), site)
    assert isinstance(result, FormInput) and result.photos == ()


def test_at_most_three_photos(site: Settings) -> None:
    four = [upload(picture()) for _ in range(2)]
    assert errors(site, **{"photo-1": four, "photo-2": four, "photo-1-alt": "One", "photo-2-alt": "Two"}) == [
        ("photo-1", "You can add up to 3 photos")]


def test_a_filled_honeypot_is_spam_whatever_else(site: Settings) -> None:
    assert read(sent(website="http://cheap.example"), site) == Spam()
    assert read(sent(website="x", title=""), site) == Spam()


def test_an_empty_honeypot_as_every_browser_sends_it_is_not_spam(site: Settings) -> None:
    assert isinstance(read(sent(website=""), site), FormInput)
    assert isinstance(read(sent(website=" "), site), FormInput)


def test_typed_keeps_what_was_typed_but_files_and_the_honeypot(site: Settings) -> None:
    values = typed(sent(title=" Mine ", website="x", **{"photo-1": upload(picture())}))
    assert values["title"] == " Mine " and values["topics"] == ["carers", "mental-health"]
    assert values["story"] == "The nurse sat with me\nuntil the morning."
    assert "website" not in values and "photo-1" not in values


def page(text: str) -> Any:
    return html.fromstring(text)


def test_the_form_again_keeps_everything_typed_escaped(site: Settings) -> None:
    hostile = '"><script>alert(1)</script>'
    data = sent(title=hostile, story="", role=hostile, naming="name", name="Jo", topics=["carers"],
                **{"photo-1": upload(picture())})
    found = read(data, site)
    assert isinstance(found, list)
    text = answer_pages.form_page(data, found, site)
    assert "<script>alert" not in text
    doc = page(text)
    assert doc.cssselect("title")[0].text == "Error: Share your story - Sample stories"
    assert [(link.get("href"), link.text_content()) for link in doc.cssselect(".nv-error-summary a")] == [
        ("#story", "Write your story"), ("#photo-1-alt", "Describe photo 1 for someone who cannot see it")]
    assert doc.cssselect("#story-error")[0].text_content().strip() == "Error: Write your story"
    assert doc.cssselect("#story")[0].get("aria-invalid") == "true"
    assert doc.cssselect("#title")[0].get("value") == hostile and doc.cssselect("#role")[0].get("value") == hostile
    assert [box.get("value") for box in doc.cssselect("input[name=topics][checked]")] == ["carers"]
    assert [box.get("value") for box in doc.cssselect("input[name=naming][checked]")] == ["name"]
    assert doc.cssselect("#consent")[0].get("checked") is not None
    assert "please choose them again" in doc.cssselect(".nv-error-summary")[0].text_content()
    assert doc.cssselect("form")[0].get("action") == "https://share.example.org/share"
    assert doc.cssselect("input[name=consent_version]")[0].get("value") == share_form.CONSENT_VERSION


def test_no_third_party_is_asked_for_anything(site: Settings) -> None:
    data = sent(title="")
    found = read(data, site)
    assert isinstance(found, list)
    for text in (answer_pages.form_page(data, found, site), answer_pages.thank_you("HM-7K3Q-2F9D", urgent=True,
                                                                                    site=site)):
        doc = page(text)
        fetched = [*(e.get("href") for e in doc.cssselect("link")), *(e.get("src") for e in doc.cssselect("[src]"))]
        assert fetched and all(url.startswith("https://stories.example.org/assets/") for url in fetched)
        assert not doc.cssselect("style, [style], script:not([src])")


@pytest.mark.parametrize("urgent", [True, False])
def test_thank_you(site: Settings, urgent: bool) -> None:
    doc = page(answer_pages.thank_you("HM-7K3Q-2F9D", urgent=urgent, site=site))
    assert doc.cssselect("h1")[0].text == "Thank you for sharing your story"
    assert doc.cssselect(".nv-reference")[0].text == "HM-7K3Q-2F9D"
    assert "https://stories.example.org/your-story/" in [link.get("href") for link in doc.cssselect("a")]
    help_now = doc.cssselect(".nv-help-now")
    assert bool(help_now) is urgent
    if urgent:
        assert [link.get("href") for link in help_now[0].cssselect("a")] == ["tel:999", "tel:111", "tel:116123"]
        assert "Samaritans free on 116 123" in help_now[0].text_content()


def test_a_refusal_escapes_and_leads_back(site: Settings) -> None:
    doc = page(answer_pages.refusal("Too <b>big</b>", "Try again.", site))
    assert doc.cssselect("h1")[0].text == "Too <b>big</b>"
    assert doc.cssselect("main a")[0].get("href") == "https://stories.example.org/share-your-story/"


def test_the_form_on_the_site_and_the_service_agree(tmp_path: Path) -> None:
    """Every answer the service reads has its field on the form, named as the service reads it."""
    site = settings_for(tmp_path, intake={"url": "https://share.example.org/"})
    data = sent(title="")
    found = read(data, site)
    assert isinstance(found, list)
    doc = page(answer_pages.form_page(data, found, site))
    names = {element.get("name") for element in doc.cssselect("form [name]")}
    assert names == {*share_form.FIELDS, "consent_version", "website", "photo-1", "photo-2", "photo-3"}


def built_share_page(project: Project, service: str | None, marker: bool = True) -> Any:
    """share-your-story/ built with the intake service at `service` (None: no service), and the marker kept."""
    text = project.config_file.read_text(encoding="utf-8")
    text = text.replace("      url: http://127.0.0.1:8001/\n", f"      url: {service}\n" if service else "")
    project.config_file.write_text(text, encoding="utf-8")
    if not marker:
        doc = project.root / "docs" / "share-your-story.md"
        doc.write_text(doc.read_text(encoding="utf-8").replace("<!-- share-form -->", ""), encoding="utf-8")
    result, site_dir = project.build()
    assert result.returncode == 0, result.stderr
    return html.parse(str(site_dir / "share-your-story" / "index.html")).getroot()


WAITING = "We are making a simple form on this site."


def test_without_a_service_the_page_is_as_written(project: Project) -> None:
    doc = built_share_page(project, None)
    assert not doc.cssselect("[data-nv-share-form], .nv-share-form, script[src$='narrative-share-form.js']")
    assert WAITING in doc.cssselect("#on-this-site + p")[0].text_content()
    assert doc.cssselect("h3")[1].text == "At a listening booth"


def test_with_a_service_the_form_takes_the_place_of_the_words_waiting_for_it(project: Project) -> None:
    doc = built_share_page(project, "https://share.example.org/")
    form = doc.cssselect("#on-this-site + .nv-share-form form")[0]
    assert (form.get("action"), form.get("method"), form.get("enctype")) == (
        "https://share.example.org/share", "post", "multipart/form-data")
    assert WAITING not in doc.text_content()
    assert [box.get("value") for box in form.cssselect("input[name=topics]")][:2] == [
        "mental-health", "children-and-families"]
    assert form.cssselect(".nv-consent a")[0].get("href") == "../privacy/"
    assert doc.cssselect("script[src$='assets/narrative-share-form.js']")
    assert doc.cssselect("link[href$='assets/narrative-form.css']")
    assert [h.text for h in doc.cssselect(".nv-share-form ~ h3")][:1] == ["At a listening booth"]
    assert {h.tag for h in form.cssselect(".nv-form__part")} == {"h4"}


def test_a_page_without_the_marker_gets_the_form_at_its_end(project: Project) -> None:
    doc = built_share_page(project, "https://share.example.org/", marker=False)
    content = doc.cssselect(".md-content__inner")[0]
    shown = [child for child in content if child.tag in {"h1", "h2", "h3", "p", "div", "ol", "ul"}]
    assert shown[-1].get("class") == "nv-share-form" and shown[-1].cssselect("form[data-nv-share-form]")
    assert WAITING in doc.text_content()
