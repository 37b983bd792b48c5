"""The loader: any file becomes a SourceFile or one Problem, with the line of every field."""

from __future__ import annotations

from pathlib import Path

import pytest

from narrative.config import LimitSettings
from narrative.loader import SourceFile, discover, display_path, kind_of, listing, load, parse, read, strays, words
from narrative.model import Kind
from narrative.problems import Problem

SHOWN = "stories/patient/ward-7.md"


def parsed(text: str, kind: Kind = Kind.STORY) -> SourceFile | Problem:
    return parse(text, SHOWN, kind, Path("stories/patient/ward-7.md"))


def loaded(text: str) -> SourceFile:
    result = parsed(text)
    assert isinstance(result, SourceFile), result
    return result


def problem(text: str) -> str:
    result = parsed(text)
    assert isinstance(result, Problem), result
    return str(result)


def read_bytes(tmp_path: Path, data: bytes) -> SourceFile | Problem:
    path = tmp_path / "ward-7.md"
    path.write_bytes(data)
    return read(path, SHOWN, Kind.STORY, LimitSettings())


def test_fields_body_slug_and_lines() -> None:
    file = loaded("---\ntitle: Ward 7\ndate: 2026-03-01\ntopics:\n  - carers\n---\nThe night staff.\n")
    assert file.kind is Kind.STORY
    assert file.slug == "ward-7"
    assert file.path == SHOWN
    assert file.meta == {"title": "Ward 7", "date": "2026-03-01", "topics": ["carers"]}
    assert file.body == "The night staff."
    assert file.source.lines == {"title": 2, "date": 3, "topics": 4}
    assert file.source.body_line == 7


def test_dates_stay_text_so_fields_can_explain_a_bad_one() -> None:
    file = loaded("---\ndate: 2026-03-01\nupdated: 2026-03-01T10:30:00+01:00\n---\nx\n")
    assert file.meta == {"date": "2026-03-01", "updated": "2026-03-01T10:30:00+01:00"}


def test_leading_blank_lines_count() -> None:
    file = loaded("\n\n---\ntitle: Ward 7\n\ndate: 2026-03-01\n---\n\n\nBody\n")
    assert file.source.lines == {"title": 4, "date": 6}
    assert file.source.body_line == 10


def test_blank_line_after_the_opening_line_counts() -> None:
    assert loaded("---\n\ntitle: Ward 7\n---\nBody\n").source.lines == {"title": 3}


def test_windows_line_endings() -> None:
    file = loaded("---\r\ntitle: Ward 7\r\ndate: 2026-03-01\r\n---\r\nBody\r\n")
    assert file.meta == {"title": "Ward 7", "date": "2026-03-01"}
    assert file.source.lines == {"title": 2, "date": 3}


def test_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    file = read_bytes(tmp_path, "\ufeff---\ntitle: Ward 7\ndate: 2026-03-01\n---\nBody\n".encode())
    assert isinstance(file, SourceFile)
    assert file.meta == {"title": "Ward 7", "date": "2026-03-01"}
    assert file.source.lines == {"title": 2, "date": 3}


def test_not_utf8_names_the_line_of_the_first_bad_byte(tmp_path: Path) -> None:
    result = read_bytes(tmp_path, "---\ntitle: Ward 7\nauthor: José\n---\nBody\n".encode("latin-1"))
    assert str(result) == f"{SHOWN}:3: is not UTF-8 text: save it again as UTF-8"
    assert isinstance(result, Problem) and result.code == "not-utf8"


def test_binary_file(tmp_path: Path) -> None:
    result = read_bytes(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe")
    assert str(result) == f"{SHOWN}:1: is not UTF-8 text: save it again as UTF-8"


def test_unreadable_file(tmp_path: Path) -> None:
    folder = tmp_path / "folder.md"
    folder.mkdir()
    assert str(read(folder, SHOWN, Kind.STORY, LimitSettings())) == f"{SHOWN}:1: cannot be read: Is a directory"


NO_FRONT_MATTER = (f"{SHOWN}:1: has no front matter: start the file with a line '---', then the fields "
                   "(title, date, ...), then another '---'")


@pytest.mark.parametrize("text", ["", "\n\n", "Just a story.\n", "title: Ward 7\n---\nBody\n",
                                  "Intro\n---\ntitle: x\n---\n"])
def test_no_front_matter(text: str) -> None:
    assert problem(text) == NO_FRONT_MATTER
    assert parsed(text).code == "no-front-matter"  # type: ignore[union-attr]


@pytest.mark.parametrize("text", ["---", "---\n", "---\ntitle: Ward 7\ndate: 2026-03-01\n"])
def test_front_matter_not_closed(text: str) -> None:
    assert problem(text) == f"{SHOWN}:1: the front matter is not closed: add a line '---' after the last field"


def test_yaml_that_does_not_parse_names_its_line() -> None:
    result = parsed("---\ntitle: Ward 7\ntopics: [carers\nsummary: x\n---\nBody\n")
    assert isinstance(result, Problem)
    assert (result.path, result.field, result.code) == (SHOWN, None, "bad-front-matter")
    assert str(result) == f"{SHOWN}:4: the front matter is not valid YAML: did not find expected ',' or ']'"


def test_an_unclosed_quote_is_named_at_the_line_it_opens() -> None:
    assert problem('---\ntitle: "Ward 7\ndate: 2026-03-01\n---\nBody\n') == (
        f"{SHOWN}:2: the front matter is not valid YAML: a value in quotes is not closed: add the closing quote "
        "mark at its end")


def test_yaml_error_after_leading_blank_lines() -> None:
    assert problem("\n\n---\ntitle: Ward 7\n  author: x\n---\nBody\n").startswith(f"{SHOWN}:5: ")


def test_unquoted_colon_gets_a_hint() -> None:
    assert problem("---\ntitle: Ward 7: the night staff\n---\nBody\n") == (
        f"{SHOWN}:2: the front matter is not valid YAML: mapping values are not allowed in this context "
        "(a value with ': ' in it needs quotes, like title: \"Ward 7: the night staff\")")


def test_quoted_colon_is_fine() -> None:
    assert loaded('---\ntitle: "Ward 7: the night staff"\n---\nBody\n').meta == {"title": "Ward 7: the night staff"}


def test_tab_indentation() -> None:
    assert problem("---\ntitle: Ward 7\n\tdate: 2026-03-01\n---\nBody\n") == (
        f"{SHOWN}:3: the front matter is not valid YAML: found a tab character that violates indentation")


def test_control_character_yaml_refuses_names_its_line() -> None:
    """The parser counts bytes or characters depending on how it was built; the line is right either way."""
    assert problem("---\ntitle: Café crème\nauthor: Jo\x00\n---\nBody\n") == (
        f"{SHOWN}:3: contains an invisible control character (U+0000) that YAML does not allow: remove it")


def test_a_second_yaml_document() -> None:
    assert problem("---\ntitle: x\n...\nmore: y\n---\nBody\n") == (
        f"{SHOWN}:4: the front matter is not valid YAML: did not find expected <document start>")


def test_a_list_is_not_front_matter() -> None:
    assert problem("---\n- title\n- date\n---\nBody\n") == (
        f"{SHOWN}:2: the front matter must be fields like 'title: ...', one a line")


def test_a_plain_value_is_not_front_matter() -> None:
    assert problem("---\nJust words\n---\nBody\n") == (
        f"{SHOWN}:2: the front matter must be fields like 'title: ...', one a line")


def test_a_field_twice() -> None:
    assert problem("---\ntitle: Ward 7\ndate: 2026-03-01\ntitle: Ward 8\n---\nBody\n") == (
        f"{SHOWN}:4: the field 'title' appears twice")


def test_a_list_as_a_key_is_one_clear_line() -> None:
    assert problem("---\ntitle: x\n? [a, b]\n: c\n---\nBody\n") == (
        f"{SHOWN}:3: the front matter is not valid YAML: found unhashable key")


def test_python_tags_are_refused() -> None:
    assert problem("---\ntitle: !!python/object/apply:os.system [echo hi]\n---\nBody\n") == (
        f"{SHOWN}:2: the front matter is not valid YAML: could not determine a constructor for the tag "
        "'tag:yaml.org,2002:python/object/apply:os.system'")


def test_empty_front_matter_is_no_fields() -> None:
    file = loaded("---\n---\nBody\n")
    assert (file.meta, file.source.lines, file.body) == ({}, {}, "Body")


def test_body_may_hold_a_horizontal_rule() -> None:
    assert loaded("---\ntitle: x\n---\nOne\n\n---\n\nTwo\n").body == "One\n\n---\n\nTwo"


def test_kind_of(tmp_path: Path) -> None:
    stories = tmp_path / "stories"
    assert kind_of(stories / "patient" / "a.md", stories) is Kind.STORY
    assert kind_of(stories / "patient" / "2025" / "a.md", stories) is Kind.STORY
    assert kind_of(stories / "pledge" / "a.md", stories) is Kind.UPDATE
    assert kind_of(stories / "responses" / "a.md", stories) is Kind.RESPONSE
    assert kind_of(stories / "a.md", stories) is None
    assert kind_of(stories / "drafts" / "a.md", stories) is None
    assert kind_of(tmp_path / "docs" / "a.md", stories) is None


def test_discover_finds_markdown_in_the_three_folders_in_order(tmp_path: Path) -> None:
    stories = tmp_path / "stories"
    for name in ("patient/b.md", "patient/2025/a.md", "pledge/c.md", "responses/d.md", "patient/notes.txt",
                 "drafts/e.md", "f.md"):
        (stories / name).parent.mkdir(parents=True, exist_ok=True)
        (stories / name).write_text("x")
    (stories / "patient" / "folder.md").mkdir()
    assert [path.relative_to(stories).as_posix() for path in discover(stories)] == [
        "patient/2025/a.md", "patient/b.md", "pledge/c.md", "responses/d.md"]


def test_discover_without_folders(tmp_path: Path) -> None:
    assert discover(tmp_path / "stories") == []


def test_display_path(tmp_path: Path) -> None:
    assert display_path(tmp_path / "stories" / "patient" / "a.md", tmp_path) == "stories/patient/a.md"
    assert display_path(Path("/elsewhere/a.md"), tmp_path) == "/elsewhere/a.md"


def test_load_keeps_every_problem_and_every_good_file(tmp_path: Path) -> None:
    stories = tmp_path / "stories"
    good = stories / "patient" / "good.md"
    bad = stories / "pledge" / "bad.md"
    stray = stories / "stray.md"
    for path, text in ((good, "---\ntitle: x\n---\nBody\n"), (bad, "no front matter\n"), (stray, "x")):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    files, problems, unparsed = load([good, bad, stray], stories, tmp_path, LimitSettings())
    assert [(file.kind, file.slug, file.path) for file in files] == [(Kind.STORY, "good", "stories/patient/good.md")]
    assert [(text.source.path, text.body) for text in unparsed] == [("stories/pledge/bad.md", "no front matter\n")]
    assert [str(problem) for problem in problems] == [
        NO_FRONT_MATTER.replace(SHOWN, "stories/pledge/bad.md"),
        "stories/stray.md:1: is not in a content folder: move it into stories/patient/, stories/pledge/, "
        "stories/responses/, stories/conversations/",
    ]
    assert problems[1].code == "wrong-folder"


def test_load_reads_a_file_named_twice_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "stories" / "patient" / "a.md"
    path.parent.mkdir(parents=True)
    path.write_text("---\ntitle: x\n---\nBody\n")
    relative = Path("stories/patient/a.md")
    files, problems, _ = load([relative, path, Path("stories/patient/../patient/a.md")], Path("stories"), Path("."),
                              LimitSettings())
    assert (len(files), problems) == (1, [])
    assert files[0].path == "stories/patient/a.md"


def test_load_reads_a_file_and_a_link_to_it_once(tmp_path: Path) -> None:
    folder = tmp_path / "stories" / "patient"
    folder.mkdir(parents=True)
    (folder / "a.md").write_text("---\ntitle: x\n---\nBody\n")
    (folder / "b.md").symlink_to(folder / "a.md")
    files, problems, _ = load([folder / "a.md", folder / "b.md"], tmp_path / "stories", tmp_path, LimitSettings())
    assert ([file.path for file in files], problems) == (["stories/patient/a.md"], [])


def test_the_listing_says_which_files_are_links_and_loading_takes_its_word(tmp_path: Path) -> None:
    """What the folder listing said of each file spares a system call for each; it reads the same."""
    site = tmp_path / "site"
    folder = site / "stories" / "patient"
    folder.mkdir(parents=True)
    (folder / "a.md").write_text("---\ntitle: x\n---\nBody\n")
    (folder / "b.md").symlink_to(folder / "a.md")
    (tmp_path / "secret.md").write_text("---\ntitle: secret\n---\nNot for the site\n")
    (folder / "c.md").symlink_to(tmp_path / "secret.md")
    listed = listing(site / "stories")
    assert {Path(path).name: link for path, link in listed.items()} == {"a.md": False, "b.md": True, "c.md": True}
    assert [Path(path) for path in listed] == discover(site / "stories")
    files, problems, _ = load(discover(site / "stories"), site / "stories", site, LimitSettings(), links=listed)
    assert [file.path for file in files] == ["stories/patient/a.md"]
    assert [problem.path for problem in problems] == ["stories/patient/c.md"]
    assert (files, problems) == load(discover(site / "stories"), site / "stories", site, LimitSettings())[:2]


def test_strays_are_writing_no_one_would_read(tmp_path: Path) -> None:
    stories = tmp_path / "stories"
    files = {"patient/bus": "I felt suicidal\n", "patient/Bus.MD": "", "patient/bus.md.txt": "x", "foo.md": "---\n",
             "patients/foo.md": "", "patient/notes.docx": b"PK\x03\x04\xff", "patient/good.md": "",
             "patient/images/bench.png": b"\x89PNG", "patient/.gitkeep": "", ".drafts/old.txt": "",
             "responses/deep/reply.md": ""}
    for name, data in files.items():
        (stories / name).parent.mkdir(parents=True, exist_ok=True)
        (stories / name).write_bytes(data if isinstance(data, bytes) else data.encode())
    problems, texts = strays(stories, tmp_path)
    assert [(problem.path, problem.code) for problem in problems] == [
        ("stories/foo.md", "wrong-folder"),
        ("stories/patient/Bus.MD", "not-markdown"), ("stories/patient/bus", "not-markdown"),
        ("stories/patient/bus.md.txt", "not-markdown"), ("stories/patient/notes.docx", "not-markdown"),
        ("stories/patients/foo.md", "wrong-folder")]
    assert str(problems[2]) == ("stories/patient/bus:1: is not read, as its name does not end in '.md': rename it to "
                                "'bus.md'")
    assert [(text.source.path, text.body) for text in texts] == [
        ("stories/foo.md", "---\n"), ("stories/patient/Bus.MD", ""), ("stories/patient/bus", "I felt suicidal\n"),
        ("stories/patient/bus.md.txt", "x"), ("stories/patients/foo.md", "")]


def test_words_are_every_string_in_the_front_matter_and_the_body() -> None:
    file = loaded("---\ntitle: Bus\nautor: Jo\nconsent: {how: [by phone, 7]}\nreviewed: [phone, [x]]\n---\nBody\n")
    unchecked = words(file)
    assert unchecked.fields == (("title", "Bus"), ("autor", "Jo"), ("consent", "by phone"), ("reviewed", "phone"),
                                ("reviewed", "x"))
    assert (unchecked.body, unchecked.source.body_line) == ("Body", 7)


def test_words_walk_each_list_once_however_often_yaml_repeats_it() -> None:
    bomb = "l0: &l0 [x, x]\n" + "".join(f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]\n" for n in range(1, 9))
    file = loaded(f"---\n{bomb}title: &a [*a, y]\nreviewed: *l8\n---\nBody\n")
    assert words(file).fields == (("l0", "x"), ("title", "y"))  # each text once, in the first field it is in


def test_words_screen_a_text_that_yaml_repeats_once() -> None:
    repeated = ",\n  ".join(["*a"] * 10_000)
    file = loaded(f"---\nnote: &a Call 07700 900123\ntitle: [{repeated}]\nother: Call 07700 900123\n---\nBody\n")
    assert words(file).fields == (("note", "Call 07700 900123"),)


def test_a_link_to_a_file_outside_the_site_is_never_read(tmp_path: Path) -> None:
    site = tmp_path / "site"
    secret = tmp_path / "secret.txt"
    secret.write_text("Jane's NHS number is 943 476 5919\n", encoding="utf-8")
    inside = site / "stories" / "patient"
    inside.mkdir(parents=True)
    (inside / "notes.txt").symlink_to(secret)
    (inside / "story.md").symlink_to(secret)
    (inside / "fine.txt").write_text("x", encoding="utf-8")
    (inside / "near.txt").symlink_to(inside / "fine.txt")
    problems, texts = strays(site / "stories", site)
    assert [str(problem) for problem in problems] == [
        "stories/patient/fine.txt:1: is not read, as its name does not end in '.md': rename it to 'fine.md'",
        "stories/patient/near.txt:1: is not read, as its name does not end in '.md': rename it to 'near.md'",
        "stories/patient/notes.txt:1: is a link to a file outside the site's folder, so it is not read: put the file "
        "itself here, or remove the link"]
    assert [text.body for text in texts] == ["x", "x"]
    files, problems, unparsed = load(discover(site / "stories"), site / "stories", site, LimitSettings())
    assert (files, unparsed) == ([], [])
    assert [str(problem) for problem in problems] == [
        "stories/patient/story.md:1: is a link to a file outside the site's folder, so it is not read: put the file "
        "itself here, or remove the link"]
