"""Bodies rendered while a build starts up, in a process of their own on a core that would otherwise wait.

For its first half second a build imports MkDocs, its theme and the hook, all on one core. `narrative build`
forks this process before that, when nothing is kept from a last build: it renders the stories' bodies in the
order they are listed, at a lower priority, until the build comes to render them itself and `take`s those done
(at 1,000 stories, about two in five). A body is found by its text, so a file changed meanwhile is simply rendered
again; and one rendered within other limits is not used at all.
"""

from __future__ import annotations

import mmap
import os
from dataclasses import dataclass
from pathlib import Path

from narrative import loader, render
from narrative.background import Background
from narrative.build_cache import FOLDER
from narrative.config import LimitSettings, Settings
from narrative.render import Html


@dataclass
class _Rendering:
    limits: LimitSettings
    work: Background[list[tuple[str, Html]]]
    stop: mmap.mmap
    """One shared byte, set to ask the process to stop after the body it is rendering."""


_rendering: _Rendering | None = None


def begin(settings: Settings) -> None:
    """Start rendering the site's bodies in another process, where the system can fork one and no cache is kept
    from a last build (with one, most bodies are in it already)."""
    global _rendering
    if not hasattr(os, "fork") or (settings.root / FOLDER).exists():
        return
    stop = mmap.mmap(-1, 1)
    work = Background(lambda: _render(settings.stories_path, settings.limits, stop), yielding=True)
    _rendering = _Rendering(settings.limits, work, stop)


def take(limits: LimitSettings) -> dict[str, Html]:
    """The bodies rendered so far, by their text, and the rendering stopped; none if none was begun, if it
    was begun with other `limits`, or if it failed."""
    global _rendering
    rendering, _rendering = _rendering, None
    if rendering is None:
        return {}
    rendering.stop[0] = 1
    try:
        done = rendering.work.result()
    except Exception:  # noqa: BLE001 - it only ever saves time: whatever stopped it, the build renders every body
        return {}
    return dict(done) if rendering.limits == limits else {}


def _render(stories: Path, limits: LimitSettings, stop: mmap.mmap) -> list[tuple[str, Html]]:
    """In the process: each listed file's body and its HTML, as `render.check` would make it, until `stop` is
    set. A file that cannot be read, or a body that cannot be rendered, is left for the build to report, and a
    link is not followed (the build itself reads only the links that stay within the site)."""
    done = []
    for path, link in loader.listing(stories).items():
        if stop[0]:
            break
        if link:
            continue
        body = loader.body(Path(path), limits)
        if body is not None and isinstance(outcome := render.attempt_html(body, limits), Html):
            done.append((body, outcome))
    return done
