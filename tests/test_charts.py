"""Charts as accessible SVG: named by a title and a description, bars in proportion, every number in a table."""

from __future__ import annotations

import lxml.etree
import lxml.html

from narrative.charts import Chart, Row, figure, svg, table

SVG = "{http://www.w3.org/2000/svg}"

TOPICS = Chart("chart-topics", "Stories by topic", "A bar for each topic.", "Topic", ("Stories",),
               (Row("Mental health", (12,)), Row("Carers", (3,)), Row("Primary care", (0,))))
PLEDGE = Chart("chart-pledge", "Updates by status", "Done, in progress and planned.", "Principle",
               ("Done", "In progress", "Planned"), (Row("Listen", (1, 1, 0)), Row("Deliver", (2, 0, 2))))


def parse(markup: str) -> lxml.etree._Element:
    return lxml.etree.fromstring(markup.encode("utf-8"))


def classed(root: lxml.etree._Element, name: str) -> list[lxml.etree._Element]:
    return [element for element in root.iter() if name in (element.get("class") or "").split()]


def test_svg_is_an_image_named_by_its_title_and_description() -> None:
    root = parse(svg(TOPICS))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "chart-topics-title chart-topics-desc"
    title, desc = root[0], root[1]
    assert (title.tag, title.get("id"), title.text) == (f"{SVG}title", "chart-topics-title", "Stories by topic")
    assert (desc.tag, desc.get("id"), desc.text) == (f"{SVG}desc", "chart-topics-desc", "A bar for each topic.")
    assert root.get("width") == "100%"
    assert not list(root.iter(f"{SVG}script"))
    assert not [element for element in root.iter() if any(name.startswith("on") for name in element.attrib)]


def test_bars_are_in_proportion_and_the_longest_leaves_room_for_its_number() -> None:
    root = parse(svg(TOPICS))
    bars = classed(root, "nv-chart__bar")
    assert [(bar.get("x"), bar.get("width")) for bar in bars] == [("0%", "80.00%"), ("0%", "20.00%")]
    assert [bar.findtext(f"{SVG}title") for bar in bars] == ["Mental health: 12", "Carers: 3"]
    values = classed(root, "nv-chart__value")
    assert [(value.text, value.get("x")) for value in values] == [("12", "80.00%"), ("3", "20.00%"), ("0", "0%")]
    labels = ["".join(label.itertext()) for label in classed(root, "nv-chart__label")]
    assert labels == ["Mental health", "Carers", "Primary care"]


def test_stacked_bars_sit_end_to_end_with_a_legend() -> None:
    root = parse(svg(PLEDGE))
    legend = classed(root, "nv-chart__legend")[0]
    assert [key.text for key in classed(legend, "nv-chart__key")] == ["Done", "In progress", "Planned"]
    rows = classed(root, "nv-chart__row")
    listen = [(bar.get("class"), bar.get("x"), bar.get("width")) for bar in classed(rows[0], "nv-chart__bar")]
    assert listen == [("nv-chart__bar nv-chart__bar--1", "0%", "20.00%"),
                      ("nv-chart__bar nv-chart__bar--2", "20.00%", "20.00%")]
    deliver = [(bar.get("x"), bar.get("width"), bar.findtext(f"{SVG}title"))
               for bar in classed(rows[1], "nv-chart__bar")]
    assert deliver == [("0%", "40.00%", "Deliver: 2 done"), ("40.00%", "40.00%", "Deliver: 2 planned")]
    assert [value.text for value in classed(root, "nv-chart__value")] == ["2", "4"]


def test_long_labels_wrap_instead_of_running_off_a_phone() -> None:
    chart = Chart("chart-places", "Places", "Where.", "Place", ("Stories",),
                  (Row("Listening booth, Hollowmere General main entrance", (4,)),))
    label = classed(parse(svg(chart)), "nv-chart__label")[0]
    lines = [span.text for span in label]
    assert lines == ["Listening booth, Hollowmere", "General main entrance"]
    assert [span.get("x") for span in label] == ["0", "0"]
    assert int(label[1].get("y")) - int(label[0].get("y")) == 20


def test_contributed_words_are_escaped() -> None:
    chart = Chart("chart-x", 'Tom & Jerry <script>alert(1)</script>', 'Say "hi" & <b>bye</b>', "Place",
                  ("Stories",), (Row("<img src=x onerror=alert(2)>", (1,)),))
    root = parse(svg(chart))
    assert root[0].text == "Tom & Jerry <script>alert(1)</script>"
    assert root[1].text == 'Say "hi" & <b>bye</b>'
    assert not list(root.iter(f"{SVG}script", f"{SVG}img", "script", "img"))
    cells = lxml.html.fromstring(table(chart))
    assert not cells.cssselect("script, img")
    assert cells.cssselect("tbody th")[0].text_content() == "<img src=x onerror=alert(2)>"


def test_table_has_every_number_with_headers_for_screen_readers() -> None:
    grid = lxml.html.fromstring(table(TOPICS))
    assert grid.get("id") == "chart-topics-table"
    assert grid.findtext("caption") == "Stories by topic: the numbers"
    assert [(th.text, th.get("scope")) for th in grid.cssselect("thead th")] == [("Topic", "col"), ("Stories", "col")]
    rows = [(tr.cssselect("th")[0].get("scope"), tr.cssselect("th")[0].text, [td.text for td in tr.cssselect("td")])
            for tr in grid.cssselect("tbody tr")]
    assert rows == [("row", "Mental health", ["12"]), ("row", "Carers", ["3"]), ("row", "Primary care", ["0"])]


def test_stacked_table_adds_a_total_and_groups_digits() -> None:
    chart = Chart("chart-big", "Big", "Big numbers.", "Measure", ("Yes", "No"), (Row("All", (1500, 1250)),))
    grid = lxml.html.fromstring(table(chart))
    assert [th.text for th in grid.cssselect("thead th")] == ["Measure", "Yes", "No", "Total"]
    assert [td.text for td in grid.cssselect("tbody td")] == ["1,500", "1,250", "2,750"]


def test_each_number_names_its_column_and_the_roles_keep_it_a_table_when_stacked() -> None:
    """A narrow screen draws a wide table's rows as blocks, each number beside its column's name."""
    chart = Chart("chart-big", "Big", "Big numbers.", "Measure", ("Yes", "No <&>"), (Row("All", (1, 2)),))
    grid = lxml.html.fromstring(table(chart))
    assert [td.get("data-label") for td in grid.cssselect("tbody td")] == ["Yes", "No <&>", "Total"]
    assert [element.get("role") for element in grid.iter("table", "thead", "tbody", "tr", "th", "td")] == [
        "table", "rowgroup", "row", "columnheader", "columnheader", "columnheader", "columnheader",
        "rowgroup", "row", "rowheader", "cell", "cell", "cell"]


def test_an_empty_chart_is_still_valid() -> None:
    chart = Chart("chart-empty", "Nothing yet", "There are none yet.", "Month", ("Stories",), ())
    root = parse(svg(chart))
    assert root.get("height") == "0"
    assert not classed(root, "nv-chart__row")
    assert not lxml.html.fromstring(table(chart)).cssselect("tbody tr")


def test_figure_holds_both_drawings() -> None:
    drawn = figure(TOPICS)
    assert (drawn.chart, drawn.svg, drawn.table) == (TOPICS, svg(TOPICS), table(TOPICS))
