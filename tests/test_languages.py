"""Languages: tags checked against the registry and named as their speakers name them; in Chromium, a story in
another language is marked as such (WCAG 3.1.2), and a story and its translation link each other with hreflang."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from narrative import languages
from tests.browser import page_at


@pytest.mark.parametrize(("tag", "standard", "autonym", "english"), [
    ("pl", "pl", "Polski", "Polish"), ("bn", "bn", "বাংলা", "Bangla"),
    ("pl-PL", "pl-PL", "Polski (Polska)", "Polish"),
    ("en_GB", "en-GB", "English (United Kingdom)", "English"), ("pol", "pl", "Polski", "Polish")])
def test_a_tag_in_its_standard_form_and_its_names(tag: str, standard: str, autonym: str, english: str) -> None:
    assert languages.standard(tag) == standard
    assert (languages.autonym(standard), languages.english_name(standard)) == (autonym, english)


@pytest.mark.parametrize("tag", ["xx", "english", "", "en-"])
def test_what_is_not_a_language(tag: str) -> None:
    with pytest.raises(languages.LanguageError) as raised:
        languages.standard(tag)
    assert str(raised.value) == (f"'{tag}' is not a language tag: write one such as pl (Polish), bn (Bengali) or "
                                 "en-GB (British English)")


def test_any_english_is_the_sites_own_language() -> None:
    assert [languages.is_site_language(tag) for tag in (None, "en", "en-GB", "pl", "bn")] == [
        True, True, True, False, False]


LANGUAGES_OF = """() => ({
  page: document.documentElement.lang,
  title: document.querySelector("h1").closest("[lang]").lang,
  body: document.querySelector(".nv-story__body p:last-of-type").closest("[lang]").lang,
  byline: document.querySelector(".nv-byline").closest("[lang]").lang,
  role: document.querySelector(".nv-byline span").closest("[lang]").lang,
  versions: [...document.querySelectorAll(".nv-versions a")].map(a => [a.hreflang, a.lang, a.textContent,
                                                                       new URL(a.href).pathname]),
  alternates: [...document.querySelectorAll("head link[rel=alternate][hreflang]")].map(link => [
    link.hreflang, new URL(link.href).pathname]),
})"""


@pytest.mark.browser
def test_a_story_in_polish_is_marked_polish_and_links_its_translation(browser: Browser, served: str) -> None:
    with page_at(browser, served + "stories/ulotka-po-polsku/") as page:
        found = page.evaluate(LANGUAGES_OF)
        said = page.locator(".nv-language").text_content()
    assert found == {
        "page": "en", "title": "pl", "body": "pl", "byline": "en", "role": "pl",
        "versions": [["en", "en", "English", "/stories/a-leaflet-in-polish/"]],
        "alternates": [["pl", "/stories/ulotka-po-polsku/"], ["en", "/stories/a-leaflet-in-polish/"]],
    }
    assert " ".join((said or "").split()) == "Written in Polish (Polski)"


@pytest.mark.browser
def test_its_translation_is_english_and_links_back(browser: Browser, served: str) -> None:
    with page_at(browser, served + "stories/a-leaflet-in-polish/") as page:
        found = page.evaluate(LANGUAGES_OF)
        assert page.locator(".nv-language").count() == 0
    assert found == {
        "page": "en", "title": "en", "body": "en", "byline": "en", "role": "en",
        "versions": [["pl", "pl", "Polski", "/stories/ulotka-po-polsku/"]],
        "alternates": [["en", "/stories/a-leaflet-in-polish/"], ["pl", "/stories/ulotka-po-polsku/"]],
    }


@pytest.mark.browser
def test_the_story_index_names_each_language_in_itself(browser: Browser, served: str) -> None:
    with page_at(browser, served + "stories/") as page:
        found = page.evaluate("""() => [...document.querySelectorAll(".nv-card")].filter(card =>
          card.querySelector(".nv-card__language")).map(card => ({
            language: card.querySelector(".nv-card__language").textContent,
            lang: card.querySelector(".nv-card__language").lang,
            title: card.querySelector(".nv-card__title a").closest("[lang]").lang,
            summary: card.querySelector(".nv-card__summary").closest("[lang]").lang}))""")
    assert sorted(found, key=lambda card: card["lang"]) == [
        {"language": "বাংলা", "lang": "bn", "title": "bn", "summary": "bn"},
        {"language": "Polski", "lang": "pl", "title": "pl", "summary": "pl"}]
