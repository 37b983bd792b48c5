"""Contributed Markdown to safe HTML, done once per item and shared by pages, feeds and digests.

The only module that imports Python-Markdown for contributed text. Raw HTML in a contribution is allowed
through Markdown and then cut down by `sanitise.clean()`, so that a `<b>` survives and a `<script>` does not.

Python-Markdown reads nested lists by recursion (a few hundred levels crash it) and looks for the end of each
`[` and each link's `(` by walking the rest of the paragraph (unclosed ones make it quadratic: 20 KB of `[`
takes a minute). So before any body is rendered, `trouble()` measures both, in time linear in the body, and
`check()` reports a body past them, or one that fails all the same, as a problem on its file.
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

import markdown
from markdown.extensions.smarty import SmartyExtension, SubstituteTextPattern
from markdown.treeprocessors import InlineProcessor, Treeprocessor
from markdown.util import ETX, STX, AtomicString

from narrative.background import on_all_cores
from narrative.config import LimitSettings
from narrative.loader import LIMITS
from narrative.model import Item, Kind, Status
from narrative.problems import Problem
from narrative.sanitise import clean

EXTENSIONS = ("sane_lists", "smarty", "tables")
_HIDDEN = re.compile(f"{STX}smarty:([0-9]+){ETX}")


class SmartPunctuation(Treeprocessor):
    """Smarty's curly quotes, dashes and ellipses, done exactly as Smarty does them (its own patterns, one after
    another on each text, each match hidden behind a placeholder the later patterns cannot see into) without
    Python-Markdown's general inline machinery, which made Smarty half the cost of rendering a story. A text
    whose only quotes are apostrophes inside words gets `closing` for each at once, as the patterns would give
    it (`_APOSTROPHE_OUTSIDE_A_WORD`)."""

    def __init__(self, md: markdown.Markdown, patterns: list[SubstituteTextPattern], closing: str) -> None:
        super().__init__(md)
        self.patterns = [(pattern, _needs(pattern)) for pattern in patterns]
        self.closing = closing

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
        if present == {"'"} and not _APOSTROPHE_OUTSIDE_A_WORD.search(text):
            return text.replace("'", self.md.htmlStash.store(self.closing))
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


_APOSTROPHE_OUTSIDE_A_WORD = re.compile(r"(?<![^\W\d_])'|'(?![^\W\d_])")
"""A `'` without a letter on each side. In a text whose only quotes are `'` and all between letters (`don't`,
`it's`), Smarty's patterns come to a closing quote for every one: none before the closing ones can match (they
need a quote, a space, a dash or a digit beside it), one of the closing two always does (`'s` at a word's end
the second, every other the first), and their matches change no letter the others look at. Three in four of
the texts with quotes in 1,000 stories are such texts, and each took six searches."""

_LITERALS = {"&lsquo;": "'", "&rsquo;": "'", "&ldquo;": '"', "&rdquo;": '"', "&ndash;": "--", "&mdash;": "---",
             "&hellip;": "...", "&laquo;": "<<", "&raquo;": ">>"}
"""What each of Smarty's substitutes replaces: a pattern that puts in `&rsquo;` matched a `'`, and so on."""


def _needs(pattern: SubstituteTextPattern) -> frozenset[str]:
    """The characters a text must hold for `pattern` to match in it, from the substitutes it puts in."""
    stored = [part for part in pattern.replace if isinstance(part, str)]
    return frozenset(literal for entity, literal in _LITERALS.items() for part in stored if entity in part)


_NEEDED = {"backtick": ("`",), "escape": ("\\",), "reference": ("[",), "link": ("[",), "image_link": ("[",),
          "image_reference": ("[",), "short_reference": ("[",), "short_image_ref": ("[",), "autolink": ("<",),
          "automail": ("<",), "linebreak": ("  \n",), "html": ("<",), "entity": ("&",), "not_strong": ("*", "_"),
          "em_strong2": ("_",)}
"""For each of Python-Markdown's own inline patterns (by its name in the registry), what a text must hold for it
to match: every one of its regular expressions begins with, or looks ahead for, one of these. `em_strong`'s
are the emphasis delimiters the converter has."""


class SkippingInline(InlineProcessor):
    """Python-Markdown's inline pass, which tries each pattern on each text in turn, skipping the patterns that
    cannot match it (a text with no `[` has no link): most of a story is plain sentences, and the tries were a
    third of the time spent rendering. The same patterns, in the same order, on the same texts: only a try
    that cannot find anything is not made."""

    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(md)
        marks = {**_NEEDED, "em_strong": tuple(getattr(getattr(md, "delimiters", None), "delimiters", "*_"))}
        self.marks: list[tuple[str, ...] | None] = [None] * len(md.inlinePatterns)  # (None: always tried)
        for name, needed in marks.items():
            if name in md.inlinePatterns:
                self.marks[md.inlinePatterns.get_index_for_name(name)] = needed

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802, N803
        if isinstance(data, AtomicString):
            return data
        start, count = 0, len(self.inlinePatterns)
        while patternIndex < count:
            marks = self.marks[patternIndex]
            if marks is not None and not any(mark in data for mark in marks):
                patternIndex, start = patternIndex + 1, 0
                continue
            data, matched, start = self._InlineProcessor__applyPattern(  # type: ignore[attr-defined]
                self.inlinePatterns[patternIndex], data, patternIndex, start)
            if not matched:
                patternIndex += 1
        return data


def converter_for(extensions: tuple[str, ...]) -> markdown.Markdown:
    """A converter with `extensions`, Smarty's pass (if asked for) replaced by `SmartPunctuation`, and the inline
    pass by `SkippingInline` where this version of Python-Markdown has the methods it builds on."""
    smarty = SmartyExtension()
    converter = markdown.Markdown(extensions=[smarty if name == "smarty" else name for name in extensions],
                                  output_format="html")
    if "smarty" in extensions:
        closing = smarty.substitutions["right-single-quote"]
        converter.treeprocessors.register(SmartPunctuation(converter, list(smarty.inlinePatterns), closing),
                                          "smarty", 6)
    if all(hasattr(InlineProcessor, name) for name in ("_InlineProcessor__handleInline",
                                                       "_InlineProcessor__applyPattern")):
        converter.treeprocessors.register(SkippingInline(converter), "inline", 20)
    return converter


_converters: dict[tuple[str, ...], markdown.Markdown] = {}


def _convert(text: str, extensions: tuple[str, ...]) -> str:
    """`text` converted by the one converter with `extensions`. A text that fails part way (one nested too
    deeply raises RecursionError) leaves a new converter behind: Python-Markdown's `reset()` does not undo all a
    failure leaves, and every later text came out wrong (as the text written, or inside the last one's list)."""
    converter = _converters.get(extensions) or _converters.setdefault(extensions, converter_for(extensions))
    try:
        return converter.reset().convert(text)
    except Exception:
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


@dataclass(frozen=True, slots=True)
class Html:
    """A body's safe HTML, held as UTF-8 and made text only where it is drawn. Python holds a text at two bytes a
    character once it has one curly quote, as nearly every rendered body has: held as text, the bodies were more
    than a third of a build's memory (390 MiB at 50,000 stories), as UTF-8 about half that. Templates draw it as
    it is (`__html__`); a key reads its bytes."""

    utf8: bytes

    @classmethod
    def of(cls, text: str) -> Html:
        return cls(text.encode())

    def __str__(self) -> str:
        return self.utf8.decode()

    __html__ = __str__


_bodies: dict[Item, Html] = {}
PARALLEL_FROM = 200
"""Fewer bodies than this are rendered in this process alone: a fork would cost more than it saves."""


def body(item: Item) -> Html:
    """An item's body as safe HTML with site-relative links, rendered once however many outputs use it."""
    html = _bodies.get(item)
    if html is None:
        html = _bodies[item] = _render(item)
    return html


def body_html(item: Item) -> str:
    """`body(item)` as text, for what joins it to other text (feeds, the search index)."""
    return str(body(item))


def rendered(item: Item) -> bool:
    """Whether the item's body is rendered already."""
    return item in _bodies


def render_bodies(items: Iterable[Item], known: Mapping[Item, Html] | None = None) -> None:
    """Render now every body not yet rendered nor `known` (rendered before, as a cache keeps them), sharing them
    out among the machine's cores, so that `body` then finds them all done; bodies of items not given are
    forgotten, so that under `mkdocs serve` the old text of each edited story does not stay in memory from one
    rebuild to the next."""
    wanted = dict.fromkeys(items)
    for stale in _bodies.keys() - wanted.keys():
        del _bodies[stale]
    _bodies.update((item, html) for item, html in (known or {}).items() if item in wanted)
    todo = [item for item in wanted if item not in _bodies]
    _bodies.update(zip(todo, on_all_cores(_render, todo, least=PARALLEL_FROM)))


def _render(item: Item) -> Html:
    return Html.of(to_html(item.body))


BRACKET_WORK = 2_000_000
"""Characters Python-Markdown may walk, in all, looking for the ends of a body's `[` and links' `(`: about
half a second. A story with a hundred links closed on the same line walks a few thousand."""
_NESTING = re.compile(r"([ \t]*)((?:(?:[-*+]|\d{1,9}[.)])[ \t]+|>[ \t]*)+)(?=\S)")
"""The indent, and the list markers and quote marks that begin a line with something after them."""
_RULE = " \t-*_"
"""What a line of `* * *` or `- - -` holds, which is a rule across the page, not lists."""
_MARKS = re.compile(r"[-*+>]|\d{1,9}[.)]")
_BRACKETS = re.compile(r"\\.|[\[\]()]")


def depth(line: str) -> int:
    """How deep the lists and quotes that `line` opens are: one for each marker, one for each four spaces
    of indent before them (a tab counts four)."""
    match = _NESTING.match(line)
    if match is None or not line[match.end():].strip(_RULE):
        return 0
    return len(match[1].expandtabs(4)) // 4 + len(_MARKS.findall(match[2]))


def _blocks(text: str) -> Iterator[tuple[int, str]]:
    """Each run of lines between empty lines, with the number of lines before it."""
    start, lines = 0, text.split("\n")
    for number, line in enumerate([*lines, ""]):
        if not line.strip():
            if number > start:
                yield start, "\n".join(lines[start:number])
            start = number + 1


def bracket_work(block: str) -> int:
    """Characters Python-Markdown walks looking for the `]` of each `[`, and the `)` of each `(` that opens a
    link's address: up to the one that closes it, or to the end of the block when none does. `\\[` is text."""
    work, brackets, parens = 0, [], []
    for match in _BRACKETS.finditer(block):
        mark, at = match[0], match.start()
        if mark == "[":
            brackets.append(at)
        elif mark == "]" and brackets:
            work += at - brackets.pop()
        elif mark == "(":
            parens.append((at, at > 0 and block[at - 1] == "]"))
        elif mark == ")" and parens:
            opened, link = parens.pop()
            work += at - opened if link else 0
    return work + sum(len(block) - at for at in brackets) + sum(len(block) - at for at, link in parens if link)


def trouble(body: str, limits: LimitSettings) -> tuple[int, str] | None:
    """What would make rendering `body` crash or take too long, as (line within the body, from 0; message)."""
    for number, line in enumerate(body.split("\n")):
        if depth(line) > limits.max_depth:
            return number, (f"lists or quotes nested {depth(line)} deep: keep to {limits.max_depth} "
                            f"({LIMITS}.max_depth); a line like '- - - words' is three lists, one inside another")
    work = 0
    for start, block in _blocks(body):
        work += bracket_work(block)
        if work > BRACKET_WORK:
            return start, ("too many '[' or '(' without their ']' or ')' from this paragraph on: close each one, "
                           "or write '\\[' for a bracket that is only text")
    return None


def check(items: Iterable[Item], limits: LimitSettings, known: Mapping[Item, Html] | None = None) -> list[Problem]:
    """A problem for each body (but a withdrawn story's or a conversation record's, never shown) that could not
    be rendered as the build will render it; the bodies rendered are kept, so the build and the screen do not
    render them again. The bodies `known` (found renderable before within the same limits, as a cache keeps
    them) are taken as they are."""
    _bodies.update(known or {})
    todo = [item for item in items if shown(item) and item not in _bodies]
    problems = []
    for item, outcome in zip(todo, on_all_cores(functools.partial(attempt_html, limits=limits),
                                                [item.body for item in todo], least=PARALLEL_FROM)):
        if isinstance(outcome, Html):
            _bodies[item] = outcome
        else:
            line, message = outcome
            problems.append(Problem(item.source.path, item.source.body_line + line, None, message, "unrenderable"))
    return problems


def attempt_html(body: str, limits: LimitSettings) -> Html | tuple[int, str]:
    """`attempt`, the HTML held as `Html` already in the process that rendered it (half the bytes to send back)."""
    outcome = attempt(body, limits)
    return Html.of(outcome) if isinstance(outcome, str) else outcome


def shown(item: Item) -> bool:
    """Whether an item's body is ever shown on a page: a withdrawn story's and a conversation record's never are."""
    return item.kind is not Kind.CONVERSATION and getattr(item, "status", Status.PUBLISHED) is not Status.WITHDRAWN


def attempt(body: str, limits: LimitSettings, convert: Callable[[str], str] = to_html) -> str | tuple[int, str]:
    """The body rendered by `convert`, or where (its line within the body, from 0) and why it cannot be."""
    found = trouble(body, limits)
    if found is not None:
        return found
    try:
        return convert(body)
    except RecursionError:
        return 0, "cannot be turned into a page: it is nested too deeply; use fewer lists inside lists"
    except Exception as error:  # noqa: BLE001 - whatever Markdown or nh3 trips on is the file's problem
        return 0, f"cannot be turned into a page ({type(error).__name__}): look for unusual marks in the text"


def readers_html(body: str, limits: LimitSettings, item: Item | None = None) -> str | None:
    """A body as safe HTML, as a reader of the site would see it (for the screen): the one `check` or
    `render_bodies` kept for `item` if there is one, else rendered now and not kept; None for a body that cannot
    be rendered, which `check` reports on its own."""
    kept = _bodies.get(item) if item is not None else None
    if kept is not None:
        return str(kept)
    outcome = attempt(body, limits)
    return outcome if isinstance(outcome, str) else None
