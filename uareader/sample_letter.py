"""The sample letter in a UA document: the line that opens it (its salutation), where it
ends, and the points to make where a layout has no letter.

A salutation is short, ends in "," or ":" and leads into prose; a greeting to the
section's own members ("Dear friends,") or a sentence ending in a colon is none."""

from __future__ import annotations

import re

from uareader.contacts import CC_PREFIX, SALUTATION_LABEL
from uareader.headings import (
    ADDITIONAL,
    APPEALS_TO,
    COPY_INTRO,
    HEADING,
    POINTS_INTRO,
    TAKE_ACTION,
)
from uareader.text import ascii_quotes, first, prose

#: "Here's a sample letter:", "Modelo de carta": the letter follows, the addresses end.
LETTER_INTRO = re.compile(
    r"(?i)^(?:here'?s\s+a\s+)?(?:sample|model|template)\s+letter\b.{0,30}$|"
    r"^(?:modelo\s+de\s+carta|carta\s+modelo)\b.{0,30}$"
)

SALUTATION_START = re.compile(
    r"^(dear|mr\.?|ms\.?|mrs\.?|madam|sir|your excellency|excellency|your majesty|"
    r"hon(?:ou?rable|\.)|sr\.?|sra\.?|señor|señora|estimad[oa]s?|excelent[ií]sim[oa]|"
    r"distinguid[oa]|querid[oa]|apreciad[oa]|attorney|minister|president|ministr[oa]|fiscal|"
    r"presidenta?|excelencia|majestad|su majestad)\b",
    re.I,
)

#: A greeting to the section's members, not to an official: no sample letter opens so.
TO_SUPPORTERS = re.compile(
    r"(?i)^(?:dear|hi|hello|hola|queridos?|queridas?|estimad[oa]s)\s+(?:all\s+)?(?:friends|"
    r"supporters|members|activists|colleagues|everyone|amig[oa]s|activistas|socios|"
    r"simpatizantes|compañer[oa]s|tod[oa]s)\b"
)

CLOSING = re.compile(
    r"^(yours (?:sincerely|faithfully|truly|respectfully)|sincerely(?: yours)?|respectfully|"
    r"kind regards|best regards|regards|atentamente|muy atentamente|le saluda atentamente|"
    r"respetuosamente|cordialmente|sinceramente|saludos cordiales|reciba un cordial saludo)\b",
    re.I,
)


#: "Dear Prime Minister / Dear Minister": a greeting a copy left without its comma.
_BARE_DEAR = re.compile(r"(?i)^(?:dear|estimad[oa])\s+[\w .'/-]{3,60}$")


def salutation_index(lines: list[str], start: int, stop: int) -> int | None:
    """The line that opens the sample letter: short, ends in ',' or ':' and leads into prose."""
    for number in range(start, stop):
        line = lines[number]
        if (
            not line
            or len(line) > 90
            or not (line.endswith((",", ":")) or _BARE_DEAR.match(line))
            or CC_PREFIX.match(line)
            or SALUTATION_LABEL.match(line)
            or APPEALS_TO.search(line)
            or COPY_INTRO.match(line)
            or POINTS_INTRO.search(line)
            or TO_SUPPORTERS.match(line)
            or (line.isupper() and not SALUTATION_START.match(line))
        ):
            continue  # a label in capitals ("URGENT ACTION SUMMARY:") greets nobody
        following = next(
            (lines[n] for n in range(number + 1, min(stop, number + 6)) if lines[n]), ""
        )
        if SALUTATION_START.match(line) and len(following) >= 40:
            return number
        if (
            len(following) >= 60
            and len(line.split()) <= 6
            and not TAKE_ACTION.match(line)
            and _addressed_like(line)
        ):
            return number
    return None


_LINKING_WORDS = frozenset({"de", "del", "la", "el", "of", "the", "y", "and", "for", "para"})


def _addressed_like(line: str) -> bool:
    """A form of address ("Fiscal General de México:", "Your Excellency,"): its words
    capitalised, unlike a sentence's ("Or you can take action by:")."""
    words = [word for word in line.split() if word.lower() not in _LINKING_WORDS]
    return bool(words) and sum(word[:1].isupper() for word in words) >= 0.75 * len(words)


#: "SAMPLE LETTER Your Excellency, On September 28, ...": a web copy ran the letter's
#: heading, its salutation and its first paragraph into one line.
_GLUED_LETTER = re.compile(
    r"(?i)^((?:sample|model)\s+letter|carta\s+modelo|modelo\s+de\s+carta)\s*:?\s+"
    r"(.{3,60}?[,:])\s+(\S.*)$"
)


def letter_apart(lines: list[str]) -> list[str]:
    """Lines with a glued letter's heading, salutation and text apart again."""
    apart: list[str] = []
    for line in lines:
        glued = _GLUED_LETTER.match(line)
        if glued and SALUTATION_START.match(glued.group(2)):
            apart += [glued.group(1), glued.group(2), glued.group(3)]
        else:
            apart.append(line)
    return apart


def letter_end(lines: list[str], salutation: int, limit: int) -> int:
    for number in range(salutation + 1, limit):
        if CLOSING.match(ascii_quotes(lines[number])):
            return number + 1
        if number > salutation + 1 and (
            ADDITIONAL.match(lines[number]) or APPEALS_TO.search(lines[number])
        ):
            return number
    return limit


def points_to_make(lines: list[str], start: int, stop: int) -> str:
    """The points to make, for layouts with no sample letter ("Please write immediately
    ...:" then bullets): the supporter writes them in their own words."""
    intro = first(lines, POINTS_INTRO, start, stop)
    if intro is None:
        return ""
    end = intro + 1
    while end < stop and not (
        APPEALS_TO.search(lines[end]) or COPY_INTRO.match(lines[end]) or HEADING.match(lines[end])
    ):
        end += 1
    return prose(lines[intro + 1 : end])
