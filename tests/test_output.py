"""The output writer: files land under the site folder once each, and nothing else is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from narrative.output import Output, OutputError


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
