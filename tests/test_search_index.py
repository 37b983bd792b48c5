"""The search index: one record for each published story and update, Pagefind run on them in the background,
and a clear problem, not a traceback, when it cannot run."""

from __future__ import annotations

import collections
import datetime as dt
import gc
import gzip
import json
import os
import resource
import shutil
import signal
import stat
import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from pagefind.service import get_executable

from narrative import search_cache, search_index
from narrative.build import read_site
from narrative.config import SearchSettings, Settings, from_mapping, load_settings
from narrative.model import Consent, Source, Story
from narrative.problems import Problem
from narrative.render import Html
from narrative.search_index import STORY, UPDATE, Part, Record, for_reader, parts, record, records, start
from narrative.site import Site
from tests.conftest import Project
from tests.content import config


@pytest.fixture(scope="module")
def sample(sample_content: Site) -> Site:
    """The sample site, its index kept out of the cache beside the repository's own mkdocs.yml."""
    return replace(sample_content, settings=replace(sample_content.settings, search=SearchSettings(cache=False)))


@pytest.fixture(scope="module")
def settings() -> Settings:
    settings, problems = from_mapping(config())
    assert settings is not None, problems
    return settings


def fragments(site_dir: Path, part: str = "*") -> dict[str, dict[str, Any]]:
    """What the built index returns for each page it can find, by URL (Pagefind's fragments, unpacked), from
    one part of the index or, by default, from every part."""
    found = {}
    for path in site_dir.glob(f"pagefind/{part}/fragment/*"):
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(b"pagefind_dcd")
        fragment = json.loads(data.removeprefix(b"pagefind_dcd"))
        found[fragment["url"]] = fragment
    return found


def fake_pagefind(folder: Path, script: str, writes: bool = True) -> Path:
    """A stand-in for the Pagefind program, for the ways it can fail; unless told not to, it first writes the
    files a finished part has, into the folder it is given (`--output-path`, its fourth argument)."""
    path = folder / "pagefind"
    written = 'mkdir -p "$4" && touch "$4/pagefind.js" "$4/pagefind-entry.json"\n' if writes else ""
    path.write_text(f"#!/bin/sh\n{written}{script}\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_records_are_the_published_stories_and_updates_only(sample: Site) -> None:
    urls = [each.url for each in records(sample)]
    assert urls == [story.url for story in sample.stories] + [update.url for update in sample.updates]
    assert "stories/sight-loss-and-letters/" not in urls  # a draft
    assert "stories/parking-at-hollowmere-general/" not in urls  # withdrawn
    assert {each.kind for each in records(sample)} == {STORY, UPDATE}


def test_a_preview_indexes_drafts_as_it_shows_them(sample: Site) -> None:
    preview = read_site(sample.settings, preview=True)[0]
    urls = [each.url for each in records(preview)]
    assert "stories/sight-loss-and-letters/" in urls
    assert "stories/parking-at-hollowmere-general/" not in urls


def test_a_record_holds_what_search_matches_and_shows(settings: Settings) -> None:
    story = Story(slug="tea-and-biscuits", title='Tea & "biscuits" <at> the clinic',
                  published=dt.datetime(2026, 3, 14, 10, 30, tzinfo=dt.timezone.utc),
                  summary="Small kindnesses, & big ones.", topics=("carers", "mental-health"), consent=Consent(True),
                  body="The nurse made **tea**.", source=Source("stories/patient/tea-and-biscuits.md"))
    made = record(story, Site.from_items([story], settings))
    assert made == Record("stories/tea-and-biscuits/", "Story", 'Tea & "biscuits" <at> the clinic',
                          "Small kindnesses, & big ones.", "14 March 2026", "2026-03-14",
                          ("Mental health", "Carers"), Html(b"<p>The nurse made <strong>tea</strong>.</p>"))
    page = lxml.html.fromstring(made.html())
    body = page.find("body")
    assert page.get("lang") == "en"
    assert body.get("data-pagefind-body") == ""
    assert body.get("data-pagefind-filter") == "kind:Story"
    assert body.get("data-pagefind-meta") == ("title[data-title], summary[data-summary], date[data-date], "
                                              "iso_date[data-iso]")
    assert [body.get(f"data-{key}") for key in ("title", "summary", "date", "iso")] == [
        'Tea & "biscuits" <at> the clinic', "Small kindnesses, & big ones.", "14 March 2026", "2026-03-14"]
    assert [item.text for item in body.cssselect('li[data-pagefind-filter="topic"]')] == ["Mental health", "Carers"]
    assert body.findtext("h1") == 'Tea & "biscuits" <at> the clinic'
    assert body.findtext("p") == "Small kindnesses, & big ones."
    assert body.findtext("p/strong") == "tea"


def test_the_build_writes_pagefind_and_not_materials_index(sample_site: Path, sample: Site) -> None:
    assert [path.name for path in (sample_site / "pagefind").iterdir()] == ["1"]  # a small site: one part
    entry = json.loads((sample_site / "pagefind/1/pagefind-entry.json").read_text(encoding="utf-8"))
    assert {language: found["page_count"] for language, found in entry["languages"].items()} == dict(
        collections.Counter(each.language for each in records(sample)))  # an index for each language
    assert {"bn", "pl"} < set(entry["languages"])
    assert (sample_site / "pagefind/1/pagefind.js").is_file()
    assert not (sample_site / "search").exists()
    assert sorted(fragments(sample_site)) == sorted(f"/{each.url}" for each in records(sample))


def test_only_published_items_reach_the_index(project: Project) -> None:
    project.story("garden-bench", body="The bench by the pond.\n", topics=["carers"], date="2026-03-02")
    project.story("still-editing", body="Marmalade sandwiches.\n", status="draft")
    project.story("taken-down", body="Xylophone lessons.\n", status="withdrawn")
    project.update("quiet-nights", topics=["mental-health"])
    result, site_dir = project.build()
    assert result.returncode == 0, result.stderr
    found = fragments(site_dir)
    assert sorted(found) == ["/pledge/updates/quiet-nights/", "/stories/garden-bench/"]
    story = found["/stories/garden-bench/"]
    assert story["content"] == "Garden bench. A story called garden-bench. Carers. The bench by the pond."
    assert story["meta"] == {"title": "Garden bench", "summary": "A story called garden-bench.",
                             "date": "2 March 2026", "iso_date": "2026-03-02"}
    assert story["filters"] == {"kind": ["Story"], "topic": ["Carers"]}
    assert found["/pledge/updates/quiet-nights/"]["filters"] == {"kind": ["Pledge update"], "topic": ["Mental health"]}


def dated(number: int) -> Record:
    """A record published on day `number` of 2026."""
    day = dt.date(2026, 1, 1) + dt.timedelta(days=number - 1)
    return Record(f"stories/day-{number}/", STORY, f"Day {number}", "", f"{day.day} {day:%B %Y}", day.isoformat(),
                  (), Html(b""))


def sizes(found: list[Part]) -> list[int]:
    return [len(part.records) for part in found]


def test_a_small_site_is_indexed_in_one_part_oldest_first() -> None:
    found = parts([dated(3), dated(1), dated(2)], 1500)
    assert found == [Part(1, (dated(1), dated(2), dated(3)))]
    assert found[0].folder == "pagefind/1/"


def test_parts_are_full_from_the_oldest_and_the_newest_is_never_small() -> None:
    assert sizes(parts([dated(day) for day in range(1, 11)], 4)) == [4, 4, 2]
    assert sizes(parts([dated(day) for day in range(1, 10)], 4)) == [4, 5]  # one newer story joins the part before
    found = parts([dated(day) for day in range(1, 10)], 4)
    assert [part.number for part in found] == [1, 2]
    assert found[1].records == tuple(dated(day) for day in range(5, 10))


def test_a_newer_story_never_changes_a_part_that_was_full() -> None:
    for count in range(1, 40):
        before = parts([dated(day) for day in range(1, count + 1)], 6)
        after = parts([dated(day) for day in range(1, count + 2)], 6)
        assert all(len(part.records) == 6 for part in after[:-1])
        assert 3 <= len(after[-1].records) < 9 or len(after) == 1
        assert after[:len(before) - 1] == before[:-1], count


def five_days_in_parts_of_two(project: Project, size: int = 2) -> Site:
    """Five stories a day apart, indexed in parts of two (three parts, the newest of one story), or of `size`."""
    for day in range(1, 6):
        project.story(f"day-{day}", date=f"2026-03-0{day}")
    project.index_in_parts_of(size)
    settings, problems = load_settings(project.config_file)
    assert settings is not None, problems
    return read_site(settings)[0]


def test_the_search_box_reads_the_parts_newest_first(project: Project) -> None:
    assert for_reader(five_days_in_parts_of_two(project)) == [
        {"path": "pagefind/3/", "from": "5 March 2026", "to": "5 March 2026"},
        {"path": "pagefind/2/", "from": "3 March 2026", "to": "4 March 2026"},
        {"path": "pagefind/1/", "from": "1 March 2026", "to": "2 March 2026"}]


def test_what_the_search_box_reads_is_the_parts_the_index_is_written_in(sample: Site) -> None:
    """Worked out from the items alone, without their records: the same parts, dates and languages."""
    for size in (1, 2, 3, 7, 1000):
        cut = replace(sample, settings=replace(sample.settings, search=replace(sample.settings.search, part_size=size)))
        assert for_reader(cut) == [part.for_reader() for part in reversed(search_index.site_parts(cut))]
    assert any("languages" in part for part in for_reader(sample))


def test_a_large_site_is_built_with_its_index_in_parts(project: Project) -> None:
    five_days_in_parts_of_two(project)
    result, site_dir = project.build()
    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in (site_dir / "pagefind").iterdir()) == ["1", "2", "3"]
    assert {part: sorted(fragments(site_dir, part)) for part in ("1", "2", "3")} == {
        "1": ["/stories/day-1/", "/stories/day-2/"], "2": ["/stories/day-3/", "/stories/day-4/"],
        "3": ["/stories/day-5/"]}
    dialog = lxml.html.fromstring((site_dir / "stories/day-1/index.html").read_bytes()).get_element_by_id("nv-search")
    assert [part["path"] for part in json.loads(dialog.get("data-nv-parts"))] == [
        "pagefind/3/", "pagefind/2/", "pagefind/1/"]


def with_cores(monkeypatch: pytest.MonkeyPatch, number: int) -> None:
    """The machine as having `number` cores, and memory to spare."""
    monkeypatch.setattr(search_index, "cores", lambda: number)
    monkeypatch.setattr(search_index, "free_memory", lambda: 2**40)


def runs(project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cores: int,
         size: int = 2) -> list[tuple[str, str]]:
    """Each start and end of Pagefind, in order, as ("start" or "end", the part's output folder), indexing
    `five_days_in_parts_of_two` in parts of `size` on a machine of `cores` cores."""
    log = tmp_path / "runs.log"
    program = fake_pagefind(tmp_path, f'echo "start $4" >> {log}; sleep 0.3; echo "end $4" >> {log}')
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(program))
    with_cores(monkeypatch, cores)
    assert start(five_days_in_parts_of_two(project, size), tmp_path / "site").finish() == []
    return [(when, folder) for when, folder in (line.split() for line in log.read_text().splitlines())]


def test_on_one_core_the_parts_are_indexed_one_after_another(project: Project, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    out = (tmp_path / "site").resolve()
    assert runs(project, tmp_path, monkeypatch, cores=1) == [
        (when, f"{out}/pagefind/{part}") for part in (1, 2, 3) for when in ("start", "end")]


def test_on_two_cores_two_parts_are_indexed_at_a_time(project: Project, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    said = runs(project, tmp_path, monkeypatch, cores=2, size=1)
    running, most = 0, 0
    for when, _ in said:
        running += 1 if when == "start" else -1
        most = max(most, running)
    assert most == 2
    assert sorted(folder for when, folder in said if when == "end") == [
        f"{(tmp_path / 'site').resolve()}/pagefind/{part}" for part in range(1, 6)]


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="two parts on cores of their own need two cores")
def test_each_pagefind_runs_on_a_core_of_its_own(project: Project, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "cores.log"
    program = fake_pagefind(tmp_path, f'echo "$4 $(grep Cpus_allowed_list /proc/$$/status | cut -f2)" >> {log}; '
                                      "sleep 0.3")
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(program))
    with_cores(monkeypatch, 2)
    ours = os.sched_getaffinity(0)
    assert start(five_days_in_parts_of_two(project, size=1), tmp_path / "site").finish() == []
    said = dict(line.split() for line in log.read_text().splitlines())
    assert len(said) == 5
    assert {int(core) for core in said.values()} <= ours
    out = (tmp_path / "site").resolve()
    assert said[f"{out}/pagefind/1"] != said[f"{out}/pagefind/2"]  # the first two, running at once
    assert os.sched_getaffinity(0) == ours


def test_the_scratch_folder_holds_one_part_more_than_are_indexed_at_a_time(project: Project, tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "runs.log"
    program = fake_pagefind(tmp_path, f'sleep 0.2; echo $(ls pagefind) >> {log}')  # run in the scratch folder
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(program))
    with_cores(monkeypatch, 1)
    assert start(five_days_in_parts_of_two(project), tmp_path / "site").finish() == []
    assert log.read_text().splitlines() == ["1 2", "2 3", "3"]
    with_cores(monkeypatch, 2)
    log.unlink()
    shutil.rmtree(project.root / search_cache.FOLDER)  # every part indexed again
    assert start(five_days_in_parts_of_two(project, size=1), tmp_path / "site").finish() == []
    assert max(len(line.split()) for line in log.read_text().splitlines()) == 3


@pytest.mark.parametrize(("number", "free", "expected"), [
    (1, 2**40, 1), (2, 2**40, 2), (8, 2**40, 8), (8, 3 * 1000 * search_index.PAGEFIND_MEMORY, 1), (2, None, 1)])
def test_parts_at_once_one_a_core_while_memory_lasts(monkeypatch: pytest.MonkeyPatch, number: int,
                                                     free: int | None, expected: int) -> None:
    monkeypatch.setattr(search_index, "cores", lambda: number)
    monkeypatch.setattr(search_index, "free_memory", lambda: free)
    found = [Part(1, (None,) * 1000), Part(2, (None,) * 500)]  # type: ignore[arg-type]
    assert search_index.parts_at_once(found) == expected


def test_the_records_are_written_in_memory_where_there_is_room(sample: Site, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    memory = tmp_path / "memory"
    memory.mkdir()
    monkeypatch.setattr(search_index, "MEMORY", memory)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake_pagefind(tmp_path, "exit 0")))
    indexing = start(sample, tmp_path / "site")
    assert indexing.scratch.parent == memory
    assert (indexing.scratch / "pagefind/1/stories/arthritis-and-the-bus/index.html").is_file()
    assert indexing.finish() == []
    assert list(memory.iterdir()) == []


def test_scratch_folders_left_by_a_killed_build_are_removed(sample: Site, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A build stopped by SIGKILL leaves its records behind; the next build removes them, and nothing that
    belongs to a running process or is not a scratch folder."""
    memory = tmp_path / "memory"
    memory.mkdir()
    monkeypatch.setattr(search_index, "MEMORY", memory)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake_pagefind(tmp_path, "exit 0")))
    killed = subprocess.Popen(["sleep", "60"])
    killed.kill()
    killed.wait()
    abandoned = memory / f"narrative-search-{killed.pid}-abc123"
    (abandoned / "pagefind/1/stories/a-story").mkdir(parents=True)
    (abandoned / "pagefind/1/stories/a-story/index.html").write_text("<p>A story's text</p>")
    running = memory / f"narrative-search-{os.getppid()}-def456"
    other = memory / "narrative-searching"
    for kept in (running, other):
        kept.mkdir()
    indexing = start(sample, tmp_path / "site")
    assert indexing.scratch.name.startswith(f"narrative-search-{os.getpid()}-")
    assert indexing.finish() == []
    assert sorted(memory.iterdir()) == sorted([running, other])


def test_without_a_filesystem_in_memory_the_records_are_written_to_disk(sample: Site, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_index, "MEMORY", tmp_path / "no-such-folder")
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake_pagefind(tmp_path, "exit 0")))
    indexing = start(sample, tmp_path / "site")
    assert indexing.scratch.parent == Path(tempfile.gettempdir())
    assert indexing.finish() == []


def test_records_that_cannot_be_written_are_a_problem(sample: Site, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A full disk, played by a limit on the size of any file this process writes."""
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake_pagefind(tmp_path, "exit 0")))
    limits = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit then fails, with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (512, limits[1]))
    try:
        indexing = start(sample, tmp_path / "site")
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, limits)
        signal.signal(signal.SIGXFSZ, handler)
    problems = indexing.finish()
    assert [problem.message for problem in problems] == [
        "the search index could not be built: its records could not be written ([Errno 27] File too large)"]
    assert indexing.process is None


def test_a_part_that_fails_stops_the_index(project: Project, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "runs.log"
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake_pagefind(tmp_path, f'echo "$4" >> {log}; exit 4')))
    with_cores(monkeypatch, 2)
    problems = start(five_days_in_parts_of_two(project, size=1), tmp_path / "site").finish()
    assert [problem.message for problem in problems] == [
        "the search index could not be built: Pagefind stopped with exit code 4"]
    first, second = (f"{(tmp_path / 'site').resolve()}/pagefind/{part}" for part in (1, 2))
    started = set(log.read_text().split())  # the second part may have been stopped before it said anything
    assert first in started <= {first, second}


def test_with_nothing_published_the_site_builds_without_an_index(project: Project) -> None:
    project.story("taken-down", status="withdrawn")
    result, site_dir = project.build()
    assert result.returncode == 0, result.stderr
    assert (site_dir / "stories/taken-down/index.html").is_file()
    assert not (site_dir / "pagefind").exists()


def test_pagefind_failing_is_a_problem_naming_what_it_said(sample: Site, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    program = fake_pagefind(tmp_path, 'echo "Building..."; echo "Error: the disk is full"; exit 3')
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(program))
    assert start(sample, tmp_path / "site").finish() == [Problem(
        "site/pagefind/", None, None,
        "the search index could not be built: Pagefind stopped with exit code 3: Error: the disk is full",
        code="search-index")]


def test_pagefind_finishing_without_writing_the_part_is_a_problem(sample: Site, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake_pagefind(tmp_path, "exit 0", writes=False)))
    assert start(sample, tmp_path / "site").finish() == [Problem(
        "site/pagefind/", None, None, "the search index could not be built: Pagefind finished without writing "
        "pagefind/1/", code="search-index")]


def test_a_missing_pagefind_program_is_a_problem(sample: Site, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "nowhere"))
    assert start(sample, tmp_path / "site").finish() == [Problem(
        "site/pagefind/", None, None,
        f"the search index could not be built: {tmp_path / 'nowhere'} could not run "
        f"([Errno 2] No such file or directory: '{tmp_path / 'nowhere'}')", code="search-index")]


def test_a_failed_index_fails_the_build_and_says_why(project: Project, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    project.story("garden-bench")
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake_pagefind(tmp_path, 'echo "Error: no space"; exit 1')))
    result, _ = project.build()
    assert result.returncode == 1
    assert ("narrative: the site was built without its search index:\n"
            "  site/pagefind/: the search index could not be built: Pagefind stopped with exit code 1: "
            "Error: no space") in result.stderr
    assert "Traceback" not in result.stderr


def test_an_index_left_unfinished_is_stopped_and_its_scratch_folder_removed(sample: Site, tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake_pagefind(tmp_path, "exec sleep 60")))
    indexing = start(sample, tmp_path / "site")
    process, scratch = indexing.process, indexing.scratch
    assert process is not None and process.poll() is None and scratch.is_dir()
    del indexing
    gc.collect()
    assert process.poll() is not None
    assert not scratch.exists()


def logging_pagefind(folder: Path, log: Path) -> Path:
    """The real Pagefind, behind a script that logs the output folder of every run."""
    real = get_executable()
    assert real is not None
    return fake_pagefind(folder, f'echo "$4" >> {log}; exec {real} "$@"')


def indexed(site: Site, out: Path) -> dict[str, bytes]:
    """Build the site's index into a new folder `out`; every file of it, by its path under `out`."""
    assert start(site, out).finish() == []
    return {str(path.relative_to(out)): path.read_bytes() for path in sorted(out.rglob("*")) if path.is_file()}


def test_a_rebuild_indexes_only_the_parts_that_changed(project: Project, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "runs.log"
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(logging_pagefind(tmp_path, log)))
    indexed(five_days_in_parts_of_two(project), tmp_path / "first")
    assert sorted(Path(line).name for line in log.read_text().split()) == ["1", "2", "3"]
    log.unlink()
    project.story("day-6", date="2026-03-06")
    settings, _ = load_settings(project.config_file)
    assert settings is not None
    again = indexed(read_site(settings)[0], tmp_path / "again")
    assert log.read_text().split() == [f"{(tmp_path / 'again').resolve()}/pagefind/3"]
    assert sorted(fragments(tmp_path / "again")) == [f"/stories/day-{day}/" for day in range(1, 7)]
    assert again["pagefind/1/pagefind-entry.json"] == (tmp_path / "first/pagefind/1/pagefind-entry.json").read_bytes()
    assert len(list((project.root / ".cache/narrative/search").iterdir())) == 3  # the old third part is gone


def test_an_unchanged_site_is_indexed_once(project: Project, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "runs.log"
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(logging_pagefind(tmp_path, log)))
    site = five_days_in_parts_of_two(project)
    first = indexed(site, tmp_path / "first")
    assert len(log.read_text().split()) == 3
    assert indexed(site, tmp_path / "again") == first
    assert len(log.read_text().split()) == 3


def test_with_the_cache_off_every_build_indexes_every_part(project: Project, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "runs.log"
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(logging_pagefind(tmp_path, log)))
    five_days_in_parts_of_two(project)
    text = project.config_file.read_text(encoding="utf-8")
    project.config_file.write_text(text.replace("part_size: 2\n", "part_size: 2\n      cache: false\n"),
                                   encoding="utf-8")
    settings, problems = load_settings(project.config_file)
    assert settings is not None and not settings.search.cache, problems
    site = read_site(settings)[0]
    indexed(site, tmp_path / "first")
    indexed(site, tmp_path / "again")
    assert len(log.read_text().split()) == 6
    assert fragments(tmp_path / "first") == fragments(tmp_path / "again")
    assert not (project.root / ".cache").exists()


def test_a_build_with_the_cache_writes_the_site_a_full_index(project: Project) -> None:
    """Through MkDocs, twice: the second build's index comes from the cache and still finds every story."""
    five_days_in_parts_of_two(project)
    assert project.build()[0].returncode == 0
    result, site_dir = project.build()
    assert result.returncode == 0, result.stderr
    assert sorted(fragments(site_dir)) == [f"/stories/day-{day}/" for day in range(1, 6)]
