"""The words UA documents are written in, English and Spanish: months, update ordinals,
language names, and dates as people write them ("30 de agosto de 2026", "August 30, 2026")."""

from __future__ import annotations

import re
from datetime import date
from functools import cache

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
            ("first", "1st", "primera", "primer", "primero", "1a", "1ª"),
            ("second", "2nd", "segunda", "segundo", "2a", "2ª"),
            ("third", "3rd", "tercera", "tercer", "tercero", "3a", "3ª"),
            ("fourth", "4th", "cuarta", "4a", "4ª"),
            ("fifth", "5th", "quinta", "5a", "5ª"),
            ("sixth", "6th", "sexta", "6a", "6ª"),
            ("seventh", "7th", "séptima", "septima", "7a", "7ª"),
            ("eighth", "8th", "octava", "8a", "8ª"),
            ("ninth", "9th", "novena", "9a", "9ª"),
            ("tenth", "10th", "décima", "decima", "10a", "10ª"),
            ("eleventh", "11th", "undécima", "11a", "11ª"),
            ("twelfth", "12th", "duodécima", "12a", "12ª"),
            ("thirteenth", "13th", "decimotercera", "13a", "13ª"),
            ("fourteenth", "14th", "decimocuarta", "14a", "14ª"),
            ("fifteenth", "15th", "decimoquinta", "15a", "15ª"),
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
    "persian": "fa",
    "farsi": "fa",
    "persa": "fa",
    "turkish": "tr",
    "turco": "tr",
    "ukrainian": "uk",
    "ucraniano": "uk",
    "urdu": "ur",
    "hindi": "hi",
    "bengali": "bn",
    "indonesian": "id",
    "indonesio": "id",
    "vietnamese": "vi",
    "vietnamita": "vi",
    "thai": "th",
    "tailandés": "th",
    "burmese": "my",
    "hebrew": "he",
    "hebreo": "he",
    "japanese": "ja",
    "japonés": "ja",
    "korean": "ko",
    "coreano": "ko",
    "italian": "it",
    "italiano": "it",
    "amharic": "am",
    "swahili": "sw",
    "kurdish": "ku",
    "tajik": "tg",
    "uzbek": "uz",
    "azerbaijani": "az",
    "belarusian": "be",
    "kazakh": "kk",
    "georgian": "ka",
    "armenian": "hy",
    "tamil": "ta",
    "sinhala": "si",
    "nepali": "ne",
    "mandarin": "zh",
}

_MONTH_WORD = r"([A-Za-zÁÉÍÓÚáéíóú]+)\.?"
_DATE_PATTERNS = [
    (re.compile(rf"^{_MONTH_WORD}\s+(\d{{1,2}}),?\s+(\d{{4}})(?!\d)"), ("month", "day", "year")),
    (
        re.compile(
            rf"^(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:de\s+)?{_MONTH_WORD},?\s+(?:de[l]?\s+)?(\d{{4}})(?!\d)"
        ),
        ("day", "month", "year"),
    ),
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?!\d)"), ("year", "month", "day")),
    (re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?!\d)"), ("day", "month", "year")),
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


_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
_DATE_ANYWHERE = re.compile(
    rf"\b(?:(?P<m1>{_MONTH_NAMES})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y1>\d{{4}})"
    rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th|º)?\s+(?:de\s+)?(?P<m2>{_MONTH_NAMES})\.?,?\s+"
    rf"(?:del?\s+)?(?P<y2>\d{{4}})"
    r"|(?P<y3>\d{4})-(?P<m3>\d{2})-(?P<d3>\d{2})"
    r"|(?P<d4>\d{1,2})[/.](?P<m4>\d{1,2})[/.](?P<y4>\d{4}))\b",
    re.I,
)


def find_date(text: str) -> tuple[date, int, int] | None:
    """The first date written anywhere in ``text``, with where it starts and ends.

    Dates in UA documents sit inside sentences ("PLEASE SEND APPEALS BEFORE 11 SEPTEMBER
    2019 TO:"), so unlike ``parse_date`` this does not need the date at the start."""
    for match in _DATE_ANYWHERE.finditer(text):
        for form in "1234":
            if match.group(f"y{form}") is None:
                continue
            month_text = match.group(f"m{form}").lower()
            month = int(month_text) if month_text.isdigit() else MONTHS.get(month_text)
            try:
                found = date(int(match.group(f"y{form}")), month or 0, int(match.group(f"d{form}")))
            except ValueError:
                break
            return found, match.start(), match.end()
    return None


#: Names people write that Babel's territory names do not spell that way, and the older
#: names Amnesty's documents from 1990 on use, with their ISO 3166 code (None where the
#: name stood for more than one of today's countries).
_COUNTRY_ALIASES: dict[str, tuple[str, str | None]] = {
    "USA": ("USA", "US"),
    "UK": ("UK", "GB"),
    "EEUU": ("EEUU", "US"),
    "EE. UU.": ("EE. UU.", "US"),
    "EE.UU.": ("EE.UU.", "US"),
    "Iran": ("Iran", "IR"),
    "Russia": ("Russia", "RU"),
    "Russian Federation": ("Russian Federation", "RU"),
    "Federación de Rusia": ("Federación de Rusia", "RU"),
    "Federación Rusa": ("Federación Rusa", "RU"),
    "Islamic Republic of Iran": ("Iran", "IR"),
    "República Islámica de Irán": ("Irán", "IR"),
    "Syrian Arab Republic": ("Syria", "SY"),
    "Republic of Korea": ("South Korea", "KR"),
    "Viet Nam": ("Viet Nam", "VN"),
    "Democratic Republic of the Congo": ("Democratic Republic of the Congo", "CD"),
    "DRC": ("DRC", "CD"),
    "República Democrática del Congo": ("República Democrática del Congo", "CD"),
    "Republic of the Congo": ("Republic of the Congo", "CG"),
    "Democratic Republic of Congo": ("Democratic Republic of the Congo", "CD"),
    "Republic of Congo": ("Republic of the Congo", "CG"),
    "Rusia": ("Rusia", "RU"),
    "Burma": ("Myanmar", "MM"),
    "Birmania": ("Myanmar", "MM"),
    "Palestine": ("Palestine", "PS"),
    "Palestina": ("Palestina", "PS"),
    "Occupied Palestinian Territories": ("Occupied Palestinian Territories", "PS"),
    "Territorios Palestinos Ocupados": ("Territorios Palestinos Ocupados", "PS"),
    "Congo": ("Congo", None),
    "Turkey": ("Turkey", "TR"),
    "Turquía": ("Turquía", "TR"),
    "Syria": ("Syria", "SY"),
    "Siria": ("Siria", "SY"),
    "South Korea": ("South Korea", "KR"),
    "North Korea": ("North Korea", "KP"),
    "Vietnam": ("Vietnam", "VN"),
    "Ivory Coast": ("Côte d’Ivoire", "CI"),
    "Costa de Marfil": ("Côte d’Ivoire", "CI"),
    "Swaziland": ("Eswatini", "SZ"),
    "Suazilandia": ("Esuatini", "SZ"),
    "East Timor": ("Timor-Leste", "TL"),
    "Timor Oriental": ("Timor-Leste", "TL"),
    "Zaire": ("Zaire", "CD"),
    "Zaïre": ("Zaire", "CD"),
    "USSR": ("USSR", None),
    "URSS": ("URSS", None),
    "Yugoslavia": ("Yugoslavia", None),
    "Czechoslovakia": ("Czechoslovakia", None),
    "Checoslovaquia": ("Checoslovaquia", None),
    "Western Sahara": ("Western Sahara", "EH"),
    "Sáhara Occidental": ("Sáhara Occidental", "EH"),
}


@cache
def _countries() -> tuple[dict[str, tuple[str, str | None]], re.Pattern[str]]:
    """Country names in English and Spanish (from Babel's CLDR data) and the older names
    above, by their upper case, each with its ISO code."""
    from babel import Locale

    names: dict[str, tuple[str, str | None]] = {}
    for language in ("en", "es"):
        for code, name in Locale.parse(language).territories.items():
            if len(code) == 2 and code.isalpha() and code not in ("EU", "EZ", "UN", "ZZ"):
                plain = re.sub(r"\s*\(.*\)$", "", name).split(" - ")[0]
                names[name.upper()] = (name, code)
                names[plain.upper()] = (plain, code)
    for alias, known in _COUNTRY_ALIASES.items():
        names[alias.upper()] = known
    alternation = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    return names, re.compile(rf"(?<![\w-])(?:{alternation})(?![\w-])", re.I)


def find_country(text: str) -> str | None:
    """The first country named in ``text``, spelt as a country name ("IRÁN" -> "Irán")."""
    names, pattern = _countries()
    match = pattern.search(text)
    if match is None:
        return None
    return names[match.group(0).upper()][0]


#: A state's long form ("Arab Republic of Egypt", "República Bolivariana de Venezuela"):
#: what follows it is the country's name.
_LONG_FORM = re.compile(
    r"(?i)^(?:the\s+)?(?:(?:arab|islamic|bolivarian|people's|democratic|federal|socialist|"
    r"united|federative|plurinational)\s+)*(?:republic|kingdom|state|sultanate|emirate)\s+of\s+"
    r"(?:the\s+)?|^(?:la\s+)?(?:rep[uú]blica|reino|estado|sultanato)\s+(?:(?:[aá]rabe|isl[aá]mica|"
    r"bolivariana|popular|democr[aá]tica|federal|federativa|plurinacional)\s+)*(?:de(?:l)?\s+)?"
)


def country_named(value: str) -> str | None:
    """The country ``value`` is, when it is one and nothing else ("Venezuela", "USA
    (Texas)", "Arab Republic of Egypt"); None for a region, a phone line or a
    distribution code."""
    plain = re.sub(r"\s*\(.*\)\s*$", "", value).strip(" .,;:-|")
    names, _ = _countries()
    known = names.get(plain.upper()) or names.get(_LONG_FORM.sub("", plain).upper())
    return known[0] if known else None


def country_code(name: str) -> str | None:
    """The ISO 3166 code of a country name as ``find_country`` spells it, None when the
    name stood for several of today's countries."""
    names, _ = _countries()
    known = names.get(name.upper())
    return known[1] if known else None


def territory_name(code: str, language: str) -> str | None:
    """A country's name in ``language`` (``en`` or ``es``) from its ISO code."""
    from babel import Locale

    name = Locale.parse(language).territories.get(code)
    return re.sub(r"\s*\(.*\)$", "", name) if name else None


def index_country(index: str | None) -> str | None:
    """The ISO code of the country an AI index is filed under ("AMR 53/1059/2026" is
    Venezuela's), or None when the index names a region, a theme or an unknown number."""
    from uareader.index_codes import INDEX_COUNTRIES

    match = re.match(r"\s*([A-Z]{3})\s*(\d{2})\s*/", index or "")
    return INDEX_COUNTRIES.get(f"{match.group(1)} {match.group(2)}") if match else None


def most_named_country(text: str) -> str | None:
    """The country a text names most often, at least twice and more often than any other
    (the case is told where it happens); None when no country stands out. Only the first
    20,000 characters are read: the case comes first, and a stranger's text may be long."""
    names, pattern = _countries()
    counts: dict[str, int] = {}
    spelling: dict[str, str] = {}
    for match in pattern.finditer(text[:20_000]):
        name, code = names[match.group(0).upper()]
        if code is None:
            continue
        counts[code] = counts.get(code, 0) + 1
        spelling.setdefault(code, name)
    ranked = sorted(counts.items(), key=lambda item: -item[1])
    if not ranked or ranked[0][1] < 2 or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
        return None
    return spelling[ranked[0][0]]
