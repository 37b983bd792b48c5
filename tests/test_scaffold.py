"""New files from templates: valid as written, never over an existing file."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

import narrative
from narrative import fields, schema
from narrative.build import read_site
from narrative.config import NESTED, SETTING_PARSERS, Settings, load_settings
from narrative.model import Consent, Kind, Progress, Status
from narrative.scaffold import STARTER, MissingArgument, ScaffoldError, new_file, new_site, slugify
from tests.conftest import REPO
from tests.content import settings_for, story

DAY = dt.date(2026, 3, 14)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return settings_for(tmp_path)


@pytest.mark.parametrize(("title", "slug"), [
    ("Ward 7: the night staff", "ward-7-the-night-staff"),
    ("  Café  au lait — très bien! ", "cafe-au-lait-tres-bien"),
    ("A&E at 3am?", "a-e-at-3am"),
    ("Don't 'quote' me", "don-t-quote-me"),
    ("x" * 70, "x" * 60),
    ("word " * 20, ("word-" * 12).rstrip("-")),
    ("日本語", ""),
])
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title) == slug


def fill_in(path: Path) -> None:
    """What an editor does to a new file: their own words for the template's, and the consent recorded."""
    text = path.read_text(encoding="utf-8")
    for placeholder in (*fields.PLACEHOLDERS, *fields.BODY_PLACEHOLDERS):
        text = text.replace(placeholder, "Sam Reed, Lead" if placeholder == fields.RESPONDER else "Real words.")
    text = text.replace("  given:\n  date:\n  how:\n", "  given: true\n  date: 2026-03-14\n  how: Spoken\n")
    path.write_text(text, encoding="utf-8")


def test_new_story_is_a_draft_that_says_what_is_left_to_write(settings: Settings) -> None:
    path = new_file(Kind.STORY, settings, title="Ward 7: the night staff", today=DAY)
    assert path == settings.stories_path / "patient" / "ward-7-the-night-staff.md"
    text = path.read_text(encoding="utf-8")
    assert text.startswith('---\ntitle: "Ward 7: the night staff"\ndate: 2026-03-14\nstatus: draft\n')
    assert "topics: [mental-health]\n" in text
    shown = "stories/patient/ward-7-the-night-staff.md"
    assert [str(problem) for problem in read_site(settings)[1]] == [
        f"{shown}:5: summary: still holds the template's words: write your own in their place",
        f"{shown}:8: consent: nobody has recorded it yet: once the contributor has agreed to publication, an "
        "editor writes 'given: true', with the date and how they agreed",
        f"{shown}:17: this is the template's line: write the text in its place"]
    fill_in(path)
    site, problems = read_site(settings)
    assert problems == []
    [written] = site.all_stories
    assert (written.slug, written.title, written.published.date(), written.topics, written.status) == (
        "ward-7-the-night-staff", "Ward 7: the night staff", DAY, ("mental-health",), Status.DRAFT)
    assert written.consent == Consent(True, DAY, "Spoken")
    assert site.stories == ()


@pytest.mark.parametrize("title", ['Say "hello"', "Back\\slash", "- a dash first", "# not a comment", "[a list]",
                                   "yes", "2026-03-14", "Tabs\tand\nnew lines", "{braces}: and colons"])
def test_any_title_round_trips(settings: Settings, title: str) -> None:
    fill_in(new_file(Kind.STORY, settings, title=title, today=DAY))
    site, problems = read_site(settings)
    assert problems == []
    assert site.all_stories[0].title == " ".join(title.split())


def test_new_update_says_what_is_left_to_write(settings: Settings) -> None:
    path = new_file(Kind.UPDATE, settings, title="Quieter waiting rooms", today=DAY)
    assert path == settings.stories_path / "pledge" / "quieter-waiting-rooms.md"
    assert [problem.line for problem in read_site(settings)[1]] == [4, 10]
    fill_in(path)
    site, problems = read_site(settings)
    assert problems == []
    [update] = site.updates
    assert (update.title, update.principle, update.progress, update.published.date()) == (
        "Quieter waiting rooms", "listen", Progress.PLANNED, DAY)


def test_new_response_says_what_is_left_to_write(settings: Settings) -> None:
    story(settings.root, "ward-7")
    path = new_file(Kind.RESPONSE, settings, story="ward-7", today=DAY)
    assert path == settings.stories_path / "responses" / "ward-7-response-2026-03-14.md"
    assert [str(problem) for problem in read_site(settings)[1]] == [
        "stories/responses/ward-7-response-2026-03-14.md:4: responder: still holds the template's words: write "
        "your own in their place",
        "stories/responses/ward-7-response-2026-03-14.md:7: this is the template's line: write the text in its "
        "place"]
    fill_in(path)
    site, problems = read_site(settings)
    assert problems == []
    [response] = site.responses_to("ward-7")
    assert (response.story, response.published.date(), response.responder) == ("ward-7", DAY, "Sam Reed, Lead")


def test_response_to_a_story_in_a_subfolder(settings: Settings) -> None:
    story(settings.root, "2025/ward-7")
    assert new_file(Kind.RESPONSE, settings, story="ward-7", today=DAY).name == "ward-7-response-2026-03-14.md"


def test_today_is_in_the_site_time_zone(settings: Settings) -> None:
    before = dt.datetime.now(settings.zone).date()
    path = new_file(Kind.STORY, settings, title="Today")
    after = dt.datetime.now(settings.zone).date()
    assert any(f"\ndate: {day.isoformat()}\n" in path.read_text() for day in (before, after))


def test_never_overwrites(settings: Settings) -> None:
    path = new_file(Kind.STORY, settings, title="Ward 7", today=DAY)
    path.write_text("edited", encoding="utf-8")
    with pytest.raises(ScaffoldError) as raised:
        new_file(Kind.STORY, settings, title="Ward  7!", today=DAY)
    assert str(raised.value) == f"{path} already exists: choose another title or edit that file"
    assert path.read_text(encoding="utf-8") == "edited"


def test_second_response_on_one_day_gets_its_own_file(settings: Settings) -> None:
    story(settings.root, "ward-7")
    first = new_file(Kind.RESPONSE, settings, story="ward-7", today=DAY)
    second = new_file(Kind.RESPONSE, settings, story="ward-7", today=DAY)
    third = new_file(Kind.RESPONSE, settings, story="ward-7", today=DAY)
    assert [first.stem, second.stem, third.stem] == [
        f"ward-7-response-{DAY}", f"ward-7-response-{DAY}-2", f"ward-7-response-{DAY}-3"]


def test_overlong_title_is_refused_before_a_file_is_written(settings: Settings) -> None:
    with pytest.raises(ScaffoldError) as raised:
        new_file(Kind.STORY, settings, title="word " * 30, today=DAY)
    assert str(raised.value) == "the title is 149 characters long: keep it to 120 or fewer"
    assert not list((settings.root / "stories" / "patient").glob("*.md"))


def test_response_needs_an_existing_story(settings: Settings) -> None:
    with pytest.raises(ScaffoldError) as raised:
        new_file(Kind.RESPONSE, settings, story="ward-8", today=DAY)
    assert str(raised.value) == "no story is called 'ward-8' in stories/patient/"
    assert not isinstance(raised.value, MissingArgument)
    assert list((settings.stories_path / "responses").iterdir()) == []


@pytest.mark.parametrize("slug", ["../pledge/quieter", "Ward-7", "ward 7", "*"])
def test_response_story_must_be_a_slug(settings: Settings, slug: str) -> None:
    """A path in `--story` must not lead the new file out of the responses folder."""
    (settings.stories_path / "pledge" / "quieter.md").write_text("x")
    story(settings.root, "ward-7")
    with pytest.raises(ScaffoldError, match="^no story is called"):
        new_file(Kind.RESPONSE, settings, story=slug, today=DAY)


@pytest.mark.parametrize(("kind", "title", "story_slug", "message"), [
    (Kind.RESPONSE, None, None, "a response answers a story: give its slug with --story"),
    (Kind.RESPONSE, "A title", "", "a response answers a story: give its slug with --story"),
    (Kind.STORY, None, None, "give the title with --title"),
    (Kind.UPDATE, "   ", None, "give the title with --title"),
])
def test_missing_argument(settings: Settings, kind: Kind, title: str | None, story_slug: str | None,
                          message: str) -> None:
    with pytest.raises(MissingArgument) as raised:
        new_file(kind, settings, title=title, story=story_slug, today=DAY)
    assert str(raised.value) == message


@pytest.mark.parametrize(("kind", "title", "name"), [
    (Kind.STORY, "Index", "index-story.md"), (Kind.UPDATE, "index!", "index-update.md"),
    (Kind.STORY, "Index of waits", "index-of-waits.md"),
])
def test_a_title_whose_name_is_kept_for_the_list_page_gets_another(settings: Settings, kind: Kind, title: str,
                                                                   name: str) -> None:
    assert new_file(kind, settings, title=title, today=DAY).name == name
    assert [problem for problem in read_site(settings)[1]  # the template's words are for the writer to replace
            if problem.field is None and problem.code != "placeholder"] == []


def test_title_without_letters_or_digits(settings: Settings) -> None:
    with pytest.raises(ScaffoldError) as raised:
        new_file(Kind.STORY, settings, title="!!!", today=DAY)
    assert str(raised.value) == "the title '!!!' has no letters or digits to make a file name from"


def test_new_conversation_record_is_named_by_place_and_day_and_fails_the_check_until_counted(
        settings: Settings) -> None:
    path = new_file(Kind.CONVERSATION, settings, title="Listening booth, Eastbrook Library", today=DAY)
    second = new_file(Kind.CONVERSATION, settings, title="Listening booth, Eastbrook Library", today=DAY)
    assert [path.name, second.name] == [f"listening-booth-eastbrook-library-{DAY}.md",
                                        f"listening-booth-eastbrook-library-{DAY}-2.md"]
    site, problems = read_site(settings)
    assert [(problem.line, problem.field, problem.message) for problem in problems
            if problem.path == f"stories/conversations/{path.name}"] == [
        (9, "people", "must be a whole number of 1 or more, not 0"),
        (10, "conversations", "mental-health: must be a whole number of 1 or more, not 0")]
    assert site.records == ()
    text = path.read_text(encoding="utf-8")
    assert "# How they were held: listening-booth, event, outreach, phone, post, social-media, survey, other\n" in text
    path.write_text(text.replace("people: 0", "people: 3").replace(": 0}", ": 2}"), encoding="utf-8")
    second.unlink()
    site, problems = read_site(settings)
    assert problems == []
    record = site.records[0]
    assert (record.place, record.channel, record.people, record.topics, record.principle) == (
        "Listening booth, Eastbrook Library", "listening-booth", 3, (("mental-health", 2),), "listen")


def test_a_conversation_record_needs_its_place(settings: Settings) -> None:
    with pytest.raises(MissingArgument) as raised:
        new_file(Kind.CONVERSATION, settings, today=DAY)
    assert str(raised.value) == ("a conversation record says where the conversations were held: give the place "
                                 "with --place")


# A new site of one's own (narrative init)

STARTER_CONFIG = STARTER / "mkdocs.yml"


def test_a_new_site_has_the_folders_settings_workflows_hook_and_an_example_of_each_kind(tmp_path: Path) -> None:
    folder = tmp_path / "our-site"
    written = new_site(folder)
    assert sorted(str(path.relative_to(folder)) for path in written) == [
        ".github/workflows/check.yml", ".github/workflows/deploy.yml", ".github/workflows/digest.yml", ".gitignore",
        ".vscode/narrative.schema.json", ".vscode/settings.json", "README.md", "docs/about.md",
        "docs/accessibility.md", "docs/index.md", "docs/privacy.md", "docs/share-your-story.md",
        "hooks/narrative_hooks.py", "mkdocs.yml", "requirements.txt",
        "stories/conversations/example-listening-booth-2026-02-14.md",
        "stories/patient/example-the-bus-to-the-clinic.md", "stories/pledge/example-appointments-that-fit-the-bus.md",
        "stories/responses/example-the-bus-to-the-clinic.md"]
    assert (folder / "requirements.txt").read_text() == f"narrative=={narrative.__version__}\n"
    assert (folder / ".vscode/narrative.schema.json").read_text() == schema.text()
    assert (folder / "hooks/narrative_hooks.py").read_bytes() == (REPO / "hooks/narrative_hooks.py").read_bytes()
    settings, problems = load_settings(folder / "mkdocs.yml")
    assert settings is not None, problems
    site, problems = read_site(settings)
    assert problems == []
    assert (len(site.stories), len(site.updates), len(site.responses), len(site.records)) == (1, 1, 1, 1)
    assert not [path for path in written if "hollowmere" in path.read_text(encoding="utf-8").lower()]


@pytest.mark.parametrize("name", [*SETTING_PARSERS, *(f"{table}.{key}" for table, (_, parsers) in NESTED.items()
                                                     for key in parsers)])
def test_the_new_sites_settings_explain_every_setting(name: str) -> None:
    """Each setting config.py declares is in the starter's mkdocs.yml, with a comment saying what it does just
    above it (left commented out where it has no value to start with)."""
    key = name.rsplit(".", 1)[-1]
    assert re.search(rf"\n *#[^\n]*\n(?: *#[^\n]*\n)* *(?:# )?{key}:", STARTER_CONFIG.read_text(encoding="utf-8"))


def test_a_new_site_is_never_made_over_anything(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ScaffoldError) as raised:
        new_site(tmp_path)
    assert str(raised.value) == f"{tmp_path} is not empty: give the name of a new folder, or of an empty one"
    assert [path.name for path in tmp_path.iterdir()] == ["notes.txt"]
    (tmp_path / "empty").mkdir()
    new_site(tmp_path / "empty")
    assert (tmp_path / "empty" / "mkdocs.yml").is_file()
