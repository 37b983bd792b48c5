"""Shared pieces of the intake service's tests: a site in a real git repository with a bare remote, its
settings, and a writer's answers holding every kind of personal data."""

from __future__ import annotations

import subprocess
from pathlib import Path

from narrative.intake.form import FormInput
from narrative.intake.keys import new_key
from narrative.intake.settings import IntakeSettings
from tests.content import write_site

PERSONAL = {"phone": "07700 900 123", "email": "jo.bloggs@example.org", "nhs-number": "943 476 5919",
            "postcode": "LS1 4AP", "date-of-birth": "3 March 1961", "contact": "jo.private@example.net"}
"""Each kind of personal data a story may hold, and the writer's contact address."""


ANSWERS = dict(title="The night nurse on ward 7", summary="A kind nurse at night.",
               story="She sat with me until morning.\n", topics=("mental-health",), naming="anonymous", name=None,
               role=None, location=None, service=None, content_note=None, photos=(), consent_version="2026-11",
               contact_email=None, notify_email=None)


def answers(**fields: object) -> FormInput:
    """A writer's answers as the form's reader gives them: a short valid story, with any field replaced."""
    return FormInput(**{**ANSWERS, **fields})  # type: ignore[arg-type]


EVERY_KIND = answers(
    title="Ring me on 07700 900 123",
    summary="Write to jo.bloggs@example.org about it.",
    story="I was born 3 March 1961.\n\nMy NHS number is 943 476 5919 and I live at LS1 4AP.\n",
    naming="name", name="Jo Bloggs", contact_email="jo.private@example.net")


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout


def git_site(tmp_path: Path, rate_limit: int = 10) -> Path:
    """A site committed to a git repository whose `origin` is a bare repository beside it; `rate_limit` posts an
    hour from one address."""
    root = tmp_path / "site"
    write_site(root, intake={"url": "https://share.example.org/", "rate_limit": rate_limit})
    commit_with_remote(root, tmp_path / "remote.git")
    return root


def commit_with_remote(root: Path, remote: Path, ignore: str = ".narrative-intake/\n") -> None:
    """The site at `root` committed to a new git repository, its `origin` a new bare one at `remote`."""
    (root / ".gitignore").write_text(ignore, encoding="utf-8")
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "-c", "user.name=Editor", "-c", "user.email=editor@example.org", "commit", "-q", "-m", "The site")
    git(root, "remote", "add", "origin", str(remote))
    git(root, "push", "-q", "origin", "main")


def environment(**variables: str) -> dict[str, str]:
    return {"NARRATIVE_INTAKE_KEY": new_key(), "NARRATIVE_INTAKE_PREFIX": "HM",
            "NARRATIVE_INTAKE_RETRY_SECONDS": "0.05", **variables}


def intake_settings(root: Path, **variables: str) -> IntakeSettings:
    return IntakeSettings.load(root, environment(**variables))
