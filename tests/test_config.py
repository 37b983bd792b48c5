"""Settings: every bad key reported at once, each in one line naming it and the fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from narrative.config import (
    DigestSettings, LimitSettings, Principle, ScreeningSettings, SearchSettings, ServiceSettings, Settings, Topic,
    from_mapping, load_settings,
)
from narrative.problems import Problem
from tests.content import PRINCIPLES, TOPICS, config, write_site

REPO = Path(__file__).resolve().parents[1]


def errors(raw: dict[str, Any]) -> list[str]:
    settings, problems = from_mapping(raw)
    assert settings is None
    return [str(problem) for problem in problems]


def error(**overrides: Any) -> str:
    [message] = errors(config(**overrides))
    return message


def test_valid_settings_and_defaults(tmp_path: Path) -> None:
    settings, problems = from_mapping(config(), root=tmp_path)
    assert problems == []
    assert settings == Settings(
        organisation="Sample ICB",
        topics=tuple(Topic(**topic) for topic in TOPICS),
        principles=tuple(Principle(**principle) for principle in PRINCIPLES),
        site_name="Sample stories", site_url="https://stories.example.org/", root=tmp_path)
    assert settings is not None
    assert (settings.per_page, settings.feed_items, settings.timezone, settings.stories_dir) == (
        20, 50, "Europe/London", "stories")
    assert (settings.aspiration, settings.intake, settings.publish_future) == (
        None, ServiceSettings(url=None, rate_limit=10), False)
    assert settings.digest == DigestSettings() and settings.screening == ScreeningSettings()
    assert settings.screening.error_kinds == ("nhs-number", "phone", "email", "postcode", "date-of-birth", "crisis",
                                              "language")
    assert settings.stories_path == tmp_path / "stories"
    assert str(settings.zone) == "Europe/London"
    assert settings.topic_slugs == ("mental-health", "primary-care", "carers")
    assert settings.principle_slugs == ("listen", "deliver")
    assert settings.topic("carers").label == "Carers"
    assert settings.principle("deliver").commitment == "We will act on what we hear."


def test_every_setting_parsed(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    settings, problems = from_mapping(config(
        organisation="  Sample ICB  ", stories_dir="content", per_page=10, feed_items=5, timezone="America/New_York",
        aspiration=2500, intake={"url": "https://intake.example.org", "rate_limit": 3}, publish_future=True,
        digest={"sender": "Stories <s@example.org>", "reply_to": "team@example.org", "subject_prefix": "[Stories]",
                "unsubscribe_url": "https://example.org/unsubscribe/", "archive_days": 30},
        screening={"error_kinds": ["nhs-number"], "max_grade": 8}, search={"part_size": 400, "cache": False},
        limits={"max_file_size": 50_000, "max_line_length": 900, "max_depth": 4}), root=tmp_path)
    assert problems == []
    assert settings is not None
    assert (settings.organisation, settings.stories_dir, settings.per_page, settings.feed_items) == (
        "Sample ICB", "content", 10, 5)
    assert (settings.timezone, settings.aspiration, settings.intake) == (
        "America/New_York", 2500, ServiceSettings("https://intake.example.org/", 3))
    assert settings.digest == DigestSettings("Stories <s@example.org>", "team@example.org",
                                             "https://example.org/unsubscribe/", "[Stories]", 30)
    assert settings.screening == ScreeningSettings(("nhs-number",), 8.0)
    assert settings.search == SearchSettings(400, cache=False)
    assert settings.limits == LimitSettings(max_file_size=50_000, max_line_length=900, max_depth=4)
    assert settings.publish_future is True


def test_site_url_gets_a_trailing_slash_and_may_be_absent() -> None:
    raw = config()
    raw["site_url"] = "https://example.org/stories"
    assert from_mapping(raw)[0].site_url == "https://example.org/stories/"  # type: ignore[union-attr]
    del raw["site_url"], raw["site_name"]
    settings = from_mapping(raw)[0]
    assert settings is not None and (settings.site_url, settings.site_name) == (None, "Our stories")


def test_every_bad_key_at_once() -> None:
    raw = config(organisation=None, organization="Sample ICB", per_page=0, feed_items="many", timezone="Mars/Base",
                 digest={"sendr": "x", "archive_days": True}, screening=[1])
    raw["site_url"] = "stories.example.org"
    assert errors(raw) == [
        "mkdocs.yml: extra.narrative.timezone: must be a time zone name such as 'Europe/London', not 'Mars/Base'",
        "mkdocs.yml: extra.narrative.organization: unknown setting (did you mean 'organisation'?)",
        "mkdocs.yml: extra.narrative.per_page: must be a whole number of 1 or more, not 0",
        "mkdocs.yml: extra.narrative.feed_items: must be a whole number of 1 or more, not 'many'",
        "mkdocs.yml: extra.narrative.digest.sendr: unknown setting (did you mean 'sender'?)",
        "mkdocs.yml: extra.narrative.digest.archive_days: must be a whole number of 1 or more, not True",
        "mkdocs.yml: extra.narrative.screening: must be a set of settings",
        "mkdocs.yml: extra.narrative.organisation: missing: this setting is required",
        "mkdocs.yml: site_url: must be an absolute http(s) URL such as 'https://stories.example.org/', "
        "not 'stories.example.org'",
    ]


def test_a_problem_is_one_line_naming_the_setting() -> None:
    settings, problems = from_mapping(config(per_page=-3), path="site/mkdocs.yml")
    assert settings is None
    assert problems == [Problem("site/mkdocs.yml", None, "extra.narrative.per_page",
                                "must be a whole number of 1 or more, not -3", "bad-setting")]


def test_unknown_setting_without_a_near_one() -> None:
    assert error(colour="blue") == "mkdocs.yml: extra.narrative.colour: unknown setting"


@pytest.mark.parametrize("name", ["organisation", "topics", "principles"])
def test_missing_required_setting(name: str) -> None:
    assert error(**{name: None}) == f"mkdocs.yml: extra.narrative.{name}: missing: this setting is required"


@pytest.mark.parametrize("raw", [{}, {"extra": None}, {"extra": {}}, {"extra": {"narrative": "yes"}},
                                 {"extra": ["narrative"]}])
def test_missing_narrative_settings(raw: dict[str, Any]) -> None:
    assert errors(raw) == ["mkdocs.yml: extra.narrative: missing: add the organisation, topics and principles"]


@pytest.mark.parametrize(("topics", "message"), [
    ("health", "must be a list with at least one entry, each with slug, label, description"),
    ([], "must be a list with at least one entry, each with slug, label, description"),
    (["health"], "entry 1 must have slug, label, description"),
    ([TOPICS[0], {"slug": "carers", "label": "Carers"}], "entry 2 has no description"),
    ([{"slug": "carers"}], "entry 1 has no label or description"),
    ([{"slug": 7, "label": "Seven", "description": "d"}], "entry 1 has no slug"),
    ([{**TOPICS[0], "lable": "x"}], "entry 1 has unknown key 'lable' (did you mean 'label'?)"),
    ([{**TOPICS[0], "slug": "Mental Health"}],
     "entry 1: slug 'Mental Health' must be lowercase letters, digits and hyphens"),
    ([TOPICS[0], TOPICS[0]], "slug 'mental-health' appears twice"),
])
def test_bad_topic_entry(topics: Any, message: str) -> None:
    assert error(topics=topics) == f"mkdocs.yml: extra.narrative.topics: {message}"


def test_principle_slug_updates_is_reserved() -> None:
    """`pledge/updates/` holds the updates, so no principle may have that address."""
    assert error(principles=[{"slug": "updates", "name": "Updates", "commitment": "c"}]) == (
        "mkdocs.yml: extra.narrative.principles: entry 1: slug 'updates' must be lowercase letters, digits and "
        "hyphens and not updates")


@pytest.mark.parametrize("value", ["http://stories.example.org", "https://stories.example.org/a/"])
def test_good_site_url(value: str) -> None:
    raw = config()
    raw["site_url"] = value
    assert from_mapping(raw)[1] == []


@pytest.mark.parametrize("value", ["stories.example.org", "ftp://example.org/", "https://", "/stories/", 42, ""])
def test_bad_site_url(value: object) -> None:
    raw = config()
    raw["site_url"] = value
    assert errors(raw) == [f"mkdocs.yml: site_url: must be an absolute http(s) URL such as "
                           f"'https://stories.example.org/', not {value!r}"]


@pytest.mark.parametrize("value", ["Mars/Base", "Europe", "../../etc/passwd", "", "   ", 5, ["Europe/London"]])
def test_bad_timezone(value: object) -> None:
    assert error(timezone=value) == (f"mkdocs.yml: extra.narrative.timezone: must be a time zone name such as "
                                     f"'Europe/London', not {value!r}")


def test_timezone_is_tidied() -> None:
    settings = from_mapping(config(timezone=" UTC "))[0]
    assert settings is not None and settings.timezone == "UTC"


@pytest.mark.parametrize(("theme", "language"), [
    ({"name": "material", "language": "cy"}, "cy"), ({"name": "material"}, "en"), (None, "en"), ("material", "en"),
    ({"language": " "}, "en"),
])
def test_the_language_is_the_themes(theme: object, language: str) -> None:
    settings = from_mapping({**config(), "theme": theme})[0]
    assert settings is not None and settings.language == language


@pytest.mark.parametrize(("overrides", "message"), [
    ({"per_page": True}, "extra.narrative.per_page: must be a whole number of 1 or more, not True"),
    ({"per_page": 2.5}, "extra.narrative.per_page: must be a whole number of 1 or more, not 2.5"),
    ({"aspiration": 0}, "extra.narrative.aspiration: must be a whole number of 1 or more, not 0"),
    ({"organisation": "  "}, "extra.narrative.organisation: must be some text"),
    ({"stories_dir": ["stories"]}, "extra.narrative.stories_dir: must be some text"),
    ({"intake": {"url": "intake"}}, "extra.narrative.intake.url: must be an absolute http(s) URL such as "
                                    "'https://stories.example.org/', not 'intake'"),
    ({"intake": {"rate_limit": 0}}, "extra.narrative.intake.rate_limit: must be a whole number of 1 or more, not 0"),
    ({"digest": "daily"}, "extra.narrative.digest: must be a set of settings"),
    ({"digest": {"unsubscribe_url": "mailto:x@example.org"}},
     "extra.narrative.digest.unsubscribe_url: must be an absolute http(s) URL such as "
     "'https://stories.example.org/', not 'mailto:x@example.org'"),
    ({"digest": {"subject_prefix": 3}}, "extra.narrative.digest.subject_prefix: must be some text"),
    ({"screening": {"error_kinds": "nhs-number"}},
     "extra.narrative.screening.error_kinds: must be a list of finding kinds, e.g. [nhs-number, email]"),
    ({"screening": {"max_grade": "easy"}}, "extra.narrative.screening.max_grade: must be a number above 0, not 'easy'"),
    ({"screening": {"max_grad": 8}}, "extra.narrative.screening.max_grad: unknown setting (did you mean 'max_grade'?)"),
    ({"search": {"part_size": "big"}}, "extra.narrative.search.part_size: must be a whole number of 1 or more, not 'big'"),
    ({"search": {"cache": "no"}}, "extra.narrative.search.cache: must be true or false, not 'no'"),
    ({"limits": {"max_depth": 0}}, "extra.narrative.limits.max_depth: must be a whole number of 1 or more, not 0"),
    ({"publish_future": "soon"}, "extra.narrative.publish_future: must be true or false, not 'soon'"),
])
def test_bad_setting(overrides: dict[str, Any], message: str) -> None:
    assert error(**overrides) == f"mkdocs.yml: {message}"


@pytest.mark.parametrize("folder", ["storeis", "notes.txt"])
def test_a_stories_folder_that_is_not_there(tmp_path: Path, folder: str) -> None:
    (tmp_path / "notes.txt").write_text("not a folder\n")
    problems = from_mapping(config(stories_dir=folder), root=tmp_path)[1]
    assert [str(problem) for problem in problems] == [
        f"mkdocs.yml: extra.narrative.stories_dir: there is no folder '{folder}' next to mkdocs.yml: give the folder "
        "that holds patient, pledge, responses, conversations"]


# Reading mkdocs.yml


def test_load_settings_from_a_file(tmp_path: Path) -> None:
    settings, problems = load_settings(write_site(tmp_path))
    assert problems == []
    assert settings is not None and settings.root == tmp_path and settings.organisation == "Sample ICB"


def test_the_sample_site_settings_are_valid() -> None:
    settings, problems = load_settings(REPO / "mkdocs.yml")
    assert problems == []
    assert settings is not None and len(settings.principles) == 6
    assert settings.screening.error_kinds == ScreeningSettings().error_kinds  # the sample does not relax the gate


def test_missing_file(tmp_path: Path) -> None:
    settings, problems = load_settings(tmp_path / "mkdocs.yml")
    assert settings is None
    assert [str(problem) for problem in problems] == [
        f"{tmp_path / 'mkdocs.yml'}: not found: no such file"]


def test_a_folder_is_not_a_config_file(tmp_path: Path) -> None:
    assert [str(problem) for problem in load_settings(tmp_path)[1]] == [f"{tmp_path}: cannot be read: Is a directory"]


def test_broken_yaml_is_one_line_with_its_line_number(tmp_path: Path) -> None:
    config_file = write_site(tmp_path, "site_name: x\nextra:\n  narrative: [\n")
    assert load_settings(config_file) == (None, [Problem(
        str(config_file), 4, None, "cannot be read: did not find expected node content",
        "unreadable")])


def test_not_utf8(tmp_path: Path) -> None:
    config_file = tmp_path / "mkdocs.yml"
    config_file.write_bytes(b"site_name: \xff\n")
    assert [str(problem) for problem in load_settings(config_file)[1]] == [
        f"{config_file}: cannot be read: 'utf-8' codec can't decode byte 0xff in position 11: invalid start byte"]


@pytest.mark.parametrize("text", ["- a\n- b\n", "just words\n"])
def test_not_a_mapping(tmp_path: Path, text: str) -> None:
    config_file = write_site(tmp_path, text)
    assert [str(problem) for problem in load_settings(config_file)[1]] == [f"{config_file}: must be a set of settings"]


def test_empty_file(tmp_path: Path) -> None:
    config_file = write_site(tmp_path, "")
    assert [str(problem) for problem in load_settings(config_file)[1]] == [
        f"{config_file}: extra.narrative: missing: add the organisation, topics and principles"]


def test_mkdocs_tags_are_understood(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`!ENV` is resolved as MkDocs does; Python tags MkDocs allows are read as nothing, not refused."""
    monkeypatch.setenv("NARRATIVE_TEST_ORG", "Org from the environment")
    monkeypatch.delenv("NARRATIVE_TEST_UNSET", raising=False)
    text = ("site_name: !ENV [NARRATIVE_TEST_UNSET, Default name]\n"
            "site_url: !ENV NARRATIVE_TEST_UNSET\n"
            "markdown_extensions:\n  - pymdownx.emoji:\n"
            "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
            "extra:\n  narrative:\n    organisation: !ENV [NARRATIVE_TEST_UNSET, NARRATIVE_TEST_ORG, Fallback]\n"
            f"    topics: {TOPICS}\n    principles: {PRINCIPLES}\n")
    settings, problems = load_settings(write_site(tmp_path, text))
    assert problems == []
    assert settings is not None
    assert (settings.site_name, settings.site_url, settings.organisation) == (
        "Default name", None, "Org from the environment")
