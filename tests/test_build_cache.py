"""The build cache's stores on disk: what a build saves, the next reads back, at no cost to the saver's memory."""

from __future__ import annotations

import sys
from pathlib import Path

from narrative.build import PARSED, read_site
from narrative.build_cache import FOLDER, SET_ASIDE, Store, anything_set_aside, bring_back, set_aside, store
from narrative.config import load_settings
from narrative.model import Source
from tests.conftest import Project


def test_a_store_reads_back_the_entries_used_as_they_were_saved(tmp_path: Path) -> None:
    path = tmp_path / "store.pickle"
    shared = Source("stories/patient/a.md", {"title": 2})
    saved = Store[object](path)
    saved.put("text", "Plain words")
    saved.put("accented", "Café “quoted” – and a lone surrogate \udc80")
    saved.put("objects", (shared, [shared, 3]))
    saved.put("more objects", (Source("stories/patient/b.md"), [Source("stories/patient/c.md")]))
    saved.put("unused", "gone")
    saved.save()
    saved.put("unused", "still there")  # put after the save: not in the file
    read = Store[object](path)
    assert read.get("text") == "Plain words"
    assert read.get("accented") == "Café “quoted” – and a lone surrogate \udc80"
    source, (again, number) = read.get("objects")  # type: ignore[misc]
    assert (source, number) == (shared, 3)
    assert again is source  # shared within an entry, shared when read
    assert read.get("more objects") == (Source("stories/patient/b.md"), [Source("stories/patient/c.md")])
    assert read.get("unused") == "gone"


def test_saving_a_store_leaves_its_texts_as_they_were_in_memory(tmp_path: Path) -> None:
    """Pickling a text that is not all ASCII keeps its UTF-8 copy inside it: a process saving the store of every
    body as HTML would hold each body twice."""
    body = "<p>“Thank you,” she said – ".join(str(number) for number in range(2_000))
    size = sys.getsizeof(body)
    store = Store[str](tmp_path / "bodies.pickle")
    store.put("key", body)
    store.save()
    assert sys.getsizeof(body) == size
    assert Store[str](tmp_path / "bodies.pickle").get("key") == body


def test_a_store_in_another_layout_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "store.pickle"
    path.write_bytes(b"\x80\x05\x95\x0b\x00\x00\x00\x00\x00\x00\x00}\x94\x8c\x01k\x94\x8c\x01v\x94s.")  # {"k": "v"}
    assert Store[str](path).get("k") is None


def test_each_item_holds_its_files_body_not_a_copy_from_a_helper_process(project: Project) -> None:
    """Enough files for the fields to be read on every core (`on_all_cores` does 200 alone): the items a helper
    made come back as copies."""
    for number in range(250):
        project.story(f"story-{number}", body=f"Story number {number} went well.\n")
    settings, problems = load_settings(project.config_file)
    assert settings is not None and not problems
    cache = project.root / FOLDER
    site, _ = read_site(settings, cache=cache)
    parsed = {file.path: file for file in store(cache / PARSED)._all().values()}
    assert len(site.every_item) == 250
    assert all(item.body is parsed[item.source.path].body for item in site.every_item)


def test_a_fresh_output_folder_has_nothing_set_aside_to_wait_for(tmp_path: Path) -> None:
    """The work beside MkDocs starts at once when there is nothing to bring back, and waits when there is."""
    site_dir = tmp_path / "site"
    set_aside(site_dir)
    assert not anything_set_aside(site_dir)
    site_dir.mkdir()
    (site_dir / ".hidden").write_text("left alone")
    set_aside(site_dir)
    assert not anything_set_aside(site_dir)
    (site_dir / "stories" / "one").mkdir(parents=True)
    (site_dir / "stories" / "one" / "index.html").write_text("one")
    (site_dir / "feed.xml").write_text("old")
    set_aside(site_dir)
    assert anything_set_aside(site_dir)
    assert sorted(path.name for path in site_dir.iterdir()) == sorted([".hidden", SET_ASIDE])
    assert bring_back(site_dir, lambda path: path == "stories/one/index.html") == {"stories/one/index.html"}
    assert (site_dir / "stories" / "one" / "index.html").read_text() == "one"
    assert not (site_dir / "feed.xml").exists()
    assert not anything_set_aside(site_dir)
