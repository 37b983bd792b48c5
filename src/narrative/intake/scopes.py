"""What a subscription follows, written as one short string the store keeps: `all`, `stories`, `pledge`,
`topic:<slug>`, `principle:<slug>` or `story:<slug>`; what it means in plain words; and which items of a
digest it takes.

A story's followers get its responses and the pledge updates that cite it, not the story again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from narrative.config import Settings
from narrative.digests import Answer, Digest, Period, answers_between, week_of
from narrative.model import SLUG, PledgeUpdate, Story
from narrative.site import Site

KINDS = ("all", "stories", "pledge", "topic", "principle", "story")
FREQUENCIES = ("instant", "daily", "weekly")
HOW_OFTEN = {"instant": "an email each time something new is published",
             "daily": "one email a day, on days something new is published",
             "weekly": "one email a week, in weeks something new is published"}


class ScopeError(ValueError):
    """What to follow was not one of the choices; the message says what to choose."""


def parse(kind: str, slug: str, settings: Settings) -> str:
    """The scope a sign-up form asks for: the kind chosen and, for a topic, principle or story, which one."""
    if kind not in KINDS:
        raise ScopeError("Choose what you would like emails about")
    if kind in ("all", "stories", "pledge"):
        return kind
    allowed = {"topic": settings.topic_slugs, "principle": settings.principle_slugs}.get(kind)
    if (allowed is not None and slug not in allowed) or (allowed is None and not SLUG.match(slug)):
        raise ScopeError(f"Choose a {'pledge principle' if kind == 'principle' else kind} to follow")
    return f"{kind}:{slug}"


def describe(scope: str, settings: Settings, site: Site | None = None) -> str:
    """The scope in plain words, to finish `emails about ...`; a followed story by its title when the site
    is at hand (when sending), else by its address (the service does not read the stories)."""
    kind, _, slug = scope.partition(":")
    story = site.story(slug) if site is not None and kind == "story" else None
    if story is not None:
        return f"responses to the story “{story.title}” and pledge updates citing it"
    if kind == "all":
        return "every new story and pledge update"
    if kind == "stories":
        return "every new story"
    if kind == "pledge":
        return "every new pledge update"
    if kind == "topic" and slug in settings.topic_slugs:
        return f"new stories and pledge updates on {settings.topic(slug).label}"
    if kind == "principle" and slug in settings.principle_slugs:
        return f"new pledge updates on “{settings.principle(slug).name}”"
    if kind == "story":
        return f"responses to the story at {settings.site_url or '/'}stories/{slug}/ and pledge updates citing it"
    return "a topic or principle the site no longer has"


def takes(scope: str, item: Story | PledgeUpdate | Answer) -> bool:
    """Whether an item belongs in a scope's emails."""
    kind, _, slug = scope.partition(":")
    if kind == "story":
        return (isinstance(item, Answer) and item.story.slug == slug) or \
               (isinstance(item, PledgeUpdate) and slug in item.stories)
    if isinstance(item, Answer):
        return False
    if kind == "all":
        return True
    if kind == "stories":
        return isinstance(item, Story)
    if kind == "pledge":
        return isinstance(item, PledgeUpdate)
    if kind == "topic":
        return slug in item.topics
    return kind == "principle" and isinstance(item, PledgeUpdate) and item.principle == slug


def narrow(digest: Digest, scope: str) -> Digest | None:
    """The digest with only the items the scope takes, or None when it takes none of them."""
    items = tuple(item for item in digest.items if takes(scope, item))
    if not items:
        return None
    return digest if len(items) == len(digest.items) else dataclasses.replace(digest, items=items)


def with_answers(site: Site, digests: list[Digest], period: Period, first: dt.date, last: dt.date) -> list[Digest]:
    """The period's digests with the responses published in it: each response an instant digest of its own,
    or added to the day's or week's digest (which is made when only responses were published)."""
    answers = answers_between(site, first, last)
    if not answers:
        return digests
    if period is Period.INSTANT:
        return [*digests, *(Digest(Period.INSTANT, f"response/{answer.slug}", first, last, (answer,))
                            for answer in answers)]
    if not digests:
        key = first.isoformat() if period is Period.DAILY else week_of(first)[0]
        return [Digest(period, key, first, last, tuple(answers))]
    return [dataclasses.replace(digest, items=(*digest.items, *answers)) for digest in digests]
