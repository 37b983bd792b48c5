"""Personal data detectors: each kind found in the forms people write it, masked, and ordinary text left alone."""

from __future__ import annotations

import re

import pytest

from narrative.config import FINDING_KINDS
from narrative.screen import personal_data
from narrative.screen.personal_data import mask_digits, nhs_number_is_valid


def found(text: str) -> list[tuple[str, str]]:
    return [(hit.kind, hit.text) for hit in personal_data.find(text)]


@pytest.mark.parametrize("text, masked", [
    ("My NHS number is 943 476 5919.", "943 *** ****"),
    ("NHS no. 943-476-5919", "943-***-****"),
    ("nhs number:9434765919", "943*******"),
    ("His number was 401 023 2137 on the letter", "401 *** ****"),
])
def test_a_valid_nhs_number_is_found_in_each_usual_spacing(text: str, masked: str) -> None:
    assert found(text) == [("nhs-number", masked)]


@pytest.mark.parametrize("text", [
    "943 476 5918",  # the check digit should be 9
    "943 476 5910",
    "400 000 0080",  # 400000008's check digit would be 10: no NHS number starts so
    "400 000 0089",
    "943 4765 919",  # not the usual spacing
    "943 476 59190",  # eleven digits
])
def test_a_ten_digit_number_that_fails_the_check_is_not_an_nhs_number(text: str) -> None:
    assert [kind for kind, _ in found(text)] == []


def test_the_modulus_11_check() -> None:
    assert nhs_number_is_valid("9434765919")
    assert nhs_number_is_valid("4010232137")
    assert [digit for digit in "0123456789" if nhs_number_is_valid("943476591" + digit)] == ["9"]
    assert [digit for digit in "0123456789" if nhs_number_is_valid("400000008" + digit)] == []


@pytest.mark.parametrize("text, masked", [
    ("Call me on 07700 900 123 please", "07700 9** ***"),
    ("text 07700900123.", "077009*****"),
    ("ring 020 7946 0018 in the day", "020 794* ****"),
    ("the surgery, (0161) 496 0123,", "(0161) 49* ****"),
    ("0113 496 0000", "0113 49* ****"),
    ("from abroad: +44 20 7946 0958", "+44 20 79** ****"),
    ("+44 (0)20 7946 0958", "+44 (0)20 7*** ****"),
    ("0044 20 7946 0958", "0044 20 **** ****"),
    ("my cousin in Boston, +1 415 555 2671", "+1 415 55* ****"),
    ("in Paris +33 1 23 45 67 89", "+33 1 23 4* ** **"),
])
def test_phone_numbers_in_uk_and_international_forms(text: str, masked: str) -> None:
    assert found(text) == [("phone", masked)]


def test_an_international_number_is_a_phone_number_even_when_its_digits_pass_the_nhs_check() -> None:
    assert nhs_number_is_valid("4155552671")
    assert found("+1 415 555 2671") == [("phone", "+1 415 55* ****")]


@pytest.mark.parametrize("text, masked", [
    ("write to jo.bloggs@example.org today", "j***@example.org"),
    ("Email: Sam+Stories@mail.example.co.uk.", "S***@mail.example.co.uk"),
])
def test_email_addresses(text: str, masked: str) -> None:
    assert found(text) == [("email", masked)]


@pytest.mark.parametrize("text, masked", [
    ("I live at LS1 4AP now", "LS1 ***"),
    ("ls1 4ap", "LS1 ***"),
    ("SW1A 1AA", "SW1A ***"),
    ("EC1A1BB", "EC1A ***"),
    ("M1 1AE", "M1 ***"),
    ("B33 8TH", "B33 ***"),
    ("CR2 6XH", "CR2 ***"),
    ("DN55 1PT", "DN55 ***"),
    ("W1A 0AX", "W1A ***"),
])
def test_full_uk_postcodes(text: str, masked: str) -> None:
    assert found(text) == [("postcode", masked)]


@pytest.mark.parametrize("text, masked", [
    ("I was born 3 March 1961 in Leeds.", "born 3 *** ****"),
    ("DOB 03/03/61", "DOB 03/**/**"),
    ("D.O.B.: 03/03/1961", "D.O.B.: 03/**/****"),
    ("date of birth: March 3, 1961", "date of birth: March *, ****"),
    ("She was born on the 3rd of March 1961", "born on the 3rd of *** ****"),
    ("Born: 1961-03-03", "Born: 1961-**-**"),
    ("my son was born on 14 Feb. 2020", "born on 14 ***. ****"),
    ("I was born\n3 March 1961, the youngest", "born 3 *** ****"),
])
def test_dates_of_birth(text: str, masked: str) -> None:
    assert found(text) == [("date-of-birth", masked)]


@pytest.mark.parametrize("text", [
    "In 2025 we went to the clinic 12 times.",
    "I was on ward 7 for 3 weeks, bed 12.",
    "From 2019 to 2024 I saw four different GPs.",
    "The 2024-25 plan",
    "It cost £1,250 and took 90 minutes.",
    "We waited from 09:30 until 17:00.",
    "At 3pm on 14 March 2026 I saw the nurse.",
    "On 05/11/2024 the letter came.",
    "The appointment was 03.03.2026 at the hub.",
    "She was born in 1961 and grew up here.",
    "The M6 was closed, so I took the A1 instead.",
    "It was the A1 2nd time round.",
    "Take the number 42 bus to Bay 3.",
    "Call 999 in an emergency, or NHS 111.",
    "Samaritans are there on 116 123.",
    "The reference was 12345678.",
    "Covid-19 changed everything.",
    "Room B12 on the 2nd floor.",
    "We followed @HollowmereNHS for news.",
    "She was 45 years old and it was 10% better.",
    "Version 2.10.3 of the leaflet",
    "The phone lines open at 0800 and I rang at 0801.",
])
def test_ordinary_text_is_not_flagged(text: str) -> None:
    assert found(text) == []


def test_every_kind_in_one_text_in_order() -> None:
    text = ("Jo (jo@example.org) was born 3 March 1961, NHS number 943 476 5919.\n"
            "Phone 07700 900 123, postcode LS1 4AP.")
    assert found(text) == [("email", "j***@example.org"), ("date-of-birth", "born 3 *** ****"),
                           ("nhs-number", "943 *** ****"), ("phone", "07700 9** ***"), ("postcode", "LS1 ***")]
    assert {kind for kind, _ in found(text)} <= set(FINDING_KINDS)


def test_a_hit_never_holds_what_it_masks() -> None:
    text = "jo.bloggs@example.org 943 476 5919 07700 900 123 LS1 4AP born 3 March 1961"
    for hit in personal_data.find(text):
        original = text[hit.start:hit.end]
        assert hit.text != original
        assert not re.search(r"\d{4}", hit.text.replace(" ", "")[6:]), hit.text
    assert "bloggs" not in " ".join(hit.text for hit in personal_data.find(text))


def test_mask_digits_keeps_spacing() -> None:
    assert mask_digits("07700 900 123", 6) == "07700 9** ***"
    assert mask_digits("+44 (0)20", 3) == "+44 (0)**"
