"""The words of UA documents: dates, ordinals and language names in English and Spanish."""

from __future__ import annotations

from datetime import date

import pytest

from uareader.vocabulary import ORDINALS, language_code, parse_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("August 30, 2026", date(2026, 8, 30)),
        ("30 August 2026", date(2026, 8, 30)),
        ("30 de agosto de 2026", date(2026, 8, 30)),
        ("1 de septiembre del 2026", date(2026, 9, 1)),
        ("2026-08-30", date(2026, 8, 30)),
        ("30/08/2026", date(2026, 8, 30)),
        ("February 30, 2026", None),
        ("1 January 10000", None),
        ("soon", None),
    ],
)
def test_dates_in_both_languages(text: str, expected: date | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Spanish or your own language.", "es"),
        ("Inglés, español o tu propio idioma", "en"),
        ("in any language", None),
    ],
)
def test_the_first_language_named_is_the_preferred_one(text: str, expected: str | None) -> None:
    assert language_code(text) == expected


def test_update_ordinals_read_in_both_languages() -> None:
    assert ORDINALS["seventh"] == ORDINALS["séptima"] == ORDINALS["7ª"] == 7
    assert ORDINALS["sixth"] == ORDINALS["sexta"] == 6
