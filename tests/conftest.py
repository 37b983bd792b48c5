"""Shared fixtures: the sample site built once per run, and small sites built in temporary folders."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from narrative.build import read_site
from narrative.config import load_settings
from narrative.site import Site

REPO = Path(__file__).resolve().parents[1]
BUILD_ENV = {"NO_MKDOCS_2_WARNING": "1"}

pytest_plugins = ["tests.browser"]


def run_mkdocs(config_file: Path, site_dir: Path, *, preview: bool = False,
               strict: bool = True) -> subprocess.CompletedProcess[str]:
    """`mkdocs build` as a user runs it, in its own process."""
    env = {**os.environ, **BUILD_ENV}
    env.pop("NARRATIVE_PREVIEW", None)
    if preview:
        env["NARRATIVE_PREVIEW"] = "1"
    command = [sys.executable, "-m", "mkdocs", "build", "-f", str(config_file), "-d", str(site_dir)]
    return subprocess.run(command + (["--strict"] if strict else []), capture_output=True, text=True, env=env,
                          cwd=config_file.parent, check=False)


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's own sample site, built once for every test that reads it."""
    site_dir = tmp_path_factory.mktemp("sample") / "site"
    result = run_mkdocs(REPO / "mkdocs.yml", site_dir)
    assert result.returncode == 0, result.stderr
    return site_dir


@pytest.fixture(scope="session")
def sample_content() -> Site:
    """The repository's sample content as the core reads it (no drafts), to count what the built site shows."""
    settings, problems = load_settings(REPO / "mkdocs.yml")
    assert settings is not None, problems
    return read_site(settings)[0]


@dataclass
class Project:
    """A small site in a temporary folder: the sample's settings, theme and hook, with test content."""

    root: Path

    @property
    def config_file(self) -> Path:
        return self.root / "mkdocs.yml"

    def write(self, folder: str, slug: str, front: dict[str, object] | str, body: str = "Some words.\n") -> Path:
        path = self.root / "stories" / folder / f"{slug}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        header = front if isinstance(front, str) else yaml.safe_dump(front, sort_keys=False, allow_unicode=True)
        path.write_text(f"---\n{header}---\n{body}", encoding="utf-8")
        return path

    def story(self, slug: str, body: str = "It went well.\n", **fields: object) -> Path:
        front = {"title": slug.replace("-", " ").capitalize(), "date": "2026-03-01",
                 "summary": f"A story called {slug}.", "topics": ["mental-health"], "consent": True, **fields}
        return self.write("patient", slug, front, body)

    def update(self, slug: str, **fields: object) -> Path:
        front = {"title": slug.replace("-", " ").capitalize(), "date": "2026-04-01", "summary": "We did a thing.",
                 "principle": "deliver", "status": "done", **fields}
        return self.write("pledge", slug, front, "What we did.\n")

    def response(self, slug: str, story: str, **fields: object) -> Path:
        front = {"story": story, "date": "2026-03-05", "responder": "Sam Reed, Patient Experience Lead", **fields}
        return self.write("responses", slug, front, "Thank you for telling us.\n")

    def index_in_parts_of(self, size: int) -> None:
        """Set `search.part_size`, so that a handful of stories makes a search index of several parts."""
        text = self.config_file.read_text(encoding="utf-8")
        assert "    per_page: 20\n" in text
        self.config_file.write_text(text.replace("    per_page: 20\n", f"    per_page: 20\n    search:\n"
                                                                      f"      part_size: {size}\n"), encoding="utf-8")

    def build(self, preview: bool = False) -> tuple[subprocess.CompletedProcess[str], Path]:
        site_dir = self.root / "site"
        return run_mkdocs(self.config_file, site_dir, preview=preview), site_dir


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """An empty site with the sample's settings, pages and hook (the hook brings the theme)."""
    return new_project(tmp_path / "project")


def new_project(root: Path) -> Project:
    """An empty site at `root` (a folder not yet made), as the `project` fixture gives."""
    root.mkdir()
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "docs", root / "docs")
    (root / "hooks").symlink_to(REPO / "hooks", target_is_directory=True)
    for folder in ("patient", "pledge", "responses"):
        (root / "stories" / folder).mkdir(parents=True)
    shutil.copy(REPO / "stories" / "reviews.yml", root / "stories" / "reviews.yml")  # the pages' own addresses
    return Project(root)
