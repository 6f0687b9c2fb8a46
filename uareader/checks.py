"""What a value must look like before the reader keeps it.

A wrong value shown as right is worse than a gap: a supporter writes to a street name or a
heading, or to the person at risk instead of the official. So each line the reader would
take as a recipient's name, and each country, is checked for its kind first; what fails
is left empty and flagged for the organiser, who fills it in chat.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from uareader.fields import Header, is_dateline, is_header_line
from uareader.phrases import N_, Phrase
from uareader.text import is_heading_case, is_prose
from uareader.vocabulary import (
    country_code,
    find_country,
    find_date,
    index_country,
    most_named_country,
    territory_name,
)

#: Streets, boxes and post offices: the envelope's lines, never a person.
_ADDRESS_WORDS = re.compile(
    r"(?i)\b(?:street|st\.|avenue|ave\.?|av\.|avda\.?|avenida|road|rd\.|boulevard|blvd|"
    r"calle|carrera|jir[oó]n|plaza|piso|floor|building|edificio|torre|apartado|casilla|"
    r"p\.?\s?o\.?\s?box|box\s+\d|post\s+office|correo central|s/n|c\.?p\.?\s*\d|"
    r"zip|postal|colonia|col\.|barrio|km\s*\d|no\.\s*\d|n[º°]\s*\d|"
    r"chemin|rue|via|strasse|straße|ulitsa|ul\.|sector|urbanizaci[oó]n|quartier)"
)
#: "c/o Permanent Mission of ...": where the letter is sent, not who reads it.
CARE_OF = re.compile(r"(?i)^(?:c/o|c\.o\.|a/c|care of|a la atenci[oó]n de la)\b")
#: A postcode with its town ("1209 Geneva", "SW7 1PT", "CP 06700", "10115 Berlin").
_POSTCODE = re.compile(
    r"(?:^|\s)(?:\d{4,6}\s+[A-Z]|[A-Z]{1,2}\d{1,2}[A-Z]?\s+\d[A-Z]{2}\b|"
    r"(?i:c\.?\s?p\.?)\s*\d{4,5})"
)
_PHONE_LINE = re.compile(r"(?i)^(?:tel|t[eé]l[eé]fono|phone|fax|telefax|m[oó]vil|mobile)\b")
#: The person at risk as documents introduce them: "(m)", "(f)", an age.
_PERSON_AT_RISK = re.compile(
    r"(?i)\((?:m|f|male|female|h|hombre|mujer|men|women|hombres|mujeres)\)|"
    r",\s*(?:aged\s+)?\d{1,2}\s*(?:,|$|\(|years?\b|a[nñ]os\b)|\baged\s+\d{1,2}\b|"
    r"\b\d{1,2}[- ]year[- ]old\b|\b\d{1,2}\s+a[nñ]os\b"
)
#: Section headings a copied page leaves among the addresses.
_HEADING_WORDS = re.compile(
    r"(?i)\b(?:information|background|contact|action|appeals?|copies|recommended|additional|"
    r"informaci[oó]n|contexto|antecedentes|contacto|acci[oó]n|llamamientos?|copias|"
    r"recomendada|adicional|urgent|urgente)\b"
)
#: A page's footer or its navigation: "Page 2 of 3", a web address, the publisher.
_FOOTER = re.compile(
    r"(?i)^(?:page\s+\d+|p[aá]gina\s+\d+|\d+\s*/\s*\d+$)|\bwww\.|https?://|"
    r"amnesty international\b|amnist[ií]a internacional\b|\bai index\b|[ií]ndice\s*:"
)
#: "IRAN: Amina Yusuf", "MÉXICO: ...": a country heading before the people at risk.
_COUNTRY_LABEL = re.compile(r"^[A-ZÁÉÍÓÚÑ][A-ZÁÉÍÓÚÑ .'-]{2,30}:\s+\S")


#: A house number before or after the street ("16 Prince's Gate", "Chemin du Lac 28").
_HOUSE_NUMBER = re.compile(r"^\d{1,5}[A-Za-z]?,?\s+\w|\s\d{1,5}[A-Za-z]?$")


def is_address_line(line: str) -> bool:
    """A line of an envelope below the name: a street, box, postcode or 'c/o' line."""
    return bool(
        CARE_OF.match(line)
        or _ADDRESS_WORDS.search(line)
        or _POSTCODE.search(line)
        or _HOUSE_NUMBER.search(line)
    )


def is_person_at_risk(line: str) -> bool:
    """The person the UA is about, as documents write them: never the one written to."""
    if _PERSON_AT_RISK.search(line):
        return True
    label = _COUNTRY_LABEL.match(line)
    return label is not None and find_country(line.split(":", 1)[0]) is not None


def is_heading(line: str) -> bool:
    """A section heading ("BACKGROUND INFORMATION", "CONTACT INFORMATION:")."""
    if line.endswith(":") and len(line.split()) <= 6:
        return True
    return is_heading_case(line) and bool(_HEADING_WORDS.search(line))


def is_debris(line: str) -> bool:
    """A page's footer, index line or date line copied among the addresses."""
    return bool(_FOOTER.search(line) or is_header_line(line) or is_dateline(line))


def is_sentence(line: str) -> bool:
    """A sentence of the case or of the instructions, not an envelope line."""
    words = line.split()
    ends = line.endswith((".", "!")) and len(words[-1]) > 4  # "Jr." and "S.A." end names
    return is_prose(line) or len(words) > 12 or (len(words) >= 4 and ends)


def name_problem(line: str) -> str | None:
    """Why ``line`` cannot be a recipient's name (an English word for logs and tests), or
    None when it can."""
    if not line:
        return "empty"
    if is_person_at_risk(line):
        return "person at risk"
    if is_debris(line):
        return "debris"
    if is_heading(line):
        return "heading"
    if is_sentence(line):
        return "sentence"
    if _PHONE_LINE.match(line) or sum(ch.isdigit() for ch in line) >= 5:
        return "phone"
    if is_address_line(line) or find_date(line) is not None:
        return "address"
    if "@" in line:
        return "email"
    return None


@dataclass(frozen=True)
class CountryFound:
    """The country of a document, with how sure it is: "" when the text names it and the
    AI index agrees or says nothing, else "assumed" or "doubtful", with the reason."""

    name: str | None
    mark: str = ""
    note: Phrase | None = None


def document_country(header: Header, address_country: str | None, text: str = "") -> CountryFound:
    """The country the header or title names, checked against the country its AI index is
    filed under; the index's country where they name none (11 of 26 old documents); then,
    as assumptions for the organiser to check, a recipient's address (not a mission's,
    which may be abroad) and the country the text names most."""
    named, index = header.country, header.index
    code = index_country(index)
    from_index = territory_name(code, header.language) if code else None
    if named is None and header.not_a_country and not from_index:
        note = Phrase(
            N_("'{text}' is not a country I know: set the country in the preview."),
            text=header.not_a_country,
        )
        return CountryFound(None, "doubtful", note)
    if named is not None:
        if code and country_code(named) not in (None, code):
            note = Phrase(
                N_(
                    "The text names {country}, but the AI index {index} is filed under "
                    "{other}: check the country."
                ),
                country=named,
                index=index or "",
                other=from_index or code,
            )
            return CountryFound(named, "doubtful", note)
        return CountryFound(named)
    if from_index and header.not_a_country:
        note = Phrase(
            N_(
                "'{text}' is not a country I know; the AI index {index} is filed under "
                "{country}, which I took: check the country."
            ),
            text=header.not_a_country,
            index=index or "",
            country=from_index,
        )
        return CountryFound(from_index, "assumed", note)
    if from_index:
        note = Phrase(
            N_("The country was taken from the AI index {index}: {country}."),
            index=index or "",
            country=from_index,
        )
        return CountryFound(from_index, "assumed", note)
    if address_country:
        note = Phrase(
            N_("The country was taken from the target's address: {country}."),
            country=address_country,
        )
        return CountryFound(address_country, "assumed", note)
    if text_country := most_named_country(text):  # read only when nothing else says
        note = Phrase(
            N_("The country was taken from the text, which names it most: {country}."),
            country=text_country,
        )
        return CountryFound(text_country, "assumed", note)
    return CountryFound(None)
