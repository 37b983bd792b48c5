"""Contributed HTML made safe: a small allowlist, and links only to the web, email and phone.

The only module that imports nh3. Anything a contributor writes passes through `clean()` before any page,
feed or email shows it, so nothing they write can run script on the site or in a reader. The editors' own
pages under `docs/` pass through `clean_page()`, which keeps what their Markdown makes (admonitions, classes
and ids from attribute lists, pictures) and nothing that could run; `removed()` says what it would take out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import nh3

TAGS = frozenset({
    "p", "br", "hr", "strong", "em", "b", "i", "u", "s", "sub", "sup", "small", "mark", "abbr", "q", "cite",
    "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "h2", "h3", "h4", "h5", "h6", "a", "code", "pre",
    "table", "thead", "tbody", "tr", "th", "td", "caption",
})
ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}, "ol": {"start"}}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
LINK_REL = "nofollow noopener noreferrer ugc"


def clean(html: str, base_url: str | None = None) -> str:
    """Safe HTML; with `base_url`, relative links become absolute, as feeds and emails need."""

    def absolute(element: str, attribute: str, value: str) -> str:
        return urljoin(base_url, value) if attribute in ("href", "src") else value

    return _cleaned(html, TAGS, ATTRIBUTES, LINK_REL, absolute if base_url else None)


PAGE_TAGS = TAGS | {"h1", "div", "span", "img", "figure", "figcaption", "details", "summary", "kbd", "del", "ins"}
PAGE_ATTRIBUTES = {**ATTRIBUTES, "*": {"class", "id", "title", "lang", "dir"}, "td": {"align"},
                   "th": {"scope", "align"}, "img": {"src", "alt", "title", "width", "height", "loading"}}
"""What an editor's page may hold: what Markdown with admonitions, attribute lists and tables makes."""
_LINKS = frozenset({"href", "src"})


def clean_page(html: str) -> str:
    """An editor's page made safe, its links left as the editors wrote them (no `rel` added)."""
    return _cleaned(html, PAGE_TAGS, PAGE_ATTRIBUTES, None)


def _cleaned(html: str, tags: frozenset[str], attributes: dict[str, set[str]], link_rel: str | None,
             attribute_filter: Callable[[str, str, str], str | None] | None = None) -> str:
    return nh3.clean(
        html,
        tags=set(tags),
        attributes={tag: set(names) for tag, names in attributes.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=link_rel,
        attribute_filter=attribute_filter,
        strip_comments=True,
    )


class _Removed(HTMLParser):
    """Collects, as `removed` gives them, the tags, attributes and links outside the allowlist."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in PAGE_TAGS:
            self.found.append((f"<{tag}>", f"<{tag}"))
            return
        allowed = PAGE_ATTRIBUTES.get(tag, set()) | PAGE_ATTRIBUTES["*"]
        for name, value in attrs:
            scheme = urlsplit(value.strip()).scheme if name in _LINKS and value else ""
            if name not in allowed:
                self.found.append((f"the attribute '{name}' on <{tag}>", name))
            elif scheme and scheme not in URL_SCHEMES:
                self.found.append((f"a '{scheme}:' link", f"{scheme}:"))


def removed(html: str) -> Iterator[tuple[str, str]]:
    """What `clean_page` would take out of `html`, each once, in order, as what to call it and what to look for
    in the Markdown it came from: (`<script>`, `<script`), (`the attribute 'onclick' on <a>`, `onclick`),
    (`a 'javascript:' link`, `javascript:`). Comments are left out of the page too, but hide nothing there."""
    parser = _Removed()
    parser.feed(html)
    parser.close()
    yield from dict.fromkeys(parser.found)
