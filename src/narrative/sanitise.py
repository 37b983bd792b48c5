"""Contributed HTML made safe: a small allowlist, and links only to the web, email and phone.

The only module that imports nh3. Anything a contributor writes passes through `clean()` before any page,
feed or email shows it, so nothing they write can run script on the site or in a reader.
"""

from __future__ import annotations

from urllib.parse import urljoin

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

    return nh3.clean(
        html,
        tags=set(TAGS),
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        attribute_filter=absolute if base_url else None,
        strip_comments=True,
    )
