"""Sending by SMTP (a real aiosmtpd server) and through GOV.UK Notify (a stand-in on 127.0.0.1 speaking its
documented API: POST /v2/notifications/email with a JWT signed by the key's secret)."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest

from narrative.intake.mailer import (MailerProblem, MailSettings, Message, NotifyMailer, Outcome, Pace, SmtpMailer,
                                     mailer_for)
from aiosmtpd.controller import Controller

from tests.smtp import Handler, Sink, smtp  # noqa: F401 - a fixture

SERVICE_ID, SECRET = str(uuid.uuid4()), str(uuid.uuid4())
API_KEY = f"narrative_test-{SERVICE_ID}-{SECRET}"
TEMPLATE = str(uuid.uuid4())


def message(to: str = "reader@example.org") -> Message:
    eml = (f"From: stories@example.org\r\nTo: {to}\r\nSubject: Hello\r\nMessage-ID: <m1@example.org>\r\n\r\n"
           "Hello\r\n").encode()
    return Message(to, "Hello", "Hello\n", eml, "https://intake.example.org/subscribe/unsubscribe/t", "daily/1")


def test_smtp_sends_and_answers_4xx_as_later_and_5xx_as_bounced(smtp: Sink) -> None:
    mailer = SmtpMailer(MailSettings.from_environment("stories@example.org", smtp.environ()))
    assert mailer.send(message()) is Outcome.SENT
    assert mailer.send(message("busy@example.org")) is Outcome.LATER
    assert mailer.send(message("gone@example.org")) is Outcome.BOUNCED
    assert mailer.send(message("second@example.org")) is Outcome.SENT  # the connection survives refusals
    mailer.close()
    assert [m["To"] for m in smtp.messages] == ["reader@example.org", "second@example.org"]
    assert smtp.messages[0]["Message-ID"] == "<m1@example.org>"


def test_a_connection_the_server_closed_is_opened_again_once(smtp: Sink) -> None:
    mailer = SmtpMailer(MailSettings.from_environment("stories@example.org", smtp.environ()))
    assert mailer.send(message()) is Outcome.SENT
    smtp.controller.stop()  # every open connection dropped, as a server does with idle ones
    smtp.controller = Controller(Handler(smtp), hostname=smtp.host, port=smtp.port)
    smtp.controller.start()
    assert mailer.send(message("second@example.org")) is Outcome.SENT
    mailer.close()
    assert [m["To"] for m in smtp.messages] == ["reader@example.org", "second@example.org"]


def test_smtp_that_cannot_be_reached_is_later() -> None:
    settings = MailSettings.from_environment("s@example.org", {
        "NARRATIVE_SMTP_HOST": "127.0.0.1", "NARRATIVE_SMTP_PORT": "1", "NARRATIVE_SMTP_TLS": "none"})
    assert SmtpMailer(settings).send(message()) is Outcome.LATER


@pytest.mark.parametrize(("environ", "error"), [
    ({"NARRATIVE_MAIL_VIA": "pigeon"}, "NARRATIVE_MAIL_VIA must be smtp or notify, not 'pigeon'"),
    ({"NARRATIVE_SMTP_TLS": "maybe"}, "NARRATIVE_SMTP_TLS must be one of starttls, ssl, none, not 'maybe'"),
    ({"NARRATIVE_SMTP_PORT": "twenty"}, "NARRATIVE_SMTP_PORT must be a number, not 'twenty'"),
    ({"NARRATIVE_MAIL_VIA": "notify"}, "NARRATIVE_MAIL_VIA is notify: set NARRATIVE_NOTIFY_API_KEY and "
                                       "NARRATIVE_NOTIFY_TEMPLATE (an email template with ((subject)) and ((body)))"),
])
def test_bad_mail_settings_name_the_variable(environ: dict[str, str], error: str) -> None:
    with pytest.raises(MailerProblem) as raised:
        MailSettings.from_environment("s@example.org", environ)
    assert str(raised.value) == error


def test_the_settings_default_to_starttls_on_587_and_ssl_on_465() -> None:
    assert MailSettings.from_environment("s@example.org", {}).port == 587
    assert MailSettings.from_environment("s@example.org", {"NARRATIVE_SMTP_TLS": "ssl"}).port == 465


class _Notify(BaseHTTPRequestHandler):
    """GOV.UK Notify's email endpoint as its API documentation describes it."""

    received: list[dict[str, Any]] = []

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Quiet."""

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:  # noqa: N802 - the standard library's name
        token = self.headers.get("Authorization", "").removeprefix("Bearer ")
        try:
            claims = jwt.decode(token, SECRET, algorithms=["HS256"], options={"require": ["iss", "iat"]})
            assert claims["iss"] == SERVICE_ID and abs(time.time() - claims["iat"]) <= 30
        except (jwt.PyJWTError, AssertionError):
            self._answer(403, {"status_code": 403, "errors": [
                {"error": "AuthError", "message": "Invalid token: signature, api token not found"}]})
            return
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.path != "/v2/notifications/email" or body.get("template_id") != TEMPLATE:
            self._answer(400, {"status_code": 400, "errors": [{"error": "BadRequestError",
                                                              "message": "Template not found"}]})
            return
        if body["email_address"].startswith("busy"):
            self._answer(429, {"status_code": 429, "errors": [{
                "error": "RateLimitError",
                "message": "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds"}]})
            return
        if body["email_address"].startswith("gone"):
            self._answer(400, {"status_code": 400, "errors": [{"error": "ValidationError",
                                                              "message": "email_address Not a valid email address"}]})
            return
        self.received.append(body)
        self._answer(201, {"id": str(uuid.uuid4()), "reference": body.get("reference"), "content": {
            "subject": body["personalisation"]["subject"], "body": body["personalisation"]["body"],
            "from_email": "stories@notifications.service.gov.uk",
            "one_click_unsubscribe_url": body.get("one_click_unsubscribe_url")},
            "uri": "https://api.notifications.service.gov.uk/v2/notifications/x",
            "template": {"id": TEMPLATE, "version": 1, "uri": "https://api.notifications.service.gov.uk/t"}})


@pytest.fixture
def notify() -> Iterator[str]:
    _Notify.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Notify)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def notify_settings(url: str, key: str = API_KEY) -> MailSettings:
    return MailSettings.from_environment("s@example.org", {
        "NARRATIVE_MAIL_VIA": "notify", "NARRATIVE_NOTIFY_API_KEY": key, "NARRATIVE_NOTIFY_TEMPLATE": TEMPLATE,
        "NARRATIVE_NOTIFY_URL": url})


def test_notify_sends_subject_body_reference_and_one_click_address(notify: str) -> None:
    mailer = mailer_for(notify_settings(notify))
    assert isinstance(mailer, NotifyMailer)
    assert mailer.send(message()) is Outcome.SENT
    assert mailer.send(message("busy@example.org")) is Outcome.LATER
    assert mailer.send(message("gone@example.org")) is Outcome.BOUNCED
    mailer.close()
    assert _Notify.received == [{
        "email_address": "reader@example.org", "template_id": TEMPLATE,
        "personalisation": {"subject": "Hello", "body": "Hello\n"}, "reference": "daily/1",
        "one_click_unsubscribe_url": "https://intake.example.org/subscribe/unsubscribe/t"}]


def test_a_key_notify_refuses_stops_the_run(notify: str) -> None:
    mailer = NotifyMailer(notify_settings(notify, f"narrative_test-{SERVICE_ID}-{uuid.uuid4()}"))
    with pytest.raises(MailerProblem) as raised:
        mailer.send(message())
    assert str(raised.value) == "GOV.UK Notify refused the key in NARRATIVE_NOTIFY_API_KEY (403)"


def test_notify_that_cannot_be_reached_is_later() -> None:
    assert NotifyMailer(notify_settings("http://127.0.0.1:1")).send(message()) is Outcome.LATER


def test_the_pace_spaces_messages_by_the_rate() -> None:
    pace = Pace(50)
    started = time.monotonic()
    for _ in range(11):
        pace.wait()
    assert 0.19 <= time.monotonic() - started < 0.5
