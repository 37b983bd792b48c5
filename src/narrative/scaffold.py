"""New content files from templates: every field in place, so the editor only fills in the words; until they
do, the check says what is left to write (`fields.PLACEHOLDERS`), and a new story is a draft. New sites from the
starter (`starter/`): the folders, a `mkdocs.yml` explaining every setting, the workflows, the hook and one
example of each kind of content, which builds and passes the check at once."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import unicodedata
from pathlib import Path

from narrative import __version__, schema
from narrative.config import Settings
from narrative.fields import (RESERVED_SLUGS, RESPONDER, RESPONSE_BODY, STORY_BODY, STORY_SUMMARY, UPDATE_BODY,
                              UPDATE_SUMMARY)
from narrative.model import SLUG, TITLE_LIMIT, Kind
from narrative.presentation import one_line

TEMPLATES = {
    Kind.STORY: f"""---
title: {{title}}
date: {{date}}
status: draft
summary: {STORY_SUMMARY}
topics: [{{topic}}]
# The editor records the contributor's agreement to publication: given: true, the date and how.
consent:
  given:
  date:
  how:
# author: the name they want shown (leave out to show "Anonymous")
# role: patient, carer, family member, volunteer, staff ...
# location: where the story was gathered
# content_note: a short warning shown before a sensitive story
---
{STORY_BODY}
""",
    Kind.UPDATE: f"""---
title: {{title}}
date: {{date}}
summary: {UPDATE_SUMMARY}
principle: {{principle}}
status: planned
# stories: [slugs of the stories that prompted this]
# topics: [{{topic}}]
---
{UPDATE_BODY}
""",
    Kind.RESPONSE: f"""---
story: {{story}}
date: {{date}}
responder: {RESPONDER}
# change: planned or made
---
{RESPONSE_BODY}
""",
    Kind.CONVERSATION: """---
# The day of the conversations, or the first and last of several: {date} to {date}
date: {date}
# How they were held: {channels}
channel: {channel}
place: {place}
# How many people you spoke with, and how many conversations were mainly about each topic: the check
# reports the 0s until you write the real numbers
people: 0
conversations: {{{topic}: 0}}
principle: {principle}
---
A short note on what people told us, if you like (no names or personal details).
""",
}
"""A new file's words: a story starts as a draft, its consent for the editor to record, and the template's
summary and text fail the check until someone writes their own; a conversation record's numbers are 0s, which
fail it too, so that a record left unfilled never counts."""


class ScaffoldError(ValueError):
    """The file cannot be written; the message says why and what to do."""


class MissingArgument(ScaffoldError):
    """The command lacks what this kind of file needs (a title, or the story a response answers)."""


def slugify(title: str) -> str:
    """`Ward 7: the night staff` → `ward-7-the-night-staff`; accents are kept as plain letters."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_title.lower()))[:60].strip("-")


def new_file(kind: Kind, settings: Settings, title: str | None = None, story: str | None = None,
             today: dt.date | None = None) -> Path:
    """Write a new file of `kind` and return its path; never overwrites an existing file. A conversation
    record's `title` is the place the conversations were held, which names its file with the day."""
    today = today or dt.datetime.now(settings.zone).date()
    if kind is Kind.CONVERSATION:
        if not title or not title.strip():
            raise MissingArgument("a conversation record says where the conversations were held: give the "
                                  "place with --place")
        slug = _unused(settings.stories_path / kind.folder, f"{slugify(title) or 'conversations'}-{today.isoformat()}")
    elif kind is Kind.RESPONSE:
        if not story:
            raise MissingArgument("a response answers a story: give its slug with --story")
        if not SLUG.match(story) or not any((settings.stories_path / Kind.STORY.folder).rglob(f"{story}.md")):
            raise ScaffoldError(f"no story is called '{story}' in {settings.stories_dir}/{Kind.STORY.folder}/")
        slug = _unused(settings.stories_path / kind.folder, f"{story}-response-{today.isoformat()}")
        title = None
    else:
        if not title or not title.strip():
            raise MissingArgument("give the title with --title")
        slug = slugify(title)
        if slug in RESERVED_SLUGS:  # `index.md` is the list page's: `index-story.md`, as the check would accept
            slug = f"{slug}-{'story' if kind is Kind.STORY else 'update'}"
        if not slug:
            raise ScaffoldError(f"the title '{title}' has no letters or digits to make a file name from")
        if (length := len(one_line(title))) > TITLE_LIMIT:
            raise ScaffoldError(f"the title is {length} characters long: keep it to "
                                f"{TITLE_LIMIT} or fewer")
    path = settings.stories_path / kind.folder / f"{slug}.md"
    if path.exists():
        raise ScaffoldError(f"{path} already exists: choose another title or edit that file")
    text = TEMPLATES[kind].format(
        title=_yaml_text(title or ""), date=today.isoformat(), topic=settings.topics[0].slug,
        principle=settings.principles[0].slug, story=story, place=_yaml_text(title or ""),
        channel=settings.channels[0].slug, channels=", ".join(settings.channel_slugs),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _unused(folder: Path, slug: str) -> str:
    """`slug`, or `slug-2`, `slug-3` ... when a file of that name exists: two responses on one day."""
    candidates = (slug if n == 1 else f"{slug}-{n}" for n in itertools.count(1))
    return next(candidate for candidate in candidates if not (folder / f"{candidate}.md").exists())


def _yaml_text(value: str) -> str:
    """A title quoted for YAML, so that a colon or a leading dash in it cannot change its meaning."""
    escaped = one_line(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


STARTER = Path(__file__).with_name("starter")
"""A new site's files. Names starting `dot-` start with a dot in the site (`.github/`): package data leaves out
names that start with one."""
SCHEMA_FILE = ".vscode/narrative.schema.json"
"""Where a new site keeps the settings' schema, for its editor (`.vscode/settings.json` points at it)."""


def new_site(folder: Path) -> list[Path]:
    """A new site of one's own in `folder` (made, or empty); returns the files written, never over anything."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ScaffoldError(f"{folder} is not empty: give the name of a new folder, or of an empty one")
    files = {Path(*(part.replace("dot-", ".", 1) if part.startswith("dot-") else part
                    for part in source.relative_to(STARTER).parts)): source.read_bytes()
             for source in sorted(STARTER.rglob("*")) if source.is_file() and "__pycache__" not in source.parts}
    files[Path("requirements.txt")] = f"narrative=={__version__}\n".encode()
    files[Path(SCHEMA_FILE)] = schema.text().encode()
    for relative, data in files.items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_bytes(data)
    return [folder / relative for relative in files]
