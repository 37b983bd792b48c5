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
import queue
import re
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from narrative import digests, mail
from narrative.digests import Digest, Period
from narrative.intake import links, scopes
from narrative.intake.mailer import Mailer, MailerProblem, MailSettings, Message, Outcome, Pace, mailer_for
from narrative.intake.outbox import Outbox, State
from narrative.intake.subscribers import Subscribers, Subscription
from narrative.presentation import long_date, plural
from narrative.site import Site

MANAGE_MARK, UNSUBSCRIBE_MARK = "M" * links.LENGTH, "U" * links.LENGTH
"""Stand-ins for one reader's tokens while a scope's email is drawn and encoded: exactly as long as a real
token and, like it, made of characters that quoted-printable leaves as they are, so the reader's tokens take
their places in the encoded message byte for byte (a soft line break may fall inside one: it stays put)."""
NUMBER_MARK = "N" * 12
RETRY_FOR = dt.timedelta(days=7)
"""How long a message a server asked to try later (or a stopped run left) is tried again by later runs."""
TO_MARK = "reader@to.invalid"


def _marked(mark: str) -> re.Pattern[bytes]:
    """The mark in an encoded message, with any soft line breaks quoted-printable put inside it."""
    return re.compile(b"(?:=\r\n)?".join(re.escape(char.encode("ascii")) for char in mark))


def _put(pattern: re.Pattern[bytes], value: str, message: bytes) -> bytes:
    """`value` in place of every match of a mark, each soft line break kept where it was."""
    data = value.encode("ascii")

    def swap(match: re.Match[bytes]) -> bytes:
        pieces, start = [], 0
        for piece in match[0].split(b"=\r\n"):
            pieces.append(data[start:start + len(piece)])
            start += len(piece)
        return b"=\r\n".join(pieces)
    return pattern.sub(swap, message)


_MANAGE, _UNSUBSCRIBE, _NUMBER = _marked(MANAGE_MARK), _marked(UNSUBSCRIBE_MARK), _marked(NUMBER_MARK)


def manage_url(public_url: str, token: str) -> str:
    return f"{public_url}subscribe/manage/{token}"


def unsubscribe_url(public_url: str, token: str) -> str:
    return f"{public_url}subscribe/unsubscribe/{token}"


def why(subscription: Subscription, site: Site) -> str:
    """`you asked for daily emails about every new story from ...`: the scope and frequency in plain words."""
    about = scopes.describe(subscription.scope, site.settings, site)
    return f"you asked for {subscription.frequency} emails about {about} from {site.settings.organisation}."


@dataclass
class Tally:
    """What a run did, in counts (never addresses)."""

    sent: int = 0
    later: int = 0
    bounced: int = 0
    suspended: int = 0
    already: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, **more: int) -> None:
        with self._lock:
            for name, number in more.items():
                setattr(self, name, getattr(self, name) + number)

    def __str__(self) -> str:
        return (f"{self.sent:,} sent, {self.later:,} to try again later, {self.bounced:,} bounced "
                f"({self.suspended:,} addresses suspended), {self.already:,} sent before")


@dataclass
class Sender:
    """Everything a run needs, made once."""

    site: Site
    store: Subscribers
    mailers: Callable[[], Mailer]
    """Makes a mailer for each connection."""
    public_url: str
    pace: Pace = field(default_factory=lambda: Pace(0))
    connections: int = 1
    """Messages on their way at once, each over its own connection: a mail server a few milliseconds away
    answers each step of SMTP after a round trip, so one connection at a time leaves the sender waiting."""
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)
    _drawn: dict[tuple[str, str, str], tuple[Digest, str, str, bytes] | None] = field(default_factory=dict)

    def _draw(self, digest: Digest, subscription: Subscription) -> tuple[Digest, str, str, bytes] | None:
        """The scope's narrowed digest, subject, plain text and encoded message with stand-in links, drawn
        once per scope and frequency; None when the scope takes nothing from the digest."""
        key = (digest.url, subscription.scope, subscription.frequency)
        if key not in self._drawn:
            narrowed = scopes.narrow(digest, subscription.scope)
            self._drawn[key] = None if narrowed is None else self._template(narrowed, subscription)
        return self._drawn[key]

    def _template(self, narrowed: Digest, subscription: Subscription) -> tuple[Digest, str, str, bytes]:
        archive = None
        if subscription.scope.startswith("story:"):
            archive = (self.site.settings.site_url or "") + f"stories/{subscription.scope[6:]}/"
        stand_in = mail.Recipient(why(subscription, self.site), manage_url(self.public_url, MANAGE_MARK),
                                  unsubscribe_url(self.public_url, UNSUBSCRIBE_MARK), archive)
        subject, html, text = mail.draw(narrowed, self.site, stand_in)
        eml = mail.message(narrowed, self.site.settings, (subject, html, text), stand_in.unsubscribe, to=TO_MARK,
                           personal=f"s{NUMBER_MARK}")
        return narrowed, subject, text, eml

    def message(self, digest: Digest, subscription: Subscription, address: str) -> Message | None:
        """This reader's email of a digest, or None when their scope takes nothing from it."""
        drawn = self._draw(digest, subscription)
        if drawn is None:
            return None
        _, subject, text, eml = drawn
        keys = self.store.keys
        manage = links.sign(links.Link("manage", subscription.subscriber), keys)
        unsubscribe = links.sign(links.Link("unsubscribe", subscription.id), keys)
        eml = _put(_UNSUBSCRIBE, unsubscribe, _put(_MANAGE, manage, eml))
        eml = _put(_NUMBER, f"{subscription.id:012d}", eml).replace(f"To: {TO_MARK}\r\n".encode(),
                                                                    f"To: {address}\r\n".encode(), 1)
        mail.check_eml(eml, subject, addressed=True)  # the reader's own links and address read back as set
        text = text.replace(MANAGE_MARK, manage).replace(UNSUBSCRIBE_MARK, unsubscribe)
        return Message(address, subject, text, eml, unsubscribe_url(self.public_url, unsubscribe),
                       f"{digest.period.value}/{digest.key}/{subscription.id}")

    def send(self, found: Sequence[Digest], frequency: str, only: Mapping[str, set[int]] | None = None) -> Tally:
        """Every digest in `found` to every confirmed subscription at `frequency` whose scope takes from it;
        a digest named in `only` (a retry) to the subscriptions listed there alone. This thread draws each
        message; `connections` threads send them, each with its own mailer and connection to the outbox."""
        only = only or {}
        tally = Tally()
        self.store.forget_unconfirmed(self.clock())
        if not found:
            return tally
        work: queue.Queue[tuple[Message, Subscription, str] | None] = queue.Queue(maxsize=self.connections * 8)
        failures: list[BaseException] = []
        workers = [threading.Thread(target=self._worker, args=(work, tally, failures), daemon=True)
                   for _ in range(self.connections)]
        for worker in workers:
            worker.start()
        try:
            for subscription, address in self.store.recipients(frequency):
                for digest in found:
                    key = outbox_key(digest)
                    if key in only and subscription.id not in only[key]:
                        continue
                    message = self.message(digest, subscription, address)
                    if message is not None and not failures:
                        work.put((message, subscription, key))
                if failures:
                    break
        finally:
            for _ in workers:
                work.put(None)
            for worker in workers:
                worker.join()
        if failures:
            raise failures[0]
        return tally

    def _worker(self, work: queue.Queue[tuple[Message, Subscription, str] | None], tally: Tally,
                failures: list[BaseException]) -> None:
        mailer, outbox = self.mailers(), Outbox(self.store.engine)
        try:
            while (job := work.get()) is not None:
                if not failures:
                    self._deliver(*job, mailer, outbox, tally)
        except BaseException as error:  # handed to the drawing thread, which raises it
            failures.append(error)
            while work.get() is not None:  # let the drawing thread finish putting
                pass
        finally:
            mailer.close()
            outbox.close()

    def _deliver(self, message: Message, subscription: Subscription, key: str, mailer: Mailer, outbox: Outbox,
                 tally: Tally) -> None:
        if not outbox.start(subscription.id, key, self.clock()):
            tally.count(already=1)
            return
        self.pace.wait()
        outcome = mailer.send(message)
        state = {Outcome.SENT: State.SENT, Outcome.LATER: State.LATER, Outcome.BOUNCED: State.BOUNCED}[outcome]
        outbox.finish(subscription.id, key, state, self.clock())
        if outcome is Outcome.BOUNCED:
            tally.count(bounced=1, suspended=int(self.store.bounced(subscription.subscriber)))
        else:
            tally.count(**{outcome.value: 1})


def for_period(site: Site, period: Period, days: Sequence[dt.date]) -> list[Digest]:
    """The digests `narrative digest` makes for these days, with the responses published in them (for the
    readers who follow a story)."""
    found: list[Digest] = []
    for day in days:
        first, last = digests.span(period, day)
        found += scopes.with_answers(site, digests.for_date(site, period, day), period, first, last)
    return found


def outbox_key(digest: Digest) -> str:
    """How the outbox names a digest: `daily/2026-03-14`, `weekly/2026-W11`, `instant/pledge/<slug>`."""
    return f"{digest.period.value}/{digest.key}"


def day_of(site: Site, key: str) -> dt.date | None:
    """A day in the period of the digest the outbox names, or None when the site no longer has it."""
    period, _, rest = key.partition("/")
    if period == Period.DAILY.value:
        return dt.date.fromisoformat(rest)
    if period == Period.WEEKLY.value:
        year, week = rest.split("-W")
        return dt.date.fromisocalendar(int(year), int(week), 1)
    published = [*((digests.instant_key(item), item.published) for item in site.published_items),
                 *((f"response/{response.slug}", response.published) for response in site.responses)]
    return next((moment.astimezone(site.settings.zone).date() for name, moment in published if name == rest), None)


def retries(site: Site, period: Period, waiting: Mapping[str, set[int]], found: Sequence[Digest]) -> list[Digest]:
    """The digests of earlier runs that some subscriptions are still waiting for (a server said "try later",
    or the run was stopped), made again as they were; the ones `found` already holds are left to it."""
    have = {outbox_key(digest) for digest in found}
    again: list[Digest] = []
    for key in sorted(set(waiting) - have):
        day = day_of(site, key)
        again += [digest for digest in for_period(site, period, [day] if day else []) if outbox_key(digest) == key]
    return again


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
        try:
            found = for_period(site, period, days)
            waiting = Outbox(store.engine).waiting(period.value, dt.datetime.now(dt.UTC) - RETRY_FOR)
            again = retries(site, period, waiting, found)
            only = {outbox_key(digest): waiting[outbox_key(digest)] for digest in again}
            found += again
            tally = Sender(site, store, lambda: mailer_for(mail_settings), settings.public_url,
                           Pace(mail_settings.rate), mail_settings.connections).send(found, period.value, only)
        except (MailerProblem, mail.MailError) as error:
            print(f"narrative send: {error}", file=sys.stderr)
            return 2
        finally:
            store.close()
    if not found:
        print(f"Nothing was published on {' or '.join(long_date(day) for day in days)}: no {period.value} "
              f"digest to send.")
        return 0
    print(f"{period.value.capitalize()}: {plural(len(found), 'digest')}; {tally}.")
    return 1 if tally.later else 0
