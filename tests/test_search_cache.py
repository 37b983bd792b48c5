"""The cache of finished search index parts: what its keys depend on, how entries are copied, kept and removed,
and that a cache which cannot be written costs time, never the build."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from narrative.search_cache import FILES, Cache, copy, fingerprint, key

OPTIONS = ("--force-language", "en")


@pytest.fixture
def program(tmp_path: Path) -> Path:
    path = tmp_path / "pagefind"
    path.write_bytes(b"a program")
    return path


def built(folder: Path, words: str = "tea") -> Path:
    """A folder shaped like one part of Pagefind's output."""
    for name, data in {"fragment/en_1a.pf_fragment": words, "index/en_2b.pf_index": words,
                       "pagefind.js": "search()", "pagefind-entry.json": "{}"}.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(data, encoding="utf-8")
    return folder


def test_a_key_changes_with_the_pages_and_the_program(program: Path) -> None:
    first = key(["<p>tea</p>", "<p>cake</p>"], fingerprint(program, OPTIONS))
    assert key(["<p>tea</p>", "<p>cake</p>"], fingerprint(program, OPTIONS)) == first
    assert key(["<p>tea</p>", "<p>cakes</p>"], fingerprint(program, OPTIONS)) != first
    assert key(["<p>tea</p><p>cake</p>"], fingerprint(program, OPTIONS)) != first  # where one page ends counts
    assert key(["<p>tea</p>", "<p>cake</p>"], fingerprint(program, ("--force-language", "cy"))) != first


def test_a_program_is_known_by_its_contents_not_its_place_or_time(program: Path, tmp_path: Path) -> None:
    """A fresh install in CI gives the same program new file times: its cached parts still count."""
    first = fingerprint(program, OPTIONS)
    moved = tmp_path / "elsewhere"
    moved.write_bytes(program.read_bytes())
    os.utime(moved, ns=(0, 0))
    assert fingerprint(moved, OPTIONS) == first
    program.write_bytes(b"a newer program")
    assert fingerprint(program, OPTIONS) != first


def test_files_named_for_their_contents_are_linked_and_the_rest_copied(tmp_path: Path) -> None:
    source = built(tmp_path / "source")
    copy(source, tmp_path / "target")
    same = {name: os.path.samefile(source / name, tmp_path / "target" / name)
            for name in ("fragment/en_1a.pf_fragment", "index/en_2b.pf_index", "pagefind.js", "pagefind-entry.json")}
    assert same == {"fragment/en_1a.pf_fragment": True, "index/en_2b.pf_index": True,
                    "pagefind.js": False, "pagefind-entry.json": False}
    (tmp_path / "target/pagefind.js").write_text("changed", encoding="utf-8")
    assert (source / "pagefind.js").read_text(encoding="utf-8") == "search()"


def test_an_entry_kept_is_fetched_whole_over_what_was_there(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache")
    cache.keep("k1", built(tmp_path / "part"))
    target = built(tmp_path / "site/pagefind/1", words="stale")
    (target / "fragment/en_old.pf_fragment").write_text("old", encoding="utf-8")
    assert Cache(tmp_path / "cache").fetch("k1", target)
    assert sorted(str(path.relative_to(target)) for path in target.rglob("*") if path.is_file()) == [
        "fragment/en_1a.pf_fragment", "index/en_2b.pf_index", "pagefind-entry.json", "pagefind.js"]
    assert (target / "index/en_2b.pf_index").read_text(encoding="utf-8") == "tea"
    assert [path.name for path in (tmp_path / "cache").iterdir()] == ["k1"]  # no half-written entry left


@pytest.mark.parametrize("damage", ["lost", "cut short", "added", "list lost", "list garbled"])
def test_an_entry_that_is_not_whole_is_thrown_away(tmp_path: Path, damage: str) -> None:
    """A file lost or cut short (a full disk, a hand that tidied the folder) would publish an index that finds
    nothing; such an entry is removed, and the part indexed again."""
    cache = Cache(tmp_path / "cache")
    cache.keep("k1", built(tmp_path / "part"))
    entry = tmp_path / "cache/k1"
    {"lost": lambda: (entry / "index/en_2b.pf_index").unlink(),
     "cut short": lambda: (entry / "pagefind.js").write_text("sea", encoding="utf-8"),
     "added": lambda: (entry / "index/en_3c.pf_index").write_text("x", encoding="utf-8"),
     "list lost": lambda: (entry / FILES).unlink(),
     "list garbled": lambda: (entry / FILES).write_text("[1", encoding="utf-8")}[damage]()
    target = tmp_path / "site/pagefind/1"
    assert not Cache(tmp_path / "cache").fetch("k1", target)
    assert not target.exists() and not entry.exists()


def test_a_key_not_in_the_cache_fetches_nothing(tmp_path: Path) -> None:
    target = tmp_path / "site/pagefind/1"
    assert not Cache(tmp_path / "cache").fetch("k1", target)
    assert not target.exists()


def test_a_cache_that_cannot_be_written_is_passed_by(tmp_path: Path) -> None:
    (tmp_path / "cache").write_text("a file where the folder should be", encoding="utf-8")
    cache = Cache(tmp_path / "cache")
    cache.keep("k1", built(tmp_path / "part"))
    assert not cache.fetch("k1", tmp_path / "site")
    cache.prune()
    assert (tmp_path / "cache").is_file()


def test_pruning_removes_the_entries_a_build_did_not_use(tmp_path: Path) -> None:
    earlier = Cache(tmp_path / "cache")
    for name in ("k1", "k2", "k3"):
        earlier.keep(name, built(tmp_path / name))
    (tmp_path / "cache/.k9-left-by-a-stopped-build").mkdir()
    later = Cache(tmp_path / "cache")
    later.fetch("k1", tmp_path / "site/1")
    later.keep("k4", built(tmp_path / "k4"))
    later.prune()
    assert sorted(path.name for path in (tmp_path / "cache").iterdir()) == ["k1", "k4"]
