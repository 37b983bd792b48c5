"""The editors' own pages under `docs/` (home, about, privacy ...): checked for markup the build takes out.

MkDocs renders these pages, not the core, and the build passes each through `sanitise.clean_page`, so nothing an
edit puts in one can run on the site. Markup the cleaning would remove (a script, a frame, an event handler, a
`javascript:` link) is an error all the same, not a quiet change: the published page would not be what the file
says, and such markup in an editor's page is a mistake or an attack, which should stop a merge until it is taken
out. Raw HTML the cleaning keeps (`<abbr>`, `<br>`) is as safe as what Markdown makes, so it is not reported.
The pages are screened for personal data and crisis words as stories are (`loader.editor_pages`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from narrative import render, sanitise
from narrative.model import Unchecked
from narrative.problems import Problem


def removed_markup(pages: Iterable[Unchecked]) -> Iterator[Problem]:
    """An error for each tag, attribute or link the build would take out of a page, at the line it is on."""
    for page in pages:
        try:
            html = render.page_html(page.body)
        except RecursionError:
            continue  # nested too deeply to render: MkDocs will say so
        lowered = page.body.lower()
        for what, written in sanitise.removed(html):
            at = lowered.find(written.lower())
            line = page.source.body_line + (page.body.count("\n", 0, at) if at >= 0 else 0)
            yield Problem(page.source.path, line, None, f"{what}: the site takes it out of the published page; "
                          "remove it, or say it in Markdown", "removed-markup")
