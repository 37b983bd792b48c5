"""The output writer: files land under the site folder once each, and nothing else is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from narrative.build_cache import Drawn
from narrative.output import Output, OutputError, Written


def test_writes_text_and_bytes_under_the_root_making_folders(tmp_path: Path) -> None:
    writer = Output(tmp_path)
    text = writer.write("feeds/topics/carers.xml", "<rss>ümlaut</rss>")
    data = writer.write("digests/daily/2026-03-14/email.eml", b"Subject: x\r\n")
    assert text.read_bytes() == "<rss>ümlaut</rss>".encode("utf-8")
    assert data.read_bytes() == b"Subject: x\r\n"
    assert writer.written_paths == ["feeds/topics/carers.xml", "digests/daily/2026-03-14/email.eml"]


def test_refuses_a_second_write_to_the_same_path(tmp_path: Path) -> None:
    writer = Output(tmp_path)
    writer.write("digests/instant/ward-7/email.html", "first")
    with pytest.raises(OutputError) as error:
        writer.write("digests/instant/ward-7/email.html", "second")
    assert str(error.value) == ("'digests/instant/ward-7/email.html' was already written by this build: "
                                "two outputs share one address")
    assert (tmp_path / "digests/instant/ward-7/email.html").read_text() == "first"


@pytest.mark.parametrize("path", ["../outside.xml", "feeds/../../outside.xml", "/etc/outside.xml", "./feeds/a.xml",
                                  "feeds\\..\\a.xml", "", "feeds/"])
def test_refuses_paths_that_are_not_files_inside_the_root(tmp_path: Path, path: str) -> None:
    root = tmp_path / "site"
    with pytest.raises(OutputError) as error:
        Output(root).write(path, "x")
    assert str(error.value) == f"{path!r} is not a file path inside the site folder"
    assert not (tmp_path / "outside.xml").exists()


def test_refuses_a_path_that_a_link_leads_out_of_the_root(tmp_path: Path) -> None:
    root, elsewhere = tmp_path / "site", tmp_path / "elsewhere"
    root.mkdir()
    elsewhere.mkdir()
    (root / "feeds").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(OutputError) as error:
        Output(root).write("feeds/all.xml", "x")
    assert str(error.value) == f"'feeds/all.xml' would be written outside the site folder {root.resolve()}"
    assert list(elsewhere.iterdir()) == []


def test_refuses_a_page_mkdocs_writes(tmp_path: Path) -> None:
    (tmp_path / "digests/daily/2026-03-14").mkdir(parents=True)
    (tmp_path / "digests/daily/2026-03-14/index.html").write_text("the archive page")
    writer = Output(tmp_path, reserved=["digests/daily/2026-03-14/index.html"])
    with pytest.raises(OutputError) as error:
        writer.write("digests/daily/2026-03-14/index.html", "not a page")
    assert str(error.value) == "'digests/daily/2026-03-14/index.html' is a page MkDocs writes: nothing else may write it"
    assert (tmp_path / "digests/daily/2026-03-14/index.html").read_text() == "the archive page"
    writer.write("digests/daily/2026-03-14/email.html", "beside it")


def made_once(writer: Output, key: str | None, paths: list[str], data: bytes, calls: list[str]) -> None:
    def make() -> dict[str, bytes]:
        calls.append(key or "")
        return {path: data for path in paths}
    writer.made(key, paths, make)


def test_files_made_together_are_kept_unmade_where_the_last_build_made_them_from_the_same_key(tmp_path: Path) -> None:
    paths, calls = ["feeds/all.xml", "feeds/all.atom"], []
    first = Output(tmp_path)
    made_once(first, "k1", paths, b"one", calls)
    before = {path: drawn for path, key in first.written.keys.items() if (drawn := Drawn.of(tmp_path / path, key))}
    again = Output(tmp_path, before=before)
    made_once(again, "k1", paths, b"ignored", calls)
    assert calls == ["k1"]
    assert again.written == Written({path: "k1" for path in paths}, frozenset(paths))
    assert (tmp_path / "feeds/all.xml").read_bytes() == b"one"
    changed = Output(tmp_path, before=before)
    made_once(changed, "k2", paths, b"two", calls)
    assert calls == ["k1", "k2"] and changed.written.kept == frozenset()
    assert (tmp_path / "feeds/all.atom").read_bytes() == b"two"


@pytest.mark.parametrize("change", ["edited", "removed", "unkeyed"])
def test_files_made_together_are_made_again_if_one_was_changed_or_the_key_is_missing(tmp_path: Path,
                                                                                     change: str) -> None:
    paths, calls = ["digests/instant/a/email.html", "digests/instant/a/email.eml"], []
    first = Output(tmp_path)
    made_once(first, "k", paths, b"mail", calls)
    before = {path: drawn for path, key in first.written.keys.items() if (drawn := Drawn.of(tmp_path / path, key))}
    if change == "edited":
        (tmp_path / paths[1]).write_bytes(b"mail, edited")
    elif change == "removed":
        (tmp_path / paths[1]).unlink()
    made_once(Output(tmp_path, before=before), None if change == "unkeyed" else "k", paths, b"mail", calls)
    assert len(calls) == 2
    assert (tmp_path / paths[1]).read_bytes() == b"mail"


def test_files_made_other_than_said_are_refused(tmp_path: Path) -> None:
    with pytest.raises(OutputError) as error:
        Output(tmp_path).made("k", ["feeds/all.xml"], lambda: {"feeds/all.json": b"{}"})
    assert str(error.value) == "made feeds/all.json where feeds/all.xml were expected"
    assert not (tmp_path / "feeds").exists()
