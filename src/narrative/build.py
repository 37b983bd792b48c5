"""The pipeline in one place: load → validate → (screen) → site, then the outputs made from the site.

Each step is a named function with explicit inputs and outputs. The MkDocs hook, the CLI and the tests all
call these; none of them prints or exits.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from narrative import fields, loader
from narrative.config import Settings
from narrative.model import Item
from narrative.problems import Problem, sort_problems
from narrative.site import Site
from narrative.validate import validate

PREVIEW_VARIABLE = "NARRATIVE_PREVIEW"


def preview_requested() -> bool:
    """A preview build (drafts shown) is asked for with `NARRATIVE_PREVIEW=1`."""
    return os.environ.get(PREVIEW_VARIABLE, "").strip().lower() in {"1", "true", "yes"}


def read_site(settings: Settings, preview: bool = False,
              only: Iterable[Path] | None = None) -> tuple[Site, list[Problem]]:
    """Load every contributed file, build the model and check it; problems about files outside `only`
    (when given) are left out, though every file is read so references between files still resolve."""
    paths = loader.discover(settings.stories_path)
    wanted = None
    if only is not None:
        wanted = {loader.display_path(path, settings.root) for path in only}
        paths = sorted(set(paths) | {path for path in only if path.suffix == ".md"})
    files, problems = loader.load(paths, settings.stories_path, settings.root)
    items: list[Item] = []
    for file in files:
        item, item_problems = fields.build(file, settings)
        problems += item_problems
        if item is not None:
            items.append(item)
    problems += validate(files, items)
    if wanted is not None:
        problems = [problem for problem in problems if problem.path in wanted]
    return Site.from_items(items, settings, preview), sort_problems(problems)


def media_files(site: Site) -> dict[str, Path]:
    """Pictures and recordings of public stories, by their address under `media/`: a withdrawn story's
    files are not published."""
    return {
        attachment.url: site.settings.stories_path / attachment.src
        for story in site.stories
        for attachment in (*story.images, *(r for r in (story.audio, story.video) if r))
    }


def write_outputs(site: Site, out: Path) -> list[Path]:
    """Everything the build makes beyond MkDocs' pages; returns the files written."""
    return []
