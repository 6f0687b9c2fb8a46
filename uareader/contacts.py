"""Who to write to and who to copy: contacts read from address blocks, however a layout
separates them (blank lines, a salutation or email closing each, or a whole address on
one line of a web copy)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from uareader.checks import (
    CARE_OF,
    is_address_line,
    is_debris,
    is_heading,
    is_person_at_risk,
    is_sentence,
    name_problem,
)
from uareader.text import HANDLE, blocks, is_heading_case, normalise
from uareader.vocabulary import country_named


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
    #: Fields to check before publishing: "doubtful" (a value that failed its check was
    #: left out) or "assumed" (taken from elsewhere, such as the letter's salutation).
    marks: dict[str, str] = field(default_factory=dict)


#: "To: <name>", "Para: <name>", "To King Salman": whom a letter goes to, before the name.
TO_LABEL = re.compile(r"^(?:(?:To|TO|Para|PARA)\s*:\s*|To\s+(?=[A-Z]))")


CC_PREFIX = re.compile(r"^(?:CC|C\.C\.|Copia(?:s)?(?: a)?)\s*:\s*", re.I)


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
#: Addresses kept from one email field; real UAs give one or two.
MAX_EMAILS = 3
#: What a web page's copy leaves in an address: its link notes, and an email address its
#: protection replaced ("[email\xa0protected]"), which is no address at all.
_LINK_NOTE = re.compile(
    r"(?i)\s*[(\[]?(?:opens in a new (?:tab|window)|link is external|external link|"
    r"se abre en una? (?:nueva )?(?:pesta[nñ]a|ventana)(?: nueva)?|enlace externo)[)\]]?"
)
_HIDDEN_EMAIL = re.compile(r"(?i)\[\s*e-?mail\s+protected\s*\]")
#: "juan [at] gob.example": written out for people, and as certain as the plain address.
_SPELT_AT = re.compile(r"(?i)\s*[\[(]\s*at\s*[\])]\s*")
_SPELT_DOT = re.compile(r"(?i)\s*[\[(]\s*dot\s*[\])]\s*")


_SOCIAL = re.compile(
    r"^(?:twitter|x|twitter\s*/\s*x|x\s*/\s*twitter|facebook|instagram|bluesky|mastodon|"
    r"tiktok)\s*:\s*(.+)$",
    re.I,
)


_PHONE = re.compile(r"^(?:fax|tel|tel[eé]fono|phone)\.?\s*:?\s*(\+?[\d(][\d ()./-]{5,})$", re.I)


_LABELLED_EMAIL = re.compile(r"^(?:e-?mail|correo(?:-e| electr[oó]nico)?)\s*:\s*(.+)$", re.I)


#: Ways to reach an official that a supporter today cannot use (1990s telegrams, telexes).
_WIRE = re.compile(r"(?i)^(?:telegrams?|telex(?:es)?|faxes|cables?|telegramas?|t[eé]lex)\s*:")


_NUMBERING = re.compile(r"^\d{1,2}[.)]\s+")


#: The office someone holds, written above their name in older layouts.
#: The words of an office held by a person, in English and Spanish.
ROLE_WORDS = (
    r"prosecutor|procurator|minister|president|governor|chief|head|director|judge|"
    r"chair(?:man|person|woman)?|commissioner|ombudsman|(?:under-?)?secretary|mayor|king|prime|"
    r"attorney|fiscal|subsecretari[oa]|"
    r"ministr[oa]|president[ea]|gobernador[a]?|jef[ea]|director[a]?|secretari[oa]|alcalde(?:sa)?|"
    r"procurador[a]?|defensor[a]?|comisionad[oa]|juez|jueza|magistrad[oa]"
)
ROLE = re.compile(rf"(?i)\b(?:{ROLE_WORDS})\b")


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


#: An office's or a building's name: under an official's name, never the name itself.
_OFFICE = re.compile(
    r"(?i)\b(?:ministry|ministerio|office|oficina|department|departamento|secretar[ií]a|"
    r"court|tribunal|corte|palace|palacio|government|gobierno|presidency|presidencia|"
    r"fiscal[ií]a|procuradur[ií]a|prosecution|parliament|congreso|congress|embassy|embajada|"
    r"mission|misi[oó]n|consulate|consulado|prison|c[aá]rcel|penitenciar[ií]a)\b"
)


#: An office written out ("Minister of the Interior", "Director de la Unidad Nacional",
#: "Presidente de la Magistratura"): the title above a name, not the name.
_OFFICE_TITLE = re.compile(
    rf"(?i)^(?:the\s+)?(?:\w+\s+){{0,2}}(?:{ROLE_WORDS})(?:\s+general)?\s+(?:of|for|de|del|para)\b"
)


_ORGANISATION = re.compile(
    r"\b(mission|embassy|consulate|ministry|embajada|misi[oó]n|consulado|ministerio)\b", re.I
)


HONORIFIC = re.compile(
    r"^(mr|ms|mrs|dr|dra|hon|h\.e|his|her|sr|sra|srta|excmo|excma|sir|dame|prof|king|queen|"
    r"president|presidente|presidenta|ambassador|embajador|embajadora|general|lic|licenciad[oa]|"
    r"ayatoll?[aá]h?|counsellor|brigadier|colonel|coronel|lieutenant-general|sheikh|judge|juez|"
    r"the hon|the most hon|the rt\.? hon)(?:\.\s|\s)",
    re.I,
)


def is_one_line_contact(line: str) -> bool:
    """A whole contact on one line: a web copy that lost the line breaks of an address."""
    line = CC_PREFIX.sub("", line)
    labelled = len(_INLINE_LABELS.findall(line)) >= 2  # "... Fax: ... Email: ..."
    return len(line) > 50 and (line.count(",") >= 3 or labelled) and not line.endswith(".")


def _explode(line: str) -> list[str]:
    """A contact written on one line (web copies lose line breaks): its parts, one per
    envelope line."""
    prefix = CC_PREFIX.match(line)
    line = line[prefix.end() :] if prefix else line
    parts = [part.strip() for part in _INLINE_LABELS.split(line) if part.strip()]
    head = parts[0]
    pieces = [head]
    if len(head) > 50 and head.count(",") >= 2 and not _INLINE_LABELS.match(head):
        pieces = [piece.strip() for piece in head.split(",") if piece.strip()]
    pieces[:1] = [piece.strip() for piece in _HEAD_BREAKS.split(pieces[0]) if piece.strip()]
    parts[:1] = pieces
    return parts


#: Where a name run together with its office or street begins the next envelope line:
#: "H.E. Majid Ravanchi Permanent Mission of Iran 622 Third Avenue".
_HEAD_BREAKS = re.compile(
    r"\s+(?=(?:Permanent\s+Mission|Mission|Embassy|Office\s+of|Ministry|Misi[oó]n|Embajada|"
    r"Oficina|Ministerio)\b)|(?<=[a-z.])\s+(?=\d{1,5}\s+[A-Z])"
)


def contact_blocks(region: list[str]) -> list[list[str]]:
    """The contacts in a region, apart even where no blank line separates them: a contact
    ends at its email, phone, handle or salutation, or where a new name begins after an
    address. Headings, footers and the people at risk are not contacts."""
    contacts: list[list[str]] = []
    for block in _merge_lone_offices(_undouble(blocks(region))):
        block = [line for line in block if not is_debris(line)]
        while block and is_heading(block[0]) and not _is_contact_end(block[0]):
            block = block[1:]  # "CONTACT INFORMATION" above the first address
        while len(block) > 2 and is_sentence(block[0]) and _reachable(block[1:]):
            block = block[1:]  # "Al fiscal federal a cargo de la Fiscalía ..." above the name
        if not block:
            continue
        if all(is_one_line_contact(line) for line in block):
            contacts.extend(_explode(line) for line in block)
            continue
        lines = block
        if len(lines) > 1 and _NUMBERING.match(lines[0]):
            lines = [_NUMBERING.sub("", lines[0]), *lines[1:]]  # "1) Lieutenant-General ..."
        current: list[str] = []
        for line in lines:
            ended = bool(current) and _is_contact_end(current[-1]) and not _is_contact_end(line)
            new_name = (
                len(current) >= 2
                and bool(HONORIFIC.match(line))
                and any(is_address_line(previous) for previous in current)
            )
            if ended or new_name:
                contacts.append(current)
                current = []
            current.append(line)
        if current:
            contacts.append(current)
    return [block for block in contacts if not _not_a_contact(block)]


def _undouble(found: list[list[str]]) -> list[list[str]]:
    """A web copy that put a blank line after every line of an address ("Secretary X," /
    "" / "Department of Justice," / "" / "DOJ Building,"): the blocks between two
    paragraphs as one, for the contacts in them to be told apart by their ends (email,
    phone, handle) instead, when most of those blocks are single lines and at least two
    of them are an envelope's (a street, a postcode, an email)."""
    merged: list[list[str]] = []
    run: list[list[str]] = []
    for block in [*found, None]:
        if block is not None and not any(is_sentence(line) for line in block):
            run.append(block)
            continue
        lines = [line for part in run for line in part]
        singles = [part[0] for part in run if len(part) == 1]
        envelope = [
            line
            for line in singles
            if _is_contact_end(line)
            or (is_address_line(line) and not is_person_at_risk(line))
            or _POSTCODE_ALONE.match(line)
            or country_named(line)
        ]
        if len(run) >= 3 and len(singles) >= 0.7 * len(run) and len(envelope) >= 2:
            merged.append(lines)
        else:
            merged.extend(run)
        run = []
        if block is not None:
            merged.append(block)
    return merged


def _reachable(block: list[str]) -> bool:
    """Whether a block holds a way to reach someone: an email, phone, handle or salutation
    anywhere, or an address line below its first."""
    return any(_is_contact_end(line) for line in block) or any(
        is_address_line(line) for line in block[1:]
    )


def _not_a_contact(block: list[str]) -> bool:
    """A block that only looks like an address: an instruction, a sentence of the case,
    or the person at risk (named with "(m)" or an age) without any way to reach them."""
    head = block[0]
    if NOT_A_CONTACT.match(head) or is_sentence(head) or _CLOSING_WORDS.match(head):
        return True
    reachable = _reachable(block)
    lowercase = [word for word in head.split() if word.islower() and word not in _PARTICLES]
    chatter = len(lowercase) >= 3 or head.endswith((":", ","))
    return not reachable and (
        is_person_at_risk(head) or is_heading(head) or is_heading_case(head) or chatter
    )


#: Words of a name written in lower case ("Salman bin Abdul Aziz Al Saud", "María de la
#: Cruz"): a line with three other lower-case words is a sentence, not a name.
_PARTICLES = frozenset(
    {"bin", "bint", "ibn", "al", "el", "de", "del", "la", "las", "los", "da", "das", "do"}
    | {"dos", "di", "du", "van", "von", "der", "den", "y", "e"}
)
#: How a message signs off ("In solidarity,"): what follows is its sender, not a recipient.
_CLOSING_WORDS = re.compile(
    r"(?i)^(?:in solidarity|en solidaridad|yours sincerely|sincerely|atentamente|"
    r"saludos(?: cordiales)?|thank you|thanks|gracias|best regards|kind regards)\b"
)


def until_closing(lines: list[str]) -> list[str]:
    """The lines before a sign-off: after "In solidarity," come a team's name and a page's
    links, which are no one to write to."""
    for number, line in enumerate(lines):
        if _CLOSING_WORDS.match(line) and len(line) < 40:
            return lines[:number]
    return lines


def _merge_lone_offices(found: list[list[str]]) -> list[list[str]]:
    """An office alone on its block, the official's name ("His Excellency, ...") in the
    next: one recipient, which a blank line between them had split in two."""
    merged: list[list[str]] = []
    for block in found:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and len(previous) == 1
            and ROLE.search(previous[0])
            and name_problem(previous[0]) is None
            and HONORIFIC.match(block[0])
        ):
            previous.extend(block)
        else:
            merged.append(list(block))
    return merged


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


def _clean(line: str) -> str:
    line = _LINK_NOTE.sub("", CC_PREFIX.sub("", line))
    # "To: Albert Puela", "To King Salman ..." under "Write a letter:"
    line = TO_LABEL.sub("", line)
    return line.strip().rstrip(",").strip()


_POSTCODE_ALONE = re.compile(r"^\d{4,6}$")
_OFFICE_THEN_BODY = re.compile(r"^[\w-]+(?:\s[\w-]+)?,\s")
#: Words that qualify an office ("Acting Attorney General", "Deputy Prime Minister").
_OFFICE_WORDS = frozenset({"acting", "deputy", "interim", "vice", "general", "prime", "chief"})


def is_office(line: str) -> bool:
    """An office with no one's name in it ("Minister of Justice", "Attorney General"),
    unlike "Governor Kay Ivey", whose office comes before her name on the same line."""
    if _OFFICE_TITLE.match(line) or (ROLE.match(line) and _OFFICE_THEN_BODY.match(line)):
        return True  # "Head of the Judiciary", "Chairperson, National Commission for ..."
    words = [word.strip(",.:").lower() for word in line.replace("-", " ").split()]
    # "Pennsylvania Acting Attorney General" ends in its office; "Governor Kay Ivey" in a name
    return bool(words) and bool(ROLE.fullmatch(words[-1]) or words[-1] in _OFFICE_WORDS)


def _care_of_apart(block: list[str]) -> list[str]:
    """ "Mohseni Ejei c/o Embassy of Iran": the name, and the address it goes through."""
    lines: list[str] = []
    for line in block:
        name, found, rest = line.partition(" c/o ")
        lines += [name, f"c/o {rest}"] if found and name.strip() else [line]
    return lines


def _email(value: str, marks: dict[str, str]) -> str | None:
    """The address in an email field, or None, marked doubtful, when the copy hid it."""
    value = _SPELT_DOT.sub(".", _SPELT_AT.sub("@", value.strip()))
    found = _EMAIL.findall(value)
    if not found or _HIDDEN_EMAIL.search(value):
        marks["email"] = "doubtful"
        return None
    # "Email: a@gob.example, b@gob.example": both, as a mail program takes them; the
    # first alone was a wrong value shown as the whole.
    return ", ".join(dict.fromkeys(found[:MAX_EMAILS]))


def contact(block: list[str], organisation_first: bool) -> Contact:
    """One recipient from its block. A line that cannot be a name (a street, a post box,
    a heading) is never taken as one: the name is then left empty and marked doubtful."""
    marks: dict[str, str] = {}
    lines, email, social, phone = _ways_to_reach(block, marks)
    lines = _name_apart_from_address(lines)
    care_of = [line for line in lines if CARE_OF.match(line)]
    lines = _name_on_top([line for line in lines if not CARE_OF.match(line)])
    name, title, organisation = _who(lines, organisation_first, marks)
    return Contact(
        name=name,
        title=title,
        organisation=organisation,
        address=care_of + lines,
        email=email,
        social=social,
        phone=phone,
        marks=marks,
    )


def _ways_to_reach(
    block: list[str], marks: dict[str, str]
) -> tuple[list[str], str | None, str | None, str | None]:
    """The block's email, social handle and phone, and its other lines (whom, where)."""
    lines: list[str] = []
    email = social = phone = None
    for raw in _care_of_apart(block):
        line = _clean(raw)
        if not any(ch.isalnum() for ch in line):
            continue
        if labelled := _LABELLED_EMAIL.match(line):
            email = _email(labelled.group(1), marks) or email
        elif _EMAIL.fullmatch(line) or _HIDDEN_EMAIL.fullmatch(line):
            email = _email(line, marks) or email
        elif social_match := _SOCIAL.match(line):
            social = social_match.group(1).strip()
        elif HANDLE.match(line):
            social = line
        elif phone_match := _PHONE.match(line):
            phone = phone_match.group(1).strip()
        elif not (SALUTATION_LABEL.match(line) or _WIRE.match(line)):
            lines.append(line)
    if email:
        marks.pop("email", None)
    return lines, email, social, phone


def _name_apart_from_address(lines: list[str]) -> list[str]:
    """ "Embassy of X, 16 Some Street, London SW7 1PT" on one line: one part a line."""
    if lines and "," in lines[0] and name_problem(lines[0]) == "address":
        head, *rest = [part.strip() for part in lines[0].split(",") if part.strip()]
        if name_problem(head) is None:
            return [head, *rest, *lines[1:]]
    return lines


def _name_on_top(lines: list[str]) -> list[str]:
    """The name first: without a label above it, and above the office it holds."""
    if len(lines) > 1 and lines[0].endswith(":") and len(lines[0].split()) <= 5:
        lines = lines[1:]  # "Governor-General:" above the name says whom the name is
    office_first = False
    if len(lines) >= 2 and not _OFFICE.search(lines[1]) and name_problem(lines[1]) is None:
        if is_office(lines[0]) and not ROLE.search(lines[1]):
            office_first = True  # "Minister of Justice" above "Elias Brandt"
        elif _OFFICE_TITLE.match(lines[0]) and not _OFFICE_TITLE.match(lines[1]):
            office_first = True  # "Presidente de la Magistratura" above "Head ... Raisi"
    if office_first:
        return [lines[1], lines[0], *lines[2:]]
    return lines


def _who(
    lines: list[str], organisation_first: bool, marks: dict[str, str]
) -> tuple[str, str | None, str | None]:
    """The name, office and organisation at the top of ``lines``, taken off them; what
    stays is the address."""
    organisation = None
    official_below = len(lines) > 1 and bool(HONORIFIC.match(lines[1]))
    if (
        len(lines) > 1
        and _ORGANISATION.search(lines[0])
        and (organisation_first or (official_below and name_problem(lines[1]) is None))
    ):
        organisation = lines.pop(0)  # "Embassy of X" above "Ambassador Y"
    name = ""
    if lines and name_problem(lines[0]) is None:
        name = lines.pop(0)
    elif not organisation:
        marks["name"] = "doubtful"
    title = None
    office_next = bool(lines) and bool(ROLE.search(lines[0]) or _OFFICE.search(lines[0]))
    if (
        name
        and lines
        and not organisation
        and not is_address_line(lines[0])
        and (len(lines) >= 2 or office_next)
    ):
        title = lines.pop(0)
    return name, title, organisation


def is_empty(found: Contact) -> bool:
    """Nothing to write on an envelope: no name, office, address or way to reach them."""
    return not (
        found.name
        or found.title
        or found.organisation
        or found.address
        or found.email
        or found.social
    )


_ABROAD = re.compile(r"(?i)\b(?:c/o|mission|misi[oó]n|embassy|embajada|consulate|consulado)\b")


def address_country(targets: list[Contact]) -> str | None:
    """The country at the end of the first recipient's address, when it is a country and
    the address is the official's own (a mission's or an embassy's is abroad)."""
    if not targets or not targets[0].address:
        return None
    first = targets[0]
    lines = [first.name, first.title or "", first.organisation or "", *first.address]
    if any(_ABROAD.search(line) for line in lines):
        return None
    return country_named(first.address[-1].split(",")[-1])


#: More lines than any list of recipients has: a paste longer than this is not read on.
MAX_PASTED_LINES = 80


def read_contacts(text: str, organisation_first: bool = False) -> list[Contact]:
    """Recipients pasted in chat as a document lays them out (a blank line between two),
    read as the document reader reads them."""
    lines = normalise(text)[:MAX_PASTED_LINES]
    found = [contact(block, organisation_first) for block in contact_blocks(lines)]
    return [one for one in found if not is_empty(one)]
