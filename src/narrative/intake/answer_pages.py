"""The intake service's answers, as plain HTML pages in the site's look: the form again with what needs fixing,
the thank-you with a reference, and a refusal.

Drawn with Jinja2 from the package's templates, every value escaped (the form's macro is the same one the
site's page draws). The pages take their stylesheets and script from the site (its `site_url`), so the
service sends nothing but HTML and asks nothing of a third party.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jinja2

from narrative import share_form
from narrative.compiled_templates import keep_compiled
from narrative.config import Settings
from narrative.intake import form

_templates = keep_compiled(jinja2.Environment(
    loader=jinja2.ChoiceLoader([jinja2.PackageLoader("narrative.intake", "templates"),
                                jinja2.PackageLoader("narrative", "templates")]),
    autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True))


def page(template: str, site: Settings, **context: Any) -> str:
    """Every page of the service: the service's own templates, then those it shares with the site's build."""
    return _templates.get_template(template).render(site=site, site_url=site.site_url or "", **context)


def form_page(form_data: form.Form, errors: Sequence[form.FieldError], site: Settings) -> str:
    """The form as it was sent, with the error summary on top and each message beside its answer (status 400)."""
    return page("intake_form.html", site, form=share_form,
                 action=f"{site.intake.url}share" if site.intake.url else "share",
                 values=form.typed(form_data), errors={error.field: error.message for error in errors},
                 photos_again=form.photos_sent(form_data))


def thank_you(reference: str, *, urgent: bool, site: Settings, code: str | None = None) -> str:
    """Thanks, the reference (and the private code, shown only here) to keep and, when the story is urgent,
    where to get help now (status 200)."""
    return page("intake_thanks.html", site, reference=reference, urgent=urgent, code=code)


def refusal(title: str, message: str, site: Settings) -> str:
    """A request refused, in plain words (`title`, then `message`), with the way back to the site."""
    return page("intake_refused.html", site, title=title, message=message)
