"""The parts behind the writer's page, in the process: private codes (only a keyed hash kept, read however they
are typed, found under an older key), the story file set to withdrawn and nothing else changed, a story taken
back before it was delivered, the service's own look for emails to send, and an address forgotten after the
retention period is never written to, and a story taken back again after its remote could not be reached."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import time
from pathlib import Path

import pytest

from narrative.intake.destinations import DeliveryError
from narrative.intake.keys import Keys, new_key
from narrative.intake.mailer import MailSettings, SmtpMailer
from narrative.intake.service import Service
from narrative.intake.story_state import State
from narrative.intake.tell import Teller, tell_writers
from narrative.intake.withdrawal import withdrawn_text
from narrative.intake.writers import Writers, new_code
from narrative.intake.your_story import YourStory
from tests.intake import answers, git, git_site, intake_settings
from tests.smtp import Sink, smtp  # noqa: F401 - a fixture

EDITOR = ("-c", "user.name=Editor", "-c", "user.email=editor@example.org")


def test_a_code_is_six_groups_of_four_and_only_its_keyed_hash_is_kept(tmp_path: Path) -> None:
    writers = Writers(tmp_path, Keys.from_text(new_key()))
    code = writers.issue("HM-7K3Q-2F9D")
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}( [0-9A-HJKMNP-TV-Z]{4}){5}", code)
    assert new_code() != new_code()
    writers.close()
    kept = b"".join(path.read_bytes() for path in tmp_path.iterdir())
    assert code.replace(" ", "").encode() not in kept and code.encode() not in kept


def test_a_code_is_read_however_it_is_typed_and_under_an_older_key(tmp_path: Path) -> None:
    old = new_key()
    writers = Writers(tmp_path, Keys.from_text(old))
    code = writers.issue("HM-7K3Q-2F9D")
    typed = code.replace(" ", "").lower().replace("0", "o").replace("1", "l")
    assert writers.check(" hm-7k3q-2f9d ", typed).known
    assert writers.check("hm 7k3q 2f9d", code).known and writers.check("HM7K3Q2F9D", code).known
    assert writers.check("HM-7K3Q-2F9D", f"{code[:-4]}-{code[-4:]}").known
    assert not writers.check("HM-7K3Q-2F9D", new_code()).known
    assert not writers.check("HM-0000-0000", code).known
    writers.close()
    rotated = Writers(tmp_path, Keys.from_text(f"{new_key()},{old}"))
    assert rotated.check("HM-7K3Q-2F9D", code).known
    rotated.withdraw("HM-7K3Q-2F9D")
    assert dataclasses.astuple(rotated.check("HM-7K3Q-2F9D", code)) == (True, True)
    assert rotated.current() == []


def test_withdrawn_changes_the_status_line_alone() -> None:
    text = "---\ntitle: Ward 7\nstatus: published\nconsent:\n  status: given\n---\nstatus: kept in the body\n"
    assert withdrawn_text(text) == text.replace("status: published", "status: withdrawn")
    assert withdrawn_text("---\ntitle: Ward 7\n---\nWords.\n") == "---\ntitle: Ward 7\nstatus: withdrawn\n---\nWords.\n"


def test_a_story_taken_back_before_it_was_delivered_is_never_delivered(tmp_path: Path) -> None:
    settings = intake_settings(git_site(tmp_path))
    service, writers = Service(settings), Writers(settings.state_dir, settings.keys)
    yours = YourStory.open(settings, service, writers)
    submission = service.accept(answers(notify_email="writer@example.org"))
    assert not isinstance(submission, list)
    code = writers.issue(submission.reference)
    assert yours.look(submission.reference, code).state is State.RECEIVED  # type: ignore[union-attr]
    assert yours.take_back(submission.reference, code)
    assert (service.queue.counts(), service.private.get(submission.reference)) == ((0, 0), None)
    assert yours.look(submission.reference, code) is None
    assert not yours.take_back(submission.reference, code)
    assert git(settings.root, "for-each-ref", "--format=%(refname)", "refs/heads/") == "refs/heads/main\n"


def publish(root: Path, reference: str, slug: str) -> None:
    git(root, *EDITOR, "merge", "-q", "--no-ff", "-m", "Merge", f"submissions/{reference}")
    path = root / "stories/patient" / f"{slug}.md"
    path.write_text(path.read_text(encoding="utf-8").replace("status: draft", "status: published"), "utf-8")
    git(root, *EDITOR, "commit", "-q", "-am", "Publish")


def test_the_service_looks_on_its_own_and_an_address_past_its_retention_is_not_written_to(
        tmp_path: Path, smtp: Sink) -> None:
    settings = intake_settings(git_site(tmp_path))
    now = [dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)]
    service = Service(settings, clock=lambda: now[0])
    writers = Writers(settings.state_dir, settings.keys)
    yours = YourStory.open(settings, service, writers)
    mailer = SmtpMailer(MailSettings(host=smtp.host, port=smtp.port, tls="none"))
    first = service.accept(answers(notify_email="first@example.org"))
    second = service.accept(answers(title="The day nurse", notify_email="second@example.org"))
    assert not isinstance(first, list) and not isinstance(second, list)
    for submission in (first, second):
        writers.issue(submission.reference)
    service.worker.deliver_due()

    now[0] += dt.timedelta(days=settings.retention_days + 1)
    publish(settings.root, first.reference, first.slug)
    teller = Teller(yours, mailer, settings, every=0.05)
    teller.start()
    deadline = time.monotonic() + 20
    while not smtp.to("first@example.org") and time.monotonic() < deadline:
        time.sleep(0.05)
    teller.stop()
    assert [message["Subject"] for message in smtp.to("first@example.org")] == ["Your story is published"]

    assert service.purge() == 2
    publish(settings.root, second.reference, second.slug)
    assert yours.where(second.reference).state is State.PUBLISHED
    assert tell_writers(yours, mailer, settings) == 0
    assert smtp.to("second@example.org") == []
    mailer.close()
    service.close()


def test_when_the_remote_cannot_be_reached_the_story_can_be_taken_back_again_later(tmp_path: Path) -> None:
    settings = intake_settings(git_site(tmp_path))
    service, writers = Service(settings), Writers(settings.state_dir, settings.keys)
    yours = YourStory.open(settings, service, writers)
    submission = service.accept(answers())
    assert not isinstance(submission, list)
    code = writers.issue(submission.reference)
    service.worker.deliver_due()
    (tmp_path / "remote.git").rename(tmp_path / "away.git")
    with pytest.raises(DeliveryError):
        yours.take_back(submission.reference, code)
    assert yours.look(submission.reference, code).state is State.WITH_EDITOR  # type: ignore[union-attr]
    (tmp_path / "away.git").rename(tmp_path / "remote.git")
    assert yours.take_back(submission.reference, code)
    for repository in (settings.root, tmp_path / "remote.git"):
        assert git(repository, "for-each-ref", "--format=%(refname)", "refs/heads/") == "refs/heads/main\n"
