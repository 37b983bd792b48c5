"""Bodies rendered ahead while a build starts: the ones the build would render, only while they are still the
files' bodies and within the same limits, stopped when the build comes to render them, never with a cache."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pytest

from narrative import build, render, render_ahead
from narrative.build_cache import FOLDER
from narrative.cli import main
from narrative.config import LimitSettings, Settings, load_settings
from narrative.loader import SourceFile, body, read
from narrative.model import Kind
from narrative.render import Html
from tests.conftest import Project
from tests.test_incremental import assert_same_as_clean

BODIES = {
    "first-visit": "I'd never been before -- and didn't know where to go.\n\nThe nurse's smile helped.\n",
    "the-wait": "We waited *three hours*. 'Nobody told us,' she said.\n\n- a list\n- of things\n",
    "back-home": "Home now, and it's good to be back.\n",
}


def settings_of(project: Project) -> Settings:
    settings, problems = load_settings(project.config_file)
    assert settings is not None, problems
    return settings


@pytest.fixture
def stories(project: Project) -> Project:
    for number, (slug, text) in enumerate(BODIES.items(), start=1):
        project.story(slug, body=text, date=f"2026-03-0{number}")
    return project


def wait_until_rendered() -> None:
    """Until the process rendering ahead has rendered every body (it stops only when asked, or at the end)."""
    rendering = render_ahead._rendering
    assert rendering is not None
    deadline = time.monotonic() + 60
    while not rendering.work.done():
        assert time.monotonic() < deadline, "the bodies were not rendered within a minute"
        time.sleep(0.01)


def test_the_bodies_rendered_ahead_are_the_ones_the_build_renders(stories: Project) -> None:
    settings = settings_of(stories)
    render_ahead.begin(settings)
    wait_until_rendered()
    taken = render_ahead.take(settings.limits)
    assert {text: html.utf8 for text, html in taken.items()} == {
        text.strip(): render.to_html(text).encode() for text in BODIES.values()}
    assert render_ahead.take(settings.limits) == {}  # taken once: the process is gone


def test_a_body_edited_after_it_was_rendered_ahead_is_rendered_again(stories: Project) -> None:
    settings = settings_of(stories)
    render_ahead.begin(settings)
    wait_until_rendered()
    path = stories.root / "stories/patient/back-home.md"
    path.write_text(path.read_text(encoding="utf-8").replace("good to be back", "quiet"), encoding="utf-8")
    site, problems = build.read_site(settings)
    assert problems == []
    shown = {story.slug: render.body_html(story) for story in site.stories}
    assert shown["back-home"] == "<p>Home now, and it’s quiet.</p>"
    assert shown["first-visit"] == render.to_html(BODIES["first-visit"])


def test_bodies_rendered_within_other_limits_are_not_used(stories: Project) -> None:
    settings = settings_of(stories)
    render_ahead.begin(settings)
    wait_until_rendered()
    assert render_ahead.take(dataclasses.replace(settings.limits, max_depth=settings.limits.max_depth - 1)) == {}


def test_nothing_is_rendered_ahead_of_a_build_with_a_cache(stories: Project) -> None:
    settings = settings_of(stories)
    (stories.root / FOLDER).mkdir(parents=True)
    render_ahead.begin(settings)
    assert render_ahead._rendering is None
    assert render_ahead.take(settings.limits) == {}


def test_the_rendering_stops_when_the_build_takes_what_is_done(project: Project) -> None:
    long = "".join(f"Paragraph {number}, with *emphasis* and it's 'quoted' -- twice...\n\n" for number in range(300))
    for number in range(200):
        project.story(f"story-{number:03d}", body=f"Story {number}.\n\n{long}")
    settings = settings_of(project)
    render_ahead.begin(settings)
    taken = render_ahead.take(settings.limits)
    assert len(taken) < 200  # it looks before each body: it never renders them all
    assert all(html.utf8 == render.to_html(text).encode() for text, html in taken.items())


def test_a_build_given_every_body_ahead_is_a_clean_build(stories: Project, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """`narrative build` as a user runs it, with the bodies all rendered ahead: the same site, byte for byte,
    as a build without them."""
    took: list[int] = []
    take = render_ahead.take

    def take_all(limits: object) -> dict[str, Html]:
        wait_until_rendered()
        taken = take(limits)  # type: ignore[arg-type]
        took.append(len(taken))
        return taken

    monkeypatch.setattr(render_ahead, "take", take_all)
    site_dir = stories.root / "site"
    assert main(["-f", str(stories.config_file), "build", "-d", str(site_dir)]) == 0
    assert took == [len(BODIES)]
    assert_same_as_clean(stories, site_dir, tmp_path)


def test_a_body_past_the_limits_is_left_for_the_build_to_report(stories: Project) -> None:
    settings = settings_of(stories)
    too_deep = "- " * (settings.limits.max_depth + 1) + "a\n"
    stories.story("too-deep", body=too_deep)
    render_ahead.begin(settings)
    wait_until_rendered()
    taken = render_ahead.take(settings.limits)
    assert too_deep.strip() not in taken and BODIES["back-home"].strip() in taken


def test_no_link_is_followed_and_a_failure_is_no_bodies(stories: Project, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    outside = tmp_path / "private.md"
    outside.write_text("---\ntitle: Not ours\n---\nNever read from outside the site.\n", encoding="utf-8")
    (stories.root / "stories/patient/linked.md").symlink_to(outside)
    settings = settings_of(stories)
    render_ahead.begin(settings)
    wait_until_rendered()
    taken = render_ahead.take(settings.limits)
    assert len(taken) == len(BODIES) and "Never read from outside the site." not in taken

    def failing(*args: object) -> None:
        raise OSError("the disk went away")

    monkeypatch.setattr(render_ahead.loader, "body", failing)
    render_ahead.begin(settings)
    wait_until_rendered()
    assert render_ahead.take(settings.limits) == {}


@pytest.mark.parametrize("text", [
    "---\ntitle: A\n---\nThe body.\n",
    "\n\n---\ntitle: A\n---\n\n\nThe body,\n\nin two paragraphs.\n\n",
    "\ufeff---\r\ntitle: A\r\n---\r\nWindows lines.\r\n",
    "---\ntitle: A\n---\n",
])
def test_a_body_is_the_body_the_file_is_read_with(tmp_path: Path, text: str) -> None:
    path = tmp_path / "story.md"
    path.write_bytes(text.encode())
    found = read(path, "story.md", Kind.STORY, LimitSettings())
    assert isinstance(found, SourceFile)
    assert body(path, LimitSettings()) == found.body


@pytest.mark.parametrize("text", ["No front matter at all.\n", "---\ntitle: A\nnever closed\n", "\xff\xfe"])
def test_a_file_read_with_no_body_has_none(tmp_path: Path, text: str) -> None:
    path = tmp_path / "story.md"
    path.write_bytes(text.encode("latin-1"))
    assert not isinstance(read(path, "story.md", Kind.STORY, LimitSettings()), SourceFile)
    assert body(path, LimitSettings()) is None
