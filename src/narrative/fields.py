"""What each front-matter field may hold, as a table of small parsers, and the model built from them.

Each parser turns one raw YAML value into its model value or raises `FieldError` with a message that says
what a right value looks like; `build()` turns those into problems located at the field's line.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
import re
import reprlib
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from narrative import languages
from narrative.config import FINDING_KINDS, Settings
from narrative.loader import SourceFile
from narrative.model import (
    LIMITS, SLUG, TITLE_LIMIT, Change, Consent, Conversation, Image, Item, Kind, Period, PledgeUpdate, Progress,
    Recording, Response, Status, Story,
)
from narrative.problems import Problem, Severity, did_you_mean

BODY_PICTURE = re.compile(r"!\[[^\[\]]*\]\(|<img\b", re.IGNORECASE)
"""A picture in Markdown or HTML; its text is not read past another `[`, so a line of `![![![` is read in
linear time."""
RESERVED_SLUGS = frozenset({"index"})
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})
RECORDING_TYPES = {"audio": "audio/", "video": "video/"}


class FieldError(ValueError):
    """A field's value is wrong; each message is written for the person who wrote the file. A field may have
    several things wrong with it (a list of pictures, one without its file and another without its `alt`), all
    reported at once."""

    def __init__(self, *messages: str) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


STORY_SUMMARY = "One or two plain sentences saying what the story is about."
UPDATE_SUMMARY = "One or two plain sentences saying what changed or is changing."
RESPONDER = "Name, Role"
STORY_BODY = "Write the story here, in the contributor's own words."
UPDATE_BODY = "What we heard, what we are doing about it, and what happens next."
RESPONSE_BODY = "Our response, in plain words."
PLACEHOLDERS = frozenset({STORY_SUMMARY, UPDATE_SUMMARY, RESPONDER})
"""The words `narrative new` writes in a field for someone to replace: an error until they are replaced."""
BODY_PLACEHOLDERS = frozenset({STORY_BODY, UPDATE_BODY, RESPONSE_BODY})
"""The lines `narrative new` writes in the text for someone to replace: an error until they are replaced."""


@dataclass(frozen=True)
class Context:
    """What parsers may need beyond the value: the settings and where the file lives."""

    settings: Settings
    folder: Path


Parser = Callable[[Any, Context], Any]


@dataclass(frozen=True)
class Field:
    """One front-matter field: how to parse it, whether it must be there, and its name in the model."""

    parse: Parser
    required: bool = False
    attribute: str | None = None


_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxlist, _SHORT.maxdict, _SHORT.maxother = 2, 4, 4, 60


def shown(value: Any) -> str:
    """A value quoted for a message, cut short when it is not text: YAML aliases can make a list of billions."""
    return f"'{value}'" if isinstance(value, str) else _SHORT.repr(value)


def _hint(value: Any, choices: Iterable[str]) -> str:
    return did_you_mean(value, choices) if isinstance(value, str) else ""


def unseen(ch: str) -> bool:
    """A control character a person cannot see or mean: any but a line break or a tab (the share form drops them)."""
    return unicodedata.category(ch) == "Cc" and ch not in "\n\t"


def _control_character(text: str) -> str | None:
    return next((ch for ch in text if unseen(ch)), None)


def text(limit: int, *, multiline: bool = False) -> Parser:
    """Plain text up to `limit` characters; single-line fields have their whitespace tidied."""

    def parse(value: Any, ctx: Context) -> str:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise FieldError("must be text")
        value = value.strip() if multiline else " ".join(value.split())
        if not value:
            raise FieldError("is empty: write something or remove the field")
        if bad := _control_character(value):
            raise FieldError(f"contains an invisible control character (U+{ord(bad):04X}): remove it")
        if len(value) > limit:
            raise FieldError(f"is {len(value)} characters long: keep it to {limit} or fewer")
        return value

    return parse


def written(parse: Parser) -> Parser:
    """A field the template fills with words to replace (`PLACEHOLDERS`): those words are an error."""

    def check(value: Any, ctx: Context) -> Any:
        parsed = parse(value, ctx)
        if parsed in PLACEHOLDERS:
            raise FieldError("still holds the template's words: write your own in their place")
        return parsed

    return check


YEARS = range(2000, 2100)
"""The years a date may be in: any other is a typing mistake, and the far ones break date arithmetic."""


def published(value: Any, ctx: Context) -> dt.datetime:
    """An ISO date (`2026-03-14`) or date and time (`2026-03-14T10:30`), in the site's time zone if none."""
    if not isinstance(value, str):
        raise FieldError(f"must be a date like 2026-03-14, not {shown(value)}")
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise FieldError(f"'{value}' is not a date: write it as year-month-day, like 2026-03-14") from None
    if moment.year not in YEARS:
        raise FieldError(f"'{value}' is in the year {moment.year}: check the year (from {YEARS[0]} to {YEARS[-1]})")
    return moment if moment.tzinfo else moment.replace(tzinfo=ctx.settings.zone)


def one_of(choices: Callable[[Context], tuple[str, ...]], what: str) -> Parser:
    """One slug from a list the settings hold, with a "did you mean" for near misses."""

    def parse(value: Any, ctx: Context) -> str:
        known = choices(ctx)
        if not isinstance(value, str) or value not in known:
            raise FieldError(f"unknown {what} {shown(value)}{_hint(value, known)}; "
                             f"choose from {', '.join(known)}")
        return value

    return parse


def _topic(value: Any, ctx: Context) -> str:
    return one_of(lambda c: c.settings.topic_slugs, "topic")(value, ctx)


def list_of(item: Parser, *, minimum: int = 0, example: str) -> Parser:
    """A YAML list of values, each checked by `item`, without repeats."""

    def parse(value: Any, ctx: Context) -> tuple[Any, ...]:
        if not isinstance(value, list):
            raise FieldError(f"must be a list, like {example}")
        if len(value) < minimum:
            raise FieldError(f"needs at least {minimum}, like {example}")
        items, errors = [], []
        for entry in value:
            try:
                items.append(item(entry, ctx))
            except FieldError as error:
                errors += error.messages
        if errors:
            raise FieldError(*errors)
        repeated = next((entry for n, entry in enumerate(items) if entry in items[:n]), None)
        if repeated is not None:
            raise FieldError(f"lists '{repeated}' twice")
        return tuple(items)

    return parse


def enum_of(cls: type) -> Parser:
    words = [member.value for member in cls]

    def parse(value: Any, ctx: Context) -> Any:
        if value not in words:  # not `cls(value)`, whose error message holds the whole value, however big
            raise FieldError(f"must be one of {', '.join(words)}, not {shown(value)}{_hint(value, words)}")
        return cls(value)

    return parse


def slug(value: Any, ctx: Context) -> str:
    if not isinstance(value, str) or not SLUG.match(value):
        raise FieldError(f"{shown(value)} is not a story's slug: use the story's file name without '.md'")
    return value


AGREED = frozenset({"true", "yes"})
"""A contributor's agreement as it may be written, in any case: `true` or `yes`, never `on`, `y` or `1`."""


def _agreed(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() in AGREED)


def consent(value: Any, ctx: Context) -> Consent:
    """`true` (or `yes`), or a record with `given: true` and optionally when (`date`) and how (`how`) it was
    given."""
    refusal = "must be true (or yes): publish a story only when its contributor has agreed"
    if _agreed(value):
        return Consent(True)
    if not isinstance(value, Mapping):
        raise FieldError(refusal)
    unknown = sorted(set(value) - {"given", "date", "how"})
    if unknown:
        raise FieldError(f"has unknown key '{unknown[0]}'{did_you_mean(unknown[0], ['given', 'date', 'how'])}")
    if value.get("given") is None:
        raise FieldError("nobody has recorded it yet: once the contributor has agreed to publication, an editor "
                         "writes 'given: true', with the date and how they agreed")
    if not _agreed(value.get("given")):
        raise FieldError(refusal)
    when = published(value["date"], ctx).date() if value.get("date") is not None else None
    how = text(200)(value["how"], ctx) if value.get("how") is not None else None
    return Consent(True, when, how)


def _local_file(src: Any, ctx: Context, what: str) -> tuple[Path, str]:
    """A file beside the story, inside the stories folder (never an outside URL, for privacy, or a path out),
    and its path from that folder."""
    if not isinstance(src, str) or not src.strip():
        raise FieldError(f"{what} needs a 'src': the file's path next to the story, like images/garden.jpg")
    if bad := _control_character(src):
        raise FieldError(f"'src' contains an invisible control character (U+{ord(bad):04X}): remove it")
    if re.match(r"^[a-z][a-z0-9+.-]*:", src, re.IGNORECASE) or src.startswith("/"):
        raise FieldError(f"'{src}' must be a file kept with the stories, like images/garden.jpg, not a web address")
    path = (ctx.folder / src).resolve()
    stories = ctx.settings.stories_path.resolve()
    if stories not in path.parents:
        raise FieldError(f"'{src}' must be inside the {ctx.settings.stories_dir}/ folder")
    if not path.is_file():
        raise FieldError(f"'{src}' was not found next to the story")
    return path, path.relative_to(stories).as_posix()


def image(value: Any, ctx: Context) -> Image:
    """A picture beside the story and its description; a wrong file and a missing description are both said."""
    if not isinstance(value, Mapping):
        raise FieldError("each image needs 'src' and 'alt', like {src: images/garden.jpg, alt: A bench by roses}")
    errors: list[str] = []
    try:
        path, relative = _local_file(value.get("src"), ctx, "each image")
        if mimetypes.guess_type(path.name)[0] not in IMAGE_TYPES:
            errors.append(f"'{value['src']}' must be a JPEG, PNG, WebP or GIF picture")
    except FieldError as error:
        errors += error.messages
    alt = value.get("alt")
    if not isinstance(alt, str) or not alt.strip():
        src = value.get("src")
        named = f"'{src}'" if isinstance(src, str) and src.strip() else "the picture"
        errors.append(f"{named} has no 'alt': describe the picture for someone who cannot see it")
    if errors:
        raise FieldError(*errors)
    return Image(relative, text(LIMITS["alt"])(alt, ctx))


def recording(kind: str) -> Parser:
    """An audio or video file kept with the story; its size and type make a feed enclosure."""

    def parse(value: Any, ctx: Context) -> Recording:
        src = value.get("src") if isinstance(value, Mapping) else value
        path, relative = _local_file(src, ctx, f"the {kind}")
        mime_type = mimetypes.guess_type(path.name)[0] or ""
        if not mime_type.startswith(RECORDING_TYPES[kind]):
            raise FieldError(f"'{src}' is not an {kind} file (such as .mp3, .m4a or .mp4)")
        return Recording(relative, mime_type, path.stat().st_size)

    return parse


def responder(value: Any, ctx: Context) -> str:
    """Who answered: `Name, Role` as text, or `{name: ..., role: ...}`."""
    if isinstance(value, Mapping):
        parts = [value.get("name"), value.get("role")]
        if not all(isinstance(part, str) and part.strip() for part in parts):
            raise FieldError("needs both 'name' and 'role', like {name: Priya Shah, role: Head of Experience}")
        value = ", ".join(part.strip() for part in parts)
    return text(160)(value, ctx)


def language(value: Any, ctx: Context) -> str:
    """A BCP 47 language tag, such as `pl` or `bn`, in its standard form."""
    if not isinstance(value, str):
        raise FieldError(f"must be a language tag such as pl (Polish) or bn (Bengali), not {shown(value)}")
    try:
        return languages.standard(value)
    except languages.LanguageError as error:
        raise FieldError(str(error)) from None


RANGE_WORD = " to "
"""What joins the first and last day of a range: `2026-03-02 to 2026-03-06`."""


def period(value: Any, ctx: Context) -> Period:
    """A day (`2026-03-14`), or the first and last of several (`2026-03-02 to 2026-03-06`)."""
    if not isinstance(value, str) or RANGE_WORD not in value:
        return Period(published(value, ctx))
    first, last = value.split(RANGE_WORD, 1)
    start, end = published(first, ctx), published(last, ctx).date()
    if end < start.date():
        raise FieldError(f"ends on {end.isoformat()}, before it starts: write the first day, then 'to', then the "
                         "last, like 2026-03-02 to 2026-03-06")
    return Period(start, end if end != start.date() else None)


def whole_number(value: Any, ctx: Context) -> int:
    """A count of 1 or more."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise FieldError(f"must be a whole number of 1 or more, not {shown(value)}")
    return value


def counts_by_topic(value: Any, ctx: Context) -> tuple[tuple[str, int], ...]:
    """How many conversations were mainly about each topic, like {mental-health: 12, carers: 3}."""
    example = "{mental-health: 12, carers: 3}"
    if not isinstance(value, Mapping) or not value:
        raise FieldError(f"must say how many conversations were about each topic, like {example}")
    counts = []
    for topic, count in value.items():
        topic = _topic(topic, ctx)
        try:
            counts.append((topic, whole_number(count, ctx)))
        except FieldError as error:
            raise FieldError(f"{topic}: {error}") from None
    return tuple(counts)


def _channel(value: Any, ctx: Context) -> str:
    return one_of(lambda c: c.settings.channel_slugs, "channel")(value, ctx)


def _principle(value: Any, ctx: Context) -> str:
    return one_of(lambda c: c.settings.principle_slugs, "principle")(value, ctx)


def _kinds(value: Any, ctx: Context) -> str:
    """A kind of finding an editor has checked and accepted, so the screen stops reporting it."""
    if not isinstance(value, str):
        raise FieldError("must list finding kinds, like [phone, postcode]")
    if value not in FINDING_KINDS:
        raise FieldError(f"unknown finding kind {shown(value)}{_hint(value, FINDING_KINDS)}; "
                         f"choose from {', '.join(FINDING_KINDS)}")
    return value


COMMON_FIELDS: dict[str, Field] = {
    "date": Field(published, required=True, attribute="published"),
    "updated": Field(published),
    "reviewed": Field(list_of(_kinds, example="[phone, postcode]")),
}
STORY_FIELDS: dict[str, Field] = {
    "title": Field(text(TITLE_LIMIT), required=True),
    **COMMON_FIELDS,
    "summary": Field(written(text(LIMITS["summary"])), required=True),
    "topics": Field(list_of(_topic, minimum=1, example="[mental-health]"), required=True),
    "consent": Field(consent, required=True),
    "author": Field(text(LIMITS["author"])),
    "role": Field(text(LIMITS["role"])),
    "status": Field(enum_of(Status)),
    "location": Field(text(LIMITS["location"])),
    "service": Field(text(LIMITS["service"])),
    "content_note": Field(text(LIMITS["content_note"], multiline=True)),
    "images": Field(list_of(image, example="[{src: images/garden.jpg, alt: A bench by roses}]")),
    "audio": Field(recording("audio")),
    "video": Field(recording("video")),
    "lang": Field(language),
    "translation_of": Field(slug),
    "conversation": Field(slug),
}
UPDATE_FIELDS: dict[str, Field] = {
    "title": Field(text(TITLE_LIMIT), required=True),
    **COMMON_FIELDS,
    "summary": Field(written(text(LIMITS["summary"])), required=True),
    "principle": Field(_principle, required=True),
    "status": Field(enum_of(Progress), required=True, attribute="progress"),
    "stories": Field(list_of(slug, example="[waiting-room-music]")),
    "topics": Field(list_of(_topic, example="[mental-health]")),
    "lang": Field(language),
}
RESPONSE_FIELDS: dict[str, Field] = {
    "story": Field(slug, required=True),
    **COMMON_FIELDS,
    "responder": Field(written(responder), required=True),
    "change": Field(enum_of(Change)),
    "lang": Field(language),
}
CONVERSATION_FIELDS: dict[str, Field] = {
    "date": Field(period, required=True, attribute="period"),
    "channel": Field(_channel, required=True),
    "place": Field(text(120), required=True),
    "people": Field(whole_number, required=True),
    "conversations": Field(counts_by_topic, required=True, attribute="topics"),
    "principle": Field(_principle, required=True),
    "updated": COMMON_FIELDS["updated"],
    "reviewed": COMMON_FIELDS["reviewed"],
}
SCHEMAS: dict[Kind, tuple[type, dict[str, Field], bool]] = {
    Kind.STORY: (Story, STORY_FIELDS, True),
    Kind.UPDATE: (PledgeUpdate, UPDATE_FIELDS, False),
    Kind.RESPONSE: (Response, RESPONSE_FIELDS, True),
    Kind.CONVERSATION: (Conversation, CONVERSATION_FIELDS, False),
}
"""For each kind: the model class, its fields, and whether the Markdown body must be there."""


def _problem(file: SourceFile, name: str | None, message: str, code: str, line: int | None = None) -> Problem:
    return Problem(file.path, line if line is not None else (file.source.line_of(name) if name else None),
                   name, message, code)


def build(file: SourceFile, settings: Settings) -> tuple[Item | None, list[Problem]]:
    """The model item a file describes, or every problem that stops it from being one."""
    cls, schema, needs_body = SCHEMAS[file.kind]
    ctx = Context(settings, file.file.parent)
    problems: list[Problem] = []
    if file.slug in RESERVED_SLUGS:
        problems.append(_problem(file, None, f"file name '{file.slug}.md' is kept for the list page: choose another",
                                 "bad-slug", line=1))
    elif not SLUG.match(file.slug):
        suggestion = "-".join(re.findall(r"[a-z0-9]+", file.slug.lower())) or "my-story"
        problems.append(_problem(file, None, f"file name '{file.slug}.md' must be lowercase letters, digits and "
                                 f"hyphens, like '{suggestion}.md'", "bad-slug", line=1))
    values: dict[str, Any] = {}
    for name, raw in file.meta.items():
        field = schema.get(str(name))
        if field is None:
            hint = did_you_mean(name, schema) or f"; known fields are {', '.join(schema)}"
            problems.append(_problem(file, str(name), f"unknown field{hint}", "unknown-field"))
        elif raw is not None:
            try:
                values[field.attribute or name] = field.parse(raw, ctx)
            except FieldError as error:
                problems += [_problem(file, name, message, "bad-value") for message in error.messages]
    for name, field in schema.items():
        if field.required and file.meta.get(name) is None:
            problems.append(_missing(file, name))
    if needs_body and not file.body.strip():
        problems.append(_problem(file, None, "has no text: write it below the closing '---'", "no-body",
                                 line=file.source.body_line))
    problems += placeholder_lines(file)
    if problems:
        return None, problems
    return cls(slug=file.slug, body=file.body, source=file.source, **values), list(pictures_in_body(file))


def _missing(file: SourceFile, name: str) -> Problem:
    """A required field that is empty (at its line), or not there at all (at the closing '---', where it goes)."""
    needs = f"missing: every {file.kind.noun} needs a {name}"
    if file.source.line_of(name) is not None:
        return _problem(file, name, needs, "missing")
    return _problem(file, name, f"{needs}: add it above the closing '---'", "missing", line=file.source.end_line)


def placeholder_lines(file: SourceFile) -> Iterator[Problem]:
    """The template's words left in the text, each at its line."""
    for offset, line in enumerate(file.body.splitlines()):
        if line.strip() in BODY_PLACEHOLDERS:
            yield Problem(file.path, file.source.body_line + offset, None, "this is the template's line: write the "
                          "text in its place", "placeholder")


def pictures_in_body(file: SourceFile) -> Iterator[Problem]:
    """Pictures written into the text are dropped from pages (they could load from anywhere and may have
    no description); say so, and where pictures belong."""
    for offset, line in enumerate(file.body.splitlines()):
        if BODY_PICTURE.search(line):
            yield Problem(file.path, file.source.body_line + offset, None, "this picture in the text will not be "
                          "shown: list it under 'images:' with a description ('alt')", "picture-in-body",
                          Severity.WARNING)
