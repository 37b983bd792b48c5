"""What the form's answers become: the story file a contributor would have written, checked, screened and
redacted by the core, with a reference the writer keeps; and, apart from it, what only the private store holds.

`build()` is the one recipe: the answers to front matter and body (`status: draft`), personal data replaced by
placeholders (unless the site's repository is private and `redact` is off), the same field checks and screen as
a pull request gets. The original words and the contact addresses go into `Original`, never into the file.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

import yaml

from narrative import fields, loader, render
from narrative.intake.form import FormInput
from narrative.intake.settings import IntakeSettings
from narrative.loader import SourceFile
from narrative.model import Kind
from narrative.problems import Problem
from narrative.redact import Redaction, Removal, redact
from narrative.scaffold import slugify
from narrative.screen import screen_item
from narrative.screen.finding import CRISIS

REFERENCE_LETTERS = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Crockford's base 32: no I, L, O or U, so a reference read out on the phone is not misheard."""


def new_reference(prefix: str) -> str:
    """A short reference a person can read out, e.g. `HM-7K3Q-2F9D`: 40 random bits."""
    code = "".join(secrets.choice(REFERENCE_LETTERS) for _ in range(8))
    return f"{prefix}-{code[:4]}-{code[4:]}"


@dataclass(frozen=True)
class Submission:
    """A story on its way to the editors: everything in it may go to git."""

    reference: str
    slug: str
    markdown: str
    """The file's text exactly as a contributor would write it, personal data already replaced."""
    photos: tuple[tuple[str, bytes], ...]
    """Each picture's path from the story's folder (`<slug>/photo-1.jpg`) and its cleaned bytes."""
    removed: tuple[Removal, ...]
    """What redaction took out, by kind and line: never the value."""
    urgent: bool
    """The screen found words about suicide, self-harm, abuse or danger: the editors must see it today."""
    received: dt.datetime

    @property
    def path(self) -> str:
        """The story file's path from the stories folder."""
        return f"{Kind.STORY.folder}/{self.slug}.md"

    @property
    def files(self) -> tuple[tuple[str, bytes], ...]:
        """Every file the submission adds, by its path from the stories folder: the story, then its pictures."""
        return ((self.path, self.markdown.encode("utf-8")),
                *((f"{Kind.STORY.folder}/{name}", data) for name, data in self.photos))

    def to_bytes(self) -> bytes:
        data = {**dataclasses.asdict(self), "received": self.received.isoformat(),
                "photos": [[name, base64.b64encode(content).decode("ascii")] for name, content in self.photos]}
        return json.dumps(data).encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> Submission:
        raw = json.loads(data)
        return cls(raw["reference"], raw["slug"], raw["markdown"],
                   tuple((name, base64.b64decode(content)) for name, content in raw["photos"]),
                   tuple(Removal(*removal) for removal in raw["removed"]), raw["urgent"],
                   dt.datetime.fromisoformat(raw["received"]))


@dataclass(frozen=True)
class Original:
    """What only the private store keeps: the file before redaction and the writer's addresses."""

    text: str
    contact_email: str | None = None
    """Where an editor may write to the writer, if they said so."""
    notify_email: str | None = None
    """Where to say the story was published or answered, if they asked."""

    def to_bytes(self) -> bytes:
        return json.dumps(dataclasses.asdict(self)).encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> Original:
        return cls(**json.loads(data))


def build(answers: FormInput, settings: IntakeSettings, *, reference: str,
          received: dt.datetime) -> tuple[Submission, Original] | list[Problem]:
    """The submission and its private part, or the core's problems with the file the answers make."""
    site = settings.site
    day = received.astimezone(site.zone).date()
    slug = _slug(_redacted(answers.title, settings).text, settings, reference)
    photos = tuple((f"{slug}/photo-{number}.{photo.extension}", photo.data)
                   for number, photo in enumerate(answers.photos, start=1))
    original = markdown(answers, day, [(name, photo.alt) for (name, _), photo in zip(photos, answers.photos)])
    redaction = _redacted(original, settings)
    file = _read(redaction.text, slug, settings)
    if isinstance(file, Problem):
        return [file]
    # The pictures are not on disk yet for `images` to find: the form has checked them and their descriptions.
    item, problems = fields.build(dataclasses.replace(file, meta={key: value for key, value in file.meta.items()
                                                                  if key != "images"}), site)
    if item is None:
        return problems
    if (trouble := render.trouble(item.body, site.limits)) is not None:  # as `narrative check` would refuse it
        line, message = trouble
        return [Problem(file.path, file.source.body_line + line, None, message, "unrenderable")]
    findings, _, _ = screen_item(item, site)
    submission = Submission(reference, slug, redaction.text, photos, redaction.removed,
                            any(finding.kind == CRISIS for finding in findings), received)
    return submission, Original(original, answers.contact_email, answers.notify_email)


def _read(text: str, slug: str, settings: IntakeSettings) -> SourceFile | Problem:
    """The file as `narrative check` reads one from disk, within the same limits on its size and lines."""
    site = settings.site
    shown = f"{site.stories_dir}/{Kind.STORY.folder}/{slug}.md"
    size = len(text.encode("utf-8"))
    if size > site.limits.max_file_size:
        return loader.too_big(size, shown, site.limits.max_file_size)
    return (loader.long_line(text, shown, site.limits.max_line_length)
            or loader.parse(text, shown, Kind.STORY, site.stories_path / Kind.STORY.folder / f"{slug}.md"))


def _redacted(text: str, settings: IntakeSettings) -> Redaction:
    return redact(text) if settings.redact else Redaction(text, ())


def _slug(title: str, settings: IntakeSettings, reference: str) -> str:
    """The file name from the (redacted) title; with the reference's end when a story already has that name, or
    the name is kept for a list page."""
    slug = slugify(title) or "story"
    taken = slug in fields.RESERVED_SLUGS or (settings.site.stories_path / Kind.STORY.folder / f"{slug}.md").exists()
    return f"{slug}-{reference[-4:].lower()}" if taken else slug


def _author(answers: FormInput) -> str | None:
    """The name or initials the writer chose to be shown by; none when they chose to be anonymous."""
    return None if answers.naming == "anonymous" else answers.name


class _FrontMatterDumper(yaml.SafeDumper):
    """YAML as people write front matter: `topics: [carers]` on one line, no `&id001` for a repeated date."""

    def ignore_aliases(self, data: object) -> bool:
        return True


_FrontMatterDumper.add_representer(list, lambda dumper, data: dumper.represent_sequence(
    "tag:yaml.org,2002:seq", data, flow_style=all(isinstance(entry, str) for entry in data)))


def markdown(answers: FormInput, day: dt.date, images: Sequence[tuple[str, str]]) -> str:
    """The story file, in the order and shape `narrative new story` writes, as a draft for an editor."""
    front = {
        "title": answers.title,
        "date": day,
        "summary": answers.summary,
        "topics": list(answers.topics),
        "consent": {"given": True, "date": day,
                    "how": f"Agreed on the web form (consent wording {answers.consent_version})"},
        "author": _author(answers),
        "role": answers.role,
        "location": answers.location,
        "service": answers.service,
        "content_note": answers.content_note,
        "images": [{"src": src, "alt": alt} for src, alt in images] or None,
        "status": "draft",
    }
    header = yaml.dump({key: value for key, value in front.items() if value}, Dumper=_FrontMatterDumper,
                       sort_keys=False, allow_unicode=True, width=1000)
    return f"---\n{header}---\n{answers.story.strip()}\n"
