"""Contributed Markdown to safe HTML, done once per item and shared by pages, feeds and digests.

The only module that imports Python-Markdown for contributed text. Raw HTML in a contribution is allowed
through Markdown and then cut down by `sanitise.clean()`, so that a `<b>` survives and a `<script>` does not.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections.abc import Iterable

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


_converters: dict[tuple[str, ...], markdown.Markdown] = {}


def _convert(text: str, extensions: tuple[str, ...]) -> str:
    """`text` converted by the one converter with `extensions`. A text nested too deeply raises RecursionError,
    and the converter is made anew: Python-Markdown leaves it mid-parse, and every later text would come out
    wrong (unconverted, or inside the last one's list)."""
    converter = _converters.get(extensions) or _converters.setdefault(extensions, converter_for(extensions))
    try:
        return converter.reset().convert(text)
    except RecursionError:
        del _converters[extensions]
        raise


def to_html(text: str, base_url: str | None = None) -> str:
    """Markdown to sanitised HTML; headings start at level 2 because the page title is the only h1."""
    return clean(_demote_h1(_convert(text, EXTENSIONS)), base_url)


PAGE_EXTENSIONS = ("admonition", "attr_list", "fenced_code", "tables", "toc")
"""What MkDocs renders an editor's page with: its own defaults, and the sample site's admonitions and
attribute lists."""


def page_html(text: str) -> str:
    """An editor's page under `docs/` as MkDocs renders it, before the build cleans it: to check what the
    cleaning would take out."""
    return _convert(text, PAGE_EXTENSIONS)


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


def rendered_body(item: Item) -> str:
    """An item's body as safe HTML: the one `render_bodies` made if there is one, else rendered now and not
    kept, so that a process which only reads bodies (a check, the web form) keeps none of them in memory."""
    html = _bodies.get(item)
    return _render(item) if html is None else html


def render_bodies(items: Iterable[Item]) -> None:
    """Render now every body not yet rendered, sharing them out among the machine's cores, so that `body_html`
    then finds them all done; bodies of items not given are forgotten, so that under `mkdocs serve` the old
    text of each edited story does not stay in memory from one rebuild to the next."""
    wanted = dict.fromkeys(items)
    for stale in _bodies.keys() - wanted.keys():
        del _bodies[stale]
    todo = [item for item in wanted if item not in _bodies]
    _bodies.update(zip(todo, on_all_cores(_render, todo, least=PARALLEL_FROM)))


def _render(item: Item) -> str:
    return to_html(item.body)
