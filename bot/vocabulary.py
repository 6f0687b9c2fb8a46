"""The words UA documents are written in, English and Spanish: months, update ordinals,
language names, and dates as people write them ("30 de agosto de 2026", "August 30, 2026")."""

from __future__ import annotations

import re
from datetime import date

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan", "enero", "ene"),
            ("february", "feb", "febrero"),
            ("march", "mar", "marzo"),
            ("april", "apr", "abril", "abr"),
            ("may", "mayo", "may"),
            ("june", "jun", "junio"),
            ("july", "jul", "julio"),
            ("august", "aug", "agosto", "ago"),
            ("september", "sep", "sept", "septiembre", "setiembre"),
            ("october", "oct", "octubre"),
            ("november", "nov", "noviembre"),
            ("december", "dec", "diciembre", "dic"),
        ],
        start=1,
    )
    for name in names
}

ORDINALS = {
    word: number
    for number, words in enumerate(
        [
            ("first", "1st", "primera", "primer", "1a", "1ª"),
            ("second", "2nd", "segunda", "2a", "2ª"),
            ("third", "3rd", "tercera", "3a", "3ª"),
            ("fourth", "4th", "cuarta", "4a", "4ª"),
            ("fifth", "5th", "quinta", "5a", "5ª"),
            ("sixth", "6th", "sexta", "6a", "6ª"),
            ("seventh", "7th", "séptima", "septima", "7a", "7ª"),
            ("eighth", "8th", "octava", "8a", "8ª"),
            ("ninth", "9th", "novena", "9a", "9ª"),
            ("tenth", "10th", "décima", "decima", "10a", "10ª"),
            ("eleventh", "11th", "undécima", "11a", "11ª"),
            ("twelfth", "12th", "duodécima", "12a", "12ª"),
        ],
        start=1,
    )
    for word in words
}

LANGUAGE_NAMES = {
    "english": "en",
    "inglés": "en",
    "ingles": "en",
    "spanish": "es",
    "español": "es",
    "espanol": "es",
    "castellano": "es",
    "french": "fr",
    "francés": "fr",
    "frances": "fr",
    "portuguese": "pt",
    "portugués": "pt",
    "portugues": "pt",
    "arabic": "ar",
    "árabe": "ar",
    "russian": "ru",
    "ruso": "ru",
    "chinese": "zh",
    "chino": "zh",
    "german": "de",
    "alemán": "de",
}

_MONTH_WORD = r"([A-Za-zÁÉÍÓÚáéíóú]+)\.?"
_DATE_PATTERNS = [
    (re.compile(rf"^{_MONTH_WORD}\s+(\d{{1,2}}),?\s+(\d{{4}})"), ("month", "day", "year")),
    (
        re.compile(
            rf"^(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:de\s+)?{_MONTH_WORD},?\s+(?:de[l]?\s+)?(\d{{4}})"
        ),
        ("day", "month", "year"),
    ),
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})"), ("year", "month", "day")),
    (re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})"), ("day", "month", "year")),
]


def parse_date(text: str) -> date | None:
    """A date written in English, Spanish, ISO or day-first numbers; None if it is not one."""
    text = text.strip().strip(".").strip()
    for pattern, order in _DATE_PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        parts = dict(zip(order, match.groups(), strict=True))
        month_text = parts["month"].lower()
        month = int(month_text) if month_text.isdigit() else MONTHS.get(month_text)
        if month is None:
            return None
        try:
            return date(int(parts["year"]), month, int(parts["day"]))
        except ValueError:
            return None
    return None


def language_code(text: str) -> str | None:
    """The first language named in ``text`` ("Spanish or your own language." -> "es")."""
    for word in re.findall(r"[A-Za-zÁÉÍÓÚáéíóúñÑ]+", text.lower()):
        if word in LANGUAGE_NAMES:
            return LANGUAGE_NAMES[word]
    return None


# --- line patterns -----------------------------------------------------------------------
