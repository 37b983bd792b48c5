"""The impact figures as open data: a CSV and a JSON file for each table, described by a Frictionless Data
Package (`datapackage.json`), under the licence the settings name.

Every count is published as `suppression.protect` allows, with each table's total, so a small number is
withheld here exactly as on the impact page. The tables are made from `impact.measure`, never counted again.
Standard library only: the package is plain JSON, and the tests validate it with the `frictionless` library.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from narrative.impact import Impact, measure
from narrative.presentation import long_date
from narrative.site import Site
from narrative.suppression import MARKERS, RULE, Cell, protect_columns

FOLDER = "impact/data/"
"""Where the files go under the site root."""
PACKAGE = "datapackage.json"
TOTAL = "Total"
"""The label of each table's last row, the sum of the rows above it."""


@dataclass(frozen=True)
class Column:
    """One column of a table, as the package's schema describes it."""

    name: str
    title: str
    description: str


@dataclass(frozen=True)
class Table:
    """One table of figures: a column of labels, then counts; `total` adds a row of each column's sum."""

    name: str
    title: str
    description: str
    key: Column
    columns: tuple[Column, ...]
    rows: tuple[tuple[str, tuple[int, ...]], ...]
    total: bool = True

    def cells(self) -> list[list[Cell]]:
        """The rows as published: small counts withheld, column by column, and the total row last."""
        published = protect_columns([values for _, values in self.rows], len(self.columns), self.total)
        labels = [label for label, _ in self.rows] + ([TOTAL] if self.total else [])
        return [[label, *cells] for label, cells in zip(labels, published)]

    @property
    def fields(self) -> tuple[Column, ...]:
        return (self.key, *self.columns)

    def csv(self) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([field.name for field in self.fields])
        writer.writerows(self.cells())
        return out.getvalue().encode("utf-8")

    def json(self) -> bytes:
        names = [field.name for field in self.fields]
        rows = [dict(zip(names, cells)) for cells in self.cells()]
        return (json.dumps(rows, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


CONVERSATIONS = Column("conversations", "Conversations", "Conversations held, each counted once")


def _counts(name: str, title: str, description: str, key: Column, found: Sequence[tuple[str, int]]) -> Table:
    return Table(name, title, description, key, (CONVERSATIONS,), tuple((label, (value,)) for label, value in found))


def tables(impact: Impact) -> tuple[Table, ...]:
    """Every table the package holds, in the order the impact page shows its charts."""
    answered = impact.responses
    return (
        _counts("conversations-by-month", "Conversations by month",
                "Conversations held in each month; a record of several days counts in the month they began.",
                Column("month", "Month", "Year and month, as YYYY-MM"),
                [(count.code, count.value) for count in impact.by_month]),
        _counts("conversations-by-topic", "Conversations by topic",
                "Conversations mainly about each topic; a story about several topics counts under each, so the "
                "total can be more than the number of conversations.",
                Column("topic", "Topic", "The topic, as the site names it"),
                [(count.label, count.value) for count in impact.by_topic]),
        _counts("conversations-by-channel", "Conversations by how they were held",
                "Conversations held through each channel; stories that name no record of conversations were "
                "shared with us directly.", Column("channel", "Channel", "How the conversations were held"),
                [(count.label, count.value) for count in impact.by_channel]),
        _counts("conversations-by-place", "Conversations by place", "Conversations held at each place.",
                Column("place", "Place", "Where the conversations were held"),
                [(count.label, count.value) for count in impact.by_place]),
        Table("by-principle", "Conversations and pledge updates by principle",
              "Conversations recorded as serving each principle of the pledge (stories name no principle), and "
              "the pledge updates on it by status.", Column("principle", "Principle", "The pledge's principle"),
              (Column("conversations", "Conversations", "Conversations recorded as serving the principle"),
               Column("updates_done", "Updates done", "Pledge updates done"),
               Column("updates_in_progress", "Updates in progress", "Pledge updates in progress"),
               Column("updates_planned", "Updates planned", "Pledge updates planned")),
              tuple((principle.name, (principle.conversations, *principle.counts)) for principle in impact.pledge)),
        Table("responses", "Responses and the changes they led to",
              "Our responses to published stories, and the stories whose latest response names a change planned "
              "or made. These are different measures, so they have no total.",
              Column("measure", "What is counted", "What the number counts"),
              (Column("number", "Number", "The count"),),
              (("Responses given", (answered.given,)), ("Stories with a response", (answered.stories,)),
               ("Stories that led to a change planned", (answered.changes_planned,)),
               ("Stories that led to a change made", (answered.changes_made,))), total=False),
    )


def _resource(table: Table, extension: str, media_type: str) -> dict[str, object]:
    return {
        "name": f"{table.name}-{extension}",
        "path": f"{table.name}.{extension}",
        "title": table.title,
        "description": table.description,
        "format": extension,
        "mediatype": media_type,
        "encoding": "utf-8",
        "profile": "tabular-data-resource",
        "schema": {
            "fields": [{"name": field.name, "title": field.title, "description": field.description,
                        "type": "string" if field is table.key else "integer"} for field in table.fields],
            "missingValues": ["", *MARKERS],
        },
    }


def package(site: Site, impact: Impact, found: Sequence[Table]) -> dict[str, object]:
    """The Data Package describing every file, with the licence, the rule for small numbers and when the
    figures last changed."""
    settings = site.settings
    updated = impact.updated
    described: dict[str, object] = {
        "profile": "tabular-data-package",
        "name": re.sub(r"[^a-z0-9]+", "-", f"{settings.organisation} impact".lower()).strip("-"),
        "title": f"{settings.site_name}: our impact in figures",
        "description": (f"How many conversations {settings.organisation} has held, about what, where and how, "
                        f"and what changed as a result. Each conversation is counted once. {RULE} '<5' and '[c]' "
                        "are read as missing values."),
        "licenses": [{"name": settings.licence.name, "title": settings.licence.title,
                      "path": settings.licence.path}],
        "resources": [resource for table in found for resource in
                      (_resource(table, "csv", "text/csv"), _resource(table, "json", "application/json"))],
    }
    if settings.site_url:
        described["homepage"] = f"{settings.site_url}impact/"
    if updated is not None:
        described["created"] = updated.astimezone(settings.zone).isoformat()
    return described


@dataclass(frozen=True)
class Download:
    """A table as the impact page links it."""

    title: str
    csv: str
    json: str


def downloads(impact: Impact) -> tuple[Download, ...]:
    return tuple(Download(table.title, _file(table, "csv"), _file(table, "json")) for table in tables(impact))


FORMATS = ("csv", "json")
"""Each table is written in these, as `<name>.<format>`."""


def _file(table: Table, extension: str) -> str:
    """Where a table is written in one format, under the site root."""
    return f"{FOLDER}{table.name}.{extension}"


def last_updated(impact: Impact) -> str | None:
    """When the figures last changed, as the page says it."""
    return long_date(impact.updated) if impact.updated else None


def files(site: Site, impact: Impact | None = None) -> dict[str, bytes]:
    """Every file of the open data, by its path under the site root: made from the settings and the site's
    `impact` (measured here when not given) alone."""
    impact = measure(site) if impact is None else impact
    found = tables(impact)
    written = {_file(table, extension): data for table in found
               for extension, data in zip(FORMATS, (table.csv(), table.json()), strict=True)}
    written[FOLDER + PACKAGE] = (json.dumps(package(site, impact, found), ensure_ascii=False, indent=2)
                                 + "\n").encode("utf-8")
    return written


def paths(impact: Impact) -> list[str]:
    """Where `files` writes the open data."""
    return [*(_file(table, extension) for table in tables(impact) for extension in FORMATS), FOLDER + PACKAGE]
