"""Tell me when: one short email to a writer who asked for it when their story is published, answered, or a
change is made because of it, at most once for each.

What was told is recorded in the writers' store before the email goes (`Writers.tell`), so a crash or a restart
never sends one twice, and two senders at once (the service's own look every few minutes and
`narrative intake notify` after a deploy) never both send it. The address is read from the private store, so
it is gone once the writer takes their story back or the retention period ends.
"""

from __future__ import annotations

import logging
import os
import sys
import threading

from narrative.intake.keys import InvalidToken
from narrative.intake.letters import plain
from narrative.intake.mailer import Mailer, MailerProblem, MailSettings, Message, Outcome, mailer_for
from narrative.intake.service import Service
from narrative.intake.settings import IntakeSettings
from narrative.intake.story_state import SAID, State, Where
from narrative.intake.writers import Writers
from narrative.intake.your_story import YourStory
from narrative.mail import paragraph
from narrative.presentation import plural

log = logging.getLogger("narrative.intake")

EVERY = 600.0
"""Seconds between the service's looks at every story whose writer asked to be told."""
PUBLISHED, ANSWERED, CHANGE_MADE = "published", "answered", "change made"
REACHED = {
    State.PUBLISHED: frozenset({PUBLISHED}),
    State.ANSWERED: frozenset({PUBLISHED, ANSWERED}),
    State.CHANGE_PLANNED: frozenset({PUBLISHED, ANSWERED}),
    State.CHANGE_MADE: frozenset({PUBLISHED, ANSWERED, CHANGE_MADE}),
}
"""The changes a writer is told of that a state means have happened."""
SUBJECTS = {PUBLISHED: "Your story is published", ANSWERED: "We have answered your story",
            CHANGE_MADE: "We have made a change because of your story"}


def letter(address: str, reference: str, where: Where, told: frozenset[str], settings: IntakeSettings) -> Message:
    """The one email for what is new: its subject names the latest change."""
    newest = next(state for state in (CHANGE_MADE, ANSWERED, PUBLISHED) if state in told)
    site = settings.site.site_url or ""
    links = [f"Your story: {site}{where.story}"] if where.story else []
    links += [f"Our response: {site}{where.response.url}"] if where.response else []
    links += [f"What we are doing about it: {site}{where.update.url}"] if where.update else []
    said = [
        f"{SAID[where.state]} (Your reference is {reference}.)",
        f"To see where your story is, or to take it back, go to {site}your-story/ with your reference and "
        "private code.",
        "We write at most three times: when your story is published, when we answer it, and when we make a change "
        "because of it. We forget your address when you take your story back, or "
        f"{settings.retention_days} days after you sent it.",
    ]
    filled = [paragraph(each) for each in said]
    text = "\n\n".join([filled[0], *(["\n".join(links)] if links else []), *filled[1:]]) + "\n"
    return plain(address, SUBJECTS[newest], text, settings.site, "your-story")


def tell_writers(yours: YourStory, mailer: Mailer, settings: IntakeSettings) -> int:
    """Email each writer who asked what has happened since they were last told; how many emails were sent."""
    sent, commit = 0, yours.main.commit()
    for reference in yours.writers.current():
        try:
            kept = yours.service.private.get(reference)
        except InvalidToken:
            continue
        if kept is None or not kept.original.notify_email:
            continue
        where = yours.where(reference, commit)
        told = yours.writers.tell(reference, REACHED.get(where.state, frozenset()))
        if not told:
            continue
        outcome = mailer.send(letter(kept.original.notify_email, reference, where, told, settings))
        if outcome is Outcome.LATER:
            yours.writers.untell(reference, told)  # tried again at the next look
        sent += outcome is Outcome.SENT
        log.info("%s: told the writer (%s): %s", reference, ", ".join(sorted(told)), outcome.value)
    return sent


class Teller:
    """`tell_writers` every `every` seconds in a thread, for the service's lifetime."""

    def __init__(self, yours: YourStory, mailer: Mailer, settings: IntakeSettings, every: float = EVERY) -> None:
        self.yours, self.mailer, self.settings, self.every = yours, mailer, settings, every
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="narrative-intake-teller", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(30)

    def _run(self) -> None:
        while not self._stopping.wait(self.every):
            try:
                tell_writers(self.yours, self.mailer, self.settings)
            except Exception as error:  # the next look tries again; the log says the kind alone
                log.error("telling writers failed: %s", type(error).__name__)


def notify(settings: IntakeSettings) -> int:
    """`narrative intake notify`: tell every writer who asked what has happened, once; run after each deploy."""
    try:
        mailer = mailer_for(MailSettings.from_environment(settings.site.digest.sender or "", os.environ))
    except MailerProblem as error:
        print(f"narrative intake notify: {error}", file=sys.stderr)
        return 1
    service, writers = Service(settings), Writers(settings.state_dir, settings.keys)
    try:
        sent = tell_writers(YourStory.open(settings, service, writers), mailer, settings)
    finally:
        mailer.close()
        writers.close()
        service.close()
    print(f"Sent {plural(sent, 'email')} to writers about their stories.")
    return 0
