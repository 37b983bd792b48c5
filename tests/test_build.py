"""The MkDocs build end to end: `mkdocs build --strict` on small sites made here and on the sample site."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import lxml.html
import pytest
from PIL import Image as PILImage

from narrative import build, search_index
from narrative.background import YIELDING, Background
from narrative.build import read_site, render_bodies
from narrative.build_cache import Drawn
from narrative.config import load_settings
from narrative.output import Written
from narrative.site import Site
from tests.conftest import REPO, Project


def page(site_dir: Path, url: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((site_dir / url / "index.html").read_text(encoding="utf-8"))


def texts(tree: lxml.html.HtmlElement, css: str) -> list[str]:
    return [" ".join(element.text_content().split()) for element in tree.cssselect(css)]


def built(project: Project, preview: bool = False) -> Path:
    result, site_dir = project.build(preview=preview)
    assert result.returncode == 0, result.stderr
    return site_dir


def test_story_page_shows_story_responses_and_updates(project: Project) -> None:
    (project.root / "stories/patient/images").mkdir()
    PILImage.new("RGB", (40, 20), "green").save(project.root / "stories/patient/images/bench.png")
    project.story("ward-seven-nights", author="Maureen", role="patient", location="Eastbrook Library",
                  topics=["mental-health", "carers"], content_note="Mentions a stay in hospital.",
                  images=[{"src": "images/bench.png", "alt": "A green bench"}],
                  body="The night staff **listened**.\n")
    project.response("first-reply", "ward-seven-nights", date="2026-03-02", change="planned")
    project.response("second-reply", "ward-seven-nights", date="2026-03-09", change="made")
    project.update("quiet-nights", stories=["ward-seven-nights"], status="in-progress")
    site_dir = built(project)

    story = page(site_dir, "stories/ward-seven-nights")
    assert texts(story, "h1") == ["Ward seven nights"]
    assert texts(story, ".nv-byline") == ["Shared by Maureen (patient) on 1 March 2026, Eastbrook Library"]
    assert [a.get("href") for a in story.cssselect(".nv-story__header .nv-chip")] == [
        "../../topics/mental-health/", "../../topics/carers/"]
    assert texts(story, ".nv-content-note") == ["Content note: Mentions a stay in hospital."]
    html = lxml.html.tostring(story, encoding="unicode")
    assert html.index("nv-content-note") < html.index("The night staff")
    assert [(img.get("src"), img.get("alt")) for img in story.cssselect(".nv-figure img")] == [
        ("../../media/patient/images/bench.png", "A green bench")]
    assert (site_dir / "media/patient/images/bench.png").is_file()
    assert texts(story, ".nv-story__body strong") == ["listened"]
    assert texts(story, ".nv-response .nv-status") == ["Change planned", "Change made"]
    assert texts(story, "#you-said-we-did") == ["You said, we did"]
    assert texts(story, ".nv-you-said .nv-update__title") == ["Quiet nights"]

    update = page(site_dir, "pledge/updates/quiet-nights")
    assert texts(update, ".nv-card__title") == ["Ward seven nights"]
    assert [a.get("href") for a in update.cssselect(".nv-card__title a")] == ["../../../stories/ward-seven-nights/"]


def test_story_without_author_is_anonymous(project: Project) -> None:
    project.story("no-name")
    story = page(built(project), "stories/no-name")
    assert texts(story, ".nv-byline") == ["Shared by Anonymous on 1 March 2026"]


def test_story_index_is_newest_first_twenty_a_page(project: Project) -> None:
    for day in range(1, 26):
        project.story(f"story-{day:02d}", date=f"2026-01-{day:02d}")
    site_dir = built(project)

    first, second = page(site_dir, "stories"), page(site_dir, "stories/page/2")
    assert texts(first, ".nv-card__title") == [f"Story {day:02d}" for day in range(25, 5, -1)]
    assert texts(second, ".nv-card__title") == [f"Story {day:02d}" for day in range(5, 0, -1)]
    assert texts(first, ".nv-count") == ["25 stories: page 1 of 2"]
    assert [a.get("href") for a in first.cssselect(".nv-pagination a[rel=next]")] == ["page/2/"]
    assert [a.get("href") for a in second.cssselect(".nv-pagination a[rel=prev]")] == ["../../"]
    assert not (site_dir / "stories/page/3").exists()


def test_topic_pages_list_their_stories(project: Project) -> None:
    project.story("about-carers", topics=["carers"])
    project.story("about-both", topics=["carers", "mental-health"], date="2026-03-02")
    site_dir = built(project)
    assert texts(page(site_dir, "topics/carers"), ".nv-card__title") == ["About both", "About carers"]
    assert texts(page(site_dir, "topics/mental-health"), ".nv-card__title") == ["About both"]
    assert texts(page(site_dir, "topics"), ".nv-topics li")[-1] == (
        "Carers People who look after a relative, partner or friend, and the help they get. (2 stories)")


def test_pledge_overview_counts_updates_by_status(project: Project) -> None:
    project.update("one", principle="deliver", status="done")
    project.update("two", principle="deliver", status="done")
    project.update("three", principle="deliver", status="planned")
    project.update("four", principle="listen", status="in-progress")
    site_dir = built(project)

    overview = page(site_dir, "pledge")
    progress = dict(zip(texts(overview, ".nv-principle h2"), texts(overview, ".nv-progress__text")))
    assert progress["Deliver"] == "2 done, 0 in progress, 1 planned (3 updates)"
    assert progress["Listen"] == "0 done, 1 in progress, 0 planned (1 update)"
    assert progress["Grow"] == "No updates yet."
    deliver = page(site_dir, "pledge/deliver")
    assert texts(deliver, ".nv-timeline .nv-update__title") == ["One", "Three", "Two"]
    widths = [span.get("style") for span in overview.cssselect(".nv-principle")[3].cssselect(".nv-progress__part")]
    assert widths == ["width: 67%", "width: 33%"]


def test_draft_appears_only_in_a_preview(project: Project) -> None:
    project.story("finished")
    project.story("unfinished", status="draft", date="2026-03-02")
    site_dir = built(project)
    assert not (site_dir / "stories/unfinished").exists()
    assert "Unfinished" not in (site_dir / "stories/index.html").read_text()

    assert not (site_dir / ".narrative-preview").exists()

    preview_dir = built(project, preview=True)
    assert texts(page(preview_dir, "stories"), ".nv-card__title") == ["Unfinished", "Finished"]
    assert (preview_dir / ".narrative-preview").is_file()
    assert not (built(project) / ".narrative-preview").exists()  # MkDocs' clean-up keeps hidden files


def test_withdrawn_story_leaves_only_a_notice(project: Project) -> None:
    (project.root / "stories/patient/images").mkdir()
    PILImage.new("RGB", (4, 4)).save(project.root / "stories/patient/images/private.png")
    project.story("taken-down", status="withdrawn", body="Words that must vanish.\n", topics=["carers"],
                  images=[{"src": "images/private.png", "alt": "Something private"}])
    project.story("still-here")
    project.response("reply-to-taken-down", "taken-down")
    project.update("cites-it", stories=["taken-down", "still-here"])
    site_dir = built(project)

    notice = page(site_dir, "stories/taken-down")
    assert texts(notice, "h1") == ["This story was withdrawn"]
    assert "withdrawn at the author's request" in notice.text_content()
    assert notice.cssselect('meta[name="robots"][content="noindex"]')
    everything = "".join(path.read_text(encoding="utf-8") for path in site_dir.rglob("*.html"))
    assert "Words that must vanish" not in everything
    assert "Taken down" not in everything
    assert not (site_dir / "media/patient/images/private.png").exists()
    assert texts(page(site_dir, "pledge/updates/cites-it"), ".nv-card__title") == ["Still here"]


def test_contributed_markup_cannot_run_script(project: Project) -> None:
    hostile_title = "<script>alert(1)</script> </title><b>x"
    project.story("hostile", title=hostile_title, summary='"><img src=x onerror=alert(2)>',
                  author="<i onmouseover=alert(3)>Eve</i>",
                  body="<script>alert(4)</script>\n\n[click](javascript:alert(5)) [d](data:text/html,hi)\n\n"
                       "<img src=x onerror=alert(6)> <a href=\"#\" onclick=\"alert(7)\">a</a> <b>kept</b>\n")
    site_dir = built(project)
    for path in site_dir.rglob("*.html"):
        tree = lxml.html.fromstring(path.read_text(encoding="utf-8"))
        assert not [s for s in tree.iter("script") if "alert" in (s.text or "")], path
        assert not [e for e in tree.iter() if any(name.startswith("on") for name in e.attrib)], path
        assert not [a for a in tree.iter("a") if re.match(r"\s*(javascript|data):", a.get("href", ""), re.I)], path
    story = page(site_dir, "stories/hostile")
    assert texts(story, "h1") == [hostile_title]
    assert story.findtext(".//title") == f"{hostile_title} - Hollowmere stories (sample)"
    body = story.cssselect(".nv-story__body")[0]
    assert not body.cssselect("img, script")
    assert [a.get("href") for a in body.cssselect("a")] == [None, None, "#"]
    assert texts(body, "b") == ["kept"]


def test_bad_content_fails_the_build_with_every_problem_and_no_traceback(project: Project) -> None:
    project.story("fine")
    project.story("typo", topics=["mental-heath"])
    project.response("orphan", "no-such-story")
    result, _ = project.build()
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "narrative: 2 problem(s) in the content; fix them and build again:" in result.stderr
    assert ("stories/patient/typo.md:5: topics: unknown topic 'mental-heath' (did you mean 'mental-health'?); "
            "choose from mental-health, children-and-families, primary-care, long-term-conditions, urgent-care, "
            "carers") in result.stderr
    assert "stories/responses/orphan.md:2: story: no story is called 'no-such-story'" in result.stderr


def test_personal_data_fails_a_build_and_a_preview_shows_it_in_a_banner(project: Project) -> None:
    project.story("numbers", summary="Call Jo on 07700 900 123.",
                  body="My NHS number is 943 476 5919.\n\nI wanted to end my life.\n")
    project.response("reply", "numbers", responder="Sam Reed, sam.reed@example.org")
    project.story("fine")
    result, _ = project.build()
    assert result.returncode == 1
    assert "narrative: 4 problem(s) in the content; fix them and build again:" in result.stderr
    assert ("  stories/patient/numbers.md:9: NHS number '943 *** ****': remove it, or once checked an editor "
            "accepts it with 'narrative review stories/patient/numbers.md --accept nhs-number'"
            in result.stderr.splitlines())

    preview_dir = built(project, preview=True)
    banner = page(preview_dir, "stories/numbers").cssselect(".nv-held")[0]
    assert texts(banner, ".nv-held__title, li") == [
        "Preview only: this page cannot be published yet.",
        "phone number: stories/patient/numbers.md, line 4 (summary)",
        "NHS number: stories/patient/numbers.md, line 9",
        "words about suicide: stories/patient/numbers.md, line 11",
        "email address: stories/responses/reply.md, line 4 (responder)"]
    shown = lxml.html.tostring(banner, encoding="unicode")
    assert not [secret for secret in ("900 123", "476 5919", "end my life", "sam.reed") if secret in shown]
    assert not page(preview_dir, "stories/fine").cssselect(".nv-held")


def test_items_dated_ahead_wait_for_their_day(project: Project) -> None:
    project.story("today")
    project.story("next-year", date=f"{dt.date.today().year + 1}-01-02")
    project.update("planned-ahead", date=f"{dt.date.today().year + 1}-01-03")
    result, site_dir = project.build()
    assert result.returncode == 0, result.stderr
    assert not (site_dir / "stories/next-year").exists()
    assert not (site_dir / "pledge/updates/planned-ahead").exists()
    assert "Next year" not in (site_dir / "feeds/all.xml").read_text(encoding="utf-8")
    assert (f"INFO    -  narrative: 2 items are dated in the future and left out until their day (the first on "
            f"2 January {dt.date.today().year + 1}); a preview shows them") in result.stderr.splitlines()
    preview_dir = built(project, preview=True)
    assert (preview_dir / "stories/next-year/index.html").is_file()

    config = project.config_file.read_text().replace("    per_page: 20", "    per_page: 20\n    publish_future: true")
    project.config_file.write_text(config)
    result, site_dir = project.build()
    assert (site_dir / "stories/next-year/index.html").is_file()
    assert "dated in the future" not in result.stderr


def test_wrong_setting_stops_the_build_with_one_clear_line(project: Project) -> None:
    config = project.config_file.read_text().replace("    per_page: 20", "    per_page: twenty")
    project.config_file.write_text(config)
    project.story("fine")
    result, _ = project.build()
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "  mkdocs.yml: extra.narrative.per_page: must be a whole number of 1 or more, not 'twenty'" in (
        result.stderr.splitlines())


def test_sample_site_has_every_page_its_content_calls_for(sample_site: Path) -> None:
    settings, problems = load_settings(REPO / "mkdocs.yml")
    assert settings is not None and not problems
    site, problems = read_site(settings)
    assert not [problem for problem in problems if problem.is_error]
    for story in site.stories:
        tree = page(sample_site, story.url)
        assert texts(tree, "h1") == [" ".join(story.title.split())]
        assert len(tree.cssselect(".nv-response")) == len(site.responses_to(story.slug))
    for story in site.all_stories:
        if not story.status.is_public():
            assert story.title not in (sample_site / "stories/index.html").read_text(encoding="utf-8")
    for update in site.updates:
        assert texts(page(sample_site, update.url), "h1") == [update.title]
    for topic in settings.topics:
        assert (sample_site / "topics" / topic.slug / "index.html").is_file()
    for principle in settings.principles:
        assert texts(page(sample_site, f"pledge/{principle.slug}"), "h1") == [principle.name]
    pages = -(-len(site.stories) // settings.per_page)
    assert (sample_site / f"stories/page/{pages}/index.html").is_file() if pages > 1 else True
    assert not (sample_site / f"stories/page/{pages + 1}").exists()


@pytest.mark.parametrize("url", ["", "about/", "share-your-story/", "privacy/", "accessibility/"])
def test_sample_editor_pages_are_built(sample_site: Path, url: str) -> None:
    assert (sample_site / url / "index.html").is_file()


def _target(site_dir: Path, page: Path, link: str) -> Path | None:
    """The file a link on `page` leads to in the built site, or None for a link that leaves the site."""
    if link.startswith(("#", "mailto:", "tel:", "javascript:", "data:")) or urlsplit(link).scheme not in ("", "file"):
        return None
    page_url = "file:///" + page.relative_to(site_dir).as_posix()
    path = unquote(urlsplit(urljoin(page_url, link)).path).lstrip("/")
    found = site_dir / path
    return found / "index.html" if link.endswith("/") or found.is_dir() else found


def _navigation(site_dir: Path, page: Path) -> tuple[set[Path], set[Path]]:
    """Which pages the links of a page's navigation (Material's primary sidebar) lead to, and which pages its
    current links do (a page's own headings, listed under it, are left out)."""
    tree = lxml.html.parse(str(page)).getroot()
    found = [(_target(site_dir, page, link.get("href")), "md-nav__link--active" in link.classes)
             for link in tree.cssselect(".md-nav--primary a[href]")]
    return {target for target, _ in found if target}, {target for target, current in found if target and current}


def test_the_navigation_leads_to_the_same_pages_from_every_folder(sample_site: Path) -> None:
    """On the pages we make, the navigation is drawn once for each folder and reused: from a page in any folder
    it leads where the home page's does, with nothing marked current, while a page in the navigation is."""
    home = sample_site / "index.html"
    wanted, _ = _navigation(sample_site, home)
    assert sample_site / "stories/index.html" in wanted and len(wanted) > 5
    folders = {page.parent.parent: page for page in sorted(sample_site.rglob("index.html")) if page != home}
    assert len(folders) > 8
    for page in folders.values():
        links, current = _navigation(sample_site, page)
        assert links == wanted, page
        assert current <= {page}, page
    assert _navigation(sample_site, sample_site / "stories/index.html")[1] == {sample_site / "stories/index.html"}
    assert _navigation(sample_site, sample_site / "stories/arthritis-and-the-bus/index.html")[1] == set()


def test_every_link_within_the_site_leads_to_a_file(sample_site: Path) -> None:
    """Each page's own links, and the header and footer drawn once for each depth of page and reused, lead
    somewhere at every depth (the 404 page's links start from the site's root, as it is served anywhere)."""
    broken = []
    pages = sorted(sample_site.rglob("*.html"))
    assert len(pages) > 100
    for page in pages:
        if page.name != "index.html" and page.name != "404.html":
            continue  # email bodies in the digest archive link to the site by full address
        tree = lxml.html.parse(str(page)).getroot()
        for element, attribute in ((tag, name) for tag in tree.iter() for name in ("href", "src")
                                   if isinstance(tag.tag, str) and tag.get(name)):
            link = element.get(attribute)
            target = _target(sample_site, page if page.name != "404.html" else sample_site / "index.html", link)
            if target is not None and not target.exists():
                broken.append(f"{page.relative_to(sample_site)}: {link}")
    assert broken == []


def test_a_body_nested_too_deep_stops_the_build_with_its_file_and_line_not_a_traceback(project: Project) -> None:
    project.story("deep", body="- " * 496 + "a\n")
    result, _ = project.build()
    assert result.returncode == 1
    assert ("stories/patient/deep.md:9: lists or quotes nested 496 deep: keep to 20 "
            "(extra.narrative.limits.max_depth)") in result.stderr
    assert "Traceback" not in result.stderr and "RecursionError" not in result.stderr


def test_pagefind_keeps_the_builds_priority_while_the_rest_beside_the_pages_yields(
        project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project.story("ward-seven-nights", body="The night staff listened.\n")
    settings, _ = load_settings(project.root / "mkdocs.yml")
    assert settings is not None
    site, _ = read_site(settings)
    render_bodies(site)
    ours, seen = os.nice(0), {}
    start, outputs = search_index.start, build.write_outputs

    def start_and_look(site: Site, out: Path) -> search_index.Indexing:
        indexing = start(site, out)
        assert indexing.process is not None  # not waited for yet, so it is there to ask even if it has finished
        seen["pagefind"] = os.getpriority(os.PRIO_PROCESS, indexing.process.pid)
        return indexing

    def look_and_write(site: Site, out: Path, before: Mapping[str, Drawn] | None = None) -> Written:
        seen["outputs"] = os.nice(0)
        return outputs(site, out, before)

    monkeypatch.setattr(search_index, "start", start_and_look)
    monkeypatch.setattr(build, "write_outputs", look_and_write)
    out = tmp_path / "site"
    out.mkdir()
    (problems, written), looked = Background(lambda: (build.write_beside_pages(site, out, yielding=True), seen)).result()
    assert problems == []
    assert "feeds/all.xml" in written.keys
    assert looked == {"pagefind": ours, "outputs": min(ours + YIELDING, 19)}  # 19 is the lowest priority there is
