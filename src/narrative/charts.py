"""Bar charts drawn at build time as accessible SVG, each with its numbers as an HTML table.

Standard library only, and no JavaScript in what it draws: a chart is an `<svg role="img">` named by its
`<title>` and `<desc>`, and the table beside it carries every number for people who cannot see the bars.
Text keeps its size in pixels while the bars stretch in percentages, so a chart reads as well on a phone as on
a desktop without scaling its words down.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from html import escape

BAR_SPAN = 80.0
"""Percent of the chart's width the longest bar takes; the rest leaves room for the number after it."""
LINE = 20
"""Height in pixels of a line of text (a label line, a legend entry)."""
BAR = 22
"""Height in pixels of a bar."""
GAP = 14
"""Pixels between one row and the next."""
WRAP = 30
"""Characters per line of a label, so that long place names wrap instead of running off a phone's screen."""


@dataclass(frozen=True)
class Row:
    """One bar: its label and a value for each series (one for a plain bar, several for a stacked one)."""

    label: str
    values: tuple[int, ...]
    withheld: tuple[str, ...] = ()
    """For each value, what is shown instead of it where it is withheld (a small number, `<5`), else ''.
    A withheld value has no bar, as the bar's length would tell it."""
    total_withheld: str = ""
    """What a stacked row shows instead of its total, where the total is withheld."""

    @property
    def total(self) -> int:
        return sum(self.values)

    def marker(self, index: int) -> str:
        """What stands in for a value where it is withheld, else ''."""
        return self.withheld[index] if index < len(self.withheld) else ""

    def text(self, index: int) -> str:
        """A value as shown: its number, or what stands in for it."""
        return self.marker(index) or number(self.values[index])

    def drawn(self, index: int) -> bool:
        return not self.marker(index)

    @property
    def total_text(self) -> str:
        return self.total_withheld or number(self.total)


@dataclass(frozen=True)
class Chart:
    """What a chart shows. `key` makes the ids on the page unique; `series` names each value of a row."""

    key: str
    title: str
    description: str
    category: str
    series: tuple[str, ...]
    rows: tuple[Row, ...]
    note: str = ""

    @property
    def stacked(self) -> bool:
        return len(self.series) > 1


@dataclass(frozen=True)
class Figure:
    """A chart drawn: the SVG and the table of its numbers, as HTML ready to place on a page."""

    chart: Chart
    svg: str
    table: str


def number(value: int) -> str:
    """`2,500`: digits grouped as people read them."""
    return f"{value:,}"


def _percent(value: int, largest: int) -> str:
    return f"{BAR_SPAN * value / largest:.2f}" if largest and value else "0"


def _label(lines: list[str], y: int) -> str:
    spans = "".join(f'<tspan x="0" y="{y + LINE * index}">{escape(line)}</tspan>'
                    for index, line in enumerate(lines))
    return f'<text class="nv-chart__label">{spans}</text>'


def _legend(chart: Chart) -> tuple[list[str], int]:
    if not chart.stacked:
        return [], 0
    entries = [
        f'<rect class="nv-chart__bar nv-chart__bar--{index}" x="0" y="{LINE * (index - 1) + 3}" '
        f'width="14" height="14"/><text class="nv-chart__key" x="22" y="{LINE * index - 5}">{escape(name)}</text>'
        for index, name in enumerate(chart.series, start=1)
    ]
    return ['<g class="nv-chart__legend">', *entries, "</g>"], LINE * len(chart.series) + GAP


def _row(chart: Chart, row: Row, top: int, largest: int) -> tuple[str, int]:
    lines = textwrap.wrap(row.label, WRAP) or [""]
    bar_top = top + LINE * len(lines) + 4
    parts, start = [], 0
    for index, (name, value) in enumerate(zip(chart.series, row.values), start=1):
        if value and row.drawn(index - 1):
            shown = row.text(index - 1)
            tip = f"{row.label}: {shown} {name.lower()}" if chart.stacked else f"{row.label}: {shown}"
            parts.append(f'<rect class="nv-chart__bar nv-chart__bar--{index}" x="{_percent(start, largest)}%" '
                         f'y="{bar_top}" width="{_percent(value, largest)}%" height="{BAR}">'
                         f"<title>{escape(tip)}</title></rect>")
            start += value
    shown_total = row.total_text if chart.stacked else row.text(0)
    value_text = (f'<text class="nv-chart__value" x="{_percent(start, largest)}%" dx="6" '
                  f'y="{bar_top + BAR - 6}">{escape(shown_total)}</text>')
    markup = f'<g class="nv-chart__row">{_label(lines, top + LINE - 5)}{"".join(parts)}{value_text}</g>'
    return markup, LINE * len(lines) + 4 + BAR + GAP


def svg(chart: Chart) -> str:
    """The chart as an `<svg role="img">` labelled by its title and description; no script, no external file."""
    largest = max((sum(value for index, value in enumerate(row.values) if row.drawn(index)) for row in chart.rows),
                  default=0)
    body, height = _legend(chart)
    for row in chart.rows:
        markup, row_height = _row(chart, row, height, largest)
        body.append(markup)
        height += row_height
    ids = f"{chart.key}-title {chart.key}-desc"
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="nv-chart__svg" role="img" aria-labelledby="{ids}" '
            f'width="100%" height="{height}" focusable="false">'
            f'<title id="{chart.key}-title">{escape(chart.title)}</title>'
            f'<desc id="{chart.key}-desc">{escape(chart.description)}</desc>'
            f'{"".join(body)}</svg>')


def table(chart: Chart) -> str:
    """Every number of the chart as a table: one row per bar, a column per series (and a total when stacked).

    Each number carries its column's name (`data-label`), so that on a narrow screen the stylesheet can stack a
    wide table's rows instead of scrolling sideways; the ARIA roles keep it a table to a screen reader then,
    as Safari drops a table's meaning once its rows are drawn as blocks."""
    columns = [*chart.series, "Total"] if chart.stacked else list(chart.series)
    head = "".join(f'<th scope="col" role="columnheader">{escape(name)}</th>' for name in [chart.category, *columns])
    rows = []
    for row in chart.rows:
        values = [row.text(index) for index in range(len(row.values))]
        values += [row.total_text] if chart.stacked else []
        cells = "".join(f'<td role="cell" data-label="{escape(name)}">{escape(value)}</td>'
                        for name, value in zip(columns, values))
        rows.append(f'<tr role="row"><th scope="row" role="rowheader">{escape(row.label)}</th>{cells}</tr>')
    return (f'<table class="nv-chart__table" id="{chart.key}-table" role="table">'
            f"<caption>{escape(chart.title)}: the numbers</caption>"
            f'<thead role="rowgroup"><tr role="row">{head}</tr></thead>'
            f"<tbody role=\"rowgroup\">{''.join(rows)}</tbody></table>")


def figure(chart: Chart) -> Figure:
    """The chart drawn and tabulated, once per build."""
    return Figure(chart, svg(chart), table(chart))
