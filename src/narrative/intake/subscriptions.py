"""The subscription routes: sign up, confirm, manage one's emails, and unsubscribe with one click (RFC 8058).

Every answer is a plain page that works without JavaScript. A sign-up's answer is the same whether the address
was known or not, and the only email it sends goes to that address. Links from emails are signed (`links`);
one that was altered, has expired or names a subscription that is gone is refused with a page saying what to
do instead. No answer names an address.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from narrative.intake import answer_pages, links, scopes
from narrative.intake.form import ascii_address, email_address
from narrative.intake.letters import confirmation
from narrative.intake.mailer import Mailer, Outcome
from narrative.intake.send import manage_url
from narrative.intake.settings import IntakeSettings
from narrative.intake.subscribers import Subscribers
from narrative.share_form import EMAIL_LIMIT

log = logging.getLogger("narrative.intake")
ONE_CLICK = ("List-Unsubscribe", "One-Click")
BAD_ADDRESS = "Enter an email address in the right format, like name@example.com"
UNSENDABLE_ADDRESS = ("Enter an email address with only the letters A to Z before the @: we cannot send emails "
                      "to addresses with other letters there yet")



def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def read_sign_up(form: Mapping[str, str], settings: IntakeSettings) -> tuple[str, str, str] | list[tuple[str, str]]:
    """The address (an internationalised domain in its ASCII form), scope and frequency a sign-up asks for, or
    each field's problem as (field, message)."""
    errors: list[tuple[str, str]] = []
    typed = form.get("email", "").strip()[:EMAIL_LIMIT + 1]
    address = ascii_address(typed)  # what the mailer can send to: it does not ask servers for SMTPUTF8
    if address is None:
        errors.append(("email", BAD_ADDRESS if email_address(typed) is None else UNSENDABLE_ADDRESS))
    follow = form.get("follow", "")
    try:
        scope = scopes.parse(follow, form.get(follow, "").strip(), settings.site)
    except scopes.ScopeError as error:
        errors.append(("follow", str(error)))
    frequency = form.get("frequency", "")
    if frequency not in scopes.FREQUENCIES:
        errors.append(("frequency", "Choose how often you would like emails: instant, daily or weekly"))
    return errors or (address, scope, frequency)


class Pages:
    """The routes' answers: the sign-up form again when it needs fixing, and one template for the rest."""

    def __init__(self, settings: IntakeSettings) -> None:
        self.settings = settings

    def page(self, title: str, *paragraphs: str, status: int = 200, **context: Any) -> HTMLResponse:
        context = {"button": None, "link": None, **context}
        return self._drawn("subscription.html", status, title=title, paragraphs=paragraphs, **context)

    def sign_up_again(self, values: dict[str, str], errors: dict[str, str]) -> HTMLResponse:
        """The sign-up form as it was sent, with each problem on top and beside its answer (status 400)."""
        site = self.settings.site
        story = {"slug": values.get("story", "")} if values.get("follow") == "story" else None
        return self._drawn("sign_up.html", 400, values=values, errors=errors, story=story,
                           title="Get emails about this story" if story else "Sign up for emails",
                           action=f"{site.intake.url}subscribe" if site.intake.url else "subscribe")

    def _drawn(self, template: str, status: int, **context: Any) -> HTMLResponse:
        site = self.settings.site
        html = answer_pages.page(template, site, subscribe_page=f"{site.site_url or '/'}subscribe/#email", **context)
        return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})

    def refused(self) -> HTMLResponse:
        return self.page("This link does not work",
                         "It may have expired (a link to confirm works for two days), or part of it may be missing. "
                         "You can sign up again on our website, or use the newest email we sent you.", status=400)


def routes(settings: IntakeSettings, store: Subscribers, mailer: Mailer,
           clock: Callable[[], dt.datetime] = _now) -> list[BaseRoute]:
    """The routes for `create_app` to mount: `/subscribe` and the pages under it that emails link to."""
    pages = Pages(settings)
    keys = settings.keys
    public = settings.public_url

    async def sign_up(request: Request) -> Response:
        form = await request.form(max_files=0, max_fields=20)
        form_texts = {key: str(value) for key, value in form.items()}
        read = read_sign_up(form_texts, settings)
        if isinstance(read, list):
            return pages.sign_up_again(form_texts, dict(read))
        address, scope, frequency = read
        await run_in_threadpool(_sign_up, address, scope, frequency)
        return pages.page("Check your email",
                          "If this address can get our emails, we have sent it a link to confirm what you "
                          "asked for. Nothing is sent until you do.",
                          "The link works for two days. If the email has not come within a few minutes, look "
                          "in your junk or spam folder.")

    def _sign_up(address: str, scope: str, frequency: str) -> None:
        now = clock()
        store.forget_unconfirmed(now)
        subscription = store.sign_up(address, scope, frequency, now)
        token = links.sign(links.Link("confirm", subscription.id, frequency, now + links.CONFIRM_FOR), keys)
        outcome = mailer.send(confirmation(address, scope, frequency, f"{public}subscribe/confirm/{token}",
                                           settings.site))
        if outcome is not Outcome.SENT:  # the reader is told the same: the answer never says what is known
            log.warning("subscriptions: a confirmation email was not sent (%s)", outcome.value)

    async def confirm(request: Request) -> Response:
        link = links.verify(request.path_params["token"], "confirm", keys, clock())
        subscription = link and await run_in_threadpool(store.subscription, link.target)
        if link is None or subscription is None or link.frequency not in scopes.FREQUENCIES:
            return pages.refused()
        what = (f"Emails about {scopes.describe(subscription.scope, settings.site)}: "
                f"{scopes.HOW_OFTEN[link.frequency]}.")
        if request.method == "GET":
            return pages.page("Confirm your emails", what,
                              button={"action": request.url.path, "fields": (), "label": "Yes, send me these emails"})
        await run_in_threadpool(store.confirm, subscription.id, link.frequency, clock())
        return pages.page("You are subscribed", what,
                          "Every email has a link to change what you get, or to stop.",
                          link=(manage_url(public, links.sign(links.Link("manage", subscription.subscriber), keys)),
                                "Manage your emails"))

    async def manage(request: Request) -> Response:
        link = links.verify(request.path_params["token"], "manage", keys, clock())
        if link is None:
            return pages.refused()
        if request.method == "POST":
            form = await request.form(max_files=0, max_fields=10)
            left = await run_in_threadpool(_change, link.target, {key: str(value) for key, value in form.items()})
            if left:
                return pages.page("You will get no more emails", "We have stopped every email and forgotten your "
                                  "address.")
            return RedirectResponse(request.url.path, status_code=303)
        held = await run_in_threadpool(store.of, link.target)
        site = settings.site
        return pages.page("Manage your emails", action=request.url.path, frequencies=scopes.FREQUENCIES,
                          subscriptions=[(each, scopes.describe(each.scope, site)) for each in held],
                          topics=site.topics, principles=site.principles)

    def _change(subscriber: int, form: dict[str, str]) -> bool:
        """What the manage page's form asked; True when the reader left altogether."""
        action, frequency = form.get("action"), form.get("frequency", "")
        number = int(form["subscription"]) if form.get("subscription", "").isdigit() else None
        if action == "leave":
            store.leave(subscriber)
            return True
        if action == "drop" and number is not None:
            store.drop(number, subscriber)
        elif action == "change" and number is not None and frequency in scopes.FREQUENCIES:
            store.change(subscriber, number, frequency)
        elif action == "add" and frequency in scopes.FREQUENCIES:
            kind, _, slug = form.get("follow", "").partition(":")
            try:
                store.add(subscriber, scopes.parse(kind, slug, settings.site), frequency, clock())
            except scopes.ScopeError:
                pass
        return False

    async def unsubscribe(request: Request) -> Response:
        link = links.verify(request.path_params["token"], "unsubscribe", keys, clock())
        if link is None:
            return pages.refused()
        if request.method == "GET":
            return pages.page("Stop these emails", "Press the button and we send you no more of these emails.",
                              button={"action": request.url.path, "fields": (ONE_CLICK,), "label": "Unsubscribe"})
        form = await request.form(max_files=0, max_fields=5)
        if form.get(ONE_CLICK[0]) != ONE_CLICK[1]:
            return pages.page("Stop these emails", "Press the button to unsubscribe.", status=400,
                              button={"action": request.url.path, "fields": (ONE_CLICK,), "label": "Unsubscribe"})
        await run_in_threadpool(store.drop, link.target)
        return pages.page("You are unsubscribed", "You will get no more of these emails.")

    return [
        Route("/subscribe", sign_up, methods=["POST"]),
        Route("/subscribe/confirm/{token}", confirm, methods=["GET", "POST"]),
        Route("/subscribe/manage/{token}", manage, methods=["GET", "POST"]),
        Route("/subscribe/unsubscribe/{token}", unsubscribe, methods=["GET", "POST"]),
    ]
