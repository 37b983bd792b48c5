"""What the stories add up to: the counts on the impact page, worked out once per build from the site.

`measure()` is a pure function of a `Site` and only counts what the site shows (public stories, responses to
them, pledge updates), so a withdrawn story or a draft never adds to a figure. `charts()` puts the counts into
words and hands them to `charts.py` to draw.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from narrative.charts import Chart, Row, number
from narrative.model import Change, Progress, Story
from narrative.presentation import one_line, percent, plural
from narrative.site import Site

NOT_RECORDED = "Not recorded"
"""The place shown for stories that do not say where they were gathered."""
PROGRESS_ORDER = (Progress.DONE, Progress.IN_PROGRESS, Progress.PLANNED)
"""Furthest first, as the pledge pages list them."""


@dataclass(frozen=True)
class Count:
    """One labelled number."""

    label: str
    value: int


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
    """One principle's pledge updates, counted by status in `PROGRESS_ORDER`."""

    name: str
    counts: tuple[int, ...]


@dataclass(frozen=True)
class Impact:
    """Every figure the impact page shows."""

    conversations: int
    """Published stories: each is one conversation."""
    aspiration: int | None
    by_topic: tuple[Count, ...]
    by_month: tuple[Count, ...]
    by_place: tuple[Count, ...]
    responses: Responses
    pledge: tuple[PrincipleProgress, ...]


def by_topic(site: Site) -> tuple[Count, ...]:
    """Stories on each topic, most first; topics with none stay in, so a gap shows."""
    counts = [Count(topic.label, len(site.stories_on(topic.slug))) for topic in site.settings.topics]
    return tuple(sorted(counts, key=lambda count: -count.value))


def by_month(site: Site) -> tuple[Count, ...]:
    """Stories shared in each month, oldest first, from the first month to the last with empty months kept."""
    zone = site.settings.zone
    months = Counter((moment.year, moment.month) for moment in (s.published.astimezone(zone) for s in site.stories))
    if not months:
        return ()
    (year, month), last = min(months), max(months)
    counts = []
    while (year, month) <= last:
        counts.append(Count(f"{dt.date(year, month, 1):%B %Y}", months[(year, month)]))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(counts)



def by_place(site: Site) -> tuple[Count, ...]:
    """Stories by where they were gathered, most first; stories that do not say come last."""
    counts = Counter(_place(story) for story in site.stories)
    ordered = sorted(counts.items(), key=lambda item: (item[0] == NOT_RECORDED, -item[1], item[0]))
    return tuple(Count(label, value) for label, value in ordered)


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


def pledge(site: Site) -> tuple[PrincipleProgress, ...]:
    """Each principle's updates by status, in the pledge's order."""
    return tuple(PrincipleProgress(principle.name, _by_status(site, principle.slug))
                 for principle in site.settings.principles)


def _by_status(site: Site, principle: str) -> tuple[int, ...]:
    counts = site.progress_counts(principle)
    return tuple(counts[status] for status in PROGRESS_ORDER)


def measure(site: Site) -> Impact:
    """Every figure of the impact page, counted once."""
    return Impact(len(site.stories), site.settings.aspiration, by_topic(site), by_month(site), by_place(site),
                  responses(site), pledge(site))


def _most(counts: tuple[Count, ...], unit: str, unit_plural: str) -> str:
    if not counts or not max(count.value for count in counts):
        return "There are none yet."
    top = max(counts, key=lambda count: count.value)
    return f"The longest bar is {top.label}, with {plural(top.value, unit, unit_plural)}."


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
    table_note = "The numbers are in the table."
    found.append(Chart(
        "chart-topics", "Stories by topic",
        f"A bar for each topic, showing how many stories are about it. {_most(impact.by_topic, 'story', 'stories')} "
        f"{table_note}",
        "Topic", ("Stories",), tuple(Row(count.label, (count.value,)) for count in impact.by_topic),
        "A story can be about more than one topic, so these add up to more than the number of stories."))
    found.append(Chart(
        "chart-months", "Stories by month",
        f"A bar for each month, oldest first, showing how many stories were shared in it. "
        f"{_most(impact.by_month, 'story', 'stories')} {table_note}",
        "Month", ("Stories",), tuple(Row(count.label, (count.value,)) for count in impact.by_month)))
    found.append(Chart(
        "chart-places", "Where we heard stories",
        f"A bar for each place where stories were gathered. {_most(impact.by_place, 'story', 'stories')} "
        f"{table_note}",
        "Place", ("Stories",), tuple(Row(count.label, (count.value,)) for count in impact.by_place)))
    answered = impact.responses
    found.append(Chart(
        "chart-responses", "Our responses and the changes they led to",
        f"{plural(answered.given, 'response')} given to {plural(answered.stories, 'story', 'stories')}; "
        f"changes planned after {plural(answered.changes_planned, 'story', 'stories')} and made after "
        f"{plural(answered.changes_made, 'story', 'stories')}.",
        "What we count", ("Number",),
        (Row("Responses given", (answered.given,)), Row("Stories with a response", (answered.stories,)),
         Row("Stories that led to a change we have planned", (answered.changes_planned,)),
         Row("Stories that led to a change we have made", (answered.changes_made,))),
        "When a response first plans a change and a later one says it is made, the story counts as a change made."))
    statuses = tuple(status.label for status in PROGRESS_ORDER)
    done = sum(principle.counts[0] for principle in impact.pledge)
    total = sum(sum(principle.counts) for principle in impact.pledge)
    found.append(Chart(
        "chart-pledge", "Pledge updates by principle and status",
        f"A bar for each principle of the pledge, split into updates done, in progress and planned. "
        f"{done} of {plural(total, 'update')} are done. {table_note}",
        "Principle", statuses, tuple(Row(principle.name, principle.counts) for principle in impact.pledge)))
    return tuple(found)
