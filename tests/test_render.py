"""Markdown to safe HTML: what contributors write renders, what could harm a reader does not."""

from __future__ import annotations

import datetime as dt
import random
import time

import jinja2
import markdown
import pytest

from narrative import render
from narrative.config import LimitSettings
from narrative.model import Consent, Source, Story
from narrative.render import EXTENSIONS, Html, body, body_html, converter_for, render_bodies, to_html
from narrative.sanitise import LINK_REL
from tests.content import MARKDOWN_GUARDS_NESTING

REL = f'rel="{LINK_REL}"'


def test_markdown() -> None:
    assert to_html("Hello *world*, **you**.\n\n- one\n- two\n") == (
        "<p>Hello <em>world</em>, <strong>you</strong>.</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>")


def test_h1_becomes_h2_as_the_page_title_is_the_only_h1() -> None:
    assert to_html("# Title\n\n## Part\n") == "<h2>Title</h2>\n<h2>Part</h2>"


def test_smart_punctuation() -> None:
    assert to_html('"Quoted" -- it\'s... over') == "<p>“Quoted” – it’s… over</p>"


def test_tables() -> None:
    assert to_html("| a | b |\n| - | - |\n| 1 | 2 |\n") == (
        "<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n"
        "</tr>\n</tbody>\n</table>")


def test_links() -> None:
    assert to_html("[NHS](https://www.nhs.uk/) and [us](mailto:team@example.org)") == (
        f'<p><a href="https://www.nhs.uk/" {REL}>NHS</a> and <a href="mailto:team@example.org" {REL}>us</a></p>')


def test_script_in_markdown_is_removed() -> None:
    assert to_html("Hello\n\n<script>alert(1)</script>\n\nBye") == "<p>Hello</p>\n\n\n<p>Bye</p>"


def test_javascript_link_in_markdown_loses_its_address() -> None:
    assert to_html("[click](javascript:alert(1))") == f"<p><a {REL}>click</a></p>"


def test_raw_html_is_cut_down() -> None:
    assert to_html('<p onclick="x()" style="color:red">Hi <b>there</b></p><iframe src="https://e.example/"></iframe>') \
        == "<p>Hi <b>there</b></p>\n"


def test_markdown_images_are_dropped_as_pictures_need_alt_in_front_matter() -> None:
    assert to_html("![a bench](bench.png)") == "<p></p>"


def test_base_url_makes_links_absolute() -> None:
    assert to_html("[next](stories/b/)", base_url="https://stories.example.org/") == (
        f'<p><a href="https://stories.example.org/stories/b/" {REL}>next</a></p>')


def test_each_conversion_starts_afresh() -> None:
    """The converter is shared; footnote-like state from one text must not leak into the next."""
    to_html("[a]: https://example.org/\n\n[link][a]")
    assert to_html("[link][a]") == "<p>[link][a]</p>"


def test_body_html_renders_an_item_once() -> None:
    story = Story(slug="a", title="A", published=dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc), summary="s",
                  topics=("carers",), consent=Consent(True), body="*Hi*", source=Source("a.md"))
    assert body_html(story) == "<p><em>Hi</em></p>"
    assert body(story) is body(story)


def test_a_body_is_held_as_utf8_and_drawn_as_it_is() -> None:
    """Half the memory of Python's text once a curly quote is in it; a template draws it unescaped."""
    html = Html("<p>it’s</p>".encode())
    assert jinja2.Environment(autoescape=True).from_string("{{ a }}{{ a | safe }}").render(a=html) == (
        "<p>it’s</p><p>it’s</p>")


SMARTY_CASES = [
    "'Tis the season -- isn't it... \"she said\" 'so' ---",
    "He said, \"'Quoted' words in a larger quote.\"",
    "In the '80s we'd wait -- \"all night\" -- for a bed...",
    "`code 'stays' \"straight\"` but 'this' turns",
    "\"'Nested'\" and '\"nested\"' and \"it's\" 'mum's'",
    "**'bold'** *\"em\"* [a 'link'](https://example.org/) 'a'. ''",
    "Em---dash, en--dash, ----, .... and ..",
    "> \"A quote...\"\n\n- 'one'\n- \"two\"",
    "I'm sure it's the doctor's, isn't it? We'd've said rock'n'roll at five o'clock's end",
    "L'été d'Ödön, naïve's; it's's x's'y a'b'c it's\nnext **it's** bold's *a'b*'s",
    "it'5 and 5's and it_'s and 'twas and it' and the '90s, with don't beside each",
]


INLINE_CASES = [
    "Two spaces  \nbreak the line, one \nand none\ndo not.",
    "Not \\*emphasis\\*, \\`code\\`, \\[link\\]: escaped.",
    "`code with [a](link) and *stars*` then [a link](https://example.org/) and ![a picture](a.png).",
    "[by reference][1], [short] and [short][], ![picture][p]\n\n[1]: https://example.org/\n"
    "[short]: https://s.example.org/\n[p]: p.png",
    "<https://example.org/> and <someone@example.org> and <b>bold</b>, <!-- a note --> a < b > c",
    "&amp; &copy; &#169; &#xA9; & a lone ampersand; AT&T",
    "**strong** __strong__ *em* _em_ ***both*** snake_case_word 2*3*4 * spaced * _ spaced _",
    "[[nested] brackets] and [unclosed and ](no link) and [](empty)",
    "A plain sentence, with nothing in it but words, as most are.",
]


@pytest.mark.parametrize("text", SMARTY_CASES + INLINE_CASES)
def test_our_converter_is_exactly_python_markdowns(text: str) -> None:
    """Smarty's pass and the inline pass are our own, faster ones (`SmartPunctuation`, `SkippingInline`): what
    they make must be what Python-Markdown's own make."""
    reference = markdown.Markdown(extensions=list(EXTENSIONS), output_format="html")
    assert converter_for(EXTENSIONS).convert(text) == reference.convert(text)


def test_apostrophes_in_any_company_come_out_as_smarty_makes_them() -> None:
    """Short texts of apostrophes among letters (some accented), digits, `s`, spaces and line breaks, where a
    quote between two letters takes `SmartPunctuation`'s shortcut and any other does not."""
    chance = random.Random(7)
    reference = markdown.Markdown(extensions=list(EXTENSIONS), output_format="html")
    ours = converter_for(EXTENSIONS)
    for _ in range(3_000):
        text = "".join(chance.choice("as'' é1_\n.bSö") for _ in range(chance.randint(1, 14)))
        assert ours.reset().convert(text) == reference.reset().convert(text), text


def test_bodies_rendered_on_every_core_are_the_ones_rendered_one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render, "PARALLEL_FROM", 2)
    stories = [Story(slug=f"s{number}", title="T", published=dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc),
                     summary="s", topics=("carers",), consent=Consent(True), body=f"*Story {number}*, it's 'here'.",
                     source=Source(f"s{number}.md")) for number in range(9)]
    render_bodies(stories)
    assert [body_html(story) for story in stories] == [to_html(story.body) for story in stories]
    assert body_html(stories[0]) == "<p><em>Story 0</em>, it’s ‘here’.</p>"


def test_a_body_too_deeply_nested_leaves_the_next_one_unharmed() -> None:
    if MARKDOWN_GUARDS_NESTING:
        assert "- - a</li>" in to_html("- " * 2_000 + "a")  # the markers past the last list, as text
    else:
        with pytest.raises(RecursionError):
            to_html("- " * 2_000 + "a")
    assert to_html("Hello *world*") == "<p>Hello <em>world</em></p>"


def test_a_converter_that_failed_part_way_is_not_used_again() -> None:
    """Python-Markdown's `reset()` does not undo all that a failure leaves: the next text gets a new converter."""
    to_html("Made.")
    converter = render._converters[EXTENSIONS]

    class Failing(markdown.treeprocessors.Treeprocessor):
        def run(self, root: object) -> None:
            raise RuntimeError("part way")

    converter.treeprocessors.register(Failing(converter), "failing", 100)
    with pytest.raises(RuntimeError):
        to_html("Hello *world*")
    assert render._converters.get(EXTENSIONS) is not converter
    assert to_html("Hello *world*") == "<p>Hello <em>world</em></p>"


@pytest.mark.parametrize(("line", "deep"), [
    ("- a", 1), ("- - - a", 3), ("1. 2) - > a", 4), ("        - a", 3), ("\t\t- a", 3), ("* * * * * *", 0),
    ("    indented words", 0), ("> > quoted", 2), ("-not a list", 0)])
def test_depth_counts_the_lists_and_quotes_a_line_opens(line: str, deep: int) -> None:
    assert render.depth(line) == deep


@pytest.mark.parametrize(("block", "work"), [
    ("[NHS](https://www.nhs.uk/) and [us](x)", 4 + 20 + 3 + 2), ("a [b", 2), ("\\[ \\( text", 0),
    ("[a](", 2 + 1), ("(plain) (words", 0), ("[[x]]", 2 + 4)])
def test_bracket_work_is_what_markdown_walks_to_close_brackets(block: str, work: int) -> None:
    assert render.bracket_work(block) == work


def test_trouble_names_the_line_of_too_deep_a_list_or_too_many_unclosed_brackets() -> None:
    limits = LimitSettings(max_depth=3)
    assert render.trouble("Fine.\n\n- - - a\n- - - - b\n", limits) == (3, (
        "lists or quotes nested 4 deep: keep to 3 (extra.narrative.limits.max_depth); a line like '- - - words' "
        "is three lists, one inside another"))
    assert render.trouble("Fine [link](x).\n\nMore.\n\n" + "[" * 3000 + "\n", limits) == (4, (
        "too many '[' or '(' without their ']' or ')' from this paragraph on: close each one, or write '\\[' for "
        "a bracket that is only text"))
    assert render.trouble("[" * 1000 + "\n", limits) is None


def test_twenty_thousand_brackets_are_refused_before_markdown_spends_a_minute_on_them() -> None:
    started = time.monotonic()
    assert render.trouble("[" * 20_000, LimitSettings()) is not None
    assert time.monotonic() - started < 1
