"""Feeds of what the site publishes: RSS 2.0, Atom 1.0 and JSON Feed 1.1, all made from one list of entries.

The only module that imports feedgen. JSON Feed is written with `json` from the same `Entry` values, as feedgen
has none. Every entry is built once per item however many feeds carry it, and each feed holds at most
`feed_items` entries, so the cost does not grow with the size of the archive.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem

from narrative.config import Settings
from narrative.model import PledgeUpdate, Story
from narrative.presentation import long_date
from narrative.render import body_html
from narrative.sanitise import clean
from narrative.site import Site, group

Published = Story | PledgeUpdate

FORMATS: dict[str, tuple[str, str]] = {
    "xml": ("RSS 2.0", "application/rss+xml"),
    "atom": ("Atom 1.0", "application/atom+xml"),
    "json": ("JSON Feed 1.1", "application/feed+json"),
}
"""Each feed's file extension, the format's name and its media type (for `<link rel="alternate">`)."""
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
PODCAST_CATEGORY = {"cat": "Society & Culture", "sub": "Personal Journals"}

_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """`text` without the characters XML 1.0 cannot carry (control characters, lone surrogates, U+FFFE/F);
    everything else, right-to-left text, emoji and every script, is kept as it is."""
    return _NOT_XML.sub("", text)


@dataclass(frozen=True)
class Category:
    term: str
    label: str
    scheme: str


@dataclass(frozen=True)
class Enclosure:
    """A recording attached to an entry: what podcast apps download."""

    url: str
    mime_type: str
    length: int


@dataclass(frozen=True)
class Entry:
    """One item as every feed format carries it: absolute links, XML-safe text, times in the site's zone."""

    id: str
    title: str
    link: str
    summary: str
    content_html: str
    published: dt.datetime
    updated: dt.datetime
    author: str
    categories: tuple[Category, ...] = ()
    enclosure: Enclosure | None = None
    language: str | None = None
    """The BCP 47 tag of an item in a language other than the feed's (`Settings.language`, which the feed says
    once): Atom's `xml:lang`, RSS's `dc:language`, JSON Feed's `language`."""


class AtomEnclosure(BaseEntryExtension):  # type: ignore[misc]
    """An Atom entry's `<link rel="enclosure">`. feedgen 1.0 drops `rel`, `type` and `length` from the links it
    writes into Atom entries, which would make a recording a second "alternate" page, so this adds it."""

    def __init__(self) -> None:
        self.enclosure: Enclosure | None = None

    def extend_atom(self, entry: Any) -> Any:
        if self.enclosure:
            xml_elem("link", entry, href=self.enclosure.url, rel="enclosure", type=self.enclosure.mime_type,
                     length=str(self.enclosure.length))
        return entry


class AtomLanguage(BaseEntryExtension):  # type: ignore[misc]
    """An Atom entry's `xml:lang`, for an item in a language of its own: feedgen sets it on a feed alone."""

    def __init__(self) -> None:
        self.language: str | None = None

    def extend_atom(self, entry: Any) -> Any:
        if self.language:
            entry.set("{http://www.w3.org/XML/1998/namespace}lang", self.language)
        return entry


@dataclass(frozen=True)
class Channel:
    """One feed: where it lives (without extension), its short name and its title in a reader, what it
    carries, the page it follows, its group on the subscribe page and its items, newest first."""

    path: str
    name: str
    title: str
    description: str
    home: str
    group: str
    items: tuple[Published, ...]

    def file(self, extension: str) -> str:
        return f"{self.path}.{extension}"

    @property
    def files(self) -> list[tuple[str, str, str]]:
        """Each format's file (under the site root), media type and name, for links to the feed."""
        return [(self.file(extension), media_type, name) for extension, (name, media_type) in FORMATS.items()]


def entry_id(site_url: str, item: Published) -> str:
    """A permanent id from the site's address, the item's kind and its slug only: editing the title, date or
    text of an item never changes it, so readers do not show an edited story as new."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{site_url}{item.kind.folder}/{item.slug}')}"


def _responses_html(site: Site, story: Story) -> str:
    parts = []
    for response in site.responses_to(story.slug):
        change = f" ({response.change.label})" if response.change else ""
        when = long_date(response.published.astimezone(site.settings.zone))
        parts.append(f"<h3>{html.escape(response.responder)}, {when}{change}</h3>" + body_html(response))
    return "<h2>Responses</h2>" + "".join(parts) if parts else ""


def _story_html(site: Site, story: Story) -> str:
    note = f"<p><strong>Content note:</strong> {html.escape(story.content_note)}</p>" if story.content_note else ""
    recording = ""
    if story.recording:
        recording = (f'<p><a href="{site.settings.site_url}{story.recording.url}">{story.recording.link_text}'
                     '</a></p>')
    return note + body_html(story) + recording + _responses_html(site, story)


def _update_html(site: Site, update: PledgeUpdate) -> str:
    cited = site.cited_stories(update)
    if not cited:
        return body_html(update)
    links = "".join(f'<li><a href="{site.settings.site_url}{story.url}">{html.escape(story.title)}</a></li>'
                    for story in cited)
    return body_html(update) + f"<p>Prompted by these stories:</p><ul>{links}</ul>"


def _latest(moments: Iterable[dt.datetime | None]) -> dt.datetime:
    return max(moment for moment in moments if moment is not None)


EXCERPT = 20_000
"""Characters of HTML an entry carries, about 3,000 words: a longer story is cut there, at a line or a space,
with a link to the whole of it. Every feed repeats an entry, so one body of 20 MB made 173 MB of feeds."""


def excerpt(content: str, link: str, kind: str) -> str:
    """`content` whole, or its first `EXCERPT` characters ended at a line or a space and followed by a link to
    the whole item; `clean()` then closes whatever the cut left open."""
    if len(content) <= EXCERPT:
        return content
    cut = max(content.rfind("\n", 0, EXCERPT), content.rfind(" ", 0, EXCERPT))
    kept = content[:cut if cut > EXCERPT // 2 else EXCERPT]
    return f'{kept}…<p><a href="{html.escape(link)}">Read the whole {kind} on the website</a></p>'


def make_entry(site: Site, item: Published) -> Entry:
    """The feed entry for one public item; a story's responses are part of its content and its update time."""
    settings = site.settings
    base = site_url(settings)
    zone = settings.zone
    link = base + item.url
    if isinstance(item, Story):
        content = _story_html(site, item)
        author = item.display_author
        changed = [item.updated, *(r.updated or r.published for r in site.responses_to(item.slug))]
        categories = [Category(slug, settings.topic(slug).label, f"{base}topics/") for slug in item.topics]
        recording = item.recording
        enclosure = Enclosure(base + recording.url, recording.mime_type, recording.length) if recording else None
    else:
        content = _update_html(site, item)
        author = settings.organisation
        changed = [item.updated]
        principle = settings.principle(item.principle)
        categories = [Category(principle.slug, principle.name, f"{base}pledge/"),
                      *(Category(slug, settings.topic(slug).label, f"{base}topics/") for slug in item.topics)]
        enclosure = None
    return Entry(
        id=entry_id(base, item),
        title=xml_text(item.title),
        link=link,
        summary=xml_text(item.summary),
        content_html=xml_text(clean(excerpt(content, link, "story" if isinstance(item, Story) else "update"),
                                    base_url=link)),
        published=item.published.astimezone(zone),
        updated=_latest([item.published, *changed]).astimezone(zone),
        author=xml_text(author),
        categories=tuple(Category(c.term, xml_text(c.label), c.scheme) for c in categories),
        enclosure=enclosure,
        language=None if item.lang == site.settings.language else item.lang,
    )


def site_url(settings: Settings) -> str:
    """The site's absolute address, which every feed link is made from."""
    if not settings.site_url:
        raise ValueError(f"site_url: missing: feeds and digests need the site's address in {settings.config_file}, "
                         "e.g. site_url: https://stories.example.org/")
    return settings.site_url


def channels(site: Site) -> list[Channel]:
    """Every feed the site offers, site-wide first, then one per topic and one per principle."""
    settings = site.settings
    on_topic = group((topic, item) for item in site.published_items for topic in item.topics)
    name = settings.site_name
    found = [
        Channel("feeds/all", "Everything", name,
                f"Everything {settings.organisation} publishes here: stories and pledge updates.",
                "", "site", site.published_items),
        Channel("feeds/stories", "Stories", f"{name}: stories",
                "People's experiences of local health services, in their own words. Recorded stories come with "
                "their audio or video, so this feed works in a podcast app.", "stories/", "site", site.stories),
        Channel("feeds/pledge", "Pledge updates", f"{name}: pledge updates",
                "Progress on every principle of the pledge: what we said we would do and what we did.",
                "pledge/", "site", site.updates),
    ]
    found += [Channel(f"feeds/topics/{topic.slug}", topic.label, f"{name}: {topic.label}",
                      f"Stories and pledge updates filed under {topic.label}. {topic.description}",
                      f"topics/{topic.slug}/", "topic", on_topic.get(topic.slug, ()))
              for topic in settings.topics]
    found += [Channel(f"feeds/pledge/{principle.slug}", principle.name, f"{name}: {principle.name}",
                      f"Pledge updates on the principle {principle.name}. {principle.commitment}",
                      f"pledge/{principle.slug}/", "principle", site.updates_for(principle.slug))
              for principle in settings.principles]
    return found


def _feed_updated(entries: Sequence[Entry], site: Site) -> dt.datetime:
    """The newest change in the feed; an empty feed takes the site's newest item, so rebuilds are identical."""
    if entries:
        return max(entry.updated for entry in entries)
    newest = site.published_items[:1]
    moment = newest[0].updated or newest[0].published if newest else dt.datetime.now(dt.timezone.utc)
    return moment.astimezone(site.settings.zone)


def _generator(channel: Channel, entries: Sequence[Entry], site: Site, extension: str) -> FeedGenerator:
    """A feedgen feed of `entries`; `extension` is the format it will be written in, for its `self` link."""
    settings = site.settings
    base = site_url(settings)
    feed = FeedGenerator()
    feed.load_extension("podcast")
    feed.load_extension("dc", atom=False, rss=True)
    feed.register_extension("atom_enclosure", BaseExtension, AtomEnclosure, atom=True, rss=False)
    feed.register_extension("atom_language", BaseExtension, AtomLanguage, atom=True, rss=False)
    feed.id(base + channel.file("atom"))
    feed.title(xml_text(channel.title))
    feed.description(xml_text(channel.description))
    feed.author({"name": xml_text(settings.organisation)})
    feed.link(href=base + channel.file(extension), rel="self", type=FORMATS[extension][1])
    feed.link(href=base + channel.home, rel="alternate")  # last: feedgen makes RSS's <link> of the last link
    feed.generator("narrative")
    feed.language(settings.language)
    updated = _feed_updated(entries, site)
    feed.updated(updated)
    feed.lastBuildDate(updated)
    feed.podcast.itunes_author(xml_text(settings.organisation))
    feed.podcast.itunes_summary(xml_text(channel.description))
    feed.podcast.itunes_explicit("no")
    feed.podcast.itunes_category(PODCAST_CATEGORY)
    for entry in entries:
        item = feed.add_entry(order="append")
        item.id(entry.id)
        item.title(entry.title)
        item.link(href=entry.link, rel="alternate")
        item.summary(entry.summary)
        item.content(entry.content_html, type="html")
        item.published(entry.published)
        item.updated(entry.updated)
        item.author({"name": entry.author})
        item.dc.dc_creator(entry.author)
        item.podcast.itunes_author(entry.author)
        item.podcast.itunes_summary(entry.summary)
        for category in entry.categories:
            item.category(term=category.term, label=category.label, scheme=category.scheme)
        if entry.language and extension == "atom":
            item.atom_language.language = entry.language
        elif entry.language:
            item.dc.dc_language(entry.language)
        if entry.enclosure and extension == "atom":
            item.atom_enclosure.enclosure = entry.enclosure
        elif entry.enclosure:
            item.enclosure(entry.enclosure.url, str(entry.enclosure.length), entry.enclosure.mime_type)
    return feed


def _atom(channel: Channel, entries: Sequence[Entry], site: Site) -> bytes:
    return _generator(channel, entries, site, "atom").atom_str(pretty=True)


def _rss(channel: Channel, entries: Sequence[Entry], site: Site) -> bytes:
    return _generator(channel, entries, site, "xml").rss_str(pretty=True)


def _json(channel: Channel, entries: Sequence[Entry], site: Site) -> bytes:
    base = site_url(site.settings)
    feed = {
        "version": JSON_FEED_VERSION,
        "title": xml_text(channel.title),
        "home_page_url": base + channel.home,
        "feed_url": base + channel.file("json"),
        "description": xml_text(channel.description),
        "language": site.settings.language,
        "authors": [{"name": xml_text(site.settings.organisation)}],
        "items": [_json_item(entry) for entry in entries],
    }
    return (json.dumps(feed, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _json_item(entry: Entry) -> dict[str, object]:
    item: dict[str, object] = {
        "id": entry.id,
        "url": entry.link,
        "title": entry.title,
        "summary": entry.summary,
        "content_html": entry.content_html,
        "date_published": entry.published.isoformat(),
        "date_modified": entry.updated.isoformat(),
        "authors": [{"name": entry.author}],
        "tags": [category.label for category in entry.categories],
    }
    if entry.language:
        item["language"] = entry.language
    if entry.enclosure:
        item["attachments"] = [{"url": entry.enclosure.url, "mime_type": entry.enclosure.mime_type,
                                "size_in_bytes": entry.enclosure.length}]
    return item


WRITERS: Mapping[str, Callable[[Channel, Sequence[Entry], Site], bytes]] = {"xml": _rss, "atom": _atom, "json": _json}


def shown(site: Site) -> list[tuple[Channel, list[Entry]]]:
    """Every feed with the entries it shows: newest first, at most `feed_items` of them. Drafts (outside
    preview) and withdrawn stories are not among the site's public items, so in no feed."""
    limit = site.settings.feed_items
    entries: dict[tuple[type, str], Entry] = {}

    def entry(item: Published) -> Entry:
        key = (type(item), item.slug)
        if key not in entries:
            entries[key] = make_entry(site, item)
        return entries[key]

    return [(channel, [entry(item) for item in channel.items[:limit]]) for channel in channels(site)]


def feed_files(channel: Channel, entries: Sequence[Entry], site: Site) -> dict[str, bytes]:
    """One feed's files, in every format, by their path under the site root."""
    return {channel.file(extension): write(channel, entries, site) for extension, write in WRITERS.items()}


def paths(channel: Channel) -> list[str]:
    """Where `feed_files` writes a feed's files."""
    return [channel.file(extension) for extension in WRITERS]


def made_from(channel: Channel, entries: Sequence[Entry], site: Site) -> tuple[object, ...] | None:
    """What `feed_files` reads beyond the code and the settings, for a key of a feed's files: the feed without its
    items, the entries it shows and, for a feed with none, the site's newest item, whose time it takes; None when
    the site has no item, as the feed then takes the time of the build."""
    newest = () if entries else site.published_items[:1]
    if not (entries or newest):
        return None
    return replace(channel, items=()), tuple(entries), tuple(newest)


def render(site: Site) -> dict[str, bytes]:
    """Every feed file, by its path under the site root."""
    return {path: data for channel, entries in shown(site)
            for path, data in feed_files(channel, entries, site).items()}
