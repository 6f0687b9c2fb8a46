"""Who to write to and who to copy: contacts read from address blocks, however a layout
separates them (blank lines, a salutation or email closing each, or a whole address on
one line of a web copy)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from uareader.text import HANDLE, blocks, is_prose


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


CC_PREFIX = re.compile(r"^(?:CC|C\.C\.|Copia(?:s)?(?: a)?)\s*:\s*", re.I)


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


_SOCIAL = re.compile(r"^(?:twitter|x|facebook|instagram|bluesky|mastodon|tiktok)\s*:\s*(.+)$", re.I)


_PHONE = re.compile(r"^(?:fax|tel|tel[eé]fono|phone)\.?\s*:?\s*(\+?[\d(][\d ()./-]{5,})$", re.I)


_LABELLED_EMAIL = re.compile(r"^(?:e-?mail|correo(?:-e| electr[oó]nico)?)\s*:\s*(.+)$", re.I)


#: Ways to reach an official that a supporter today cannot use (1990s telegrams, telexes).
_WIRE = re.compile(r"(?i)^(?:telegrams?|telex(?:es)?|faxes|cables?|telegramas?|t[eé]lex)\s*:")


_NUMBERING = re.compile(r"^\d{1,2}[.)]\s+")


#: The office someone holds, written above their name in older layouts.
_ROLE = re.compile(
    r"(?i)\b(?:prosecutor|minister|president|governor|chief|head|director|judge|chair(?:man|"
    r"person|woman)?|commissioner|ombudsman|secretary|mayor|king|prime|attorney|fiscal|"
    r"ministr[oa]|president[ea]|gobernador[a]?|jef[ea]|director[a]?|secretari[oa]|alcalde(?:sa)?|"
    r"procurador[a]?|defensor[a]?|comisionad[oa]|juez|jueza|magistrad[oa])\b"
)


SALUTATION_LABEL = re.compile(r"^(?:salutation|saludo|tratamiento)\s*:\s*(.+)$", re.I)


_INLINE_LABELS = re.compile(
    r"\s*[,;]?\s*(?=\b(?:E-?mail|Correo(?: electr[oó]nico)?|Fax|Tel|Phone|Tel[eé]fono|Twitter|"
    r"Facebook|Instagram|Salutation|Tratamiento)\s*:)",
    re.I,
)


NOT_A_CONTACT = re.compile(
    r"(?i)^(?:\*|note\b|nota\b|click\b|haz clic|pulsa|please\b|por favor|check\b|"
    r"consulte|also\b|tambi[eé]n\b|\d{1,2}[.)]\s)"
)


_ORGANISATION = re.compile(
    r"\b(mission|embassy|consulate|ministry|embajada|misi[oó]n|consulado|ministerio)\b", re.I
)


HONORIFIC = re.compile(
    r"^(mr|ms|mrs|dr|dra|hon|h\.e|his|her|sr|sra|srta|excmo|excma|sir|dame|prof|king|queen|"
    r"president|presidente|presidenta|ambassador|embajador|embajadora|general|lic|licenciad[oa]|"
    r"ayatol[aá]h?|counsellor|brigadier|colonel|coronel|lieutenant-general|sheikh|judge|juez|"
    r"the hon|the most hon|the rt\.? hon)(?:\.\s|\s)",
    re.I,
)


def is_one_line_contact(line: str) -> bool:
    """A whole contact on one line: a web copy that lost the line breaks of an address."""
    line = CC_PREFIX.sub("", line)
    return len(line) > 50 and line.count(",") >= 3 and not line.endswith(".")


def _explode(line: str) -> list[str]:
    """A contact written on one line (web copies lose line breaks): its parts, one per
    envelope line."""
    prefix = CC_PREFIX.match(line)
    line = line[prefix.end() :] if prefix else line
    parts = [part.strip() for part in _INLINE_LABELS.split(line) if part.strip()]
    head = parts[0]
    if len(head) > 50 and head.count(",") >= 2 and not _INLINE_LABELS.match(head):
        parts[:1] = [piece.strip() for piece in head.split(",") if piece.strip()]
    return parts


def contact_blocks(region: list[str]) -> list[list[str]]:
    """The contacts in a region, apart even where no blank line separates them: a contact
    ends at its email, phone, handle or salutation, or where a new name begins after an
    address."""
    contacts: list[list[str]] = []
    for block in blocks(region):
        if all(is_one_line_contact(line) for line in block):
            contacts.extend(_explode(line) for line in block)
            continue
        lines = block
        if len(lines) > 1 and _NUMBERING.match(lines[0]):
            lines = [_NUMBERING.sub("", lines[0]), *lines[1:]]  # "1) Lieutenant-General ..."
        current: list[str] = []
        for line in lines:
            ended = bool(current) and _is_contact_end(current[-1]) and not _is_contact_end(line)
            new_name = len(current) >= 3 and bool(HONORIFIC.match(line))
            if ended or new_name:
                contacts.append(current)
                current = []
            current.append(line)
        if current:
            contacts.append(current)
    return [
        block for block in contacts if not (NOT_A_CONTACT.match(block[0]) or is_prose(block[0]))
    ]


def _is_contact_end(line: str) -> bool:
    return bool(
        _LABELLED_EMAIL.match(line)
        or _EMAIL.fullmatch(line)
        or _SOCIAL.match(line)
        or HANDLE.match(line)
        or _PHONE.match(line)
        or SALUTATION_LABEL.match(line)
        or _WIRE.match(line)
    )


def contact(block: list[str], organisation_first: bool) -> Contact:
    lines: list[str] = []
    email = social = phone = None
    for line in block:
        line = CC_PREFIX.sub("", line).strip().rstrip(",").strip()
        if not line:
            continue
        if labelled := _LABELLED_EMAIL.match(line):
            email = labelled.group(1).strip()
        elif (found := _EMAIL.fullmatch(line)) is not None:
            email = found.group(0)
        elif social_match := _SOCIAL.match(line):
            social = social_match.group(1).strip()
        elif HANDLE.match(line):
            social = line
        elif phone_match := _PHONE.match(line):
            phone = phone_match.group(1).strip()
        elif not (SALUTATION_LABEL.match(line) or _WIRE.match(line)):
            lines.append(line)
    if len(lines) > 1 and lines[0].endswith(":") and len(lines[0].split()) <= 5:
        lines.pop(0)  # "Governor-General:" above the name says whom the name is
    if (
        len(lines) >= 2
        and _ROLE.search(lines[0])
        and not _ROLE.search(lines[1])
        and not any(ch.isdigit() for ch in lines[1])
    ):
        lines[0], lines[1] = lines[1], lines[0]  # the office above the name
    organisation = None
    if organisation_first and len(lines) > 1 and _ORGANISATION.search(lines[0]):
        organisation = lines.pop(0)
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
