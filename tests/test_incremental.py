"""A build after an edit redraws only what the edit changed, and its output is the output of a clean build: each
kind of input is edited in turn, and the whole output folder of the incremental build is compared with that of a
build from a fresh copy of the site, with no cache and no output folder, byte for byte."""

from __future__ import annotations

import filecmp
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import material
import pytest

from narrative.build_cache import FOLDER, SET_ASIDE
from narrative.search_index import FOLDER as SEARCH
from tests.conftest import BUILD_ENV, REPO, Project, run_mkdocs
from tests.test_cli import command

THEME_FILE = "narrative/partials/story-card.html"


def files(site_dir: Path) -> dict[str, Path]:
    """Every file of a built site by its path there, but for the files Pagefind names for their contents (two
    clean builds of the same records name some of them differently) and `sitemap.xml.gz` (its header holds the
    time it was written)."""
    found = {path.relative_to(site_dir).as_posix(): path for path in site_dir.rglob("*") if path.is_file()}
    return {name: path for name, path in found.items()
            if not (name.startswith(f"{SEARCH}/") and "/" in name.removeprefix(f"{SEARCH}/").strip("/")
                    and name.rsplit("/", 2)[-2] in {"fragment", "index", "filter"} or ".pf_meta" in name
                    or name.endswith("pagefind-entry.json")) and name != "sitemap.xml.gz"}


def folders(site_dir: Path) -> list[str]:
    return sorted(path.relative_to(site_dir).as_posix() for path in site_dir.rglob("*") if path.is_dir()
                  and not path.is_relative_to(site_dir / SEARCH))


def assert_same_as_clean(project: Project, site_dir: Path, tmp_path: Path) -> None:
    """The incremental output holds exactly the files a clean build of the same sources makes, with the same
    bytes, and the index's parts."""
    fresh = tmp_path / "fresh"
    shutil.copytree(project.root, fresh, symlinks=True, ignore=shutil.ignore_patterns(".cache", "site"))
    clean = run_mkdocs(fresh / "mkdocs.yml", fresh / "site")
    assert clean.returncode == 0, clean.stderr
    ours, theirs = files(site_dir), files(fresh / "site")
    assert sorted(ours) == sorted(theirs)
    _, differ, errors = filecmp.cmpfiles(site_dir, fresh / "site", list(ours), shallow=False)
    assert (differ, errors) == ([], [])
    parts = sorted(path.name for path in (site_dir / SEARCH).iterdir())
    assert parts == sorted(path.name for path in (fresh / "site" / SEARCH).iterdir())
    assert not (site_dir / SET_ASIDE).exists()


def built(project: Project) -> tuple[str, Path]:
    result, site_dir = project.build()
    assert result.returncode == 0, result.stderr
    return result.stderr, site_dir


@pytest.fixture
def site(project: Project) -> Project:
    """A small site with its own theme folder, built once, so that the cache is warm."""
    for number in range(1, 6):
        project.story(f"story-{number}", body=f"Story number {number} went well.\n", date=f"2026-03-0{number}")
    project.story("carers-story", topics=["carers"])
    project.update("quieter-nights", stories=["story-1"])
    project.response("story-2-reply", "story-2")
    (project.root / "overrides").mkdir()
    theme = project.root / "overrides" / THEME_FILE
    theme.parent.mkdir(parents=True)
    shutil.copy(REPO / "src/narrative/theme" / THEME_FILE, theme)
    text = project.config_file.read_text(encoding="utf-8")
    project.config_file.write_text(text.replace("theme:\n  name: material\n",
                                                "theme:\n  name: material\n  custom_dir: overrides\n"),
                                   encoding="utf-8")
    built(project)
    return project


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


EDITS: dict[str, Callable[[Path], None]] = {
    "a story's body": lambda root: replace(root / "stories/patient/story-3.md", "went well", "went badly"),
    "a title shown on list pages": lambda root: replace(root / "stories/patient/story-4.md", "title: Story 4",
                                                        "title: A new title"),
    "a response": lambda root: replace(root / "stories/responses/story-2-reply.md", "Thank you", "Thanks"),
    "a new response": lambda root: shutil.copy(root / "stories/responses/story-2-reply.md",
                                               root / "stories/responses/another-reply.md"),
    "a template": lambda root: replace(root / "overrides" / THEME_FILE, "<", "<!-- edited -->\n<"),
    "a setting": lambda root: replace(root / "mkdocs.yml", "per_page: 20", "per_page: 3"),
    "an editor's page": lambda root: replace(root / "docs/about.md", "# About our pledge", "# About the pledge"),
    "a deletion": lambda root: (root / "stories/patient/story-5.md").unlink(),
    "a withdrawal": lambda root: replace(root / "stories/patient/story-1.md", "consent: true",
                                         "consent: true\nstatus: withdrawn"),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_a_rebuild_after_an_edit_is_a_clean_build(site: Project, tmp_path: Path, edit: str) -> None:
    EDITS[edit](site.root)
    _, site_dir = built(site)
    assert_same_as_clean(site, site_dir, tmp_path)


def kept(log: str) -> tuple[int, int]:
    [line] = [line for line in log.splitlines() if "generated pages were unchanged" in line]
    found = re.search(r"narrative: ([\d,]+) of ([\d,]+) generated pages were unchanged and kept from the last "
                      r"build; ([\d,]+) were drawn$", line)
    assert found, line
    return int(found[1]), int(found[3])


def test_an_edit_to_one_story_draws_only_the_pages_that_show_it(site: Project) -> None:
    site_dir = site.root / "site"
    pages = {path: path.stat().st_mtime_ns for path in site_dir.rglob("index.html")}
    replace(site.root / "stories/patient/story-3.md", "went well", "went badly")
    log, _ = built(site)
    _, drawn = kept(log)
    written = sorted(path.relative_to(site_dir).as_posix() for path, before in pages.items()
                     if path.stat().st_mtime_ns != before)
    editors = ["about/index.html", "accessibility/index.html", "index.html", "privacy/index.html",
               "share-your-story/index.html"]  # MkDocs' own pages, drawn every time
    assert written == sorted([*editors, "stories/story-3/index.html", "stories/index.html",
                              "topics/mental-health/index.html", "subscribe/index.html", "digests/index.html",
                              "digests/instant/story-3/index.html", "digests/daily/2026-03-03/index.html",
                              "digests/weekly/2026-W10/index.html"])
    assert drawn == len(written) - len(editors)
    assert "went badly" in (site_dir / "stories/story-3/index.html").read_text(encoding="utf-8")


def test_an_edit_to_one_story_makes_only_the_feeds_and_emails_that_show_it(site: Project) -> None:
    """A feed's files, a digest's email files and the open data are made from a key of what they show: an edit to
    one story's body makes the feeds and digests it is in, and keeps the rest, and the open data (whose counts
    did not change), as the last build made them, unmade."""
    site_dir = site.root / "site"
    beside = {path: path.stat().st_mtime_ns for folder in ("feeds/**/*.*", "impact/data/*", "digests/**/email.*")
              for path in site_dir.glob(folder)}
    replace(site.root / "stories/patient/story-3.md", "went well", "went badly")
    log, _ = built(site)
    [line] = [line for line in log.splitlines() if "feed, email and open data files" in line]
    made = [f"feeds/{feed}.{extension}" for feed in ("all", "stories", "topics/mental-health")
            for extension in ("xml", "atom", "json")]
    emails = [f"digests/{digest}/email.{extension}" for digest in ("instant/story-3", "daily/2026-03-03",
                                                                     "weekly/2026-W10")
              for extension in ("html", "txt", "eml")]
    assert line.endswith(f"narrative: {len(beside) - 18:,} of {len(beside):,} feed, email and open data files were "
                         "unchanged and kept from the last build; 18 were made")
    written = sorted(path.relative_to(site_dir).as_posix() for path, before in beside.items()
                     if path.stat().st_mtime_ns != before)
    assert written == sorted(made)  # the emails show the story's summary, not its body: made, the same bytes
    assert all((site_dir / email).is_file() for email in emails)
    assert "went badly" in (site_dir / "feeds/all.json").read_text(encoding="utf-8")


def drawn_after(site: Project, edit: Callable[[], None]) -> list[str]:
    """The generated pages a build draws again after `edit`."""
    site_dir = site.root / "site"
    pages = {path: path.stat().st_mtime_ns for path in site_dir.rglob("index.html")}
    edit()
    log, _ = built(site)
    editors = {"about/index.html", "accessibility/index.html", "index.html", "privacy/index.html",
               "share-your-story/index.html"}  # MkDocs' own pages, drawn every time
    written = sorted(path.relative_to(site_dir).as_posix() for path, before in pages.items()
                     if path.stat().st_mtime_ns != before and path.relative_to(site_dir).as_posix() not in editors)
    assert "generated pages were unchanged" not in log or kept(log)[1] == len(written)  # (no line: none kept)
    return written


def test_an_edit_to_the_sites_own_template_draws_only_the_pages_made_with_it(site: Project,
                                                                              tmp_path: Path) -> None:
    """The story page's template, overridden by the site: an edit to it draws the story pages and nothing
    else; an edit to the story card, which lists, digests and updates include, draws those and not the stories."""
    own = site.root / "overrides/narrative/story.html"
    shutil.copy(REPO / "src/narrative/theme/narrative/story.html", own)
    built(site)
    stories = drawn_after(site, lambda: replace(own, "{% block content %}", "{% block content %}<!-- edited -->"))
    assert stories == sorted(f"stories/{slug}/index.html" for slug in
                             ["story-1", "story-2", "story-3", "story-4", "story-5", "carers-story"])
    cards = drawn_after(site, lambda: replace(site.root / "overrides" / THEME_FILE, "<", "<!-- edited -->\n<"))
    assert "stories/index.html" in cards and "pledge/updates/quieter-nights/index.html" in cards
    assert not any(page.startswith("stories/") and page != "stories/index.html" for page in cards)
    assert_same_as_clean(site, site.root / "site", tmp_path)


def test_a_site_template_reached_by_a_name_made_while_drawing_is_in_every_pages_key(site: Project) -> None:
    """Material names the language's strings as `"partials/languages/" ~ lang ~ ".html"`: any site file there
    may be drawn by any page (the language is a setting), so an edit to one draws every page, though the story
    template names it too."""
    strings = site.root / "overrides/partials/languages/cy.html"
    strings.parent.mkdir(parents=True)
    shutil.copy(Path(material.__file__).parent / "templates/partials/languages/cy.html", strings)
    story = site.root / "overrides/narrative/story.html"
    shutil.copy(REPO / "src/narrative/theme/narrative/story.html", story)
    replace(story, "{% block content %}", '{% block content %}{% set strings = "partials/languages/cy.html" %}')
    built(site)
    drawn = drawn_after(site, lambda: replace(strings, "{% macro t(key) %}", "{% macro t(key) %}{#- edited -#}"))
    assert len(drawn) == len(list((site.root / "site").rglob("index.html"))) - 5


def test_an_unchanged_site_draws_nothing_and_writes_no_feed(site: Project) -> None:
    feed = site.root / "site/feeds/all.xml"
    before = feed.stat().st_mtime_ns
    log, _ = built(site)
    kept_pages, drawn = kept(log)
    assert drawn == 0 and kept_pages > 20
    assert feed.stat().st_mtime_ns == before


def test_a_cache_that_cannot_be_read_is_no_cache(site: Project, tmp_path: Path) -> None:
    for path in (site.root / FOLDER).glob("*.pickle"):
        path.write_bytes(b"not a pickle")
    replace(site.root / "stories/patient/story-3.md", "went well", "went badly")
    log, site_dir = built(site)
    assert "generated pages were unchanged" not in log
    assert_same_as_clean(site, site_dir, tmp_path)


def test_a_page_changed_in_the_output_folder_is_drawn_again(site: Project, tmp_path: Path) -> None:
    page = site.root / "site/stories/story-5/index.html"
    page.write_text("tampered", encoding="utf-8")
    os.utime(page, ns=(0, 0))
    _, site_dir = built(site)
    assert "tampered" not in page.read_text(encoding="utf-8")
    assert_same_as_clean(site, site_dir, tmp_path)


def test_the_screen_sees_a_review_taken_back_and_an_editors_page_edited(site: Project) -> None:
    """The screen's findings are kept with the reviews and the editors' pages in their key: taking back an
    editor's review, or putting personal data into a page under `docs/`, stops the next build all the same."""
    reviews = site.root / "stories/reviews.yml"
    accepted = reviews.read_text(encoding="utf-8")
    replace(reviews, "docs/privacy.md:\n- {kind: email, fingerprint: d304fd24c8900687777e03ed26717efc, line: 82, "
                     "date: 2026-12-06}\n", "")
    result, _ = site.build()
    assert result.returncode == 1
    assert re.findall(r"^  (docs/\S+): .*$", result.stderr, re.MULTILINE) == ["docs/privacy.md:86"]
    reviews.write_text(accepted, encoding="utf-8")
    built(site)
    replace(site.root / "docs/about.md", "# About our pledge", "# About our pledge\n\nRing 07700 900123.")
    result, _ = site.build()
    assert result.returncode == 1
    assert re.findall(r"^  (docs/\S+): .*$", result.stderr, re.MULTILINE) == ["docs/about.md:7"]


def test_a_body_kept_from_the_last_build_is_checked_again_within_new_limits(site: Project) -> None:
    replace(site.root / "stories/patient/story-3.md", "went well.", "went well.\n\n- one\n    - two\n        - three")
    built(site)
    replace(site.root / "mkdocs.yml", "    per_page: 20\n", "    per_page: 20\n    limits:\n      max_depth: 2\n")
    result, _ = site.build()
    assert result.returncode == 1
    assert re.findall(r"^  (stories/\S+): (.*)$", result.stderr, re.MULTILINE) == [
        ("stories/patient/story-3.md:13", "lists or quotes nested 3 deep: keep to 2 (extra.narrative.limits."
         "max_depth); a line like '- - - words' is three lists, one inside another")]


SERVED = "http://127.0.0.1:8000/"
STORY_EDITS: dict[str, list[list[tuple[str, str | None, str | None]]]] = {
    "a story's body": [[("stories/patient/story-3.md", "went well", "went badly")]],
    "a title shown on list pages, twice": [[("stories/patient/story-4.md", "title: Story 4", "title: A new title")],
                                           [("stories/patient/story-4.md", "A new title", "Another title")]],
    "a story's date, which moves it in every list": [[("stories/patient/story-1.md", "2026-03-01", "2026-03-09")]],
    "a new response": [[("stories/responses/another-reply.md", None,
                         "---\nstory: story-3\ndate: 2026-03-06\nresponder: Sam Reed, Patient Experience Lead\n"
                         "---\nThank you for this.\n")]],
    "a deletion": [[("stories/patient/story-5.md", "", None)]],
    "a withdrawal": [[("stories/patient/story-1.md", "consent: true", "consent: true\nstatus: withdrawn")]],
}


def serve_in_process(project: Project, site_dir: Path, rebuilds: list[list[tuple[str, str | None, str | None]]],
                     tmp_path: Path) -> list[str]:
    """`tests/serving.py` on the site: built as `mkdocs serve` builds it, then rebuilt after each edit; returns
    how each rebuild was made (`quick` or `full`)."""
    edits = tmp_path / "edits.json"
    edits.write_text(json.dumps([[(str(project.root / path), old, new) for path, old, new in rebuild]
                                 for rebuild in rebuilds]), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "tests.serving", str(project.config_file), str(site_dir), SERVED,
                           str(edits)], capture_output=True, text=True, cwd=REPO, env={**os.environ, **BUILD_ENV},
                          check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


@pytest.mark.parametrize("edit", list(STORY_EDITS))
def test_a_quick_rebuild_while_serving_makes_what_a_full_one_makes(site: Project, tmp_path: Path, edit: str) -> None:
    """Under `mkdocs serve`, an edit to the stories alone is rebuilt without MkDocs making the site again, and
    the output is what serving the edited site from nothing makes, byte for byte."""
    fresh = tmp_path / "fresh"
    served = serve_in_process(site, tmp_path / "served", STORY_EDITS[edit], tmp_path)
    assert served == ["quick"] * len(STORY_EDITS[edit])
    shutil.copytree(site.root, fresh, symlinks=True, ignore=shutil.ignore_patterns(".cache", "site"))
    assert serve_in_process(Project(fresh), tmp_path / "clean", [], tmp_path) == []
    ours, theirs = files(tmp_path / "served"), files(tmp_path / "clean")
    assert sorted(ours) == sorted(theirs)
    assert folders(tmp_path / "served") == folders(tmp_path / "clean")
    _, differ, errors = filecmp.cmpfiles(tmp_path / "served", tmp_path / "clean", list(ours), shallow=False)
    assert (differ, errors) == ([], [])


def test_a_change_beyond_the_stories_or_to_what_every_page_shows_is_rebuilt_in_full(site: Project,
                                                                                     tmp_path: Path) -> None:
    served = serve_in_process(site, tmp_path / "served", [
        [("docs/about.md", "# About our pledge", "# About the pledge")],
        [("stories/patient/story-2.md", "consent: true", "consent: maybe")],  # an error, listed on every page
        [("stories/patient/story-2.md", "consent: maybe", "consent: true")],
        [("stories/patient/story-3.md", "went well", "went badly")],
    ], tmp_path)
    assert served == ["full", "full", "full", "quick"]


def cache_files(root: Path) -> dict[str, tuple[int, int]]:
    return {path.relative_to(root).as_posix(): (path.stat().st_size, path.stat().st_mtime_ns)
            for path in (root / FOLDER).rglob("*") if path.is_file()}


def test_a_check_after_a_build_reads_its_cache_and_says_what_a_check_without_it_says(site: Project,
                                                                                      tmp_path: Path) -> None:
    replace(site.root / "stories/patient/story-3.md", "went well.", "went well.\n\n- one\n    - two\n        - three")
    replace(site.root / "stories/patient/story-4.md", "consent: true", "consent: maybe")
    before = cache_files(site.root)
    with_cache = subprocess.run([*command(), "-f", str(site.config_file), "check"], capture_output=True, text=True,
                                cwd=site.root, env={**os.environ, **BUILD_ENV}, check=False)
    fresh = tmp_path / "fresh"
    shutil.copytree(site.root, fresh, symlinks=True, ignore=shutil.ignore_patterns(".cache", "site"))
    without = subprocess.run([*command(), "-f", str(fresh / "mkdocs.yml"), "check"], capture_output=True, text=True,
                             cwd=fresh, env={**os.environ, **BUILD_ENV}, check=False)
    assert with_cache.returncode == without.returncode == 1
    assert (with_cache.stdout, with_cache.stderr) == (without.stdout, without.stderr)
    assert "story-4.md" in with_cache.stdout and "consent" in with_cache.stdout
    assert cache_files(site.root) == before != {}  # read, never written
