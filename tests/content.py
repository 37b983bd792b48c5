"""Small content trees for unit tests: a `mkdocs.yml` with `extra.narrative` settings and contributed files.

Writes plain files only (no theme, no hook), so tests that read settings and content stay fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import markdown
import yaml

from narrative import build
from narrative.config import Settings, load_settings
from narrative.screen import Screening

MARKDOWN_GUARDS_NESTING = tuple(markdown.__version_info__[:3]) >= (3, 11, 4)
"""Python-Markdown 3.11.4 and later stop nesting lists short of Python's recursion limit and show the deeper
markers as text; before, a body nested too deeply raised RecursionError part way through."""
TOPICS = [
    {"slug": "mental-health", "label": "Mental health", "description": "Talking therapies and crisis care."},
    {"slug": "primary-care", "label": "Primary care", "description": "GP practices and pharmacies."},
    {"slug": "carers", "label": "Carers", "description": "People who look after someone."},
]
PRINCIPLES = [
    {"slug": "listen", "name": "Listen", "commitment": "We will listen properly."},
    {"slug": "deliver", "name": "Deliver", "commitment": "We will act on what we hear."},
]


def narrative_settings(**overrides: Any) -> dict[str, Any]:
    """`extra.narrative` as a mapping: a small valid set, with any key replaced (None removes it)."""
    raw: dict[str, Any] = {"organisation": "Sample ICB", "topics": TOPICS, "principles": PRINCIPLES,
                           "timezone": "Europe/London"}
    raw.update(overrides)
    return {key: value for key, value in raw.items() if value is not None}


def config(**overrides: Any) -> dict[str, Any]:
    """A whole parsed `mkdocs.yml`."""
    return {"site_name": "Sample stories", "site_url": "https://stories.example.org/",
            "extra": {"narrative": narrative_settings(**overrides)}}


def write_site(root: Path, text: str | None = None, **overrides: Any) -> Path:
    """A site folder with `mkdocs.yml` (the given text, or the valid settings) and empty content folders."""
    root.mkdir(parents=True, exist_ok=True)
    config_file = root / "mkdocs.yml"
    config_file.write_text(text if text is not None else yaml.safe_dump(config(**overrides), sort_keys=False),
                           encoding="utf-8")
    for folder in ("patient", "pledge", "responses"):
        (root / "stories" / folder).mkdir(parents=True, exist_ok=True)
    return config_file


def settings_for(root: Path, **overrides: Any) -> Settings:
    """The settings of a freshly written site at `root`."""
    settings, problems = load_settings(write_site(root, **overrides))
    assert settings is not None, problems
    return settings


def write_file(root: Path, folder: str, name: str, front: dict[str, Any] | str | None,
               body: str = "Some words.\n") -> Path:
    """`stories/<folder>/<name>.md`: front matter from a mapping (dumped as YAML) or exact text."""
    path = root / "stories" / folder / f"{name}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    if front is None:
        text = body
    else:
        header = front if isinstance(front, str) else yaml.safe_dump(front, sort_keys=False, allow_unicode=True)
        text = f"---\n{header}---\n{body}"
    path.write_text(text, encoding="utf-8")
    return path


def story_fields(slug: str, **fields: Any) -> dict[str, Any]:
    """A valid story's front matter; pass a field as None to leave it out."""
    front = {"title": slug.replace("-", " ").capitalize(), "date": "2026-03-01", "summary": f"A story about {slug}.",
             "topics": ["mental-health"], "consent": True, **fields}
    return {key: value for key, value in front.items() if value is not None}


def story(root: Path, slug: str, body: str = "It went well.\n", **fields: Any) -> Path:
    return write_file(root, "patient", slug, story_fields(slug, **fields), body)


def update(root: Path, slug: str, body: str = "What we did.\n", **fields: Any) -> Path:
    front = {"title": slug.replace("-", " ").capitalize(), "date": "2026-04-01", "summary": "We changed a thing.",
             "principle": "deliver", "status": "done", **fields}
    return write_file(root, "pledge", slug, {key: value for key, value in front.items() if value is not None}, body)


def response(root: Path, slug: str, story: str, body: str = "Thank you for telling us.\n", **fields: Any) -> Path:
    front = {"story": story, "date": "2026-03-05", "responder": "Sam Reed, Patient Experience Lead", **fields}
    return write_file(root, "responses", slug, {key: value for key, value in front.items() if value is not None},
                      body)


def conversation(root: Path, slug: str, body: str = "", **fields: Any) -> Path:
    """A valid conversation record, with any field replaced (None leaves it out)."""
    front = {"date": "2026-03-02", "channel": "listening-booth", "place": "Eastbrook Library", "people": 12,
             "conversations": {"carers": 6, "mental-health": 4}, "principle": "listen", **fields}
    return write_file(root, "conversations", slug, {key: value for key, value in front.items() if value is not None},
                      body)


def screened(root: Path, **screening: object) -> Screening:
    """The full screen of the content under `root`, with these `screening` settings; the content must be valid."""
    site, problems = build.read_site(settings_for(root, screening=screening or None))
    assert problems == []
    return build.screen_site(site)
