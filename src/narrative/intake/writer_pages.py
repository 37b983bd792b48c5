"""The writer's own pages on the service: POST `/your-story` (where the story is), `/your-story/withdraw` (are
you sure?) and `/your-story/withdrawn` (take it back), each with the reference and private code as form fields.

Every answer is a plain page that works without JavaScript. A wrong reference or code, or a story already taken
back, is answered by the same page, byte for byte, with the same status. The guard rate-limits these paths like
the form's.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from narrative.config import Settings
from narrative.intake.answer_pages import page
from narrative.intake.destinations import DeliveryError
from narrative.intake.story_state import SAID
from narrative.intake.writers import normal_reference
from narrative.intake.your_story import YourStory

log = logging.getLogger("narrative.intake")

PATHS = ("/your-story", "/your-story/withdraw", "/your-story/withdrawn")
"""The paths the guard must check (origin, rate limit) like the form's."""
LONGEST = 200
"""Characters read of a reference or a code: more is not one."""


Endpoint = Callable[[Request], Awaitable[Response]]


def routes(yours: YourStory, site: Settings) -> list[BaseRoute]:
    nothing = page("your_story_nothing.html", site)

    def answer(work: Callable[[str, str], str | HTMLResponse | None]) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            async with request.form(max_files=0, max_fields=5, max_part_size=LONGEST) as data:
                reference, code = (str(data.get(name, ""))[:LONGEST] for name in ("reference", "code"))
            shown = await run_in_threadpool(work, reference, code)
            return shown if isinstance(shown, HTMLResponse) else HTMLResponse(nothing if shown is None else shown)

        return endpoint

    def status(reference: str, code: str) -> str | None:
        found = yours.look(reference, code)
        return None if found is None else page("your_story.html", site, reference=normal_reference(reference),
                                               code=code, where=found, said=SAID[found.state])

    def confirm(reference: str, code: str) -> str | None:
        found = yours.look(reference, code)
        return None if found is None else page("your_story_withdraw.html", site,
                                               reference=normal_reference(reference), code=code)

    def withdraw(reference: str, code: str) -> str | HTMLResponse | None:
        try:
            taken = yours.take_back(reference, code)
        except DeliveryError as error:  # the repository or GitHub did not answer: nothing was changed for good
            log.warning("%s: could not be taken back this time: %s", normal_reference(reference), error)
            return HTMLResponse(page("your_story_not_now.html", site, reference=normal_reference(reference),
                                     code=code), status_code=503)
        return page("your_story_withdrawn.html", site) if taken else None

    async def to_the_site(request: Request) -> Response:
        """An answer's address opened again (a bookmark, a reload): the site's page, to type the code again."""
        return RedirectResponse(f"{site.site_url or '/'}your-story/", status_code=303)

    return [*(Route(path, answer(work), methods=["POST"]) for path, work in zip(PATHS, (status, confirm, withdraw))),
            *(Route(path, to_the_site, methods=["GET", "HEAD"]) for path in PATHS)]
