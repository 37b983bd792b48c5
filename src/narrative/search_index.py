"""The site's search index: Pagefind run over one small record for each published story and pledge update.

Pagefind splits the index into chunks, so a reader's first query fetches only the few it needs, where
Material's own search sends the whole index before it answers anything. The only module that imports pagefind.

The records come from the model, not from the built pages: a page can only be found if `Site` says it is
public, so drafts, withdrawn stories, the digest archive, navigation and footers never reach the index however
the templates change. And because the records need only the site, not the pages, indexing starts as soon as
the content is read and runs in its own process while MkDocs renders the pages.
"""

from __future__ import annotations

import subprocess
import tempfile
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path

from pagefind.service import get_executable

from narrative.model import PledgeUpdate, Story
from narrative.presentation import iso_date, long_date
from narrative.problems import Problem
from narrative.render import body_html
from narrative.site import Site

FOLDER = "pagefind"
"""Where the index goes under the site root; the search box's script loads `pagefind/pagefind.js` from here."""
LANGUAGE = "en"
"""The language Pagefind stems words for: the site's templates and content are in English."""
STORY, UPDATE = "Story", "Pledge update"
"""The `kind` filter's values, as the search box shows them."""


@dataclass(frozen=True)
class Record:
    """What search knows of one story or update: the words it matches on, and what a result shows."""

    url: str
    kind: str
    title: str
    summary: str
    date: str
    iso_date: str
    topics: tuple[str, ...]
    body: str

    def html(self) -> str:
        """The record as the page Pagefind indexes: title, summary, topics and body are searchable; title,
        summary and dates come back as metadata; kind and topics are filters."""
        topics = "".join(f'<li data-pagefind-filter="topic">{escape(topic)}</li>' for topic in self.topics)
        return (
            f'<!doctype html><html lang="{LANGUAGE}"><head><meta charset="utf-8"><title>{escape(self.title)}'
            f'</title></head><body data-pagefind-body data-pagefind-filter="kind:{escape(self.kind)}"'
            f' data-pagefind-meta="title[data-title], summary[data-summary], date[data-date], iso_date[data-iso]"'
            f' data-title="{escape(self.title)}" data-summary="{escape(self.summary)}"'
            f' data-date="{escape(self.date)}" data-iso="{escape(self.iso_date)}">'
            f"<h1>{escape(self.title)}</h1><p>{escape(self.summary)}</p><ul>{topics}</ul>{self.body}</body></html>"
        )


def record(item: Story | PledgeUpdate, site: Site) -> Record:
    """One item's record; its topics by their labels, in the settings' order, as the topic filter lists them."""
    topics = tuple(topic.label for topic in site.settings.topics if topic.slug in item.topics)
    return Record(item.url, STORY if isinstance(item, Story) else UPDATE, item.title, item.summary,
                  long_date(item.published), iso_date(item.published), topics, body_html(item))


def records(site: Site) -> list[Record]:
    """A record for every story and update anyone may read: nothing else is ever searchable."""
    return [record(item, site) for item in (*site.stories, *site.updates)]


class Indexing:
    """Pagefind at work in its own process; `finish()` waits for it. Dropped unfinished (a build that failed
    half way), it stops Pagefind and removes its scratch folder."""

    def __init__(self, scratch: tempfile.TemporaryDirectory[str], out: Path,
                 process: subprocess.Popen[bytes] | None = None, problems: Sequence[Problem] = ()) -> None:
        self.out, self.process, self.problems = out, process, list(problems)
        self.scratch = Path(scratch.name)
        self._stop = weakref.finalize(self, _stop, process, scratch)

    def finish(self) -> list[Problem]:
        """Wait for the index to be written; the problems if it could not be."""
        if self.process is not None and self.process.wait() != 0:
            said = (self.scratch / "pagefind.log").read_text(encoding="utf-8", errors="replace").splitlines()
            last = " ".join(line.strip() for line in said if line.strip() and "Error" in line)
            self.problems.append(_problem(self.out, f"Pagefind stopped with exit code {self.process.returncode}"
                                                    + (f": {last}" if last else "")))
        self._stop()
        return self.problems


def _stop(process: subprocess.Popen[bytes] | None, scratch: tempfile.TemporaryDirectory[str]) -> None:
    if process is not None and process.poll() is None:
        process.kill()
        process.wait()
    scratch.cleanup()


def _problem(out: Path, message: str) -> Problem:
    return Problem(f"{out.name}/{FOLDER}/", None, None, f"the search index could not be built: {message}",
                   code="search-index")


def start(site: Site, out: Path) -> Indexing:
    """Write the site's records to a scratch folder and start Pagefind on them, writing `out/pagefind/`.
    With nothing published there is no index (Pagefind refuses an empty site); the search box then points to
    the story index and the topics."""
    scratch = tempfile.TemporaryDirectory(prefix="narrative-search-")
    root = Path(scratch.name)
    found = records(site)
    for each in found:
        page = root / "records" / each.url / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(each.html(), encoding="utf-8")
    if not found:
        return Indexing(scratch, out)
    executable = get_executable()
    if executable is None:
        return Indexing(scratch, out, problems=[_problem(out, "the Pagefind program is missing; reinstall "
                                                              "narrative, which depends on 'pagefind[bin]'")])
    command = [str(executable), "--site", str(root / "records"), "--output-path", str(out.resolve() / FOLDER),
               "--force-language", LANGUAGE, "--quiet"]
    with (root / "pagefind.log").open("wb") as log:
        try:
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                       cwd=root)
        except OSError as error:
            return Indexing(scratch, out, problems=[_problem(out, f"{executable} could not run ({error})")])
    return Indexing(scratch, out, process)
