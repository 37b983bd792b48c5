"""The pipeline in one place: load → validate → site → screen, then the outputs made from the site.

Each step is a named function with explicit inputs and outputs. The MkDocs hook, the CLI and the tests all
call these; none of them prints or exits.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from narrative import (build_cache, digests, editor_pages, feeds, fields, keys, loader, mail, open_data, render,
                       render_ahead, reviews, search_index)
from narrative.background import long_lived, lower_priority, on_all_cores
from narrative.config import Settings
from narrative.impact import measure
from narrative.loader import SourceFile
from narrative.model import Item
from narrative.output import Output, Written
from narrative.pages import Page
from narrative.presentation import long_date, plural
from narrative.problems import Problem, sort_problems
from narrative.screen import Finding, Screened, Screening, screen
from narrative.screen import errors as screen_for_errors
from narrative.site import Site
from narrative.validate import validate

PREVIEW_MARKER = ".narrative-preview"
"""Left in a preview build's folder, to warn anyone who would publish it by hand (`narrative deploy` makes
its own build)."""


def read_site(settings: Settings, preview: bool = False, only: Iterable[Path] | None = None,
              cache: Path | None = None) -> tuple[Site, list[Problem]]:
    """Load every contributed file, build the model and check it; problems about files outside `only`
    (when given) are left out, though every file is read so references between files still resolve. The site
    is kept from then on, and made as `long_lived` says. With a `cache` folder, a file read before with the
    same bytes is not parsed again."""
    with long_lived():
        return _read_site(settings, preview, only, cache)


def _read_site(settings: Settings, preview: bool, only: Iterable[Path] | None,
               cache: Path | None) -> tuple[Site, list[Problem]]:
    listed = loader.listing(settings.stories_path)
    paths = [Path(path) for path in listed]
    wanted = None
    strays, stray_texts = loader.strays(settings.stories_path, settings.root)
    if only is not None:
        only = list(only)
        wanted = _shown(settings, only)
        paths = sorted(set(paths) | {path for path in only if path.suffix == ".md"
                                     and not loader.in_folder(path, settings.docs_path)})
        strays = [Problem(loader.display_path(path, settings.root), 1, None, "is not a Markdown file: stories, "
                          "updates and responses are .md files", "not-markdown")
                  for path in only if path.suffix != ".md"]
    pages, page_problems = loader.editor_pages(settings.docs_path, settings.root, settings.limits, only)
    reader = loader.read_all if cache is None else functools.partial(_read_cached, build_cache.store(cache / PARSED))
    files, problems, unchecked = loader.load(paths, settings.stories_path, settings.root, settings.limits, reader,
                                             listed)
    problems += [*strays, *page_problems, *editor_pages.removed_markup(pages, settings.limits)]
    unchecked += [*stray_texts, *pages]
    items: list[Item] = []
    for file, (item, item_problems) in zip(files, _items(files, settings, cache)):
        problems += item_problems
        if item is not None:
            items.append(item)
        else:
            unchecked.append(loader.words(file))
    now = dt.datetime.now(dt.timezone.utc)
    problems += validate(files, items, now, hold=not (preview or settings.publish_future))
    problems += _check_bodies([item for item in items if wanted is None or item.source.path in wanted],
                              settings, cache)  # the bodies the build will render, as it will render them
    on_record, review_problems = reviews.load(settings)
    if wanted is not None:
        problems = [problem for problem in problems if problem.path in wanted]
    return (Site.from_items(items, settings, preview, unchecked, on_record, now),
            sort_problems([*problems, *review_problems]))


PARSED, ITEMS, BODIES, SCREENED = "parsed.pickle", "items.pickle", "bodies.pickle", "screened.pickle"
"""The stores in the build's cache: each file as parsed, each file's item (and problems), each body as HTML,
each item's findings that are errors."""
MEDIA_FIELDS = frozenset({"images", "audio", "video"})
"""Fields naming files beside the story, whose item depends on those files too (that they are there, their
size): a file's key holds what is found at every path these fields name."""
Built = tuple[Item | None, list[Problem]]


def _items(files: list[SourceFile], settings: Settings, cache: Path | None) -> list[Built]:
    """`fields.build` for each file, on all the machine's cores; with a `cache` folder, a file whose fields were
    read before (the same fields, settings and code, and the same pictures and recordings) is taken from it."""
    if cache is None:
        return _build_each(files, settings)
    maker = keys.LONG_LIVED
    shared = maker.key(keys.code(), settings)
    keyed = {number: maker.of(shared, file, *_media(file)) if shared else None for number, file in enumerate(files)}
    into: build_cache.Store[Built] = build_cache.store(cache / ITEMS)
    found = build_cache.cached(into, keyed, lambda numbers: _build_each([files[n] for n in numbers], settings))
    _known_by(keyed, {number: item for number, (item, _) in found.items()})
    return [found[number] for number in range(len(files))]


def _known_by(keyed: Mapping[int, str | None], made: Mapping[int, object]) -> None:
    """Each value `made` from inputs whose key is known, known by that key to the keys of what shows it (a page's
    key then reads a story as its key, not field by field)."""
    for number, key in keyed.items():
        if key is not None and dataclasses.is_dataclass(value := made[number]):
            keys.LONG_LIVED.known(value, key)


def _build_each(files: list[SourceFile], settings: Settings) -> list[Built]:
    """`fields.build` for each file, on all the machine's cores. An item made by a helper process comes back
    with a copy of its file's body: it is given the file's own, so the text is held once (at 10,000 stories the
    copies were 22 MiB of the 283 MiB the site took once read)."""
    built = on_all_cores(functools.partial(fields.build, settings=settings), files)
    return [(_with_body_of(item, file), problems) for file, (item, problems) in zip(files, built)]


def _with_body_of(item: Item | None, file: SourceFile) -> Item | None:
    if item is None or item.body is file.body or item.body != file.body:
        return item
    return dataclasses.replace(item, body=file.body)


def _media(file: SourceFile) -> list[tuple[str, int, int] | str]:
    """What is at each path the file's picture and recording fields name: its size and time, or nothing."""
    found: list[tuple[str, int, int] | str] = []
    for name in sorted(MEDIA_FIELDS & file.meta.keys()):
        for text in loader.strings(file.meta[name]):
            try:
                stat = (file.file.parent / text).stat()
                found.append((text, stat.st_size, stat.st_mtime_ns))
            except (OSError, ValueError):
                found.append(text)
    return found


def _read_cached(into: build_cache.Store[SourceFile | Problem], jobs: Sequence[loader.Job],
                 ) -> list[SourceFile | Problem]:
    """`loader.read_all`, taking from `into` each file whose bytes (and name, kind, the limits it is read within
    and the code) it has seen."""
    code = keys.code().encode()

    def key(job: loader.Job, data: bytes) -> str:
        path, shown, kind, limits = job
        return hashlib.sha256(b"\0".join([code, str(path).encode(), shown.encode(), kind.value.encode(),
                                           repr(limits).encode(), data])).hexdigest()

    keyed = {number: build_cache.UNCHANGED.key(job[0], job, key) for number, job in enumerate(jobs)}
    # (None for a file that cannot be read: read again by `read_all`, which says why it cannot be)
    found = build_cache.cached(into, keyed, lambda numbers: loader.read_all([jobs[number] for number in numbers]))
    _known_by(keyed, found)
    return [found[number] for number in range(len(jobs))]


def _shown(settings: Settings, paths: Iterable[Path]) -> set[str]:
    return {loader.display_path(path, settings.root) for path in paths}


def screen_site(site: Site, only: Iterable[Path] | None = None) -> Screening:
    """Personal data, crisis words and readability in every loaded file (drafts, withdrawn stories, files with
    errors and the editors' pages under `docs/` too: their text is in the repository all the same), or only in
    the files in `only`; its `problems` fail a build only for the kinds `screening.error_kinds` makes errors."""
    items = [*site.every_item, *site.unchecked]
    if only is not None:
        wanted = _shown(site.settings, only)
        items = [item for item in items if item.source.path in wanted]
    return screen(items, site.settings, site.reviews)


def screen_errors(site: Site, cache: Path | None = None) -> list[Finding]:
    """The screen's findings that stop a build or a deploy (the kinds `screening.error_kinds` names, unless an
    editor has accepted them), looked for in every loaded file and the editors' pages; with no such kinds,
    nothing is screened. Bodies are read as `read_site` rendered them (`render.check`), and the pages reuse them.
    With a `cache` folder, a file or page screened before, with the same code (the screen, what it reads, its
    phrases), settings and reviews, is not screened again."""
    screened = [*site.every_item, *site.unchecked]
    if cache is None:
        return screen_for_errors(screened, site.settings, site.reviews)
    maker = keys.LONG_LIVED
    shared = maker.key(keys.code(), site.settings, site.reviews)
    keyed = {item: maker.of(shared, item) for item in screened} if shared else {}
    if not keyed or None in keyed.values():
        return screen_for_errors(screened, site.settings, site.reviews)
    into: build_cache.Store[list[Finding]] = build_cache.store(cache / SCREENED)
    found = build_cache.cached(into, keyed, lambda items: _by_item(items, site))  # type: ignore[arg-type]
    return [finding for item in sorted(keyed, key=lambda item: item.source.path) for finding in found[item]]


def _by_item(items: list[Screened], site: Site) -> list[list[Finding]]:
    """`screen_for_errors` of `items`, as each item's findings."""
    found: dict[str, list[Finding]] = {}
    for finding in screen_for_errors(items, site.settings, site.reviews):
        found.setdefault(finding.path, []).append(finding)
    return [found.get(item.source.path, []) for item in items]


def held_notices(site: Site, held: Iterable[Finding]) -> dict[str, list[str]]:
    """For a preview: the findings that stop each page from being published, by the page's address (a response
    is shown on its story's page), each as what and where it is, never the text found."""
    pages = {item.source.path: item.url for item in (*site.stories, *site.updates)}
    pages.update((response.source.path, f"stories/{response.story}/") for response in site.responses)
    notices: dict[str, list[str]] = {}
    for finding in held:
        if finding.path in pages:
            notices.setdefault(pages[finding.path], []).append(f"{finding.label}: {finding.path}, {finding.place}")
    return notices


def waiting_line(site: Site) -> str | None:
    """What the build says of the items left out until their day, or None when there are none."""
    scheduled = sorted(site.scheduled, key=lambda item: item.published)
    if not scheduled:
        return None
    first = scheduled[0].published.astimezone(site.settings.zone)
    return (f"{plural(len(scheduled), 'item is', 'items are')} dated in the future and left out until their day "
            f"(the first on {long_date(first.date())}); a preview shows them")


def render_bodies(site: Site, cache: Path | None = None) -> None:
    """Every public story's, update's and response's body rendered now, on all the machine's cores, so that
    pages, feeds, digests and the search index find them done. With a `cache` folder, a body rendered before
    (the same text, limits and code) is taken from it."""
    items = [*site.stories, *site.updates, *site.responses]
    _with_bodies(items, site.settings, cache, lambda known: render.render_bodies(items, known=known))


def _check_bodies(items: list[Item], settings: Settings, cache: Path | None) -> list[Problem]:
    """`render.check` of `items`; with a `cache` folder, a body rendered before (so found renderable within the
    same limits, by the same code) is taken from it, as is one `render_ahead` rendered while the build started."""
    ahead = render_ahead.take(settings.limits)
    found = {item: html for item in items if render.shown(item) and (html := ahead.get(item.body)) is not None}
    return _with_bodies(items, settings, cache,
                        lambda known: render.check(items, settings.limits, known={**found, **known}))


Rendered = TypeVar("Rendered")


def _with_bodies(items: Iterable[Item], settings: Settings, cache: Path | None,
                 render_with: Callable[[dict[Item, render.Html]], Rendered]) -> Rendered:
    """`render_with` given the bodies of `items` the cache in `cache` holds (none without one); each body
    rendered then is kept there (and each kept already marked as still used)."""
    if cache is None:
        return render_with({})
    into: build_cache.Store[bytes] = build_cache.store(cache / BODIES)
    maker = keys.LONG_LIVED  # a body's text is digested once for as long as its file is unchanged
    shared = maker.key(keys.code(), settings.limits)
    keyed = {item: maker.of(shared, item.body) for item in items}
    done = render_with({item: render.Html(utf8) for item, key in keyed.items()
                        if key and not render.rendered(item) and (utf8 := into.get(key)) is not None})
    for item, key in keyed.items():
        if key and render.rendered(item) and into.get(key) is None:
            into.put(key, render.body(item).utf8)
    return done


def media_files(site: Site) -> dict[str, Path]:
    """Pictures and recordings of public stories, by their address under `media/`: a withdrawn story's
    files are not published."""
    return {
        attachment.url: site.settings.stories_path / attachment.src
        for story in site.stories
        for attachment in (*story.images, *(r for r in (story.audio, story.video) if r))
    }


def output_problems(settings: Settings) -> list[Problem]:
    """What a build needs that a check does not: the site's address (feeds and digests link to it) and the
    digest settings, all reported at once."""
    return mail.settings_problems(settings)


def write_digests(site: Site, found: Iterable[digests.Digest], writer: Output, folder: str = "",
                  key: Callable[[digests.Digest], str | None] = lambda digest: None) -> None:
    """Each digest's `email.html`, `email.txt` and `email.eml` under `folder` + the digest's own folder; with
    `key`, made from that key of the digest."""
    for digest in found:
        where = f"{folder}{digest.folder}"
        writer.made(key(digest), [f"{where}{name}" for name in mail.Email.NAMES],
                    functools.partial(_email_files, digest, site, where))


def _email_files(digest: digests.Digest, site: Site, where: str) -> dict[str, bytes]:
    return {f"{where}{name}": data for name, data in mail.compose(digest, site).files().items()}


def write_outputs(site: Site, out: Path, before: Mapping[str, build_cache.Drawn] | None = None) -> Written:
    """Everything the build makes beyond MkDocs' pages (the feeds, the impact figures as open data, and the
    digests' email files beside their archive pages); returns the files written under `out`, with their keys.
    Each feed's files, each digest's and the open data are made from a key of what they show (with the code,
    the settings and whether drafts are shown); those the last build made from the same key and left as they
    were, as `before` says, are kept unmade. A path outside `out`, or written twice, stops the build."""
    kept = digests.archive(site)
    writer = Output(out, reserved=[f"{digest.url}index.html" for digest in kept], before=before)
    shared = keys.LONG_LIVED.key(keys.code(), site.settings, site.preview)

    def key(*made_from: object) -> str | None:
        return keys.LONG_LIVED.key(shared, *made_from) if shared and None not in made_from else None

    for channel, entries in feeds.shown(site):
        writer.made(key("feed", feeds.made_from(channel, entries, site)), feeds.paths(channel),
                    functools.partial(feeds.feed_files, channel, entries, site))
    impact = measure(site)
    writer.made(key("open data", impact), open_data.paths(impact), functools.partial(open_data.files, site, impact))
    if site.preview:
        writer.write(PREVIEW_MARKER, b"Built with drafts shown: never publish this folder.\n")
    else:
        (out / PREVIEW_MARKER).unlink(missing_ok=True)  # left by a preview: MkDocs' clean-up keeps hidden files
    write_digests(site, kept, writer, digests.FOLDER, lambda digest: key("digest", digest))
    return writer.written


def write_beside_pages(site: Site, out: Path, before: Mapping[str, build_cache.Drawn] | None = None,
                       yielding: bool = False) -> tuple[list[Problem], Written]:
    """Everything the build makes from the site alone, beside MkDocs' pages: the search index (Pagefind at work
    while the feeds and digests are written) and `write_outputs` (given `before`). Returns the index's problems
    and the feeds' and digests' files; a feed or digest that cannot be written raises, as in `write_outputs`.
    The hook runs this in a background process, `yielding`: once Pagefind has started, the rest of the work
    here (and any later part of the index) gives way to MkDocs drawing the pages. Pagefind keeps the build's
    priority, as it is the longest of the work: at 1,000 stories it needs about 2 s of a core, more than
    drawing the pages, and at a lower priority it waited for MkDocs and was what the build waited for."""
    indexing = search_index.start(site, out)
    if yielding:
        lower_priority()
    build_cache.save_all()  # what the build's cache learnt, written here rather than while MkDocs waits
    written = write_outputs(site, out, before)
    return indexing.finish(), written


def shared_key(site: Site | None, problems: Sequence[Problem], feed_links: object,
               search_parts: Sequence[Mapping[str, Any]], adapter: object) -> str | None:
    """The key of what every generated page shows beyond its own content: the code, the settings, the problems
    a preview lists, every feed's link, the search index's parts, and what the builder adds (its theme, its
    settings file, its navigation...); None when one of them cannot be keyed."""
    return keys.Keys().key(keys.code(), site.settings if site else None, site.preview if site else None,
                           [str(problem) for problem in problems], feed_links, list(search_parts), adapter)


def content_keys(made: Iterable[Page], held: Mapping[str, list[str]]) -> dict[str, str | None]:
    """The key of what each page shows of its own (title, template, description, its context, the notices held on
    it), by its `src_uri`: worked out while the keys of the items read are at hand, so that a build can forget
    those before MkDocs makes its objects for every page."""
    maker = keys.LONG_LIVED
    return {page.src_uri: maker.key(page.src_uri, page.title, page.template, page.description, page.context,
                                    held.get(page.url)) for page in made}


def page_keys(content: Mapping[str, str | None], shared: str | None,
              drawn_with: Mapping[str, str | None]) -> dict[str, str | None]:
    """Each page's key by its `src_uri`: its `content_keys` key, the `shared` key and the key of the site's own
    theme files its template draws with (`drawn_with`); None where one is missing (something could not be
    keyed), so that page is never kept."""
    return {src_uri: keys.LONG_LIVED.key(shared, key, drawn_with.get(src_uri)) if shared and key else None
            for src_uri, key in content.items()}


def summary(site: Site, pages: int, digests_made: int, seconds: float) -> str:
    """One line saying what a build made, for the end of its log."""
    return (f"Built {plural(len(site.stories), 'story', 'stories')}, {plural(len(site.updates), 'pledge update')} "
            f"and {plural(len(site.responses), 'response')} into {plural(pages, 'page')}, "
            f"{plural(len(feeds.channels(site)), 'feed')} (RSS, Atom and JSON each) and "
            f"{plural(digests_made, 'email digest')} in {seconds:.1f} s.")
