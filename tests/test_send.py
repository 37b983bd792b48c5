"""`narrative send`: each subscription's digest for its scope and frequency, to a real SMTP server, exactly once:
run twice, or killed mid-send with SIGKILL and run again, nobody gets a digest twice and nobody is skipped."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from narrative.intake import links
from narrative.intake.keys import Keys, new_key
from narrative.intake.send import main
from narrative.intake.subscribers import Subscribers
from tests import content
from tests.postgres import fresh_database, postgres_server  # noqa: F401 - a fixture
from tests.test_mailer import API_KEY, SERVICE_ID, TEMPLATE, _Notify, notify  # noqa: F401 - a fixture
from tests.smtp import Sink, smtp  # noqa: F401 - a fixture

DAY = dt.date(2026, 3, 14)
NOW = dt.datetime(2026, 3, 14, 9, tzinfo=dt.UTC)
PUBLIC = "https://intake.example.org/"
DIGEST = {"sender": "Sample stories <stories@example.org>", "reply_to": "team@example.org",
          "unsubscribe_url": "https://stories.example.org/subscribe/"}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A site with three items and a response published on 14 March 2026, and a story from before."""
    root = tmp_path / "site"
    content.write_site(root, digest=DIGEST)
    content.story(root, "ward-seven", date="2026-03-01")
    content.story(root, "night-shift", date="2026-03-14T08:00", topics=["carers"])
    content.story(root, "gp-call", date="2026-03-14T09:00", topics=["primary-care"])
    content.update(root, "quiet-nights", date="2026-03-14T10:00", stories=["ward-seven"])
    content.response(root, "ward-seven-answer", "ward-seven", date="2026-03-14T11:00", change="planned")
    return root


@pytest.fixture
def environ(tmp_path: Path, smtp: Sink) -> dict[str, str]:
    return {"NARRATIVE_INTAKE_KEY": new_key(), "NARRATIVE_INTAKE_STATE": str(tmp_path / "state"),
            "NARRATIVE_INTAKE_PUBLIC_URL": PUBLIC, **smtp.environ()}


@pytest.fixture(params=["sqlite", "postgresql"])
def either(request: pytest.FixtureRequest, environ: dict[str, str]) -> dict[str, str]:
    """The environment, with the subscribers and the outbox in SQLite, then in PostgreSQL."""
    if request.param == "sqlite":
        return environ
    return {**environ, "NARRATIVE_SUBSCRIBERS_URL": fresh_database(request.getfixturevalue("postgres_server"))}


def subscribe(environ: dict[str, str], *wishes: tuple[str, str, str], confirm: bool = True) -> None:
    store = Subscribers.open(Path(environ["NARRATIVE_INTAKE_STATE"]), Keys.from_environment(environ), environ)
    for address, scope, frequency in wishes:
        made = store.sign_up(address, scope, frequency, NOW)
        if confirm:
            store.confirm(made.id, frequency, NOW)
    store.close()


def send(root: Path, environ: dict[str, str], period: str = "daily", day: dt.date = DAY) -> int:
    return main(argparse.Namespace(config_file=str(root / "mkdocs.yml"), period=period, date=day), environ)


def items(message) -> list[str]:  # type: ignore[no-untyped-def]
    """The titles in a digest's plain text, in order."""
    lines = message.get_body(("plain",)).get_content().splitlines()
    return [lines[number + 2] for number, line in enumerate(lines) if line == "-" * 20 and number + 2 < len(lines)
            and lines[number + 1] in ("STORY", "PLEDGE UPDATE", "RESPONSE")]


def test_each_scope_and_frequency_gets_its_own_digest(root: Path, environ: dict[str, str], smtp: Sink,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    subscribe(environ, ("all@example.org", "all", "daily"), ("carers@example.org", "topic:carers", "daily"),
              ("pledge@example.org", "pledge", "daily"), ("weekly@example.org", "all", "weekly"),
              ("follow@example.org", "story:ward-seven", "daily"), ("listen@example.org", "principle:listen", "daily"))
    subscribe(environ, ("unconfirmed@example.org", "all", "daily"), confirm=False)
    assert send(root, environ) == 0
    assert capsys.readouterr().out == ("Daily: 1 digest; 4 sent, 0 to try again later, 0 bounced "
                                       "(0 addresses suspended), 0 sent before.\n")
    received = {message["To"]: items(message) for message in smtp.messages}
    assert received == {
        "all@example.org": ["Quiet nights", "Gp call", "Night shift"],
        "carers@example.org": ["Night shift"],
        "pledge@example.org": ["Quiet nights"],
        "follow@example.org": ["Quiet nights", "Our response to “Ward seven”"],
    }
    follow = smtp.to("follow@example.org")[0]
    assert follow["Subject"] == "New on 14 March 2026: 1 pledge update and 1 response"
    text = follow.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert ("You are getting this email because you asked for daily emails about responses\nto the story "
            "“Ward seven” and pledge updates citing it from Sample ICB.\n\n"
            "Read this digest on the website:\nhttps://stories.example.org/stories/ward-seven/\n") in text


def test_every_email_carries_its_own_signed_one_click_unsubscribe_and_nothing_that_tracks(
        root: Path, environ: dict[str, str], smtp: Sink) -> None:
    subscribe(environ, ("one@example.org", "all", "daily"), ("two@example.org", "all", "daily"))
    send(root, environ)
    keys = Keys.from_environment(environ)
    store = Subscribers.open(Path(environ["NARRATIVE_INTAKE_STATE"]), keys, environ)
    assert sorted(message["To"] for message in smtp.messages) == ["one@example.org", "two@example.org"]
    for message in smtp.messages:
        subscription = next(s for s, a in store.recipients("daily") if a == message["To"])
        header = message["List-Unsubscribe"]
        assert header.startswith(f"<{PUBLIC}subscribe/unsubscribe/") and header.endswith(">")
        link = links.verify(header[1:-1].rsplit("/", 1)[1], "unsubscribe", keys, NOW)
        assert link == links.Link("unsubscribe", subscription.id)
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["Message-ID"].endswith(f".s{subscription.id:012d}@stories.example.org>")
        html = message.get_body(("html",)).get_content()
        assert header[1:-1] in html and f"{PUBLIC}subscribe/manage/" in html
        assert "<img" not in html and "?utm" not in html
    store.close()
    assert smtp.messages[0]["List-Unsubscribe"] != smtp.messages[1]["List-Unsubscribe"]


def test_run_twice_nobody_gets_a_digest_twice(root: Path, either: dict[str, str], smtp: Sink,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    subscribe(either, *((f"r{n}@example.org", "all", "daily") for n in range(5)))
    assert send(root, either) == 0
    assert send(root, either) == 0
    assert capsys.readouterr().out.splitlines()[1] == ("Daily: 1 digest; 0 sent, 0 to try again later, 0 bounced "
                                                       "(0 addresses suspended), 5 sent before.")
    assert sorted(message["To"] for message in smtp.messages) == [f"r{n}@example.org" for n in range(5)]


def test_killed_mid_send_and_run_again_nobody_twice_and_nobody_skipped(root: Path, environ: dict[str, str],
                                                                       smtp: Sink) -> None:
    addresses = [f"r{n}@example.org" for n in range(4)] + ["hold@example.org"] + [f"s{n}@example.org" for n in range(4)]
    subscribe(environ, *((address, "all", "daily") for address in addresses))
    command = [sys.executable, "-m", "narrative.cli", "-f", str(root / "mkdocs.yml"), "send", "--period", "daily",
               "--date", DAY.isoformat()]
    environ = {**environ, "NARRATIVE_SEND_CONNECTIONS": "1"}  # in order, so the kill falls where the test says
    process = subprocess.Popen(command, env={**os.environ, **environ}, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    assert smtp.holding.wait(60), "the sender never reached the held address"
    process.send_signal(signal.SIGKILL)
    process.wait()
    smtp.release.set()
    assert [message["To"] for message in smtp.messages] == addresses[:4]
    again = subprocess.run(command, env={**os.environ, **environ}, capture_output=True, text=True, check=False)
    assert again.returncode == 0, again.stderr
    assert again.stdout == ("Daily: 1 digest; 5 sent, 0 to try again later, 0 bounced (0 addresses suspended), "
                            "4 sent before.\n")
    assert [message["To"] for message in smtp.messages] == addresses


def test_a_server_asking_to_try_later_is_tried_on_the_next_run(root: Path, environ: dict[str, str], smtp: Sink,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    subscribe(environ, ("busy@example.org", "all", "daily"), ("ok@example.org", "all", "daily"))
    assert send(root, environ) == 1
    assert capsys.readouterr().out == ("Daily: 1 digest; 1 sent, 1 to try again later, 0 bounced "
                                       "(0 addresses suspended), 0 sent before.\n")
    assert send(root, environ) == 1
    assert capsys.readouterr().out == ("Daily: 1 digest; 0 sent, 1 to try again later, 0 bounced "
                                       "(0 addresses suspended), 1 sent before.\n")


def test_what_a_server_asked_to_try_later_goes_with_the_next_days_run_to_those_waiting_alone(
        root: Path, environ: dict[str, str], smtp: Sink, capsys: pytest.CaptureFixture[str]) -> None:
    subscribe(environ, ("busy@example.org", "all", "daily"), ("ok@example.org", "all", "daily"))
    assert send(root, environ) == 1
    content.story(root, "day-two", date="2026-03-15")
    subscribe(environ, ("new@example.org", "all", "daily"))  # confirmed after the 14th's digest went
    smtp.release.set()
    capsys.readouterr()
    assert send(root, environ, day=dt.date(2026, 3, 15)) == 0
    assert capsys.readouterr().out == ("Daily: 2 digests; 4 sent, 0 to try again later, 0 bounced "
                                       "(0 addresses suspended), 0 sent before.\n")
    assert sorted((m["To"], m["Subject"]) for m in smtp.messages) == [
        ("busy@example.org", "New on 14 March 2026: 2 stories and 1 pledge update"),
        ("busy@example.org", "New on 15 March 2026: 1 story"),
        ("new@example.org", "New on 15 March 2026: 1 story"),
        ("ok@example.org", "New on 14 March 2026: 2 stories and 1 pledge update"),
        ("ok@example.org", "New on 15 March 2026: 1 story")]


def test_three_hard_bounces_suspend_the_address(root: Path, environ: dict[str, str], smtp: Sink,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    content.story(root, "day-two", date="2026-03-15")
    content.story(root, "day-three", date="2026-03-16")
    content.story(root, "day-four", date="2026-03-17")
    subscribe(environ, ("gone@example.org", "all", "daily"))
    for day in range(14, 18):
        send(root, environ, day=dt.date(2026, 3, day))
    assert [line.split("; ")[1] for line in capsys.readouterr().out.splitlines()] == [
        "0 sent, 0 to try again later, 1 bounced (0 addresses suspended), 0 sent before.",
        "0 sent, 0 to try again later, 1 bounced (0 addresses suspended), 0 sent before.",
        "0 sent, 0 to try again later, 1 bounced (1 addresses suspended), 0 sent before.",
        "0 sent, 0 to try again later, 0 bounced (0 addresses suspended), 0 sent before."]


def test_a_story_follower_is_told_of_a_new_response_at_once(root: Path, environ: dict[str, str], smtp: Sink) -> None:
    subscribe(environ, ("follow@example.org", "story:ward-seven", "instant"),
              ("other@example.org", "story:night-shift", "instant"))
    assert send(root, environ, "instant") == 0
    assert sorted(message["Subject"] for message in smtp.messages) == [
        "New pledge update: Quiet nights", "New response: Our response to “Ward seven”"]
    response = next(m for m in smtp.messages if m["Subject"].startswith("New response"))
    text = response.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "Sam Reed, Patient Experience Lead has answered this story. Change planned." in text
    assert "Read the response:\nhttps://stories.example.org/stories/ward-seven/#our-response" in text


def test_a_day_with_nothing_new_sends_nothing_and_says_so(root: Path, environ: dict[str, str], smtp: Sink,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    subscribe(environ, ("all@example.org", "all", "daily"))
    assert send(root, environ, day=dt.date(2026, 3, 13)) == 0
    assert capsys.readouterr().out == "Nothing was published on 13 March 2026: no daily digest to send.\n"
    assert smtp.messages == []


def test_wrong_settings_stop_before_anything_is_sent(root: Path, environ: dict[str, str],
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert send(root, {**environ, "NARRATIVE_SMTP_TLS": "maybe"}) == 2
    assert capsys.readouterr().err == ("narrative send: NARRATIVE_SMTP_TLS must be one of starttls, ssl, none, "
                                       "not 'maybe'\n")


def test_through_gov_uk_notify_each_reader_gets_the_text_and_their_one_click_address(
        root: Path, environ: dict[str, str], notify: str, capsys: pytest.CaptureFixture[str]) -> None:
    subscribe(environ, ("one@example.org", "stories", "daily"), ("two@example.org", "pledge", "daily"))
    via_notify = {**environ, "NARRATIVE_MAIL_VIA": "notify", "NARRATIVE_NOTIFY_API_KEY": API_KEY,
                  "NARRATIVE_NOTIFY_TEMPLATE": TEMPLATE, "NARRATIVE_NOTIFY_URL": notify}
    assert send(root, via_notify) == 0
    received = sorted(_Notify.received, key=lambda body: body["email_address"])
    assert [(body["email_address"], body["personalisation"]["subject"]) for body in received] == [
        ("one@example.org", "New on 14 March 2026: 2 stories"),
        ("two@example.org", "New on 14 March 2026: 1 pledge update")]
    for body in received:
        assert body["one_click_unsubscribe_url"].startswith(f"{PUBLIC}subscribe/unsubscribe/u")
        assert body["one_click_unsubscribe_url"] in body["personalisation"]["body"]
    capsys.readouterr()
    refused = {**via_notify, "NARRATIVE_NOTIFY_API_KEY": f"narrative_test-{SERVICE_ID}-{uuid.uuid4()}"}
    content.story(root, "day-two", date="2026-03-15")
    assert send(root, refused, day=dt.date(2026, 3, 15)) == 2
    assert capsys.readouterr().err == ("narrative send: GOV.UK Notify refused the key in NARRATIVE_NOTIFY_API_KEY "
                                       "(403)\n")
