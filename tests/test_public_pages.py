"""What every reader gets in the HTML: cards for sharing, plain share links, an invitation to share a story,
a footer with the feeds and notices, a skip link, a helpful 404 page and an impact page drawn without script."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

import lxml.etree
import lxml.html
import pytest
from PIL import Image

from narrative.site import Site
from tests.conftest import Project

SITE_URL = "https://stories.hollowmere.example/"


@pytest.fixture(scope="module")
def site(sample_content: Site) -> Site:
    return sample_content


def page(site_dir: Path, url: str) -> lxml.html.HtmlElement:
    path = site_dir / url if url.endswith(".html") else site_dir / url / "index.html"
    return lxml.html.fromstring(path.read_text(encoding="utf-8"))


def meta(tree: lxml.html.HtmlElement) -> dict[str, str]:
    """The page's Open Graph and Twitter card meta, by property or name."""
    found = {}
    for element in tree.cssselect('meta[property^="og:"], meta[property^="article:"], meta[name^="twitter:"]'):
        found[element.get("property") or element.get("name")] = element.get("content")
    return found


def pages_of(site_dir: Path) -> list[str]:
    """Every page a reader can open (not the email files kept beside the digest archive)."""
    return sorted([str(path.parent.relative_to(site_dir)) + "/" for path in site_dir.rglob("index.html")]
                  + ["404.html"])


def target(site_dir: Path, page_url: str, href: str) -> Path:
    """The file a link on the page at `page_url` leads to in the built site."""
    path = urlsplit(urljoin(f"http://site/{page_url.removeprefix('./')}", href)).path.lstrip("/")
    return site_dir / (path + "index.html" if path.endswith("/") or not path else path)


def test_a_story_card_is_the_story_with_its_first_picture(sample_site: Path, site: Site) -> None:
    story = site.story("hospital-garden-bench")
    assert story is not None and story.images
    card = meta(page(sample_site, story.url))
    assert card == {
        "og:site_name": "Hollowmere stories (sample)",
        "og:locale": "en_GB",
        "og:type": "article",
        "og:title": story.title,
        "og:description": story.summary,
        "og:url": SITE_URL + story.url,
        "article:published_time": story.published.isoformat(),
        "twitter:card": "summary_large_image",
        "twitter:title": story.title,
        "twitter:description": story.summary,
        "og:image": SITE_URL + story.images[0].url,
        "og:image:alt": story.images[0].alt,
        "twitter:image": SITE_URL + story.images[0].url,
        "twitter:image:alt": story.images[0].alt,
    }
    assert (sample_site / story.images[0].url).is_file()


def test_a_story_without_a_picture_gets_the_default_card(sample_site: Path, site: Site) -> None:
    story = site.story("phone-queue-at-eight")
    assert story is not None and not story.images
    card = meta(page(sample_site, story.url))
    assert card["og:image"] == card["twitter:image"] == SITE_URL + "assets/narrative-card.png"
    assert (card["og:image:width"], card["og:image:height"]) == ("1200", "630")
    assert card["og:image:alt"] == "Hollowmere stories (sample): speech bubbles on a calm green background"
    with Image.open(sample_site / "assets/narrative-card.png") as picture:
        assert (picture.format, picture.size) == ("PNG", (1200, 630))


def test_an_update_card_is_the_update(sample_site: Path, site: Site) -> None:
    update = next(update for update in site.updates if update.slug == "quieter-waiting-rooms")
    card = meta(page(sample_site, update.url))
    assert (card["og:type"], card["og:title"], card["og:description"], card["og:url"]) == (
        "article", update.title, update.summary, SITE_URL + update.url)
    assert card["og:image"] == SITE_URL + "assets/narrative-card.png"


def test_other_pages_get_a_website_card(sample_site: Path) -> None:
    home = meta(page(sample_site, ""))
    assert (home["og:type"], home["og:title"], home["og:url"]) == ("website", "Hollowmere stories", SITE_URL)
    impact = meta(page(sample_site, "impact"))
    assert (impact["og:title"], impact["og:url"]) == ("Our impact", SITE_URL + "impact/")
    assert impact["og:description"].startswith("How many conversations we have had")


def test_card_meta_escapes_what_contributors_wrote(project: Project) -> None:
    title = 'Quotes " and <b>tags</b> & more'
    summary = '"><script>alert(1)</script> It\'s fine & <i>good</i>.'
    project.story("tricky", title=title, summary=summary)
    result, site_dir = project.build()
    assert result.returncode == 0, result.stderr
    tree = page(site_dir, "stories/tricky")
    card = meta(tree)
    assert (card["og:title"], card["twitter:title"]) == (title, title)
    assert (card["og:description"], card["twitter:description"]) == (summary, summary)
    assert not [script for script in tree.iter("script") if "alert" in (script.text or "")]
    assert len(tree.cssselect("head meta")) == len(tree.cssselect("meta"))


def test_share_links_are_plain_links_without_tracking(sample_site: Path, site: Site) -> None:
    story = site.story("phone-queue-at-eight")
    assert story is not None
    tree = page(sample_site, story.url)
    share = tree.cssselect(".nv-share")[0]
    address = SITE_URL + story.url
    links = [(a.text_content(), a.get("href"), a.get("rel")) for a in share.cssselect("a")]
    assert links == [
        ("Email", f"mailto:?subject={quote(story.title)}&body={quote(story.summary + chr(10) * 2 + address)}",
         "noopener noreferrer"),
        ("WhatsApp", f"https://wa.me/?text={quote(story.title + ' ' + address)}", "noopener noreferrer"),
        ("X (Twitter)", f"https://x.com/intent/tweet?text={quote(story.title)}&url={quote(address)}",
         "noopener noreferrer"),
        ("Facebook", f"https://www.facebook.com/sharer/sharer.php?u={quote(address)}", "noopener noreferrer"),
    ]
    button = share.cssselect("button")[0]
    assert (button.text_content(), button.get("type")) == ("Copy link", "button")
    assert button.get("hidden") is not None, "shown by script only, where the clipboard can be used"
    field = share.cssselect("input#nv-share-address")[0]
    assert field.get("value") == address and field.get("readonly") is not None
    assert share.cssselect('label[for="nv-share-address"]')[0].text_content() == "Link to this page"
    assert share.cssselect("#nv-share-status")[0].get("aria-live") == "polite"
    assert [script.get("src") for script in tree.cssselect("script[src*=narrative-share]")] == [
        "../../assets/narrative-share.js"]
    assert (sample_site / "assets/narrative-share.js").is_file()


def test_updates_have_share_links_too(sample_site: Path) -> None:
    share = page(sample_site, "pledge/updates/quieter-waiting-rooms").cssselect(".nv-share a")
    assert [a.text_content() for a in share] == ["Email", "WhatsApp", "X (Twitter)", "Facebook"]


def test_no_page_loads_anything_from_another_site(sample_site: Path) -> None:
    for url in pages_of(sample_site):
        tree = page(sample_site, url)
        loaded = [element.get("src") or element.get("href") for element in
                  tree.cssselect("script[src], img[src], iframe, link[rel=stylesheet], link[rel=preconnect]")]
        assert not [source for source in loaded if urlsplit(source or "").netloc], url


def test_every_page_invites_people_to_share_their_story(sample_site: Path) -> None:
    for url in pages_of(sample_site):
        tree = page(sample_site, url)
        invitations = [a.get("href") for a in tree.cssselect(".nv-cta a") if a.text_content() == "Share your story"]
        assert len(invitations) == 1, url
        assert target(sample_site, url, invitations[0]) == sample_site / "share-your-story/index.html", url


def test_every_page_starts_with_a_skip_link_to_its_content(sample_site: Path) -> None:
    for url in pages_of(sample_site):
        tree = page(sample_site, url)
        # Material's own skip link (.md-skip, only on pages with a table of contents) is hidden by our styles.
        first = tree.body.cssselect("a[href]:not(.md-skip), button, input:not([type=checkbox]), select, textarea")[0]
        assert (first.get("class"), first.get("href"), first.text_content()) == (
            "nv-skip", "#nv-main", "Skip to main content"), url
        assert len(tree.cssselect("#nv-main")) == 1, url


def test_footer_links_to_feeds_privacy_and_accessibility(sample_site: Path) -> None:
    footer = page(sample_site, "stories").cssselect("footer")[0]
    links = {a.text_content().strip(): a.get("href") for a in footer.cssselect("a")}
    wanted = {"Subscribe by email or feed": "subscribe/index.html", "RSS feed": "feeds/all.xml",
              "Atom feed": "feeds/all.atom", "JSON Feed": "feeds/all.json",
              "Privacy notice": "privacy/index.html", "Accessibility statement": "accessibility/index.html"}
    for text, path in wanted.items():
        assert target(sample_site, "stories/", links[text]) == sample_site / path
        assert (sample_site / path).is_file(), path
    assert "Sample content about a fictional organisation." in footer.text_content()


def test_the_404_page_helps_people_find_their_way(sample_site: Path) -> None:
    tree = page(sample_site, "404.html")
    assert tree.findtext(".//title") == "Page not found - Hollowmere stories (sample)"
    assert [h1.text_content() for h1 in tree.cssselect("h1")] == ["Sorry, we cannot find that page"]
    links = [(a.text_content(), a.get("href")) for a in tree.cssselect(".nv-next a")]
    assert links == [("Read people's stories", "/stories/"), ("Find stories by topic", "/topics/"),
                     ("See our pledge", "/pledge/"), ("See our impact", "/impact/"),
                     ("Share your story", "/share-your-story/"), ("Go to the home page", "/.")]
    for _, href in links:
        assert target(sample_site, "404.html", href).is_file(), href


def test_story_cards_show_title_date_summary_and_topic_chips(sample_site: Path, site: Site) -> None:
    newest = site.stories[0]
    for url, level in (("", "h3"), ("stories", "h2")):
        card = page(sample_site, url).cssselect(".nv-card")[0]
        title = card.cssselect(".nv-card__title")[0]
        assert (title.tag, title.text_content()) == (level, newest.title)
        assert card.cssselect("time")[0].get("datetime") == newest.published.strftime("%Y-%m-%d")
        assert card.cssselect(".nv-card__summary")[0].text_content() == newest.summary
        assert len(card.cssselect(".nv-chip")) == len(newest.topics)


def test_the_impact_page_is_in_the_navigation_and_draws_every_chart_without_script(sample_site: Path) -> None:
    home = page(sample_site, "")
    assert [a.get("href") for a in home.cssselect(".md-nav a") if a.text_content().strip() == "Our impact"] == [
        "impact/"]
    impact = page(sample_site, "impact")
    content = impact.cssselect("#nv-main")[0]
    assert not content.cssselect("script")
    sections = content.cssselect("section.nv-chart")
    assert [section.cssselect("h2")[0].text_content() for section in sections] == [
        "Conversations so far, against our aspiration", "Conversations by how they were held",
        "Conversations by topic", "Conversations by month", "Where we heard people",
        "Our responses and the changes they led to", "Pledge updates by principle and status"]
    for section in sections:
        drawing, numbers = section.cssselect("svg"), section.cssselect("table")
        assert len(drawing) == len(numbers) == 1
        assert drawing[0].get("role") == "img"
        for name in drawing[0].get("aria-labelledby").split():
            assert len(drawing[0].xpath(f".//*[@id='{name}']")) == 1
    words = " ".join(content.text_content().split())
    assert ("Each story published on this site counts as one more, unless it was told in a recorded conversation "
            "(it is counted there already) or is a translation of another story.") in words
    assert "Figures last updated on 27 November 2026." in words
    assert "Counts from 1 to 4 are shown as '<5'." in words


def test_the_impact_page_links_its_open_data(sample_site: Path) -> None:
    content = page(sample_site, "impact").cssselect("#nv-main")[0]
    section = content.cssselect("section.nv-open-data")[0]
    links = [a.get("href") for a in section.cssselect("a")]
    assert links[0] == "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
    assert links[1:] == ["data/datapackage.json", *(f"data/{name}.{extension}" for name in (
        "conversations-by-month", "conversations-by-topic", "conversations-by-channel", "conversations-by-place",
        "by-principle", "responses") for extension in ("csv", "json"))]
    assert all((sample_site / "impact" / link).is_file() for link in links[1:])
    assert section.cssselect("time")[0].get("datetime") == "2026-11-27"


def test_every_story_says_where_to_find_help_now_and_no_other_page_does(sample_site: Path, site: Site) -> None:
    stories = {story.url for story in site.stories}
    for url in pages_of(sample_site):
        helps = page(sample_site, url).cssselect(".nv-help-now")
        if url not in stories:
            assert helps == [], url
            continue
        [help_now] = helps
        assert " ".join(help_now.text_content().split()) == (
            "If you need help now: in an emergency call 999. For urgent medical help call NHS 111. To talk to "
            "someone at any time, call Samaritans free on 116 123.")
        assert [a.get("href") for a in help_now.cssselect("a")] == ["tel:999", "tel:111", "tel:116123"]


def test_headings_never_skip_a_level(sample_site: Path) -> None:
    """Each page's headings go down one level at a time in the content, as a screen reader's list shows them."""
    for url in pages_of(sample_site):
        content = page(sample_site, url).cssselect("#nv-main")[0]
        levels = [int(heading.tag[1]) for heading in content.iter("h1", "h2", "h3", "h4", "h5", "h6")]
        assert all(after <= before + 1 for before, after in zip([1, *levels], levels)), (url, levels)


def test_the_sitemap_leaves_out_withdrawn_stories(sample_site: Path, sample_content: Site) -> None:
    sitemap = lxml.etree.parse(str(sample_site / "sitemap.xml"))
    listed = {loc.text for loc in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    assert sample_content.withdrawn
    assert not {SITE_URL + story.url for story in sample_content.withdrawn} & listed
    assert {SITE_URL + story.url for story in sample_content.stories} <= listed
