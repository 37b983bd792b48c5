"""The MkDocs adapter: each hook mirrors an MkDocs event and hands straight off to the core.

The only module that imports MkDocs. Moving to ProperDocs or another builder means rewriting this file,
not the core. State lives in one `_Build` per build, made afresh by `on_config`; what one build hands the next
(the pages still current in the output folder, each file's work) is in `.cache/narrative/` (`build_cache`), so
a rebuild under `mkdocs serve`, or a second `narrative build`, draws only the pages an edit changed.
"""

from __future__ import annotations

import dataclasses
import functools
import html
import logging
import os
import posixpath
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from jinja2 import ChoiceLoader, PackageLoader, pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from mkdocs.commands import build as mkdocs_build
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page as MkDocsPage
from mkdocs.utils import get_build_date

from narrative import (build, build_cache, config as settings_module, feeds, keys, presentation, sanitise,
                       search_index, share_form, theme_keys)
from narrative.background import Background
from narrative.compiled_templates import keep_compiled
from narrative.config import Settings
from narrative.output import Written
from narrative.pages import Page, all_pages
from narrative.problems import Problem, Severity
from narrative.site import Site

if TYPE_CHECKING:
    from mkdocs.livereload import LiveReloadServer

    from narrative import serve_watch

__all__ = ["on_startup", "on_config", "on_pre_build", "on_files", "on_nav", "on_page_markdown", "on_page_content",
           "on_page_context", "on_env", "on_post_page", "on_template_context", "on_post_build", "on_serve",
           "on_shutdown"]

log = logging.getLogger("mkdocs.hooks.narrative")

THEME = Path(__file__).with_name("theme")
"""narrative's templates and assets over Material's, shipped in the package: a site needs only the hook, and a
site's own `custom_dir` still comes first, for the few pages an organisation draws its own way."""


@dataclass
class _Build:
    settings: Settings
    site: Site | None = None
    pages: dict[str, Page] = field(default_factory=dict)
    beside: Background[tuple[list[Problem], Written]] | None = None
    drawn: dict[tuple[str, ...], Markup] = field(default_factory=dict)
    held: dict[str, list[str]] = field(default_factory=dict)
    page_count: int = 0
    problems: list[Problem] = field(default_factory=list)
    """Errors in the content, kept (not raised) while serving, so every page of the preview lists them."""
    started: float = field(default_factory=time.monotonic)
    files: _Files | None = None
    template_keys: dict[str, str] = field(default_factory=dict)
    """For each page template, the key of the site's own theme files it draws with (`theme_keys`)."""
    content_keys: dict[str, str | None] = field(default_factory=dict)
    """The key of what each generated page shows of its own, by its `src_uri` (`build.content_keys`)."""
    page_keys: dict[str, str | None] = field(default_factory=dict)
    """Each generated page's key, by its path in the output folder."""
    outputs: build_cache.Pages = field(default_factory=build_cache.Pages)
    kept: frozenset[str] = frozenset()
    """The generated pages kept from the last build, by their path in the output folder."""
    search_parts: list[dict[str, Any]] = field(default_factory=list)
    """The search index's parts as the search box reads them."""
    beside_before: frozenset[str] = frozenset()
    """The feeds' and digests' files the last build wrote, left in place for this one to compare with."""
    adapter: tuple[Any, ...] | None = None
    """What every page shows that comes from MkDocs (theme, settings file, editors' pages, navigation)."""
    shared: str | None = None
    """The key of what every generated page shows beyond its own content."""
    nav: Any = None
    drawing: _Drawing | None = None
    """Under `mkdocs serve`, what MkDocs drew this build with, for a quick rebuild to draw with again."""


@dataclass
class _Drawing:
    """MkDocs' objects of the last build under `mkdocs serve`: its settings, navigation, files (each generated
    page's file and page object) and template environment, which a quick rebuild draws the changed pages with
    instead of making all of them again; and the day they were made, as each page's date in the sitemap is."""

    config: MkDocsConfig
    nav: Any
    env: Any
    day: str
    media: dict[str, Path]


_current: _Build | None = None
_serving = False
_unfinished: _Build | None = None
"""Under `mkdocs serve`, the last rebuild, if its index, feeds and digests may still be being made."""


class _CorePage(MkDocsPage):
    """A page the core made: its template draws it from the core's context (the body rendered once by
    `render.body_html`), so there is no Markdown for MkDocs to convert, and making a converter for each of
    thousands of pages would cost more than drawing some of them."""

    def render(self, config: MkDocsConfig, files: Files) -> None:
        self.content = ""
        self.present_anchor_ids = set()


class _Files(Files):
    """MkDocs' files, less the generated pages whose output is still current (`kept`): MkDocs neither reads,
    draws nor writes those, yet links to them resolve and the sitemap lists them."""

    kept: frozenset[str] = frozenset()

    def documentation_pages(self, *, inclusion: Callable[[InclusionLevel], bool] = InclusionLevel.is_included
                            ) -> list[File]:
        return [file for file in super().documentation_pages(inclusion=inclusion) if file.src_uri not in self.kept]

    def every_page(self) -> list[File]:
        return list(super().documentation_pages())


def _fail(what: str, problems: list[Problem]) -> PluginError:
    lines = "\n".join(f"  {problem}" for problem in problems)
    return PluginError(f"{what}:\n{lines}")


def _state() -> _Build:
    if _current is None:
        raise PluginError("narrative: the hook's on_config did not run; list hooks/narrative_hooks.py under 'hooks'")
    return _current


def on_startup(*, command: str, dirty: bool) -> None:
    """Under `mkdocs serve`, errors in the content are shown on the page being previewed instead of stopping the
    build: a stopped build leaves the browser waiting for a page that never comes. A signal to stop the
    process (SIGTERM, as `docker stop`, systemd or an editor's task runner send) is taken as Ctrl+C."""
    global _serving
    _serving = command == "serve"
    _stop_on_sigterm()


def _stop_on_sigterm() -> None:
    """SIGTERM raised as KeyboardInterrupt, where nothing else has asked for it: by default it ends the process
    where it stands, so `mkdocs serve` left its temporary site (a copy of the whole built site, 539 MB at
    10,000 stories) and the work beside MkDocs ran on alone, writing into it. Stopped as by Ctrl+C, serve shuts
    down and removes its site, and the work beside it is stopped with it (`on_shutdown`, `Background`)."""
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _interrupt)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def on_shutdown() -> None:
    """`mkdocs serve` stopping: the last rebuild's index, feeds and digests, if still being made, are stopped
    before MkDocs removes the folder they are written into."""
    global _unfinished
    if _unfinished is not None and _unfinished.beside is not None:
        _unfinished.beside.cancel()
    _unfinished = None


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    global _current
    if str(THEME) not in config.theme.dirs:
        config.theme.dirs.insert(1 if config.theme.custom_dir else 0, str(THEME))
    raw = {"site_name": config.site_name, "site_url": config.site_url, "docs_dir": config.docs_dir,
           "extra": config.extra,
           "theme": {"language": config.theme["language"] if "language" in config.theme else None}}
    root = Path(config.config_file_path or ".").resolve().parent
    name = Path(config.config_file_path).name
    settings, problems = settings_module.from_mapping(raw, root=root, path=name)
    problems += build.output_problems(settings) if settings else []
    if settings is None or problems:
        raise _fail(f"narrative: {name} has settings to fix", problems)
    _current = _Build(settings)
    return config


def on_pre_build(*, config: MkDocsConfig) -> None:
    """The last build's output set aside before MkDocs empties the folder, for `on_nav` to put back what is
    still current; under `mkdocs serve`, once the last rebuild's index, feeds and digests are finished."""
    _finish_unfinished(Path(config.site_dir))
    build_cache.set_aside(Path(config.site_dir))


def _finish_unfinished(site_dir: Path) -> None:
    """`_finish_beside` of the last rebuild under `mkdocs serve`, if it has not been."""
    global _unfinished
    if _unfinished is not None:
        _finish_beside(_unfinished, site_dir)
        _unfinished = None


def _finish_beside(state: _Build, site_dir: Path) -> None:
    """The index, feeds and digests of the last rebuild under `mkdocs serve`, which the page being previewed did
    not wait for: their problems are logged once they are done; if they are still being made they are stopped,
    as this rebuild makes them again, and none of their files is kept."""
    if state.beside is None:
        return
    if not state.beside.done():
        state.beside.cancel()
        return
    problems, written = state.beside.result()
    if problems:
        log.error(str(_fail("narrative: the preview was built without its search index", problems)))
    _remember_beside(state, site_dir, written)


def on_files(files: Files, *, config: MkDocsConfig) -> Files:
    state = _state()
    site = _read_content(state)
    if state.problems and not _serving:
        raise _fail(f"narrative: {len(state.problems)} problem(s) in the content; fix them and build again",
                    state.problems)
    _say_content(state)
    build.render_bodies(site, _cache(state))
    site_dir = Path(config.site_dir)
    state.outputs = build_cache.Pages.read(_cache(state) / build_cache.PAGES, site_dir)
    _start_beside(state, site, site_dir, held=build_cache.anything_set_aside(site_dir))
    state.pages = {page.src_uri: page for page in all_pages(site)}
    state.content_keys = build.content_keys(state.pages.values(), state.held)
    if not _serving:  # the keys of what was read, kept only for a rebuild in this process, freed for MkDocs
        keys.LONG_LIVED.forget()
    files = state.files = _Files(files)
    for page in state.pages.values():
        files.append(_generated(config, page))
    for src_uri, path in build.media_files(site).items():
        files.append(File.generated(config, src_uri, abs_src_path=str(path)))
    state.page_count = len(files.documentation_pages())
    return files


def _read_content(state: _Build) -> Site:
    """The site read, checked and screened; its errors (a preview's findings are shown
    on their pages instead) kept, for a build to stop on or a preview to list."""
    preview = settings_module.preview_requested()
    site, problems = build.read_site(state.settings, preview=preview, cache=_cache(state))
    held = build.screen_errors(site, _cache(state))  # a preview shows these on their pages; a build stops on them
    state.problems = [problem for problem in [*problems, *([] if preview else (f.problem for f in held))]
                      if problem.severity is Severity.ERROR]
    state.site = site
    state.held = build.held_notices(site, held) if preview else {}
    return site


def _say_content(state: _Build) -> None:
    """What a preview's log says of the content: its errors, and the items waiting for their day."""
    if state.problems:
        log.error(str(_fail(f"narrative: {len(state.problems)} problem(s) in the content, listed on every page",
                            state.problems)))
    if state.site is not None and (waiting := build.waiting_line(state.site)):
        log.info(f"narrative: {waiting}")


def on_nav(nav: Any, *, config: MkDocsConfig, files: Files) -> Any:
    """Each generated page's key, from its own content and what every page shares (the code, the theme, the
    settings, the navigation, the editors' pages); the pages whose key and file are unchanged are kept, and the
    rest of the last build's output goes."""
    state, site_dir = _state(), Path(config.site_dir)
    state.beside_before = frozenset(state.outputs.beside or ())
    state.search_parts = search_index.for_reader(state.site) if state.site else []
    state.nav, state.shared = nav, _shared_key(state, config, nav)
    by_src = build.page_keys(state.content_keys, state.shared, _drawn_with(state))
    kept: set[str] = set()
    for file in state.files.every_page() if state.files else ():
        if file.src_uri in by_src:
            state.page_keys[file.dest_uri] = by_src[file.src_uri]
            if state.outputs.still_there(file.dest_uri, by_src[file.src_uri], site_dir / build_cache.SET_ASIDE):
                kept.add(file.src_uri)
    state.kept = frozenset(files.get_file_from_path(src_uri).dest_uri for src_uri in kept)
    rewritten = _rewritten(config, files)
    build_cache.bring_back(site_dir, lambda path: path in state.kept or path in rewritten
                           or path in state.beside_before or path.startswith(f"{search_index.FOLDER}/"))
    if state.files is not None:
        state.files.kept = frozenset(kept)
    if state.beside is not None:  # the last build's output is back in place (a process not held has started)
        state.beside.go()
    return nav


def _drawn_with(state: _Build) -> dict[str, str | None]:
    """For each generated page, by its `src_uri`, the key of the site's own theme files its template draws with."""
    return {src_uri: state.template_keys.get(page.template) for src_uri, page in state.pages.items()}


def _start_beside(state: _Build, site: Site, site_dir: Path, held: bool = False) -> None:
    """The index, feeds and digests made in another process while MkDocs draws (giving way to it once Pagefind
    has started); the cache's stores are written by that process, and a build that runs once forgets them
    here. A build forks it as soon as the site is read and rendered, so that it does not hold a copy of MkDocs'
    objects for every page (100 MiB at 50,000 stories); a `held` one starts once `on_nav` has put the last
    build's output back in place (a build with none to put back does not hold it). It is given the keys the last
    build's feeds, emails and open data were made from (`state.outputs`, read before it is forked), to keep
    those whose key is unchanged."""
    before = dict(state.outputs.beside or {})
    state.beside = Background(lambda: build.write_beside_pages(site, site_dir, before, yielding=True), held=held)
    build_cache.save_all(write=False)
    if not _serving:  # each file as read, kept only for a rebuild in this process, is freed for the drawing
        build_cache.release()


def _rewritten(config: MkDocsConfig, files: Files) -> set[str]:
    """The files MkDocs writes again in every build (in place, which costs less than making them anew): every
    page and file it is given, and the theme's own pages."""
    included = InclusionLevel.is_in_serve if _serving else InclusionLevel.is_included
    written = {file.dest_uri for file in files if included(file.inclusion)}
    written.update(config.theme.static_templates)
    written.update(f"{name}.gz" for name in config.theme.static_templates if name == "sitemap.xml")
    return written


def on_post_page(output: str, *, page: MkDocsPage, config: MkDocsConfig) -> str:
    """A page MkDocs will not write, as it drew nothing, is removed: the last build's file is not current."""
    if not output.strip():
        Path(page.file.abs_dest_path).unlink(missing_ok=True)
    return output


def _shared_key(state: _Build, config: MkDocsConfig, nav: Any) -> str | None:
    """What every generated page depends on beyond its own content; None (so no page is kept) if a part of it
    cannot be read. The site's own theme files a page template draws with are keyed with that template's
    pages instead (`template_keys`): an edit to the story page's template draws the stories again, not every
    list and digest."""
    own = Path(config.theme.custom_dir).resolve() if config.theme.custom_dir else None
    try:
        used, unreached = theme_keys.split(_with_narrative_templates(config.theme.get_env()), own,
                                           _page_templates(state)) if own else ({}, [])
        state.template_keys = {template: keys.of_files(paths, own) for template, paths in used.items()}
        theme = keys.of_files([*unreached, *(path for folder in config.theme.dirs if Path(folder).resolve() != own
                                             for path in _theme_files(Path(folder)))])
        settings_file = Path(config.config_file_path).read_bytes() if config.config_file_path else b""
        editors = keys.of_files([Path(file.abs_src_path) for file in state.files or ()
                                 if file.is_documentation_page() and file.abs_src_path])
    except OSError:
        return None
    state.adapter = (theme, settings_file, editors, config.site_url or "", config.use_directory_urls, _serving,
                     _nav_outline(nav.items))
    return build.shared_key(state.site, state.problems, _feed_links(state.site), state.search_parts, state.adapter)


def _page_templates(state: _Build) -> set[str]:
    """The templates of this build's generated pages, and of the kinds it has none of yet (the first withdrawn
    story's), so that a quick rebuild that makes one knows which of the site's theme files it draws with."""
    return {page.template for page in state.pages.values()} | {
        f"narrative/{path.name}" for path in (THEME / "narrative").glob("*.html")}


def _feed_links(site: Site | None) -> dict[str, feeds.Channel]:
    """Every feed by its path, without its items, for the links in each page's head: what is not there cannot
    be drawn, so a page's key need not hold every item of every feed."""
    return {channel.path: dataclasses.replace(channel, items=()) for channel in feeds.channels(site)} if site else {}


def _theme_files(folder: Path) -> list[Path]:
    """The files of a theme folder, but for Material's thousands of icons (its version, in `keys.code()`, stands
    for them)."""
    found = []
    for parent, children, names in os.walk(folder.resolve()):
        children[:] = [child for child in children if child != ".icons"]
        found += [Path(parent, name) for name in names]
    return found


def _nav_outline(items: Any) -> list[Any]:
    return [(item.title, getattr(item, "url", None), _nav_outline(item.children or []))
            for item in items]


def _cache(state: _Build) -> Path:
    return state.settings.root / build_cache.FOLDER


def on_page_markdown(markdown: str, *, page: MkDocsPage, config: MkDocsConfig, files: Files) -> str:
    generated = _state().pages.get(page.file.src_uri)
    if generated is not None:
        _dress(page, generated)  # again: MkDocs reading the page emptied its metadata
    return markdown


def _dress(page: MkDocsPage, generated: Page) -> None:
    """The generated page's title, description and template where MkDocs' navigation, sitemap and theme look."""
    page.meta["template"] = generated.template
    page.meta["description"] = html.escape(generated.description)
    page.title = html.escape(generated.title)  # type: ignore[misc]


def on_page_content(html: str, *, page: MkDocsPage, config: MkDocsConfig, files: Files) -> str:
    """An editor's page under `docs/` cleaned as contributions are; the core's own pages are drawn from HTML
    that is clean already."""
    return html if page.file.src_uri in _state().pages else sanitise.clean_page(html)


@pass_context
def _same_at_each_depth(context: Context, name: str) -> Markup:
    """The template `name` drawn once for each depth of page (`base_url`) and reused: the header's search box
    and dialog and the footer are the same on thousands of pages, and drawing them again for each one was a
    tenth of the build. Such a template must depend on nothing but the site's settings and `narrative_root`,
    the way from the page to the site's root, ending in a slash (`../../`, or `/` on the 404 page)."""
    base = str(context.get("base_url") or ".")
    return _drawn_once((name, base), lambda: context.environment.get_template(name).render(
        {**context.get_all(), "narrative_root": base.rstrip("/") + "/"}))


@pass_context
def _same_in_each_folder(context: Context, name: str, caller: Callable[[], str]) -> Markup:
    """What the `{% call %}` block named `name` draws, drawn once for all the pages in one folder (`stories/`,
    `topics/`) and reused. For parts of Material's frame whose links are made relative to the page (`| url`),
    so are the same for pages in one folder: on the thousands of pages we make, its navigation (nothing in
    it is the current page) and its scripts' settings were a quarter of the time spent drawing pages. The
    way to the site's root is part of the key too, as the home page and `stories/` share the folder ''."""
    page = context.get("page")
    folder = posixpath.dirname(page.url.rstrip("/")) if page is not None else ""
    return _drawn_once((name, str(context.get("base_url")), folder), caller)


def _drawn_once(key: tuple[str, ...], draw: Callable[[], str]) -> Markup:
    """What `draw` draws, the first time `key` is asked for in this build; the same again after that."""
    drawn = _state().drawn
    if key not in drawn:
        drawn[key] = Markup(draw())
    return drawn[key]


def on_env(env: Any, *, config: MkDocsConfig, files: Files) -> Any:
    state = _state()
    env.globals["narrative_same_at_each_depth"] = _same_at_each_depth
    env.globals["narrative_same_in_each_folder"] = _same_in_each_folder
    _site_globals(env, state)
    env.filters.update(presentation.FILTERS)
    _with_narrative_templates(env)
    env.globals["narrative_share_form"] = share_form
    keep_compiled(env)
    if _serving:
        state.drawing = _Drawing(config, state.nav, env, get_build_date(),
                                 build.media_files(state.site) if state.site else {})
    return env


def _with_narrative_templates(env: Any) -> Any:
    """MkDocs' template environment, finding narrative's own templates too (the forms' macros) after the theme's."""
    env.loader = ChoiceLoader([env.loader, PackageLoader("narrative", "templates")])
    return env


def _site_globals(env: Any, state: _Build) -> None:
    """What the templates read of this build's site."""
    env.globals["narrative_site"] = state.site
    env.globals["narrative_problems"] = state.problems
    env.globals["narrative_feeds"] = _feed_links(state.site)
    env.globals["narrative_search_parts"] = state.search_parts


def on_page_context(context: dict[str, Any], *, page: MkDocsPage, config: MkDocsConfig, nav: Any) -> dict[str, Any]:
    generated = _state().pages.get(page.file.src_uri)
    context["narrative"] = SimpleNamespace(**generated.context) if generated else None
    context["narrative_held"] = _state().held.get(page.url)
    return context


def on_template_context(context: dict[str, Any], *, template_name: str, config: MkDocsConfig) -> dict[str, Any]:
    """The sitemap lists every page, those kept from the last build too."""
    if template_name == "sitemap.xml" and _state().files is not None:
        context["pages"] = _state().files.every_page()
    return context


def on_post_build(*, config: MkDocsConfig) -> None:
    """The pages' keys kept for the next build, once the index, feeds and digests are written beside the pages;
    under `mkdocs serve` the page being previewed does not wait for those, which the next rebuild finishes."""
    global _unfinished
    state, site_dir = _state(), Path(config.site_dir)
    _remember_pages(state, site_dir)
    keys.LONG_LIVED.forget_unused()
    written = None
    if state.beside is not None and _serving:
        _unfinished = state
    elif state.beside is not None:
        problems, written = state.beside.result()
        if problems:
            raise _fail("narrative: the site was built without its search index", problems)
        _remember_beside(state, site_dir, written)
    if state.site is not None:
        digests_made = sum(page.template == "narrative/digest.html" for page in state.pages.values())
        log.info(build.summary(state.site, state.page_count, digests_made, time.monotonic() - state.started))
        if state.kept:
            log.info(_kept_line(state))
        if written is not None and written.kept:
            log.info(_kept_beside_line(written))


def _kept_line(state: _Build) -> str:
    return (f"narrative: {len(state.kept):,} of {len(state.page_keys):,} generated pages were unchanged and kept "
            f"from the last build; {len(state.page_keys) - len(state.kept):,} were drawn")


def _kept_beside_line(written: Written) -> str:
    return (f"narrative: {len(written.kept):,} of {len(written.keys):,} feed, email and open data files were "
            f"unchanged and kept from the last build; {len(written.keys) - len(written.kept):,} were made")


def _remember_pages(state: _Build, site_dir: Path) -> None:
    """For the next build: the key of every page now in the output folder."""
    for dest_uri, key in state.page_keys.items():
        if dest_uri not in state.kept:
            state.outputs.record(dest_uri, key, site_dir)
    state.outputs.forget_all_but(state.page_keys)
    state.outputs.beside = None
    state.outputs.save(_cache(state) / build_cache.PAGES)


def _remember_beside(state: _Build, site_dir: Path, written: Written) -> None:
    """For the next build: the feeds' and digests' files, with the keys they were made from; those the last build
    wrote and this one did not are removed, as a clean build would not have them."""
    for stale in state.beside_before - written.keys.keys():
        _remove_output(site_dir, stale)
    state.outputs.beside = {path: drawn for path, key in written.keys.items()
                            if (drawn := build_cache.Drawn.of(site_dir / path, key)) is not None}
    state.outputs.save(_cache(state) / build_cache.PAGES)


def on_serve(server: LiveReloadServer, *, config: MkDocsConfig, builder: Callable[[], None]) -> LiveReloadServer:
    """The stories are watched too, by the system's own notices of changed files where it gives them (inotify on
    Linux): MkDocs' watcher looks at every file twice a second, which at thousands of stories holds the
    interpreter for much of the time a rebuild needs. Each rebuild then asks first whether a quick one will do,
    which it can tell from the files changed."""
    from narrative import serve_watch  # only a server watches: a build has no use for watchdog

    stories = _state().settings.stories_path
    changed = serve_watch.Changed(stories, wake=functools.partial(serve_watch.wake, server))
    root = Path(config.config_file_path or ".").resolve().parent
    watched = [(stories, True), (Path(config.docs_dir), True), (root, False),
               *((Path(path), True) for path in [config.theme.custom_dir, *config.watch] if path)]
    try:
        serve_watch.start(server, changed, watched)
        log.info(f"narrative: watching {stories} for changes")
    except OSError as error:  # no notices to be had (inotify's limits reached): MkDocs' own watcher looks
        log.info(f"narrative: MkDocs watches {stories} for changes ({error}); every rebuild is a full one")
        server.watch(str(stories))
    server.builder = functools.partial(_rebuild, builder, changed)
    return server


def _rebuild(full: Callable[[], None], changed: serve_watch.Changed) -> None:
    """MkDocs' rebuild, or a quick one when only stories changed."""
    paths = changed.take()
    last = _current
    if changed.only_content(paths) and last is not None:
        try:
            if _quick_rebuild(last):
                return
        except Exception as error:  # noqa: BLE001 - a full rebuild says what is wrong, in MkDocs' own words
            log.warning(f"narrative: a quick rebuild failed ({error}); rebuilding the whole site")
    full()


def _quick_rebuild(last: _Build) -> bool:
    """A rebuild that keeps MkDocs' objects from the last build and draws only the pages whose key changed, for
    an edit to the stories alone: the site is read again (the files unchanged since are not), each page's key
    worked out, and the pages, feeds, digests and search part that changed made again, as a full rebuild would
    make them. False, having changed nothing, when a full rebuild is needed: when what every page shares
    changed (an error appeared or went, a new search part), when a picture or the day changed, or when MkDocs
    runs plugins of its own."""
    global _current, _unfinished
    drawing, files = last.drawing, last.files
    if drawing is None or files is None or list(drawing.config.plugins) != list(drawing.config.hooks) \
            or get_build_date() != drawing.day:
        return False
    _finish_unfinished(Path(drawing.config.site_dir))  # stopped now if unfinished, so that it leaves the cores
    state = _Build(last.settings, adapter=last.adapter, outputs=last.outputs, nav=drawing.nav, drawing=drawing,
                   files=files, template_keys=last.template_keys)
    site = _read_content(state)
    if build.media_files(site) != drawing.media:
        return False
    state.search_parts = search_index.for_reader(site)
    state.shared = build.shared_key(site, state.problems, _feed_links(site), state.search_parts, state.adapter)
    if state.shared is None or state.shared != last.shared:
        return False
    _say_content(state)
    build.render_bodies(site, _cache(state))
    site_dir = Path(drawing.config.site_dir)
    state.pages = {page.src_uri: page for page in all_pages(site)}
    if last.template_keys and {page.template for page in state.pages.values()} - last.template_keys.keys():
        return False  # (a kind of page the last build had none of: which of the site's theme files it uses)
    rearranged = list(state.pages) != list(last.pages)
    if rearranged:
        _arrange(files, last, state, site_dir)
    by_src = build.page_keys(build.content_keys(state.pages.values(), state.held), state.shared, _drawn_with(state))
    drawn = []
    for src_uri, key in by_src.items():
        file = files.src_uris[src_uri]
        state.page_keys[file.dest_uri] = key
        if not state.outputs.drawn_from(file.dest_uri, key):  # (what this process wrote: not looked at again)
            drawn.append(file)
    state.kept = frozenset(state.page_keys) - {file.dest_uri for file in drawn}
    files.kept = frozenset(state.pages) - {file.src_uri for file in drawn}
    state.beside_before = frozenset(last.outputs.beside or ()) | last.beside_before  # (to remove if not written)
    _current, state.page_count = state, len(files.documentation_pages())
    _draw(state, drawn, sitemap=rearranged)
    _start_beside(state, site, site_dir)
    _unfinished = state
    _remember_pages(state, site_dir)
    keys.LONG_LIVED.forget_unused()
    log.info(f"{_kept_line(state)}, in a quick rebuild of {time.monotonic() - state.started:.2f} s (only stories "
             "changed)")
    return True


def _arrange(files: _Files, last: _Build, state: _Build, site_dir: Path) -> None:
    """MkDocs' files for the generated pages as a full build makes them: the pages gone removed (and their output),
    new ones made, and all of them, then the stories' pictures, in the order of the site's pages, which is the
    sitemap's."""
    assert state.drawing is not None
    config, uris = state.drawing.config, files.src_uris
    for src_uri in last.pages.keys() - state.pages.keys():
        _remove_output(site_dir, files.src_uris[src_uri].dest_uri)
    arranged = [*(uris.get(src_uri) or _generated(config, page) for src_uri, page in state.pages.items()),
                *(uris[src_uri] for src_uri in state.drawing.media)]
    for src_uri in [*last.pages, *state.drawing.media]:
        files.remove(uris[src_uri])
    for file in arranged:
        files.append(file)


def _generated(config: MkDocsConfig, page: Page) -> File:
    """The file and page MkDocs draws a generated page from."""
    file = File.generated(config, page.src_uri, content="", inclusion=InclusionLevel.NOT_IN_NAV)
    _dress(_CorePage(None, file, config), page)
    return file


def _remove_output(site_dir: Path, dest_uri: str) -> None:
    """A page no longer made, and the folders it leaves empty."""
    path = site_dir / dest_uri
    path.unlink(missing_ok=True)
    try:
        os.removedirs(path.parent)
    except OSError:
        pass  # (a folder still holding something)


def _draw(state: _Build, drawn: list[File], sitemap: bool) -> None:
    """The generated pages in `drawn`, every editor's page and the error page drawn as MkDocs draws them (the
    editors' pages may show anything of the site), and the sitemap if pages came, went or moved."""
    drawing, files = state.drawing, state.files
    assert drawing is not None and files is not None
    config, env = drawing.config, drawing.env
    _site_globals(env, state)
    editors = [file for file in files.documentation_pages() if file.src_uri not in state.pages]
    for file in [*drawn, *editors]:
        if file.src_uri in state.pages:
            _dress(file.page, state.pages[file.src_uri])
        mkdocs_build._populate_page(file.page, config, files)
    listed = files.documentation_pages(inclusion=InclusionLevel.is_in_serve)
    for template in config.theme.static_templates:
        if template != "sitemap.xml" or sitemap:
            mkdocs_build._build_theme_template(template, env, files, config, drawing.nav)
    for file in [*drawn, *editors]:
        mkdocs_build._build_page(file.page, config, listed, drawing.nav, env)
