"""The screen over whole files: findings at the right lines, accepted kinds left out, severity from settings."""

from __future__ import annotations

import json
import time
from pathlib import Path

from narrative import build, reviews
from narrative.config import from_mapping, load_settings
from narrative.problems import Severity
from narrative.screen.finding import Hit, distinct
from tests.conftest import REPO
from tests.content import config, conversation, response, screened, settings_for, story, update, write_file

FRONT = """title: Call me on 07700 900 123
date: 2026-03-14
summary: Jo's story. Write to jo.bloggs@example.org.
topics: [mental-health]
consent:
  given: true
  how: Spoken, and checked by phone on 0113 496 0000
content_note: Talks about self-harm.
"""
BODY = """I was born 3 March 1961.

My NHS number is 943 476 5919 and I live at LS1 4AP.

Some nights I was cutting myself.
"""


EVERYTHING = "stories/patient/everything.md"


def accept(kind: str, path: str = EVERYTHING) -> str:
    """How a finding's message ends: how an editor accepts it."""
    return f"an editor accepts it with 'narrative review {path} --accept {kind}'"


def test_findings_carry_the_file_line_field_kind_and_masked_text(tmp_path: Path) -> None:
    write_file(tmp_path, "patient", "everything", FRONT, BODY)
    screening = screened(tmp_path)
    assert [str(finding.problem) for finding in screening.findings] == [
        f"{EVERYTHING}:2: title: phone number '07700 9** ***': remove it, or once checked {accept('phone')}",
        f"{EVERYTHING}:4: summary: email address 'j***@example.org': remove it, or once checked {accept('email')}",
        f"{EVERYTHING}:6: consent: phone number '0113 49* ****': remove it, or once checked {accept('phone')}",
        f"{EVERYTHING}:9: content_note: urgent: words about self-harm ('self-harm'): make sure the person is safe "
        f"and follow the safeguarding procedure; once done, {accept('crisis')}",
        f"{EVERYTHING}:11: date of birth 'born 3 *** ****': remove it, or once checked {accept('date-of-birth')}",
        f"{EVERYTHING}:13: NHS number '943 *** ****': remove it, or once checked {accept('nhs-number')}",
        f"{EVERYTHING}:13: postcode 'LS1 ***': remove it, or once checked {accept('postcode')}",
        f"{EVERYTHING}:15: urgent: words about self-harm ('cutting myself'): make sure the person is safe and "
        f"follow the safeguarding procedure; once done, {accept('crisis')}",
    ]
    assert [finding.severity for finding in screening.findings] == [Severity.ERROR] * 8
    assert [finding.urgent for finding in screening.findings].count(True) == 2
    assert [reading.line for reading in screening.readings] == [11]


def test_personal_data_and_crisis_are_errors_unless_the_site_relaxes_it(tmp_path: Path) -> None:
    write_file(tmp_path, "patient", "everything", FRONT, BODY)
    assert [finding.severity for finding in screened(tmp_path, error_kinds=[]).findings] == [
        Severity.WARNING, Severity.WARNING, Severity.WARNING, Severity.URGENT, Severity.WARNING, Severity.WARNING,
        Severity.WARNING, Severity.URGENT]


def test_no_output_holds_the_personal_data(tmp_path: Path) -> None:
    write_file(tmp_path, "patient", "everything", FRONT, BODY)
    screening = screened(tmp_path)
    everything = json.dumps([problem.as_dict() for problem in screening.problems]) + repr(screening)
    for secret in ("900 123", "jo.bloggs", "496 0000", "March 1961", "476 5919", "4AP"):
        assert secret not in everything


def review(root: Path, path: str, *kinds: str) -> None:
    """What `narrative review` records: an editor accepts the findings of `kinds` in the file at `path`."""
    settings = settings_for(root)
    site, _ = build.read_site(settings)
    found = [finding for finding in build.screen_site(site).findings if finding.path == path and finding.kind in kinds]
    reviews.record(settings, [reviews.Review(f.path, f.kind, f.fingerprint, f.line) for f in found])


def test_a_review_holds_while_the_words_found_read_the_same(tmp_path: Path) -> None:
    """A fingerprint is made from the words found as a reader reads them: a review holds when the body is
    rendered for markup elsewhere in it (its quotes made curly), or when the words are written another way that
    reads the same, and lapses when they change."""
    ward = "stories/patient/ward.md"
    story(tmp_path, "ward", "I can't go on, she said. Ring 07700 900123.\n")
    review(tmp_path, ward, "crisis", "phone")
    for body in ("I can't go on, she *said*. Ring 07700 900123.\n",
                 "I can&#39;t go on, she said. Ring 07700&nbsp;900**123**.\n"):
        story(tmp_path, "ward", body)
        screening = screened(tmp_path)
        assert (screening.findings, [finding.kind for finding in screening.accepted]) == ((), ["crisis", "phone"])
    story(tmp_path, "ward", "I can't go on, she said. Ring 07700 900124.\n")
    assert [finding.kind for finding in screened(tmp_path).findings] == ["phone"]


def test_reviewed_in_the_front_matter_accepts_nothing_and_is_reported(tmp_path: Path) -> None:
    """A contributor cannot approve their own story: `reviewed:` is a request, always reported."""
    write_file(tmp_path, "patient", "everything", FRONT + "reviewed: [phone, crisis]\n", BODY)
    site, problems = build.read_site(settings_for(tmp_path))
    assert [str(problem) for problem in problems] == [
        f"{EVERYTHING}:10: reviewed: asks an editor to accept phone, crisis: this accepts nothing by itself; an "
        f"editor who has checked each finding records it with 'narrative review {EVERYTHING} --accept KIND'"]
    assert problems[0].severity is Severity.NOTE
    screening = build.screen_site(site)
    assert [finding.kind for finding in screening.findings] == [
        "phone", "email", "phone", "crisis", "date-of-birth", "nhs-number", "postcode", "crisis"]
    assert screening.accepted == ()


def test_an_editors_review_accepts_the_findings_in_the_reviews_file(tmp_path: Path) -> None:
    write_file(tmp_path, "patient", "everything", FRONT, BODY)
    review(tmp_path, EVERYTHING, "phone", "crisis")
    screening = screened(tmp_path)
    assert [finding.kind for finding in screening.findings] == ["email", "date-of-birth", "nhs-number", "postcode"]
    assert [(finding.line, finding.kind, finding.text) for finding in screening.accepted] == [
        (2, "phone", "07700 9** ***"), (6, "phone", "0113 49* ****"), (9, "crisis", "self-harm"),
        (15, "crisis", "cutting myself")]
    written = (tmp_path / "stories" / "reviews.yml").read_text(encoding="utf-8")
    for secret in ("900 123", "496 0000", "cutting"):
        assert secret not in written


def test_a_review_lapses_when_the_text_changes(tmp_path: Path) -> None:
    path = story(tmp_path, "call-me", body="Call the surgery on 0113 496 0000.\n")
    review(tmp_path, "stories/patient/call-me.md", "phone")
    assert screened(tmp_path).findings == ()
    path.write_text(path.read_text().replace("Call the surgery on 0113 496 0000.", "Call the   SURGERY on\n"
                                             "0113 496 0000."), encoding="utf-8")
    assert screened(tmp_path).findings == ()  # the same number, reflowed: the review holds
    path.write_text(path.read_text().replace("0113 496 0000", "0113 496 0001"), encoding="utf-8")
    assert [(finding.kind, finding.severity) for finding in screened(tmp_path).findings] == [
        ("phone", Severity.ERROR)]


def test_a_review_is_bound_to_its_file(tmp_path: Path) -> None:
    story(tmp_path, "one", body="Call the surgery on 0113 496 0000.\n")
    story(tmp_path, "two", body="Call the surgery on 0113 496 0000.\n")
    review(tmp_path, "stories/patient/one.md", "phone")
    assert [finding.path for finding in screened(tmp_path).findings] == ["stories/patient/two.md"]


def test_a_bad_reviews_file_is_an_error_at_its_line(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    (tmp_path / "stories" / "reviews.yml").write_text(
        "stories/patient/a.md:\n  - {kind: phnoe, fingerprint: 0123456789abcdef0123456789abcdef}\n"
        "  - {kind: phone, fingerprint: abc}\nstories/patient/b.md: phone\n", encoding="utf-8")
    assert [str(problem) for problem in build.read_site(settings)[1]] == [
        "stories/reviews.yml:2: stories/patient/a.md: unknown finding kind 'phnoe' (did you mean 'phone'?)",
        "stories/reviews.yml:3: stories/patient/a.md: the fingerprint must be the 32 letters and digits "
        "'narrative review' writes",
        "stories/reviews.yml:4: each file's path needs a list of reviews under it, as 'narrative review' writes "
        "them"]


def test_an_unknown_kind_in_reviewed_is_an_error_with_a_suggestion(tmp_path: Path) -> None:
    story(tmp_path, "typo", reviewed=["phnoe"])
    _, problems = build.read_site(settings_for(tmp_path))
    assert [str(problem) for problem in problems] == [
        "stories/patient/typo.md:8: reviewed: unknown finding kind 'phnoe' (did you mean 'phone'?); choose from "
        "nhs-number, phone, email, postcode, date-of-birth, crisis, readability, language"]


def test_the_settings_choose_the_kinds_that_are_errors(tmp_path: Path) -> None:
    write_file(tmp_path, "patient", "everything", FRONT, BODY)
    screening = screened(tmp_path, error_kinds=["nhs-number", "crisis"])
    severities = {finding.kind: finding.severity for finding in screening.findings}
    assert severities == {"phone": Severity.WARNING, "email": Severity.WARNING, "crisis": Severity.ERROR,
                          "date-of-birth": Severity.WARNING, "nhs-number": Severity.ERROR,
                          "postcode": Severity.WARNING}
    assert [problem.code for problem in screening.problems if problem.is_error] == ["crisis", "nhs-number", "crisis"]


def test_an_unknown_error_kind_in_the_settings_is_reported() -> None:
    settings, problems = from_mapping(config(screening={"error_kinds": ["nhs_number"]}))
    assert settings is None
    assert [str(problem) for problem in problems] == [
        "mkdocs.yml: extra.narrative.screening.error_kinds: unknown finding kind 'nhs_number' (did you mean "
        "'nhs-number'?); choose from nhs-number, phone, email, postcode, date-of-birth, crisis, readability, language"]


def test_updates_responses_drafts_and_withdrawn_stories_are_screened(tmp_path: Path) -> None:
    story(tmp_path, "draft-story", status="draft", body="Email me at sam@example.org.\n")
    story(tmp_path, "gone", status="withdrawn", body="I felt suicidal.\n")
    response(tmp_path, "reply", "draft-story", body="Call our team on 07700 900 456.\n")
    update(tmp_path, "news", body="Our office moved to HX1 2AB.\n")
    screening = screened(tmp_path)
    assert [(finding.path, finding.kind) for finding in screening.findings] == [
        ("stories/patient/draft-story.md", "email"), ("stories/patient/gone.md", "crisis"),
        ("stories/pledge/news.md", "postcode"), ("stories/responses/reply.md", "phone")]


def test_only_the_files_asked_for(tmp_path: Path) -> None:
    one = story(tmp_path, "one", body="Email me at sam@example.org.\n")
    story(tmp_path, "two", body="Email me at kim@example.org.\n")
    settings = settings_for(tmp_path)
    site, _ = build.read_site(settings, only=[one])
    assert [finding.path for finding in build.screen_site(site, only=[one]).findings] == ["stories/patient/one.md"]


def test_the_sample_site_passes_the_gate() -> None:
    settings, _ = load_settings(REPO / "mkdocs.yml")
    assert settings is not None
    site, problems = build.read_site(settings)
    assert [str(problem) for problem in problems] == []
    assert [str(problem) for problem in build.screen_site(site).problems] == []


def test_a_file_with_an_error_is_screened_all_the_same(tmp_path: Path) -> None:
    """A misspelt field or a wrong topic must not hide a crisis or personal data from the editors: every
    string in the front matter is screened, whatever field holds it, and the body."""
    write_file(tmp_path, "patient", "misspelt", "title: The bus\ndate: 2026-03-01\nsummary: I felt suicidal\n"
               "topics: [carer]\nautor: Call Jo on 07700 900 123\nconsent: true\n",
               "I want to kill myself. My NHS number is 943 476 5919.\n")
    site, problems = build.read_site(settings_for(tmp_path))
    assert [problem.field for problem in problems] == ["topics", "autor"]
    findings = build.screen_site(site).findings
    assert [(finding.line, finding.field, finding.kind, finding.text) for finding in findings] == [
        (4, "summary", "crisis", "suicidal"), (6, "autor", "phone", "07700 9** ***"),
        (9, None, "crisis", "kill myself"), (9, None, "nhs-number", "943 *** ****")]


def test_a_file_whose_front_matter_cannot_be_read_is_screened_whole(tmp_path: Path) -> None:
    path = tmp_path / "stories" / "patient" / "unclosed.md"
    path.parent.mkdir(parents=True)
    path.write_text('---\ntitle: "The bus\ndate: 2026-03-01\n---\n\nCall me on 07700 900 123, I want to die.\n')
    settings = settings_for(tmp_path)
    site, problems = build.read_site(settings)
    assert [problem.code for problem in problems] == ["bad-front-matter"]
    findings = build.screen_site(site).findings
    assert [(finding.path, finding.line, finding.kind) for finding in findings] == [
        ("stories/patient/unclosed.md", 6, "crisis"), ("stories/patient/unclosed.md", 6, "phone")]


def test_distinct_keeps_each_hit_that_overlaps_no_earlier_one_in_the_order_of_the_text() -> None:
    def hit(start: int, end: int) -> Hit:
        return Hit("phone", "phone number", start, end, "x")

    given = [hit(10, 20), hit(0, 5), hit(15, 25), hit(5, 10), hit(19, 21), hit(20, 30), hit(3, 12), hit(30, 31)]
    assert [(each.start, each.end) for each in distinct(given)] == [(0, 5), (5, 10), (10, 20), (20, 30), (30, 31)]


def test_distinct_is_quick_for_a_hundred_thousand_hits() -> None:
    started = time.monotonic()
    hits = [Hit("email", "email address", start, start + 5, "x") for start in range(0, 2_000_000, 10)]
    assert len(distinct([*hits, *hits])) == 200_000
    assert time.monotonic() - started < 5


POLISH = "Zadzwońcie do mnie: 07700 900123. Nie chcę już żyć.\n"


def test_a_story_in_another_language_is_screened_for_personal_data_and_marked_for_a_reader(tmp_path: Path) -> None:
    story(tmp_path, "po-polsku", body=POLISH, lang="pl")
    path = "stories/patient/po-polsku.md"
    screening = screened(tmp_path)
    assert [str(finding.problem) for finding in screening.findings] == [
        f"{path}:8: lang: not screened for crisis words: it is in Polish, so someone who speaks Polish must read it "
        f"for anything that means a person is at risk; once done, {accept('language', path)}",
        f"{path}:10: phone number '07700 9*****': remove it, or once checked {accept('phone', path)}"]
    assert [finding.severity for finding in screening.findings] == [Severity.ERROR, Severity.ERROR]
    assert screening.readings == (), "readability is measured in English only"
    assert [finding.severity for finding in screened(tmp_path, error_kinds=[]).findings] == [
        Severity.WARNING, Severity.WARNING]


def test_the_build_holds_back_a_story_in_another_language_until_an_editor_accepts_it(tmp_path: Path) -> None:
    """What the build looks for (`screen.errors`, without measuring readability) is what the check reports."""
    from narrative import screen

    story(tmp_path, "po-polsku", body=POLISH, lang="pl")
    settings = settings_for(tmp_path)
    site, _ = build.read_site(settings)
    assert [(finding.line, finding.kind) for finding in screen.errors(site.every_item, settings)] == [
        (8, "language"), (10, "phone")]
    relaxed = settings_for(tmp_path, screening={"error_kinds": ["language"]})
    assert [finding.kind for finding in screen.errors(build.read_site(relaxed)[0].every_item, relaxed)] == [
        "language"]
    review(tmp_path, "stories/patient/po-polsku.md", "language", "phone")
    site, _ = build.read_site(settings)
    assert screen.errors(site.every_item, settings, site.reviews) == []


def test_an_editor_who_read_it_accepts_the_language_note_until_its_words_change(tmp_path: Path) -> None:
    path = story(tmp_path, "po-polsku", body="Dziękuję za pomoc.\n", lang="pl")
    story(tmp_path, "in-english", body="Thank you for the help.\n", lang="en-GB")
    review(tmp_path, "stories/patient/po-polsku.md", "language")
    screening = screened(tmp_path)
    assert screening.findings == ()
    assert [(finding.path, finding.kind) for finding in screening.accepted] == [
        ("stories/patient/po-polsku.md", "language")]
    assert [reading.path for reading in screening.readings] == ["stories/patient/in-english.md"]
    path.write_text(path.read_text(encoding="utf-8").replace("za pomoc", "za wszystko"), encoding="utf-8")
    assert [finding.kind for finding in screened(tmp_path).findings] == ["language"]


def test_the_language_note_is_under_also_check_in_the_report(tmp_path: Path) -> None:
    from narrative import report

    story(tmp_path, "po-polsku", body="Dziękuję.\n", lang="pl")
    text = report.markdown([], screened(tmp_path, error_kinds=[]), 1)
    assert "**Also check**\n\n- Line 8 (lang): not screened for crisis words: it is in Polish" in text
    assert "Possible personal data" not in text
    text = report.markdown([], screened(tmp_path), 1)
    assert "\n\n- Line 8 (lang): not screened for crisis words: it is in Polish, so someone who speaks Polish" in (
        text.split("**Errors", 1)[1])


def test_a_conversation_record_is_screened(tmp_path: Path) -> None:
    conversation(tmp_path, "booth", body="One caller said she wanted to die.\n", place="Ring 07700 900123")
    assert [finding.kind for finding in screened(tmp_path).findings] == ["phone", "crisis"]
