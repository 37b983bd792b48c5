"""The editors' own pages under `docs/` (home, about, privacy ...): checked for markup the build takes out.

MkDocs renders these pages, not the core, and the build passes each through `sanitise.clean_page`, so nothing an
edit puts in one can run on the site. Markup the cleaning would remove (a script, a frame, an event handler, a
`javascript:` link) is an error all the same, not a quiet change: the published page would not be what the file
says, and such markup in an editor's page is a mistake or an attack, which should stop a merge until it is taken
out. Raw HTML the cleaning keeps (`<abbr>`, `<br>`) is as safe as what Markdown makes, so it is not reported.
A page that cannot be rendered, or not in good time, is an error as a story's body is (`render.attempt`). The
pages are screened for personal data and crisis words as stories are (`loader.editor_pages`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from narrative import render, sanitise
from narrative.config import LimitSettings
from narrative.model import Unchecked
from narrative.problems import Problem


def removed_markup(pages: Iterable[Unchecked], limits: LimitSettings) -> Iterator[Problem]:
    """An error for each tag, attribute or link the build would take out of a page, at the line it is on; or
    the one error saying why the page cannot be rendered."""
    for page in pages:
        html = render.attempt(page.body, limits, render.page_html)
        if not isinstance(html, str):
            line, message = html
            yield Problem(page.source.path, page.source.body_line + line, None, message, "unrenderable")
            continue
        lowered = page.body.lower()
        for what, written in sanitise.removed(html):
            at = lowered.find(written.lower())
            line = page.source.body_line + (page.body.count("\n", 0, at) if at >= 0 else 0)
            yield Problem(page.source.path, line, None, f"{what}: the site takes it out of the published page; "
                          "remove it, or say it in Markdown", "removed-markup")
