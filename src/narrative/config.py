"""The site's settings: `site_name`, `site_url` and `extra.narrative` in `mkdocs.yml`, declared once each.

`from_mapping()` reports every bad setting at once, each naming its key and the fix, rather than stopping at
the first. Reading `mkdocs.yml` here (not through MkDocs) keeps the core usable without MkDocs.
"""

from __future__ import annotations

import os
import re
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from narrative.model import SLUG, Kind
from narrative.problems import Problem, did_you_mean

CONFIG_FILE = "mkdocs.yml"
PREVIEW_VARIABLE = "NARRATIVE_PREVIEW"

RESERVED_PRINCIPLE_SLUGS = frozenset({"updates"})


def preview_requested() -> bool:
    """A preview build (drafts shown) is asked for with `NARRATIVE_PREVIEW=1`."""
    return os.environ.get(PREVIEW_VARIABLE, "").strip().lower() in {"1", "true", "yes"}


class SettingError(ValueError):
    """A setting's value is wrong; the message says what a right one looks like."""


@dataclass(frozen=True)
class Topic:
    """A subject stories are filed under, with its own page and feed."""

    slug: str
    label: str
    description: str


@dataclass(frozen=True)
class Principle:
    """One of the pledge's principles and the commitment it makes."""

    slug: str
    name: str
    commitment: str


@dataclass(frozen=True)
class Channel:
    """A way the organisation holds conversations away from this site, which a conversation record names."""

    slug: str
    label: str


CHANNELS = tuple(Channel(slug, label) for slug, label in (
    ("listening-booth", "Listening booth"), ("event", "Event"), ("outreach", "Outreach"), ("phone", "Phone"),
    ("post", "Post"), ("social-media", "Social media"), ("survey", "Survey"), ("other", "Other")))
"""The channels a site has unless its settings list its own."""


@dataclass(frozen=True)
class LicenceSettings:
    """The licence the impact figures are published under as open data (a Data Package's `licenses` entry)."""

    name: str = "OGL-UK-3.0"
    """Its short identifier, from the Open Definition's list where it has one."""
    title: str = "Open Government Licence v3.0"
    """Its name as people know it."""
    path: str = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
    """Where its text is."""


@dataclass(frozen=True)
class DigestSettings:
    """Who email digests come from and how a reader leaves the list."""

    sender: str | None = None
    """`From` address of every digest, e.g. `Sample ICB <stories@example.org>`."""
    reply_to: str | None = None
    """`Reply-To` address, usually the engagement team's mailbox."""
    unsubscribe_url: str | None = None
    """One-click unsubscribe URL (RFC 8058), sent as `List-Unsubscribe`."""
    subject_prefix: str = ""
    """Put before every subject, e.g. `[Our stories]`."""
    archive_days: int = 90
    """How many days of daily and weekly digests the build keeps in the archive."""


FINDING_KINDS = ("nhs-number", "phone", "email", "postcode", "date-of-birth", "crisis", "readability", "language")
"""What the screen reports; `screening.error_kinds`, an editor's review and a story's `reviewed:` name these."""
SAFE_ERROR_KINDS = tuple(kind for kind in FINDING_KINDS if kind != "readability")
"""Personal data and urgent safeguarding findings, and an item in a language the crisis screen cannot read:
errors unless a site says otherwise, so that nothing of the kind is published until an editor has removed it or
accepted it (readability stays a note)."""


@dataclass(frozen=True)
class ScreeningSettings:
    """How strictly the editors' gate treats what it finds."""

    error_kinds: tuple[str, ...] = SAFE_ERROR_KINDS
    """Kinds of finding that count as errors: they fail the check and stop a build and a deploy until each is
    removed or an editor has accepted it. Every personal-data kind, crisis and language by default; a site may
    relax it."""
    max_grade: float = 9.0
    """Reading grade above which a story gets a gentle note suggesting plainer words."""


@dataclass(frozen=True)
class SearchSettings:
    """How the search index is split for a large archive."""

    part_size: int = 1000
    """Stories and updates in each part of the search index. A reader's first query reads the newest part
    alone, and Pagefind holds a part in memory while it indexes it (about a third of a megabyte an item)."""
    cache: bool = True
    """Keep each finished part in `.cache/narrative/search/` beside `mkdocs.yml`, so that a build indexes only
    the parts whose stories or updates changed since the last one (on a large archive, the newest part)."""


@dataclass(frozen=True)
class ServiceSettings:
    """The intake service (`narrative intake`) as the site knows it: where the share form posts, and how often
    one address may post it."""

    url: str | None = None
    """The service's address, e.g. `https://share.example.org/`: the form on `share-your-story/` posts to
    `<url>share`. Without it the page lists the other ways to share and has no form."""
    rate_limit: int = 10
    """How many times one address may send the form in an hour; the service refuses more until the hour is up."""


@dataclass(frozen=True)
class LimitSettings:
    """How big a contributed file may be, so that no file can make the check or the build crash or hang."""

    max_file_size: int = 1_000_000
    """Bytes a contributed file may hold (a long story is 20,000). A bigger one is an error, screened but not
    read as a story."""
    max_line_length: int = 20_000
    """Characters one line may hold (a paragraph typed without line breaks is rarely 5,000)."""
    max_depth: int = 20
    """How deep lists and quotes may be nested in a body, e.g. `- - - a` is three deep; Markdown's reader
    gives up past a few hundred."""


@dataclass(frozen=True)
class Settings:
    """Everything the core needs to know about the site; defaults suit a new site."""

    organisation: str
    """The organisation's name as readers know it."""
    topics: tuple[Topic, ...]
    """The topics stories are filed under: `slug`, `label`, `description` each."""
    principles: tuple[Principle, ...]
    """The pledge's principles in order: `slug`, `name`, `commitment` each."""
    site_name: str = "Our stories"
    """From `mkdocs.yml`'s `site_name`."""
    site_url: str | None = None
    """From `mkdocs.yml`'s `site_url`; feeds and digests need absolute links."""
    language: str = "en"
    """From `mkdocs.yml`'s `theme.language`: the language feeds declare (RSS `<language>`, Atom `xml:lang`)."""
    root: Path = field(default=Path("."), compare=False)
    """The folder that holds `mkdocs.yml`; other paths are relative to it."""
    config_file: str = field(default=CONFIG_FILE, compare=False)
    """The settings file as the command was given it (`-f`), for messages that point at a setting."""
    stories_dir: str = "stories"
    """Folder of contributed files, with `patient/`, `pledge/`, `responses/` and `conversations/` inside."""
    docs_dir: str = "docs"
    """From `mkdocs.yml`'s `docs_dir`: the editors' own pages (home, about, privacy ...), screened too."""
    per_page: int = 20
    """Stories on each page of the story index and topic pages."""
    feed_items: int = 50
    """Entries in each feed, newest first."""
    timezone: str = "Europe/London"
    """Time zone of dates without one, and of daily and weekly digest boundaries."""
    aspiration: int | None = None
    """How many conversations the organisation aims to hold; shown on the impact page."""
    publish_future: bool = False
    """Publish items dated in the future at once. By default they wait for their day (a preview shows them),
    and the daily deploy publishes them then."""
    custom_domain: str | None = None
    """The domain GitHub Pages serves the site on, e.g. `stories.example.org`: `narrative deploy` writes it to
    `CNAME`. Leave it out when the site lives at `<owner>.github.io`. It must be `site_url`'s host."""
    digest: DigestSettings = DigestSettings()
    """Email digest settings (`extra.narrative.digest`)."""
    screening: ScreeningSettings = ScreeningSettings()
    """Screening settings (`extra.narrative.screening`)."""
    search: SearchSettings = SearchSettings()
    """Search index settings (`extra.narrative.search`)."""
    limits: LimitSettings = LimitSettings()
    """How big a contributed file may be (`extra.narrative.limits`)."""
    channels: tuple[Channel, ...] = CHANNELS
    """The ways conversations are held away from this site, each `{slug, label}`, for conversation records."""
    licence: LicenceSettings = LicenceSettings()
    """The licence of the impact figures published as open data (`extra.narrative.licence`)."""
    intake: ServiceSettings = ServiceSettings()
    """The share form's service (`extra.narrative.intake`)."""

    @property
    def stories_path(self) -> Path:
        return self.root / self.stories_dir

    @property
    def docs_path(self) -> Path:
        return self.root / self.docs_dir

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def topic_slugs(self) -> tuple[str, ...]:
        return tuple(topic.slug for topic in self.topics)

    @property
    def principle_slugs(self) -> tuple[str, ...]:
        return tuple(principle.slug for principle in self.principles)

    @property
    def channel_slugs(self) -> tuple[str, ...]:
        return tuple(channel.slug for channel in self.channels)

    def channel(self, slug: str) -> Channel:
        return next(channel for channel in self.channels if channel.slug == slug)

    def topic(self, slug: str) -> Topic:
        return next(topic for topic in self.topics if topic.slug == slug)

    def principle(self, slug: str) -> Principle:
        return next(principle for principle in self.principles if principle.slug == slug)


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SettingError("must be some text")
    return value.strip()


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _positive_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SettingError(f"must be a whole number of 1 or more, not {value!r}")
    return value


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise SettingError(f"must be true or false, not {value!r}")
    return value


def _prefix(value: Any) -> str:
    return "" if value is None else _text(value)


def _optional_positive_int(value: Any) -> int | None:
    return None if value is None else _positive_int(value)


def _grade(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise SettingError(f"must be a number above 0, not {value!r}")
    return float(value)


def _address(value: Any) -> str | None:
    """An absolute http(s) URL kept exactly as written, query included (e.g. an unsubscribe link)."""
    if value is None:
        return None
    if not isinstance(value, str) or not re.match(r"^https?://[^/\s]+\S*$", value):
        raise SettingError(f"must be an absolute http(s) URL such as 'https://stories.example.org/', not {value!r}")
    return value


def _url(value: Any) -> str | None:
    """An absolute http(s) URL of a folder, so it always ends in `/`."""
    url = _address(value)
    return url if url is None or url.endswith("/") else url + "/"


def _timezone(value: Any) -> str:
    try:
        name = _text(value)  # its own error on a non-text value is worded for text, not time zones
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder such as "Europe"
        raise SettingError(f"must be a time zone name such as 'Europe/London', not {value!r}") from None
    return name


def _kinds(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(kind, str) for kind in value):
        raise SettingError("must be a list of finding kinds, e.g. [nhs-number, email]")
    for kind in value:
        if kind not in FINDING_KINDS:
            raise SettingError(f"unknown finding kind '{kind}'{did_you_mean(kind, FINDING_KINDS)}; "
                               f"choose from {', '.join(FINDING_KINDS)}")
    return tuple(value)


def _domain(value: Any) -> str | None:
    if value is None:
        return None
    domain = value.strip().lower() if isinstance(value, str) else ""
    if not re.fullmatch(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}", domain):
        raise SettingError(f"must be a domain name such as 'stories.example.org' (no https:// and no path), "
                           f"not {value!r}")
    return domain


def _entries(value: Any, cls: type, keys: tuple[str, ...], forbidden: frozenset[str] = frozenset()) -> tuple:
    """A list of mappings with a slug and texts, such as topics, principles and channels."""
    if not isinstance(value, list) or not value:
        raise SettingError(f"must be a list with at least one entry, each with {', '.join(keys)}")
    entries, seen = [], set()
    for number, raw in enumerate(value, start=1):
        if not isinstance(raw, Mapping):
            raise SettingError(f"entry {number} must have {', '.join(keys)}")
        missing = [key for key in keys if not isinstance(raw.get(key), str) or not raw[key].strip()]
        if missing:
            raise SettingError(f"entry {number} has no {' or '.join(missing)}")
        unknown = sorted(set(raw) - set(keys))
        if unknown:
            raise SettingError(f"entry {number} has unknown key '{unknown[0]}'{did_you_mean(unknown[0], keys)}")
        slug = raw[keys[0]]
        if not SLUG.match(slug) or slug in forbidden:
            raise SettingError(f"entry {number}: slug {slug!r} must be lowercase letters, digits and hyphens"
                               + (f" and not {', '.join(sorted(forbidden))}" if forbidden else ""))
        if slug in seen:
            raise SettingError(f"slug {slug!r} appears twice")
        seen.add(slug)
        entries.append(cls(*(raw[key].strip() for key in keys)))
    return tuple(entries)


def _topics(value: Any) -> tuple[Topic, ...]:
    return _entries(value, Topic, ("slug", "label", "description"))


def _principles(value: Any) -> tuple[Principle, ...]:
    return _entries(value, Principle, ("slug", "name", "commitment"), RESERVED_PRINCIPLE_SLUGS)


def _channels(value: Any) -> tuple[Channel, ...]:
    return _entries(value, Channel, ("slug", "label"))


Parser = Callable[[Any], Any]

DIGEST_PARSERS: dict[str, Parser] = {
    "sender": _optional_text,
    "reply_to": _optional_text,
    "unsubscribe_url": _address,
    "subject_prefix": _prefix,
    "archive_days": _positive_int,
}
SCREENING_PARSERS: dict[str, Parser] = {"error_kinds": _kinds, "max_grade": _grade}
SEARCH_PARSERS: dict[str, Parser] = {"part_size": _positive_int, "cache": _flag}
INTAKE_PARSERS: dict[str, Parser] = {"url": _url, "rate_limit": _positive_int}
LIMIT_PARSERS: dict[str, Parser] = {"max_file_size": _positive_int, "max_line_length": _positive_int,
                                    "max_depth": _positive_int}
LICENCE_PARSERS: dict[str, Parser] = {"name": _text, "title": _text, "path": _address}
SETTING_PARSERS: dict[str, Parser] = {
    "organisation": _text,
    "topics": _topics,
    "principles": _principles,
    "stories_dir": _text,
    "per_page": _positive_int,
    "feed_items": _positive_int,
    "timezone": _timezone,
    "aspiration": _optional_positive_int,
    "publish_future": _flag,
    "custom_domain": _domain,
    "channels": _channels,
}
NESTED: dict[str, tuple[type, dict[str, Parser]]] = {
    "digest": (DigestSettings, DIGEST_PARSERS),
    "screening": (ScreeningSettings, SCREENING_PARSERS),
    "search": (SearchSettings, SEARCH_PARSERS),
    "intake": (ServiceSettings, INTAKE_PARSERS),
    "limits": (LimitSettings, LIMIT_PARSERS),
    "licence": (LicenceSettings, LICENCE_PARSERS),
}
REQUIRED = ("organisation", "topics", "principles")
PREFIX = "extra.narrative"


def _parse_table(raw: Mapping[str, Any], parsers: Mapping[str, Parser], prefix: str,
                 path: str, extra: tuple[str, ...] = ()) -> tuple[dict[str, Any], list[Problem]]:
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for key, value in raw.items():
        if key in extra:
            continue
        if key not in parsers:
            hint = did_you_mean(key, [*parsers, *extra])
            problems.append(Problem(path, None, f"{prefix}.{key}", f"unknown setting{hint}", "unknown-setting"))
            continue
        try:
            values[key] = parsers[key](value)
        except SettingError as error:
            problems.append(Problem(path, None, f"{prefix}.{key}", str(error), "bad-setting"))
    return values, problems


def from_mapping(config: Mapping[str, Any], root: Path = Path("."),
                 path: str = CONFIG_FILE) -> tuple[Settings | None, list[Problem]]:
    """Settings from a parsed `mkdocs.yml`, or None and every problem found in it."""
    extra = config.get("extra") or {}
    raw = extra.get("narrative") if isinstance(extra, Mapping) else None
    if not isinstance(raw, Mapping):
        return None, [Problem(path, None, PREFIX, "missing: add the organisation, topics and principles", "missing")]
    values, problems = _parse_table(raw, SETTING_PARSERS, PREFIX, path, extra=tuple(NESTED))
    for name, (cls, parsers) in NESTED.items():
        nested = raw.get(name) or {}
        if not isinstance(nested, Mapping):
            problems.append(Problem(path, None, f"{PREFIX}.{name}", "must be a set of settings", "bad-setting"))
            continue
        nested_values, nested_problems = _parse_table(nested, parsers, f"{PREFIX}.{name}", path)
        problems += nested_problems
        values[name] = cls(**nested_values)
    for name in REQUIRED:
        if name not in raw:
            problems.append(Problem(path, None, f"{PREFIX}.{name}", "missing: this setting is required", "missing"))
    try:
        values["site_url"] = _url(config.get("site_url"))
    except SettingError as error:
        problems.append(Problem(path, None, "site_url", str(error), "bad-setting"))
    folder = values.get("stories_dir")
    if folder is not None and not (root / folder).is_dir():
        problems.append(Problem(path, None, f"{PREFIX}.stories_dir", f"there is no folder '{folder}' next to "
                                f"{path}: give the folder that holds {', '.join(k.folder for k in Kind)}",
                                "bad-setting"))
    host = urlsplit(values.get("site_url") or "").hostname
    if values.get("custom_domain") and host and host != values["custom_domain"]:
        problems.append(Problem(path, None, f"{PREFIX}.custom_domain", f"is '{values['custom_domain']}' but "
                                f"site_url's host is '{host}': make them the same", "bad-setting"))
    if problems:
        return None, problems
    site_name, docs_dir = config.get("site_name"), config.get("docs_dir")
    return Settings(site_name=site_name if isinstance(site_name, str) else Settings.site_name,
                    docs_dir=docs_dir if isinstance(docs_dir, str) else Settings.docs_dir,
                    language=_language(config.get("theme")), root=root, config_file=path, **values), []


def _language(theme: Any) -> str:
    """`theme.language` (`en` when it is not set), as MkDocs and Material read it."""
    language = theme.get("language") if isinstance(theme, Mapping) else None
    return language.strip() if isinstance(language, str) and language.strip() else Settings.language


class _ConfigLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Reads `mkdocs.yml` as MkDocs does for our purposes: `!ENV` resolved, Python tags left alone; with
    libyaml's parser where PyYAML has it (the file is read a few times a build, each 18 ms in Python)."""


def _env_tag(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    names = [loader.construct_scalar(node)] if isinstance(node, yaml.ScalarNode) else loader.construct_sequence(node)
    *variables, default = names if len(names) > 1 else (*names, None)
    return next((os.environ[name] for name in variables if name in os.environ), default)


_ConfigLoader.add_constructor("!ENV", _env_tag)
_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
_ConfigLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


def read_config(config_file: str | Path = CONFIG_FILE) -> tuple[Mapping[str, Any] | None, list[Problem]]:
    """`mkdocs.yml` on disk as a mapping; a missing or unreadable file is a problem, never an exception."""
    try:
        raw = yaml.load(Path(config_file).read_text(encoding="utf-8"), Loader=_ConfigLoader) or {}
    except FileNotFoundError:
        fix = f"run this in the folder with {CONFIG_FILE}" if str(config_file) == CONFIG_FILE else "no such file"
        return None, [Problem(str(config_file), None, None, f"not found: {fix}", "missing")]
    except OSError as error:
        return None, [Problem(str(config_file), None, None, f"cannot be read: {error.strerror}", "unreadable")]
    except (UnicodeDecodeError, yaml.YAMLError) as error:
        line = getattr(getattr(error, "problem_mark", None), "line", None)
        return None, [Problem(str(config_file), None if line is None else line + 1, None,
                              f"cannot be read: {getattr(error, 'problem', None) or error}", "unreadable")]
    if not isinstance(raw, Mapping):
        return None, [Problem(str(config_file), None, None, "must be a set of settings", "unreadable")]
    return raw, []


def load_settings(config_file: str | Path = CONFIG_FILE) -> tuple[Settings | None, list[Problem]]:
    """Settings from a `mkdocs.yml` on disk; a missing or unreadable file is a problem, never an exception."""
    raw, problems = read_config(config_file)
    if raw is None:
        return None, problems
    return from_mapping(raw, root=Path(config_file).parent, path=str(config_file))


HOOK_MODULE = "narrative.mkdocs_hooks"
"""What the file listed under `hooks:` imports: without it MkDocs builds a plain site, and fails in our templates."""


def hook_problems(config_file: str | Path = CONFIG_FILE) -> list[Problem]:
    """Whether `hooks:` lists a file that hands the build to narrative; a problem naming the fix if not."""
    raw, problems = read_config(config_file)
    if raw is None:
        return problems
    hooks = raw.get("hooks")
    root = Path(config_file).parent
    if isinstance(hooks, list) and any(isinstance(hook, str) and _imports_the_hooks(root / hook) for hook in hooks):
        return []
    return [Problem(str(config_file), None, "hooks", "must list the file that hands the build to narrative, "
                    "e.g. hooks: [hooks/narrative_hooks.py] (a file holding 'from narrative.mkdocs_hooks import *')",
                    "missing-hook")]


def _imports_the_hooks(path: Path) -> bool:
    try:
        return HOOK_MODULE in path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
