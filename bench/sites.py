"""The three sites the build benchmark compares, all made from one synthetic content (bench/synthetic.py).

- ours: a narrative site (stories, updates, responses; pages, feeds, digests and the search index);
- the floor: the same story bodies as plain Markdown pages in a bare Material site with the search plugin only;
- the alternative: the same stories as posts for Material's blog plugin, with mkdocs-rss-plugin's feeds.

The floor and the alternative share what any MkDocs site of this organisation would have, taken from the sample
site's mkdocs.yml: the theme settings (without our overrides), the small explicit nav, the Markdown extensions
and the editor pages in docs/; a nav entry for a page only narrative makes (the story list, the pledge, the impact
page) gets a one-line page. Their own settings come from bench/floor/ and bench/alternative/, copied into a
scratch folder, so no generated site is ever kept in the repository.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from synthetic import PICTURE, REPO, Content, Post, front_matter, write_narrative

BENCH = Path(__file__).resolve().parent
EXCERPT = "<!-- more -->"
"""The blog plugin's excerpt mark, after a post's first paragraph: list pages show the excerpt, as a team writing
posts would have them do (without it every list page carries whole posts)."""
BLOG = "blog/index.md"
OWN_SETTINGS = ("theme", "nav", "markdown_extensions")


def _nav_pages(nav: Any) -> Iterator[tuple[str, str]]:
    """(title, page) for each page in a nav."""
    if isinstance(nav, list):
        for entry in nav:
            yield from _nav_pages(entry)
    elif isinstance(nav, dict):
        for title, value in nav.items():
            if isinstance(value, str):
                yield title, value
            else:
                yield from _nav_pages(value)


def _fresh(root: Path, template: str, nav_page: Callable[[str], str] = lambda page: page) -> Path:
    """A copy of the template folder with the sample site's theme, nav, Markdown extensions and editor pages."""
    if root.exists():
        shutil.rmtree(root)
    if (BENCH / template / "docs").exists():
        shutil.copytree(BENCH / template / "docs", root / "docs")
    shutil.copytree(REPO / "docs", root / "docs", dirs_exist_ok=True)
    for page in (root / "docs").rglob("*.md"):
        _drop_template(page)
    own = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    config = yaml.safe_load((BENCH / template / "mkdocs.yml").read_text(encoding="utf-8"))
    config.update({key: own[key] for key in OWN_SETTINGS if key in own})
    config["theme"] = {key: value for key, value in config["theme"].items() if key != "custom_dir"}
    config["nav"] = [{title: nav_page(page)} for title, page in _nav_pages(config.get("nav", []))]
    for title, page in _nav_pages(config["nav"]):
        if not (root / "docs" / page).exists():
            (root / "docs" / page).parent.mkdir(parents=True, exist_ok=True)
            (root / "docs" / page).write_text(f"# {title}\n", encoding="utf-8")
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return root / "mkdocs.yml"


def _drop_template(page: Path) -> None:
    """An editor page without the `template:` of ours, which only our theme overrides have."""
    text = page.read_text(encoding="utf-8")
    if text.startswith("---\n"):
        meta, _, body = text[4:].partition("\n---\n")
        fields = {key: value for key, value in (yaml.safe_load(meta) or {}).items() if key != "template"}
        page.write_text((front_matter(fields) if fields else "") + body.lstrip("\n"), encoding="utf-8")


def _picture(post: Post, folder: Path) -> str:
    """The post's picture written beside it, as Markdown to put in the text; empty when it has none."""
    if post.picture is None:
        return ""
    path = folder / post.picture.src
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(PICTURE)
    return f"![{post.picture.alt}]({post.picture.src})\n\n"


def _with_picture(post: Post, folder: Path, mark: str = "") -> str:
    """The body with the picture (if any) and `mark` after its first paragraph."""
    first, _, rest = post.body.partition("\n\n")
    return f"{first}\n\n{mark}{_picture(post, folder)}{rest}"


def ours(root: Path, content: Content) -> Path:
    return write_narrative(root, content)


def floor(root: Path, content: Content) -> Path:
    config = _fresh(root, "floor")
    folder = root / "docs/stories"
    folder.mkdir(parents=True, exist_ok=True)
    for story in content.stories:
        (folder / f"{story.slug}.md").write_text(f"# {story.title}\n\n{_with_picture(story, folder)}",
                                                  encoding="utf-8")
    return config


def topic_labels() -> dict[str, str]:
    """Topic slugs to labels, from the sample site's settings, which the synthetic stories use."""
    settings = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))["extra"]["narrative"]
    return {topic["slug"]: topic["label"] for topic in settings["topics"]}


def alternative(root: Path, content: Content) -> Path:
    config = _fresh(root, "alternative", lambda page: BLOG if page == "stories/index.md" else page)
    folder = root / "docs/blog/posts"
    folder.mkdir(parents=True)
    labels = topic_labels()
    for story in content.stories:
        meta = {"date": date.fromisoformat(story.date), "slug": story.slug,
                "categories": [labels[slug] for slug in story.topics]}
        text = front_matter(meta) + f"# {story.title}\n\n" + _with_picture(story, folder, f"{EXCERPT}\n\n")
        (folder / f"{story.slug}.md").write_text(text, encoding="utf-8")
    return config


WRITERS = {"ours": ours, "floor": floor, "alternative": alternative}
