"""What one build keeps for the next, in `.cache/narrative/` beside `mkdocs.yml`: the work done for each file
(read, rendered, screened) by the key of everything it depends on, and a list of the pages in the output
folder with the key each was drawn from, so an unchanged page is neither drawn nor written again.

The cache only ever saves time. An entry is looked up by its key, never by a name, so a changed input simply
misses; a file that cannot be read is an empty cache; one that cannot be written is skipped; a page is kept
only if the file in the output folder is still the one the build wrote (its size and time unchanged).
"""

from __future__ import annotations

import os
import pickle
import shutil
import tempfile
from collections.abc import Callable, Collection, Hashable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Generic, TypeVar

FOLDER = Path(".cache/narrative")
"""Where the cache is, under the folder that holds `mkdocs.yml`."""
PAGES = "pages.pickle"
"""In the cache: the pages of the last output folder (`Pages`)."""
SET_ASIDE = ".narrative-previous"
"""The last build's output, moved aside within the output folder while MkDocs empties the folder (MkDocs leaves
hidden files alone), so the pages still current can be put back."""

V = TypeVar("V")


class Store(Generic[V]):
    """Values by key, in one file of `.cache/narrative/`, read when first asked for. `save()` writes the entries
    asked for or added since the last save, so what no build uses any more goes. One store for each file is
    kept for the process's life (`store()`), so the rebuilds of `mkdocs serve` find it in memory."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._entries: dict[str, V] | None = None
        self._used: set[str] = set()
        self._changed = False

    def _all(self) -> dict[str, V]:
        if self._entries is None:
            try:
                with self.path.open("rb") as file:
                    self._entries = _read_entries(file)
            except Exception:  # noqa: BLE001 - a cache that cannot be read, for whatever reason, is empty
                self._entries = {}
        return self._entries

    def get(self, key: str) -> V | None:
        value = self._all().get(key)
        if value is not None:
            self._used.add(key)
        return value

    def put(self, key: str, value: V) -> None:
        self._all()[key] = value
        self._used.add(key)
        self._changed = True

    def save(self, write: bool = True) -> None:
        """Keep the entries used since the last save, and forget the rest; unless not to `write` them (another
        process does), write them, if that is not what the file holds already."""
        entries = self._all()
        if self._changed or self._used != entries.keys():
            self._entries = {key: entries[key] for key in self._used}
            if write:
                _atomically(self.path, lambda file: _write_entries(file, self._entries or {}))
        self._used, self._changed = set(), False


_stores: dict[Path, Store[Any]] = {}


def store(path: Path) -> Store[Any]:
    """The store kept in `path`, the same object for the whole of this process's life."""
    found = _stores.get(path)
    if found is None:
        found = _stores[path] = Store(path)
    return found


def save_all(write: bool = True) -> None:
    """`Store.save()` for every store this process has opened."""
    for each in _stores.values():
        each.save(write)


def release() -> None:
    """Forget the stores this process has opened (each saved first, or written by another process), so that
    what they hold and nothing else needs is freed, and the files' keys: a build that runs once has no later
    rebuild to serve."""
    _stores.clear()
    UNCHANGED.forget()


def _atomically(path: Path, write: Callable[[IO[bytes]], None]) -> None:
    """What `write` writes to a file, put at `path` whole or not at all; nothing if the folder cannot be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}-", delete=False) as file:
            try:
                write(file)
            except BaseException:
                os.unlink(file.name)
                raise
        os.replace(file.name, path)
    except OSError:
        pass


ENTRIES = "narrative.build_cache entries 1"
"""What begins a store's file, before the number of its entries and then each entry pickled on its own."""


def _write_entries(file: IO[bytes], entries: Mapping[str, Any]) -> None:
    """A store's entries, each pickled on its own, a text value as its UTF-8 bytes. Pickling the whole store at
    once would keep a note of every object in it until the end (millions, at 50,000 stories), and pickling a
    text that is not all ASCII keeps its UTF-8 copy inside the text for the text's life: a process that writes
    the store of every body as HTML would hold each body twice. Both would be on top of the build's own memory,
    in the process that writes the stores beside MkDocs."""
    pickle.dump((ENTRIES, len(entries)), file, protocol=pickle.HIGHEST_PROTOCOL)
    for key, value in entries.items():
        encoded = isinstance(value, str)
        pickle.dump((key, value.encode("utf-8", "surrogatepass") if encoded else value, encoded), file,
                    protocol=pickle.HIGHEST_PROTOCOL)


def _read_entries(file: IO[bytes]) -> dict[str, Any]:
    """The entries `_write_entries` wrote; none from a file in another layout."""
    heading = pickle.load(file)
    if not (isinstance(heading, tuple) and len(heading) == 2 and heading[0] == ENTRIES):
        return {}
    entries = {}
    for _ in range(heading[1]):
        key, value, encoded = pickle.load(file)
        entries[key] = value.decode("utf-8", "surrogatepass") if encoded else value
    return entries


def cached(into: Store[V], keys: Mapping[Any, str | None], make: Callable[[list[Any]], list[V]]) -> dict[Any, V]:
    """The value for each of `keys`' items: from the store where its key is there, from one call to `make` (given
    the items missing, returning their values in order) otherwise, and then kept there; an item with no key (it
    cannot be keyed) is always made, and never kept."""
    found: dict[Any, V] = {}
    missing = []
    for item, key in keys.items():
        value = None if key is None else into.get(key)
        if value is None:
            missing.append(item)
        else:
            found[item] = value
    for item, value in zip(missing, make(missing)):
        key = keys[item]
        if key is not None:
            into.put(key, value)
        found[item] = value
    return found


class Unchanged:
    """Each file's key by what the system says of it (inode, size, times), for the life of this process: under
    `mkdocs serve` a rebuild finds the key of each of thousands of unchanged files without reading them again.
    Never kept between processes: what is written to the cache is always keyed by the bytes read."""

    def __init__(self) -> None:
        self._known: dict[object, tuple[tuple[int, ...], str]] = {}

    def key(self, path: Path, name: Hashable, make: Callable[[Any, bytes], str]) -> str | None:
        """`make(name, the file's bytes)` for the file at `path` (`name` standing for everything else the key
        holds), or what it was when the file was last read, if it has not changed since; None if it cannot be
        read."""
        try:
            stat = os.stat(path)
            signature = (stat.st_ino, stat.st_dev, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
            known = self._known.get(name)
            if known is not None and known[0] == signature:
                return known[1]
            made = make(name, path.read_bytes())
        except OSError:
            return None
        self._known[name] = (signature, made)
        return made

    def forget(self) -> None:
        self._known = {}


UNCHANGED = Unchanged()
"""The keys of the files this process has read."""


@dataclass(frozen=True)
class Drawn:
    """A file in the output folder: the key it was made from (None: it is made every time), and the file's size
    and time when written."""

    key: str | None
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path, key: str | None) -> Drawn | None:
        """The file at `path`, just made from `key`; None if it is not there."""
        try:
            stat = path.stat()
        except OSError:
            return None
        return cls(key, stat.st_size, stat.st_mtime_ns)


def unchanged(drawn: Mapping[str, Drawn], relative: str, key: str | None, site_dir: Path) -> bool:
    """Whether the file at `relative` under `site_dir` was made from `key`, as `drawn` says, and is still the file
    written then (its size and time unchanged)."""
    found = drawn.get(relative)
    if key is None or found is None or found.key != key:
        return False
    return Drawn.of(site_dir / relative, key) == found


@dataclass
class Pages:
    """The pages in one output folder, by their path in it, as the last build left them."""

    site_dir: str = ""
    drawn: dict[str, Drawn] = field(default_factory=dict)
    beside: dict[str, Drawn] | None = None
    """The files the build wrote beside MkDocs' pages (feeds, digests' email files, open data), by their path,
    with the key each was made from; None when not known (they were still being written when the build ended),
    so that none is kept."""

    @classmethod
    def read(cls, path: Path, site_dir: Path) -> Pages:
        """The list kept for `site_dir`; an empty one if there is none, or it is another folder's."""
        try:
            with path.open("rb") as file:
                found = pickle.load(file)
        except Exception:  # noqa: BLE001 - a list that cannot be read is no list
            found = None
        here = str(site_dir.resolve())
        if not isinstance(found, Pages) or found.site_dir != here:
            return cls(here)
        if not isinstance(found.beside, dict):  # (kept by an earlier version, as a list of paths)
            found.beside = None
        return found

    def drawn_from(self, relative: str, key: str | None) -> bool:
        """Whether `relative` was drawn from `key`."""
        drawn = self.drawn.get(relative)
        return key is not None and drawn is not None and drawn.key == key

    def still_there(self, relative: str, key: str | None, site_dir: Path) -> bool:
        """Whether `relative` was drawn from `key` and the file there is still the one written then."""
        return unchanged(self.drawn, relative, key, site_dir)

    def record(self, relative: str, key: str | None, site_dir: Path) -> None:
        """Remember the page just written at `relative` as drawn from `key` (forgotten when there is none)."""
        self.drawn.pop(relative, None)
        if key is not None and (drawn := Drawn.of(site_dir / relative, key)) is not None:
            self.drawn[relative] = drawn

    def forget_all_but(self, kept: Collection[str]) -> None:
        self.drawn = {relative: drawn for relative, drawn in self.drawn.items() if relative in kept}

    def save(self, path: Path) -> None:
        _atomically(path, lambda file: pickle.dump(self, file, protocol=pickle.HIGHEST_PROTOCOL))


def set_aside(site_dir: Path) -> None:
    """Move the output folder's contents into its hidden `SET_ASIDE` folder, out of reach of MkDocs' cleaning;
    what is left there by a build that stopped half way is removed first."""
    aside = site_dir / SET_ASIDE
    shutil.rmtree(aside, ignore_errors=True)
    if not site_dir.is_dir():
        return
    entries = [entry for entry in os.listdir(site_dir) if not entry.startswith(".")]
    if entries:
        aside.mkdir()
        for entry in entries:
            os.replace(site_dir / entry, aside / entry)


def anything_set_aside(site_dir: Path) -> bool:
    """Whether `set_aside` found anything of a last build's in the output folder, for `bring_back` to sort."""
    return (site_dir / SET_ASIDE).is_dir()


def bring_back(site_dir: Path, keep: Callable[[str], bool]) -> set[str]:
    """Put back, from the folder set aside, the files `keep` says are current (given their path in the output
    folder), and remove the rest; returns the paths put back."""
    aside = site_dir / SET_ASIDE
    kept: set[str] = set()
    if not aside.is_dir():
        return kept
    for folder, _, names in os.walk(aside, topdown=False):
        base = os.path.relpath(folder, aside).replace(os.sep, "/")
        holds = False
        for name in names:
            relative = name if base == "." else f"{base}/{name}"
            if keep(relative):
                kept.add(relative)
                holds = True
            else:
                os.unlink(os.path.join(folder, name))
        if not holds and base != ".":
            try:
                os.rmdir(folder)  # a folder left empty; MkDocs makes again those it writes into
            except OSError:
                pass
    for entry in os.listdir(aside):
        if not (site_dir / entry).exists():
            os.replace(aside / entry, site_dir / entry)
    shutil.rmtree(aside, ignore_errors=True)
    return kept

