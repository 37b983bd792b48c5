"""The editors' own pages under `docs/`: screened as stories are, markup the build would take out reported as an
error at its line, and the built pages cleaned as contributions are."""

from __future__ import annotations

import time
from pathlib import Path

import lxml.html
import pytest

from narrative import build, report, sanitise
from narrative.cli import main
from tests.conftest import Project
from tests.content import settings_for

HOSTILE = """---
title: About us
---

# About us

<script>alert(1)</script>

Ring [us](javascript:alert(2)){: onclick="alert(3)" } any time.
"""


def docs_page(root: Path, name: str, text: str) -> Path:
    path = root / "docs" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_markup_the_build_would_take_out_is_an_error_at_its_line(tmp_path: Path) -> None:
    docs_page(tmp_path, "about.md", HOSTILE)
    _, problems = build.read_site(settings_for(tmp_path))
    assert [str(problem) for problem in problems] == [
        "docs/about.md:7: <script>: the site takes it out of the published page; remove it, or say it in Markdown",
        "docs/about.md:9: a 'javascript:' link: the site takes it out of the published page; remove it, or say it "
        "in Markdown",
        "docs/about.md:9: the attribute 'onclick' on <a>: the site takes it out of the published page; remove it, or "
        "say it in Markdown"]


def test_markup_an_editor_may_use_is_not_reported(tmp_path: Path) -> None:
    docs_page(tmp_path, "index.md", '---\ntitle: Home\n---\n\n!!! note "Sample"\n    Made up.\n\n'
                                    "We are the <abbr title=\"Integrated Care Board\">ICB</abbr>.<br>\n\n"
                                    "[Share](share.md){ .md-button }\n\n![A bench](bench.png)\n\n<!-- a note -->\n")
    _, problems = build.read_site(settings_for(tmp_path))
    assert problems == []


def test_editor_pages_are_screened_and_reported_like_stories(tmp_path: Path) -> None:
    docs_page(tmp_path, "privacy.md", "---\ntitle: Call 07700 900123\n---\n\nWrite to jane.doe&#64;example.com.\n\n"
                                      "Some days I want to d<i></i>ie.\n")
    docs_page(tmp_path, "help/contact.md", "No front matter: ring 020 7946 0018.\n")
    site, _ = build.read_site(settings_for(tmp_path))
    screening = build.screen_site(site)
    assert [(finding.path, finding.line, finding.field, finding.kind, finding.text)
            for finding in screening.findings] == [
        ("docs/help/contact.md", 1, None, "phone", "020 794* ****"),
        ("docs/privacy.md", 2, "title", "phone", "07700 9*****"),
        ("docs/privacy.md", 5, None, "email", "j***@example.com"),
        ("docs/privacy.md", 7, None, "crisis", "want to die")]
    text = report.markdown([], screening, 2)
    assert "### docs/privacy.md" in text
    assert "- Line 7: words about suicide: “want to die”" in text


def test_an_editor_page_is_checked_on_its_own(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings_for(tmp_path)
    page = docs_page(tmp_path, "about.md", HOSTILE)
    assert main(["-f", str(tmp_path / "mkdocs.yml"), "check", str(page)]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[0] == ("docs/about.md:7: <script>: the site takes it out of the published page; "
                                   "remove it, or say it in Markdown")


def test_the_page_cleaner_keeps_what_markdown_makes() -> None:
    html = ('<div class="admonition note"><p class="admonition-title">Note</p></div><h1 id="about">About</h1>'
            '<p><a class="md-button" href="../share/">Share</a> <img alt="A bench" src="bench.png"></p>')
    assert sanitise.clean_page(html) == html
    assert sanitise.clean_page('<p onclick="x">Hi<script>alert(1)</script><!-- note --></p>') == "<p>Hi</p>"
    assert list(sanitise.removed(html)) == []


def test_a_built_editor_page_is_cleaned(project: Project) -> None:
    docs_page(project.root, "about.md", '---\ntitle: About\n---\n\n# About\n\n!!! note "Sample"\n    Made up.\n\n'
                                        "We are the <abbr title=\"Integrated Care Board\">ICB</abbr>.\n\n"
                                        "<!-- not yet: the new opening hours -->\n")
    result, site_dir = project.build()
    assert result.returncode == 0, result.stderr
    html = (site_dir / "about" / "index.html").read_text(encoding="utf-8")
    article = lxml.html.fromstring(html).cssselect("article")[0]
    assert [element.get("class") for element in article.cssselect(".admonition")] == ["admonition note"]
    assert [abbr.get("title") for abbr in article.cssselect("abbr")] == ["Integrated Care Board"]
    assert "opening hours" not in html


def test_an_editor_accepts_a_finding_in_a_page_as_in_a_story(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    settings_for(tmp_path)
    page = docs_page(tmp_path, "privacy.md", "---\ntitle: Privacy\nreviewed: [email]\n---\n\n"
                                             "Write to our *data* officer: dpo@hollowmere.example\n")
    config = str(tmp_path / "mkdocs.yml")
    assert main(["-f", config, "check", str(page)]) == 1
    assert capsys.readouterr().out == (
        "docs/privacy.md:6: email address 'd***@hollowmere.example': remove it, or once checked an editor accepts it "
        "with 'narrative review docs/privacy.md --accept email'\n")
    assert main(["-f", config, "review", str(page), "--accept", "email"]) == 0
    assert main(["-f", config, "check", str(page)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "No problems in 1 file. 1 finding accepted by an editor: '--format markdown' lists them.")
    page.write_text(page.read_text(encoding="utf-8").replace("dpo@", "jane.doe@"), encoding="utf-8")
    assert main(["-f", config, "check", str(page)]) == 1  # the review lapses with the words it was made on


def test_a_page_that_links_outside_the_site_is_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text("Jane Doe, 943 476 5919\n", encoding="utf-8")
    settings = settings_for(tmp_path / "site")
    (settings.root / "docs").mkdir()
    (settings.root / "docs" / "notes.md").symlink_to(secret)
    site, problems = build.read_site(settings)
    assert [str(problem) for problem in problems] == [
        "docs/notes.md:1: is a link to a file outside the site's folder, so it is not read: put the file itself "
        "here, or remove the link"]
    assert build.screen_site(site).findings == ()


def test_a_page_markdown_would_take_minutes_over_is_an_error_in_seconds(tmp_path: Path) -> None:
    docs_page(tmp_path, "about.md", "---\ntitle: About\n---\n\nHello.\n\n" + "[a](" * 200_000 + "\n")
    settings = settings_for(tmp_path, limits={"max_line_length": 2_000_000})
    started = time.process_time()
    site, problems = build.read_site(settings)
    build.screen_site(site)
    assert time.process_time() - started < 10
    assert [str(problem) for problem in problems] == [
        "docs/about.md:7: too many '[' or '(' without their ']' or ')' from this paragraph on: close each one, or "
        "write '\\[' for a bracket that is only text"]
