"""The pages the content makes: where each goes, its title, the template that draws it and what it shows.

Knows nothing of MkDocs: the hook hands these to MkDocs as virtual files, and the templates in
`theme/narrative/` draw them from `context`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from narrative import charts, feeds, impact, languages, open_data, suppression
from narrative.digests import Period, archive
from narrative.model import Story
from narrative.render import body
from narrative.site import Site


@dataclass(frozen=True)
class Page:
    """One generated page. `src_uri` is where it pretends to live in `docs/`; MkDocs derives the URL."""

    src_uri: str
    title: str
    template: str
    description: str = ""
    context: Mapping[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        """The page's address under the site root, as MkDocs makes it with directory URLs."""
        stem = self.src_uri.removesuffix(".md")
        return "" if stem == "index" else stem.removesuffix("/index") + "/"


@dataclass(frozen=True)
class Pagination:
    """Where a page of a long list sits among its siblings."""

    number: int
    count: int
    base: str

    def url(self, number: int) -> str:
        return self.base if number == 1 else f"{self.base}page/{number}/"

    @property
    def previous(self) -> str | None:
        return self.url(self.number - 1) if self.number > 1 else None

    @property
    def next(self) -> str | None:
        return self.url(self.number + 1) if self.number < self.count else None

    @property
    def numbers(self) -> tuple[int | None, ...]:
        """The pages to link: the first, the last and the two either side of this one, with None where pages are
        left out. Linking every page would make each page of a long list grow with the archive, and all of them
        together with its square (a quarter of a million links for 10,000 stories)."""
        near = range(max(1, self.number - 2), min(self.count, self.number + 2) + 1)
        shown = sorted({1, self.count, *near})
        numbers: list[int | None] = []
        for before, number in zip([0, *shown], shown):
            if number - before == 2:
                numbers.append(before + 1)
            elif number - before > 2:
                numbers.append(None)
            numbers.append(number)
        return tuple(numbers)


def _src(url: str) -> str:
    return f"{url}index.md" if url else "index.md"


def paginate(items: Sequence[Story], per_page: int, base: str, title: str, template: str,
             description: str, extra: Mapping[str, Any]) -> Iterator[Page]:
    """A long list as pages of `per_page`, the first at `base`, the rest at `base/page/N/`."""
    count = max(1, -(-len(items) // per_page))
    for number in range(1, count + 1):
        pagination = Pagination(number, count, base)
        shown = items[(number - 1) * per_page:number * per_page]
        page_title = title if number == 1 else f"{title} (page {number} of {count})"
        yield Page(_src(pagination.url(number)), page_title, template, description,
                   {**extra, "stories": shown, "pagination": pagination, "total": len(items)})


def story_pages(site: Site) -> Iterator[Page]:
    for story in site.stories:
        yield Page(_src(story.url), story.title, "narrative/story.html", story.summary, {
            "story": story,
            "body": body(story),
            "topics": [site.settings.topic(slug) for slug in story.topics],
            "responses": [(response, body(response)) for response in site.responses_to(story.slug)],
            "updates": site.updates_citing(story.slug),
            "intake_url": site.settings.intake.url,
            "versions": [(version, version.lang or languages.SITE_LANGUAGE) for version in site.versions(story)],
            "language_name": None if languages.is_site_language(story.lang) else languages.english_name(story.lang),
        })
    for story in site.withdrawn:
        yield Page(_src(story.url), "This story was withdrawn", "narrative/withdrawn.html",
                   "This story was withdrawn at the author's request.", {"withdrawn": True})


def list_pages(site: Site) -> Iterator[Page]:
    settings = site.settings
    yield from paginate(site.stories, settings.per_page, "stories/", "Stories", "narrative/stories.html",
                        f"Experiences of local health services, in people's own words: {len(site.stories)} so far.",
                        {})
    yield Page(_src("topics/"), "Topics", "narrative/topics.html", "Stories by topic.", {
        "topics": [(topic, len(site.stories_on(topic.slug))) for topic in settings.topics],
    })
    for topic in settings.topics:
        yield from paginate(site.stories_on(topic.slug), settings.per_page, f"topics/{topic.slug}/", topic.label,
                            "narrative/stories.html", topic.description, {"topic": topic})


def pledge_pages(site: Site) -> Iterator[Page]:
    principles = site.settings.principles
    yield Page(_src("pledge/"), "Our pledge", "narrative/pledge.html",
               "Our pledge on how we involve people, and the progress we have made against each principle.", {
                   "principles": [(principle, site.progress_counts(principle.slug)) for principle in principles],
                   "updates": site.updates,
               })
    for principle in principles:
        yield Page(_src(f"pledge/{principle.slug}/"), principle.name, "narrative/principle.html",
                   principle.commitment, {
                       "principle": principle,
                       "counts": site.progress_counts(principle.slug),
                       "updates": site.updates_for(principle.slug),
                   })
    for update in site.updates:
        yield Page(_src(update.url), update.title, "narrative/update.html", update.summary, {
            "update": update,
            "body": body(update),
            "principle": site.settings.principle(update.principle),
            "stories": site.cited_stories(update),
            "topics": [site.settings.topic(slug) for slug in update.topics],
        })


def subscribe_page(site: Site) -> Iterator[Page]:
    """Every feed with what it carries, and the email digests."""
    yield Page(_src("subscribe/"), "Subscribe", "narrative/subscribe.html",
               "Follow new stories and pledge updates in a feed reader, a podcast app or by email.", {
                   "channels": feeds.channels(site),
                   "formats": feeds.FORMATS,
                   "site_url": site.settings.site_url or "",
                   "contact": site.settings.digest.reply_to,
                   "intake_url": site.settings.intake.url,
                   "topics": site.settings.topics,
                   "principles": site.settings.principles,
               })


def your_story_page(site: Site) -> Iterator[Page]:
    """Where a writer looks up their story with its reference and private code: only when the site names its
    intake service, which answers."""
    if site.settings.intake.url:
        yield Page(_src("your-story/"), "Your story", "narrative/your-story.html",
                   "See what has happened to the story you shared with us, or take it back.",
                   {"intake_url": site.settings.intake.url})


DIGEST_FILES = (("email.html", "The email"), ("email.txt", "The email as plain text"),
                ("email.eml", "The email as a message file (.eml), to open in a mail program"))


def digest_pages(site: Site) -> Iterator[Page]:
    """The archive of email digests: an index, and a page for each digest with its email files beside it."""
    found = archive(site)
    yield Page(_src("digests/"), "Email digests", "narrative/digests.html",
               "Every email digest of new stories and pledge updates, as sent.", {
                   "periods": [(period, [d for d in found if d.period is period])
                               for period in (Period.WEEKLY, Period.DAILY, Period.INSTANT)],
                   "archive_days": site.settings.digest.archive_days,
               })
    for digest in found:
        yield Page(_src(digest.url), digest.label, "narrative/digest.html", digest.title, {
            "digest": digest,
            "files": DIGEST_FILES,
        })


def impact_pages(site: Site) -> Iterator[Page]:
    """The impact page: what the conversations add up to, counted and drawn once per build, and the links to
    the same figures as open data."""
    counted = impact.measure(site)
    yield Page(_src("impact/"), "Our impact", "narrative/impact.html",
               f"How many conversations we have had, what they were about, where we heard them and what "
               f"changed: {counted.conversations:,} conversations so far.", {
                   "impact": counted,
                   "figures": [charts.figure(chart) for chart in impact.charts(counted)],
                   "downloads": open_data.downloads(counted),
                   "package": open_data.FOLDER + open_data.PACKAGE,
                   "updated": open_data.last_updated(counted),
                   "updated_iso": counted.updated.date().isoformat() if counted.updated else None,
                   "rule": suppression.RULE,
                   "licence": site.settings.licence,
               })


def all_pages(site: Site) -> list[Page]:
    """Every generated page of the site, in a stable order."""
    return [*list_pages(site), *story_pages(site), *pledge_pages(site), *subscribe_page(site), *digest_pages(site),
            *impact_pages(site), *your_story_page(site)]
