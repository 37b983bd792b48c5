"""Run as a program by the tests: the site built as `mkdocs serve` builds it, in this process, then each rebuild
as `mkdocs serve` runs it after an edit, the watcher having named the files changed. Writes one line for each
rebuild to standard output: `quick`, or `full` when MkDocs made the whole site again.

    python -m tests.serving CONFIG SITE_DIR URL EDITS.json

EDITS.json lists rebuilds, each a list of edits `[path, old, new]` (old null: write `new` as the whole file; new
null: delete the file)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from mkdocs.commands.build import build
from mkdocs.config import load_config

from narrative import mkdocs_hooks, serve_watch


def main(config_file: str, site_dir: str, url: str, edits_file: str) -> None:
    made: list[str] = []

    def full() -> None:
        config = load_config(config_file, site_dir=site_dir)
        config.site_url = url
        build(config, serve_url=url)
        made.append("full")

    first = load_config(config_file, site_dir=site_dir)
    first.plugins.on_startup(command="serve", dirty=False)
    first.site_url = url
    build(first, serve_url=url)
    finish(Path(site_dir))
    changed = serve_watch.Changed(mkdocs_hooks._state().settings.stories_path)
    for rebuild in json.loads(Path(edits_file).read_text(encoding="utf-8")):
        for path, old, new in rebuild:
            target = Path(path)
            if new is None:
                target.unlink()
            else:
                target.write_text(new if old is None else target.read_text(encoding="utf-8").replace(old, new),
                                  encoding="utf-8")
            changed._paths.add(str(target))
        made.clear()
        mkdocs_hooks._rebuild(full, changed)
        finish(Path(site_dir))
        print(made[0] if made else "quick", flush=True)


def finish(site_dir: Path) -> None:
    """The index, feeds and digests of the last build finished, as the next rebuild would finish them."""
    if mkdocs_hooks._unfinished is not None:
        beside = mkdocs_hooks._unfinished.beside
        while beside is not None and not beside.done():
            time.sleep(0.05)
        mkdocs_hooks._finish_beside(mkdocs_hooks._unfinished, site_dir)
        mkdocs_hooks._unfinished = None


if __name__ == "__main__":
    main(*sys.argv[1:])
