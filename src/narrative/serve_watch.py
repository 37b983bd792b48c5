"""What `narrative serve` watches for: the system's own notices of changed files (inotify on Linux), gathered
between rebuilds, so that each rebuild can tell from the files changed whether a quick one will do. The hook
imports this when MkDocs starts serving: a build has no use for the file watcher, whose import took 30 ms of
every build's start, when it has only one busy core."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

if TYPE_CHECKING:
    from mkdocs.livereload import LiveReloadServer


def start(server: LiveReloadServer, changed: Changed, watched: Iterable[tuple[Path, bool]]) -> None:
    """Tell `changed` of every change under each existing folder (and, where `True`, the folders in it); raises
    OSError where the system gives no notices, or MkDocs' `server` could not be woken by them."""
    if not hasattr(server, "_rebuild_cond"):
        raise OSError("MkDocs' server cannot be woken")
    watcher = Observer()
    for path, recursive in watched:
        if path.is_dir():
            watcher.schedule(changed, str(path.resolve()), recursive=recursive)
    watcher.daemon = True
    watcher.start()


def wake(server: LiveReloadServer) -> None:
    """Ask MkDocs' server for a rebuild, as its own watcher does."""
    with server._rebuild_cond:
        server._want_rebuild = True
        server._rebuild_cond.notify_all()


class Changed(FileSystemEventHandler):
    """The files changed since the last rebuild, as the watcher tells them; each change `wake`s the server."""

    def __init__(self, stories: Path, wake: Callable[[], None] = lambda: None) -> None:
        self.stories = str(stories.resolve())
        self.wake = wake
        self._paths: set[str] = set()
        self._lock = threading.Lock()

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory or event.event_type in ("opened", "closed_no_write"):
            return  # (reading a file changes nothing)
        with self._lock:
            self._paths.update(os.fsdecode(path) for path in (event.src_path, getattr(event, "dest_path", ""))
                               if path)
        self.wake()

    def take(self) -> set[str]:
        with self._lock:
            paths, self._paths = self._paths, set()
        return paths

    def only_content(self, paths: set[str]) -> bool:
        """Whether every path is a story, update or response, the editors' reviews, or an editor's scratch file
        beside them (hidden, or a backup): a picture, or anything outside the stories, takes a full rebuild."""
        def content(path: str) -> bool:
            name = os.path.basename(path)
            return (os.path.realpath(path).startswith(self.stories + os.sep)
                    and (name.endswith((".md", ".yml", "~")) or name.startswith(".")))
        return bool(paths) and all(content(path) for path in paths)
