"""Checks across files: what no single file can know is wrong on its own.

Each check is a generator of problems; `validate()` chains them, as jsonschema's `iter_errors()` does.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence

from narrative.loader import SourceFile
from narrative.model import SLUG, Conversation, Item, Kind, Story
from narrative.problems import Problem, Severity


def duplicate_slugs(files: Sequence[SourceFile]) -> Iterator[Problem]:
    """Two files of one kind with one slug would share an address: the later one would hide the earlier."""
    seen: dict[tuple[Kind, str], list[SourceFile]] = defaultdict(list)
    for file in files:
        seen[file.kind, file.slug].append(file)
    for (_, slug), same in seen.items():
        for file in same[1:]:
            yield Problem(file.path, 1, None, f"has the same name '{slug}.md' as {same[0].path}: rename one of "
                          "them, as both would have the same address", "duplicate-slug")


def _named_stories(file: SourceFile) -> Iterator[tuple[str, str]]:
    """The stories a file names, with the field that names them, read from the file as written: a mistake in
    another field (a bad `change:`) must not hide a reference to a story that does not exist."""
    field = {Kind.RESPONSE: "story", Kind.UPDATE: "stories"}.get(file.kind)
    if field is None:
        return
    named = file.meta.get(field)
    for slug in named if isinstance(named, list) else [named]:
        if isinstance(slug, str) and SLUG.match(slug):
            yield field, slug


def _no_story(slug: str) -> str:
    return f"no story is called '{slug}' (looked for stories/{Kind.STORY.folder}/{slug}.md)"


def story_references(files: Iterable[SourceFile], story_slugs: frozenset[str]) -> Iterator[Problem]:
    """Responses and updates may only name stories that exist."""
    for file in files:
        for name, slug in _named_stories(file):
            if slug not in story_slugs:
                yield Problem(file.path, file.source.line_of(name), name, _no_story(slug), "unknown-story")


def conversation_references(items: Sequence[Item], record_slugs: frozenset[str]) -> Iterator[Problem]:
    """A story may name the conversation record it was gathered in, which must exist and have held at least
    as many conversations as the stories that name it: each of them is counted there, and only there."""
    named: dict[str, list[Story]] = defaultdict(list)
    for item in items:
        if isinstance(item, Story) and item.conversation is not None:
            if item.conversation in record_slugs:
                named[item.conversation].append(item)
            else:
                yield Problem(item.source.path, item.source.line_of("conversation"), "conversation",
                              f"no conversation record is called '{item.conversation}' (looked for "
                              f"stories/{Kind.CONVERSATION.folder}/{item.conversation}.md)", "unknown-conversation")
    for record in items:
        if isinstance(record, Conversation) and len(named[record.slug]) > record.conversations:
            yield Problem(record.source.path, record.source.line_of("conversations"), "conversations",
                          f"adds up to {record.conversations}, but {len(named[record.slug])} stories say they were "
                          "gathered in these conversations: count each of them here", "too-few-conversations")


def translations(items: Iterable[Item], story_slugs: frozenset[str]) -> Iterator[Problem]:
    """A translation names the story it translates: another story that exists."""
    for item in items:
        if not isinstance(item, Story) or item.translation_of is None:
            continue
        if item.translation_of == item.slug:
            yield Problem(item.source.path, item.source.line_of("translation_of"), "translation_of",
                          "names this story itself: give the slug of the story it translates", "self-translation")
        elif item.translation_of not in story_slugs:
            yield Problem(item.source.path, item.source.line_of("translation_of"), "translation_of",
                          _no_story(item.translation_of), "unknown-story")


FAR_AHEAD = dt.timedelta(days=366)
"""A date further ahead than this is most often a mistyped year."""


def future_dates(items: Iterable[Item], now: dt.datetime, hold: bool = True) -> Iterator[Problem]:
    """Items dated after `now` wait for their day (when `hold`): say so, and ask about a year that looks
    mistyped."""
    ahead = now + FAR_AHEAD
    for item in items:
        if item.published > ahead:
            yield Problem(item.source.path, item.source.line_of("date"), "date",
                          f"is {item.published:%-d %B %Y}, more than a year ahead: check the year", "future-date",
                          Severity.WARNING)
        elif item.published > now and hold:
            yield Problem(item.source.path, item.source.line_of("date"), "date",
                          f"is {item.published:%-d %B %Y}, in the future: it waits until that day to be "
                          "published (a preview shows it now)", "future-date", Severity.NOTE)


def review_requests(items: Iterable[Item]) -> Iterator[Problem]:
    """A story's `reviewed:` asks an editor to accept findings; it accepts nothing by itself, and the request is
    always reported, so a contributor cannot quietly approve their own story."""
    for item in items:
        if item.reviewed:
            yield Problem(item.source.path, item.source.line_of("reviewed"), "reviewed",
                          f"asks an editor to accept {', '.join(item.reviewed)}: this accepts nothing by itself; "
                          f"an editor who has checked each finding records it with 'narrative review "
                          f"{item.source.path} --accept KIND'", "review-request", Severity.NOTE)


def validate(files: Sequence[SourceFile], items: Sequence[Item], now: dt.datetime | None = None,
             hold: bool = True) -> Iterator[Problem]:
    """Every cross-file problem, the dates after `now` (the time it is; items then wait for their day when
    `hold`), and requests for review; `files` includes those whose fields were wrong, so one error does not
    hide another (a response to a story with a typo in its date still finds its story)."""
    story_slugs = frozenset(file.slug for file in files if file.kind is Kind.STORY)
    record_slugs = frozenset(file.slug for file in files if file.kind is Kind.CONVERSATION)
    yield from duplicate_slugs(files)
    yield from story_references(files, story_slugs)
    yield from conversation_references(items, record_slugs)
    yield from translations(items, story_slugs)
    yield from future_dates(items, now or dt.datetime.now(dt.timezone.utc), hold)
    yield from review_requests(items)
