"""What the conversations add up to: the counts on the impact page, worked out once per build from the site.

`measure()` is a pure function of a `Site` and only counts what the site shows or records (public stories,
responses to them, pledge updates, conversation records), so a withdrawn story or a draft never adds to a
figure. Each conversation is counted once: a conversation record counts the conversations it records; a public
story counts as one more unless it names the record it was gathered in (`conversation:`), which counts it
already, or translates another story (`translation_of:`), which is the same conversation. `charts()` puts the
counts into words, with small numbers withheld as `suppression` says, and hands them to `charts.py` to draw.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from narrative.charts import Chart, Row, number
from narrative.model import Change, Progress, Story
from narrative.presentation import one_line, percent, plural
from narrative.site import Site
from narrative.suppression import PRIMARY, SECONDARY, SMALL, protect, protect_columns, withheld

NOT_RECORDED = "Not recorded"
"""The place shown for stories that do not say where they were gathered."""
ON_THIS_SITE = "Stories shared with us directly"
"""The channel of a story that names no conversation record: told through the form, by email or in person."""
PROGRESS_ORDER = (Progress.DONE, Progress.IN_PROGRESS, Progress.PLANNED)
"""Furthest first, as the pledge pages list them."""


@dataclass(frozen=True)
class Count:
    """One labelled number; `code` names its category for machines (`2026-03`, a slug) where that differs."""

    label: str
    value: int
    code: str = ""


@dataclass(frozen=True)
class Responses:
    """The organisation's answers: how many, to how many stories, and what changed as a result."""

    given: int
    """Responses to public stories."""
    stories: int
    """Public stories with at least one response."""
    changes_planned: int
    """Stories whose latest response that names a change says a change is planned."""
    changes_made: int
    """Stories whose latest response that names a change says a change was made."""


@dataclass(frozen=True)
class PrincipleProgress:
    """One principle's conversation records and pledge updates, the updates by status in `PROGRESS_ORDER`."""

    name: str
    counts: tuple[int, ...]
    conversations: int = 0
    """Conversations recorded as serving the principle."""


@dataclass(frozen=True)
class Impact:
    """Every figure the impact page shows."""

    conversations: int
    """Conversations held, each counted once: records' conversations and the stories not counted in them."""
    aspiration: int | None
    by_topic: tuple[Count, ...]
    by_month: tuple[Count, ...]
    by_place: tuple[Count, ...]
    responses: Responses
    pledge: tuple[PrincipleProgress, ...]
    by_channel: tuple[Count, ...] = ()
    updated: dt.datetime | None = None
    """The newest date of anything counted: when the figures last changed."""


@dataclass(frozen=True)
class Heard:
    """Conversations of one kind, in one place and month, about some topics: a record, or one story."""

    count: int
    topics: tuple[tuple[str, int], ...]
    moment: dt.datetime
    place: str
    channel: str
    principle: str | None = None


def counted_stories(site: Site) -> tuple[Story, ...]:
    """The public stories that count as a conversation of their own: not gathered in a recorded conversation
    (which counts them), and not a translation (the story it translates counts)."""
    return tuple(story for story in site.stories if not story.conversation and not story.translation_of)


def heard(site: Site) -> tuple[Heard, ...]:
    """Every conversation counted, as records and single stories."""
    from_records = (Heard(record.conversations, record.topics, record.published, one_line(record.place),
                          site.settings.channel(record.channel).label, record.principle) for record in site.records)
    from_stories = (Heard(1, tuple((topic, 1) for topic in story.topics), story.published, _place(story),
                          ON_THIS_SITE) for story in counted_stories(site))
    return (*from_records, *from_stories)


def _heard(site: Site, counted: Sequence[Heard] | None) -> Sequence[Heard]:
    """`heard(site)`, unless the caller has worked it out already (`measure` does, once for every figure)."""
    return heard(site) if counted is None else counted


Key = TypeVar("Key")


def _tally(counted: Sequence[Heard], key: Callable[[Heard], Key]) -> Counter[Key]:
    """Conversations counted under each key."""
    counts: Counter[Key] = Counter()
    for each in counted:
        counts[key(each)] += each.count
    return counts


def _most_first(counts: Counter[str], last: Iterable[str] = ()) -> tuple[Count, ...]:
    ordered = sorted(counts.items(), key=lambda item: (item[0] in last, -item[1], item[0]))
    return tuple(Count(label, value) for label, value in ordered)


def by_topic(site: Site, counted: Sequence[Heard] | None = None) -> tuple[Count, ...]:
    """Conversations on each topic, most first; topics with none stay in, so a gap shows."""
    counts = Counter({topic: 0 for topic in site.settings.topic_slugs})
    for each in _heard(site, counted):
        counts.update(dict(each.topics))
    found = [Count(site.settings.topic(slug).label, value, slug) for slug, value in counts.items()]
    return tuple(sorted(found, key=lambda count: -count.value))


def by_month(site: Site, counted: Sequence[Heard] | None = None) -> tuple[Count, ...]:
    """Conversations in each month, oldest first, from the first month to the last with empty months kept; a
    record of several days counts in the month it began."""
    zone = site.settings.zone
    months: Counter[tuple[int, int]] = Counter()
    for each in _heard(site, counted):
        moment = each.moment.astimezone(zone)
        months[moment.year, moment.month] += each.count
    if not months:
        return ()
    (year, month), last = min(months), max(months)
    counts = []
    while (year, month) <= last:
        first = dt.date(year, month, 1)
        counts.append(Count(f"{first:%B %Y}", months[(year, month)], f"{first:%Y-%m}"))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(counts)


def by_place(site: Site, counted: Sequence[Heard] | None = None) -> tuple[Count, ...]:
    """Conversations by where they were held, most first; stories that do not say come last."""
    return _most_first(_tally(_heard(site, counted), lambda each: each.place), last=(NOT_RECORDED,))


def by_channel(site: Site, counted: Sequence[Heard] | None = None) -> tuple[Count, ...]:
    """Conversations by how they were held, most first; every channel stays in, so a gap shows."""
    counts = Counter({channel.label: 0 for channel in site.settings.channels})
    counts[ON_THIS_SITE] += 0
    counts.update(_tally(_heard(site, counted), lambda each: each.channel))
    return _most_first(counts)


def _place(story: Story) -> str:
    return one_line(story.location) if story.location and story.location.strip() else NOT_RECORDED


def responses(site: Site) -> Responses:
    """Responses given and the changes they promise; a change first planned and later made counts as made."""
    latest: dict[str, Change] = {}
    for response in reversed(site.responses):
        if response.change is not None:
            latest[response.story] = response.change
    changes = Counter(latest.values())
    return Responses(len(site.responses), len({response.story for response in site.responses}),
                     changes[Change.PLANNED], changes[Change.MADE])


def pledge(site: Site, counted: Sequence[Heard] | None = None) -> tuple[PrincipleProgress, ...]:
    """Each principle's updates by status and the conversations recorded as serving it, in the pledge's order."""
    served = _tally(_heard(site, counted), lambda each: each.principle)
    return tuple(PrincipleProgress(principle.name, _by_status(site, principle.slug), served[principle.slug])
                 for principle in site.settings.principles)


def _by_status(site: Site, principle: str) -> tuple[int, ...]:
    counts = site.progress_counts(principle)
    return tuple(counts[status] for status in PROGRESS_ORDER)


def last_changed(site: Site) -> dt.datetime | None:
    """The newest date of anything the figures count: a record of several days counts from its last day."""
    items = (*site.stories, *site.responses, *site.updates, *site.records)
    ends = (dt.datetime.combine(record.period.end, dt.time(), site.settings.zone)
            for record in site.records if record.period.end)
    return max((*(moment for item in items for moment in (item.published, item.updated) if moment), *ends),
               default=None)


def measure(site: Site) -> Impact:
    """Every figure of the impact page, counted once."""
    counted = heard(site)
    return Impact(sum(each.count for each in counted), site.settings.aspiration, by_topic(site, counted),
                  by_month(site, counted), by_place(site, counted), responses(site), pledge(site, counted),
                  by_channel(site, counted), last_changed(site))


def rows(counts: Sequence[Count], total: bool = True) -> tuple[Row, ...]:
    """A bar for each count, small ones withheld as `suppression.protect` withholds them from the column with
    its total (`total`), so the page shows what the open data publishes."""
    cells = protect([count.value for count in counts], total)
    return tuple(Row(count.label, (count.value,), (cell if withheld(cell) else "",))
                 for count, cell in zip(counts, cells))


def _most(found: Sequence[Row], unit: str, unit_plural: str) -> str:
    shown = [row for row in found if row.drawn(0) and row.values[0]]
    if not shown:
        return ("There are none yet." if not any(row.total for row in found)
                else "Every count is fewer than 5, so the numbers are withheld.")
    top = max(shown, key=lambda row: row.values[0])
    return f"The longest bar is {top.label}, with {plural(top.values[0], unit, unit_plural)}."


TABLE_NOTE = "The numbers are in the table."


def _counted(key: str, title: str, what: str, category: str, found: tuple[Row, ...], note: str = "") -> Chart:
    return Chart(key, title, f"{what} {_most(found, 'conversation', 'conversations')} {TABLE_NOTE}", category,
                 ("Conversations",), found, note)


def _by_column(values: Sequence[Sequence[int]]) -> list[tuple[str, ...]]:
    """Each row's markers, small numbers withheld column by column, each column with its total."""
    published = protect_columns(values, len(PROGRESS_ORDER))[:len(values)]
    return [tuple(cell if withheld(cell) else "" for cell in cells) for cells in published]


def _row_total(values: Sequence[int], marks: Sequence[str]) -> str:
    """A stacked row's total is withheld when a value in it is, or the total would tell it."""
    if not any(marks):
        return ""
    return PRIMARY if sum(values) in SMALL else SECONDARY


def charts(impact: Impact) -> tuple[Chart, ...]:
    """The impact page's charts, in the order the page shows them, with the words that describe each."""
    found: list[Chart] = []
    if impact.aspiration:
        share = percent(impact.conversations, impact.aspiration)
        found.append(Chart(
            "chart-conversations", "Conversations so far, against our aspiration",
            f"{number(impact.conversations)} conversations so far, against an aspiration of "
            f"{number(impact.aspiration)}: {share}% of the way.",
            "Measure", ("Conversations",),
            (Row("Conversations so far", (impact.conversations,)), Row("Our aspiration", (impact.aspiration,)))))
    found.append(_counted("chart-channels", "Conversations by how they were held",
                          "A bar for each way we hold conversations, showing how many were held that way.",
                          "How", rows(impact.by_channel)))
    found.append(_counted("chart-topics", "Conversations by topic",
                          "A bar for each topic, showing how many conversations were about it.", "Topic",
                          rows(impact.by_topic),
                          "A story can be about more than one topic, so these can add up to more than the number "
                          "of conversations."))
    found.append(_counted("chart-months", "Conversations by month",
                          "A bar for each month, oldest first, showing how many conversations were held in it.",
                          "Month", rows(impact.by_month),
                          "A record of conversations over several days counts in the month they began."))
    found.append(_counted("chart-places", "Where we heard people",
                          "A bar for each place where conversations were held.", "Place", rows(impact.by_place)))
    answered = impact.responses
    answers = (("Responses given", answered.given), ("Stories with a response", answered.stories),
               ("Stories that led to a change we have planned", answered.changes_planned),
               ("Stories that led to a change we have made", answered.changes_made))
    shown = rows([Count(label, value) for label, value in answers], total=False)
    given, stories, planned, made = (row.text(0) for row in shown)
    found.append(Chart(
        "chart-responses", "Our responses and the changes they led to",
        f"Responses given: {given}, to {stories} stories; changes planned after {planned} stories and made after "
        f"{made}.",
        "What we count", ("Number",), shown,
        "When a response first plans a change and a later one says it is made, the story counts as a change made."))
    statuses = tuple(status.label for status in PROGRESS_ORDER)
    markers = _by_column([principle.counts for principle in impact.pledge])
    pledge_rows = tuple(Row(principle.name, principle.counts, marks, _row_total(principle.counts, marks))
                        for principle, marks in zip(impact.pledge, markers))
    found.append(Chart(
        "chart-pledge", "Pledge updates by principle and status",
        f"A bar for each principle of the pledge, split into updates done, in progress and planned. {TABLE_NOTE}",
        "Principle", statuses, pledge_rows))
    return tuple(found)
