"""Reading contributed files: bytes to front matter, body and the line of every field.

The only module that touches python-frontmatter. It knows nothing of what the fields mean (that is
`fields.py`); it turns any file, however broken, into either a `SourceFile` or a `Problem`, never an exception.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import frontmatter
import yaml

from narrative.background import on_all_cores
from narrative.model import Kind, Source, Unchecked
from narrative.problems import Problem

LIMITS = "extra.narrative.limits"
"""Where the settings that `Limits` holds (and the renderer's depth of lists) are written."""
_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _FrontMatterLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe YAML that reads a plain value as the text written unless it is plainly a number, `true`, `false`
    or nothing: YAML 1.1's other guesses made `title: 10:30` the number 630, `author: 0x1F` 31, `role: .nan`
    not a number and `consent: on` true. Dates are left as text too, so `fields.py` can say what is wrong
    with a bad one."""

    yaml_implicit_resolvers: dict[str | None, list[tuple[str, re.Pattern[str]]]] = {}


for _tag, _pattern, _first in (
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^[-+]?(?:0|[1-9][0-9]*)$", list("-+0123456789")),
    ("tag:yaml.org,2002:float", r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$", list("-+0123456789.")),
    ("tag:yaml.org,2002:merge", r"^<<$", ["<"]),
):
    _FrontMatterLoader.add_implicit_resolver(_tag, re.compile(_pattern), _first)


class FrontMatterError(Exception):
    """The front matter cannot be read; `line` is relative to the front matter's first line.

    Not a ValueError: python-frontmatter swallows those from `split()` and reads the whole file as the body."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


class _LineAwareHandler(frontmatter.YAMLHandler):
    """python-frontmatter's YAML handler, remembering where the front matter and the body begin."""

    def __init__(self) -> None:
        super().__init__()
        self.fm_offset = 0
        self.end_offset = 0
        self.body_offset = 0
        self.lines: dict[str, int] = {}

    def split(self, text: str) -> tuple[str, str]:
        boundaries = list(self.FM_BOUNDARY.finditer(text))  # type: ignore[union-attr]
        if len(boundaries) < 2:
            raise FrontMatterError("the front matter is not closed: add a line '---' after the last field", 0)
        opening, closing = boundaries[0], boundaries[1]
        self.fm_offset = text.count("\n", 0, opening.end())
        self.end_offset = text.count("\n", 0, closing.start())
        body = text[closing.end():]
        self.body_offset = text.count("\n", 0, closing.end()) + body.count("\n", 0, len(body) - len(body.lstrip()))
        return text[opening.end():closing.start()], body

    def load(self, fm: str, **kwargs: object) -> Any:
        try:
            node = yaml.compose(fm, Loader=_FrontMatterLoader)
        except yaml.reader.ReaderError as error:
            # The first such character is the one reported; its position is in bytes or characters by loader.
            line = fm.count("\n", 0, fm.find(chr(error.character)))
            raise FrontMatterError(f"contains an invisible control character (U+{error.character:04X}) that YAML "
                                   "does not allow: remove it", line) from None
        except yaml.YAMLError as error:
            raise _invalid(error) from None
        if node is None:
            return {}
        if not isinstance(node, yaml.MappingNode):
            raise FrontMatterError("the front matter must be fields like 'title: ...', one a line",
                                   node.start_mark.line)
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue  # a list or mapping as a key cannot be constructed: construct_document() says where
            key = key_node.value
            if key in self.lines:
                raise FrontMatterError(f"the field '{key}' appears twice", key_node.start_mark.line)
            self.lines[key] = key_node.start_mark.line
        try:
            return _FrontMatterLoader("").construct_document(node)
        except yaml.YAMLError as error:
            raise _invalid(error) from None


def _invalid(error: yaml.YAMLError) -> FrontMatterError:
    """The YAML parser's complaint in one line, at the line it points to."""
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or str(error)
        if "quoted scalar" in (error.context or "") and error.context_mark is not None:
            return FrontMatterError("the front matter is not valid YAML: a value in quotes is not closed: add the "
                                    "closing quote mark at its end", error.context_mark.line)
        if problem.startswith("mapping values are not allowed"):
            problem += " (a value with ': ' in it needs quotes, like title: \"Ward 7: the night staff\")"
        return FrontMatterError(f"the front matter is not valid YAML: {problem}", mark.line if mark else None)
    return FrontMatterError(f"the front matter is not valid YAML: {error}")


@dataclass(frozen=True)
class SourceFile:
    """A contributed file, read but not yet understood: its kind, slug, raw fields and body."""

    kind: Kind
    file: Path
    slug: str
    meta: dict[str, Any]
    body: str
    source: Source

    @property
    def path(self) -> str:
        return self.source.path


def kind_of(path: Path, stories_path: Path) -> Kind | None:
    """The kind a file is, from the folder under `stories/` that holds it."""
    return _kind(path.resolve(), stories_path.resolve())


def _kind(resolved: Path | str, stories: Path | str) -> Kind | None:
    within = _within(str(resolved), str(stories))
    return _FOLDERS.get(within.split("/", 1)[0]) if within else None


_FOLDERS = {kind.folder: kind for kind in Kind}


def _within(path: str, folder: str) -> str | None:
    """`path` from `folder`, with forward slashes, if it is inside it (both absolute and resolved): worked out
    on the text, as it is for every one of thousands of files in each build."""
    prefix = folder.rstrip(os.sep) + os.sep
    return path[len(prefix):].replace(os.sep, "/") if path.startswith(prefix) else None


def discover(stories_path: Path) -> list[Path]:
    """Every Markdown file under the content folders, in a stable order (links to folders are not followed)."""
    return [Path(path) for path in listing(stories_path)]


def listing(stories_path: Path) -> dict[str, bool]:
    """`discover`'s files, by their path as text, each with whether it is a link to a file, which `load` then
    need not ask the system of each file (under `mkdocs serve`, a tenth of a second of every rebuild at 10,000
    stories)."""
    found: list[tuple[str, bool]] = []
    for kind in Kind:
        _markdown_in(str(stories_path / kind.folder), found)
    found.sort(key=lambda each: each[0].split(os.sep))  # as paths compare: folder by folder
    return dict(found)


def _markdown_in(folder: str, found: list[tuple[str, bool]]) -> None:
    """The `.md` files in `folder` and the folders in it, added to `found` with whether each is a link: the
    system says of each entry whether it is a file, folder or link as it lists them, so thousands of files need
    no call each."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            _markdown_in(entry.path, found)
        elif entry.name.endswith(".md") and entry.is_file():
            found.append((str(Path(entry.path)), entry.is_symlink()))


TEXT_SUFFIXES = frozenset({"", ".md", ".markdown", ".mdown", ".mkd", ".txt", ".text", ".rtf", ".doc", ".docx",
                           ".odt"})
"""Files that look like someone's writing. One under `stories/` that is not read would never be published or
screened, so it is reported rather than passed over (pictures and recordings beside the stories are not)."""


def strays(stories_path: Path, root: Path) -> tuple[list[Problem], list[Unchecked]]:
    """Writing under the stories folder that no one would read: a file not named `.md`, or a `.md` file
    outside the content folders; with the text of each that is text, for the screen. Hidden files and
    folders (`.gitkeep`) are left alone."""
    found: list[Problem] = []
    texts: list[Unchecked] = []
    content = {str(stories_path / kind.folder) for kind in Kind}
    base = root.resolve()
    for folder, folders, names in os.walk(stories_path):
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        in_content = any(folder == top or folder.startswith(top + os.sep) for top in content)
        for name in sorted(names):
            suffix = os.path.splitext(name)[1]
            if name.startswith(".") or suffix.lower() not in TEXT_SUFFIXES or (suffix == ".md" and in_content):
                continue  # not writing, or a file the loader reads: nothing to say, and no path worked out
            path = Path(folder, name)
            shown = _own_name(path, base)
            if links_out(path, base):
                found.append(link_out(shown))
                continue  # never read: it could show anything on the machine in the report
            found.append(_wrong_folder(shown, stories_path) if suffix == ".md" else Problem(
                shown, 1, None, f"is not read, as its name does not end in '.md': rename it to "
                f"'{path.stem.removesuffix('.md')}.md'", "not-markdown"))
            texts += filter(None, [_whole(path, shown)])  # a word-processor file has nothing to screen
    return found, texts


def links_out(path: Path, base: Path) -> bool:
    """Whether `path` is a symbolic link to somewhere outside the site's folder (`base`, resolved)."""
    return path.is_symlink() and not path.resolve().is_relative_to(base)


def link_out(shown: str) -> Problem:
    return Problem(shown, 1, None, "is a link to a file outside the site's folder, so it is not read: put the "
                   "file itself here, or remove the link", "link-outside")


def _wrong_folder(shown: str, stories_path: Path) -> Problem:
    folders = ", ".join(f"{stories_path.name}/{kind.folder}/" for kind in Kind)
    return Problem(shown, 1, None, f"is not in a content folder: move it into {folders}", "wrong-folder")


def display_path(path: Path, root: Path) -> str:
    """The path as an editor knows it: relative to the site's folder where it can be."""
    return _shown(path, path.resolve(), root.resolve())


def _shown(path: Path, resolved: Path | str, root: Path | str) -> str:
    return _within(str(resolved), str(root)) or path.as_posix()


def _own_name(path: Path, base: Path) -> str:
    """The path as an editor knows it, from the site's folder (`base`, resolved): a link's own name, not its
    target's."""
    return _shown(path, Path(os.path.realpath(path.parent), path.name), base)


class Limits(Protocol):
    """How big a file may be before it is read: the settings' `limits` (`config.LimitSettings`)."""

    @property
    def max_file_size(self) -> int: ...

    @property
    def max_line_length(self) -> int: ...


def read(path: Path, shown: str, kind: Kind, limits: Limits) -> SourceFile | Problem:
    """One file, or the one problem that stops it from being read at all."""
    text = _text(path, shown, limits)
    if isinstance(text, Problem):
        return text
    return long_line(text, shown, limits.max_line_length) or parse(text, shown, kind, path)


def _text(path: Path, shown: str, limits: Limits) -> str | Problem:
    """A file's text, or why it cannot be read: too big, unreadable, or not UTF-8."""
    try:
        size = path.stat().st_size
        if size > limits.max_file_size:
            return too_big(size, shown, limits.max_file_size)
        raw = path.read_bytes()
    except OSError as error:
        return Problem(shown, 1, None, f"cannot be read: {error.strerror}", "unreadable")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        return Problem(shown, line, None, "is not UTF-8 text: save it again as UTF-8", "not-utf8")
    return text


def too_big(size: int, shown: str, limit: int) -> Problem:
    """A file of `size` bytes, more than `limit`, as a problem."""
    return Problem(shown, 1, None, f"is {size:,} bytes long: a file may hold {limit:,} ({LIMITS}.max_file_size): "
                   "keep to the story itself, or split it in two", "too-big")


def long_line(text: str, shown: str, limit: int) -> Problem | None:
    """The first line longer than `limit` characters, as a problem, or None."""
    for number, line in enumerate(text.splitlines(), start=1):
        if len(line) > limit:
            return Problem(shown, number, None, f"this line is {len(line):,} characters long: a line may hold "
                           f"{limit:,} ({LIMITS}.max_line_length): break it into paragraphs, with an empty line "
                           "between them", "long-line")
    return None


def parse(text: str, shown: str, kind: Kind, file: Path) -> SourceFile | Problem:
    """Split text into front matter and body, remembering the line of every field."""
    handler = _LineAwareHandler()
    if not handler.detect(text.strip()):
        return Problem(shown, 1, None, "has no front matter: start the file with a line '---', then the fields "
                       "(title, date, ...), then another '---'", "no-front-matter")
    try:
        meta, body = frontmatter.parse(text, handler=handler)
    except FrontMatterError as error:
        line = _leading(text) + handler.fm_offset + (error.line or 0) + 1
        return Problem(shown, line, None, str(error), "bad-front-matter")
    return SourceFile(kind, file, file.stem, meta, body, _placed(text, shown, handler))


def body(path: Path, limits: Limits) -> str | None:
    """The body `read` finds in a file, without reading its fields; None where it finds none (the file cannot be
    read, or has no front matter that ends)."""
    text = _text(path, str(path), limits)
    handler = _LineAwareHandler()
    if isinstance(text, Problem) or not handler.detect(text := text.strip()):
        return None
    try:
        return handler.split(text)[1].strip()
    except FrontMatterError:
        return None


def _leading(text: str) -> int:
    """The blank lines before a file's front matter."""
    return text.count("\n", 0, len(text) - len(text.lstrip()))


def _placed(text: str, shown: str, handler: _LineAwareHandler) -> Source:
    """Where a parsed file's fields and body are: its front matter may follow blank lines."""
    leading = _leading(text)
    first = leading + handler.fm_offset + 1
    lines = {key: first + offset for key, offset in handler.lines.items()}
    return Source(shown, lines, body_line=leading + handler.body_offset + 1,
                  end_line=leading + handler.end_offset + 1)


def words(file: SourceFile) -> Unchecked:
    """The texts of a file that is not a valid item, for the screen: every string in its front matter, under
    the name of the field that first holds it, however the field is spelt or nested, and the body."""
    return _words(file.source, file.meta, file.body)


def _words(source: Source, meta: dict[str, Any], body: str) -> Unchecked:
    """A string met again is screened once: YAML's aliases can repeat one text ten thousand times in a few
    lines."""
    first: dict[str, str] = {}  # each text, and the field it is first met in
    for name, value in meta.items():
        for text in strings(value):
            first.setdefault(text, str(name))
    return Unchecked(source, tuple((name, text) for text, name in first.items()), body)


def discover_pages(docs_path: Path) -> list[Path]:
    """The editors' own pages: every Markdown file under `docs/`."""
    return sorted(docs_path.rglob("*.md"))


def editor_pages(docs_path: Path, root: Path, limits: Limits,
                 only: Iterable[Path] | None = None) -> tuple[list[Unchecked], list[Problem]]:
    """The editors' own pages under `docs/` (all, or those in `only`), for the screen as stories are: the
    strings in each page's front matter and its body, or all of a page whose front matter cannot be read (MkDocs
    itself says what is wrong with it); and what stops a page being read, as for a story: a link out of the
    site's folder (never read), a file or a line past the limits."""
    base = root.resolve()
    paths = discover_pages(docs_path) if only is None else [path for path in only if in_folder(path, docs_path)]
    pages: list[Unchecked] = []
    problems: list[Problem] = []
    for path in paths:
        shown = _own_name(path, base)
        if links_out(path, base):
            problems.append(link_out(shown))
            continue
        text = _text(path, shown, limits)
        if isinstance(text, Problem):
            problems.append(text)
            if text.code == "too-big":
                pages += filter(None, [_whole(path, shown)])
            continue
        problems += filter(None, [long_line(text, shown, limits.max_line_length)])
        pages.append(_page(text, shown))
    return pages, problems


def _page(text: str, shown: str) -> Unchecked:
    """An editor's page, whose front matter is optional."""
    handler = _LineAwareHandler()
    if handler.detect(text.strip()):
        try:
            meta, body = frontmatter.parse(text, handler=handler)
        except FrontMatterError:
            pass
        else:
            return _words(_placed(text, shown, handler), meta, body)
    return Unchecked(Source(shown), (), text)


def in_folder(path: Path, folder: Path) -> bool:
    """Whether `path` is a Markdown file under `folder`, however either is written; a link is where it is, not
    where it points."""
    return path.suffix == ".md" and Path(os.path.realpath(path.parent)).is_relative_to(folder.resolve())


def strings(value: Any) -> Iterable[str]:
    """The strings in a value, however nested, each list or mapping walked once: YAML's aliases can make a
    few lines hold millions of items, or a list that holds itself."""
    seen: set[int] = set()
    waiting = [value]
    while waiting:
        value = waiting.pop()
        if isinstance(value, str):
            yield value
        elif isinstance(value, (dict, list)) and id(value) not in seen:
            seen.add(id(value))
            waiting.extend(reversed(list(value.values() if isinstance(value, dict) else value)))


UNPARSED = frozenset({"no-front-matter", "bad-front-matter", "too-big", "long-line"})
"""The problems after which a file's text is still screened whole: it could be read, not understood."""


def _whole(path: Path, shown: str) -> Unchecked | None:
    """A file whose front matter cannot be read, as one text from its first line; None for one that cannot be
    read or is not UTF-8 text (a word-processor file, or one too big to read as a story that is not text)."""
    try:
        return Unchecked(Source(shown), (), path.read_bytes().decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError):
        return None


Job = tuple[Path, str, Kind, Limits]
"""A file to read: its path, its path as shown in messages, its kind and the limits it is read within."""


def read_all(jobs: Sequence[Job]) -> list[SourceFile | Problem]:
    """Each file read, on all the machine's cores."""
    return on_all_cores(_read, jobs)


def load(paths: Iterable[Path], stories_path: Path, root: Path, limits: Limits,
         reader: Callable[[Sequence[Job]], list[SourceFile | Problem]] = read_all,
         links: Mapping[str, bool] | None = None) -> tuple[list[SourceFile], list[Problem], list[Unchecked]]:
    """Read many files (with `reader`), each once however it is named, keeping every problem rather than stopping
    at the first; with them, the whole text of each file whose front matter could not be read, for the screen.
    `links` says of the paths `listing` found whether each is a link; the others are asked of the system."""
    outcomes: list[SourceFile | Problem | None] = []  # in the order given; None until read
    jobs: list[Job] = []
    seen: set[str] = set()
    stories, base = str(stories_path.resolve()), root.resolve()  # once, not for every file: each is a system call
    resolved_folders: dict[str, str] = {}
    known = links or {}
    for path in paths:
        resolved = _resolve(str(path), resolved_folders, known)
        if resolved in seen:
            continue  # the same file named twice (`/site/stories/...` and `stories/...`) is not a duplicate
        seen.add(resolved)
        shown = _shown(path, resolved, base)
        kind = _kind(resolved, stories)
        if kind is None:
            outcomes.append(link_out(_own_name(path, base))
                            if links_out(path, base) else _wrong_folder(shown, stories_path))
            continue
        outcomes.append(None)
        jobs.append((path, shown, kind, limits))
    read_now = reader(jobs)
    unparsed = [text for (path, shown, *_), outcome in zip(jobs, read_now)
                if isinstance(outcome, Problem) and outcome.code in UNPARSED and (text := _whole(path, shown))]
    done = iter(read_now)
    outcomes = [next(done) if outcome is None else outcome for outcome in outcomes]
    files = [outcome for outcome in outcomes if isinstance(outcome, SourceFile)]
    return files, [outcome for outcome in outcomes if isinstance(outcome, Problem)], unparsed


def _resolve(path: str, folders: dict[str, str], links: Mapping[str, bool]) -> str:
    """`os.path.realpath(path)`, resolving each folder once (`folders` keeps them): resolving is a system call
    for every folder on the way, and thousands of files share a few folders. A file that is itself a link
    (as `links` says, or else the system) is resolved."""
    link = links.get(path)
    if link is None:
        link = os.path.islink(path)
    if link:
        return os.path.realpath(path)
    parent, name = os.path.split(path)
    folder = folders.get(parent)
    if folder is None:
        folder = folders[parent] = os.path.realpath(parent)
    return os.path.join(folder, name)


def _read(job: Job) -> SourceFile | Problem:
    return read(*job)
