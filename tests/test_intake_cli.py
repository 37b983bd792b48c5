"""`narrative intake` on the command line: refusing to start without its key, `key`, `show` and `purge`."""

from __future__ import annotations

from pathlib import Path

import pytest

from narrative import cli
from narrative.intake.keys import Keys, new_key
from narrative.intake.service import Service
from tests.content import write_site
from tests.intake import PERSONAL, answers, environment, intake_settings


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A site in the current folder and the service's environment set."""
    write_site(tmp_path / "site")
    monkeypatch.chdir(tmp_path / "site")
    env = environment()
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_without_the_key_it_refuses_to_start_in_one_line(site: dict[str, str], monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("NARRATIVE_INTAKE_KEY")
    assert run(capsys, "intake", "--port", "0") == (1, "", (
        "narrative intake: NARRATIVE_INTAKE_KEY is not set: the service encrypts everything it keeps and needs a "
        "key; make one with `narrative intake key` and set it in the environment\n"))


def test_outside_a_git_repository_it_refuses_to_start(site: dict[str, str],
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "intake", "--port", "0") == (1, "", (
        f"narrative intake: {Path.cwd()} is not in a git repository with a commit on its current branch: start "
        "the service in the checkout of the story repository, or set NARRATIVE_INTAKE_DESTINATION=github\n"))


def test_key_prints_a_new_key(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "intake", "key")
    assert (code, err) == (0, "")
    assert Keys.from_text(out.strip()) is not None and out != run(capsys, "intake", "key")[1]


def test_show_prints_one_submission_and_says_when_there_is_none(site: dict[str, str],
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    service = Service(intake_settings(Path("."), **site))
    accepted = service.accept(answers(story=f"Ring {PERSONAL['phone']}.\n", notify_email="jo@example.net"))
    assert not isinstance(accepted, list)
    service.close()
    code, out, err = run(capsys, "intake", "show", accepted.reference.lower())
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[:2] == [f"Reference: {accepted.reference}", "State: waiting to be delivered (0 failed attempts)"]
    assert lines[3:6] == ["May we contact you: no", "Email when published: jo@example.net", ""]
    assert f"Ring {PERSONAL['phone']}." in lines
    assert run(capsys, "intake", "show", "HM-0000-0000") == (1, "", (
        "narrative intake show: nothing is kept for HM-0000-0000: check the reference, or it was purged after 90 "
        "days\n"))


def test_purge_says_how_many_went(site: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "intake", "purge") == (0, "Forgot 0 originals older than 90 days.\n", "")


def test_rotate_moves_what_is_kept_to_the_newest_key(site: dict[str, str], monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    service = Service(intake_settings(Path("."), **site))
    accepted = service.accept(answers())
    assert not isinstance(accepted, list)
    service.close()
    newest = new_key()
    monkeypatch.setenv("NARRATIVE_INTAKE_KEY", f"{newest},{site['NARRATIVE_INTAKE_KEY']}")
    assert run(capsys, "intake", "rotate") == (0, (
        "Encrypted 2 records of the queue and the private store again under the newest key. Keep the older keys "
        "after it: emailed links and writers' codes were signed with them.\n"), "")
    monkeypatch.setenv("NARRATIVE_INTAKE_KEY", newest)
    assert run(capsys, "intake", "show", accepted.reference)[0] == 0
    monkeypatch.setenv("NARRATIVE_INTAKE_KEY", new_key())
    assert run(capsys, "intake", "rotate") == (1, "", (
        "narrative intake rotate: a record opens with none of the keys in NARRATIVE_INTAKE_KEY: put back the key "
        "it was kept under, after the new one, and run this again\n"))
