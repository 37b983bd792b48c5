"""The settings' JSON Schema: made from config.py's declarations, carried by the package as made, and in step
with what the settings accept, so an editor's completions and checks match `narrative check`'s."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from narrative import config, schema
from narrative.config import NESTED, SETTING_PARSERS, from_mapping
from tests.conftest import REPO
from tests.content import config as valid_config

PUBLISHED = REPO / "src/narrative/narrative.schema.json"
VALIDATOR = jsonschema.Draft7Validator(schema.schema())


def settings_of(made: dict[str, Any]) -> dict[str, Any]:
    return made["properties"]["extra"]["properties"]["narrative"]


def errors(raw: dict[str, Any]) -> list[str]:
    return [f"{'.'.join(map(str, error.absolute_path))}: {error.validator}" for error in VALIDATOR.iter_errors(raw)]


def test_the_published_schema_is_the_one_config_py_makes() -> None:
    assert PUBLISHED.read_text(encoding="utf-8") == schema.text(), (
        "run: narrative schema > src/narrative/narrative.schema.json")


def test_every_setting_is_in_the_schema_with_its_description_and_nothing_else() -> None:
    narrative = settings_of(schema.schema())
    assert list(narrative["properties"]) == [*SETTING_PARSERS, *NESTED]
    for name, (_, parsers) in NESTED.items():
        assert list(narrative["properties"][name]["properties"]) == list(parsers)
    every = [*narrative["properties"].values(), *(setting for name in NESTED
                                                  for setting in narrative["properties"][name]["properties"].values())]
    assert all(setting["description"] for setting in every)
    assert narrative["required"] == list(config.REQUIRED)
    assert narrative["properties"]["per_page"]["description"] == (
        "Stories on each page of the story index and topic pages.")
    assert narrative["properties"]["search"]["properties"]["part_size"]["default"] == 1000


def test_every_kind_of_parser_has_a_shape() -> None:
    parsers = {*SETTING_PARSERS.values(), *(parser for _, table in NESTED.values() for parser in table.values())}
    assert parsers <= set(schema.SCHEMA_OF)


@pytest.mark.parametrize("path", [REPO / "mkdocs.yml", REPO / "src/narrative/starter/mkdocs.yml"],
                         ids=["sample", "starter"])
def test_the_sites_settings_are_valid(path: Path) -> None:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert errors(raw) == []


@pytest.mark.parametrize(("overrides", "error"), [
    ({"per_page": 0}, "extra.narrative.per_page: minimum"),
    ({"organization": "Sample ICB"}, "extra.narrative: additionalProperties"),
    ({"organisation": None}, "extra.narrative: required"),
    ({"screening": {"error_kinds": ["nhs-numbr"]}}, "extra.narrative.screening.error_kinds.0: enum"),
    ({"search": {"cache": "yes"}}, "extra.narrative.search.cache: type"),
    ({"topics": [{"slug": "Mental Health", "label": "x", "description": "y"}]},
     "extra.narrative.topics.0.slug: pattern"),
    ({"principles": [{"slug": "updates", "name": "x", "commitment": "y"}]}, "extra.narrative.principles.0.slug: not"),
    ({"digest": {"unsubscribe_url": "mailto:x@example.org"}}, "extra.narrative.digest.unsubscribe_url: pattern"),
])
def test_what_the_check_refuses_the_schema_refuses_too(overrides: dict[str, Any], error: str) -> None:
    raw = json.loads(json.dumps(valid_config(**overrides)))
    assert from_mapping(raw)[0] is None
    assert errors(raw) == [error]


def test_the_command_prints_it(capsys: pytest.CaptureFixture[str]) -> None:
    from narrative.cli import main

    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == schema.schema()
