"""Read an Urgent Action document (English or Spanish) into a ``UADraft``.

UA documents follow one layout: a heading, a title, a summary, "TAKE ACTION", a line with
the UA number, index, country and date, the targets' addresses, the copy (CC), the sample
letter, additional information, then labelled trailer lines (preferred language, deadline,
name and pronoun, link to the previous UA). PDF extraction breaks lines, adds bullets and
non-breaking spaces; everything here works on normalised lines so those do not matter.

Only ``UADocumentError`` leaves ``parse_document``: whatever the input, the organiser gets
a message saying what was missing and what the parser looked for.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from bot.extract import DocumentReadError, extract_text
from bot.vocabulary import ORDINALS, language_code, parse_date

MAX_TEXT_CHARACTERS = 200_000


class UADocumentError(Exception):
    """The document cannot become a UA; ``str()`` says what is wrong and how to fix it."""

    def __init__(self, message: str, missing: str | None = None) -> None:
        super().__init__(message)
        self.missing = missing


@dataclass
class Contact:
    """A person or office to write to, or to copy: shaped for an envelope."""

    name: str
    title: str | None = None
    organisation: str | None = None
    address: list[str] = field(default_factory=list)
    email: str | None = None
    social: str | None = None
    phone: str | None = None


@dataclass
class UADraft:
    """Everything read from one UA document, before it is stored."""

    ua_number: str
    update_ordinal: int
    language: str
    deadline: date
    title: str = ""
    index: str | None = None
    country: str | None = None
    issue_date: date | None = None
    summary: str = ""
    targets: list[Contact] = field(default_factory=list)
    cc: list[Contact] = field(default_factory=list)
    salutation: str = ""
    letter: str = ""
    additional_info: str = ""
    preferred_language: str | None = None
    name_pronoun: str = ""
    previous_link: str | None = None
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["deadline"] = self.deadline.isoformat()
        data["issue_date"] = self.issue_date.isoformat() if self.issue_date else None
        return data


_HEADING = re.compile(r"^(URGENT ACTION|ACCI[OÓ]N URGENTE)\b", re.I)
_TAKE_ACTION = re.compile(
    r"^(TAKE ACTION|ACT[UÚ]A(?:N)?|TOMA ACCI[OÓ]N|PASA A LA ACCI[OÓ]N)\b\s*:?", re.I
)
_ORDINAL_WORD = r"([0-9]{1,2}(?:st|nd|rd|th|a|ª)|[A-Za-zÁÉÍÓÚáéíóú]+)"
_UA_NUMBER = re.compile(
    rf"(?:\b{_ORDINAL_WORD}\s+)?\b(?:UA|AU)\s*(?:N[ºo°.]\s*)?:?\s*(\d{{1,4}})\s*[/.]\s*(\d{{2}})\b"
)
_UA_LINE = re.compile(r"\b(?:UA|AU)\b\s*(?:N[ºo°.]\s*)?:\s*\d{1,4}\s*[/.]\s*\d{2}\b")
_INDEX = re.compile(r"\b(?:Index|[IÍ]ndice)\s*:\s*([A-Z]{3}\s*\d{2}/\d{3,5}/\d{4})", re.I)
_LINE_DATE = re.compile(r"\b(?:Date|Fecha)\s*:\s*(.+)$", re.I)
_COPY_INTRO = re.compile(r"^(send a copy|env[ií]a(?:n)? (?:una )?copia|copias? a\b)", re.I)
_CC_PREFIX = re.compile(r"^(?:CC|C\.C\.|Copia(?:s)?(?: a)?)\s*:\s*", re.I)
_SALUTATION_START = re.compile(
    r"^(dear|mr\.?|ms\.?|mrs\.?|madam|sir|your excellency|excellency|hon(?:ou?rable|\.)|"
    r"sr\.?|sra\.?|señor|señora|estimad[oa]s?|excelent[ií]sim[oa]|distinguid[oa]|"
    r"querid[oa]|apreciad[oa]|attorney|minister|president|ministr[oa]|fiscal|presidenta?)\b",
    re.I,
)
_CLOSING = re.compile(
    r"^(yours (?:sincerely|faithfully|truly)|sincerely|respectfully|kind regards|"
    r"atentamente|le saluda atentamente|respetuosamente|cordialmente|sinceramente)\b",
    re.I,
)
_ADDITIONAL = re.compile(r"^(ADDITIONAL INFORMATION|INFORMACI[OÓ]N ADICIONAL)\b", re.I)
_PREFERRED_LANGUAGE = re.compile(
    r"^(?:PREFERRED LANGUAGE(?: TO ADDRESS (?:THE )?TARGETS?)?|IDIOMA PREFERENTE[^:]*)\s*:\s*(.*)$",
    re.I,
)
_DEADLINE = re.compile(
    r"^(?:.*?\b(?:UNTIL|ANTES DEL|HASTA(?: EL)?)|DEADLINE|FECHA L[IÍ]MITE)\s*:\s*(.*)$", re.I
)
_NAME_PRONOUN = re.compile(
    r"^(?:NAME AND PREFERRED PRONOUNS?|NOMBRE Y (?:PRONOMBRE|G[EÉ]NERO)[^:]*)\s*:\s*(.*)$", re.I
)
_PREVIOUS_LINK = re.compile(
    r"^(?:LINK TO (?:THE )?PREVIOUS UA|ENLACE A LA (?:AU|ACCI[OÓ]N)[^:]*)\s*:\s*(.*)$", re.I
)
_TRAILERS = (_PREFERRED_LANGUAGE, _DEADLINE, _NAME_PRONOUN, _PREVIOUS_LINK)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_SOCIAL = re.compile(r"^(?:twitter|x|facebook|instagram|bluesky|mastodon|tiktok)\s*:\s*(.+)$", re.I)
_HANDLE = re.compile(r"^@\w{2,}$")
_PHONE = re.compile(r"^(?:fax|tel|tel[eé]fono|phone)\.?\s*:\s*(.+)$", re.I)
_LABELLED_EMAIL = re.compile(r"^(?:e-?mail|correo(?: electr[oó]nico)?)\s*:\s*(.+)$", re.I)
_SALUTATION_LABEL = re.compile(r"^(?:salutation|saludo)\s*:\s*(.+)$", re.I)
_BULLET = re.compile(r"^[\u00b7\u2022\u25aa\u25cf\u2023\u2043\u25e6\uf0b7\-–*]+\s*")
_ORGANISATION = re.compile(
    r"\b(mission|embassy|consulate|ministry|embajada|misi[oó]n|consulado|ministerio)\b", re.I
)
_HONORIFIC = re.compile(
    r"^(mr|ms|mrs|dr|dra|hon|h\.e|his|her|sr|sra|srta|excmo|excma|sir|dame|prof)\b\.?", re.I
)
_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u3000]+")
_TERMINAL = (".", "!", "?", ":", ";", '"', "”", "’", ")", "»")


def _normalise(text: str) -> list[str]:
    """Clean lines: unify spaces and line breaks, drop bullets and control characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    text = "".join(ch for ch in text if ch == "\n" or ch >= " " or ch == "\t")
    lines = []
    for raw in text.split("\n"):
        line = _SPACES.sub(" ", raw).strip()
        if _BULLET.match(line) and not _HANDLE.match(line):
            line = _BULLET.sub("", line)
        lines.append(line)
    return lines


def _ascii_quotes(text: str) -> str:
    return text.translate(_QUOTES)


def _first(lines: list[str], pattern: re.Pattern[str], start: int = 0) -> int | None:
    for number in range(start, len(lines)):
        if pattern.search(_ascii_quotes(lines[number])):
            return number
    return None


def _blocks(lines: list[str]) -> list[list[str]]:
    """Groups of consecutive non-empty lines."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in [*lines, ""]:
        if line:
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    return blocks


def _prose(lines: list[str]) -> str:
    """Rejoin lines that PDF extraction broke; keep paragraphs apart with a blank line."""
    paragraphs: list[str] = []
    current = ""
    for line in lines:
        if not line:
            if current:
                paragraphs.append(current)
                current = ""
            continue
        if (current and not current.endswith(_TERMINAL) and not line[:1].isupper()) or (
            current and not current.endswith(_TERMINAL) and len(current) >= 60
        ):
            current = f"{current} {line}"
        else:
            if current:
                paragraphs.append(current)
            current = line
    if current:
        paragraphs.append(current)
    return "\n\n".join(paragraphs)


def _is_heading_case(line: str) -> bool:
    letters = [ch for ch in line if ch.isalpha()]
    return bool(letters) and sum(ch.isupper() for ch in letters) / len(letters) > 0.8


def _contact(block: list[str], organisation_first: bool) -> Contact:
    lines: list[str] = []
    email = social = phone = None
    for line in block:
        line = _CC_PREFIX.sub("", line).strip().rstrip(",").strip()
        if not line:
            continue
        if labelled := _LABELLED_EMAIL.match(line):
            email = labelled.group(1).strip()
        elif (found := _EMAIL.fullmatch(line)) is not None:
            email = found.group(0)
        elif social_match := _SOCIAL.match(line):
            social = social_match.group(1).strip()
        elif _HANDLE.match(line):
            social = line
        elif phone_match := _PHONE.match(line):
            phone = phone_match.group(1).strip()
        else:
            lines.append(line)
    organisation = None
    if organisation_first and len(lines) > 1 and _ORGANISATION.search(lines[0]):
        organisation = lines.pop(0)
    if len(lines) >= 2 and not _HONORIFIC.match(lines[0]) and _HONORIFIC.match(lines[1]):
        lines[0], lines[1] = lines[1], lines[0]  # older layout: the title came first
    name = lines.pop(0) if lines else ""
    title = lines.pop(0) if len(lines) >= 2 and not organisation else None
    return Contact(
        name=name,
        title=title,
        organisation=organisation,
        address=lines,
        email=email,
        social=social,
        phone=phone,
    )


def _salutation_index(lines: list[str], start: int, stop: int) -> int | None:
    """The line that opens the sample letter: short, ends in ',' or ':' and leads into prose."""
    for number in range(start, stop):
        line = lines[number]
        if not line or len(line) > 90 or not line.endswith((",", ":")) or _CC_PREFIX.match(line):
            continue
        following = next((later for later in lines[number + 1 : stop] if later), "")
        if _SALUTATION_START.match(line) or len(following) >= 60:
            return number
    return None


def _ua_number(lines: list[str]) -> tuple[str, int | None, int | None]:
    """The UA number, the update ordinal, and the line holding them (prefer the UA line)."""
    line_number = _first(lines, _UA_LINE)
    candidates = [line_number] if line_number is not None else []
    candidates += [n for n, line in enumerate(lines) if _UA_NUMBER.search(line)]
    for number in candidates:
        match = _UA_NUMBER.search(lines[number])
        if not match:
            continue
        ordinal_word, case, year = match.groups()
        ordinal = ORDINALS.get(ordinal_word.lower()) if ordinal_word else None
        if ordinal is None:
            ordinal = _ordinal_elsewhere(lines, f"{int(case)}", year)
        return f"{int(case)}/{year}", ordinal, line_number
    raise UADocumentError(
        "No UA number found. The parser looked for a line such as 'UA: 72/24 Index: ...', "
        "'Seventh UA: 72/24' or 'AU: 72/24' (72.24 works too). Add the UA number and try again.",
        missing="ua_number",
    )


def _ordinal_elsewhere(lines: list[str], case: str, year: str) -> int | None:
    for line in lines:
        for match in _UA_NUMBER.finditer(line):
            word, found_case, found_year = match.groups()
            if word and (str(int(found_case)), found_year) == (case, year):
                ordinal = ORDINALS.get(word.lower())
                if ordinal:
                    return ordinal
    return None


def _trailer(lines: list[str], pattern: re.Pattern[str]) -> tuple[int | None, str]:
    for number, line in enumerate(lines):
        match = pattern.match(_ascii_quotes(line))
        if match:
            return number, line[match.start(1) :].strip() if match.group(1) else ""
    return None, ""


def parse_text(text: str) -> UADraft:
    """Read a UA from its text. Raises ``UADocumentError`` when it cannot be one."""
    if len(text) > MAX_TEXT_CHARACTERS:
        raise UADocumentError(
            f"The document has {len(text):,} characters; a UA has fewer than "
            f"{MAX_TEXT_CHARACTERS:,}. Send the UA alone."
        )
    lines = _normalise(text)
    warnings: list[str] = []
    heading = _first(lines, _HEADING)
    if heading is None and _first(lines, _UA_NUMBER) is None:
        raise UADocumentError(
            "This does not look like an Urgent Action: it has neither the heading "
            "'URGENT ACTION' / 'ACCIÓN URGENTE' nor a UA number such as 'UA: 72/24'.",
            missing="heading",
        )
    ua_number, ordinal, ua_line = _ua_number(lines)
    deadline_line, deadline_text = _trailer(lines, _DEADLINE)
    if deadline_line is None:
        raise UADocumentError(
            "No deadline found. The parser looked for a line such as 'PLEASE TAKE ACTION AS "
            "SOON AS POSSIBLE UNTIL: August 30, 2026' (in Spanish: '... HASTA EL: 30 de agosto "
            "de 2026'). Add it and try again.",
            missing="deadline",
        )
    deadline = parse_date(deadline_text)
    if deadline is None:
        raise UADocumentError(
            f"The deadline '{deadline_text[:60]}' is not a date the parser can read. Write it "
            "like 'August 30, 2026', '30 August 2026' or '30 de agosto de 2026'.",
            missing="deadline",
        )
    language = "es" if heading is not None and lines[heading].upper().startswith("ACCI") else "en"
    if heading is None:
        language = "es" if re.search(r"\bAU\b", "\n".join(lines)) else "en"
        warnings.append("No 'URGENT ACTION' heading: the title may be wrong.")
    if ordinal is None:
        ordinal = 1

    index = country = None
    issue_date = None
    if ua_line is not None:
        line = lines[ua_line]
        if found_index := _INDEX.search(line):
            index = re.sub(r"\s+", " ", found_index.group(1))
        if found_date := _LINE_DATE.search(line):
            issue_date = parse_date(found_date.group(1))
        middle = line[found_index.end() : found_date.start()] if found_index and found_date else ""
        country = middle.strip(" ,;-") or None
    for missing, value in (("index", index), ("issue date", issue_date)):
        if value is None:
            warnings.append(
                f"No {missing} found on a line like "
                "'UA: 72/24 Index: AMR 53/1059/2026 Venezuela Date: 27 May 2026'."
            )

    # Title and summary sit between the heading and TAKE ACTION.
    take_action = _first(lines, _TAKE_ACTION, (heading or 0))
    body_start = (heading + 1) if heading is not None else 0
    title_lines: list[str] = []
    cursor = body_start
    while cursor < len(lines) and (not lines[cursor] and not title_lines):
        cursor += 1
    while cursor < len(lines) and lines[cursor] and _is_heading_case(lines[cursor]):
        if cursor != ua_line and not _TAKE_ACTION.match(lines[cursor]):
            title_lines.append(lines[cursor])
        cursor += 1
    title = " ".join(title_lines)
    summary_end = take_action
    if summary_end is None:  # no TAKE ACTION heading: the summary is the first paragraph
        summary_end = cursor
        while summary_end < len(lines) and not lines[summary_end]:
            summary_end += 1
        while summary_end < len(lines) and lines[summary_end]:
            summary_end += 1
    summary = _prose([ln for n, ln in enumerate(lines[cursor:summary_end], cursor) if n != ua_line])

    # Targets follow the TAKE ACTION block; the copy (CC) and the letter come after them.
    targets_start = summary_end
    if take_action is not None:
        targets_start = take_action + 1
        while targets_start < len(lines) and lines[targets_start]:
            targets_start += 1
    additional = _first(lines, _ADDITIONAL, targets_start)
    trailer_lines = [n for n in (_trailer(lines, p)[0] for p in _TRAILERS) if n is not None]
    letter_limit = additional if additional is not None else min(trailer_lines)
    copy_intro = _first(lines, _COPY_INTRO, targets_start)
    if copy_intro is None:
        copy_intro = _first(lines, _CC_PREFIX, targets_start)
        cc_start = copy_intro
    else:
        cc_start = copy_intro + 1
    if copy_intro is not None and copy_intro >= letter_limit:
        copy_intro = cc_start = None
    salutation_line = _salutation_index(
        lines, cc_start if cc_start is not None else targets_start, letter_limit
    )
    targets_end = copy_intro if copy_intro is not None else (salutation_line or letter_limit)
    target_region = [
        ln for n, ln in enumerate(lines[targets_start:targets_end], targets_start) if n != ua_line
    ]
    targets = [
        _contact(block, organisation_first=False)
        for block in _blocks(target_region)
        if not block[0].startswith(("*", "Note", "Nota"))
    ]
    salutation = ""
    for block in _blocks(target_region):
        for line in block:
            if label := _SALUTATION_LABEL.match(line):
                salutation = label.group(1).strip()
    for contact in targets:
        contact.address = [ln for ln in contact.address if not _SALUTATION_LABEL.match(ln)]
    cc: list[Contact] = []
    if cc_start is not None:
        cc_end = salutation_line if salutation_line is not None else letter_limit
        cc = [_contact(block, organisation_first=True) for block in _blocks(lines[cc_start:cc_end])]

    letter = ""
    if salutation_line is not None:
        salutation = lines[salutation_line]
        closing = _first(lines, _CLOSING, salutation_line + 1)
        letter_end = closing + 1 if closing is not None and closing < letter_limit else letter_limit
        letter = _prose(lines[salutation_line + 1 : letter_end])
    if not targets:
        warnings.append("No target found: say who to write to, with their postal address.")
    if not letter:
        warnings.append("No sample letter found (a line such as 'Dear Minister,' opens it).")

    additional_info = ""
    if additional is not None:
        later_trailers = [n for n in trailer_lines if n > additional] or [len(lines)]
        additional_info = _prose(lines[additional + 1 : min(later_trailers)])
    _, preferred_text = _trailer(lines, _PREFERRED_LANGUAGE)
    _, name_pronoun = _trailer(lines, _NAME_PRONOUN)
    _, previous_link = _trailer(lines, _PREVIOUS_LINK)
    if country is None and targets and targets[0].address:
        country = targets[0].address[-1].split(",")[-1].strip() or None
        if country:
            warnings.append(f"The country was taken from the target's address: {country}.")
    return UADraft(
        ua_number=ua_number,
        update_ordinal=ordinal,
        language=language,
        deadline=deadline,
        title=title,
        index=index,
        country=country,
        issue_date=issue_date,
        summary=summary,
        targets=targets,
        cc=cc,
        salutation=salutation,
        letter=letter,
        additional_info=additional_info,
        preferred_language=language_code(preferred_text) if preferred_text else None,
        name_pronoun=name_pronoun,
        previous_link=previous_link.split()[0] if previous_link else None,
        warnings=warnings,
    )


def parse_document(filename: str, content: bytes) -> UADraft:
    """Read a UA from an uploaded file: plain text, PDF or DOCX."""
    try:
        text = extract_text(filename, content)
    except DocumentReadError as error:
        raise UADocumentError(f"{filename}: {error}") from None
    return parse_text(text)


def ensure_deadline_ahead(draft: UADraft, today: date) -> None:
    """Refuse a UA whose deadline has passed: nobody could act on it any more."""
    if draft.deadline < today:
        raise UADocumentError(
            f"The deadline {draft.deadline.isoformat()} has already passed (today is "
            f"{today.isoformat()}). Check the document, or import it for the record with "
            "--allow-past.",
            missing="deadline",
        )
