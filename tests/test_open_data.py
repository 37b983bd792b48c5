"""The impact figures as open data: a valid Frictionless Data Package under the site's licence, whose CSV and
JSON files never hold a count from 1 to 4 nor a total that reveals one, and agree with counts made straight
from the content files."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path

import frictionless
import pytest

from narrative import open_data
from narrative.site import Site
from narrative.suppression import RULE
from tests.content import response, settings_for, story
from tests.test_accessibility import DIRECTLY, conversations_from_the_files, shows
from tests.test_suppression import revealed

DATA = "impact/data/"


@pytest.fixture(scope="module")
def published(sample_content: Site, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample site's open data, written as the build writes it."""
    out = tmp_path_factory.mktemp("open-data")
    for path, data in open_data.files(sample_content).items():
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_bytes(data)
    return out / DATA


def rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def cell(text: str) -> int | str:
    return int(text) if text.isdigit() else text


def test_the_data_package_is_valid(published: Path) -> None:
    report = frictionless.validate(str(published / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "message"])
    described = json.loads((published / "datapackage.json").read_text(encoding="utf-8"))
    assert sorted(resource["path"] for resource in described["resources"]) == sorted(
        path.name for path in published.iterdir() if path.name != "datapackage.json")
    assert described["licenses"] == [{
        "name": "OGL-UK-3.0", "title": "Open Government Licence v3.0",
        "path": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"}]
    assert RULE in described["description"]
    assert described["created"] == "2026-11-27T00:00:00+00:00"  # the last day of the phone line's record
    assert described["homepage"] == "https://stories.hollowmere.example/impact/"


def test_a_package_that_did_not_declare_the_markers_would_be_invalid(published: Path, tmp_path: Path) -> None:
    """The validation can fail: '<5' in a column of whole numbers is an error unless declared missing."""
    described = json.loads((published / "datapackage.json").read_text(encoding="utf-8"))
    for resource in described["resources"]:
        resource["schema"]["missingValues"] = [""]
        (tmp_path / resource["path"]).write_bytes((published / resource["path"]).read_bytes())
    (tmp_path / "datapackage.json").write_text(json.dumps(described), encoding="utf-8")
    assert not frictionless.validate(str(tmp_path / "datapackage.json")).valid


def test_no_csv_holds_a_small_count_nor_a_total_that_reveals_one(published: Path) -> None:
    for path in sorted(published.glob("*.csv")):
        found = rows(path)
        key, *columns = list(found[0])
        for column in columns:
            cells = [cell(row[column]) for row in found]
            assert not [value for value in cells if isinstance(value, int) and value in range(1, 5)], path.name
            assert all(value in ("<5", "[c]") for value in cells if isinstance(value, str)), path.name
            if found[-1][key] == "Total" and isinstance(cells[-1], int):
                assert not revealed(cells[:-1], cells[-1]), (path.name, column)
    withheld = [row["conversations"] for row in rows(published / "conversations-by-month.csv")]
    assert "<5" in withheld, "the sample has small months, so the test sees suppression at work"


def test_the_json_holds_what_the_csv_holds(published: Path) -> None:
    for path in sorted(published.glob("*.csv")):
        as_json = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        assert [{name: str(value) for name, value in row.items()} for row in as_json] == rows(path)


def test_the_figures_agree_with_counts_made_from_the_files(published: Path) -> None:
    heard = conversations_from_the_files()
    total = sum(each[0] for each in heard)
    by_channel, by_place, by_month = Counter(), Counter(), Counter()
    for count, _, (year, month), place, channel, _ in heard:
        by_channel[channel] += count
        by_place[place] += count
        by_month[f"{year}-{month:02}"] += count
    for name, key, counted in (("conversations-by-channel", "channel", by_channel),
                               ("conversations-by-place", "place", by_place),
                               ("conversations-by-month", "month", by_month)):
        found = rows(published / f"{name}.csv")
        assert found[-1] == {key: "Total", "conversations": str(total)}, name
        for row in found[:-1]:
            assert shows(cell(row["conversations"]), counted[row[key]]), (name, row)
        assert {row[key] for row in found[:-1] if counted[row[key]]} == set(counted), name
    assert DIRECTLY in by_channel


def test_a_small_site_withholds_its_small_counts(tmp_path: Path) -> None:
    for number in range(3):
        story(tmp_path, f"story-{number}", topics=["carers"], location="Cafe")
    response(tmp_path, "story-0-reply", "story-0", change="made")
    from narrative import build

    site, problems = build.read_site(settings_for(tmp_path))
    assert problems == []
    written = open_data.files(site)
    assert written[f"{DATA}conversations-by-place.csv"] == b"place,conversations\nCafe,<5\nTotal,<5\n"
    assert written[f"{DATA}responses.csv"] == (
        b"measure,number\nResponses given,<5\nStories with a response,<5\nStories that led to a change planned,0\n"
        b"Stories that led to a change made,<5\n")
