"""Finished parts of the search index, kept between builds in `.cache/narrative/search/` beside `mkdocs.yml`.

Pagefind spends about two milliseconds of CPU on every story, on every build. A part's index depends only on
its records and on the Pagefind program, and the parts are cut oldest first so that a new story changes only
the newest one (`search_index.parts`); so a part whose key is in the cache is copied from it instead of being
indexed again. The cache only ever saves time: an entry is written whole under a temporary name and then
renamed with a list of its files and their sizes, one that cannot be written is skipped, one that cannot be
read or no longer matches its list (a file lost or cut short) is indexed again, and the entries a build did
not use are removed after it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

FOLDER = Path(".cache/narrative/search")
"""Where the cache is, under the folder that holds `mkdocs.yml`."""
FILES = "narrative-files.json"
"""In each entry: every file of the entry, by its path in it, with its size."""
HASHED = frozenset({"fragment", "index", "filter"})
"""Pagefind's folders of files named for a hash of their contents, which nothing ever writes to again."""


def fingerprint(program: Path, options: Sequence[str]) -> str:
    """What every part's index depends on: the Pagefind program, by its contents (a fresh install in CI has new
    file times), and the options it runs with."""
    with program.open("rb") as file:
        digest = hashlib.file_digest(file, "sha256")
    digest.update(repr(tuple(options)).encode())
    return digest.hexdigest()


def key(pages: Iterable[str], fingerprint: str) -> str:
    """What a part's index depends on: the pages Pagefind reads, and the program's `fingerprint`."""
    digest = hashlib.sha256(fingerprint.encode())
    for page in pages:
        digest.update(page.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()[:40]


def copy(source: Path, target: Path) -> None:
    """`source` copied to `target`, which must not exist. Files named for their contents are hard links where
    the filesystem allows (a part has a thousand of them); the few Pagefind may write again are copies, so
    that nothing done to the site's files can change the cache's. An entry's list of files is left behind."""
    shutil.copytree(source, target, copy_function=_link_or_copy, ignore=shutil.ignore_patterns(FILES))


def sizes(folder: Path) -> dict[str, int]:
    """Each file under `folder`, by its path there, with its size."""
    return {path.relative_to(folder).as_posix(): path.stat().st_size for path in folder.rglob("*") if path.is_file()}


def whole(entry: Path) -> bool:
    """Whether an entry holds every file its list names, at the size listed, and nothing else."""
    try:
        listed = json.loads((entry / FILES).read_text(encoding="utf-8"))
        return isinstance(listed, dict) and sizes(entry) == {**listed, FILES: (entry / FILES).stat().st_size}
    except (OSError, ValueError):
        return False


def same(entry: Path, target: Path) -> bool:
    """Whether `target` (the last build's part in the output folder) already holds what the whole `entry` holds:
    the same files at the same sizes, and the same bytes in those not named for their contents."""
    try:
        listed = json.loads((entry / FILES).read_text(encoding="utf-8"))
        if not target.is_dir() or sizes(target) != listed:
            return False
        return all((entry / name).read_bytes() == (target / name).read_bytes()
                   for name in listed if Path(name).parent.name not in HASHED)
    except (OSError, ValueError):
        return False


def _link_or_copy(source: str, target: str) -> None:
    if Path(source).parent.name in HASHED:
        try:
            os.link(source, target)
            return
        except OSError:
            pass
    shutil.copyfile(source, target)


class Cache:
    """The cache's folder, with the keys of the entries used since it was opened."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.used: set[str] = set()

    def fetch(self, key: str, target: Path) -> bool:
        """Copy the entry for `key` to `target` (replacing it); False if there is none, or it is not whole (then
        it is removed) or could not be read."""
        entry = self.folder / key
        self.used.add(key)
        if not entry.is_dir():
            return False
        if not whole(entry):
            shutil.rmtree(entry, ignore_errors=True)
            return False
        if same(entry, target):
            return True
        shutil.rmtree(target, ignore_errors=True)
        try:
            copy(entry, target)
        except OSError:
            shutil.rmtree(target, ignore_errors=True)
            return False
        return True

    def keep(self, key: str, built: Path) -> None:
        """Keep a copy of `built` as the entry for `key`, unless it cannot be written."""
        self.used.add(key)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryDirectory(prefix=f".{key}-", dir=self.folder) as scratch:
                copy(built, Path(scratch) / key)
                (Path(scratch) / key / FILES).write_text(json.dumps(sizes(built)), encoding="utf-8")
                os.replace(Path(scratch) / key, self.folder / key)
        except OSError:
            pass

    def prune(self) -> None:
        """Remove every entry not used since the cache was opened."""
        for entry in self.folder.glob("*") if self.folder.is_dir() else ():
            if entry.name not in self.used:
                shutil.rmtree(entry, ignore_errors=True)
