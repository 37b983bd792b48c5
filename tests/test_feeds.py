"""Feeds: every feed parses in feedparser, every Atom feed is valid against RFC 4287's schema, every JSON Feed
has its required fields, and what contributors write reaches readers intact, however hostile."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import feedparser
import lxml.etree
import lxml.html
import pytest
import yaml

from narrative import build, feeds
from narrative.config import Settings, load_settings
from narrative.model import Consent, Source, Story
from narrative.problems import Problem
from narrative.site import Site
from tests import content
from tests.conftest import Project, run_mkdocs

SITE = "https://stories.example.org/"
ATOM_SCHEMA = lxml.etree.RelaxNG(lxml.etree.parse(str(Path(__file__).parent / "fixtures" / "atom.rng")))
FORMATS = ("xml", "atom", "json")
HOSTILE_TITLES = [
    "Closing ]]> a CDATA section and <script>alert('x')</script> & more",
    "میری کہانی: ہسپتال میں ایک رات",
    "আমার গল্প: হাসপাতালে এক রাত",
    "Right-to-left override \u202ewon't flip\u202c and Hebrew שלום",
    "Emoji 🏥❤️‍🩹 and a zero-width joiner",
]


def read(root: Path, **settings: Any) -> Site:
    site, problems = build.read_site(content.settings_for(root, **settings))
    assert problems == []
    return site


def parsed(data: bytes) -> Any:
    """A feed as a reader's parser sees it; the parser must not have had to recover from anything."""
    result = feedparser.parse(data)
    assert not result.bozo, result.get("bozo_exception")
    return result


def valid_atom(data: bytes) -> None:
    document = lxml.etree.fromstring(data)
    assert ATOM_SCHEMA.validate(document), ATOM_SCHEMA.error_log


def valid_json_feed(data: bytes) -> dict[str, Any]:
    """JSON Feed 1.1's required fields, with dates as RFC 3339 with a time zone."""
    feed = json.loads(data)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(feed["title"], str) and feed["title"]
    assert isinstance(feed["items"], list)
    for item in feed["items"]:
        assert isinstance(item["id"], str) and item["id"]
        assert isinstance(item.get("content_html") or item.get("content_text"), str)
        for name in ("date_published", "date_modified"):
            assert dt.datetime.fromisoformat(item[name]).tzinfo is not None
        for attachment in item.get("attachments", []):
            assert attachment["url"].startswith("https://") and "/" in attachment["mime_type"]
    return feed


def check_all(files: dict[str, bytes]) -> None:
    for path, data in files.items():
        if path.endswith(".json"):
            valid_json_feed(data)
        else:
            parsed(data)
        if path.endswith(".atom"):
            valid_atom(data)


def test_the_site_wide_stories_pledge_topic_and_principle_feeds_in_three_formats(tmp_path: Path) -> None:
    content.story(tmp_path, "ward-seven")
    files = feeds.render(read(tmp_path))
    assert sorted(files) == sorted(f"feeds/{name}.{extension}" for extension in FORMATS for name in (
        "all", "stories", "pledge", "topics/mental-health", "topics/primary-care", "topics/carers",
        "pledge/listen", "pledge/deliver"))
    check_all(files)


def test_the_schema_rejects_what_rfc_4287_forbids() -> None:
    """The schema can fail: an entry without an id is not valid Atom."""
    broken = (b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:x</id>'
              b'<updated>2026-03-01T00:00:00+00:00</updated><entry><title>e</title>'
              b'<updated>2026-03-01T00:00:00+00:00</updated><content>x</content></entry></feed>')
    assert not ATOM_SCHEMA.validate(lxml.etree.fromstring(broken))


def test_an_entry_carries_everything_a_reader_shows(tmp_path: Path) -> None:
    content.story(tmp_path, "ward-seven", author="Maureen", role="patient", date="2026-07-01",
                  topics=["mental-health", "carers"], summary="Nights on ward seven.",
                  content_note="Mentions a stay in hospital.",
                  body="The staff **listened**. See [the other story](../night-shift/) and [us](/about/).\n")
    content.story(tmp_path, "night-shift", date="2026-06-01", author=None)
    entries = {entry.link: entry for entry in parsed(feeds.render(read(tmp_path))["feeds/all.atom"]).entries}
    entry = entries[f"{SITE}stories/ward-seven/"]
    assert entry.title == "Ward seven"
    assert entry.summary == "Nights on ward seven."
    assert entry.author == "Maureen"
    assert [tag.label for tag in entry.tags] == ["Mental health", "Carers"]
    assert entry.published == "2026-07-01T00:00:00+01:00"
    assert entry.updated == "2026-07-01T00:00:00+01:00"
    html = entry.content[0].value
    assert html.startswith("<p><strong>Content note:</strong> Mentions a stay in hospital.</p>")
    assert "<strong>listened</strong>" in html
    assert f'href="{SITE}stories/night-shift/"' in html
    assert 'href="https://stories.example.org/about/"' in html
    assert entries[f"{SITE}stories/night-shift/"].author == "Anonymous"


def test_a_long_story_is_an_excerpt_with_a_link_to_the_whole_of_it(tmp_path: Path) -> None:
    paragraph = "We waited a long time on the ward, and the night staff came round with tea. " * 10
    content.story(tmp_path, "long-night", date="2026-07-01", body=f"{paragraph}\n\n" * 1000)
    content.story(tmp_path, "short-night", date="2026-06-01", body=f"{paragraph}\n")
    files = feeds.render(read(tmp_path))
    assert max(len(data) for data in files.values()) < 30 * feeds.EXCERPT
    entries = {entry.link: entry.content[0].value for entry in parsed(files["feeds/all.atom"]).entries}
    long_html, short_html = entries[f"{SITE}stories/long-night/"], entries[f"{SITE}stories/short-night/"]
    assert feeds.EXCERPT - 1000 < len(long_html) < feeds.EXCERPT + 200
    assert long_html.endswith(f'<p><a href="{SITE}stories/long-night/" rel="nofollow noopener noreferrer ugc">'
                              "Read the whole story on the website</a></p>")
    assert long_html.count("…") == 1
    assert lxml.html.fromstring(long_html) is not None and short_html == f"<p>{paragraph.strip()}</p>"


def test_rss_names_the_author_without_an_email_address(tmp_path: Path) -> None:
    content.story(tmp_path, "ward-seven", author="Maureen")
    rss = feeds.render(read(tmp_path))["feeds/stories.xml"]
    channel = lxml.etree.fromstring(rss).find("channel")
    item = channel.find("item")
    assert item.find("author") is None
    assert item.findtext("{http://purl.org/dc/elements/1.1/}creator") == "Maureen"
    assert item.findtext("pubDate") == "Sun, 01 Mar 2026 00:00:00 +0000"
    assert "@" not in rss.decode("utf-8")


def test_times_are_in_london_whatever_zone_a_story_was_dated_in(tmp_path: Path) -> None:
    content.story(tmp_path, "from-delhi", date="2026-07-01T09:30:00+05:30")
    content.story(tmp_path, "winter", date="2026-01-10T23:15:00")
    entries = parsed(feeds.render(read(tmp_path))["feeds/all.atom"]).entries
    assert [(entry.title, entry.published) for entry in entries] == [
        ("From delhi", "2026-07-01T05:00:00+01:00"), ("Winter", "2026-01-10T23:15:00+00:00")]


def test_responses_are_part_of_the_story_and_bring_its_update_time_forward(tmp_path: Path) -> None:
    content.story(tmp_path, "ward-seven", date="2026-03-01")
    content.response(tmp_path, "reply", "ward-seven", date="2026-03-05", change="made",
                     body="We have *changed* the rota.\n")
    entry = parsed(feeds.render(read(tmp_path))["feeds/stories.atom"]).entries[0]
    assert entry.published == "2026-03-01T00:00:00+00:00"
    assert entry.updated == "2026-03-05T00:00:00+00:00"
    assert ("<h2>Responses</h2><h3>Sam Reed, Patient Experience Lead, 5 March 2026 (Change made)</h3>"
            "<p>We have <em>changed</em> the rota.</p>") in entry.content[0].value


def test_an_update_links_the_stories_that_prompted_it(tmp_path: Path) -> None:
    content.story(tmp_path, "ward-seven")
    content.update(tmp_path, "quiet-nights", stories=["ward-seven"], topics=["carers"])
    files = feeds.render(read(tmp_path))
    entry = parsed(files["feeds/pledge/deliver.atom"]).entries[0]
    assert entry.link == f"{SITE}pledge/updates/quiet-nights/"
    assert entry.author == "Sample ICB"
    assert [tag.label for tag in entry.tags] == ["Deliver", "Carers"]
    assert f'<li><a href="{SITE}stories/ward-seven/"' in entry.content[0].value
    assert [e.title for e in parsed(files["feeds/topics/carers.atom"]).entries] == ["Quiet nights"]


def test_ids_never_change_when_a_story_is_edited(tmp_path: Path) -> None:
    content.story(tmp_path, "ward-seven")
    before = parsed(feeds.render(read(tmp_path))["feeds/all.atom"]).entries[0].id
    content.story(tmp_path, "ward-seven", title="A new title", date="2026-02-11", summary="Edited.",
                  body="Rewritten.\n", topics=["carers"])
    after = parsed(feeds.render(read(tmp_path))["feeds/all.atom"]).entries[0]
    assert after.title == "A new title"
    assert after.id == before
    assert before.startswith("urn:uuid:")
    rss = parsed(feeds.render(read(tmp_path))["feeds/all.xml"]).entries[0]
    assert (rss.id, rss.guidislink) == (before, False)


def test_recorded_stories_are_podcast_episodes(tmp_path: Path) -> None:
    (tmp_path / "stories/patient/audio").mkdir(parents=True)
    (tmp_path / "stories/patient/audio/ward.mp3").write_bytes(b"ID3" + bytes(1234))
    content.story(tmp_path, "ward-seven", audio="audio/ward.mp3", author="Maureen")
    files = feeds.render(read(tmp_path))
    rss = parsed(files["feeds/stories.xml"])
    assert rss.namespaces["itunes"] == "http://www.itunes.com/dtds/podcast-1.0.dtd"
    item = lxml.etree.fromstring(files["feeds/stories.xml"]).find("channel/item")
    assert item.findtext("{http://www.itunes.com/dtds/podcast-1.0.dtd}author") == "Maureen"
    media = f"{SITE}media/patient/audio/ward.mp3"
    assert [(e.href, e.type, e.length) for e in rss.entries[0].enclosures] == [(media, "audio/mpeg", "1237")]
    atom = parsed(files["feeds/stories.atom"])
    assert [(e.href, e.type, e.length) for e in atom.entries[0].enclosures] == [(media, "audio/mpeg", "1237")]
    assert valid_json_feed(files["feeds/stories.json"])["items"][0]["attachments"] == [
        {"url": media, "mime_type": "audio/mpeg", "size_in_bytes": 1237}]


def test_newest_first_and_at_most_feed_items(tmp_path: Path) -> None:
    for day in (3, 1, 4, 2):
        content.story(tmp_path, f"day-{day}", date=f"2026-03-0{day}")
    files = feeds.render(read(tmp_path, feed_items=3))
    assert [e.title for e in parsed(files["feeds/all.xml"]).entries] == ["Day 4", "Day 3", "Day 2"]
    assert [e.title for e in parsed(files["feeds/stories.atom"]).entries] == ["Day 4", "Day 3", "Day 2"]
    assert [i["title"] for i in json.loads(files["feeds/topics/mental-health.json"])["items"]] == [
        "Day 4", "Day 3", "Day 2"]


def test_drafts_and_withdrawn_stories_are_in_no_feed(tmp_path: Path) -> None:
    content.story(tmp_path, "shown")
    content.story(tmp_path, "still-a-draft", status="draft")
    content.story(tmp_path, "taken-down", status="withdrawn")
    content.response(tmp_path, "reply-to-withdrawn", "taken-down")
    files = feeds.render(read(tmp_path))
    for data in files.values():
        text = data.decode("utf-8")
        assert "shown" in text or "pledge" in text
        assert "still-a-draft" not in text and "Still a draft" not in text
        assert "taken-down" not in text and "Taken down" not in text


def test_a_rebuild_writes_the_same_bytes(tmp_path: Path) -> None:
    content.story(tmp_path, "ward-seven", date="2026-03-01T10:00:00")
    content.update(tmp_path, "quiet-nights", stories=["ward-seven"])
    assert feeds.render(read(tmp_path)) == feeds.render(read(tmp_path))


def test_every_feed_says_the_sites_language(tmp_path: Path) -> None:
    settings = dataclasses.replace(content.settings_for(tmp_path), language="cy")
    files = feeds.render(build.read_site(settings)[0])
    assert parsed(files["feeds/all.xml"]).feed.language == "cy"
    assert lxml.etree.fromstring(files["feeds/all.atom"]).get("{http://www.w3.org/XML/1998/namespace}lang") == "cy"
    assert json.loads(files["feeds/all.json"])["language"] == "cy"


def test_an_empty_site_still_has_valid_feeds(tmp_path: Path) -> None:
    files = feeds.render(read(tmp_path))
    check_all(files)
    assert parsed(files["feeds/all.atom"]).entries == []


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_hostile_and_non_latin_text_from_files_stays_intact(tmp_path: Path, title: str) -> None:
    body = f"{title}\n\nControl characters \x0b\x1b[31m\x7f in the body, and ]]> again.\n"
    content.story(tmp_path, "hostile", title=title, summary=f"Summary: {title}", author=title[:80], body=body)
    files = feeds.render(read(tmp_path))
    check_all(files)
    for name in ("feeds/all.xml", "feeds/all.atom"):
        entry = parsed(files[name]).entries[0]
        assert entry.title == title
        assert entry.summary == f"Summary: {title}"
        assert "Control characters [31m\x7f in the body, and ]]&gt; again." in entry.content[0].value
    item = json.loads(files["feeds/all.json"])["items"][0]
    assert (item["title"], item["summary"], item["authors"]) == (title, f"Summary: {title}", [{"name": title[:80]}])


def test_characters_xml_cannot_carry_are_dropped_and_the_rest_kept(tmp_path: Path) -> None:
    """Text that reaches the model some other way than a checked file (control characters, a lone surrogate)
    still makes well-formed feeds: only the characters XML forbids are left out."""
    settings = content.settings_for(tmp_path)
    story = Story("bell", "Bell\x07 ring\x00s ]]> \ud800ok 🏥", dt.datetime(2026, 3, 1, tzinfo=settings.zone),
                  "A \x1bsummary\ufffe here", ("carers",), Consent(True), "Body\x0c text", Source("bell.md"),
                  author="Ann\x08e")
    files = feeds.render(Site.from_items([story], settings))
    check_all(files)
    entry = parsed(files["feeds/topics/carers.atom"]).entries[0]
    assert (entry.title, entry.summary, entry.author) == ("Bell rings ]]> ok 🏥", "A summary here", "Anne")
    assert entry.content[0].value == "<p>Body text</p>"
    assert json.loads(files["feeds/all.json"])["items"][0]["title"] == "Bell rings ]]> ok 🏥"


def test_a_missing_site_url_is_a_settings_problem(tmp_path: Path) -> None:
    raw = content.config()
    del raw["site_url"]
    content.write_site(tmp_path, yaml.safe_dump(raw))
    settings, problems = load_settings(tmp_path / "mkdocs.yml")
    assert settings is not None, problems
    assert Problem(str(tmp_path / "mkdocs.yml"), None, "site_url", "missing: feeds and digests link to the site, so they need its "
                   "address, e.g. site_url: https://stories.example.org/", "missing") in build.output_problems(settings)
    with pytest.raises(ValueError, match="^site_url: missing: feeds and digests need the site's address"):
        feeds.render(Site.from_items([], settings))


def test_a_build_without_site_url_stops_with_a_clear_error(project: Project) -> None:
    """The messages name the settings file MkDocs was given, whatever it is called."""
    raw = yaml.safe_load(project.config_file.read_text(encoding="utf-8"))
    del raw["site_url"]
    config_file = project.root / "preview.yml"
    config_file.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    result = run_mkdocs(config_file, project.root / "site")
    assert result.returncode == 1
    assert ("narrative: preview.yml has settings to fix:\n  preview.yml: site_url: missing: feeds and digests link "
            "to the site, so they need its address, e.g. site_url: https://stories.example.org/") in result.stderr
    assert "mkdocs.yml" not in result.stderr
    assert not (project.root / "site" / "feeds").exists()


# The sample site, built once by MkDocs: its feeds, their autodiscovery links and the subscribe page.

@pytest.fixture(scope="module")
def sample(sample_content: Site) -> tuple[Settings, Site]:
    return sample_content.settings, sample_content


def head_feeds(site_dir: Path, url: str) -> list[str]:
    tree = lxml.html.fromstring((site_dir / url / "index.html").read_bytes())
    return [link.get("href") for link in tree.cssselect('head link[rel="alternate"]')]


def expected_links(settings: Settings, *paths: str) -> list[str]:
    return [f"{settings.site_url}{path}.{extension}" for path in ("feeds/all", *paths) for extension in FORMATS]


def test_the_build_writes_every_feed_and_each_is_valid(sample_site: Path,
                                                       sample: tuple[Settings, Site]) -> None:
    files = {path.relative_to(sample_site).as_posix(): path.read_bytes()
             for path in (sample_site / "feeds").rglob("*") if path.is_file()}
    assert sorted(files) == sorted(feeds.render(sample[1]))
    check_all(files)
    assert len(parsed(files["feeds/all.xml"]).entries) == min(len(sample[1].published_items),
                                                               sample[0].feed_items)


def test_every_page_links_its_feeds_for_autodiscovery(sample_site: Path, sample: tuple[Settings, Site]) -> None:
    settings, site = sample
    story = next(story for story in site.stories if len(story.topics) > 1)
    update = site.updates[0]
    assert head_feeds(sample_site, "") == expected_links(settings)
    assert head_feeds(sample_site, "about") == expected_links(settings)
    assert head_feeds(sample_site, "stories") == expected_links(settings, "feeds/stories")
    assert head_feeds(sample_site, story.url) == expected_links(
        settings, "feeds/stories", *(f"feeds/topics/{topic}" for topic in story.topics))
    topic = settings.topics[0].slug
    assert head_feeds(sample_site, f"topics/{topic}") == expected_links(settings, f"feeds/topics/{topic}")
    principle = settings.principles[0].slug
    assert head_feeds(sample_site, f"pledge/{principle}") == expected_links(
        settings, "feeds/pledge", f"feeds/pledge/{principle}")
    assert head_feeds(sample_site, update.url) == expected_links(
        settings, "feeds/pledge", *(f"feeds/topics/{topic}" for topic in update.topics),
        f"feeds/pledge/{update.principle}")
    tree = lxml.html.fromstring((sample_site / "index.html").read_bytes())
    assert [(link.get("type"), link.get("title")) for link in tree.cssselect('head link[rel="alternate"]')] == [
        ("application/rss+xml", f"{settings.site_name} – RSS 2.0"),
        ("application/atom+xml", f"{settings.site_name} – Atom 1.0"),
        ("application/feed+json", f"{settings.site_name} – JSON Feed 1.1")]


def test_subscribe_page_lists_every_feed(sample_site: Path, sample: tuple[Settings, Site]) -> None:
    page = sample_site / "subscribe/index.html"
    tree = lxml.html.fromstring(page.read_bytes())
    linked = {(page.parent / a.get("href")).resolve() for a in tree.cssselect("article a[type]")}
    assert linked == {path.resolve() for path in (sample_site / "feeds").rglob("*") if path.is_file()}
    text = " ".join(tree.text_content().split())
    for channel in feeds.channels(sample[1]):
        assert channel.name in text
    assert f"{sample[0].site_url}feeds/stories.xml" in text
    assert "podcast app" in text


def test_an_item_in_another_language_says_so_in_every_format(tmp_path: Path) -> None:
    """Only an item in a language other than the feed's says its own: the feed says the site's once."""
    content.story(tmp_path, "po-polsku", body="Dziękuję.\n", lang="pl")
    content.story(tmp_path, "in-english", date="2026-03-02")
    content.story(tmp_path, "said-english", date="2026-03-03", lang="en")
    files = feeds.render(read(tmp_path))
    rss = lxml.etree.fromstring(files["feeds/stories.xml"])
    assert {item.findtext("title"): item.findtext("{http://purl.org/dc/elements/1.1/}language")
            for item in rss.iter("item")} == {"Po polsku": "pl", "In english": None, "Said english": None}
    atom = lxml.etree.fromstring(files["feeds/stories.atom"])
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    assert {entry.findtext("{http://www.w3.org/2005/Atom}title"): entry.get(lang)
            for entry in atom.iter("{http://www.w3.org/2005/Atom}entry")} == {
        "Po polsku": "pl", "In english": None, "Said english": None}
    valid_atom(files["feeds/stories.atom"])
    assert {item["title"]: item.get("language") for item in valid_json_feed(files["feeds/stories.json"])["items"]} == {
        "Po polsku": "pl", "In english": None, "Said english": None}
