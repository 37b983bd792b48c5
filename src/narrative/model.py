"""The content model: what a story, a pledge update and a response are, once loaded and checked.

Plain frozen dataclasses and enums, standard library only, so every other module can depend on this one.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass, field
from typing import Any, TypeVar

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
"""Lowercase letters, digits and single hyphens: safe in a URL, a file name and a branch name."""
TITLE_LIMIT = 120
"""Characters in a title: longer ones are cut off in feed readers, email subjects and search results."""
LIMITS = {"summary": 300, "content_note": 300, "author": 80, "role": 60, "location": 120, "service": 120, "alt": 250}
"""Characters in a story's other short fields (`alt`: a picture's description), for the check and the share form."""
MEDIA = "media/"
"""Where pictures and recordings kept with the stories are published, under the site root."""


class Kind(enum.Enum):
    """The four kinds of contributed file, each in its own folder under `stories/`."""

    STORY = "patient"
    UPDATE = "pledge"
    RESPONSE = "responses"
    CONVERSATION = "conversations"

    @property
    def folder(self) -> str:
        return self.value

    @property
    def noun(self) -> str:
        """What one file of the kind is called in messages."""
        return {"patient": "story", "pledge": "update", "responses": "response",
                "conversations": "conversation record"}[self.value]


class Status(enum.Enum):
    """Whether a story may be shown: one predicate that pages, feeds, digests and search all use."""

    PUBLISHED = "published"
    DRAFT = "draft"
    WITHDRAWN = "withdrawn"

    def is_public(self, preview: bool = False) -> bool:
        return self is Status.PUBLISHED or (preview and self is Status.DRAFT)


class Progress(enum.Enum):
    """How far a pledge update has come."""

    PLANNED = "planned"
    IN_PROGRESS = "in-progress"
    DONE = "done"

    @property
    def label(self) -> str:
        return {"planned": "Planned", "in-progress": "In progress", "done": "Done"}[self.value]


class Change(enum.Enum):
    """What a response to a story promises: a change planned, or one already made."""

    PLANNED = "planned"
    MADE = "made"

    @property
    def label(self) -> str:
        return "Change planned" if self is Change.PLANNED else "Change made"


@dataclass(frozen=True)
class Image:
    """A picture with the words that describe it to someone who cannot see it."""

    src: str
    alt: str

    @property
    def url(self) -> str:
        return MEDIA + self.src


@dataclass(frozen=True)
class Recording:
    """An audio or video recording of a story; `length` is its size in bytes, as feed enclosures need."""

    src: str
    mime_type: str
    length: int

    @property
    def url(self) -> str:
        return MEDIA + self.src

    @property
    def is_video(self) -> bool:
        return self.mime_type.startswith("video/")

    @property
    def link_text(self) -> str:
        """What a link to it says, in feeds and emails alike."""
        return "Watch the recording" if self.is_video else "Listen to the recording"


@dataclass(frozen=True)
class Consent:
    """The contributor's agreement to publication and, where recorded, when and how it was given."""

    given: bool
    date: dt.date | None = None
    how: str | None = None


T = TypeVar("T")


def hashed_once(cls: type[T]) -> type[T]:
    """A frozen dataclass whose hash is worked out once for each object and kept beside its fields (never
    pickled: another process hashes text differently). Items are looked up by value in dictionaries throughout
    a build, and hashing every field again each time was a tenth of a rebuild under `narrative serve`."""
    by_value = cls.__hash__

    def __hash__(self: Any) -> int:
        try:
            return self.__dict__["_hash"]  # type: ignore[no-any-return]
        except KeyError:
            made = by_value(self)
            object.__setattr__(self, "_hash", made)
            return made

    def __getstate__(self: Any) -> dict[str, Any]:
        return {name: value for name, value in self.__dict__.items() if name != "_hash"}

    cls.__hash__ = __hash__  # type: ignore[assignment]
    cls.__getstate__ = __getstate__  # type: ignore[attr-defined]
    return cls


@dataclass(frozen=True)
class Source:
    """Where an item came from: the file, the line of each front-matter field, of the front matter's closing
    `---` (where a missing field belongs) and of the body."""

    path: str
    lines: dict[str, int] = field(default_factory=dict, hash=False, compare=False)
    body_line: int = 1
    end_line: int = 1

    def line_of(self, name: str) -> int | None:
        return self.lines.get(name)


@hashed_once
@dataclass(frozen=True)
class Story:
    """A patient story: someone's experience in their own words."""

    slug: str
    title: str
    published: dt.datetime
    summary: str
    topics: tuple[str, ...]
    consent: Consent
    body: str
    source: Source
    author: str | None = None
    role: str | None = None
    status: Status = Status.PUBLISHED
    location: str | None = None
    service: str | None = None
    content_note: str | None = None
    images: tuple[Image, ...] = ()
    audio: Recording | None = None
    video: Recording | None = None
    updated: dt.datetime | None = None
    reviewed: tuple[str, ...] = ()
    lang: str | None = None
    """The BCP 47 tag of the language it is written in; None is the site's own (English)."""
    translation_of: str | None = None
    """The slug of the story this one translates."""
    conversation: str | None = None
    """The slug of the conversation record it was gathered in, which counts it already."""

    kind = Kind.STORY

    @property
    def display_author(self) -> str:
        return self.author or "Anonymous"

    @property
    def url(self) -> str:
        return f"stories/{self.slug}/"

    @property
    def recording(self) -> Recording | None:
        return self.audio or self.video


@hashed_once
@dataclass(frozen=True)
class PledgeUpdate:
    """Progress against one principle of the pledge, often prompted by stories ("you said, we did")."""

    slug: str
    title: str
    published: dt.datetime
    summary: str
    principle: str
    progress: Progress
    body: str
    source: Source
    stories: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    updated: dt.datetime | None = None
    reviewed: tuple[str, ...] = ()
    lang: str | None = None

    kind = Kind.UPDATE

    @property
    def url(self) -> str:
        return f"pledge/updates/{self.slug}/"


@hashed_once
@dataclass(frozen=True)
class Response:
    """The organisation's answer to a story, shown beneath it."""

    slug: str
    story: str
    published: dt.datetime
    responder: str
    body: str
    source: Source
    change: Change | None = None
    updated: dt.datetime | None = None
    reviewed: tuple[str, ...] = ()
    lang: str | None = None

    kind = Kind.RESPONSE


@dataclass(frozen=True)
class Period:
    """The day, or the days from `start` to `end`, that a conversation record covers."""

    start: dt.datetime
    end: dt.date | None = None

    @property
    def last_day(self) -> dt.date:
        return self.end or self.start.date()


@hashed_once
@dataclass(frozen=True)
class Conversation:
    """A record of conversations held away from this site (a listening booth, an event, a phone line), written
    by the staff or volunteers who held them: counted on the impact page, never published as a page of its own.

    `topics` holds how many conversations were mainly about each topic; their sum is the record's number of
    conversations. A story gathered in them names the record (`conversation:`), and is counted here alone."""

    slug: str
    period: Period
    channel: str
    place: str
    people: int
    topics: tuple[tuple[str, int], ...]
    principle: str
    body: str
    source: Source
    updated: dt.datetime | None = None
    reviewed: tuple[str, ...] = ()

    kind = Kind.CONVERSATION

    @property
    def published(self) -> dt.datetime:
        """When the conversations began: what orders records and places them in a month."""
        return self.period.start

    @property
    def conversations(self) -> int:
        return sum(count for _, count in self.topics)


Item = Story | PledgeUpdate | Response | Conversation


@hashed_once
@dataclass(frozen=True)
class Unchecked:
    """A file whose words are screened though it is not a valid item: a contributed file with a wrong field
    or front matter that cannot be read (never published, but a mistake in one field must never hide a crisis
    or personal data from the editors), or an editor's page under `docs/` (published by MkDocs). `fields`
    holds each text found in the front matter under its field's name; a file whose front matter cannot be read
    is all `body`, from its first line."""

    source: Source
    fields: tuple[tuple[str, str], ...]
    body: str
