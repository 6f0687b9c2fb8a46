"""Read an Urgent Action document (English or Spanish) into a ``UADraft``.

Organisers receive UAs in many layouts: Amnesty's current template, sections' web pages
copied with their menus, the 2000s "UA: 324/12 Index: ..." sheets, 1990s "EXTRA 19/92"
circulars, PDFs whose extraction breaks every line. Reading is lenient: every field found
is kept, a field not found is empty, and ``UADraft.missing`` names what publishing still
needs, for the organiser to add in chat. Only text with no sign of a UA at all is refused.

The header facts (number, update, index, dates, country) are found by ``uareader.fields``
wherever they are; ``uareader.layout`` finds where the other parts lie, once; this module
reads each of them with a function of its own (summary, who to write to, the copy (CC),
the sample letter, the background, the trailers) and names what is missing or doubtful.

Only ``UADocumentError`` leaves ``parse_document``: whatever the input, the organiser gets
a message saying what was wrong.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from typing import Any

from uareader.checks import CountryFound, document_country
from uareader.contacts import (
    SALUTATION_LABEL,
    Contact,
    address_country,
    contact,
    contact_blocks,
    is_empty,
    until_closing,
)
from uareader.extract import DocumentReadError, extract_text
from uareader.fields import (
    Header,
    read_header,
    says_it_is_closed,
)
from uareader.greeted import addressee, named_as_greeted, without_subject_lines
from uareader.headings import (
    ADDITIONAL,
    APPEAL_SIGNS,
    CAPS_LABEL,
    CONTACT_DETAILS,
    ENVELOPE_HONORIFIC,
    HEADING,
    LANGUAGES_ASKED,
    NAME_PRONOUN,
    PREFERRED_LANGUAGE,
    PREVIOUS_LINK,
    SUMMARY_LABEL,
    UA_WORDS,
)
from uareader.layout import (
    LetterSpan,
    Sections,
    addresses_above,
    letter_span,
    sections,
    targets_start,
    trailer,
)
from uareader.phrases import N_, Phrase
from uareader.sample_letter import (
    LETTER_INTRO,
    SALUTATION_START,
    letter_apart,
    letter_end,
    points_to_make,
    salutation_index,
)
from uareader.text import (
    first,
    normalise,
    prose,
)
from uareader.vocabulary import country_named, language_code

MAX_TEXT_CHARACTERS = 200_000
#: What publishing needs and a document may lack; the organiser adds it in chat.
REQUIRED_TO_PUBLISH = ("ua_number", "deadline")


class UADocumentError(Exception):
    """The document cannot become a UA; ``str()`` says what is wrong and how to fix it, in
    English; ``translated`` says it in the reader's language."""

    def __init__(self, phrase: Phrase, filename: str = "") -> None:
        super().__init__(f"{filename}: {phrase}" if filename else str(phrase))
        self.phrase = phrase
        self.filename = filename

    def translated(self, gettext: Callable[[str], str]) -> str:
        text = self.phrase.translated(gettext)
        return f"{self.filename}: {text}" if self.filename else text


@dataclass
class UADraft:
    """Everything read from one UA document, before it is stored; None where it is silent."""

    language: str = "en"
    ua_number: str | None = None
    update_ordinal: int | None = None
    deadline: date | None = None
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
    closing_notice: bool = False
    #: What a person should check; each is shown in the reader's language.
    warnings: list[Phrase] = field(default_factory=list)
    #: The update's fields taken from elsewhere ("assumed") or failing a check ("doubtful").
    marks: dict[str, str] = field(default_factory=dict)

    @property
    def missing(self) -> list[str]:
        """The fields publishing needs that this draft lacks."""
        return [name for name in REQUIRED_TO_PUBLISH if getattr(self, name) is None]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> UADraft:
        """The draft ``to_json`` wrote (a stored revision of a live UA)."""
        fields = {key: value for key, value in data.items() if key != "missing"}
        for key in ("deadline", "issue_date"):
            fields[key] = date.fromisoformat(fields[key]) if fields.get(key) else None
        for key in ("targets", "cc"):
            fields[key] = [Contact(**contact) for contact in fields.get(key, [])]
        fields["warnings"] = [Phrase(warning) for warning in fields.get("warnings", [])]
        return cls(**fields)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["deadline"] = self.deadline.isoformat() if self.deadline else None
        data["issue_date"] = self.issue_date.isoformat() if self.issue_date else None
        data["missing"] = self.missing
        data["warnings"] = [str(warning) for warning in self.warnings]
        return data


def _address_blocks(region: list[str]) -> list[list[str]]:
    """The contacts of a region, without a repeated page heading or a letter's heading."""
    return [
        block
        for block in contact_blocks(region)
        if not (HEADING.match(block[0]) or LETTER_INTRO.match(block[0]))
    ]


def _has_ua_sign(text: str, header: Header, lines: list[str]) -> bool:
    """A number, index, deadline or heading; or, on an appeal page that has none of these,
    an invitation to write together with a letter's salutation."""
    if header.ua_number or header.index or header.deadline or UA_WORDS.search(text[:50_000]):
        return True
    addressed = any(
        (SALUTATION_START.match(line) and line.endswith((",", ":")) and len(line) <= 90)
        or ENVELOPE_HONORIFIC.match(line)
        or SALUTATION_LABEL.match(line)
        for line in lines
    )
    return addressed and bool(APPEAL_SIGNS.search(text[:50_000]))


#: "Irán: posible ejecución ...", "... (Egypt: UA 132.19)": the country a title names.
_TITLE_COUNTRY = re.compile(r"^([^:()]{3,40}):\s|\(([^:()]{3,40}):\s*(?:UA|AU)\b")


def _contact_details(
    lines: list[str], start: int, end: int, skip: frozenset[int]
) -> tuple[list[Contact], list[list[str]]]:
    """Who to write to in a section of its own after the letter (the 2017 review form's
    "TARGET'S CONTACT DETAILS"), to the next label in capitals; none without that heading."""
    heading = first(lines, CONTACT_DETAILS, start, end)
    if heading is None:
        return [], []
    stop = next((n for n in range(heading + 1, end) if CAPS_LABEL.match(lines[n])), end)
    region = [ln for n, ln in enumerate(lines[heading + 1 : stop], heading + 1) if n not in skip]
    return _recipients_in(region)


def _recipients_in(region: list[str]) -> tuple[list[Contact], list[list[str]]]:
    """The recipients a region's address blocks name, and the blocks themselves."""
    blocks = _address_blocks(region)
    found = [contact(block, organisation_first=False) for block in blocks]
    return [each for each in found if not is_empty(each)], blocks


def _reaches(found: Contact) -> bool:
    """Whether a recipient can be written to: an address, an email, a phone or a handle."""
    return bool(found.address or found.email or found.phone or found.social)


def _title_country(title: str) -> str | None:
    """The country a title states in Amnesty's way, at its start or beside the number."""
    found = _TITLE_COUNTRY.search(title)
    return country_named(found.group(1) or found.group(2)) if found else None


def _summary(lines: list[str], parts: Sections, header: Header) -> tuple[str, int]:
    """The case in brief, and the line where it ends."""
    headings = [
        n
        for n in (parts.take_action, parts.points_intro, parts.appeals_to, parts.additional)
        if n is not None
    ]
    end = min([*headings, *parts.trailers, parts.end])
    label = first(lines, SUMMARY_LABEL, parts.body, end)
    if label is not None:
        # A form's labelled summary: its paragraph alone, not the labels above and below.
        end = next((n for n in range(label + 1, end) if CAPS_LABEL.match(lines[n])), end)
        run_in = SUMMARY_LABEL.sub(r"\1", lines[label])
        return prose([run_in, *(line for line in lines[label + 1 : end] if line)]), end
    if header.number_line is not None and header.number_line > parts.body + 1:
        end = min(end, header.number_line)
    if not headings and (opening := salutation_index(lines, parts.body, parts.end)) is not None:
        end = min(end, addresses_above(lines, opening, parts.body))
    return prose(parts.text(lines, parts.body, end)), end


def _targets(lines: list[str], parts: Sections, span: LetterSpan) -> tuple[list[Contact], str]:
    """Who to write to, and the salutation a form gives beside them ("Salutation: ...")."""
    region = until_closing(parts.text(lines, span.targets_start, span.targets_end))
    targets, blocks = _recipients_in(region)
    if not targets and span.salutation is not None:
        targets, blocks = _contact_details(lines, span.salutation + 1, parts.end, parts.skip)
    if parts.appeals_to is None and parts.take_action is None and span.salutation is None:
        # No section says who to write to and no letter greets anyone: only a block with
        # an address or a way to reach it is one. An e-mail copy's line of the country
        # and the people at risk ("BRAZIL Community of ...") was offered as an official.
        targets = [found for found in targets if _reaches(found)]
    if span.salutation is not None:
        greeting = lines[span.salutation]
        targets = [named_as_greeted(found, greeting) for found in targets]
        targets = without_subject_lines(targets, greeting)
    labelled = (
        label.group(1).strip()
        for block in blocks
        for line in block
        if (label := SALUTATION_LABEL.match(line))
    )
    return targets, next(filter(None, labelled), "")


def _cc(lines: list[str], parts: Sections, span: LetterSpan) -> list[Contact]:
    """The copy to the embassy: from its introduction to the letter."""
    if span.cc_start is None:
        return []
    end = span.limit
    if span.salutation is not None and span.salutation > span.cc_start:
        end = span.salutation
    blocks = _address_blocks(parts.text(lines, span.cc_start, end))
    return [contact(block, organisation_first=True) for block in blocks]


def _letter(lines: list[str], parts: Sections, span: LetterSpan) -> str:
    """The sample letter after its salutation; where there is none, the points to make."""
    if span.salutation is None:
        return points_to_make(lines, parts.body, span.limit)
    return prose(lines[span.salutation + 1 : letter_end(lines, span.salutation, span.limit)])


def _additional_info(lines: list[str], parts: Sections) -> str:
    """The background, from its heading to the next trailer or "APPEALS TO"."""
    if parts.additional is None:
        return ""
    later = [
        n for n in (*parts.trailers, parts.appeals_to) if n is not None and n > parts.additional
    ]
    run_in = ADDITIONAL.sub("", lines[parts.additional]).strip()
    body = parts.text(lines, parts.additional + 1, min(later or [parts.end]))
    return prose([run_in, *body] if run_in else body)


def _preferred_language(lines: list[str]) -> str | None:
    """The language the officials read, from its trailer or a request to write in it."""
    _, named = trailer(lines, PREFERRED_LANGUAGE)
    if not named:
        asked = next(filter(None, map(LANGUAGES_ASKED.search, lines)), None)
        named = asked.group(1) if asked else ""
    return language_code(named) if named else None


def _country(header: Header, title: str, targets: list[Contact], text: str) -> CountryFound:
    """The country the header names, else the title, checked as ``document_country`` does."""
    if header.country is None and (in_title := _title_country(title)):
        header = replace(header, country=in_title)
    return document_country(header, address_country(targets), text)


def _doubts(
    targets: list[Contact], letter: str, points_as_letter: bool, assumed: Contact | None
) -> list[Phrase]:
    """What the organiser must check or add about who to write to and the letter."""
    warnings = []
    if points_as_letter:
        warnings.append(
            Phrase(
                N_(
                    "No sample letter: the points to make were taken as the letter, for "
                    "supporters to write in their own words."
                )
            )
        )
    if assumed is not None:
        warnings.append(
            Phrase(
                N_(
                    "Who to write to was taken from the letter's salutation: {name}. Add the "
                    "address."
                ),
                name=assumed.name,
            )
        )
    if not targets:
        warnings.append(
            Phrase(N_("No target found: say who to write to, with their postal address."))
        )
    if not letter:
        warnings.append(
            Phrase(N_("No sample letter found (a line such as 'Dear Minister,' opens it)."))
        )
    return warnings


def _refuse_a_long_text(text: str) -> None:
    """Raise ``UADocumentError`` for text too long to be one UA, before reading it."""
    if len(text) > MAX_TEXT_CHARACTERS:
        raise UADocumentError(
            Phrase(
                N_(
                    "The document has {count} characters; a UA has fewer than {limit}. "
                    "Send the UA alone."
                ),
                count=f"{len(text):,}",
                limit=f"{MAX_TEXT_CHARACTERS:,}",
            )
        )


def _refuse_without_a_ua_sign(text: str, header: Header, lines: list[str]) -> None:
    """Raise ``UADocumentError`` for text with no sign of a UA (see ``_has_ua_sign``)."""
    if not _has_ua_sign(text, header, lines):
        raise UADocumentError(
            Phrase(
                N_(
                    "This does not look like an Urgent Action: it has no UA number (such as "
                    "'UA: 72/24' or 'AU 047/24'), no AI index, no 'URGENT ACTION' / 'ACCIÓN "
                    "URGENTE', no deadline to act, and no invitation to write with a letter "
                    "('Dear Minister,'). Add its UA number or the words URGENT ACTION at the "
                    "top and send it again, or send /newua and paste it."
                )
            )
        )


def parse_text(text: str) -> UADraft:
    """Read a UA from its text. Raises ``UADocumentError`` only when it is not a UA."""
    _refuse_a_long_text(text)
    lines = letter_apart(normalise(text))
    header = read_header(lines)
    _refuse_without_a_ua_sign(text, header, lines)
    title, parts = sections(lines, header)
    summary, summary_end = _summary(lines, parts, header)
    span = letter_span(lines, parts, targets_start(lines, parts, header, summary_end))
    targets, salutation = _targets(lines, parts, span)
    letter = _letter(lines, parts, span)
    if span.salutation is not None:
        salutation = lines[span.salutation]
    assumed = addressee(salutation) if not targets else None
    targets = [assumed] if assumed is not None else targets
    warnings = _doubts(targets, letter, span.salutation is None and bool(letter), assumed)
    found = _country(header, title, targets, text)
    if found.note is not None:
        warnings.append(found.note)
    if header.unreadable_deadline:
        warnings.append(
            Phrase(
                N_("The deadline '{text}' is not a date I can read; set it in the preview."),
                text=header.unreadable_deadline,
            )
        )
    _, previous_link = trailer(lines, PREVIOUS_LINK)
    before_background = lines[: parts.additional if parts.additional is not None else parts.end]
    return UADraft(
        language=header.language,
        ua_number=header.ua_number,
        update_ordinal=header.update_ordinal,
        deadline=header.deadline,
        title=title,
        index=header.index,
        country=found.name,
        issue_date=header.issue_date,
        summary=summary,
        targets=targets,
        cc=_cc(lines, parts, span),
        salutation=salutation,
        letter=letter,
        additional_info=_additional_info(lines, parts),
        preferred_language=_preferred_language(lines),
        name_pronoun=trailer(lines, NAME_PRONOUN)[1],
        previous_link=previous_link.split()[0] if previous_link else None,
        closing_notice=header.closing_notice and says_it_is_closed("\n".join(before_background)),
        warnings=warnings,
        marks={"country": found.mark} if found.mark else {},
    )


def parse_document(filename: str, content: bytes) -> UADraft:
    """Read a UA from an uploaded file: plain text, PDF or DOCX."""
    try:
        text = extract_text(filename, content)
    except DocumentReadError as error:
        raise UADocumentError(error.phrase, filename) from None
    try:
        return parse_text(text)
    except UADocumentError as error:  # named by its file, as the organiser knows it
        raise UADocumentError(error.phrase, filename) from None
