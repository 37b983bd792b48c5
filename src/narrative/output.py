"""Writing the build's own files into the site folder, refusing anything that would go wrong quietly.

Every feed and digest file goes through one `Output`, so a path that escapes the site folder, a second write to
the same path (two items with one address) or a write over a page MkDocs made is an error, not a lost file.
Files made together from the same inputs (a feed's three formats, a digest's three email files) are made from a
key of those inputs: where the last build made each of them from the same key and left it as it was, they are
kept, neither made nor written again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from narrative.build_cache import Drawn, unchanged


class OutputError(ValueError):
    """A file cannot be written where it was asked to go; the message names the path and why."""


@dataclass(frozen=True)
class Written:
    """What an `Output` wrote: each file's path under the root, with the key it was made from (None: made every
    time), and those of them kept as the last build left them."""

    keys: dict[str, str | None]
    kept: frozenset[str]


class Output:
    """Writes files under `root`, each at most once; `reserved` are paths someone else writes (MkDocs' pages);
    `before` are the files the last build made there, with the keys they were made from."""

    def __init__(self, root: Path, reserved: Iterable[str] = (), before: Mapping[str, Drawn] | None = None) -> None:
        self.root = Path(root).resolve()
        self.reserved = frozenset(reserved)
        self.before = before or {}
        self._keys: dict[str, str | None] = {}
        """Each file written so far, by its path under the root, with the key it was made from."""
        self._kept: set[str] = set()

    def target(self, relative: str) -> Path:
        """Where `relative` (a `/`-separated path under the root) lands, or `OutputError` if it may not."""
        if "\\" in relative or any(part in ("", ".", "..") for part in relative.split("/")):
            raise OutputError(f"{relative!r} is not a file path inside the site folder")
        path = (self.root / relative).resolve()
        if self.root not in path.parents:
            raise OutputError(f"{relative!r} would be written outside the site folder {self.root}")
        if relative in self.reserved:
            raise OutputError(f"{relative!r} is a page MkDocs writes: nothing else may write it")
        if relative in self._keys:
            raise OutputError(f"{relative!r} was already written by this build: two outputs share one address")
        return path

    def write(self, relative: str, content: str | bytes, key: str | None = None) -> Path:
        """Write text (as UTF-8, line endings untouched) or bytes, made from `key`, to `relative` under the root; a
        file that already holds them, left by the last build, is left as it is."""
        path = self.target(relative)
        data = content.encode("utf-8") if isinstance(content, str) else content
        if not _holds(path, data):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        self._keys[relative] = key
        return path

    def made(self, key: str | None, paths: Sequence[str], make: Callable[[], Mapping[str, bytes]]) -> None:
        """The files at `paths`, made together by `make` from inputs whose key is `key`; kept instead, unmade,
        where the last build made every one of them from the same key and each is still the file it wrote."""
        if paths and all(unchanged(self.before, path, key, self.root) for path in paths):
            for path in paths:
                self.target(path)  # (refused, as a write would be, if written already or not allowed)
                self._keys[path] = key
            self._kept.update(paths)
            return
        files = make()
        if sorted(files) != sorted(paths):
            raise OutputError(f"made {', '.join(sorted(files))} where {', '.join(sorted(paths))} were expected")
        for path, data in files.items():
            self.write(path, data, key)

    @property
    def written_paths(self) -> list[str]:
        """The files written so far, by their `/`-separated path under the root."""
        return list(self._keys)

    @property
    def written(self) -> Written:
        return Written(dict(self._keys), frozenset(self._kept))


def _holds(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False
