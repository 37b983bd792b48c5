"""Which of a site's own theme files each page template may draw with: everything it names, however it names it."""

from __future__ import annotations

from pathlib import Path

import jinja2

from narrative.theme_keys import reach, split


def environment(templates: dict[str, str]) -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.DictLoader(templates))


def test_a_template_reaches_what_it_extends_includes_and_imports_and_what_those_reach() -> None:
    env = environment({
        "story.html": '{% extends "main.html" %}{% from "forms.html" import form %}{% include ["a.html", "b.html"] %}',
        "main.html": '{% import "macros.html" as m %}{{ same_at_each_depth("partials/footer.html") }}',
        "partials/footer.html": '{% include "partials/social.html" %}',
    })
    found = reach(env, "story.html")
    assert found.names >= {"story.html", "main.html", "forms.html", "a.html", "b.html", "macros.html",
                           "partials/footer.html", "partials/social.html"}
    assert found.beginnings == set()
    assert not found.covers("list.html")


def test_a_template_named_without_a_suffix_is_read_and_a_loop_ends() -> None:
    env = environment({"page.html": '{% include "partials/custom" %}', "partials/custom": '{% include "x.html" %}',
                       "x.html": '{% include "page.html" %}'})
    assert reach(env, "page.html").names == {"page.html", "partials/custom", "x.html"}


def test_a_name_made_while_drawing_reaches_every_file_under_its_fixed_beginning() -> None:
    env = environment({"page.html": '{% include ".icons/" ~ icon ~ ".svg" %}{% import lang ~ ".html" as t %}'})
    found = reach(env, "page.html")
    assert found.beginnings == {".icons/", ""}
    assert found.covers(".icons/material/home.svg") and found.covers("anything.html")


def test_a_template_that_cannot_be_read_may_draw_with_anything(tmp_path: Path) -> None:
    found = reach(environment({"page.html": "{% include 'broken.html' %}", "broken.html": "{% if %}"}), "page.html")
    assert found.covers("partials/anything.html")
    (tmp_path / "page.html").write_bytes(b"\xff\xfe not text")
    assert reach(jinja2.Environment(loader=jinja2.FileSystemLoader(tmp_path)), "page.html").covers("any.html")


def test_site_files_are_shared_out_among_the_templates_that_reach_them(tmp_path: Path) -> None:
    own = tmp_path / "overrides"
    for name in ["narrative/story.html", "narrative/partials/card.html", "assets/extra.css", "unused.html"]:
        (own / name).parent.mkdir(parents=True, exist_ok=True)
        (own / name).write_text("{# site file #}", encoding="utf-8")
    env = environment({"narrative/story.html": '{% extends "main.html" %}',
                       "narrative/stories.html": '{% include "narrative/partials/card.html" %}',
                       "main.html": '<link href="{{ "assets/extra.css" | url }}">'})
    used, unreached = split(env, own, ["narrative/story.html", "narrative/stories.html"])
    assert used == {"narrative/story.html": [own / "assets/extra.css", own / "narrative/story.html"],
                    "narrative/stories.html": [own / "narrative/partials/card.html"]}
    assert unreached == [own / "unused.html"]


def test_templates_read_once_for_several_pages_are_followed_for_each() -> None:
    env = environment({"story.html": '{% extends "main.html" %}', "list.html": '{% extends "main.html" %}',
                       "main.html": '{% include "partials/footer.html" %}'})
    read: dict = {}
    assert all(reach(env, root, read).covers("partials/footer.html") for root in ["story.html", "list.html"])
