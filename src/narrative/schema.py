"""A JSON Schema of `extra.narrative`, made from config.py's declarations, so an editor's YAML language server
completes and checks the settings in `mkdocs.yml` as it does Material's.

Each setting's description is its docstring in config.py, its default the dataclass's, and its shape comes from
the parser that reads it (`SCHEMA_OF`): a setting added to config.py is in the schema without more work, and a
new kind of parser fails the tests until it is given a shape here. The schema says nothing of the rest of
`mkdocs.yml`, so it combines with Material's own. `narrative schema` prints it; the package carries it as
`narrative/narrative.schema.json`.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import json
from collections.abc import Mapping
from typing import Any

from narrative import config

SLUG = {"type": "string", "pattern": "^[a-z0-9]+(?:-[a-z0-9]+)*$"}
TEXT = {"type": "string", "minLength": 1}
WHOLE = {"type": "integer", "minimum": 1}
URL = {"type": "string", "pattern": r"^https?://[^/\s]+\S*$"}
DOMAIN = {"type": ["string", "null"], "pattern": r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"}


def _entries(keys: tuple[str, ...], forbidden: frozenset[str] = frozenset()) -> dict[str, Any]:
    """A list of mappings with a slug first and texts after it."""
    slug = {**SLUG, "not": {"enum": sorted(forbidden)}} if forbidden else SLUG
    return {"type": "array", "minItems": 1, "items": {
        "type": "object", "required": list(keys), "additionalProperties": False,
        "properties": {keys[0]: slug, **{key: TEXT for key in keys[1:]}}}}


SCHEMA_OF: Mapping[config.Parser, dict[str, Any]] = {
    config._text: TEXT,
    config._optional_text: {"type": ["string", "null"]},
    config._prefix: {"type": ["string", "null"]},
    config._positive_int: WHOLE,
    config._optional_positive_int: {"type": ["integer", "null"], "minimum": 1},
    config._flag: {"type": "boolean"},
    config._grade: {"type": "number", "exclusiveMinimum": 0},
    config._address: {**URL, "type": ["string", "null"]},
    config._url: {**URL, "type": ["string", "null"]},
    config._timezone: {**TEXT, "examples": ["Europe/London"]},
    config._kinds: {"type": "array", "items": {"enum": list(config.FINDING_KINDS)}, "uniqueItems": True},
    config._domain: DOMAIN,
    config._topics: _entries(("slug", "label", "description")),
    config._principles: _entries(("slug", "name", "commitment"), config.RESERVED_PRINCIPLE_SLUGS),
    config._channels: _entries(("slug", "label")),
}
"""The shape of what each parser in config.py accepts."""


def _docstrings(cls: type) -> dict[str, str]:
    """Each field's docstring (the string under it in the class body), as one line."""
    body = ast.parse(inspect.getsource(cls)).body[0]
    assert isinstance(body, ast.ClassDef)
    found = {}
    for field, after in zip(body.body, body.body[1:]):
        if (isinstance(field, ast.AnnAssign) and isinstance(field.target, ast.Name) and isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant) and isinstance(after.value.value, str)):
            found[field.target.id] = " ".join(after.value.value.split())
    return found


def _defaults(cls: type) -> dict[str, Any]:
    """Defaults as YAML would write them (tuples as lists, entries such as channels as mappings); settings
    without one are left out."""
    return {field.name: _as_yaml(field.default) for field in dataclasses.fields(cls)
            if field.default is not dataclasses.MISSING and not dataclasses.is_dataclass(field.default)}


def _as_yaml(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_as_yaml(entry) for entry in value]
    return dataclasses.asdict(value) if dataclasses.is_dataclass(value) else value


def _table(cls: type, parsers: Mapping[str, config.Parser]) -> dict[str, Any]:
    docs, defaults = _docstrings(cls), _defaults(cls)
    properties = {}
    for name, parser in parsers.items():
        shape = {"description": docs[name], **SCHEMA_OF[parser]}
        if name in defaults and defaults[name] is not None:
            shape["default"] = defaults[name]
        properties[name] = shape
    return {"type": "object", "description": " ".join((cls.__doc__ or "").split()), "properties": properties,
            "additionalProperties": False}


def schema() -> dict[str, Any]:
    """The schema of a `mkdocs.yml` as far as narrative's settings go."""
    narrative = _table(config.Settings, config.SETTING_PARSERS)
    docs = _docstrings(config.Settings)
    for name, (cls, parsers) in config.NESTED.items():
        narrative["properties"][name] = {**_table(cls, parsers), "description": docs[name]}
    narrative["required"] = list(config.REQUIRED)
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "narrative's settings in mkdocs.yml",
        "description": "extra.narrative: the settings of a narrative site (stories, pledge updates and responses).",
        "type": "object",
        "properties": {"extra": {"type": "object", "properties": {"narrative": narrative}}},
    }


def text() -> str:
    """The schema as the package carries it."""
    return json.dumps(schema(), indent=2, ensure_ascii=False) + "\n"
