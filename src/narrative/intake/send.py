"""`narrative send --period instant|daily|weekly [--date D]`: each confirmed subscriber's digest, once.

The digests are the ones `narrative digest` writes (the same selection and the same email), narrowed to each
subscription's scope and signed with its own links. A digest is drawn once for each scope and only its links
change from one reader to the next, so a hundred thousand readers cost one drawing per scope, not per reader.
The outbox makes it exactly once; one run at a time holds the state folder's `send.lock`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import fcntl
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from narrative import digests, mail
from narrative.digests import Digest, Period
from narrative.intake import links, scopes
from narrative.intake.keys import Keys
from narrative.intake.mailer import Mailer, MailerProblem, MailSettings, Message, Outcome, Pace, mailer_for
from narrative.intake.outbox import Outbox, State
from narrative.intake.subscribers import Subscribers, Subscription
from narrative.presentation import plural
from narrative.site import Site

MANAGE_MARK, UNSUBSCRIBE_MARK = "manage-" + "m" * 90, "unsubscribe-" + "u" * 90
"""Stand-ins for one reader's links while a scope's email is drawn: as long as a real signed link, so the
plain text is wrapped the same, and made of letters that no escaping or inlining changes."""


def manage_url(public_url: str, subscriber: int, keys: Keys) -> str:
    return f"{public_url}subscribe/manage/{links.sign(links.Link('manage', subscriber), keys)}"


def unsubscribe_url(public_url: str, subscription: int, keys: Keys) -> str:
    return f"{public_url}subscribe/unsubscribe/{links.sign(links.Link('unsubscribe', subscription), keys)}"


def why(subscription: Subscription, site: Site) -> str:
    """`you asked for daily emails about every new story from ...`: the scope and frequency in plain words."""
    return (f"you asked for {subscription.frequency} emails about {scopes.describe(subscription.scope, site.settings)}"
            f" from {site.settings.organisation}.")


@dataclass
class Tally:
    """What a run did, in counts (never addresses)."""

    sent: int = 0
    later: int = 0
    bounced: int = 0
    suspended: int = 0
    already: int = 0

    def __str__(self) -> str:
        return (f"{self.sent:,} sent, {self.later:,} to try again later, {self.bounced:,} bounced "
                f"({self.suspended:,} addresses suspended), {self.already:,} sent before")


@dataclass
class Sender:
    """Everything a run needs, made once."""

    site: Site
    store: Subscribers
    outbox: Outbox
    mailer: Mailer
    public_url: str
    pace: Pace = field(default_factory=lambda: Pace(0))
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)
    _drawn: dict[tuple[str, str, str], tuple[Digest, tuple[str, str, str]] | None] = field(default_factory=dict)

    def _draw(self, digest: Digest, subscription: Subscription) -> tuple[Digest, tuple[str, str, str]] | None:
        """The scope's narrowed digest and its email with stand-in links, drawn once per scope."""
        key = (digest.url, subscription.scope, subscription.frequency)
        if key not in self._drawn:
            narrowed = scopes.narrow(digest, subscription.scope)
            archive = None
            if narrowed is not None and subscription.scope.startswith("story:"):
                archive = (self.site.settings.site_url or "") + f"stories/{subscription.scope[6:]}/"
            stand_in = mail.Recipient(why(subscription, self.site), MANAGE_MARK, UNSUBSCRIBE_MARK, archive)
            self._drawn[key] = None if narrowed is None else (narrowed, mail.draw(narrowed, self.site, stand_in))
        return self._drawn[key]

    def message(self, digest: Digest, subscription: Subscription, address: str) -> Message | None:
        """This reader's email of a digest, or None when their scope takes nothing from it."""
        drawn = self._draw(digest, subscription)
        if drawn is None:
            return None
        narrowed, (subject, html, text) = drawn
        keys = self.store.keys
        manage = manage_url(self.public_url, subscription.subscriber, keys)
        unsubscribe = unsubscribe_url(self.public_url, subscription.id, keys)
        html = html.replace(MANAGE_MARK, manage).replace(UNSUBSCRIBE_MARK, unsubscribe)
        text = text.replace(MANAGE_MARK, manage).replace(UNSUBSCRIBE_MARK, unsubscribe)
        eml = mail.message(narrowed, self.site.settings, (subject, html, text), unsubscribe, to=address,
                           personal=f"s{subscription.id}")
        return Message(address, subject, text, eml, unsubscribe, f"{digest.period.value}/{digest.key}/{subscription.id}")

    def send(self, found: Sequence[Digest], frequency: str) -> Tally:
        """Every digest in `found` to every confirmed subscription at `frequency` whose scope takes from it."""
        tally = Tally()
        self.store.forget_unconfirmed(self.clock())
        if not found:
            return tally
        for subscription, address in self.store.recipients(frequency):
            for digest in found:
                message = self.message(digest, subscription, address)
                if message is not None:
                    self._deliver(message, subscription, f"{digest.period.value}/{digest.key}", tally)
        return tally

    def _deliver(self, message: Message, subscription: Subscription, key: str, tally: Tally) -> None:
        if not self.outbox.start(subscription.id, key, self.clock()):
            tally.already += 1
            return
        self.pace.wait()
        outcome = self.mailer.send(message)
        state = {Outcome.SENT: State.SENT, Outcome.LATER: State.LATER, Outcome.BOUNCED: State.BOUNCED}[outcome]
        self.outbox.finish(subscription.id, key, state, self.clock())
        if outcome is Outcome.SENT:
            tally.sent += 1
        elif outcome is Outcome.LATER:
            tally.later += 1
        else:
            tally.bounced += 1
            tally.suspended += self.store.bounced(subscription.subscriber)


def for_period(site: Site, period: Period, days: Sequence[dt.date]) -> list[Digest]:
    """The digests `narrative digest` makes for these days, with the responses published in them (for the
    readers who follow a story)."""
    found: list[Digest] = []
    for day in days:
        first, last = digests.span(period, day)
        found += scopes.with_answers(site, digests.for_date(site, period, day), period, first, last)
    return found


def default_days(period: Period, today: dt.date) -> list[dt.date]:
    """What a scheduled run sends: yesterday's daily digest, last week's weekly one, and the instant ones of
    yesterday and today (a run soon after midnight still sends what came late the day before)."""
    yesterday = today - dt.timedelta(days=1)
    if period is Period.DAILY:
        return [yesterday]
    if period is Period.WEEKLY:
        return [today - dt.timedelta(days=7)]
    return [yesterday, today]


@contextmanager
def one_at_a_time(state_dir: Path) -> Iterator[bool]:
    """True while this process holds the state folder's send lock; False when another run holds it."""
    state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(state_dir / "send.lock", "a+b") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True


def main(args: argparse.Namespace, environ: Mapping[str, str] = os.environ) -> int:
    """The command: 0 when every message went (or had gone), 1 when some must be tried again or the site has
    errors, 2 when the settings are wrong."""
    from narrative import build
    from narrative.intake.settings import IntakeSettings, IntakeSettingsError

    try:
        settings = IntakeSettings.load(Path(args.config_file).parent, environ)
        mail_settings = MailSettings.from_environment(settings.site.digest.sender or "", environ)
    except (IntakeSettingsError, MailerProblem) as error:
        print(f"narrative send: {error}", file=sys.stderr)
        return 2
    problems = mail.settings_problems(settings.site)
    site, read = build.read_site(settings.site)
    problems += [problem for problem in read if problem.is_error]
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print("narrative send: nothing sent; fix the problems above first.", file=sys.stderr)
        return 1
    period = Period(args.period)
    days = [args.date] if args.date else default_days(period, dt.datetime.now(settings.site.zone).date())
    with one_at_a_time(settings.state_dir) as mine:
        if not mine:
            print("narrative send: another send is running; nothing sent.", file=sys.stderr)
            return 1
        store = Subscribers.open(settings.state_dir, settings.keys, environ)
        mailer = mailer_for(mail_settings)
        try:
            found = for_period(site, period, days)
            tally = Sender(site, store, Outbox(store.engine), mailer, settings.public_url,
                           Pace(mail_settings.rate)).send(found, period.value)
        except MailerProblem as error:
            print(f"narrative send: {error}", file=sys.stderr)
            return 2
        finally:
            mailer.close()
            store.close()
    print(f"{period.value.capitalize()}: {plural(len(found), 'digest')}; {tally}.")
    return 1 if tally.later else 0
