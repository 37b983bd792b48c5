"""Sending email, by SMTP or through GOV.UK Notify: the only module that imports smtplib or Notify's client.

`NARRATIVE_MAIL_VIA` chooses (`smtp`, the default, or `notify`). SMTP takes `NARRATIVE_SMTP_HOST`, `_PORT`,
`_USER`, `_PASSWORD` and `_TLS` (`starttls`, the default; `ssl`; or `none` for a relay on the same machine);
Notify takes `NARRATIVE_NOTIFY_API_KEY` and `NARRATIVE_NOTIFY_TEMPLATE` (an email template whose subject is
`((subject))` and whose body is `((body))`), and `NARRATIVE_NOTIFY_URL` to reach another address than
Notify's own. `send()` answers with an `Outcome`, never an exception, so a caller counts and carries on: a
server's 4xx (or a lost connection) is `LATER`, a 5xx refusal of the address is `BOUNCED`.
"""

from __future__ import annotations

import enum
import os
import smtplib
import ssl
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import requests
from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient

VIA, RATE, CONNECTIONS = "NARRATIVE_MAIL_VIA", "NARRATIVE_SEND_RATE", "NARRATIVE_SEND_CONNECTIONS"
TLS_MODES = ("starttls", "ssl", "none")


class MailerProblem(ValueError):
    """The mail settings are missing or wrong; the message is one line naming the variable."""


class Outcome(enum.Enum):
    SENT = "sent"
    LATER = "later"
    BOUNCED = "bounced"


@dataclass(frozen=True)
class Message:
    """One email to one address: the whole message for SMTP, and its subject and text for Notify (which draws
    its own HTML). `reference` is what Notify keeps beside it: never personal data."""

    to: str
    subject: str
    text: str
    eml: bytes
    unsubscribe: str | None = None
    reference: str = ""


class Mailer(Protocol):
    def send(self, message: Message) -> Outcome: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class MailSettings:
    """How mail leaves: by which road, with what credentials, and at most how many messages a second."""

    via: str = "smtp"
    sender: str = ""
    """The envelope sender (`MAIL FROM`): the digests' `From` address."""
    host: str = "127.0.0.1"
    port: int = 587
    user: str | None = None
    password: str | None = None
    tls: str = "starttls"
    notify_key: str | None = None
    notify_template: str | None = None
    notify_url: str = "https://api.notifications.service.gov.uk"
    rate: float = 0.0
    """Messages a second at most (`NARRATIVE_SEND_RATE`); 0 for as fast as the server takes them."""
    connections: int = 4
    """Messages on their way at once, each over its own connection (`NARRATIVE_SEND_CONNECTIONS`)."""

    @classmethod
    def from_environment(cls, sender: str, environ: Mapping[str, str] = os.environ) -> MailSettings:
        via = environ.get(VIA, "smtp").strip().lower() or "smtp"
        if via not in ("smtp", "notify"):
            raise MailerProblem(f"{VIA} must be smtp or notify, not {via!r}")
        tls = environ.get("NARRATIVE_SMTP_TLS", "starttls").strip().lower()
        if tls not in TLS_MODES:
            raise MailerProblem(f"NARRATIVE_SMTP_TLS must be one of {', '.join(TLS_MODES)}, not {tls!r}")
        numbers = {}
        for name, default in (("NARRATIVE_SMTP_PORT", "465" if tls == "ssl" else "587"), (RATE, "0"),
                              (CONNECTIONS, "4")):
            try:
                numbers[name] = float(environ.get(name, "").strip() or default)
            except ValueError:
                raise MailerProblem(f"{name} must be a number, not {environ[name]!r}") from None
        settings = cls(via, sender, environ.get("NARRATIVE_SMTP_HOST", cls.host).strip(),
                       int(numbers["NARRATIVE_SMTP_PORT"]), environ.get("NARRATIVE_SMTP_USER") or None,
                       environ.get("NARRATIVE_SMTP_PASSWORD") or None, tls,
                       environ.get("NARRATIVE_NOTIFY_API_KEY") or None,
                       environ.get("NARRATIVE_NOTIFY_TEMPLATE") or None,
                       environ.get("NARRATIVE_NOTIFY_URL") or cls.notify_url, numbers[RATE],
                       max(1, int(numbers[CONNECTIONS])))
        if via == "notify" and not (settings.notify_key and settings.notify_template):
            raise MailerProblem("NARRATIVE_MAIL_VIA is notify: set NARRATIVE_NOTIFY_API_KEY and "
                                "NARRATIVE_NOTIFY_TEMPLATE (an email template with ((subject)) and ((body)))")
        return settings


def _smtp_outcome(code: int) -> Outcome:
    return Outcome.LATER if 400 <= code < 500 else Outcome.BOUNCED


class SmtpMailer:
    """One connection, opened on the first message, used by one thread at a time. A connection the server
    has closed while it sat idle (as the service's does between sign-ups) is opened again once."""

    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None
        self._lock = threading.Lock()

    def _connect(self) -> smtplib.SMTP:
        settings = self.settings
        if settings.tls == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=60,
                                                  context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=60)
            if settings.tls == "starttls":
                smtp.starttls(context=ssl.create_default_context())
        if settings.user:
            smtp.login(settings.user, settings.password or "")
        return smtp

    def send(self, message: Message) -> Outcome:
        with self._lock:
            outcome = self._attempt(message)
            return self._attempt(message) if outcome is None else outcome

    def _attempt(self, message: Message) -> Outcome | None:
        """The outcome; None when a connection kept from before had been closed (worth one more try)."""
        kept = self._smtp is not None
        try:
            if self._smtp is None:
                self._smtp = self._connect()
            self._smtp.sendmail(self.settings.sender, [message.to], message.eml)
            return Outcome.SENT
        except smtplib.SMTPRecipientsRefused as error:
            return _smtp_outcome(next(iter(error.recipients.values()))[0])
        except smtplib.SMTPResponseException as error:
            if error.smtp_code == 421:  # the server is closing the connection (an idle one, say)
                self.close()
                return None if kept else Outcome.LATER
            outcome = _smtp_outcome(error.smtp_code)
            self._reset()
            return outcome
        except (smtplib.SMTPException, OSError):
            self.close()
            return None if kept else Outcome.LATER

    def _reset(self) -> None:
        try:
            if self._smtp is not None:
                self._smtp.rset()
        except (smtplib.SMTPException, OSError):
            self.close()

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()


class NotifyMailer:
    """GOV.UK Notify's API, by its Python client, one request at a time: 400 means Notify refuses the address
    (a bounce); 429 and 5xx mean try later; 403 means the key is wrong, which no message can mend."""

    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings
        self._client = NotificationsAPIClient(settings.notify_key, base_url=settings.notify_url)
        self._lock = threading.Lock()

    def send(self, message: Message) -> Outcome:
        with self._lock:
            return self._send(message)

    def _send(self, message: Message) -> Outcome:
        try:
            self._client.send_email_notification(
                email_address=message.to, template_id=self.settings.notify_template,
                personalisation={"subject": message.subject, "body": message.text},
                reference=message.reference or None, one_click_unsubscribe_url=message.unsubscribe)
        except HTTPError as error:
            if error.status_code == 403:
                raise MailerProblem("GOV.UK Notify refused the key in NARRATIVE_NOTIFY_API_KEY (403)") from None
            return Outcome.BOUNCED if error.status_code == 400 else Outcome.LATER
        except requests.RequestException:
            return Outcome.LATER
        return Outcome.SENT

    def close(self) -> None:
        self._client.request_session.close()


def mailer_for(settings: MailSettings) -> Mailer:
    return NotifyMailer(settings) if settings.via == "notify" else SmtpMailer(settings)


class Pace:
    """At most `rate` messages a second, evenly spaced, whichever connection sends them (0: no limit)."""

    def __init__(self, rate: float) -> None:
        self.gap = 1 / rate if rate > 0 else 0.0
        self.next = time.monotonic()
        self.lock = threading.Lock()

    def wait(self) -> None:
        if not self.gap:
            return
        with self.lock:
            now = time.monotonic()
            turn = max(now, self.next)
            self.next = turn + self.gap
        if turn > now:
            time.sleep(turn - now)
