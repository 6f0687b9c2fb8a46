"""The one definition of a UA number: as people type it and as documents spell it."""

from __future__ import annotations

import re

import pytest

from uareader.numbers import IN_TEXT, UANumber, normalise_ua_number


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("72/24", "72/24"),
        ("72.24", "72/24"),
        ("72-24", "72/24"),
        ("UA 72/24", "72/24"),
        ("au: 072 / 24", "72/24"),
        (" 1234/99 ", "1234/99"),
    ],
)
def test_a_typed_number_is_read_as_people_write_it(typed: str, expected: str) -> None:
    assert normalise_ua_number(typed) == expected


@pytest.mark.parametrize("typed", ["0/24", "72/2024", "72", "12345/24", "UA", "72/24 x", ""])
def test_what_is_no_number_is_refused(typed: str) -> None:
    assert UANumber.typed(typed) is None


def test_the_digits_as_written_are_kept_for_a_correction() -> None:
    number = UANumber.typed("AU 047/24")
    assert number is not None
    assert (number.written, str(number)) == ("047/24", "47/24")


def test_every_spelling_of_a_number_finds_the_same_case() -> None:
    assert UANumber.stored("047/24").spellings() == ["047/24", "47/24"]
    assert UANumber.stored("7/24").spellings() == ["007/24", "07/24", "7/24"]
    assert UANumber.stored("1234/24").spellings() == ["1234/24"]


def test_a_dash_in_a_document_is_a_date_not_a_number() -> None:
    assert re.search(IN_TEXT, "UA 72/24 issued 12-24") is not None
    assert re.search(IN_TEXT, "issued 12-24") is None
    assert re.search(IN_TEXT, "on 12/04/2024") is None
