"""Digests as email: `email.html` (tables, CSS inlined), `email.txt` (wrapped at 78) and `email.eml` (RFC 5322).

The only module that imports css_inline. The HTML comes from a Jinja2 template with autoescape on, so nothing a
contributor writes is ever markup; the message is built with the standard library's `EmailMessage`.

No one's words can add a header, whatever the Python version: each header is made here from parts of a known
shape and written as this module encodes it, never left to the library's policy (text through `header_text`,
which leaves it one line and breaks every `=?` so that no encoded word can hide a line break (CVE-2024-6923),
then encoded and folded by `encoded`; addresses by `formataddr`; identifiers and links checked to be
printable ASCII), and the finished `.eml` is read back by `check_eml` before it is kept: a header that was
not set, or a line break inside a value, stops the build.
"""

from __future__ import annotations

import email
import functools
import hashlib
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from email import policy
from email.header import Header
from email.headerregistry import Address, BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.utils import formataddr, parseaddr
from urllib.parse import urlsplit

import css_inline
import jinja2

from narrative.compiled_templates import keep_compiled
from narrative.config import Settings
from narrative.digests import Answer, Digest, Period, kind_label
from narrative.model import PledgeUpdate, Story
from narrative.presentation import listed, long_date, one_line, plural
from narrative.problems import Problem
from narrative.site import Site

WIDTH = 78
"""Longest line of the plain-text part (RFC 5322's recommended limit); only a long link may run past it."""
PREHEADER_LENGTH = 140
EMAIL_ITEMS = 30
"""Most items one email shows; the rest are a link to the digest's page. Gmail cuts off an email's HTML after
102 KB, and 30 items of the longest titles, summaries and content notes stay well under that."""
SETTING = "extra.narrative.digest"
HEADERS = ("Subject", "From", "Reply-To", "Date", "Message-ID", "List-Unsubscribe", "List-Unsubscribe-Post",
           "MIME-Version", "Content-Type")
"""Every header of a digest's message, each once: nothing else may be in it."""
PART_HEADERS = ("Content-Type", "Content-Transfer-Encoding", "MIME-Version")
"""The headers each of its two parts may have, each once."""
_ENCODED_WORD = "=?"
_PLAIN_ASCII = re.compile(r"[\x21-\x7e]+")

_templates = keep_compiled(jinja2.Environment(loader=jinja2.PackageLoader("narrative", "templates"), autoescape=True,
                                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True))


class _Headers(HeaderRegistry):
    """The standard library's header registry, making each kind of header's class once: its own makes a new class
    for every header set or read, a fifth of the time spent writing the digests' messages."""

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[str, type[BaseHeader]] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        if name not in self._made:
            self._made[name] = super().__getitem__(name)
        return self._made[name]


_POLICY = policy.SMTP.clone(refold_source="none", header_factory=_Headers())
"""The SMTP policy, but a header set raw is written as it is: every header is encoded here (`encoded`), and
`List-Unsubscribe` must stay one `<URL>` that mail programs can read, where the policy would fold a long one
into RFC 2047 encoded words."""
_inliner = css_inline.CSSInliner(load_remote_stylesheets=False, keep_style_tags=False, keep_link_tags=False)


class MailError(ValueError):
    """A digest cannot be made; the message names the setting to fix, or what is wrong with the message."""


def header_text(text: str) -> str:
    """Text as it may go into a header: one line, and every `=?` broken by a word joiner (invisible), so that
    nothing a contributor writes is read as an RFC 2047 encoded word, which could decode to a line break."""
    return one_line(text).replace(_ENCODED_WORD, "=\u2060?")


def encoded(name: str, text: str) -> str:
    """A header's text as it is written: RFC 2047 encoded words (UTF-8) when it is not all ASCII, folded within
    the line length either way; `text` has been through `header_text`, so it holds no `=?` of its own."""
    return Header(text, None if text.isascii() else "utf-8", maxlinelen=WIDTH, header_name=name).encode()


def _mailbox(address: Address) -> str:
    """An address as written in a header: its display name quoted or encoded, the address itself ASCII."""
    return formataddr((address.display_name, _ascii("address", address.addr_spec)), charset="utf-8")


def _ascii(name: str, value: str) -> str:
    """A header value made of printable ASCII alone (an identifier, a link), or `MailError` naming it."""
    if not _PLAIN_ASCII.fullmatch(value):
        raise MailError(f"the {name} header would hold {value!r}: it must be printable ASCII without spaces")
    return value


@functools.lru_cache(maxsize=16)
def parse_address(value: str) -> Address | None:
    """`Name <user@example.org>` or `user@example.org` as an `Address`, or None when it is not one."""
    display, spec = parseaddr(value)
    if not spec or "@" not in spec or not spec.isascii():
        return None
    try:
        return Address(display_name=header_text(display), addr_spec=spec)
    except (ValueError, IndexError):
        return None


def _address(settings: Settings, name: str) -> tuple[Address | None, Problem | None]:
    """A digest setting that must hold an email address, or the problem with it."""
    value = getattr(settings.digest, name)
    field = f"{SETTING}.{name}"
    example = "Our stories <stories@example.org>" if name == "sender" else "engagement@example.org"
    if value is None:
        return None, Problem(settings.config_file, None, field,
                             f"missing: email digests need it, e.g. {name}: {example}", "missing")
    address = parse_address(value)
    if address is None:
        return None, Problem(settings.config_file, None, field,
                             f"'{value}' is not an email address: write it like {example}", "bad-setting")
    return address, None


def settings_problems(settings: Settings) -> list[Problem]:
    """Everything missing or wrong in the digest settings, all at once; an empty list means digests can be made."""
    problems = [] if settings.site_url else [
        Problem(settings.config_file, None, "site_url", "missing: feeds and digests link to the site, so they need "
                "its address, e.g. site_url: https://stories.example.org/", "missing")]
    problems += [problem for name in ("sender", "reply_to") if (problem := _address(settings, name)[1])]
    if settings.digest.unsubscribe_url is None:
        problems.append(Problem(settings.config_file, None, f"{SETTING}.unsubscribe_url",
                                "missing: every digest must offer one-click unsubscribe, e.g. "
                                "unsubscribe_url: https://example.org/unsubscribe", "missing"))
    elif not _PLAIN_ASCII.fullmatch(settings.digest.unsubscribe_url):
        problems.append(Problem(settings.config_file, None, f"{SETTING}.unsubscribe_url", "must be plain ASCII, "
                                "as it goes into an email's header: write other letters percent-encoded, like %C3%A9 "
                                "for é", "bad-setting"))
    return problems


@dataclass(frozen=True)
class MailItem:
    """One item as a digest shows it: every link absolute, every text plain (the template escapes it)."""

    kind: str
    title: str
    link: str
    meta: str
    summary: str
    action: str
    note: str | None = None
    recording: str | None = None
    recording_action: str | None = None
    lang: str | None = None
    """The language of the title and summary, where the item says one."""


@dataclass(frozen=True)
class Recipient:
    """What makes a sent digest one reader's own: why they get it and their own links, signed by the service.
    Nothing in it identifies the reader to anyone but the service, and nothing tracks them."""

    why: str
    """Ends `You are getting this email because ...`: what they asked for and how often."""
    manage: str
    """Their `Manage your emails` page."""
    unsubscribe: str
    """Their one-click unsubscribe address (`List-Unsubscribe`, RFC 8058)."""
    archive: str | None = None
    """Where to read the email on the website, when not the digest's archive page (a story's responses)."""


@dataclass(frozen=True)
class Email:
    """A digest's three files, ready to write beside its archive page."""

    subject: str
    html: str
    text: str
    eml: bytes

    NAMES = ("email.html", "email.txt", "email.eml")
    """The files' names, in the digest's folder."""

    def files(self) -> dict[str, bytes]:
        return dict(zip(self.NAMES, (self.html.encode("utf-8"), self.text.encode("utf-8"), self.eml), strict=True))


def mail_item(item: Story | PledgeUpdate | Answer, site: Site) -> MailItem:
    settings = site.settings
    base = settings.site_url or ""
    date = long_date(item.published.astimezone(settings.zone))
    if isinstance(item, Answer):
        return MailItem("Response", one_line(item.title), base + item.url, f"{date} · {item.response.responder}",
                        item.summary, "Read the response", lang=item.story.lang)
    if isinstance(item, Story):
        who = item.display_author + (f", {item.role}" if item.role else "")
        topics = ", ".join(settings.topic(slug).label for slug in item.topics)
        recording = item.recording
        return MailItem("Story", one_line(item.title), base + item.url, f"{date} · {who} · {topics}",
                        item.summary, "Read the story", item.content_note,
                        base + recording.url if recording else None,
                        recording.link_text if recording else None, item.lang)
    principle = settings.principle(item.principle)
    return MailItem("Pledge update", one_line(item.title), base + item.url,
                    f"{date} · {principle.name} · {item.progress.label}", item.summary, "Read the update",
                    lang=item.lang)


def counts(digest: Digest) -> str:
    """`3 stories and 1 pledge update`, `1 pledge update and 2 responses`."""
    stories = sum(isinstance(item, Story) for item in digest.items)
    answers = sum(isinstance(item, Answer) for item in digest.items)
    updates = len(digest.items) - stories - answers
    parts = [plural(stories, "story", "stories")] * bool(stories) + [plural(updates, "pledge update")] * bool(updates)
    parts += [plural(answers, "response")] * bool(answers)
    return listed(parts)


def subject(digest: Digest, settings: Settings) -> str:
    """The subject line: always one line, whatever the title holds."""
    if digest.period is Period.INSTANT:
        text = f"New {kind_label(digest.items[0]).lower()}: {digest.title}"
    else:
        text = f"{digest.title}: {counts(digest)}"
    return header_text(f"{settings.digest.subject_prefix} {text}")


def intro(digest: Digest) -> str:
    if digest.period is Period.INSTANT:
        return f"A new {kind_label(digest.items[0]).lower()}, published on {long_date(digest.first_day)}."
    if digest.period is Period.DAILY:
        return f"{counts(digest).capitalize()}, published on {long_date(digest.first_day)}."
    return f"{counts(digest).capitalize()}, published from {long_date(digest.first_day)} to " \
           f"{long_date(digest.last_day)}."


def preheader(digest: Digest) -> str:
    """The line inboxes show after the subject: the summary of one item, or the titles of several."""
    text = one_line(digest.items[0].summary if digest.period is Period.INSTANT
                    else "; ".join(item.title for item in digest.items[:EMAIL_ITEMS]))
    return text if len(text) <= PREHEADER_LENGTH else text[:PREHEADER_LENGTH - 1].rstrip() + "…"


def _wrap(text: str) -> list[str]:
    return textwrap.wrap(one_line(text), WIDTH, break_long_words=False, break_on_hyphens=False) or [""]


def paragraph(text: str) -> str:
    """A paragraph of a plain-text email, in lines of `WIDTH` at most, no word or address broken."""
    return "\n".join(_wrap(text))


def _link(label: str, url: str) -> list[str]:
    """`label: url` on one line when it fits, else the link alone on the next line, never broken."""
    line = f"{label}: {url}"
    return [line] if len(line) <= WIDTH else [f"{label}:", url]


def more(digest: Digest, shown: int) -> str | None:
    """What a long digest leaves to its page: `And 12 more items on the website`, or None."""
    rest = len(digest.items) - shown
    return f"And {plural(rest, 'more item')} on the website" if rest > 0 else None


def plain_text(digest: Digest, items: Sequence[MailItem], links: dict[str, str], settings: Settings) -> str:
    """The same digest as plain text, wrapped at 78 characters, every link written out."""
    heading = one_line(digest.title)
    lines = [*_wrap(settings.site_name), "", *_wrap(heading), "=" * min(len(heading), WIDTH), "",
             *_wrap(intro(digest)), ""]
    for item in items:
        lines += ["-" * 20, item.kind.upper(), *_wrap(item.title), *_wrap(item.meta)]
        if item.note:
            lines += _wrap(f"Content note: {item.note}")
        lines += ["", *_wrap(item.summary), "", *_link(item.action, item.link)]
        if item.recording and item.recording_action:
            lines += _link(item.recording_action, item.recording)
        lines.append("")
    if rest := more(digest, len(items)):
        lines += ["-" * 20, *_link(rest, links["archive"]), ""]
    lines += ["-" * 20, *_wrap(f"You are getting this email because {links['why']}"), "",
              *_link("Read this digest on the website", links["archive"]),
              *_link("Manage your emails", links["manage"]),
              *_link("Unsubscribe", links["unsubscribe"])]
    return "\n".join(lines) + "\n"


def html(digest: Digest, items: Sequence[MailItem], links: dict[str, str], settings: Settings,
         subject_line: str) -> str:
    """The HTML part: the template drawn, then every CSS rule inlined by css-inline."""
    drawn = _templates.get_template("email.html").render(
        subject=subject_line, preheader=preheader(digest), heading=digest.title, intro=intro(digest),
        items=items, more=more(digest, len(items)), site_name=settings.site_name, organisation=settings.organisation,
        **links)
    return _inliner.inline(drawn).rstrip("\n") + "\n"  # the same bytes as the message's HTML part


def fingerprint(digest: Digest) -> str:
    """Which items, as last changed, a digest holds: the same digest always gets the same `Message-ID` and
    MIME boundary (so a rebuild writes identical files), one whose items change gets new ones."""
    state = "\n".join(f"{item.kind.folder}/{item.slug}@{(item.updated or item.published).isoformat()}"
                      for item in digest.items)
    return hashlib.sha256(state.encode("utf-8")).hexdigest()[:16]


def message_id(digest: Digest, settings: Settings, personal: str = "") -> str:
    host = urlsplit(settings.site_url or "").hostname or "localhost"
    suffix = f".{personal}" if personal else ""
    return f"<digest.{digest.period.value}.{digest.key.replace('/', '.')}.{fingerprint(digest)}{suffix}@{host}>"


def archived(settings: Settings) -> Recipient:
    """The links of the archive's copy, which is nobody's: the subscribe page, where readers manage their
    emails, and the site's own unsubscribe address."""
    base = settings.site_url or ""
    return Recipient(f"you subscribed to {settings.site_name} from {settings.organisation}.",
                     base + "subscribe/#email", settings.digest.unsubscribe_url or "")


def draw(digest: Digest, site: Site, recipient: Recipient) -> tuple[str, str, str]:
    """A digest's subject, HTML part and plain-text part, with the recipient's links in them."""
    settings = site.settings
    base = settings.site_url or ""
    links = {"home": base, "archive": recipient.archive or base + digest.url, "why": recipient.why,
             "manage": recipient.manage, "unsubscribe": recipient.unsubscribe}
    items = [mail_item(item, site) for item in digest.items[:EMAIL_ITEMS]]
    subject_line = subject(digest, settings)
    return (subject_line, html(digest, items, links, settings, subject_line),
            plain_text(digest, items, links, settings))


def message(digest: Digest, settings: Settings, parts: tuple[str, str, str], unsubscribe: str,
            to: str | None = None, personal: str = "") -> bytes:
    """The RFC 5322 message of drawn parts; `to` and `personal` (a stable suffix of its `Message-ID`) make
    it one reader's, so a copy sent again after a crash carries the same `Message-ID` and reads as the same."""
    problems = settings_problems(settings)
    if problems:
        raise MailError("\n".join(str(problem) for problem in problems))
    sender, _ = _address(settings, "sender")
    reply_to, _ = _address(settings, "reply_to")
    subject_line, html_part, text_part = parts
    letter = EmailMessage(policy=_POLICY)
    letter.set_raw("Subject", encoded("Subject", header_text(subject_line)))
    letter.set_raw("From", _mailbox(sender))
    if to is not None:
        letter.set_raw("To", _ascii("To", to))
    letter.set_raw("Reply-To", _mailbox(reply_to))
    letter["Date"] = digest.items[0].published.astimezone(settings.zone)  # the newest item's time
    letter["Message-ID"] = _ascii("Message-ID", message_id(digest, settings, personal))
    # one address, never folded into encoded words
    letter.set_raw("List-Unsubscribe", _ascii("List-Unsubscribe", f"<{unsubscribe}>"))
    letter["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    letter.set_content(text_part, cte="quoted-printable")
    letter.add_alternative(html_part, subtype="html", cte="quoted-printable")
    letter.set_boundary(f"=_narrative_{fingerprint(digest)}")  # "=_" never occurs in quoted-printable text
    eml = letter.as_bytes()
    check_eml(eml, subject_line, addressed=to is not None)
    return eml


def compose(digest: Digest, site: Site) -> Email:
    """The archive's copy of a digest's email in its three forms; `MailError` names any digest setting that
    is missing or wrong, or what makes the message unsafe."""
    recipient = archived(site.settings)
    parts = draw(digest, site, recipient)
    return Email(*parts, message(digest, site.settings, parts, recipient.unsubscribe))

def _letters(text: str) -> str:
    """Text without its spaces: the library's folding may add one, or drop one between encoded words."""
    return "".join(text.split())


_LINE_BREAK = re.compile(r"\r|\n")
"""What the modern policy removes from a header's value before it reads it (`linesep_splitter` there)."""


def _decoded(name: str, raw: str) -> str:
    """A header's value as the modern policy reads it. Only an encoded word (`=?`) or an RFC 2231 parameter
    (`*=`) can decode to something other than what is written, a line break among others; a value with neither
    is what is written, less the line breaks that fold it; reading every value with the policy's parser was four
    fifths of the time spent checking the digests."""
    unfolded = _LINE_BREAK.sub("", raw)
    if _ENCODED_WORD not in unfolded and "*=" not in unfolded:
        return unfolded
    return str(policy.default.header_fetch_parse(name, raw))


def check_eml(eml: bytes, subject_line: str, *, addressed: bool = False) -> None:
    """The message read back as a mail client would: exactly the headers set here, each once (and in each part
    those the library sets; `To` too when it is `addressed` to one reader), no line break inside any value,
    and the subject as it was meant; else `MailError`, so that an email that could reach anyone else is never
    kept or sent. Its structure is read with the headers kept as they came, and each header is then decoded
    once, as the modern policy decodes it: that policy's parser decodes a header again at every look (a
    digest's `Content-Type` twenty times), which took most of the time spent writing the digests."""
    headers = (*HEADERS, "To") if addressed else HEADERS
    parsed = email.message_from_bytes(eml, policy=policy.compat32)
    parts = parsed.get_payload() if parsed.is_multipart() else []
    read = [[(name, _decoded(name, raw)) for name, raw in part.raw_items()] for part in (parsed, *parts)]
    names = [[name for name, _ in each] for each in read]
    wrong = [] if sorted(names[0]) == sorted(headers) else [f"has the headers {', '.join(names[0])}, not "
                                                            f"{', '.join(headers)}"]
    wrong += [f"a part has the headers {', '.join(each)}" for each in names[1:]
              if not set(each) <= set(PART_HEADERS) or len(set(each)) != len(each)]
    wrong += [f"the {name} header holds a line break" for each in read
              for name, value in each if "\r" in value or "\n" in value]
    subjects = [value for name, value in read[0] if name.lower() == "subject"]
    if _letters(subjects[0] if subjects else "") != _letters(subject_line):
        wrong.append("the subject does not read back as it was written")
    if wrong:
        raise MailError(f"the email for '{subject_line}' is not safe to send: {'; '.join(wrong)}")

