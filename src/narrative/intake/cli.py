"""`narrative intake`: run the service, or look after what it keeps, on the server.

    narrative intake [--host H] [--port P]   the service, on uvicorn, for the site in this folder
    narrative intake show REF                one writer's submission, opened with the key, for an editor
    narrative intake purge                   forget writers' originals older than the retention period
    narrative intake notify                  email writers who asked when their story is published or answered
    narrative intake key                     a new key for NARRATIVE_INTAKE_KEY
    narrative intake rotate                  everything kept encrypted again under the newest key

A setting that is wrong or missing (the key above all) stops the command with one line saying what to set.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from narrative.intake.keys import InvalidToken, new_key
from narrative.intake.settings import IntakeSettings, IntakeSettingsError
from narrative.presentation import plural

OK, PROBLEMS = 0, 1


def main(args: argparse.Namespace) -> int:
    if args.action == "key":
        print(new_key())
        return OK
    try:
        settings = IntakeSettings.load(Path(args.config_file).parent, os.environ)
    except IntakeSettingsError as error:
        print(f"narrative intake: {error}", file=sys.stderr)
        return PROBLEMS
    if args.action == "show":
        return show(settings, args.reference)
    if args.action == "purge":
        return purge(settings)
    if args.action == "rotate":
        return rotate(settings)
    if args.action == "notify":
        from narrative.intake.tell import notify

        return notify(settings)
    return serve(settings, args.host, args.port)


def serve(settings: IntakeSettings, host: str, port: int) -> int:
    """The service on uvicorn until it is stopped; only references and counts are logged, and no access log
    (it would hold readers' addresses)."""
    import uvicorn

    from narrative.intake.app import create_app
    from narrative.intake.destinations import from_settings
    from narrative.intake.mailer import MailerProblem, MailSettings, mailer_for

    problem = from_settings(settings).problem()
    if problem:
        print(f"narrative intake: {problem}", file=sys.stderr)
        return PROBLEMS
    try:
        mailer = mailer_for(MailSettings.from_environment(settings.site.digest.sender or "", os.environ))
    except MailerProblem as error:
        print(f"narrative intake: {error}", file=sys.stderr)
        return PROBLEMS
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    os.chdir(settings.root)
    uvicorn.run(create_app(settings, mailer=mailer), host=host, port=port, access_log=False, proxy_headers=True,
                forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"), log_level="info")
    return OK


def show(settings: IntakeSettings, reference: str) -> int:
    """Everything kept about one submission, in plain text, for an editor at the server's terminal."""
    from narrative.intake.service import Service

    service = Service(settings)
    reference = reference.strip().upper()
    try:
        kept = service.private.get(reference)
        delivery, waiting = service.queue.delivery(reference), service.queue.waiting(reference)
    except InvalidToken:
        print(f"narrative intake show: {reference} cannot be opened with NARRATIVE_INTAKE_KEY: it was kept under "
              "another key; put that key after the new one, separated by a comma", file=sys.stderr)
        return PROBLEMS
    if kept is None and delivery is None and waiting is None:
        print(f"narrative intake show: nothing is kept for {reference}: check the reference, or it was purged "
              f"after {settings.retention_days} days", file=sys.stderr)
        return PROBLEMS
    where = (f"delivered: {delivery.pull_request or delivery.branch} ({delivery.path})" if delivery
             else f"waiting to be delivered ({plural(waiting.attempts, 'failed attempt')})" if waiting
             else "not in the queue")
    lines = [f"Reference: {reference}", f"State: {where}"]
    if kept is None:
        lines.append(f"Original: purged after {settings.retention_days} days")
    else:
        lines += [f"Received: {kept.received:%Y-%m-%d %H:%M} UTC",
                  f"May we contact you: {kept.original.contact_email or 'no'}",
                  f"Email when published: {kept.original.notify_email or 'no'}", "", kept.original.text.rstrip()]
    print("\n".join(lines))
    return OK


def purge(settings: IntakeSettings) -> int:
    from narrative.intake.service import Service

    forgotten = Service(settings).purge()
    print(f"Forgot {plural(forgotten, 'original')} older than {settings.retention_days} days.")
    return OK


def rotate(settings: IntakeSettings) -> int:
    """After a new key is put first in NARRATIVE_INTAKE_KEY: the stored stories and originals no longer open
    with the old one. The old one stays after it, as emailed links and writers' codes were signed with it."""
    from narrative.intake.service import Service

    service = Service(settings)
    try:
        count = service.queue.rotate(settings.keys) + service.private.rotate(settings.keys)
    except InvalidToken:
        print("narrative intake rotate: a record opens with none of the keys in NARRATIVE_INTAKE_KEY: put back the "
              "key it was kept under, after the new one, and run this again", file=sys.stderr)
        return PROBLEMS
    print(f"Encrypted {plural(count, 'record')} of the queue and the private store again under the newest key. "
          "Keep the older keys after it: emailed links and writers' codes were signed with them.")
    return OK
