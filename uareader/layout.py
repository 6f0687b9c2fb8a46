"""Where the parts of a UA document lie: the UA's span in a copied page, its title, the
sections under their headings, and where the recipients, the copy and the letter run.

Found once, as line numbers, so that ``uareader.document`` reads each field from its own
part. A new layout's heading is a new entry in ``uareader.headings``; a new way of placing
a part is a change here, not a new cursor in a field's reader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from uareader.checks import is_address_line, is_heading, is_sentence
from uareader.contacts import (
    CC_PREFIX,
    HONORIFIC,
    NOT_A_CONTACT,
    TO_LABEL,
    is_office,
    is_one_line_contact,
)
from uareader.fields import Header, is_dateline, is_header_line, title_after_number
from uareader.headings import (
    ADDITIONAL,
    APPEALS_TO,
    COPY_INTRO,
    HEADING,
    NAVIGATION,
    POINTS_INTRO,
    RUN_IN_TITLE,
    TAKE_ACTION,
    TITLE_LABEL,
    TRAILERS,
    UA_WORDS,
)
from uareader.sample_letter import salutation_index
from uareader.text import ascii_quotes, first, is_heading_case, is_prose


def _is_instruction(line: str) -> bool:
    """A line of the TAKE ACTION block rather than the first address under it."""
    if not line or is_header_line(line) or is_one_line_contact(line):
        return False
    return len(line) > 60 or line.endswith(".") or bool(NOT_A_CONTACT.match(line))


def trailer(lines: list[str], pattern: re.Pattern[str]) -> tuple[int | None, str]:
    for number, line in enumerate(lines):
        match = pattern.match(ascii_quotes(line))
        if match:
            return number, line[match.start(1) :].strip() if match.group(1) else ""
    return None, ""


def _content_span(lines: list[str], header: Header) -> tuple[int, int]:
    """Where the UA starts and ends in a copied web page: from its first sign (heading,
    number or index) to its last labelled or long line, leaving menus and footers out."""
    signs = [n for n, line in enumerate(lines) if HEADING.match(line) or UA_WORDS.search(line)]
    signs += [n for n in (header.number_line, header.deadline_line) if n is not None]
    start = min(signs) if signs else 0
    while start > 0 and _title_like(lines[start - 1]):
        start -= 1  # a web page's title sits just above its first UA sign
    above = first(lines, TAKE_ACTION, max(start - 3, 0), start)
    start = above if above is not None else start  # "Take action:", then "report on UA 12.24"
    end = len(lines)
    while end > start + 1 and (not lines[end - 1] or NAVIGATION.match(lines[end - 1])):
        end -= 1
    return start, end


def _title_like(line: str) -> bool:
    words = line.split()
    return (
        3 <= len(words) <= 30
        and not line.endswith((".", ",", ":", ";"))
        and not NAVIGATION.match(line)
        and line[:1].isupper()
    )


def title_and_body(lines: list[str], start: int, header: Header) -> tuple[str, int]:
    """The title without a label a layout gives it ("Title: ...")."""
    title, after = _found_title(lines, start, header)
    return TITLE_LABEL.sub("", title).strip(), after


def _found_title(lines: list[str], start: int, header: Header) -> tuple[str, int]:
    """The title and the line after it. Current layouts put it under "URGENT ACTION" in
    capitals; web pages run it into the heading ("Acción urgente: México, ...") or put it
    above the UA number."""
    heading = first(lines, HEADING, start)
    while heading is not None:
        rest = HEADING.match(lines[heading]).group(1)  # type: ignore[union-attr]
        if not rest.strip(" :|–—-"):
            break  # a bare "URGENT ACTION": the title is under it
        glued = rest[:1].isalpha() and lines[heading][: -len(rest)][-1:].isalpha()
        if RUN_IN_TITLE.match(rest) or glued:
            title = RUN_IN_TITLE.sub("", rest).strip()
            if len(title.split()) >= 2:
                return title, heading + 1
        heading = first(lines, HEADING, heading + 1)  # "Urgent Action Network" is no heading
    if heading is not None:
        cursor = heading + 1
        while cursor < len(lines) and not lines[cursor]:
            cursor += 1
        title_lines = []
        while cursor < len(lines) and lines[cursor] and is_heading_case(lines[cursor]):
            if cursor != header.number_line and not TAKE_ACTION.match(lines[cursor]):
                title_lines.append(lines[cursor])
            cursor += 1
        if title_lines:
            return " ".join(title_lines), cursor
        if cursor < len(lines) and _title_like(lines[cursor]):
            return lines[cursor], cursor + 1
        if heading > start and _title_like(lines[heading - 1]):
            return lines[heading - 1], heading + 1
        return "", heading + 1
    number_line = header.number_line
    run_in = title_after_number(lines[number_line]) if number_line is not None else ""
    if run_in and number_line is not None and number_line >= start:
        return run_in, number_line + 1  # before any line above it: "From Amnesty ..."
    for number in range(start, min(len(lines), start + 12)):
        line = lines[number]
        if HEADING.match(line) or is_dateline(line):
            continue  # "Urgent Action 3-14-11" over an e-mail copy is a date, no title
        if (
            TAKE_ACTION.match(line)
            or is_heading(line)
            or HONORIFIC.match(line)
            or is_address_line(line)
            or is_office(line)
            or TO_LABEL.match(line)
        ):
            break  # past the action's heading, or at an official's name, come addresses
        if (
            line
            and number != header.number_line
            and _title_like(line)
            and (is_heading_case(line) or not is_prose(line))
        ):
            return line, number + 1
    return "", start


def addresses_above(lines: list[str], salutation: int, floor: int) -> int:
    """Where the address lines right above a letter begin, on a page with no heading for
    them (an appeal page: the case, the addresses, the letter): back to the last sentence."""
    start = salutation
    for number in range(salutation - 1, floor - 1, -1):
        if lines[number] and is_sentence(lines[number]):
            break
        if lines[number]:
            start = number
    return start


@dataclass(frozen=True)
class Sections:
    """Where a document's parts begin, as line numbers; None where it has no such part.
    Found once, so each field below reads its own part without a cursor of its own."""

    end: int  # after the UA's last line (a web page's footer left out)
    body: int  # the line after the title
    skip: frozenset[int]  # header lines and datelines, in no part's text
    trailers: tuple[int, ...]  # "Preferred language ...", "Name and pronoun ...", links
    additional: int | None  # "ADDITIONAL INFORMATION"
    take_action: int | None  # "TAKE ACTION"
    points_intro: int | None  # "Please write ... urging ..."
    appeals_to: int | None  # "APPEALS TO:"

    @property
    def after_letter(self) -> list[int]:
        """The parts that come after the recipients and the letter: the background and the
        trailers."""
        return [n for n in (self.additional, *self.trailers) if n is not None]

    def text(self, lines: list[str], start: int, stop: int) -> list[str]:
        """The lines from ``start`` to ``stop`` that are no header line."""
        return [line for n, line in enumerate(lines[start:stop], start) if n not in self.skip]


@dataclass(frozen=True)
class LetterSpan:
    """Where the recipients, the copy (CC) and the sample letter lie."""

    targets_start: int
    targets_end: int
    cc_start: int | None
    salutation: int | None  # the letter's opening line ("Dear Minister,")
    limit: int  # the first later section: no recipient or letter line is past it


def sections(lines: list[str], header: Header) -> tuple[str, Sections]:
    """The title, and where every other part begins."""
    start, end = _content_span(lines, header)
    title, body = title_and_body(lines, start, header)
    skip = {n for n, line in enumerate(lines) if is_header_line(line) or is_dateline(line)}
    skip |= {n for n in (header.number_line, header.deadline_line) if n is not None}
    appeals_to = first(lines, APPEALS_TO, body)
    if appeals_to is not None and POINTS_INTRO.search(lines[appeals_to]):
        # "Write to the President urging him to:" lists the points; "Write to:" the addresses
        appeals_to = first(lines, APPEALS_TO, appeals_to + 1) or appeals_to
    trailers = (trailer(lines, pattern)[0] for pattern in TRAILERS)
    return title, Sections(
        end=end,
        body=body,
        skip=frozenset(skip),
        trailers=tuple(n for n in trailers if n is not None),
        additional=first(lines, ADDITIONAL, body),
        take_action=first(lines, TAKE_ACTION, body),
        points_intro=first(lines, POINTS_INTRO, body),
        appeals_to=appeals_to,
    )


def targets_start(lines: list[str], parts: Sections, header: Header, summary_end: int) -> int:
    """Where who to write to begins: after "APPEALS TO:" where the layout says so, else
    after the TAKE ACTION block (and the UA line under it, in the current template)."""
    if parts.appeals_to is not None:
        return parts.appeals_to + 1
    start = summary_end
    if parts.take_action is not None:
        start = parts.take_action + 1
        while start < parts.end and _is_instruction(lines[start]):
            start += 1  # the TAKE ACTION bullets: write, report, notes
    number = header.number_line
    if (
        number is not None
        and start <= number < min([*parts.after_letter, parts.end])
        and all(not line or _is_instruction(line) for line in lines[start:number])
    ):
        return number + 1  # the template's UA line heads the addresses
    return start


def letter_span(lines: list[str], parts: Sections, targets_start: int) -> LetterSpan:
    """The recipients run to the copy's introduction or the letter, the copy to the letter."""
    limit = min([n for n in parts.after_letter if n > targets_start] or [parts.end])
    copy_intro = first(lines, COPY_INTRO, targets_start, limit)
    if copy_intro is None:
        copy_intro = cc_start = first(lines, CC_PREFIX, targets_start, limit)
    else:
        cc_start = copy_intro + 1
    salutation = salutation_index(lines, cc_start if cc_start is not None else targets_start, limit)
    if salutation is None:
        salutation = salutation_index(lines, parts.body, limit)
    targets_end = min(
        n for n in (copy_intro, salutation, limit) if n is not None and n >= targets_start
    )
    return LetterSpan(targets_start, targets_end, cc_start, salutation, limit)
