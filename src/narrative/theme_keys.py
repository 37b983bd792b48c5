"""Which of a site's own theme files (MkDocs' `custom_dir`) each page template draws with, so that an edit to
one of them draws again only the pages made from a template that uses it.

What a template uses is read from it with Jinja's own parser: each `extends`, `include`, `import` and `from`,
and every quoted name of a template file anywhere in it (the hook's `narrative_same_at_each_depth` is given
one), followed into the files they name. A name made while drawing (`".icons/" ~ icon ~ ".svg"`) may be any
file under its fixed beginning, and one with no fixed beginning any file at all. A site file that no page
template can reach stays in what every page shares: a key never leaves out anything a page may draw with.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from jinja2 import nodes

_REFERENCES = (nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)
_SUFFIXES = (".html", ".xml", ".svg", ".js", ".css", ".txt")
_TEMPLATES = (".html", ".xml")
"""Names read as templates; files of the other kinds named are only used, as they are."""


@dataclass
class Reach:
    """What one template may draw with: the names of templates, and the beginnings of names made while drawing."""

    names: set[str] = field(default_factory=set)
    beginnings: set[str] = field(default_factory=set)

    def covers(self, name: str) -> bool:
        return name in self.names or any(name.startswith(beginning) for beginning in self.beginnings)


def reach(env: jinja2.Environment, root: str, read: dict[str, nodes.Template | None] | None = None) -> Reach:
    """Every template `root` may draw with, itself included, through the templates it names; `read` keeps each
    template parsed once for several roots. A template that cannot be read or parsed may draw with anything."""
    read = {} if read is None else read
    found, todo, opened = Reach(), [(root, True)], set()
    while todo:
        name, drawn = todo.pop()  # (drawn: named where a template is drawn, so a template whatever its name)
        found.names.add(name)
        if name in opened or not (drawn or name.endswith(_TEMPLATES)):
            continue
        opened.add(name)
        try:
            tree = _parsed(env, name, read)
        except (jinja2.TemplateError, UnicodeError):
            found.beginnings.add("")
            continue
        if tree is None:
            continue
        for reference in tree.find_all(_REFERENCES):
            todo += [(value, True) for value in _written(reference.template)]
            if not _fixed(reference.template):
                found.beginnings.add(_beginning(reference.template))
        todo += [(const.value, False) for const in tree.find_all(nodes.Const) if _template_name(const.value)]
    return found


def _parsed(env: jinja2.Environment, name: str, read: dict[str, nodes.Template | None]) -> nodes.Template | None:
    """The template `name` parsed, or None if there is none."""
    if name not in read:
        try:
            source, _, _ = env.loader.get_source(env, name) if env.loader else ("", None, None)
            read[name] = env.parse(source)
        except jinja2.TemplateNotFound:
            read[name] = None
    return read[name]


def _template_name(value: object) -> bool:
    return isinstance(value, str) and value.endswith(_SUFFIXES) and not any(mark.isspace() for mark in value)


def _written(expression: nodes.Node) -> list[str]:
    """The names written out in a referenced template's name."""
    found = [expression, *expression.find_all(nodes.Const)]
    return [each.value for each in found if isinstance(each, nodes.Const) and isinstance(each.value, str)]


def _fixed(expression: nodes.Node) -> bool:
    """Whether a referenced template's name is written out (one name, or a list of them)."""
    if isinstance(expression, nodes.Const):
        return True
    return isinstance(expression, (nodes.List, nodes.Tuple)) and all(
        isinstance(item, nodes.Const) for item in expression.items)


def _beginning(expression: nodes.Node) -> str:
    """The fixed beginning of a name made while drawing: `"partials/languages/" ~ lang ~ ".html"` begins with
    `partials/languages/`; a name with none may be anything, and begins with ''."""
    while isinstance(expression, (nodes.Concat, nodes.Add)):
        expression = expression.nodes[0] if isinstance(expression, nodes.Concat) else expression.left
    return expression.value if isinstance(expression, nodes.Const) and isinstance(expression.value, str) else ""


def own_files(folder: Path) -> dict[str, Path]:
    """A site's theme files by the name a template would give them."""
    return {path.relative_to(folder).as_posix(): path for path in sorted(folder.rglob("*")) if path.is_file()}


def split(env: jinja2.Environment, folder: Path, templates: Iterable[str]
          ) -> tuple[dict[str, list[Path]], list[Path]]:
    """The site's theme files in `folder` that each of `templates` may draw with, and those no page template
    can reach (left for every page's key)."""
    files = own_files(folder)
    read: dict[str, nodes.Template | None] = {}
    reaches = {template: reach(env, template, read) for template in templates}
    used = {template: [path for name, path in files.items() if found.covers(name)]
            for template, found in reaches.items()}
    shared = [path for name, path in files.items() if not any(found.covers(name) for found in reaches.values())]
    return used, shared
