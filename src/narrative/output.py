"""Writing the build's own files into the site folder, refusing anything that would go wrong quietly.

Every feed and digest file goes through one `Output`, so a path that escapes the site folder, a second write to
the same path (two items with one address) or a write over a page MkDocs made is an error, not a lost file.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


class OutputError(ValueError):
    """A file cannot be written where it was asked to go; the message names the path and why."""


class Output:
    """Writes files under `root`, each at most once; `reserved` are paths someone else writes (MkDocs' pages)."""

    def __init__(self, root: Path, reserved: Iterable[str] = ()) -> None:
        self.root = Path(root).resolve()
        self.reserved = frozenset(reserved)
        self._written: dict[str, Path] = {}

    def target(self, relative: str) -> Path:
        """Where `relative` (a `/`-separated path under the root) lands, or `OutputError` if it may not."""
        if "\\" in relative or any(part in ("", ".", "..") for part in relative.split("/")):
            raise OutputError(f"{relative!r} is not a file path inside the site folder")
        path = (self.root / relative).resolve()
        if self.root not in path.parents:
            raise OutputError(f"{relative!r} would be written outside the site folder {self.root}")
        if relative in self.reserved:
            raise OutputError(f"{relative!r} is a page MkDocs writes: nothing else may write it")
        if relative in self._written:
            raise OutputError(f"{relative!r} was already written by this build: two outputs share one address")
        return path

    def write(self, relative: str, content: str | bytes) -> Path:
        """Write text (as UTF-8, line endings untouched) or bytes to `relative` under the root; a file that already
        holds them, left by the last build, is left as it is."""
        path = self.target(relative)
        data = content.encode("utf-8") if isinstance(content, str) else content
        if not _holds(path, data):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        self._written[relative] = path
        return path

    @property
    def written_paths(self) -> list[str]:
        """The files written so far, by their `/`-separated path under the root."""
        return list(self._written)


def _holds(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False
