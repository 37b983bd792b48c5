"""Contributed Markdown to safe HTML, done once per item and shared by pages, feeds and digests.

The only module that imports Python-Markdown for contributed text. Raw HTML in a contribution is allowed
through Markdown and then cut down by `sanitise.clean()`, so that a `<b>` survives and a `<script>` does not.
"""

from __future__ import annotations

import functools

import markdown

from narrative.model import Item
from narrative.sanitise import clean

EXTENSIONS = ("sane_lists", "smarty", "tables")
_converter = markdown.Markdown(extensions=list(EXTENSIONS), output_format="html")


def to_html(text: str, base_url: str | None = None) -> str:
    """Markdown to sanitised HTML; headings start at level 2 because the page title is the only h1."""
    html = _converter.reset().convert(text)
    return clean(_demote_h1(html), base_url)


def _demote_h1(html: str) -> str:
    return html.replace("<h1>", "<h2>").replace("</h1>", "</h2>") if "<h1" in html else html


@functools.cache
def body_html(item: Item) -> str:
    """An item's body as safe HTML with site-relative links, rendered once however many outputs use it."""
    return to_html(item.body)
