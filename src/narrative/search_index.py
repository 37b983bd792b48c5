"""The site's search index: Pagefind run over one small record for each published story and pledge update.

Pagefind splits the index into chunks, so a reader's first query fetches only the few it needs, where
Material's own search sends the whole index before it answers anything. The only module that imports pagefind.

The records come from the model, not from the built pages: a page can only be found if `Site` says it is
public, so drafts, withdrawn stories, the digest archive, navigation and footers never reach the index however
the templates change. And because the records need only the site, not the pages, indexing starts as soon as
the content is read and runs in its own process while MkDocs renders the pages.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any, TypeVar

from narrative import languages, render, search_cache
from narrative.background import cores, programs_on, spare_core
from narrative.model import PledgeUpdate, Story
from narrative.presentation import iso_date, long_date
from narrative.problems import Problem
from narrative.render import Html
from narrative.site import Site

T = TypeVar("T")
FOLDER = "pagefind"
"""Where the index goes under the site root; the search box's script loads `pagefind/pagefind.js` from here."""
LANGUAGE = languages.SITE_LANGUAGE
"""The language of the site's pages and of every record that does not say another: the search box's own, whose
index in each part it opens first."""
STORY, UPDATE = "Story", "Pledge update"
"""The `kind` filter's values, as the search box shows them."""
OPTIONS = ("--quiet",)
"""How Pagefind is run, beside where it reads and writes."""


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
    body: Html
    """Held as UTF-8 until its page is written, as the site's bodies are (`render.Html`)."""
    language: str = LANGUAGE
    """The language Pagefind stems its words for: it keeps an index for each language in a part."""

    def html(self) -> str:
        """The record as the page Pagefind indexes: title, summary, topics and body are searchable; title,
        summary, dates and a language other than English come back as metadata; kind and topics are filters."""
        topics = "".join(f'<li data-pagefind-filter="topic">{escape(topic)}</li>' for topic in self.topics)
        language = "" if self.language == LANGUAGE else f' data-pagefind-meta="lang:{escape(self.language)}"'
        return (
            f'<!doctype html><html lang="{escape(self.language)}"><head><meta charset="utf-8">'
            f'<title>{escape(self.title)}</title></head>'
            f'<body data-pagefind-body data-pagefind-filter="kind:{escape(self.kind)}"'
            f' data-pagefind-meta="title[data-title], summary[data-summary], date[data-date], iso_date[data-iso]"'
            f' data-title="{escape(self.title)}" data-summary="{escape(self.summary)}"'
            f' data-date="{escape(self.date)}" data-iso="{escape(self.iso_date)}">'
            f"<h1{language}>{escape(self.title)}</h1><p>{escape(self.summary)}</p><ul>{topics}</ul>{self.body}"
            "</body></html>"
        )


def record(item: Story | PledgeUpdate, site: Site) -> Record:
    """One item's record; its topics by their labels, in the settings' order, as the topic filter lists them."""
    topics = tuple(topic.label for topic in site.settings.topics if topic.slug in item.topics)
    return Record(item.url, STORY if isinstance(item, Story) else UPDATE, item.title, item.summary,
                  long_date(item.published), iso_date(item.published), topics, render.body(item),
                  _language(item))


def _language(item: Story | PledgeUpdate) -> str:
    return languages.primary(item.lang) if item.lang else LANGUAGE


def records(site: Site) -> list[Record]:
    """A record for every story and update anyone may read: nothing else is ever searchable."""
    return [record(item, site) for item in _searchable(site)]


def _searchable(site: Site) -> tuple[Story | PledgeUpdate, ...]:
    return (*site.stories, *site.updates)


@dataclass(frozen=True)
class Part:
    """The records of one stretch of time, indexed on their own in `pagefind/<number>/`. Pagefind holds every
    record of an index in memory while it writes it (about a third of a megabyte each), and a reader's first
    query fetches the chunks of one index; so a large archive is indexed in parts, a few at a time, and searched
    newest part first, each part costing what a site of its size would."""

    number: int
    """1 for the oldest part."""
    records: tuple[Record, ...]

    @property
    def folder(self) -> str:
        return _folder(self.number)

    def for_reader(self) -> dict[str, Any]:
        """What the search box needs to search this part and to say which stretch of time it covers; with
        `languages`, the part's other languages, whose indexes the box opens beside the site's own."""
        return _for_reader(self.folder, self.records[0].date, self.records[-1].date,
                           {each.language for each in self.records})


def _folder(number: int) -> str:
    return f"{FOLDER}/{number}/"


def _for_reader(folder: str, first: str, last: str, found_in: set[str]) -> dict[str, Any]:
    found: dict[str, Any] = {"path": folder, "from": first, "to": last}
    others = sorted(found_in - {LANGUAGE})
    if others:
        found["languages"] = others
    return found


def parts(found: Sequence[Record], size: int) -> list[Part]:
    """`found` in parts of `size` records, from the oldest, so that a new story leaves every full part as it
    was. Newer records that would make a part of fewer than half of `size` join the part before them: the
    newest part, the one every query reads first, always holds enough to answer most questions."""
    ordered = sorted(found, key=lambda each: (each.iso_date, each.url))
    return [Part(number, tuple(chunk)) for number, chunk in enumerate(_chunks(ordered, size), 1)]


def _chunks(ordered: list[T], size: int) -> list[list[T]]:
    chunks = [ordered[first:first + size] for first in range(0, len(ordered), size)]
    if len(chunks) > 1 and len(chunks[-1]) < size / 2:
        chunks[-2:] = [chunks[-2] + chunks[-1]]
    return chunks


def site_parts(site: Site) -> list[Part]:
    """The parts the site's index is written in."""
    return parts(records(site), site.settings.search.part_size)


def for_reader(site: Site) -> list[dict[str, Any]]:
    """The parts as the search box reads them, newest first, as `site_parts` cuts them: worked out from the
    items' dates and languages alone, without their records (a rebuild under `mkdocs serve` asks it of every
    item)."""
    ordered = sorted(_searchable(site), key=lambda item: (iso_date(item.published), item.url))
    chunks = _chunks(ordered, site.settings.search.part_size)
    return [_for_reader(_folder(number), long_date(chunk[0].published), long_date(chunk[-1].published),
                        {_language(item) for item in chunk})
            for number, chunk in reversed(list(enumerate(chunks, 1)))]


MEMORY = Path("/dev/shm")
"""A filesystem in memory, where the system has one: the records are thousands of small files that live for a
few seconds, and written there they never reach the disk."""


SCRATCH = "narrative-search-"
"""How a scratch folder's name begins, before the number of the process it belongs to."""


def _scratch(found: Sequence[Part], held: int) -> tempfile.TemporaryDirectory[str]:
    """A folder for the records: in memory if there is room there for the `held` parts it holds at a time
    (with as much again to spare), on disk otherwise. Folders a killed build left behind are removed first."""
    largest = max((sum(len(each.body.utf8) + 1024 for each in part.records) for part in found), default=0)
    prefix = f"{SCRATCH}{os.getpid()}-"
    for folder in (MEMORY, Path(tempfile.gettempdir())):
        _remove_abandoned(folder)
    try:
        if shutil.disk_usage(MEMORY).free >= 2 * held * largest:
            return tempfile.TemporaryDirectory(prefix=prefix, dir=MEMORY)
    except OSError:
        pass
    return tempfile.TemporaryDirectory(prefix=prefix)


def _remove_abandoned(folder: Path) -> None:
    """The scratch folders in `folder` whose process has ended: a build stopped by SIGKILL cannot remove its
    own, and in memory each would hold its records (stories' text) until the machine restarts."""
    try:
        names = [entry.name for entry in os.scandir(folder) if entry.name.startswith(SCRATCH) and entry.is_dir()]
    except OSError:
        return
    for name in names:
        number = name[len(SCRATCH):].partition("-")[0]
        if number.isdigit() and not _running(int(number)):
            shutil.rmtree(folder / name, ignore_errors=True)


def _running(pid: int) -> bool:
    """Whether a process with this number is running (another user's counts: it may be theirs). Where that
    cannot be asked without signalling the process (on Windows signal 0 is Ctrl+C), every one is taken to be."""
    if os.name != "posix":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        pass
    return True


PAGEFIND_MEMORY = 350_000
"""Bytes Pagefind holds for each record of the part it indexes (354 MB for 1,100 records)."""


def free_memory() -> int | None:
    """Bytes of memory no process is using, where the system says."""
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError):
        return None


def parts_at_once(found: Sequence[Part]) -> int:
    """How many parts Pagefind indexes at a time: one a core, as many as half the free memory holds. Pagefind
    indexes a part on little more than one core: one part at a time, the parts left once MkDocs has drawn the
    pages would keep one core busy and the others waiting. MkDocs keeps its own core all the same, as Pagefind
    runs at a lower priority."""
    free = free_memory()
    largest = max((len(part.records) for part in found), default=0) * PAGEFIND_MEMORY
    if free is None or not largest:
        return 1
    return max(1, min(cores(), free // (2 * largest)))


class Indexing:
    """Pagefind at work in its own processes, on up to `at_once` parts at a time, oldest first; `finish()` waits
    for them all. The records of the next part are written while Pagefind indexes the parts before it, and a
    part's records are removed once it is indexed, so that the scratch folder never holds more than `at_once`
    parts and one more. Each Pagefind runs on a core of its own (where the system lets cores be chosen): its
    threads spread over every core, beside MkDocs keeping one busy drawing pages, used a seventh more CPU for
    the same index (at 1,000 stories, 2.5-2.9 s against 2.3-2.5 s). A part found in the `cache` is copied from
    it instead, and a part indexed is kept there.
    Dropped unfinished (a build that failed half way), it stops Pagefind and removes its scratch folder."""

    def __init__(self, out: Path, found: Sequence[Part] = (), executable: Path | None = None,
                 cache: search_cache.Cache | None = None, problems: Sequence[Problem] = (), at_once: int = 1) -> None:
        self.out, self.problems = out.resolve(), list(problems)
        self._executable, self._cache = executable, cache if executable else None
        self._keys = self._key_each(found)
        self._waiting = [part for part in found if executable and not self._fetch(part)]
        self._at_once = max(1, at_once)
        scratch = _scratch(self._waiting, self._at_once + 1)
        self.scratch = Path(scratch.name)
        self._written: set[int] = set()
        self._running: list[tuple[Part, subprocess.Popen[bytes], int | None]] = []  # with the core each has
        self._stop = weakref.finalize(self, _stop, self._running, scratch)
        self._fill()

    @property
    def process(self) -> subprocess.Popen[bytes] | None:
        """The Pagefind process started last."""
        return self._running[-1][1] if self._running else None

    def finish(self) -> list[Problem]:
        """Wait for every part of the index to be written; the problems if it could not be."""
        while not self.problems and self._running:
            part, process, _ = self._running[0]
            if process.wait() != 0:
                self.problems.append(self._failure(part, process.returncode))
                break
            if not written(self.out / part.folder):
                self.problems.append(_problem(self.out, f"Pagefind finished without writing {part.folder}"))
                break
            self._running.pop(0)
            self._done(part)
            self._fill()
        if self._cache is not None and not self.problems:
            self._cache.prune()
        self._stop()
        return self.problems

    def _key_each(self, found: Sequence[Part]) -> dict[int, str]:
        """Each part's key in the cache; with no cache, or no program to key it by, none (and no cache)."""
        if self._cache is None or self._executable is None:
            return {}
        try:
            program = search_cache.fingerprint(self._executable, OPTIONS)
        except OSError:  # the program is missing, which running it will report
            self._cache = None
            return {}
        return {part.number: search_cache.key((each.html() for each in part.records), program) for part in found}

    def _fetch(self, part: Part) -> bool:
        """Copy the part's index from the cache; False if it is not there."""
        return self._cache is not None and self._cache.fetch(self._keys[part.number], self.out / part.folder)

    def _done(self, part: Part) -> None:
        """Keep the part just indexed in the cache, and remove its records."""
        if self._cache is not None:
            self._cache.keep(self._keys[part.number], self.out / part.folder)
        shutil.rmtree(self.scratch / part.folder, ignore_errors=True)

    def _fill(self) -> None:
        """Start Pagefind on the parts waiting, oldest first, until `at_once` run, then write the records of the
        part that comes next; stops at the first problem."""
        while self._waiting and len(self._running) < self._at_once and not self.problems:
            part = self._waiting.pop(0)
            if self._write(part):
                self._start(part)
        if self._waiting and not self.problems:
            self._write(self._waiting[0])

    def _start(self, part: Part) -> None:
        shutil.rmtree(self.out / part.folder, ignore_errors=True)  # never written through into the cache
        command = [str(self._executable), "--site", str(self.scratch / part.folder), "--output-path",
                   str(self.out / part.folder), *OPTIONS]
        core = spare_core(core for _, _, core in self._running)
        with self._log(part).open("wb") as log, programs_on(core):
            try:
                self._running.append((part, subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                                             stdin=subprocess.DEVNULL, cwd=self.scratch), core))
            except OSError as error:
                self.problems.append(_problem(self.out, f"{command[0]} could not run ({error})"))

    def _write(self, part: Part) -> bool:
        """The part's records as the pages Pagefind reads, unless they are written already; False, with a
        problem, if they could not be written."""
        if part.number in self._written:
            return True
        try:
            for each in part.records:
                page = self.scratch / part.folder / each.url / "index.html"
                page.parent.mkdir(parents=True, exist_ok=True)
                page.write_text(each.html(), encoding="utf-8")
        except OSError as error:
            self.problems.append(_problem(self.out, f"its records could not be written ({error})"))
            return False
        self._written.add(part.number)
        return True

    def _log(self, part: Part) -> Path:
        return self.scratch / f"pagefind-{part.number}.log"

    def _failure(self, part: Part, code: int) -> Problem:
        said = self._log(part).read_text(encoding="utf-8", errors="replace").splitlines()
        last = " ".join(line.strip() for line in said if line.strip() and "Error" in line)
        return _problem(self.out, f"Pagefind stopped with exit code {code}" + (f": {last}" if last else ""))


def _stop(running: list[tuple[Part, subprocess.Popen[bytes], int | None]],
          scratch: tempfile.TemporaryDirectory[str]) -> None:
    for _, process, _ in running:
        if process.poll() is None:
            process.kill()
            process.wait()
    scratch.cleanup()


ENTRY = ("pagefind.js", "pagefind-entry.json")
"""The files every part of a finished index has: the script a reader loads, and the list of its index files."""


def written(folder: Path) -> bool:
    """Whether a part of the index looks finished."""
    return all((folder / name).is_file() for name in ENTRY)


def missing(site: Site, out: Path) -> list[str]:
    """The folders of the site's index under `out` that are not finished: a site built without them would
    answer every search with nothing found."""
    return [part.folder for part in site_parts(site) if not written(out / part.folder)]


def _problem(out: Path, message: str) -> Problem:
    return Problem(f"{out.name}/{FOLDER}/", None, None, f"the search index could not be built: {message}",
                   code="search-index")


def _remove_others(out: Path, found: Sequence[Part]) -> None:
    """Whatever is under `out/pagefind/` besides the parts found: parts a last build left that this one has not."""
    folder = out / FOLDER
    wanted = {str(part.number) for part in found}
    for entry in folder.iterdir() if folder.is_dir() else ():
        if entry.name not in wanted:
            shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
    if not found and folder.is_dir():
        folder.rmdir()


def start(site: Site, out: Path) -> Indexing:
    """Start Pagefind on the site's records, as many parts at a time as `parts_at_once` says, writing
    `out/pagefind/<part>/`. With nothing published there is no index (Pagefind refuses an empty site); the
    search box then points to the story index and the topics."""
    found = site_parts(site)
    _remove_others(out, found)
    if not found:
        return Indexing(out)
    from pagefind.service import get_executable  # here, in the process beside MkDocs: it brings in asyncio

    executable = get_executable()
    if executable is None:
        return Indexing(out, problems=[_problem(out, "the Pagefind program is missing; reinstall narrative, "
                                                     "which depends on 'pagefind[bin]'")])
    cache = search_cache.Cache(site.settings.root / search_cache.FOLDER) if site.settings.search.cache else None
    return Indexing(out, found, executable, cache, at_once=parts_at_once(found))
