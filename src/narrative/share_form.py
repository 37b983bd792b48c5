"""The share form's fields, once: their names, their limits and what to say when an answer is missing or too long.

The page on `share-your-story/` draws the form from these (its script checks as you type, with the same limits
and the same words), and the intake service reads what is sent by them, so the page and the service never
disagree. The limits are the content model's (`fields.py`), so a story from the form is a valid story file.
"""

from __future__ import annotations

from dataclasses import dataclass

from narrative.model import LIMITS, TITLE_LIMIT

CONSENT_VERSION = "2026-12"
"""The version of the consent wording on the form, recorded with each story: change it when the wording changes."""
PHOTOS = 3
"""How many photos one story may bring."""
PHOTO_MEGABYTES = 5
"""The largest photo the form takes, in megabytes (of a million bytes)."""
INITIALS_LIMIT = 6
NAMING = (("name", "Use my name"), ("initials", "Use my initials"), ("anonymous", "Do not show my name (anonymous)"))
"""How a writer may be named: the value the form sends, and what the choice says."""
EMAIL_LIMIT = 254


@dataclass(frozen=True)
class FormField:
    """One answer on the form: its `name` (the HTML name and id), a `label` for messages, its longest length,
    the message when it is required and left empty (None: optional), and whether its line breaks are kept
    (otherwise every run of spaces and line breaks is one space, as in the front matter)."""

    name: str
    label: str
    limit: int | None = None
    missing: str | None = None
    multiline: bool = False

    @property
    def too_long(self) -> str:
        return f"{self.label} must be {self.limit:,} characters or fewer"


def _photo_fields() -> tuple[FormField, ...]:
    return tuple(FormField(f"photo-{number}-alt", f"The description of photo {number}", LIMITS["alt"],
                           f"Describe photo {number} for someone who cannot see it", multiline=True)
                 for number in range(1, PHOTOS + 1))


FIELDS: dict[str, FormField] = {field.name: field for field in (
    FormField("story", "Your story", 30_000, "Write your story", multiline=True),
    FormField("title", "The title", TITLE_LIMIT, "Give your story a title"),
    FormField("summary", "The summary", LIMITS["summary"], "Sum up your story in a sentence or two"),
    FormField("topics", "Topics", None, "Choose at least one topic"),
    FormField("naming", "How to name you", None, "Choose how you want to be named"),
    FormField("name", "Your name", LIMITS["author"], "Write the name or initials to show, or choose anonymous"),
    FormField("role", "Who you are", LIMITS["role"]),
    FormField("location", "Where it happened", LIMITS["location"]),
    FormField("service", "The service", LIMITS["service"]),
    FormField("content_note", "The warning", LIMITS["content_note"], multiline=True),
    *_photo_fields(),
    FormField("contact_email", "The email address", EMAIL_LIMIT),
    FormField("notify_email", "The email address", EMAIL_LIMIT),
    FormField("consent", "Consent", None, "Tick the box to say you agree, or use another way to share your story"),
)}

INITIALS_TOO_LONG = f"Initials must be {INITIALS_LIMIT} characters or fewer, like J.M."
BAD_EMAIL = "Enter an email address in the correct format, like name@example.com"
