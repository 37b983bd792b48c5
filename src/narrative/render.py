"""Contributed Markdown to safe HTML, done once per item and shared by pages, feeds and digests.

The only module that imports Python-Markdown for contributed text. Raw HTML in a contribution is allowed
through Markdown and then cut down by `sanitise.clean()`, so that a `<b>` survives and a `<script>` does not.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections.abc import Iterable, Mapping

import markdown
from markdown.extensions.smarty import SmartyExtension, SubstituteTextPattern
from markdown.treeprocessors import Treeprocessor
from markdown.util import ETX, STX, AtomicString

from narrative.background import on_all_cores
from narrative.model import Item
from narrative.sanitise import clean

EXTENSIONS = ("sane_lists", "smarty", "tables")
_HIDDEN = re.compile(f"{STX}smarty:([0-9]+){ETX}")


class SmartPunctuation(Treeprocessor):
    """Smarty's curly quotes, dashes and ellipses, done exactly as Smarty does them (its own patterns, one after
    another on each text, each match hidden behind a placeholder the later patterns cannot see into) without
    Python-Markdown's general inline machinery, which made Smarty half the cost of rendering a story."""

    def __init__(self, md: markdown.Markdown, patterns: list[SubstituteTextPattern]) -> None:
        super().__init__(md)
        self.patterns = [(pattern, _needs(pattern)) for pattern in patterns]

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            if element is root:
                continue
            if element.text and not isinstance(element.text, AtomicString):
                element.text = self.educate(element.text)
            if element.tail and not isinstance(element.tail, AtomicString):
                element.tail = self.educate(element.tail)

    def educate(self, text: str) -> str:
        found: list[str] = []
        present = {literal for literal in _LITERALS.values() if literal in text}
        for pattern, needs in self.patterns:
            if not needs <= present:
                continue  # the pattern replaces these characters: without them it cannot match
            regex, start = pattern.getCompiledRegExp(), 0
            while match := regex.search(text, start):
                hidden = f"{STX}smarty:{len(found)}{ETX}"
                found.append(pattern.handleMatch(match, text)[0])
                text = text[:match.start()] + hidden + text[match.end():]
                start = match.start() + len(hidden)
        return _HIDDEN.sub(lambda match: found[int(match[1])], text) if found else text


_LITERALS = {"&lsquo;": "'", "&rsquo;": "'", "&ldquo;": '"', "&rdquo;": '"', "&ndash;": "--", "&mdash;": "---",
             "&hellip;": "...", "&laquo;": "<<", "&raquo;": ">>"}
"""What each of Smarty's substitutes replaces: a pattern that puts in `&rsquo;` matched a `'`, and so on."""


def _needs(pattern: SubstituteTextPattern) -> frozenset[str]:
    """The characters a text must hold for `pattern` to match in it, from the substitutes it puts in."""
    stored = [part for part in pattern.replace if isinstance(part, str)]
    return frozenset(literal for entity, literal in _LITERALS.items() for part in stored if entity in part)


def converter_for(extensions: tuple[str, ...]) -> markdown.Markdown:
    """A converter with `extensions`, Smarty's pass (if asked for) replaced by `SmartPunctuation`."""
    smarty = SmartyExtension()
    converter = markdown.Markdown(extensions=[smarty if name == "smarty" else name for name in extensions],
                                  output_format="html")
    if "smarty" in extensions:
        converter.treeprocessors.register(SmartPunctuation(converter, list(smarty.inlinePatterns)), "smarty", 6)
    return converter


_converter = converter_for(EXTENSIONS)


def to_html(text: str, base_url: str | None = None) -> str:
    """Markdown to sanitised HTML; headings start at level 2 because the page title is the only h1."""
    html = _converter.reset().convert(text)
    return clean(_demote_h1(html), base_url)


def _demote_h1(html: str) -> str:
    return html.replace("<h1>", "<h2>").replace("</h1>", "</h2>") if "<h1" in html else html


_bodies: dict[Item, str] = {}
PARALLEL_FROM = 200
"""Fewer bodies than this are rendered in this process alone: a fork would cost more than it saves."""


def body_html(item: Item) -> str:
    """An item's body as safe HTML with site-relative links, rendered once however many outputs use it."""
    html = _bodies.get(item)
    if html is None:
        html = _bodies[item] = _render(item)
    return html


def rendered(item: Item) -> bool:
    """Whether the item's body is rendered already."""
    return item in _bodies


def render_bodies(items: Iterable[Item], known: Mapping[Item, str] | None = None) -> None:
    """Render now every body not yet rendered nor `known` (rendered before, as a cache keeps them), sharing them
    out among the machine's cores, so that `body_html` then finds them all done; bodies of items not given are
    forgotten, so that under `mkdocs serve` the old text of each edited story does not stay in memory from one
    rebuild to the next."""
    wanted = dict.fromkeys(items)
    for stale in _bodies.keys() - wanted.keys():
        del _bodies[stale]
    _bodies.update((item, html) for item, html in (known or {}).items() if item in wanted)
    todo = [item for item in wanted if item not in _bodies]
    _bodies.update(zip(todo, on_all_cores(_render, todo, least=PARALLEL_FROM)))


def _render(item: Item) -> str:
    return to_html(item.body)
