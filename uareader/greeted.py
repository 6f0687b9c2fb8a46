"""Who a sample letter greets ("Dear Director Juan Pérez,", "Señor Raisi:"), and what that
says of the recipients read: the addressee of a document that names nobody else, a name
read as an office, a subject line read as a recipient.
"""

from __future__ import annotations

import re

from uareader.checks import name_problem
from uareader.contacts import ROLE, Contact

_GREETING = re.compile(
    r"(?i)^(?:dear|estimad[oa]s?|apreciad[oa]s?|distinguid[oa]s?|querid[oa]s?)\s+"
)
#: Words of a salutation that are a form of address, not part of anyone's name.
_FORMS_OF_ADDRESS = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "dr",
        "sir",
        "madam",
        "señor",
        "señora",
        "sr",
        "sra",
        "srta",
        "your",
        "his",
        "her",
        "excellency",
        "excelencia",
        "excelentísimo",
        "excelentísima",
        "excmo",
        "excma",
        "su",
        "honourable",
        "honorable",
        "hon",
        "general",
        "the",
        "de",
        "la",
        "del",
        "of",
        "y",
        "and",
    }
)


def _names_greeted(salutation: str) -> set[str]:
    """The words of a salutation that name a person: "Señor Raisi:" -> {"Raisi"}; none
    in "Dear Minister, or Dear Ambassador,"."""
    found = set()
    for word in _GREETING.sub("", salutation).split():
        word = word.strip(",:;.")
        if word.lower() in ("of", "for", "de", "del", "para"):
            break  # "Señora Fiscal de la Nación:": the rest names the office
        if (
            word[:1].isupper()
            and word.lower() not in _FORMS_OF_ADDRESS
            and not ROLE.fullmatch(word)
            and not _GREETING.match(word + " ")
        ):
            found.add(word)
    return found


def addressee(salutation: str) -> Contact | None:
    """Whom a letter opening "Dear Director Juan Pérez," writes to, for a document that
    names nobody else: marked assumed, with no address yet. None for "Dear Minister,"."""
    words = _GREETING.sub("", salutation).rstrip(",:; ").split()
    named = _names_greeted(salutation)
    name = " ".join(words)
    alternatives = {"or", "o", "u", "/"} & {word.lower() for word in words}
    if len(words) < 2 or not named or alternatives or name_problem(name) is not None:
        return None
    return Contact(name=name, marks={"name": "assumed"})


def named_as_greeted(found: Contact, salutation: str) -> Contact:
    """The recipient whose name the letter greets ("Señor Raisi:") on a line read as their
    office: "Presidente de la Magistratura" above "Head of the Judiciary Ebrahim Raisi"
    gives the office as the name until the letter says whom it writes to."""
    greeted = _names_greeted(salutation)
    if not greeted or not found.name or greeted & set(found.name.split()):
        return found
    if found.title and greeted & set(found.title.split()) and name_problem(found.title) is None:
        found.name, found.title = found.title, found.name
    return found


def without_subject_lines(targets: list[Contact], salutation: str) -> list[Contact]:
    """Without a bare name the letter does not greet when it greets another recipient:
    a layout that puts the person at risk as the subject line ("Nasrin Sotoudeh") between
    the official's address and "Dear Mr. Ebrahim Raisi,"."""
    greeted = _names_greeted(salutation)

    def is_greeted(found: Contact) -> bool:
        return bool(greeted & set(f"{found.name} {found.title or ''}".split()))

    if not greeted or not any(is_greeted(found) for found in targets):
        return targets
    return [
        found
        for found in targets
        if is_greeted(found) or found.address or found.email or found.social or found.title
    ]
