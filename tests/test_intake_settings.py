"""The service's settings: the site's mkdocs.yml and the environment, every bad variable named on one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from narrative.intake.keys import new_key
from narrative.intake.settings import GitHubSettings, IntakeSettings, IntakeSettingsError
from tests.content import write_site


@pytest.fixture
def root(tmp_path: Path) -> Path:
    write_site(tmp_path / "site", intake={"url": "https://intake.example.org/"})
    return tmp_path / "site"


def test_defaults_come_from_the_site(root: Path) -> None:
    settings = IntakeSettings.load(root, {"NARRATIVE_INTAKE_KEY": new_key()})
    assert settings.state_dir == (root / ".narrative-intake").absolute()
    assert settings.public_url == "https://intake.example.org/"
    assert settings.allowed_origins == ("https://stories.example.org",)
    assert (settings.redact, settings.retention_days, settings.destination, settings.git_remote) == (
        True, 90, "git", "origin")
    assert settings.site.organisation == "Sample ICB"


def test_without_the_key_it_refuses_in_one_line(root: Path) -> None:
    with pytest.raises(IntakeSettingsError) as raised:
        IntakeSettings.load(root, {})
    assert str(raised.value) == ("NARRATIVE_INTAKE_KEY is not set: the service encrypts everything it keeps and "
                                 "needs a key; make one with `narrative intake key` and set it in the environment")


def test_every_bad_variable_is_named_at_once(root: Path) -> None:
    with pytest.raises(IntakeSettingsError) as raised:
        IntakeSettings.load(root, {"NARRATIVE_INTAKE_KEY": new_key(), "NARRATIVE_INTAKE_REDACT": "perhaps",
                                   "NARRATIVE_INTAKE_RETENTION_DAYS": "0", "NARRATIVE_INTAKE_DESTINATION": "github"})
    assert str(raised.value) == (
        "NARRATIVE_INTAKE_REDACT must be true or false, not 'perhaps'; NARRATIVE_INTAKE_RETENTION_DAYS must be a "
        "whole number of days, 1 or more, not '0'; NARRATIVE_GITHUB_REPOSITORY must be the story repository as "
        "owner/name for the github destination; NARRATIVE_GITHUB_TOKEN must hold a token that may push branches "
        "and open pull requests for the github destination")


def test_github_and_overrides(root: Path, tmp_path: Path) -> None:
    settings = IntakeSettings.load(root, {
        "NARRATIVE_INTAKE_KEY": new_key(), "NARRATIVE_INTAKE_DESTINATION": "github",
        "NARRATIVE_GITHUB_REPOSITORY": "hollowmere/stories", "NARRATIVE_GITHUB_TOKEN": "t0ken",
        "NARRATIVE_GITHUB_API_URL": "http://127.0.0.1:9/", "NARRATIVE_INTAKE_STATE": str(tmp_path / "state"),
        "NARRATIVE_INTAKE_ORIGINS": "https://a.example, https://b.example/", "NARRATIVE_INTAKE_REDACT": "false",
        "NARRATIVE_INTAKE_GIT_REMOTE": "", "NARRATIVE_INTAKE_PREFIX": "HM"})
    assert settings.github == GitHubSettings("hollowmere/stories", "t0ken", "http://127.0.0.1:9")
    assert (settings.github.owner, settings.github.name) == ("hollowmere", "stories")
    assert settings.state_dir == tmp_path / "state"
    assert settings.allowed_origins == ("https://a.example", "https://b.example")
    assert (settings.redact, settings.git_remote, settings.reference_prefix) == (False, None, "HM")


def test_a_broken_site_is_named(tmp_path: Path) -> None:
    with pytest.raises(IntakeSettingsError) as raised:
        IntakeSettings.load(tmp_path, {"NARRATIVE_INTAKE_KEY": new_key()})
    assert str(raised.value) == f"{tmp_path / 'mkdocs.yml'}: not found: no such file"
