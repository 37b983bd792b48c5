"""Personal data in a story's text: NHS numbers, phone numbers, email addresses, postcodes, dates of birth.

The only module that imports phonenumbers. Each detector leans towards finding too much rather than too little
(an editor can accept a finding), but never flags ordinary numbers: years, counts, dates, "ward 7". Every hit is
masked here, before it leaves the module.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from phonenumbers import Leniency, PhoneNumberMatcher

from narrative.presentation import one_line
from narrative.screen.finding import Hit, distinct

REGION = "GB"
"""Numbers without a country code are read as UK numbers."""

NHS_NUMBER = re.compile(r"(?<![\d+])(\d{3})([ -]?)(\d{3})\2(\d{4})(?!\d)")
"""Ten digits as NHS numbers are written: `943 476 5919`, `943-476-5919` or `9434765919`."""
EMAIL = re.compile(r"(?<![\w.%+-])([A-Za-z0-9._%+-]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})\b")
_OUTWARD = r"(?:[A-Z][0-9]{1,2}|[A-Z][A-HJ-Y][0-9]{1,2}|[A-Z][0-9][A-Z]|[A-Z][A-HJ-Y][0-9][A-Z]|GIR)"
_INWARD = r"[0-9][ABD-HJLNP-UW-Z]{2}"
POSTCODE = re.compile(rf"\b({_OUTWARD})[ \t]?({_INWARD})\b", re.IGNORECASE)
"""A full UK postcode in the shape the official pattern gives (outward code, inward code); the inward code's
letters never include C, I, K, M, O or V, so "1am" and "2pm" are not postcodes."""
_ORDINAL = re.compile(r"\d(?:st|nd|rd|th)")
"""Lowercase "2nd" or "4th" after "A1 " is an ordinal in a sentence, not an inward code."""
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_DATE = (rf"(?:{_DAY}(?:\s+of)?\s+{_MONTH},?\s+\d{{4}}|{_MONTH}\s+{_DAY},?\s+\d{{4}}|"
         r"\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|\d{4}-\d{2}-\d{2})")
DATE_OF_BIRTH = re.compile(
    rf"\b(?P<trigger>(?:born|date\s+of\s+birth|birth\s*date|d\.?o\.?b\b\.?)(?:\s*[:–-]\s*|\s+)"
    rf"(?:(?:is|was|on)\s+)*(?:the\s+)?)(?P<date>{_DATE})(?![\w/])",
    re.IGNORECASE,
)
"""A full date (day, month and year) right after "born", "date of birth" or "DOB"."""
_DATE_SHAPE = re.compile(r"\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}|\d{4}-\d{2,4}")
"""What phonenumbers may read as a number but people write as a date or a span of years."""
_PHONE_START = re.compile(r"\(?[+0]")
"""UK numbers are written with their leading 0, others with + or 00: a bare "2025" or "12345678" is not one."""


def nhs_number_is_valid(digits: str) -> bool:
    """The modulus 11 check: weights 10 down to 2 on the first nine digits; 11 minus the remainder is the
    tenth digit (11 counts as 0, and 10 means no valid NHS number has these nine digits)."""
    total = sum(int(digit) * weight for digit, weight in zip(digits[:9], range(10, 1, -1)))
    check = (11 - total % 11) % 11
    return check != 10 and check == int(digits[9])


def mask_digits(raw: str, keep: int) -> str:
    """The first `keep` digits shown, every later digit as `*`, spacing and punctuation kept."""
    shown = 0
    masked = []
    for char in raw:
        if char.isdigit():
            shown += 1
            masked.append(char if shown <= keep else "*")
        else:
            masked.append(char)
    return "".join(masked)


def _mask_date(date: str) -> str:
    """The date's first part kept, later numbers and month names starred: `3 March 1961` → `3 *** ****`."""
    tokens = re.findall(r"\d+(?:st|nd|rd|th)?|[A-Za-z]+|[^A-Za-z\d]+", date)
    first = next(n for n, token in enumerate(tokens) if token[0].isalnum())
    return "".join(
        token if n <= first or not token[0].isalnum() or token.lower() == "of"
        else "*" * len(token) if token[0].isdigit() else "***"
        for n, token in enumerate(tokens)
    )


def nhs_numbers(text: str) -> Iterator[Hit]:
    for match in NHS_NUMBER.finditer(text):
        if nhs_number_is_valid(match[1] + match[3] + match[4]):
            yield Hit("nhs-number", "NHS number", match.start(), match.end(), mask_digits(match[0], 3))


def emails(text: str) -> Iterator[Hit]:
    for match in EMAIL.finditer(text):
        yield Hit("email", "email address", match.start(), match.end(), f"{match[1][0]}***@{match[2]}")


def dates_of_birth(text: str) -> Iterator[Hit]:
    for match in DATE_OF_BIRTH.finditer(text):
        shown = one_line(match["trigger"] + _mask_date(match["date"]))  # "born" may end a line, the date begin one
        yield Hit("date-of-birth", "date of birth", match.start(), match.end(), shown)


def postcodes(text: str) -> Iterator[Hit]:
    for match in POSTCODE.finditer(text):
        if not _ORDINAL.fullmatch(match[2]):
            yield Hit("postcode", "postcode", match.start(), match.end(), f"{match[1].upper()} ***")


PHONE_DIGITS = 8
"""The fewest digits a phone number is written with (Childline's 0800 1111): fewer is a time ("at 0800")."""


def phone_numbers(text: str) -> Iterator[Hit]:
    """UK and international numbers, including the ranges kept for drama (07700 900xxx), which people also
    invent or mistype: hence `Leniency.POSSIBLE` (right length for some number plan) rather than the default."""
    for match in PhoneNumberMatcher(text, REGION, leniency=Leniency.POSSIBLE):
        raw = match.raw_string
        digits = sum(char.isdigit() for char in raw)
        if not _PHONE_START.match(raw) or _DATE_SHAPE.fullmatch(raw) or digits < PHONE_DIGITS:
            continue
        yield Hit("phone", "phone number", match.start, match.end, mask_digits(raw, min(6, digits - 5)))


DETECTORS: tuple[Callable[[str], Iterator[Hit]], ...] = (emails, dates_of_birth, phone_numbers, nhs_numbers,
                                                          postcodes)
"""In order of precedence: where two overlap, the first wins. A phone number starts with 0 or + and an NHS
number never does, so `+1 415 555 2671` is a phone number though its last ten digits pass the NHS check."""


_DIGIT = re.compile(r"\d")


def find(text: str) -> Iterator[Hit]:
    """Every piece of personal data in `text`, each once, in the order it appears. Every kind but an email
    address has digits in it, and an email address has an @: a text without them is not read further."""
    digits = _DIGIT.search(text) is not None
    wanted = [detector for detector in DETECTORS if ("@" in text if detector is emails else digits)]
    yield from distinct(hit for detector in wanted for hit in detector(text))

