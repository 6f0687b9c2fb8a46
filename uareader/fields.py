"""The header facts of a UA document, found wherever its layout puts them.

UA documents from 1990 to today write the same facts in many ways: "Seventh UA: 72/24",
"UA 60.22", "Primera AU 047/24: 047/24 | Índice: AMR 41/8075/2024", "Further information
on UA 28/91", "EXTRA 19/92 Death Penalty 20 February 1992"; the deadline as "UNTIL:
August 30, 2026", "This Urgent Action expires on September 28, 2021", "ENVÍEN
LLAMAMIENTOS ANTES DEL 10 DE JULIO DE 2015" or "if sending appeals after 2 April 1992".
So each fact is searched for in the whole text by the phrases that announce it, not at a
fixed place; what is not there is None, never an error.
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass
from datetime import date

from uareader.numbers import IN_TEXT
from uareader.vocabulary import ORDINALS, country_named, find_country, find_date

#: "UA", "AU", and "UAN" (the Urgent Action Network's letters: "UAN Letter: 74/12").
_UA = r"\b(?:UA|AU|UAN)\b(?:\s+(?i:letter))?\s*(?:N[ºo°.]\s*|n[úu]m\.?\s*)?:?\s*"
_ORDINAL_WORD = r"(\d{1,2}(?:st|nd|rd|th|a|ª)|[A-Za-zÁÉÍÓÚáéíóú]+)"
_ORDINAL_UA = re.compile(rf"(?i:\b{_ORDINAL_WORD})\s+{_UA}{IN_TEXT}")
_FURTHER = re.compile(
    rf"(?i:further\s+information\s+on|more\s+information\s+on|follow[-\s]?up\s+(?:on|to)|"
    rf"informaci[oó]n\s+"
    rf"complementaria\s+sobre\s+(?:la\s+)?|actualizaci[oó]n\s+(?:de\s+la\s+)?)\s*{_UA}{IN_TEXT}"
)
_PLAIN_UA = re.compile(rf"{_UA}{IN_TEXT}")
_NAMED_UA = re.compile(
    rf"(?i:urgent\s+action|acci[oó]n\s+urgente)\s+(?i:n[ºo°.]\s*|no\.\s*|n[úu]m\.?\s*)?{IN_TEXT}"
)
_EXTRA = re.compile(rf"\bEXTRA\s+{IN_TEXT}")

_UPDATE_NUMBER = re.compile(
    r"(?i)\b(?:update|actualizaci[oó]n)\s+(?:no\.?|n[úu]m\.?|n\.?\s?[ºo°]|number|número|#)?\s*"
    r"(\d{1,2})\b"
)
_UPDATE_WORD = re.compile(
    rf"(?i)\b{_ORDINAL_WORD}\s+(?:update|actualizaci[oó]n)\b|"
    rf"\b(?:actualizaci[oó]n)\s+{_ORDINAL_WORD}\b"
)
_UNNUMBERED_UPDATE = re.compile(
    r"(?i)\bfurther\s+information\s+on\b|\bfollow[-\s]?up\s+(?:on|to)\s+UA\b|"
    r"\burgent\s+action\s+update\b|"
    r"\binformaci[oó]n\s+complementaria\b|\bacci[oó]n\s+urgente\s*:?\s*actualizaci[oó]n\b"
)

_INDEX = re.compile(
    r"(?i:\bAI\s+)?(?i:index|[ií]ndice)(?:\s+AI)?\s*(?::|n[ºo°.])?\s*"
    r"([A-Z]{3}\s*\d{2}\s*/\s*\d{1,5}\s*/\s*\d{2,4})"
)
_BARE_INDEX = re.compile(
    r"\b((?:AFR|AMR|ASA|EUR|MDE|ACT|IOR|POL|ORG|NWS)\s*\d{2}/\d{1,5}/\d{2,4})\b"
)
_DATE_LABEL = re.compile(
    r"(?i)\b(?:issue\s+date|date|fecha(?:\s+de\s+(?:emisi[oó]n|publicaci[oó]n))?)\s*:\s*|"
    r"\b(?:published(?:\s+on)?|publicad[oa]\s+el)\s+"
)

_DEADLINE_LABEL = re.compile(
    r"(?i)(?:\buntil|\bhasta(?:\s+el)?|\bantes\s+del?|no\s+m[aá]s\s+tarde\s+del?|deadline|"
    r"fecha\s+l[ií]mite(?:\s+para\s+actuar)?)\s*:"
)
_DEADLINE_CUE = re.compile(
    r"(?i)\b(?:until|before|expires?\s+on|expires?|after|no\s+later\s+than|by|deadline|"
    r"antes\s+del?|hasta(?:\s+el)?|no\s+m[aá]s\s+tarde\s+del?|despu[eé]s\s+del?|"
    r"fecha\s+l[ií]mite(?:\s+para\s+actuar)?|vence(?:\s+el)?|plazo)\b"
)
_ACTION_WORDS = re.compile(
    r"(?i)appeal|\baction\b|\bact\b|\bwrite\b|deadline|expire|llamamiento|acci[oó]n|"
    r"act[uú][ae]|escrib|env[ií]|fecha\s+l[ií]mite|plazo"
)
#: Where a sentence ends: an appeal phrase counts for the date in its own sentence only
#: ("... held until around 3 May 2025. Please act now." is the story, not a deadline).
_SENTENCE_END = re.compile(r"[.!?;]\s+(?=[A-ZÁÉÍÓÚÑ¿¡])")
#: "Contact below official by 25 May, 2017:": an imperative, at the sentence's start only
#: ("he had no contact with his family until ..." is the story).
_CONTACT_BY = re.compile(r"(?i)^\s*(?:please\s+)?(?:contact|contacta|contacten)\b")
_NOT_A_DEADLINE = re.compile(r"(?i)\b(?:arrested|detained|born|since|detenid|nacid|desde)\b")

#: Said as a sentence of its own ("No further action is requested. Many thanks..."); the
#: same words inside a sentence ("police told her family that no further action is
#: needed") are the case, not a notice.
_CLOSING_NOTICE = re.compile(
    r"(?:^|[.!?]\s+)N(?i:o\s+further\s+(?:action|appeals?)\s+(?:from\s+the\s+\w+\s+)?"
    r"(?:is|are)\s+(?:requested|needed|required)|"
    r"o\s+(?:more\s+)?(?:action|appeals?)\s+(?:is|are)\s+(?:requested|needed|required)|"
    r"o\s+se\s+requiere[n]?\s+(?:ninguna\s+)?(?:otra|m[aá]s)\s+acci[oó]n|"
    r"o\s+se\s+(?:requieren|necesitan|solicitan)\s+m[aá]s\s+(?:acciones|llamamientos))",
    re.MULTILINE,
)
_SPANISH_WORDS = frozenset(
    [
        "de",
        "la",
        "el",
        "que",
        "los",
        "las",
        "por",
        "para",
        "con",
        "una",
        "del",
        "se",
        "su",
        "al",
        "es",
        "en",
        "sus",
        "como",
        "más",
    ]
)
_ENGLISH_WORDS = frozenset(
    [
        "the",
        "of",
        "and",
        "to",
        "in",
        "for",
        "is",
        "that",
        "with",
        "on",
        "was",
        "by",
        "his",
        "her",
        "their",
    ]
)


@dataclass(frozen=True)
class Header:
    """What a UA document says about itself, each fact None when it does not say it."""

    ua_number: str | None = None
    update_ordinal: int | None = None
    number_line: int | None = None
    index: str | None = None
    issue_date: date | None = None
    deadline: date | None = None
    deadline_line: int | None = None
    unreadable_deadline: str | None = None
    country: str | None = None
    #: What the header wrote where the country goes that is no country ("Distr: UA/SC").
    not_a_country: str | None = None
    language: str = "en"
    closing_notice: bool = False


def read_header(lines: list[str]) -> Header:
    """Every header fact that ``lines`` hold."""
    number, ordinal, number_line = ua_number(lines)
    index, index_line = _index(lines)
    deadline, deadline_line, unreadable = _deadline(lines)
    text = "\n".join(lines)
    country, not_a_country = _country(lines, number_line, index_line)
    return Header(
        ua_number=number,
        update_ordinal=ordinal,
        number_line=number_line,
        index=index,
        issue_date=_issue_date(lines, number_line, index_line, deadline_line),
        deadline=deadline,
        deadline_line=deadline_line,
        unreadable_deadline=unreadable,
        country=country,
        not_a_country=not_a_country,
        language=document_language(text),
        closing_notice=says_it_is_closed(text),
    )


def ua_number(lines: list[str]) -> tuple[str | None, int | None, int | None]:
    """The UA number as written (zeros kept, "72.24" as "72/24"), the update ordinal, and
    the line that holds them; the ordinal is None when the document does not say it.

    Of the lines that name the number, the header line (the one with the index or the
    date, or that starts with the number) is preferred: "Click here to report your action
    on Seventh UA 72.24" comes before "Seventh UA: 72/24 Index: ..." in the template."""

    @functools.cache
    def on_header(line_number: int) -> bool:
        # Once a line: 500 numbers on one line of 4,096 characters, each checking its
        # whole line, took 12.6 s for a 48-part paste.
        return is_header_line(lines[line_number])

    for pattern in (_ORDINAL_UA, _FURTHER, _PLAIN_UA, _NAMED_UA, _EXTRA):
        found: list[tuple[int, re.Match[str]]] = []
        for line_number, line in enumerate(lines):
            for match in pattern.finditer(line):
                if pattern is _ORDINAL_UA and match.group(1).lower() not in ORDINALS:
                    continue
                if int(match.groups()[-2]) == 0:  # "0/26" is no UA number
                    continue
                found.append((line_number, match))
        if not found:
            continue
        line_number, match = min(found, key=lambda item: (not on_header(item[0]), item[0]))
        *word, case, year = match.groups()
        number = f"{case}/{year}"
        if pattern is _ORDINAL_UA:
            return number, ORDINALS[word[0].lower()], line_number
        return number, _ordinal(lines, number, pattern is _FURTHER), line_number
    return None, None, None


def says_it_is_closed(text: str) -> bool:
    """Whether ``text`` says no more action is asked for, in a sentence of its own."""
    return bool(_CLOSING_NOTICE.search(text))


def is_header_line(line: str) -> bool:
    """A line that carries the UA's reference (number with its index or date), which is
    never part of the case's prose or an address."""
    starts = re.match(
        rf"^(?:\W*{_ORDINAL_WORD}\s+)?{_UA}\d|^EXTRA\s+\d"
        rf"|^(?i:further\s+information|follow[-\s]?up\s+on)",
        line,
    )
    labelled = _INDEX.search(line) or _DATE_LABEL.search(line)
    numbered = _PLAIN_UA.search(line) or _EXTRA.search(line)
    return bool(starts or _INDEX.search(line) or (labelled and numbered))


#: What follows the number on its line: "UA 229/10 Risk of forced eviction", "Follow-up
#: on UA 52/10 (10 March 2010) - Fear for safety", "AU 116/07 (MDE ..., de ...) - Pena de
#: muerte": the title, in layouts that give it nowhere else.
#: A title runs to a dozen words; more after the number is the text of a copy that lost
#: its line breaks, and no title can be told from it.
MAX_TITLE_WORDS = 20
_AFTER_NUMBER = re.compile(rf"{_UA}{IN_TEXT}\s*(?:\([^)]{{0,120}}\)\s*)?[-–—:]?\s*(.*)$")


def title_after_number(line: str) -> str:
    """The title run into the UA number's line; "" when what follows is no title (an
    index, a date, a label)."""
    found = _AFTER_NUMBER.search(line)
    if found is None:
        return ""
    title = found.group(3).strip(" -–—:")
    if (
        not 2 <= len(title.split()) <= MAX_TITLE_WORDS
        or not title[:1].isupper()
        or _INDEX.search(title)
        or _DATE_LABEL.search(title)
        or find_date(title) is not None
        or re.match(r"^[\w ]{1,30}:", title)
    ):
        return ""
    return title


def _ordinal(lines: list[str], number: str | None, further_information: bool) -> int | None:
    """The document's place in its case's series: an update numbered N is document N + 1."""
    text = "\n".join(lines)
    case, _, year = (number or "0/").partition("/")
    for match in _ORDINAL_UA.finditer(text):
        word, found_case, found_year = match.groups()
        if (int(found_case), found_year) == (int(case), year) and word.lower() in ORDINALS:
            return ORDINALS[word.lower()]
    if found := _UPDATE_NUMBER.search(text):
        return int(found.group(1)) + 1
    for found in _UPDATE_WORD.finditer(text):
        word = (found.group(1) or found.group(2)).lower()
        if word in ORDINALS:
            return ORDINALS[word] + 1
    if further_information or _UNNUMBERED_UPDATE.search(text):
        return None
    return 1


def _index(lines: list[str]) -> tuple[str | None, int | None]:
    for pattern in (_INDEX, _BARE_INDEX):
        for line_number, line in enumerate(lines):
            if match := pattern.search(line):
                return re.sub(r"\s+", " ", re.sub(r"\s*/\s*", "/", match.group(1))), line_number
    return None, None


def _issue_date(
    lines: list[str], number_line: int | None, index_line: int | None, deadline_line: int | None
) -> date | None:
    """The "Date:" on the header, else a date written beside the UA number or the index
    ("(EUR 50/003/2007, 9 August 2007)", "EXTRA 19/92 Death Penalty 20 February 1992")."""
    header_lines = [n for n in (number_line, index_line) if n is not None]
    for line_number in [*header_lines, *range(len(lines))]:
        line = lines[line_number]
        for label in _DATE_LABEL.finditer(line):
            if (found := find_date(line[label.end() : label.end() + 40])) and found[1] < 3:
                return found[0]
    near = {n for line in header_lines for n in range(line - 4, line + 5) if 0 <= n < len(lines)}
    top = [n for n, line in enumerate(lines) if line][:8]
    # The dateline nearest the reference first: an e-mail copy's repost day ("Monday,
    # March 14, 2011") heads the page above the document's own date.
    by_nearness = sorted(near, key=lambda n: min(abs(n - line) for line in header_lines))
    for line_number in [*by_nearness, *top]:
        if is_dateline(lines[line_number]):  # by the reference or at the top
            return find_date(lines[line_number])[0]  # type: ignore[index]
    for line_number in header_lines:
        if line_number == deadline_line:
            continue
        line = lines[line_number]
        for match in (_PLAIN_UA.search(line), _EXTRA.search(line), _index_match(line)):
            if match and (found := find_date(line[match.end() :])):
                return found[0]
    return None


def is_dateline(line: str) -> bool:
    """A date alone on its line, or after a place ("Corvania, 10 de noviembre de 2026"):
    when the document was written, never an address."""
    found = find_date(line)
    if found is None or found[2] < len(line.rstrip(" .")):
        return False
    place = line[: found[1]].strip()
    return not place or (
        place.endswith(",") and len(place.split()) <= 5 and not any(c.isdigit() for c in place)
    )


def _index_match(line: str) -> re.Match[str] | None:
    return _INDEX.search(line) or _BARE_INDEX.search(line)


def _deadline(lines: list[str]) -> tuple[date | None, int | None, str | None]:
    """The last day to act, from the sentence that asks for action before it.

    A labelled deadline ("UNTIL: ...") wins over a sentence that only names one ("expires
    on ..."); a label followed by no readable date is returned as text, so the organiser
    is told what could not be read."""
    unreadable: tuple[int, str] | None = None
    candidates: list[tuple[int, int, date]] = []
    for line_number, line in enumerate(lines):
        following = lines[line_number + 1] if line_number + 1 < len(lines) else ""
        asks_for_action = bool(_ACTION_WORDS.search(line))
        # At most 20 cues a line: a stranger's line of 10,000 "until"s would cost seconds.
        for cue in itertools.islice(_DEADLINE_CUE.finditer(line), 20):
            rest = line[cue.end() :]
            if not rest.strip(" :.-") and following:
                rest = " " + following
            found = find_date(rest[:60])
            labelled = bool(_DEADLINE_LABEL.match(line, cue.start()))
            if found is None or found[1] > 12:
                if labelled and unreadable is None and rest.strip(" :"):
                    unreadable = (line_number, rest.strip(" :")[:60])
                continue
            before = line[max(cue.start() - 80, 0) : cue.start()]
            # The appeal phrase close before the date, in its own sentence: "calls from the
            # Council ... and the promise to free them all before 18 June" is the story.
            sentence = _SENTENCE_END.split(line[: cue.end()])[-1][-90:]
            asks_here = (asks_for_action and bool(_ACTION_WORDS.search(sentence))) or bool(
                _CONTACT_BY.match(sentence)
            )
            if not (asks_here or labelled) or _NOT_A_DEADLINE.search(before):
                continue
            candidates.append((0 if labelled else 1, line_number, found[0]))
    if candidates:
        _, line_number, deadline = min(candidates)
        return deadline, line_number, None
    if unreadable:
        return None, unreadable[0], unreadable[1]
    return None, None, None


def _country(
    lines: list[str], number_line: int | None, index_line: int | None
) -> tuple[str | None, str | None]:
    """The country on the header line: between the index and the date, in a "|" field, or
    on the line after the number (1990s: "EXTRA 19/92 ..." then "USA (Texas)"); and what
    stood between the index and the date when it is no country."""
    not_a_country = None
    for line_number in (number_line, index_line):
        if line_number is None:
            continue
        line = lines[line_number]
        index = _index_match(line)
        after = index or _PLAIN_UA.search(line) or _EXTRA.search(line)
        tail = (line[after.end() :] if after else line)[:200]
        for field in re.split(r"\s*\|\s*", tail):
            if found := find_country(field):
                return found, None
        between = _DATE_LABEL.split(tail)[0].strip(" ,;:-|")
        if index is not None and (named := country_named(between)):
            return named, None  # written between the index and "Date:" on the UA line
        if index is not None and between and len(between.split()) <= 4:
            not_a_country = not_a_country or between
    if number_line is not None:
        for line in lines[max(number_line - 5, 0) : number_line + 5]:
            found = find_country(line[:40]) if line else None
            if found and line.lower().startswith(found[:3].lower()):
                return found, None  # "SUDAN:  Dr Amin ...", a page's "Egypt" breadcrumb
    return None, not_a_country


def document_language(text: str) -> str:
    """``es`` or ``en``, by which language's commonest words the text uses more."""
    words = re.findall(r"[a-záéíóúñ]+", text.lower()[:20_000])
    spanish = sum(word in _SPANISH_WORDS for word in words)
    english = sum(word in _ENGLISH_WORDS for word in words)
    return "es" if spanish > english else "en"
