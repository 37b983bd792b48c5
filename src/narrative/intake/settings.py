"""The service's settings: the site's `mkdocs.yml` for what the stories must be, the environment for the rest.

Everything that is the service's own (where it keeps its state, where submissions go, the key) is read from
`NARRATIVE_*` variables, so a server's secrets and addresses stay out of the repository. Every bad variable is
reported at once, on one line, which `narrative intake` prints before refusing to start.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from narrative.config import CONFIG_FILE, Settings, load_settings
from narrative.intake.keys import KeyProblem, Keys

STATE_FOLDER = ".narrative-intake"
"""Where the service keeps its stores, beside `mkdocs.yml` unless `NARRATIVE_INTAKE_STATE` says otherwise."""
DESTINATIONS = ("git", "github")


class IntakeSettingsError(ValueError):
    """The service cannot start as configured; the message is one line naming each variable to fix."""


@dataclass(frozen=True)
class GitHubSettings:
    """Where the GitHub destination opens its pull requests."""

    repository: str
    """`owner/name` of the story repository (`NARRATIVE_GITHUB_REPOSITORY`)."""
    token: str
    """A token that may push branches and open pull requests (`NARRATIVE_GITHUB_TOKEN`)."""
    api_url: str = "https://api.github.com"
    """The REST API's address (`NARRATIVE_GITHUB_API_URL`): GitHub Enterprise's, or a test's."""

    @property
    def owner(self) -> str:
        return self.repository.split("/")[0]

    @property
    def name(self) -> str:
        return self.repository.split("/")[1]


@dataclass(frozen=True)
class IntakeSettings:
    """Everything the service needs; `load()` reads it. Mail settings are the mailer's own."""

    site: Settings
    """The site the stories are for (its topics, time zone, screening), from `mkdocs.yml`."""
    state_dir: Path
    """The one folder holding every store, all of it encrypted (`NARRATIVE_INTAKE_STATE`)."""
    keys: Keys
    """The encryption key or keys (`NARRATIVE_INTAKE_KEY`, newest first)."""
    public_url: str
    """The service's own address, ending in `/`, for links in emails (`NARRATIVE_INTAKE_PUBLIC_URL`; by default
    the site's `intake.url`)."""
    allowed_origins: tuple[str, ...]
    """Origins whose pages may post to the service (`NARRATIVE_INTAKE_ORIGINS`, comma separated; by default
    the site's own)."""
    redact: bool = True
    """Replace personal data with placeholders before anything reaches git (`NARRATIVE_INTAKE_REDACT=false`
    turns it off, for a private story repository only)."""
    retention_days: int = 90
    """Days the private store keeps a writer's original text and address (`NARRATIVE_INTAKE_RETENTION_DAYS`)."""
    destination: str = "git"
    """`git`: a branch in the repository the service runs in; `github`: a branch and a pull request
    (`NARRATIVE_INTAKE_DESTINATION`)."""
    git_remote: str | None = "origin"
    """The remote the git destination pushes each branch to when the repository has it
    (`NARRATIVE_INTAKE_GIT_REMOTE`; empty: never push)."""
    base_branch: str | None = None
    """The branch submissions start from (`NARRATIVE_INTAKE_BASE_BRANCH`; by default the checked-out one, or
    the GitHub repository's default)."""
    github: GitHubSettings | None = None
    """The GitHub destination's repository and token, when `destination` is `github`."""
    retry_seconds: float = 5.0
    """The first wait after a failed delivery, doubled each time up to a quarter of an hour
    (`NARRATIVE_INTAKE_RETRY_SECONDS`)."""
    reference_prefix: str = "ST"
    """The letters a reference starts with, e.g. `HM` in `HM-7K3Q-2F9D` (`NARRATIVE_INTAKE_PREFIX`)."""

    @property
    def root(self) -> Path:
        return self.site.root

    @classmethod
    def load(cls, root: Path, environ: Mapping[str, str]) -> IntakeSettings:
        """The settings for the site in `root`, or `IntakeSettingsError` naming everything to fix."""
        site, problems = load_settings(root / CONFIG_FILE)
        if site is None:
            raise IntakeSettingsError("; ".join(str(problem) for problem in problems))
        try:
            keys = Keys.from_environment(environ)
        except KeyProblem as error:
            raise IntakeSettingsError(str(error)) from None
        values, errors = _from_environment(environ)
        github = _github(environ, errors) if values.get("destination") == "github" else None
        if errors:
            raise IntakeSettingsError("; ".join(errors))
        state = values.pop("state_dir", None) or root / STATE_FOLDER
        origin = _origin(site.site_url)
        return cls(site=site, state_dir=Path(state).absolute(), keys=keys,
                   public_url=values.pop("public_url", None) or site.intake.url or "http://localhost:8000/",
                   allowed_origins=values.pop("allowed_origins", None) or ((origin.rstrip("/"),) if origin else ()),
                   github=github, **values)


def _origin(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/"


class _Bad(ValueError):
    """One variable's value is wrong; the message says what a right one looks like."""


def _flag(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered not in {"1", "true", "yes", "0", "false", "no"}:
        raise _Bad(f"must be true or false, not '{value}'")
    return lowered in {"1", "true", "yes"}


def _days(value: str) -> int:
    if not value.strip().isdigit() or int(value) < 1:
        raise _Bad(f"must be a whole number of days, 1 or more, not '{value}'")
    return int(value)


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not seconds > 0:
        raise _Bad(f"must be a number of seconds above 0, not '{value}'")
    return seconds


def _url(value: str) -> str:
    if not re.match(r"^https?://[^/\s]+\S*$", value.strip()):
        raise _Bad(f"must be an absolute http(s) address such as 'https://intake.example.org/', not '{value}'")
    return value.strip().rstrip("/") + "/"


def _origins(value: str) -> tuple[str, ...]:
    origins = tuple(part.strip().rstrip("/") for part in value.split(",") if part.strip())
    for origin in origins:
        if not re.fullmatch(r"https?://[^/\s]+", origin):
            raise _Bad(f"must be origins like 'https://stories.example.org', comma separated, not '{origin}'")
    return origins


def _destination(value: str) -> str:
    if value.strip() not in DESTINATIONS:
        raise _Bad(f"must be one of {', '.join(DESTINATIONS)}, not '{value}'")
    return value.strip()


def _prefix(value: str) -> str:
    if not re.fullmatch(r"[A-Z]{1,4}", value.strip()):
        raise _Bad(f"must be one to four capital letters, such as HM, not '{value}'")
    return value.strip()


def _branch(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9._/-]+", value.strip()) or ".." in value:
        raise _Bad(f"must be a branch name such as main, not '{value}'")
    return value.strip()


VARIABLES: dict[str, tuple[str, Callable[[str], object]]] = {
    "NARRATIVE_INTAKE_STATE": ("state_dir", lambda value: Path(value.strip())),
    "NARRATIVE_INTAKE_PUBLIC_URL": ("public_url", _url),
    "NARRATIVE_INTAKE_ORIGINS": ("allowed_origins", _origins),
    "NARRATIVE_INTAKE_REDACT": ("redact", _flag),
    "NARRATIVE_INTAKE_RETENTION_DAYS": ("retention_days", _days),
    "NARRATIVE_INTAKE_DESTINATION": ("destination", _destination),
    "NARRATIVE_INTAKE_GIT_REMOTE": ("git_remote", lambda value: value.strip() or None),
    "NARRATIVE_INTAKE_BASE_BRANCH": ("base_branch", _branch),
    "NARRATIVE_INTAKE_RETRY_SECONDS": ("retry_seconds", _seconds),
    "NARRATIVE_INTAKE_PREFIX": ("reference_prefix", _prefix),
}
"""Each variable the service reads (but the key's), the setting it fills and how its text is read."""


def _from_environment(environ: Mapping[str, str]) -> tuple[dict[str, object], list[str]]:
    values: dict[str, object] = {}
    errors: list[str] = []
    for variable, (name, parse) in VARIABLES.items():
        if variable not in environ:
            continue
        try:
            values[name] = parse(environ[variable])
        except _Bad as error:
            errors.append(f"{variable} {error}")
    return values, errors


def _github(environ: Mapping[str, str], errors: list[str]) -> GitHubSettings | None:
    repository = environ.get("NARRATIVE_GITHUB_REPOSITORY", "").strip()
    token = environ.get("NARRATIVE_GITHUB_TOKEN", "").strip()
    if not re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", repository):
        errors.append("NARRATIVE_GITHUB_REPOSITORY must be the story repository as owner/name for the github "
                      "destination")
    if not token:
        errors.append("NARRATIVE_GITHUB_TOKEN must hold a token that may push branches and open pull requests "
                      "for the github destination")
    api = environ.get("NARRATIVE_GITHUB_API_URL")
    if api is not None:
        try:
            api = _url(api).rstrip("/")
        except _Bad as error:
            errors.append(f"NARRATIVE_GITHUB_API_URL {error}")
    if errors:
        return None
    return GitHubSettings(repository, token, *([api] if api else []))
