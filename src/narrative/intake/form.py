"""What the share form sends, read and checked: every answer's rules at once, each problem in plain words for
the field it belongs to.

`read()` gives the `FormInput` to make a story from, or every `FieldError` in the order of the form (for the
error summary on top and the message beside each field), or `Spam` when the field only a robot fills in
(`website`, hidden from people) has something in it: the robot is thanked as anyone is, and nothing is kept.
The names, limits and messages are `narrative.share_form`'s, which the page's own checks use too. Photos are
decoded here (`photos.clean`): slow enough that the service calls `read()` in a worker thread.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, BinaryIO, Protocol

from email_validator import EmailNotValidError, validate_email

from narrative.config import Settings
from narrative.fields import unseen
from narrative.intake import photos
from narrative.share_form import BAD_EMAIL, FIELDS, INITIALS_LIMIT, INITIALS_TOO_LONG, NAMING, PHOTOS

HONEYPOT = "website"
TOO_MANY_PHOTOS = f"You can add up to {PHOTOS} photos"
UNKNOWN_TOPIC = "Choose topics from the list"


class Upload(Protocol):
    """A file from the form, as Starlette's `UploadFile` holds it."""

    filename: str | None
    file: BinaryIO


class Form(Protocol):
    """What was sent, as Starlette's `FormData` holds it: each name with its texts and files."""

    def getlist(self, key: str) -> list[Any]: ...

    def multi_items(self) -> list[tuple[str, Any]]: ...


@dataclass(frozen=True)
class Photo:
    """A photo made safe (`photos.clean`), with the words that describe it for someone who cannot see it."""

    data: bytes
    extension: str
    alt: str


@dataclass(frozen=True)
class FormInput:
    """Everything a story from the form holds: each optional answer left empty is None."""

    title: str
    summary: str
    story: str
    topics: tuple[str, ...]
    naming: str
    """`name`, `initials` or `anonymous`; `name` is None when anonymous."""
    name: str | None
    role: str | None
    location: str | None
    service: str | None
    content_note: str | None
    photos: tuple[Photo, ...]
    consent_version: str
    """The version of the consent wording the writer agreed to (`share_form.CONSENT_VERSION` when sent)."""
    contact_email: str | None
    """Where the editors may write to the writer: for the private store only, never for git."""
    notify_email: str | None
    """Where to say that the story is published or answered: for the private store only."""


@dataclass(frozen=True)
class FieldError:
    """A problem with one answer: `field` is the form field's name and id, which the error summary links to."""

    field: str
    message: str


@dataclass(frozen=True)
class Spam:
    """The hidden field was filled in: thank the sender as anyone, and keep nothing."""


def read(form_data: Form, settings: Settings) -> FormInput | list[FieldError] | Spam:
    """The form's answers checked against every rule, all problems at once, or `Spam`."""
    if any(text.strip() for text in _texts(form_data, HONEYPOT)):
        return Spam()
    errors: dict[str, str] = {}
    story = _answer(form_data, "story", errors)
    title = _answer(form_data, "title", errors)
    summary = _answer(form_data, "summary", errors)
    topics = _topics(form_data, settings, errors)
    naming, name = _naming(form_data, errors)
    role, location, service, content_note = (_answer(form_data, field, errors)
                                             for field in ("role", "location", "service", "content_note"))
    pictures = _photos(form_data, errors)
    contact_email, notify_email = (_email(form_data, field, errors) for field in ("contact_email", "notify_email"))
    consent_version = _consent(form_data, errors)
    if errors or not (story and title and summary and naming and consent_version):
        return [FieldError(field, message) for field, message in errors.items()]
    return FormInput(title=title, summary=summary, story=story, topics=topics, naming=naming, name=name, role=role,
                     location=location, service=service, content_note=content_note, photos=pictures,
                     consent_version=consent_version, contact_email=contact_email, notify_email=notify_email)


def typed(form_data: Form) -> dict[str, str | list[str]]:
    """What the writer typed and chose, to put back in the form beside the messages (never the files)."""
    values: dict[str, str | list[str]] = {name: _text(form_data, name) for name in FIELDS}
    values["topics"] = _texts(form_data, "topics")
    return values


def photos_sent(form_data: Form) -> bool:
    """Whether any photo came with the form: the browser cannot be given it back, so the writer is told."""
    return bool(_files(value for _, value in form_data.multi_items()))


def _files(values: Iterable[Any]) -> list[Upload]:
    """The files among `values`; an empty file box sends a file without a name, which is none."""
    return [value for value in values if hasattr(value, "file") and getattr(value, "filename", None)]


def _texts(form_data: Form, name: str) -> list[str]:
    """Every text sent under `name` (files left out), line endings made `\\n` as the page counted them."""
    return [value.replace("\r\n", "\n").replace("\r", "\n") for value in form_data.getlist(name)
            if isinstance(value, str)]


def _text(form_data: Form, name: str) -> str:
    return next(iter(_texts(form_data, name)), "")


def _visible(text: str) -> str:
    """The text without control characters a person cannot see or mean (but line breaks and tabs)."""
    return "".join(ch for ch in text if not unseen(ch))


def _answer(form_data: Form, name: str, errors: dict[str, str], required: bool | None = None) -> str | None:
    """A text answer tidied, or None when empty; its problem, if any, put in `errors`."""
    field = FIELDS[name]
    text = _visible(_text(form_data, name))
    text = text.strip() if field.multiline else " ".join(text.split())
    if not text:
        if field.missing and (required is None or required):
            errors[name] = field.missing
        return None
    if field.limit is not None and len(text) > field.limit:
        errors[name] = field.too_long
    return text


def _topics(form_data: Form, settings: Settings, errors: dict[str, str]) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(_texts(form_data, "topics")))
    if not chosen:
        errors["topics"] = FIELDS["topics"].missing or ""
    elif any(topic not in settings.topic_slugs for topic in chosen):
        errors["topics"] = UNKNOWN_TOPIC
    return chosen


def _naming(form_data: Form, errors: dict[str, str]) -> tuple[str | None, str | None]:
    """How the writer is to be named, and the name or initials unless anonymous."""
    naming = _text(form_data, "naming")
    if naming not in dict(NAMING):
        errors["naming"] = FIELDS["naming"].missing or ""
        return None, None
    name = _answer(form_data, "name", errors, required=naming != "anonymous")
    if naming == "initials" and name and len(name) > INITIALS_LIMIT:
        errors["name"] = INITIALS_TOO_LONG
    return naming, name if naming != "anonymous" else None


def _photos(form_data: Form, errors: dict[str, str]) -> tuple[Photo, ...]:
    if len(_files(value for _, value in form_data.multi_items())) > PHOTOS:
        errors["photo-1"] = TOO_MANY_PHOTOS
        return ()
    pictures = []
    for number in range(1, PHOTOS + 1):
        uploads = _files(form_data.getlist(f"photo-{number}"))
        picture = _photo(uploads[0], number, errors) if uploads else None
        alt = _answer(form_data, f"photo-{number}-alt", errors, required=bool(uploads))
        if picture is not None and alt is not None:
            pictures.append(Photo(picture.data, picture.extension, alt))
    return tuple(pictures)


def _photo(upload: Upload, number: int, errors: dict[str, str]) -> photos.CleanPhoto | None:
    try:
        return photos.clean(upload.file.read(photos.MAX_BYTES + 1))
    except photos.PhotoRefused as refused:
        errors[f"photo-{number}"] = f"Photo {number} {refused}"
        return None


def email_address(text: str) -> str | None:
    """An email address as typed, normalised, or None when it is not one (the subscription form reads it so too)."""
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError:
        return None


def ascii_address(text: str) -> str | None:
    """An email address normalised as every mail server takes it, without SMTPUTF8: an internationalised domain
    in its ASCII (IDNA) form; None when it is not an address or has letters beyond ASCII before the @."""
    try:
        return validate_email(text, check_deliverability=False).ascii_email
    except EmailNotValidError:
        return None


def _email(form_data: Form, name: str, errors: dict[str, str]) -> str | None:
    address = _answer(form_data, name, errors)
    if address is None or name in errors:
        return address
    normalised = email_address(address)
    if normalised is None:
        errors[name] = BAD_EMAIL
    return normalised


def _consent(form_data: Form, errors: dict[str, str]) -> str | None:
    """The version of the wording agreed to, when the box is ticked and the version came with it."""
    version = " ".join(_visible(_text(form_data, "consent_version")).split())[:40]
    if "yes" not in _texts(form_data, "consent") or not version:
        errors["consent"] = FIELDS["consent"].missing or ""
        return None
    return version
