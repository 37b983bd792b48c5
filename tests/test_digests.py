"""Digests: which items each holds (calendar days and ISO weeks in London, across clock changes and week 53), the
archive the build keeps, and the `narrative digest` command."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path

import lxml.html
import pytest
import yaml

from narrative.cli import main
from narrative.config import Settings, from_mapping
from narrative.digests import (Answer, Digest, Period, answers_between, archive, date_range, for_date, kind_label,
                               span, week_of)
from narrative.model import Change, Consent, PledgeUpdate, Progress, Response, Source, Status, Story
from narrative.site import Site
from tests import content
from tests.conftest import Project

LONDON = zoneinfo.ZoneInfo("Europe/London")
UTC = dt.timezone.utc
DIGEST = {"sender": "Sample stories <stories@example.org>", "reply_to": "team@example.org",
          "unsubscribe_url": "https://example.org/unsubscribe", "subject_prefix": "[Sample]"}


def settings_with(**overrides: object) -> Settings:
    settings, problems = from_mapping(content.config(**{"digest": DIGEST, **overrides}))
    assert settings is not None, problems
    return settings


def story(slug: str, published: dt.datetime) -> Story:
    return Story(slug, slug.replace("-", " ").capitalize(), published, f"About {slug}.", ("carers",), Consent(True),
                 "Words.", Source(f"stories/patient/{slug}.md"))


def update(slug: str, published: dt.datetime) -> PledgeUpdate:
    return PledgeUpdate(slug, slug.capitalize(), published, "We did it.", "deliver", Progress.DONE, "Words.",
                        Source(f"stories/pledge/{slug}.md"))


def site_of(*items: Story | PledgeUpdate, **overrides: object) -> Site:
    return Site.from_items(items, settings_with(**overrides))


def slugs(found: list[Digest]) -> list[list[str]]:
    return [[item.slug for item in digest.items] for digest in found]


def test_a_day_in_london_across_the_spring_clock_change() -> None:
    """29 March 2026 is 23 hours long in London: 00:00 GMT to 00:00 BST the next day (23:00 UTC)."""
    site = site_of(
        story("late-on-the-28th", dt.datetime(2026, 3, 28, 23, 59, 59, tzinfo=UTC)),
        story("first-minute", dt.datetime(2026, 3, 29, 0, 0, tzinfo=LONDON)),
        story("after-the-change", dt.datetime(2026, 3, 29, 22, 59, 59, tzinfo=UTC)),
        story("utc-29th-but-london-30th", dt.datetime(2026, 3, 29, 23, 0, tzinfo=UTC)),
    )
    [day] = for_date(site, Period.DAILY, dt.date(2026, 3, 29))
    assert (day.key, day.url, day.first_day, day.last_day) == ("2026-03-29", "digests/daily/2026-03-29/",
                                                               dt.date(2026, 3, 29), dt.date(2026, 3, 29))
    assert slugs([day]) == [["after-the-change", "first-minute"]]
    assert slugs(for_date(site, Period.DAILY, dt.date(2026, 3, 30))) == [["utc-29th-but-london-30th"]]
    assert slugs(for_date(site, Period.DAILY, dt.date(2026, 3, 28))) == [["late-on-the-28th"]]


def test_a_day_in_london_across_the_autumn_clock_change() -> None:
    """25 October 2026 is 25 hours long: from 23:00 UTC on the 24th to 00:00 UTC on the 26th."""
    site = site_of(
        story("bst-midnight", dt.datetime(2026, 10, 24, 23, 0, tzinfo=UTC)),
        story("just-before", dt.datetime(2026, 10, 24, 22, 59, 59, tzinfo=UTC)),
        story("the-extra-hour", dt.datetime(2026, 10, 25, 1, 30, tzinfo=UTC)),
        story("last-second", dt.datetime(2026, 10, 25, 23, 59, 59, tzinfo=UTC)),
        story("next-day", dt.datetime(2026, 10, 26, 0, 0, tzinfo=UTC)),
    )
    assert slugs(for_date(site, Period.DAILY, dt.date(2026, 10, 25))) == [
        ["last-second", "the-extra-hour", "bst-midnight"]]


def test_iso_week_53_runs_monday_to_sunday_across_the_new_year() -> None:
    site = site_of(
        story("sunday-of-week-52", dt.datetime(2026, 12, 27, 23, 59, tzinfo=LONDON)),
        story("monday", dt.datetime(2026, 12, 28, 0, 0, tzinfo=LONDON)),
        update("new-year", dt.datetime(2027, 1, 1, 12, 0, tzinfo=LONDON)),
        story("last-minute", dt.datetime(2027, 1, 3, 23, 59, tzinfo=LONDON)),
        story("week-one", dt.datetime(2027, 1, 4, 0, 0, tzinfo=LONDON)),
    )
    [week] = for_date(site, Period.WEEKLY, dt.date(2027, 1, 2))
    assert (week.key, week.url, week.first_day, week.last_day) == (
        "2026-W53", "digests/weekly/2026-W53/", dt.date(2026, 12, 28), dt.date(2027, 1, 3))
    assert slugs([week]) == [["last-minute", "new-year", "monday"]]
    assert week.label == "Weekly digest: 28 December 2026 to 3 January 2027"
    assert for_date(site, Period.WEEKLY, dt.date(2026, 12, 28)) == [week]
    assert slugs(for_date(site, Period.WEEKLY, dt.date(2027, 1, 4))) == [["week-one"]]
    assert week_of(dt.date(2027, 1, 4))[0] == "2027-W01"


def test_a_weekly_digest_across_the_spring_clock_change_ends_at_london_midnight() -> None:
    site = site_of(story("sunday-night", dt.datetime(2026, 3, 29, 22, 59, tzinfo=UTC)),
                   story("monday-morning", dt.datetime(2026, 3, 29, 23, 0, tzinfo=UTC)))
    assert slugs(for_date(site, Period.WEEKLY, dt.date(2026, 3, 23))) == [["sunday-night"]]
    assert slugs(for_date(site, Period.WEEKLY, dt.date(2026, 3, 30))) == [["monday-morning"]]


def test_instant_digests_are_one_item_each() -> None:
    site = site_of(story("ward-seven", dt.datetime(2026, 3, 14, 9, tzinfo=LONDON)),
                   update("ward-seven", dt.datetime(2026, 3, 14, 10, tzinfo=LONDON)),
                   story("other-day", dt.datetime(2026, 3, 15, 9, tzinfo=LONDON)))
    found = for_date(site, Period.INSTANT, dt.date(2026, 3, 14))
    assert [(digest.url, digest.label) for digest in found] == [
        ("digests/instant/pledge/ward-seven/", "Instant digest: Ward-seven"),
        ("digests/instant/ward-seven/", "Instant digest: Ward seven")]
    assert slugs(found) == [["ward-seven"], ["ward-seven"]]


def test_a_period_with_nothing_new_has_no_digest() -> None:
    site = site_of(story("march", dt.datetime(2026, 3, 14, tzinfo=LONDON)))
    for period in Period:
        assert for_date(site, period, dt.date(2026, 4, 1)) == []


@pytest.mark.parametrize(("first", "last", "text"), [
    (dt.date(2026, 3, 9), dt.date(2026, 3, 15), "9 to 15 March 2026"),
    (dt.date(2026, 3, 30), dt.date(2026, 4, 5), "30 March to 5 April 2026"),
    (dt.date(2026, 12, 28), dt.date(2027, 1, 3), "28 December 2026 to 3 January 2027"),
])
def test_date_range(first: dt.date, last: dt.date, text: str) -> None:
    assert date_range(first, last) == text
    assert span(Period.WEEKLY, first) == (first, last)


def test_the_archive_keeps_archive_days_back_from_the_newest_item_and_whole_weeks() -> None:
    """Newest item on Wednesday 18 March: 2 archive days are the 17th and 18th, and their week (from Monday the
    16th) is kept whole; the week before is not kept at all."""
    site = site_of(*(story(f"day-{day}", dt.datetime(2026, 3, day, 12, tzinfo=LONDON)) for day in (18, 17, 16, 15, 9)),
                   digest={**DIGEST, "archive_days": 2})
    found = archive(site)
    assert [digest.url for digest in found] == [
        "digests/weekly/2026-W12/", "digests/daily/2026-03-18/", "digests/daily/2026-03-17/",
        "digests/instant/day-18/", "digests/instant/day-17/"]
    assert slugs(found[:1]) == [["day-18", "day-17", "day-16"]]


def test_the_archive_makes_instant_digests_for_the_newest_feed_items_only() -> None:
    site = site_of(*(story(f"day-{day}", dt.datetime(2026, 3, day, 12, tzinfo=LONDON)) for day in range(1, 11)),
                   feed_items=4)
    instants = [digest.key for digest in archive(site) if digest.period is Period.INSTANT]
    assert instants == ["day-10", "day-9", "day-8", "day-7"]
    assert len([digest for digest in archive(site) if digest.period is Period.DAILY]) == 10


def test_an_empty_site_has_no_archive() -> None:
    assert archive(site_of()) == []


# The command: `narrative digest --period instant|daily|weekly [--date D] [--out DIR]`.

def site_folder(root: Path, **overrides: object) -> Path:
    config = content.write_site(root, **{"digest": DIGEST, **overrides})
    content.story(root, "ward-seven", date="2026-03-14T09:00:00")
    content.update(root, "quiet-nights", date="2026-03-16T10:00:00")
    return config


def test_the_command_writes_a_daily_digest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = site_folder(tmp_path / "site")
    out = tmp_path / "out"
    assert main(["-f", str(config), "digest", "--period", "daily", "--date", "2026-03-14", "--out", str(out)]) == 0
    assert capsys.readouterr().out == (f"Wrote {out}/daily/2026-03-14: email.html, email.txt and email.eml "
                                       "(1 item published on 14 March 2026).\n")
    assert sorted(path.name for path in (out / "daily/2026-03-14").iterdir()) == [
        "email.eml", "email.html", "email.txt"]


def test_the_command_writes_a_weekly_and_instant_digests(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = site_folder(tmp_path / "site")
    out = tmp_path / "out"
    assert main(["-f", str(config), "digest", "--period", "weekly", "--date", "2026-03-10", "--out", str(out)]) == 0
    assert main(["-f", str(config), "digest", "--period", "instant", "--date", "2026-03-16", "--out", str(out)]) == 0
    assert capsys.readouterr().out == (
        f"Wrote {out}/weekly/2026-W11: email.html, email.txt and email.eml (1 item published from 9 to 15 March "
        "2026).\n"
        f"Wrote {out}/instant/pledge/quiet-nights: email.html, email.txt and email.eml (1 item published on "
        "16 March 2026).\n")
    assert {path.relative_to(out).as_posix() for path in out.rglob("*.eml")} == {
        "weekly/2026-W11/email.eml", "instant/pledge/quiet-nights/email.eml"}


def test_the_command_says_when_there_is_nothing_new(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = site_folder(tmp_path / "site")
    out = tmp_path / "out"
    assert main(["-f", str(config), "digest", "--period", "weekly", "--date", "2026-03-23", "--out", str(out)]) == 0
    assert capsys.readouterr().out == "Nothing was published from 23 to 29 March 2026: no weekly digest written.\n"
    assert main(["-f", str(config), "digest", "--period", "daily", "--date", "2026-03-15", "--out", str(out)]) == 0
    assert capsys.readouterr().out == "Nothing was published on 15 March 2026: no daily digest written.\n"
    assert not out.exists()


def test_the_command_names_every_missing_digest_setting(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = site_folder(tmp_path / "site", digest={"subject_prefix": "[Sample]"})
    out = tmp_path / "out"
    assert main(["-f", str(config), "digest", "--period", "daily", "--date", "2026-03-14", "--out", str(out)]) == 1
    assert capsys.readouterr().err == (  # the settings file as the command was given it
        f"{config}: extra.narrative.digest.sender: missing: email digests need it, e.g. sender: Our stories "
        "<stories@example.org>\n"
        f"{config}: extra.narrative.digest.reply_to: missing: email digests need it, e.g. reply_to: "
        "engagement@example.org\n"
        f"{config}: extra.narrative.digest.unsubscribe_url: missing: every digest must offer one-click "
        "unsubscribe, e.g. unsubscribe_url: https://example.org/unsubscribe\n"
        "narrative digest: no digest written; fix the problems above first.\n")
    assert not out.exists()


def test_an_email_that_cannot_be_made_safe_is_a_message_not_a_traceback(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = site_folder(tmp_path / "site")
    config.write_text(config.read_text(encoding="utf-8").replace("https://stories.example.org/",
                                                                 "https://störies.example.org/"), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["-f", str(config), "digest", "--period", "daily", "--date", "2026-03-14", "--out", str(out)]) == 1
    error = capsys.readouterr().err
    assert error.startswith("narrative digest: the Message-ID header would hold '<digest.daily.2026-03-14.")
    assert error.endswith("@störies.example.org>': it must be printable ASCII without spaces\n")


def test_the_command_refuses_content_with_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = site_folder(tmp_path / "site")
    content.story(tmp_path / "site", "broken", topics=["no-such-topic"])
    assert main(["-f", str(config), "digest", "--period", "daily", "--date", "2026-03-14",
                 "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "stories/patient/broken.md:" in err and "unknown topic 'no-such-topic'" in err
    assert err.endswith("narrative digest: no digest written; fix the problems above first.\n")


def test_the_command_refuses_personal_data_no_editor_accepted(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    config = site_folder(tmp_path / "site")
    content.story(tmp_path / "site", "numbers", date="2026-03-14T10:00:00", body="Ring me on 07700 900 123.\n")
    assert main(["-f", str(config), "digest", "--period", "daily", "--date", "2026-03-14",
                 "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("stories/patient/numbers.md:9: phone number '07700 9** ***': remove it")
    assert "900 123" not in err and not (tmp_path / "out").exists()


@pytest.mark.parametrize(("argv", "message"), [
    (["--period", "daily", "--date", "14/03/2026"],
     "argument --date: '14/03/2026' is not a date: write it as YYYY-MM-DD, like 2026-03-14"),
    (["--period", "monthly"], "argument --period: invalid choice: 'monthly' (choose from 'instant', 'daily', "
                              "'weekly')"),
    (["--date", "2026-03-14"], "the following arguments are required: --period"),
    (["--period", "weekly", "--date", "9999-12-31"],
     "argument --date: '9999-12-31' is in the year 9999: give a day from 2000 to 2099"),
])
def test_the_command_explains_wrong_usage(tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
                                          message: str) -> None:
    config = site_folder(tmp_path / "site")
    with pytest.raises(SystemExit) as exit:
        main(["-f", str(config), "digest", *argv])
    assert exit.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == f"narrative digest: error: {message}"


# The archive in the built sample site.

def test_the_build_writes_the_digest_archive(sample_site: Path, sample_content: Site) -> None:
    site = sample_content
    kept = archive(site)
    assert kept, "the sample site has digests"
    for digest in kept:
        folder = sample_site / digest.url
        assert sorted(path.name for path in folder.iterdir() if path.is_file()) == [
            "email.eml", "email.html", "email.txt", "index.html"]
        page = lxml.html.fromstring((folder / "index.html").read_bytes())
        assert " ".join(page.cssselect("article h1")[0].text_content().split()) == digest.label
        assert {a.get("href") for a in page.cssselect("article a")} >= {"email.html", "email.txt", "email.eml"}
    index = lxml.html.fromstring((sample_site / "digests/index.html").read_bytes())
    linked = {(sample_site / "digests" / a.get("href")).resolve() for a in index.cssselect("article li a")}
    assert linked == {(sample_site / digest.url).resolve() for digest in kept}
    written = {path.parent.relative_to(sample_site).as_posix() + "/" for path in sample_site.rglob("email.eml")}
    assert written == {digest.url for digest in kept}


def test_a_build_without_digest_settings_names_them(project: Project) -> None:
    raw = yaml.safe_load(project.config_file.read_text(encoding="utf-8"))
    del raw["extra"]["narrative"]["digest"]["sender"]
    project.config_file.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    result, _ = project.build()
    assert result.returncode == 1
    assert ("mkdocs.yml: extra.narrative.digest.sender: missing: email digests need it, e.g. sender: Our stories "
            "<stories@example.org>") in result.stderr


def test_archive_pages_escape_what_contributors_write(project: Project) -> None:
    title = "<script>alert('x')</script> ]]> میری کہانی"
    project.story("hostile", title=title, summary="<img src=x onerror=alert(1)> & more", date="2026-03-14")
    result, site_dir = project.build()
    assert result.returncode == 0, result.stderr
    for url in ("digests/", "digests/daily/2026-03-14/", "digests/weekly/2026-W11/", "digests/instant/hostile/"):
        html = (site_dir / url / "index.html").read_text(encoding="utf-8")
        assert "<script>alert" not in html and "<img src=x" not in html
        tree = lxml.html.fromstring(html)
        assert title in tree.cssselect("article")[0].text_content()
    email_html = (site_dir / "digests/instant/hostile/email.html").read_text(encoding="utf-8")
    assert "<script>alert" not in email_html and "&lt;script&gt;alert" in email_html


def test_responses_of_a_london_day_as_answers_to_public_stories_newest_first() -> None:
    def response(slug: str, story_slug: str, published: dt.datetime, change: Change | None = None) -> Response:
        return Response(slug, story_slug, published, "Sam Reed, Lead", "Thank you.",
                        Source(f"stories/responses/{slug}.md"), change)

    told = story("ward-seven", dt.datetime(2026, 3, 1, 9, tzinfo=UTC))
    hidden = Story("hidden", "Hidden", dt.datetime(2026, 3, 1, 9, tzinfo=UTC), "About it.", ("carers",),
                   Consent(True), "Words.", Source("stories/patient/hidden.md"), status=Status.DRAFT)
    site = site_of(told, hidden,
                   response("early", "ward-seven", dt.datetime(2026, 3, 14, 0, 30, tzinfo=LONDON)),
                   response("late", "ward-seven", dt.datetime(2026, 3, 14, 23, 30, tzinfo=UTC), Change.PLANNED),
                   response("next-day", "ward-seven", dt.datetime(2026, 3, 15, 0, 30, tzinfo=LONDON)),
                   response("to-a-draft", "hidden", dt.datetime(2026, 3, 14, 12, tzinfo=UTC)))
    found = answers_between(site, dt.date(2026, 3, 14), dt.date(2026, 3, 14))
    assert [answer.slug for answer in found] == ["late", "early"]
    late = found[0]
    assert isinstance(late, Answer) and kind_label(late) == "Response"
    assert (late.title, late.summary, late.url) == ("Our response to “Ward seven”",
                                                    "Sam Reed, Lead has answered this story. Change planned.",
                                                    "stories/ward-seven/#our-response")
