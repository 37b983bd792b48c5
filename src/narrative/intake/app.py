"""The web service: the only module that knows Starlette. `create_app()` puts together the routes, the guard
in front of them, one table of error answers, and the delivery worker running for the app's lifetime.

POST `/share`: the form's answers are read (`form.read`), made into a submission and kept durably
(`Service.accept`), and only then is the writer thanked with their reference; answers that need putting right go
back to the form with every message and everything typed kept. Nothing a writer sent is ever logged or shown
in an error page: the log says references, and what failed by its kind alone.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from narrative.intake import answer_pages, form, guard, writer_pages
from narrative.intake.destinations import Destination
from narrative.intake.form import FieldError
from narrative.intake.mailer import Mailer
from narrative.intake.service import Service
from narrative.intake.settings import IntakeSettings
from narrative.intake.submission import new_reference
from narrative.intake.tell import Teller
from narrative.intake.writers import Writers, new_code
from narrative.intake.your_story import YourStory
from narrative.problems import Problem
from narrative.screen import readability

log = logging.getLogger("narrative.intake")

Endpoint = Callable[[Request], Awaitable[Response]]

MAX_PHOTOS = 3
MAX_FIELDS = 50
MAX_PART_BYTES = 1024 * 1024
"""The largest text answer; a photo's own limit is the guard's and `photos.clean`'s."""

FIELD_OF = {"author": "name", None: "story"}
"""Front-matter fields whose answer on the form has another name."""

ERROR_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title></head>
<body><main><h1>{title}</h1><p>{text}</p></main></body></html>
"""
ERRORS = {
    404: ("Page not found", "There is no page at this address."),
    405: ("Not allowed", "This address does not take that kind of request."),
    500: ("Something went wrong on our side", "Nothing you sent was kept. Please try again in a few minutes."),
}


def field_errors(problems: Sequence[Problem]) -> list[FieldError]:
    """The core's problems with the file the answers made, as messages beside the answers they came from."""
    return [FieldError(FIELD_OF.get(problem.field, problem.field or "story"), problem.message)
            for problem in problems]


def create_app(settings: IntakeSettings, *, mailer: Mailer | None = None,
               destination: Destination | None = None) -> Starlette:
    """The service for the site `settings` describes. With a `mailer`, the subscription routes are mounted too;
    `destination` replaces the one the settings name (tests)."""
    service = Service(settings, destination=destination)
    writers = Writers(settings.state_dir, settings.keys)
    yours = YourStory.open(settings, service, writers)
    routes: list[BaseRoute] = [Route("/share", _share(service, writers), methods=["POST"]),
                               Route("/healthz", _health(service), methods=["GET", "HEAD"]),
                               *writer_pages.routes(yours, settings.site)]
    teller = Teller(yours, mailer, settings) if mailer is not None else None
    closers = [*([teller.stop] if teller else []), service.close, writers.close]
    if mailer is not None:
        from narrative.intake import subscriptions
        from narrative.intake.subscribers import Subscribers

        subscribers = Subscribers.open(settings.state_dir, settings.keys)
        routes += subscriptions.routes(settings, subscribers, mailer)
        closers += [subscribers.close, mailer.close]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await run_in_threadpool(readability.load)  # once, before the first writers: not once in each thread
        service.worker.start()
        if teller is not None:
            teller.start()
        log.info("intake: started; %d submissions waiting to be delivered", service.queue.counts()[0])
        yield
        for close in closers:
            await run_in_threadpool(close)

    origins = (*settings.allowed_origins, settings.public_url.rstrip("/"))
    middleware = [Middleware(guard.Guard, site=settings.site, origins=origins,
                             guarded=("/share", "/subscribe", *writer_pages.PATHS)),
                  Middleware(Contained)]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan,
                    exception_handlers={HTTPException: _http_error})
    app.state.service = service
    return app


def _share(service: Service, writers: Writers) -> Endpoint:
    site = service.settings.site

    async def share(request: Request) -> Response:
        async with request.form(max_files=MAX_PHOTOS, max_fields=MAX_FIELDS, max_part_size=MAX_PART_BYTES) as data:
            answers = await run_in_threadpool(form.read, data, site)
            if isinstance(answers, form.Spam):  # thanked like anyone, and nothing kept
                return HTMLResponse(answer_pages.thank_you(new_reference(service.settings.reference_prefix),
                                                           urgent=False, site=site, code=new_code()))
            if isinstance(answers, list):
                return HTMLResponse(answer_pages.form_page(data, answers, site), status_code=400)
            accepted = await run_in_threadpool(service.accept, answers)
            if isinstance(accepted, list):
                return HTMLResponse(answer_pages.form_page(data, field_errors(accepted), site), status_code=400)
        code = await run_in_threadpool(writers.issue, accepted.reference)
        log.info("%s: received%s", accepted.reference, " (urgent)" if accepted.urgent else "")
        return HTMLResponse(answer_pages.thank_you(accepted.reference, urgent=accepted.urgent, site=site, code=code))

    return share


def _health(service: Service) -> Endpoint:
    async def health(request: Request) -> Response:
        waiting, delivered = await run_in_threadpool(service.queue.counts)
        return JSONResponse({"status": "ok", "waiting": waiting, "delivered": delivered})

    return health


def _page(status: int) -> HTMLResponse:
    title, text = ERRORS.get(status, ERRORS[500] if status >= 500 else ("That did not work", "Please go back "
                                                                          "and try again."))
    return HTMLResponse(ERROR_PAGE.format(title=title, text=text), status_code=status)


async def _http_error(request: Request, error: Exception) -> Response:
    return _page(error.status_code if isinstance(error, HTTPException) else 500)


class Contained:
    """Any error below it answered with the plain page and logged by its kind alone: Starlette's own handler
    for errors sits outside the guard (no security headers) and passes the error on to the server, whose
    traceback in the log could hold what a writer wrote."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as error:
            if scope["type"] != "http":
                raise
            # The route's pattern, not the path: a path's token opens a reader's own manage page.
            where = scope["route"].path if "route" in scope else scope["path"]
            log.error("%s %s failed: %s", scope["method"], where, type(error).__name__)
            if not started:
                await _page(500)(scope, receive, send)
