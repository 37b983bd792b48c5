"""The site the content forms: every item, and the questions pages, feeds and digests ask of them.

Visibility is decided here once (`Status.is_public`), so a withdrawn or draft story cannot leak into one
output while being hidden from another.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TypeVar

from narrative.config import Settings
from narrative.model import Conversation, Item, PledgeUpdate, Progress, Response, Status, Story, Unchecked
from narrative.reviews import Reviews

T = TypeVar("T")


def group(pairs: Iterable[tuple[str, T]]) -> dict[str, tuple[T, ...]]:
    """Values grouped by key, each group in the order the pairs came."""
    grouped: dict[str, list[T]] = defaultdict(list)
    for key, value in pairs:
        grouped[key].append(value)
    return {key: tuple(values) for key, values in grouped.items()}


def newest_first(items: Iterable[Item]) -> list[Item]:
    """Newest first; the slug breaks ties so that every build orders the same way."""
    return sorted(items, key=lambda item: (-item.published.timestamp(), item.slug))


@dataclass(frozen=True)
class Site:
    """All loaded items plus the settings; `preview` shows drafts and items dated in the future, as
    `NARRATIVE_PREVIEW=1` asks."""

    settings: Settings
    all_stories: tuple[Story, ...]
    updates: tuple[PledgeUpdate, ...]
    all_responses: tuple[Response, ...]
    preview: bool = False
    unchecked: tuple[Unchecked, ...] = ()
    """Files that are not valid items: never published, screened all the same."""
    reviews: Reviews = Reviews()
    """The findings editors have accepted."""
    waiting: tuple[Item, ...] = ()
    """Items dated after the build, left out until their day (unless a preview, or `publish_future`)."""
    records: tuple[Conversation, ...] = ()
    """Records of conversations held away from the site, newest first: counted, never published as pages."""

    @classmethod
    def from_items(cls, items: Iterable[Item], settings: Settings, preview: bool = False,
                   unchecked: Iterable[Unchecked] = (), reviews: Reviews = Reviews(),
                   now: dt.datetime | None = None) -> Site:
        """The site of `items`; with `now`, those dated after it wait for their day (not in a preview, or with
        `publish_future`)."""
        cutoff = None if preview or settings.publish_future else now
        due: list[Item] = []
        waiting: list[Item] = []
        for item in newest_first(items):
            (waiting if cutoff is not None and item.published > cutoff else due).append(item)
        return cls(
            settings,
            tuple(item for item in due if isinstance(item, Story)),
            tuple(item for item in due if isinstance(item, PledgeUpdate)),
            tuple(item for item in due if isinstance(item, Response)),
            preview,
            tuple(unchecked),
            reviews,
            tuple(waiting),
            tuple(item for item in due if isinstance(item, Conversation)),
        )

    @property
    def every_item(self) -> tuple[Item, ...]:
        """Every item read from a file, drafts, withdrawn stories, items waiting for their day, responses and
        conversation records too: what the screen reads, as their text is in the repository all the same."""
        return (*self.all_stories, *self.updates, *self.all_responses, *self.records, *self.waiting)

    @property
    def scheduled(self) -> tuple[Item, ...]:
        """The items waiting for their day that will be published then (not drafts or withdrawn stories)."""
        return tuple(item for item in self.waiting if getattr(item, "status", Status.PUBLISHED) is Status.PUBLISHED)

    @cached_property
    def stories(self) -> tuple[Story, ...]:
        """The stories anyone may read, newest first."""
        return tuple(story for story in self.all_stories if story.status.is_public(self.preview))

    @cached_property
    def withdrawn(self) -> tuple[Story, ...]:
        """Stories taken down at their author's request: their old address says so, nothing else shows them."""
        return tuple(story for story in self.all_stories if story.status is Status.WITHDRAWN)

    @cached_property
    def _by_slug(self) -> dict[str, Story]:
        return {story.slug: story for story in self.stories}

    def story(self, slug: str) -> Story | None:
        """A public story by slug, or None when there is none (or it may not be shown)."""
        return self._by_slug.get(slug)

    @cached_property
    def _translations(self) -> dict[str, tuple[Story, ...]]:
        return group((story.translation_of, story) for story in reversed(self.stories) if story.translation_of)

    def versions(self, story: Story) -> tuple[Story, ...]:
        """The other public stories that are the same story in another language: the one it translates and
        that one's other translations, or its own translations; oldest first."""
        original = self.story(story.translation_of) if story.translation_of else story
        if original is None:
            return ()
        family = (original, *self._translations.get(original.slug, ()))
        return tuple(other for other in family if other.slug != story.slug)

    @cached_property
    def responses(self) -> tuple[Response, ...]:
        """Responses to public stories, newest first."""
        return tuple(response for response in self.all_responses if response.story in self._by_slug)

    @cached_property
    def _responses_to(self) -> dict[str, tuple[Response, ...]]:
        return group((response.story, response) for response in reversed(self.responses))

    def responses_to(self, slug: str) -> tuple[Response, ...]:
        """The responses to one story, oldest first, as a conversation reads."""
        return self._responses_to.get(slug, ())

    @cached_property
    def _updates_citing(self) -> dict[str, tuple[PledgeUpdate, ...]]:
        return group((slug, update) for update in self.updates for slug in update.stories)

    def updates_citing(self, slug: str) -> tuple[PledgeUpdate, ...]:
        """Pledge updates prompted by a story: "you said, we did"."""
        return self._updates_citing.get(slug, ())

    def cited_stories(self, update: PledgeUpdate) -> tuple[Story, ...]:
        """The public stories an update answers; withdrawn ones drop out silently."""
        return tuple(story for slug in update.stories if (story := self.story(slug)) is not None)

    @cached_property
    def _stories_on(self) -> dict[str, tuple[Story, ...]]:
        return group((topic, story) for story in self.stories for topic in story.topics)

    def stories_on(self, topic: str) -> tuple[Story, ...]:
        return self._stories_on.get(topic, ())

    @cached_property
    def _updates_for(self) -> dict[str, tuple[PledgeUpdate, ...]]:
        return group((update.principle, update) for update in self.updates)

    def updates_for(self, principle: str) -> tuple[PledgeUpdate, ...]:
        """One principle's updates, newest first."""
        return self._updates_for.get(principle, ())

    def progress_counts(self, principle: str) -> dict[Progress, int]:
        """How many of a principle's updates are planned, in progress and done."""
        counts = dict.fromkeys(Progress, 0)
        for update in self.updates_for(principle):
            counts[update.progress] += 1
        return counts

    @cached_property
    def published_items(self) -> tuple[Story | PledgeUpdate, ...]:
        """Everything that has a page of its own and is public, newest first: what feeds and digests carry."""
        return tuple(newest_first([*self.stories, *self.updates]))  # type: ignore[list-item]
