"""Templates compiled once for a user: taken from the cache only for the same template, source and setup, and a
cache that cannot be read or written costs time, never the drawing."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import jinja2
import pytest

from narrative.compiled_templates import PATTERN, keep_compiled

Compiled = list[str]


@pytest.fixture(autouse=True)
def own_temporary_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Jinja keeps its cache in the temporary folder: each test has its own."""
    folder = tmp_path / "temporary"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "page.html").write_text("<p>{{ words }}</p>\n", encoding="utf-8")
    return folder


def environment(folder: Path, compiled: Compiled, **options: object) -> jinja2.Environment:
    """A new environment (as in a new process) that notes each template it compiles in `compiled`."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(folder), **options)  # type: ignore[arg-type]
    compile_ = env.compile

    def noting(source: str, name: str | None = None, filename: str | None = None, *args: object) -> object:
        compiled.append(name or "")
        return compile_(source, name, filename, *args)  # type: ignore[call-overload]

    env.compile = noting  # type: ignore[method-assign]
    return keep_compiled(env)


def drawn(env: jinja2.Environment, name: str = "page.html", words: str = "<tea>") -> str:
    return env.get_template(name).render(words=words)


def test_a_template_compiled_once_is_taken_from_the_cache_by_the_next_environment(templates: Path) -> None:
    compiled: Compiled = []
    assert drawn(environment(templates, compiled)) == "<p><tea></p>"
    assert compiled == ["page.html"]
    assert drawn(environment(templates, compiled)) == "<p><tea></p>"
    assert compiled == ["page.html"]


def test_an_edited_template_is_compiled_again(templates: Path) -> None:
    compiled: Compiled = []
    drawn(environment(templates, compiled))
    (templates / "page.html").write_text("<h1>{{ words }}</h1>\n", encoding="utf-8")
    assert drawn(environment(templates, compiled)) == "<h1><tea></h1>"
    assert compiled == ["page.html", "page.html"]


@pytest.mark.parametrize("options", [
    {"autoescape": True},
    {"trim_blocks": True},
    {"variable_start_string": "[[", "variable_end_string": "]]"},
])
def test_the_same_template_in_another_setup_is_compiled_for_it(templates: Path, options: dict[str, object]) -> None:
    (templates / "page.html").write_text("{% if 1 %}\n<p>{{ words }}</p>[[ words ]]{% endif %}", encoding="utf-8")
    plain, other = drawn(environment(templates, [])), drawn(jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates), **options))  # type: ignore[arg-type]
    compiled: Compiled = []
    assert drawn(environment(templates, compiled, **options)) == other != plain
    assert compiled == ["page.html"]
    assert drawn(environment(templates, [])) == plain


def test_code_compiled_with_an_extension_is_not_taken_without_it(templates: Path) -> None:
    (templates / "page.html").write_text("{% for each in [1, 2] %}{{ each }}{% break %}{% endfor %}",
                                         encoding="utf-8")
    assert drawn(environment(templates, [], extensions=["jinja2.ext.loopcontrols"])) == "1"
    with pytest.raises(jinja2.TemplateSyntaxError):
        drawn(environment(templates, []))


def test_a_filter_passed_its_context_is_another_setup(templates: Path) -> None:
    """The code calling a filter differs with what the filter is passed."""
    (templates / "page.html").write_text("{{ words | shout }}", encoding="utf-8")
    plain = environment(templates, [])
    plain.filters["shout"] = str.upper
    assert drawn(plain) == "<TEA>"
    with_context = environment(templates, [])
    with_context.filters["shout"] = jinja2.pass_context(lambda context, value: f"{value}!{context['words']}")
    assert drawn(with_context) == "<tea>!<tea>"


def test_an_environment_whose_setup_cannot_be_told_keeps_nothing(templates: Path,
                                                                 own_temporary_folder: Path) -> None:
    chosen = jinja2.select_autoescape(["html"])
    for made in (lambda: environment(templates, [], autoescape=chosen),
                 lambda: environment(templates, [], finalize=lambda value: value)):
        env = made()
        assert env.bytecode_cache is None
        drawn(env)
    assert not list(own_temporary_folder.rglob(PATTERN % "*"))


@pytest.mark.parametrize("damage", [
    lambda path: path.write_bytes(b""),
    lambda path: path.write_bytes(path.read_bytes()[:40]),
    lambda path: path.write_bytes(path.read_bytes()[:12] + b"\xff" * 30),
], ids=["empty", "cut short", "garbled"])
def test_a_damaged_cache_file_is_compiled_again(templates: Path, own_temporary_folder: Path,
                                                damage: Callable[[Path], object]) -> None:
    drawn(environment(templates, []))
    [kept] = own_temporary_folder.rglob(PATTERN % "*")
    damage(kept)
    compiled: Compiled = []
    assert drawn(environment(templates, compiled)) == "<p><tea></p>"
    assert compiled == ["page.html"]


def test_a_cache_that_cannot_be_written_costs_time_not_the_drawing(templates: Path, tmp_path: Path) -> None:
    env = environment(templates, [])
    assert isinstance(env.bytecode_cache, jinja2.FileSystemBytecodeCache)
    env.bytecode_cache.directory = str(tmp_path / "removed")
    assert drawn(env) == "<p><tea></p>"
    assert not (tmp_path / "removed").exists()
