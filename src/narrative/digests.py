"""Digests: which items an instant, daily or weekly email carries, by the calendar of the site's time zone.

Only selection lives here (no rendering, no files): a daily digest holds one calendar day in the site's zone
(so a day across a clock change is 23 or 25 hours long), a weekly one the ISO week, Monday to Sunday, that
contains a date, and an instant one a single item. The archive the build keeps is bounded by
`digest.archive_days` back from the newest item, so its cost follows the window, not the whole history.
"""

from __future__ import annotations

import datetime as dt
import enum
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from narrative.model import Kind, PledgeUpdate, Response, Story
from narrative.presentation import long_date
from narrative.site import Site

Published = Story | PledgeUpdate
FOLDER = "digests/"
"""Where the archive of digests lives under the site root."""


class Period(enum.Enum):
    """How much a digest covers."""

    INSTANT = "instant"
    DAILY = "daily"
    WEEKLY = "weekly"


@dataclass(frozen=True)
class Answer:
    """A response as an item of the emails sent to those who follow its story: titled and linked by the story,
    summed up by who answered (its text is on the story's page, shown in full with the story)."""

    response: Response
    story: Story

    kind = Kind.RESPONSE

    @property
    def slug(self) -> str:
        return self.response.slug

    @property
    def published(self) -> dt.datetime:
        return self.response.published

    @property
    def updated(self) -> dt.datetime | None:
        return self.response.updated

    @property
    def title(self) -> str:
        return f"Our response to “{self.story.title}”"

    @property
    def summary(self) -> str:
        change = f" {self.response.change.label}." if self.response.change else ""
        return f"{self.response.responder} has answered this story.{change}"

    @property
    def url(self) -> str:
        return f"{self.story.url}#our-response"


@dataclass(frozen=True)
class Digest:
    """One digest: its period, its key in the archive's URL, the days it covers and its items, newest first."""

    period: Period
    key: str
    first_day: dt.date
    last_day: dt.date
    items: tuple[Published | Answer, ...]

    @property
    def folder(self) -> str:
        """Where its files go under a digests folder: `daily/2026-03-14/`, `weekly/2026-W11/`, `instant/<slug>/`."""
        return f"{self.period.value}/{self.key}/"

    @property
    def url(self) -> str:
        """The archive page's address under the site root; the email files sit beside its `index.html`."""
        return f"{FOLDER}{self.folder}"

    @property
    def title(self) -> str:
        """What the digest is about, as a heading and a subject line say it."""
        if self.period is Period.INSTANT:
            return self.items[0].title
        if self.period is Period.DAILY:
            return f"New on {long_date(self.first_day)}"
        return f"New in the week of {date_range(self.first_day, self.last_day)}"

    @property
    def name(self) -> str:
        """What it covers, short, for a list of one period's digests: a day, a week or an item's title."""
        if self.period is Period.INSTANT:
            return self.items[0].title
        if self.period is Period.DAILY:
            return long_date(self.first_day)
        return date_range(self.first_day, self.last_day)

    @property
    def label(self) -> str:
        """Its period and what it covers: the archive page's title."""
        return f"{self.period.value.capitalize()} digest: {self.name}"


def kind_label(item: Published | Answer) -> str:
    if isinstance(item, Answer):
        return "Response"
    return "Story" if isinstance(item, Story) else "Pledge update"


def answers_between(site: Site, first: dt.date, last: dt.date) -> list[Answer]:
    """The responses to public stories published from `first` to `last` (inclusive), newest first."""
    zone = site.settings.zone
    found = [Answer(response, story) for response in site.responses
             if first <= response.published.astimezone(zone).date() <= last
             and (story := site.story(response.story)) is not None]
    return sorted(found, key=lambda answer: answer.published, reverse=True)


def date_range(first: dt.date, last: dt.date) -> str:
    """`9 to 15 March 2026`, `30 March to 5 April 2026`, `28 December 2026 to 3 January 2027`."""
    if first.year != last.year:
        return f"{long_date(first)} to {long_date(last)}"
    if first.month != last.month:
        return f"{first.day} {first:%B} to {long_date(last)}"
    return f"{first.day} to {long_date(last)}"


def local_day(item: Published, zone: zoneinfo.ZoneInfo) -> dt.date:
    """The calendar day an item was published on, in the site's zone."""
    return item.published.astimezone(zone).date()


def week_of(day: dt.date) -> tuple[str, dt.date, dt.date]:
    """The ISO week holding `day`: its key (`2026-W53`), Monday and Sunday."""
    year, week, weekday = day.isocalendar()
    monday = day - dt.timedelta(days=weekday - 1)
    return f"{year}-W{week:02d}", monday, monday + dt.timedelta(days=6)


def instant_key(item: Published) -> str:
    """A story's instant digest lives at `digests/instant/<slug>/`, an update's at `.../instant/pledge/<slug>/`,
    so a story and an update that share a slug never share an address."""
    return item.slug if isinstance(item, Story) else f"pledge/{item.slug}"


def instant(item: Published, zone: zoneinfo.ZoneInfo) -> Digest:
    day = local_day(item, zone)
    return Digest(Period.INSTANT, instant_key(item), day, day, (item,))


def _between(items: Sequence[Published], first: dt.date, last: dt.date,
             zone: zoneinfo.ZoneInfo) -> Iterable[Published]:
    """Items published from `first` to `last` (inclusive); `items` are newest first, so the scan stops early."""
    for item in items:
        day = local_day(item, zone)
        if day < first:
            return
        if day <= last:
            yield item


def span(period: Period, day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the period that holds `day`: the ISO week for `weekly`, else the day."""
    if period is Period.WEEKLY:
        _, monday, sunday = week_of(day)
        return monday, sunday
    return day, day


def for_date(site: Site, period: Period, day: dt.date) -> list[Digest]:
    """The digests of the period that holds `day`: none when nothing was published in it; for `instant`,
    one for each item published that day."""
    zone = site.settings.zone
    first, last = span(period, day)
    items = tuple(_between(site.published_items, first, last, zone))
    if period is Period.INSTANT:
        return [instant(item, zone) for item in items]
    key = week_of(day)[0] if period is Period.WEEKLY else day.isoformat()
    return [Digest(period, key, first, last, items)] if items else []


def archive_start(site: Site) -> dt.date | None:
    """The first day of the archive window: `archive_days` days ending on the newest item's day."""
    items = site.published_items
    if not items:
        return None
    newest = local_day(items[0], site.settings.zone)
    return newest - dt.timedelta(days=site.settings.digest.archive_days - 1)


def archive(site: Site) -> list[Digest]:
    """Every digest the build keeps, newest first within each period: weekly, then daily, then instant.

    Daily and weekly digests cover the `archive_days` window; a week that began before the window is still
    whole, so its digest reads the same as when it was sent. Instant digests, one per item, go only to the
    newest `feed_items` items in the window: an item's own page is its lasting record, and the instant email
    matters only while the item is new, so a busy site does not make thousands of them on every build."""
    start = archive_start(site)
    if start is None:
        return []
    zone = site.settings.zone
    _, week_start, _ = week_of(start)
    days: dict[dt.date, list[Published]] = defaultdict(list)
    weeks: dict[str, list[Published]] = defaultdict(list)
    bounds: dict[str, tuple[dt.date, dt.date]] = {}
    instants: list[Digest] = []
    for item in site.published_items:
        day = local_day(item, zone)
        if day < week_start:
            break
        key, monday, sunday = week_of(day)
        weeks[key].append(item)
        bounds[key] = (monday, sunday)
        if day >= start:
            days[day].append(item)
            if len(instants) < site.settings.feed_items:
                instants.append(Digest(Period.INSTANT, instant_key(item), day, day, (item,)))
    return [
        *(Digest(Period.WEEKLY, key, *bounds[key], tuple(items)) for key, items in weeks.items()),
        *(Digest(Period.DAILY, day.isoformat(), day, day, tuple(items)) for day, items in days.items()),
        *instants,
    ]
