"""The `narrative` command: output and exit codes (0 clean, 1 problems, 2 wrong usage)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import narrative
from narrative.cli import main
from tests.conftest import Project
from tests.content import response, story, update, write_file, write_site

BROKEN = "stories/patient/broken.md"
BROKEN_LINE = f"{BROKEN}:4: the front matter is not valid YAML: did not find expected node content"
UNKNOWN_STORY = ("stories/responses/lost-reply.md:2: story: no story is called 'lost' "
                 "(looked for stories/patient/lost.md)")


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clean site of one story, one update and one response, and the current folder."""
    root = tmp_path / "site"
    write_site(root)
    story(root, "ward-7")
    update(root, "quieter-nights", stories=["ward-7"])
    response(root, "ward-7-reply", "ward-7")
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def broken(site: Path) -> Path:
    """The site with a file that does not parse and a response to a story that does not exist."""
    write_file(site, "patient", "broken", "title: x\ntopics: [\n")
    response(site, "lost-reply", "lost")
    return site


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def usage(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run a command argparse refuses; return what it said."""
    with pytest.raises(SystemExit) as raised:
        main(list(argv))
    assert raised.value.code == 2
    return capsys.readouterr().err


# check: exit 0


def test_check_clean(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "check") == (0, "No problems in 3 files.\n", "")


def test_check_clean_json(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", "--format", "json")
    assert (code, json.loads(out), err) == (0, [], "")


def test_check_one_file_resolves_references_to_others(broken: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Only the named file's problems are reported, though the story it answers is read to find it."""
    assert run(capsys, "check", "stories/responses/ward-7-reply.md") == (0, "No problems in 1 file.\n", "")


def test_check_one_folder(broken: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "check", "stories/pledge") == (0, "No problems in 1 file.\n", "")


@pytest.mark.parametrize("name", ["absolute", "dotted"])
def test_check_a_file_however_it_is_named(site: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    path = {"absolute": str(site / "stories/patient/ward-7.md"), "dotted": "stories/pledge/../patient/ward-7.md"}[name]
    assert run(capsys, "check", path) == (0, "No problems in 1 file.\n", "")


# check: exit 1


def test_check_reports_every_problem(broken: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "check") == (1, f"{BROKEN_LINE}\n{UNKNOWN_STORY}\n", "2 errors and 0 warnings in 5 files.\n")


def test_check_json(broken: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", "--format", "json")
    assert (code, err) == (1, "")
    assert json.loads(out) == [
        {"path": BROKEN, "line": 4, "field": None, "code": "bad-front-matter", "severity": "error",
         "message": "the front matter is not valid YAML: did not find expected node content"},
        {"path": "stories/responses/lost-reply.md", "line": 2, "field": "story", "code": "unknown-story",
         "severity": "error", "message": "no story is called 'lost' (looked for stories/patient/lost.md)"},
    ]


def test_check_as_github_annotations(broken: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Every error has a line, so every one is shown on its line of the pull request's files."""
    story(broken, "no-summary", summary=None, topics=["100%\n::error::forged"])
    assert run(capsys, "check", "--format", "github") == (1, (
        f"::error file={BROKEN},line=4,title=bad-front-matter::the front matter is not valid YAML: did not find "
        "expected node content\n"
        "::error file=stories/patient/no-summary.md,line=4,title=topics::unknown topic '100%25%0A::error::forged'; "
        "choose from mental-health, primary-care, carers\n"
        "::error file=stories/patient/no-summary.md,line=9,title=summary::missing: every story needs a summary: add "
        "it above the closing '---'\n"
        "::error file=stories/responses/lost-reply.md,line=2,title=story::no story is called 'lost' (looked for "
        "stories/patient/lost.md)\n"), "")


def test_check_only_the_named_files(broken: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "check", BROKEN, "stories/patient/ward-7.md") == (
        1, f"{BROKEN_LINE}\n", "1 error and 0 warnings in 2 files.\n")


def test_check_a_file_outside_the_content_folders(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (site / "notes").mkdir()
    (site / "notes" / "story.md").write_text("---\ntitle: x\n---\nBody\n")
    assert run(capsys, "check", "notes/story.md") == (
        1, "notes/story.md:1: is not in a content folder: move it into stories/patient/, stories/pledge/, "
           "stories/responses/, stories/conversations/\n", "1 error and 0 warnings in 1 file.\n")


def test_check_with_a_config_file_elsewhere(broken: Path, capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(broken.parent)
    code, out, _ = run(capsys, "-f", "site/mkdocs.yml", "check", f"site/{BROKEN}")
    assert (code, out) == (1, f"{BROKEN_LINE}\n")


# check: exit 2


def test_check_a_missing_path(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "check", "stories/patient/ward-8.md") == (
        2, "", "narrative check: stories/patient/ward-8.md: no such file or folder\n")


def test_check_without_mkdocs_yml(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "check") == (
        2, "", "narrative check: mkdocs.yml: not found: run this in the folder with mkdocs.yml\n")


def test_check_with_broken_mkdocs_yml(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_site(site, "site_name: x\nextra: [\n")
    assert run(capsys, "check") == (
        2, "", "narrative check: mkdocs.yml:3: cannot be read: did not find expected node content\n")


def test_check_with_wrong_settings_names_each(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_site(site, per_page=0, organization="Sample ICB")
    assert run(capsys, "check") == (2, "", (
        "narrative check: mkdocs.yml: extra.narrative.per_page: must be a whole number of 1 or more, not 0\n"
        "mkdocs.yml: extra.narrative.organization: unknown setting (did you mean 'organisation'?)\n"))


@pytest.mark.parametrize("argv", [("check", "--format", "xml"), ("check", "--nope"), (), ("chek",),
                                  ("new", "essay"), ("-f",)])
def test_wrong_usage(site: Path, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]) -> None:
    assert usage(capsys, *argv).startswith("usage: narrative")


def test_building_into_a_file_is_refused(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (site / "notes.txt").write_text("not a folder\n")
    assert run(capsys, "build", "-d", "notes.txt") == (
        2, "", "narrative build: notes.txt is a file: give a folder to build the site into\n")


def test_wrong_format_names_the_choices(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "argument --format: invalid choice: 'xml'" in usage(capsys, "check", "--format", "xml")


# new


NEW_STORY = "stories/patient/ward-7-the-night-staff.md"


def test_new_story_is_a_draft_the_check_holds_until_filled_in(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "new", "story", "--title", "Ward 7: the night staff") == (
        0, f"Wrote {NEW_STORY}: fill it in, then run 'narrative check {NEW_STORY}'. It is a draft: once it is ready "
           "and its consent recorded, set 'status: published'.\n", "")
    assert run(capsys, "check", NEW_STORY) == (
        1, f"{NEW_STORY}:5: summary: still holds the template's words: write your own in their place\n"
           f"{NEW_STORY}:8: consent: nobody has recorded it yet: once the contributor has agreed to publication, an "
           "editor writes 'given: true', with the date and how they agreed\n"
           f"{NEW_STORY}:17: this is the template's line: write the text in its place\n",
        "3 errors and 0 warnings in 1 file.\n")


def test_new_update_fails_the_check_until_filled_in(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "new", "update", "--title", "Quieter waiting rooms")
    assert (code, out.split(":")[0]) == (0, "Wrote stories/pledge/quieter-waiting-rooms.md")
    assert run(capsys, "check")[0] == 1


def test_new_response_fails_the_check_until_filled_in(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "new", "response", "--story", "ward-7")
    assert code == 0
    [written] = [path for path in (site / "stories" / "responses").iterdir() if path.name != "ward-7-reply.md"]
    assert written.name.startswith("ward-7-response-")
    assert out == (f"Wrote stories/responses/{written.name}: fill it in, then run "
                   f"'narrative check stories/responses/{written.name}'.\n")
    assert run(capsys, "check", f"stories/responses/{written.name}")[0] == 1


def test_new_conversation_record_fails_the_check_until_counted(site: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "new", "conversation", "--place", "Market stall")
    [written] = (site / "stories" / "conversations").iterdir()
    shown = f"stories/conversations/{written.name}"
    assert (code, out) == (0, f"Wrote {shown}: fill it in, then run 'narrative check {shown}'.\n")
    assert written.name.startswith("market-stall-")
    assert run(capsys, "check", shown) == (
        1, f"{shown}:9: people: must be a whole number of 1 or more, not 0\n"
           f"{shown}:10: conversations: mental-health: must be a whole number of 1 or more, not 0\n",
        "2 errors and 0 warnings in 1 file.\n")
    written.write_text(written.read_text().replace(": 0", ": 4"))
    assert run(capsys, "check", shown) == (0, "No problems in 1 file.\n", "")


def test_new_refuses_to_overwrite(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "new", "story", "--title", "Ward 7") == (
        1, "", "narrative new: stories/patient/ward-7.md already exists: choose another title or edit that file\n")
    assert (site / "stories/patient/ward-7.md").read_text().startswith("---\ntitle: Ward 7\n")


def test_new_response_to_a_story_that_does_not_exist(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "new", "response", "--story", "ward-8") == (
        1, "", "narrative new: no story is called 'ward-8' in stories/patient/\n")


@pytest.mark.parametrize(("argv", "message"), [
    (("new", "story"), "narrative new: give the title with --title\n"),
    (("new", "update", "--title", " "), "narrative new: give the title with --title\n"),
    (("new", "response"), "narrative new: a response answers a story: give its slug with --story\n"),
    (("new", "conversation"), "narrative new: a conversation record says where the conversations were held: give "
                              "the place with --place\n"),
])
def test_new_without_what_it_needs(site: Path, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...],
                                   message: str) -> None:
    assert run(capsys, *argv) == (2, "", message)


def test_new_without_mkdocs_yml(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "new", "story", "--title", "x")[0] == 2


# As a user runs it


def command() -> list[str]:
    script = Path(sys.executable).with_name("narrative")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "narrative.cli"]


def test_the_installed_command(site: Path) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    made = subprocess.run([*command(), "new", "story", "--title", "Café au lait"], cwd=site, env=env,
                          capture_output=True, text=True, check=False)
    assert (made.returncode, made.stdout, made.stderr) == (
        0, "Wrote stories/patient/cafe-au-lait.md: fill it in, then run "
           "'narrative check stories/patient/cafe-au-lait.md'. It is a draft: once it is ready and its consent "
           "recorded, set 'status: published'.\n", "")
    (site / "stories/patient/cafe-au-lait.md").unlink()
    checked = subprocess.run([*command(), "check"], cwd=site, env=env, capture_output=True, text=True, check=False)
    assert (checked.returncode, checked.stdout, checked.stderr) == (0, "No problems in 3 files.\n", "")
    write_file(site, "patient", "broken", "title: x\ntopics: [\n")
    failed = subprocess.run([sys.executable, "-m", "narrative.cli", "check", "--format", "json"], cwd=site, env=env,
                            capture_output=True, text=True, check=False)
    assert (failed.returncode, failed.stderr) == (1, "")
    assert [problem["path"] for problem in json.loads(failed.stdout)] == [BROKEN]
    wrong = subprocess.run([*command(), "check", "--format", "xml"], cwd=site, env=env, capture_output=True,
                           text=True, check=False)
    assert wrong.returncode == 2 and "invalid choice: 'xml'" in wrong.stderr


# build, serve and the command itself


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["--version"])
    assert (raised.value.code, capsys.readouterr().out) == (0, f"narrative {narrative.__version__}\n")


@pytest.mark.parametrize("command", ["build", "serve"])
def test_build_and_serve_outside_a_site_say_so_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    monkeypatch.chdir(tmp_path)
    assert run(capsys, command) == (
        2, "", f"narrative {command}: mkdocs.yml: not found: run this in the folder with mkdocs.yml\n")


@pytest.mark.parametrize("hooks", [None, [], ["hooks/other.py"], "hooks/narrative_hooks.py"])
def test_a_site_without_the_hook_is_told_how_to_list_it(project: Project, capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch, hooks: object) -> None:
    raw = yaml.safe_load(project.config_file.read_text(encoding="utf-8"))
    raw.pop("hooks") if hooks is None else raw.update(hooks=hooks)
    project.config_file.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    monkeypatch.chdir(project.root)
    assert run(capsys, "build") == (2, "", (
        "narrative build: mkdocs.yml: hooks: must list the file that hands the build to narrative, e.g. hooks: "
        "[hooks/narrative_hooks.py] (a file holding 'from narrative.mkdocs_hooks import *')\n"))
    assert not (project.root / "site").exists()


def test_build_says_what_it_made_in_one_line_without_the_end_of_life_notice(project: Project) -> None:
    project.story("ward-7")
    project.story("ward-8", status="withdrawn")
    project.update("quieter-nights", stories=["ward-7"])
    project.response("ward-7-reply", "ward-7")
    env = {key: value for key, value in os.environ.items() if key != "NO_MKDOCS_2_WARNING"}
    built = subprocess.run([*command(), "-f", str(project.config_file), "build", "-d", str(project.root / "out")],
                           cwd=project.root, env=env, capture_output=True, text=True, check=False)
    assert built.returncode == 0, built.stderr
    pages = len(list((project.root / "out").rglob("index.html")))
    [line] = [line for line in built.stderr.splitlines() if "Built " in line]
    assert re.fullmatch(rf"INFO    -  Built 1 story, 1 pledge update and 1 response into {pages} pages, 15 feeds "
                        r"\(RSS, Atom and JSON each\) and 6 email digests in \d+\.\d s\.", line), line
    assert "end of life" not in built.stdout + built.stderr
    assert built.stdout.startswith("Built the site into ")


# init


def test_init_makes_a_site_that_passes_the_check_and_builds_strictly_at_once(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    made = subprocess.run([*command(), "init", "our-stories"], cwd=tmp_path, env=env, capture_output=True, text=True,
                          check=False)
    assert (made.returncode, made.stderr) == (0, "")
    assert made.stdout == ("Made a new site in our-stories/. Next: cd our-stories, run 'narrative serve' and open "
                           "http://127.0.0.1:8000/; then set your organisation, topics and principles in mkdocs.yml, "
                           "and replace the examples in stories/.\n")
    site = tmp_path / "our-stories"
    checked = subprocess.run([*command(), "check"], cwd=site, env=env, capture_output=True, text=True, check=False)
    assert (checked.returncode, checked.stdout, checked.stderr) == (0, "No problems in 9 files.\n", "")
    built = subprocess.run([*command(), "build", "--strict"], cwd=site, env=env, capture_output=True, text=True,
                           check=False)
    assert built.returncode == 0, built.stderr
    assert (site / "site/stories/example-the-bus-to-the-clinic/index.html").is_file()
    assert (site / "site/assets/narrative.css").is_file()
    assert "WARNING" not in built.stderr


def test_init_never_writes_over_a_folder_in_use(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "init", ".") == (
        2, "", "narrative init: . is not empty: give the name of a new folder, or of an empty one\n")
