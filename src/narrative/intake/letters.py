"""The one email a sign-up sends: a request to confirm, saying in plain words what and how often.

Plain text only (every mail program shows it, and a screen reader reads it as written); nothing in it but
the confirmation link, which works for two days, and the way to ignore it.
"""

from __future__ import annotations

from email import policy
from email.message import EmailMessage

from narrative.config import Settings
from narrative.intake.mailer import Message
from narrative.intake.scopes import HOW_OFTEN, describe
from narrative.mail import paragraph, parse_address


def confirmation(address: str, scope: str, frequency: str, link: str, settings: Settings) -> Message:
    """The confirmation email for a sign-up, ready for the mailer."""
    subject = f"Confirm your emails from {settings.site_name}"
    paragraphs = [
        f"Someone, we hope you, asked {settings.organisation} to email this address about {describe(scope, settings)}: "
        f"{HOW_OFTEN[frequency]}.",
        "To start getting them, open this link within two days and press the button on the page:",
    ]
    ending = ["If you did not ask for this, you need do nothing: we send nothing more, and we forget this address "
              "within a week.",
              "Every email we send has a link to stop them, and one to change what you get."]
    text = "\n\n".join([*map(paragraph, paragraphs), link, *map(paragraph, ending)])
    return plain(address, subject, text + "\n", settings, "confirmation")


def plain(address: str, subject: str, text: str, settings: Settings, reference: str) -> Message:
    """A plain-text email from the site's sender, ready for the mailer; `reference` is Notify's (no personal data)."""
    message = EmailMessage(policy=policy.SMTP)
    message["Subject"] = subject
    message["From"] = parse_address(settings.digest.sender or "") or ""
    message["To"] = address
    if settings.digest.reply_to and (reply_to := parse_address(settings.digest.reply_to)):
        message["Reply-To"] = reply_to
    message.set_content(text, cte="quoted-printable")
    return Message(address, subject, text, message.as_bytes(), reference=reference)
