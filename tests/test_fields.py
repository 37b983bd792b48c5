"""Field parsers and `build()`: each wrong value becomes one problem at the field's line, never an exception."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from narrative import fields
from narrative.config import LimitSettings, Settings
from narrative.loader import read
from narrative.model import (
    Change, Consent, Conversation, Image, Item, Kind, Period, PledgeUpdate, Progress, Recording, Response, Status,
    Story,
)
from narrative.problems import Problem
from tests.content import settings_for, write_file

KNOWN_STORY_FIELDS = ("title, date, updated, reviewed, summary, topics, consent, author, role, status, location, "
                      "service, content_note, images, audio, video, lang, translation_of, conversation")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return settings_for(tmp_path)


def build(settings: Settings, folder: str, name: str, front: dict[str, Any] | str,
          body: str = "Some words.\n") -> tuple[Item | None, list[Problem]]:
    path = write_file(settings.root, folder, name, front, body)
    kind = {"patient": Kind.STORY, "pledge": Kind.UPDATE, "responses": Kind.RESPONSE,
            "conversations": Kind.CONVERSATION}[folder]
    file = read(path, f"stories/{folder}/{name}.md", kind, LimitSettings())
    assert not isinstance(file, Problem), file
    return fields.build(file, settings)


def story(settings: Settings, front: str, body: str = "Some words.\n", name: str = "ward-7") -> Story:
    item, problems = build(settings, "patient", name, front, body)
    assert problems == []
    assert isinstance(item, Story)
    return item


def problems_of(settings: Settings, front: dict[str, Any] | str, folder: str = "patient", name: str = "ward-7",
                body: str = "Some words.\n") -> list[str]:
    item, problems = build(settings, folder, name, front, body)
    assert item is None
    return [str(problem) for problem in problems]


STORY = ("title: Ward 7\n"                  # line 2
         "date: 2026-03-01\n"               # line 3
         "summary: A night on the ward.\n"  # line 4
         "topics: [mental-health]\n"        # line 5
         "consent: true\n")                 # line 6
PATH = "stories/patient/ward-7.md"


def with_field(line: str) -> str:
    """The valid story's front matter with one more field on line 7."""
    return STORY + line + "\n"


def replaced(name: str, value: str) -> str:
    """The valid story's front matter with one field's value replaced, on its own line."""
    return "".join(f"{name}: {value}\n" if line.startswith(f"{name}:") else line + "\n"
                   for line in STORY.splitlines())


# A valid file of each kind


def test_story(settings: Settings) -> None:
    item = story(settings, STORY, "It went well.\n")
    assert item == Story(
        slug="ward-7", title="Ward 7", published=dt.datetime(2026, 3, 1, tzinfo=settings.zone),
        summary="A night on the ward.", topics=("mental-health",), consent=Consent(True), body="It went well.",
        source=item.source)
    assert item.source.path == PATH
    assert item.source.line_of("topics") == 5
    assert (item.status, item.display_author, item.url, item.recording) == (
        Status.PUBLISHED, "Anonymous", "stories/ward-7/", None)


def test_story_with_every_optional_field(settings: Settings) -> None:
    media = settings.stories_path / "patient" / "media"
    media.mkdir()
    (media / "bench.jpg").write_bytes(b"\xff\xd8\xff")
    (media / "voice.mp3").write_bytes(b"ID3" + bytes(97))
    item = story(settings, STORY.replace("consent: true\n", "") + (
        "author: Dennis\nrole: patient\nstatus: draft\nlocation: Wharfside Surgery\nservice: GP\n"
        "content_note: Talks about\n  a death in the family.\n"
        "images:\n  - src: media/bench.jpg\n    alt: A bench by roses\n"
        "audio: media/voice.mp3\nupdated: 2026-03-02\nreviewed: [phone, postcode]\n"
        "consent:\n  given: yes\n  date: 2026-02-28\n  how: On the share form\n"))
    assert (item.author, item.display_author, item.role, item.status) == ("Dennis", "Dennis", "patient", Status.DRAFT)
    assert (item.location, item.service) == ("Wharfside Surgery", "GP")
    assert item.content_note == "Talks about a death in the family."
    assert item.images == (Image("patient/media/bench.jpg", "A bench by roses"),)
    assert item.images[0].url == "media/patient/media/bench.jpg"
    assert item.audio == Recording("patient/media/voice.mp3", "audio/mpeg", 100)
    assert item.recording is item.audio and not item.audio.is_video
    assert item.updated == dt.datetime(2026, 3, 2, tzinfo=settings.zone)
    assert item.reviewed == ("phone", "postcode")
    assert item.consent == Consent(True, dt.date(2026, 2, 28), "On the share form")


def test_pledge_update(settings: Settings) -> None:
    item, problems = build(settings, "pledge", "quieter-waiting-rooms",
                           "title: Quieter waiting rooms\ndate: 2026-04-01\nsummary: Radios off.\nprinciple: deliver\n"
                           "status: in-progress\nstories: [ward-7]\ntopics: [primary-care]\n", "")
    assert problems == []
    assert isinstance(item, PledgeUpdate)
    assert (item.principle, item.progress, item.stories, item.topics) == (
        "deliver", Progress.IN_PROGRESS, ("ward-7",), ("primary-care",))
    assert (item.body, item.url, item.progress.label) == ("", "pledge/updates/quieter-waiting-rooms/", "In progress")


def test_response(settings: Settings) -> None:
    item, problems = build(settings, "responses", "ward-7-reply",
                           "story: ward-7\ndate: 2026-03-05\nresponder: {name: Priya Shah, role: Head of Experience}\n"
                           "change: made\n", "Thank you.\n")
    assert problems == []
    assert isinstance(item, Response)
    assert (item.slug, item.story, item.responder, item.change, item.body) == (
        "ward-7-reply", "ward-7", "Priya Shah, Head of Experience", Change.MADE, "Thank you.")
    assert item.change.label == "Change made"


def test_responder_as_text(settings: Settings) -> None:
    item, _ = build(settings, "responses", "r", "story: ward-7\ndate: 2026-03-05\nresponder: Sam Reed, Lead\n")
    assert isinstance(item, Response) and item.responder == "Sam Reed, Lead"


def test_responder_needs_name_and_role(settings: Settings) -> None:
    assert problems_of(settings, "story: ward-7\ndate: 2026-03-05\nresponder: {name: Sam}\n", "responses", "r") == [
        "stories/responses/r.md:4: responder: needs both 'name' and 'role', like "
        "{name: Priya Shah, role: Head of Experience}"]


def test_null_optional_field_is_left_out(settings: Settings) -> None:
    assert story(settings, with_field("author:")).author is None


# Missing required fields


def test_every_missing_field_at_once(settings: Settings) -> None:
    """Each at the line of the closing '---', where it belongs: every error has a line, for annotations too."""
    assert problems_of(settings, "title: Ward 7\n") == [
        f"{PATH}:3: date: missing: every story needs a date: add it above the closing '---'",
        f"{PATH}:3: summary: missing: every story needs a summary: add it above the closing '---'",
        f"{PATH}:3: topics: missing: every story needs a topics: add it above the closing '---'",
        f"{PATH}:3: consent: missing: every story needs a consent: add it above the closing '---'",
    ]


def test_empty_required_field_is_missing_at_its_line(settings: Settings) -> None:
    item, problems = build(settings, "patient", "ward-7", replaced("title", ""))
    assert item is None
    assert problems == [Problem(PATH, 2, "title", "missing: every story needs a title", "missing")]


def test_missing_fields_of_updates_and_responses(settings: Settings) -> None:
    assert problems_of(settings, "title: x\n", "pledge", "u") == [
        "stories/pledge/u.md:3: date: missing: every update needs a date: add it above the closing '---'",
        "stories/pledge/u.md:3: summary: missing: every update needs a summary: add it above the closing '---'",
        "stories/pledge/u.md:3: principle: missing: every update needs a principle: add it above the closing "
        "'---'",
        "stories/pledge/u.md:3: status: missing: every update needs a status: add it above the closing '---'",
    ]
    assert problems_of(settings, "change: made\n", "responses", "r") == [
        "stories/responses/r.md:3: story: missing: every response needs a story: add it above the closing '---'",
        "stories/responses/r.md:3: date: missing: every response needs a date: add it above the closing '---'",
        "stories/responses/r.md:3: responder: missing: every response needs a responder: add it above the "
        "closing '---'",
    ]


def test_story_needs_a_body(settings: Settings) -> None:
    item, problems = build(settings, "patient", "ward-7", STORY, "\n\n")
    assert item is None
    assert problems == [Problem(PATH, 7, None, "has no text: write it below the closing '---'", "no-body")]


# Wrong types and values


@pytest.mark.parametrize(("value", "message"), [
    ("20260301", "must be a date like 2026-03-14, not 20260301"),
    ("[2026, 3, 1]", "must be a date like 2026-03-14, not [2026, 3, 1]"),
    ("2026-02-30", "'2026-02-30' is not a date: write it as year-month-day, like 2026-03-14"),
    ("1/3/2026", "'1/3/2026' is not a date: write it as year-month-day, like 2026-03-14"),
    ("next tuesday", "'next tuesday' is not a date: write it as year-month-day, like 2026-03-14"),
    ("9999-12-31", "'9999-12-31' is in the year 9999: check the year (from 2000 to 2099)"),
    ("0001-01-01T00:00+05:00", "'0001-01-01T00:00+05:00' is in the year 1: check the year (from 2000 to 2099)"),
])
def test_a_date_that_is_not_a_date(settings: Settings, value: str, message: str) -> None:
    item, problems = build(settings, "patient", "ward-7", replaced("date", value))
    assert item is None
    assert problems == [Problem(PATH, 3, "date", message, "bad-value")]


@pytest.mark.parametrize(("value", "expected"), [
    ("2026-03-01", dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)),
    ("2026-07-01", dt.datetime(2026, 6, 30, 23, tzinfo=dt.timezone.utc)),
    ("2026-07-01T10:30", dt.datetime(2026, 7, 1, 9, 30, tzinfo=dt.timezone.utc)),
    ("2026-07-01 10:30", dt.datetime(2026, 7, 1, 9, 30, tzinfo=dt.timezone.utc)),
    ("2026-07-01T10:30:00+02:00", dt.datetime(2026, 7, 1, 8, 30, tzinfo=dt.timezone.utc)),
    ("2026-07-01T10:30:00Z", dt.datetime(2026, 7, 1, 10, 30, tzinfo=dt.timezone.utc)),
])
def test_dates_with_times_and_offsets(settings: Settings, value: str, expected: dt.datetime) -> None:
    published = story(settings, replaced("date", value)).published
    assert published.tzinfo is not None
    assert published == expected


def test_updated_before_date_is_allowed(settings: Settings) -> None:
    """A correction dated before publication is odd but harmless: nothing orders by `updated`."""
    item = story(settings, with_field("updated: 2026-01-01"))
    assert item.updated is not None and item.updated < item.published


def test_topics_not_a_list(settings: Settings) -> None:
    assert problems_of(settings, replaced("topics", "mental-health")) == [
        f"{PATH}:5: topics: must be a list, like [mental-health]"]


def test_topics_empty(settings: Settings) -> None:
    assert problems_of(settings, replaced("topics", "[]")) == [
        f"{PATH}:5: topics: needs at least 1, like [mental-health]"]


def test_topic_listed_twice(settings: Settings) -> None:
    assert problems_of(settings, replaced("topics", "[carers, carers]")) == [f"{PATH}:5: topics: lists 'carers' twice"]


def test_title_that_is_not_text(settings: Settings) -> None:
    assert problems_of(settings, replaced("title", "[Ward, 7]")) == [f"{PATH}:2: title: must be text"]
    assert problems_of(settings, replaced("title", "true")) == [f"{PATH}:2: title: must be text"]


def test_a_number_is_text(settings: Settings) -> None:
    assert story(settings, replaced("title", "1984")).title == "1984"


def test_title_over_120_characters(settings: Settings) -> None:
    item, problems = build(settings, "patient", "ward-7", replaced("title", "x" * 121))
    assert item is None
    assert problems == [Problem(PATH, 2, "title", "is 121 characters long: keep it to 120 or fewer", "bad-value")]
    assert story(settings, replaced("title", "x" * 120)).title == "x" * 120


def test_title_whitespace_is_tidied(settings: Settings) -> None:
    assert story(settings, replaced("title", '"  Ward \\t 7  "')).title == "Ward 7"


def test_control_character(settings: Settings) -> None:
    assert problems_of(settings, replaced("summary", '"A night\\x07 on the ward"')) == [
        f"{PATH}:4: summary: contains an invisible control character (U+0007): remove it"]


def test_unknown_status_suggests_the_nearest(settings: Settings) -> None:
    assert problems_of(settings, with_field("status: Published")) == [
        f"{PATH}:7: status: must be one of published, draft, withdrawn, not 'Published' (did you mean 'published'?)"]


def test_reviewed_must_list_text(settings: Settings) -> None:
    assert problems_of(settings, with_field("reviewed: [{a: 1}]")) == [
        f"{PATH}:7: reviewed: must list finding kinds, like [phone, postcode]"]


# Unknown fields, topics and principles


def test_unknown_field_names_the_nearest(settings: Settings) -> None:
    item, problems = build(settings, "patient", "ward-7", with_field("autor: Dennis"))
    assert item is None
    assert problems == [Problem(PATH, 7, "autor", "unknown field (did you mean 'author'?)", "unknown-field")]


def test_unknown_field_far_from_any_lists_them(settings: Settings) -> None:
    assert problems_of(settings, with_field("mood: happy")) == [
        f"{PATH}:7: mood: unknown field; known fields are {KNOWN_STORY_FIELDS}"]


def test_a_field_of_another_kind_is_unknown(settings: Settings) -> None:
    assert problems_of(settings, with_field("principle: deliver")) == [
        f"{PATH}:7: principle: unknown field; known fields are {KNOWN_STORY_FIELDS}"]


def test_unknown_topic(settings: Settings) -> None:
    item, problems = build(settings, "patient", "ward-7", replaced("topics", "[carers, mental-heath]"))
    assert item is None
    assert problems == [Problem(PATH, 5, "topics", "unknown topic 'mental-heath' (did you mean 'mental-health'?); "
                                "choose from mental-health, primary-care, carers", "bad-value")]


def test_unknown_topic_without_a_near_one(settings: Settings) -> None:
    assert problems_of(settings, replaced("topics", "[dentistry]")) == [
        f"{PATH}:5: topics: unknown topic 'dentistry'; choose from mental-health, primary-care, carers"]


def test_unknown_principle(settings: Settings) -> None:
    assert problems_of(settings, "title: x\ndate: 2026-04-01\nsummary: s\nprinciple: delivr\nstatus: done\n",
                       "pledge", "u") == [
        "stories/pledge/u.md:5: principle: unknown principle 'delivr' (did you mean 'deliver'?); "
        "choose from listen, deliver"]


def test_update_status_is_progress(settings: Settings) -> None:
    assert problems_of(settings, "title: x\ndate: 2026-04-01\nsummary: s\nprinciple: deliver\nstatus: finished\n",
                       "pledge", "u") == [
        "stories/pledge/u.md:6: status: must be one of planned, in-progress, done, not 'finished'"]


def test_update_stories_must_be_slugs(settings: Settings) -> None:
    assert problems_of(settings, "title: x\ndate: 2026-04-01\nsummary: s\nprinciple: deliver\nstatus: done\n"
                       "stories: [Ward 7.md]\n", "pledge", "u") == [
        "stories/pledge/u.md:7: stories: 'Ward 7.md' is not a story's slug: use the story's file name without '.md'"]


# Values read as written


@pytest.mark.parametrize(("field", "written"), [("title", "10:30"), ("summary", "1:20:30"), ("author", "0x1F"),
                                                ("role", ".nan"), ("location", "0755"), ("service", "1.50e"),
                                                ("title", "on"), ("role", "=")])
def test_a_plain_value_is_the_text_written(settings: Settings, field: str, written: str) -> None:
    front = replaced(field, written) if field in ("title", "summary") else STORY + f"{field}: {written}\n"
    assert getattr(story(settings, front), field) == written


# Consent


@pytest.mark.parametrize("value", ["false", "no", "on", "y", "1", "0x1", "given", "{given: false}", "{given: on}",
                                   "[true]"])
def test_consent_not_true(settings: Settings, value: str) -> None:
    item, problems = build(settings, "patient", "ward-7", replaced("consent", value))
    assert item is None
    assert problems == [Problem(PATH, 6, "consent", "must be true (or yes): publish a story only when its "
                                "contributor has agreed", "bad-value")]


def test_consent_missing(settings: Settings) -> None:
    assert problems_of(settings, STORY.replace("consent: true\n", "")) == [
        f"{PATH}:6: consent: missing: every story needs a consent: add it above the closing '---'"]


@pytest.mark.parametrize("value", ["{given: , date: , how: }", "{date: 2026-03-01}", "\n  given:\n  how: spoken"])
def test_a_consent_nobody_recorded(settings: Settings, value: str) -> None:
    """`narrative new` leaves the consent for an editor to record: until then, the story cannot be published."""
    assert problems_of(settings, replaced("consent", value)) == [
        f"{PATH}:6: consent: nobody has recorded it yet: once the contributor has agreed to publication, an editor "
        "writes 'given: true', with the date and how they agreed"]


def test_consent_null_is_missing(settings: Settings) -> None:
    assert problems_of(settings, replaced("consent", "")) == [
        f"{PATH}:6: consent: missing: every story needs a consent"]


@pytest.mark.parametrize("value", ["true", "True", "yes", "Yes", "'true'", "{given: yes}", "{given: true}"])
def test_consent_yaml_true(settings: Settings, value: str) -> None:
    """`true` or `yes`, as a contributor writes them; `on`, `y` or `1` is not a clear yes."""
    assert story(settings, replaced("consent", value)).consent == Consent(True)


def test_consent_record_unknown_key(settings: Settings) -> None:
    assert problems_of(settings, replaced("consent", "{given: true, hwo: spoken}")) == [
        f"{PATH}:6: consent: has unknown key 'hwo' (did you mean 'how'?)"]


def test_consent_record_bad_date(settings: Settings) -> None:
    assert problems_of(settings, replaced("consent", "{given: true, date: yesterday}")) == [
        f"{PATH}:6: consent: 'yesterday' is not a date: write it as year-month-day, like 2026-03-14"]


# Slugs (file names)


def test_slug_not_lowercase_letters_digits_and_hyphens(settings: Settings) -> None:
    item, problems = build(settings, "patient", "Ward_7 Nights", STORY)
    assert item is None
    assert problems == [Problem("stories/patient/Ward_7 Nights.md", 1, None,
                                "file name 'Ward_7 Nights.md' must be lowercase letters, digits and hyphens, like "
                                "'ward-7-nights.md'", "bad-slug")]


@pytest.mark.parametrize(("name", "suggestion"), [("-ward-7", "ward-7"), ("ward--7", "ward-7"), ("___", "my-story")])
def test_slug_suggestions(settings: Settings, name: str, suggestion: str) -> None:
    assert problems_of(settings, STORY, name=name) == [
        f"stories/patient/{name}.md:1: file name '{name}.md' must be lowercase letters, digits and hyphens, like "
        f"'{suggestion}.md'"]


def test_index_is_reserved(settings: Settings) -> None:
    assert problems_of(settings, STORY, name="index") == [
        "stories/patient/index.md:1: file name 'index.md' is kept for the list page: choose another"]


def test_every_problem_of_a_file_at_once(settings: Settings) -> None:
    assert problems_of(settings, "title: Ward 7\ndate: soon\nsummary: s\ntopics: carers\nmood: x\n",
                       name="Ward7") == [
        "stories/patient/Ward7.md:1: file name 'Ward7.md' must be lowercase letters, digits and hyphens, like "
        "'ward7.md'",
        "stories/patient/Ward7.md:3: date: 'soon' is not a date: write it as year-month-day, like 2026-03-14",
        "stories/patient/Ward7.md:5: topics: must be a list, like [mental-health]",
        f"stories/patient/Ward7.md:6: mood: unknown field; known fields are {KNOWN_STORY_FIELDS}",
        "stories/patient/Ward7.md:7: consent: missing: every story needs a consent: add it above the closing "
        "'---'",
    ]


# Images and recordings


@pytest.fixture
def picture(settings: Settings) -> Path:
    path = settings.stories_path / "patient" / "images" / "bench.png"
    path.parent.mkdir()
    path.write_bytes(b"\x89PNG\r\n\x1a\n")
    return path


def test_image_without_alt(settings: Settings, picture: Path) -> None:
    item, problems = build(settings, "patient", "ward-7", with_field("images:\n  - src: images/bench.png"))
    assert item is None
    assert problems == [Problem(PATH, 7, "images", "'images/bench.png' has no 'alt': describe the picture for "
                                "someone who cannot see it", "bad-value")]


def test_every_problem_of_every_picture_at_once(settings: Settings, picture: Path) -> None:
    """A missing file used to hide the missing description, and the first bad picture the second."""
    assert problems_of(settings, with_field("images:\n  - src: images/gone.png\n  - {src: images/bench.png, "
                                            "alt: A bench}\n  - src: ../../mkdocs.yml\n    alt: x\n"
                                            "  - {alt: ''}")) == [
        f"{PATH}:7: images: 'images/gone.png' was not found next to the story",
        f"{PATH}:7: images: 'images/gone.png' has no 'alt': describe the picture for someone who cannot see it",
        f"{PATH}:7: images: '../../mkdocs.yml' must be inside the stories/ folder",
        f"{PATH}:7: images: each image needs a 'src': the file's path next to the story, like images/garden.jpg",
        f"{PATH}:7: images: the picture has no 'alt': describe the picture for someone who cannot see it"]


@pytest.mark.parametrize(("front", "body", "expected"), [
    (STORY.replace("summary: A night on the ward.", f"summary: {fields.STORY_SUMMARY}"), "It went well.\n",
     [f"{PATH}:4: summary: still holds the template's words: write your own in their place"]),
    (STORY, f"It went well.\n\n{fields.STORY_BODY}\n",
     [f"{PATH}:10: this is the template's line: write the text in its place"]),
])
def test_the_templates_words_are_an_error(settings: Settings, front: str, body: str, expected: list[str]) -> None:
    assert problems_of(settings, front, body=body) == expected


def test_image_src_with_a_control_character(settings: Settings, picture: Path) -> None:
    assert problems_of(settings, with_field('images: [{src: "images/bench\\0.png", alt: A bench}]')) == [
        f"{PATH}:7: images: 'src' contains an invisible control character (U+0000): remove it"]


def test_image_with_empty_alt(settings: Settings, picture: Path) -> None:
    assert problems_of(settings, with_field("images: [{src: images/bench.png, alt: '  '}]")) == [
        f"{PATH}:7: images: 'images/bench.png' has no 'alt': describe the picture for someone who cannot see it"]


def test_image_with_alt(settings: Settings, picture: Path) -> None:
    item = story(settings, with_field("images: [{src: images/bench.png, alt: A bench}]"))
    assert item.images == (Image("patient/images/bench.png", "A bench"),)


@pytest.mark.parametrize(("value", "message"), [
    ("[images/bench.png]", "each image needs 'src' and 'alt', like {src: images/garden.jpg, alt: A bench by roses}"),
    ("[{alt: A bench}]", "each image needs a 'src': the file's path next to the story, like images/garden.jpg"),
    ("[{src: images/gone.png, alt: x}]", "'images/gone.png' was not found next to the story"),
    ("[{src: 'https://example.org/a.png', alt: x}]",
     "'https://example.org/a.png' must be a file kept with the stories, like images/garden.jpg, not a web address"),
    ("[{src: /etc/passwd, alt: x}]",
     "'/etc/passwd' must be a file kept with the stories, like images/garden.jpg, not a web address"),
    ("[{src: ../../mkdocs.yml, alt: x}]", "'../../mkdocs.yml' must be inside the stories/ folder"),
    ("[{src: ../patient/ward-7.md, alt: x}]", "'../patient/ward-7.md' must be a JPEG, PNG, WebP or GIF picture"),
])
def test_bad_images(settings: Settings, picture: Path, value: str, message: str) -> None:
    assert problems_of(settings, with_field(f"images: {value}")) == [f"{PATH}:7: images: {message}"]


def test_recording_must_be_of_its_kind(settings: Settings, picture: Path) -> None:
    assert problems_of(settings, with_field("video: {src: images/bench.png}")) == [
        f"{PATH}:7: video: 'images/bench.png' is not an video file (such as .mp3, .m4a or .mp4)"]


# Hostile values


def test_alias_bomb_gives_a_short_message(settings: Settings) -> None:
    """Aliases make a list of 9^8 items from a few lines; the message shows a glimpse of it, not all of it."""
    levels = "".join(f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]\n" for n in range(1, 9))
    front = STORY.replace("date: 2026-03-01\n", "") + "l0: &l0 [x, x, x, x, x, x, x, x, x]\n" + levels
    item, problems = build(settings, "patient", "ward-7", front + "date: *l8\nstatus: *l8\n")
    assert item is None
    by_field = {problem.field: problem.message for problem in problems}
    assert by_field["date"] == ("must be a date like 2026-03-14, not "
                                "[[[...], [...], [...], [...], ...], [[...], [...], [...], [...], ...], "
                                "[[...], [...], [...], [...], ...], [[...], [...], [...], [...], ...], ...]")
    assert by_field["status"].startswith("must be one of published, draft, withdrawn, not [[[...]")
    assert max(len(str(problem)) for problem in problems) < 300


def test_shown() -> None:
    assert fields.shown("mental-heath") == "'mental-heath'"
    assert fields.shown(20260301) == "20260301"
    assert fields.shown(list(range(100))) == "[0, 1, 2, 3, ...]"
    assert fields.shown({"a": {"b": {"c": 1}}}) == "{'a': {'b': {...}}}"


def test_picture_in_the_text_is_a_warning_at_its_line(settings: Settings) -> None:
    body = "First paragraph.\n\n![A ward](ward.jpg)\n\nMore, and <img src=x.png>.\n"
    item, problems = build(settings, "patient", "ward-7", STORY, body)
    assert isinstance(item, Story)
    assert [(str(problem), problem.severity.value) for problem in problems] == [
        (f"{PATH}:10: this picture in the text will not be shown: list it under 'images:' with a description "
         "('alt')", "warning"),
        (f"{PATH}:12: this picture in the text will not be shown: list it under 'images:' with a description "
         "('alt')", "warning"),
    ]


RECORD = ("date: 2026-10-05 to 2026-10-09\n"                    # line 2
          "channel: listening-booth\n"                         # line 3
          "place: Listening booth, Hollowmere General\n"       # line 4
          "people: 38\n"                                       # line 5
          "conversations: {mental-health: 12, carers: 4}\n"    # line 6
          "principle: listen\n")                               # line 7
RECORD_PATH = "stories/conversations/booth.md"


def test_a_conversation_record_with_a_range_of_days_and_no_write_up(settings: Settings) -> None:
    item, problems = build(settings, "conversations", "booth", RECORD, body="")
    assert problems == []
    assert isinstance(item, Conversation)
    assert item.period == Period(dt.datetime(2026, 10, 5, tzinfo=settings.zone), dt.date(2026, 10, 9))
    assert (item.published, item.period.last_day) == (item.period.start, dt.date(2026, 10, 9))
    assert (item.channel, item.place, item.people, item.principle) == (
        "listening-booth", "Listening booth, Hollowmere General", 38, "listen")
    assert (item.topics, item.conversations) == ((("mental-health", 12), ("carers", 4)), 16)


def test_a_conversation_record_of_one_day(settings: Settings) -> None:
    item, _ = build(settings, "conversations", "booth", RECORD.replace(" to 2026-10-09", ""))
    assert isinstance(item, Conversation) and item.period.end is None
    assert item.period.last_day == dt.date(2026, 10, 5)


def test_every_mistake_in_a_conversation_record_at_its_line(settings: Settings) -> None:
    front = ("date: 2026-10-09 to 2026-10-05\n"
             "channel: listening-bothe\n"
             "place: ''\n"
             "people: 0\n"
             "conversations: {carers: two}\n"
             "principle: lisen\n"
             "summary: A week at the booth.\n")
    assert problems_of(settings, front, "conversations", "booth") == [
        f"{RECORD_PATH}:2: date: ends on 2026-10-05, before it starts: write the first day, then 'to', then the "
        "last, like 2026-03-02 to 2026-03-06",
        f"{RECORD_PATH}:3: channel: unknown channel 'listening-bothe' (did you mean 'listening-booth'?); choose "
        "from listening-booth, event, outreach, phone, post, social-media, survey, other",
        f"{RECORD_PATH}:4: place: is empty: write something or remove the field",
        f"{RECORD_PATH}:5: people: must be a whole number of 1 or more, not 0",
        f"{RECORD_PATH}:6: conversations: carers: must be a whole number of 1 or more, not 'two'",
        f"{RECORD_PATH}:7: principle: unknown principle 'lisen' (did you mean 'listen'?); choose from listen, "
        "deliver",
        f"{RECORD_PATH}:8: summary: unknown field; known fields are date, channel, place, people, conversations, "
        "principle, updated, reviewed",
    ]


@pytest.mark.parametrize(("line", "message"), [
    ("conversations: {mental-heath: 3}", "conversations: unknown topic 'mental-heath' (did you mean "
     "'mental-health'?); choose from mental-health, primary-care, carers"),
    ("conversations: {}", "conversations: must say how many conversations were about each topic, like "
     "{mental-health: 12, carers: 3}"),
    ("conversations: 12", "conversations: must say how many conversations were about each topic, like "
     "{mental-health: 12, carers: 3}"),
    ("date: 2026-10-05 to next friday", "date: 'next friday' is not a date: write it as year-month-day, like "
     "2026-03-14"),
])
def test_a_conversation_records_counts_and_days_say_what_is_wrong(settings: Settings, line: str,
                                                                 message: str) -> None:
    name = line.split(":")[0]
    front = "".join(each if not each.startswith(name + ":") else line + "\n"
                    for each in RECORD.splitlines(keepends=True))
    assert problems_of(settings, front, "conversations", "booth") == [
        f"{RECORD_PATH}:{2 + [each.split(':')[0] for each in RECORD.splitlines()].index(name)}: {message}"]


def test_a_conversation_record_missing_its_fields(settings: Settings) -> None:
    assert problems_of(settings, "date: 2026-10-05\n", "conversations", "booth") == [
        f"{RECORD_PATH}:3: {name}: missing: every conversation record needs a {name}: add it above the closing '---'"
        for name in ("channel", "place", "people", "conversations", "principle")]


@pytest.mark.parametrize(("value", "tag"), [("pl", "pl"), ("en_GB", "en-GB"), ("pol", "pl"), ("bn", "bn")])
def test_a_language_is_a_bcp_47_tag_in_its_standard_form(settings: Settings, value: str, tag: str) -> None:
    assert story(settings, STORY + f"lang: {value}\n").lang == tag


@pytest.mark.parametrize("value", ["xx", "polish", "pl-"])
def test_a_language_that_is_not_one_says_what_a_tag_looks_like(settings: Settings, value: str) -> None:
    assert problems_of(settings, STORY + f"lang: {value}\n") == [
        f"{PATH}:7: lang: '{value}' is not a language tag: write one such as pl (Polish), bn (Bengali) or en-GB "
        "(British English)"]


def test_a_language_that_is_not_text(settings: Settings) -> None:
    assert problems_of(settings, STORY + "lang: 12\n") == [
        f"{PATH}:7: lang: must be a language tag such as pl (Polish) or bn (Bengali), not 12"]


def test_updates_and_responses_may_say_their_language_too(settings: Settings) -> None:
    update, _ = build(settings, "pledge", "a", {"title": "Tłumacze", "date": "2026-04-01", "summary": "Zmiana.",
                                                "principle": "deliver", "status": "done", "lang": "pl"})
    answer, _ = build(settings, "responses", "b", {"story": "ward-7", "date": "2026-04-01",
                                                   "responder": "Sam Reed, Lead", "lang": "bn"})
    assert (getattr(update, "lang", None), getattr(answer, "lang", None)) == ("pl", "bn")


def test_a_story_names_the_story_it_translates_and_the_record_it_was_told_in(settings: Settings) -> None:
    item = story(settings, STORY + "translation_of: oddzial-7\nconversation: booth-2026-03-01\n")
    assert (item.translation_of, item.conversation) == ("oddzial-7", "booth-2026-03-01")
