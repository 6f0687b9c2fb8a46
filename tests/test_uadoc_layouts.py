"""Every layout family organisers receive, read to the fields a person would read from it.

Each ``tests/fixtures/layouts/<name>.txt`` imitates one family (written for these tests,
with invented people) and ``<name>.expected.json`` holds the fields it states: the UA
number as written, the update's place in its series, the dates, the AI index, the country,
who to write to and the copy, the salutation and how the letter starts."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import FIXTURES
from uareader.document import Contact, UADraft, parse_text

LAYOUTS = FIXTURES / "layouts"
NAMES = sorted(path.name.removesuffix(".expected.json") for path in LAYOUTS.glob("*.json"))


def _contact_names(contacts: list[Contact], expected: list[str]) -> list[str]:
    """A copy is named by its person or, where the layout gives only that, its office."""
    names = []
    for contact, wanted in zip(contacts, expected + [""] * len(contacts), strict=False):
        names.append(wanted if wanted in (contact.name, contact.organisation) else contact.name)
    return names


def read_fields(draft: UADraft, expected: dict[str, Any]) -> dict[str, Any]:
    found = draft.to_json()
    found["targets"] = [contact.name for contact in draft.targets]
    found["cc"] = _contact_names(draft.cc, expected.get("cc", []))
    found["letter_starts"] = draft.letter[:40].rstrip()
    return {key: found.get(key) for key in expected}


def test_there_is_a_fixture_for_every_family() -> None:
    assert len(NAMES) >= 17
    families = {
        "current-template",
        "usa-web",
        "uk-web",
        "es-section",
        "es-2015",
        "en-2012",
        "further-info",
        "1992-extra",
        "closing-notice",
        "long-lines",
        "sentence-per-line",
    }
    assert all(any(family in name for name in NAMES) for family in families)


@pytest.mark.parametrize("name", NAMES)
def test_a_layout_reads_to_its_fields(name: str) -> None:
    expected = json.loads((LAYOUTS / f"{name}.expected.json").read_text(encoding="utf-8"))
    draft = parse_text((LAYOUTS / f"{name}.txt").read_text(encoding="utf-8"))
    assert read_fields(draft, expected) == expected


@pytest.mark.parametrize("name", ["en-further-info-2016", "en-further-info-2007"])
def test_an_unnumbered_further_information_leaves_the_update_to_the_organiser(name: str) -> None:
    draft = parse_text((LAYOUTS / f"{name}.txt").read_text(encoding="utf-8"))
    assert draft.ua_number is not None and draft.update_ordinal is None


def test_a_page_without_a_ua_number_is_read_and_says_what_is_missing() -> None:
    draft = parse_text((LAYOUTS / "es-no-number.txt").read_text(encoding="utf-8"))
    assert draft.ua_number is None and draft.missing == ["ua_number"]
    assert draft.language == "es" and draft.targets and draft.letter


@pytest.mark.parametrize(
    ("line", "number", "ordinal"),
    [
        ("Seventh UA: 72/24 Index: AMR 53/1059/2026 Venezuela Date: 27 May 2026", "72/24", 7),
        ("UA 72.24", "72/24", 1),
        ("Primera AU 047/24: 047/24 | Índice: AMR 41/8075/2024 | Fecha: | México", "047/24", 1),
        ("Sexta AU: 103/22", "103/22", 6),
        ("AU: 079/11 Índice: MDE 13/1758/2011 Irán Fecha: 29 de mayo de 2011", "079/11", 1),
        ("Second UA: 31/25 Index: ASA 17/1234/2025", "31/25", 2),
        ("Further information on UA 98/16, update no. 1", "98/16", 2),
        ("Actualización núm. 1 de la AU: 112/20", "112/20", 2),
        ("Further information on UA 28/91: third update", "28/91", 4),
        ("Further information on UA: 98/16 Index: ASA 33/1/2016", "98/16", None),
        ("EXTRA 19/92 Death Penalty 20 February 1992", "19/92", 1),
    ],
)
def test_numbers_keep_their_zeros_and_ordinals_count_the_documents(
    line: str, number: str, ordinal: int | None
) -> None:
    draft = parse_text(f"{line}\n\nSomeone is at risk.\n")
    assert (draft.ua_number, draft.update_ordinal) == (number, ordinal)


@pytest.mark.parametrize(
    ("sentence", "deadline"),
    [
        ("PLEASE TAKE ACTION AS SOON AS POSSIBLE UNTIL: August 30, 2026", "2026-08-30"),
        ("This Urgent Action expires on September 28, 2021.", "2021-09-28"),
        ("PLEASE SEND APPEALS BEFORE 11 SEPTEMBER 2019 TO:", "2019-09-11"),
        ("ENVÍEN LLAMAMIENTOS ANTES DEL 10 DE JULIO DE 2015 A:", "2015-07-10"),
        (
            "PLEASE SEND APPEALS IMMEDIATELY. Check with the International Secretariat, or "
            "your section office, if sending appeals after 2 April 1992.",
            "1992-04-02",
        ),
        ("ACTÚA LO ANTES POSIBLE Y NO MÁS TARDE DEL: 30 de agosto de 2026", "2026-08-30"),
    ],
)
def test_deadlines_in_every_wording(sentence: str, deadline: str) -> None:
    draft = parse_text(
        f"URGENT ACTION\nA CASE\nSomeone was arrested on 3 May 2019.\n\n{sentence}\n"
    )
    assert draft.to_json()["deadline"] == deadline


def test_an_arrest_date_is_no_deadline() -> None:
    draft = parse_text("URGENT ACTION\nA CASE\nShe was arrested before 3 May 2019 in Lima.\n")
    assert draft.deadline is None


@pytest.mark.parametrize(
    "sentence",
    [
        "ACTÚEN LO ANTES POSIBLE, ANTES DEL: 25 de enero de 2027",
        "Hasta el: 25 de enero de 2027",
        "UNTIL: 2027-01-25",
    ],
)
def test_labelled_deadlines_read_whatever_the_words_around_them(sentence: str) -> None:
    draft = parse_text(f"ACCIÓN URGENTE\nUN CASO\nAlguien corre peligro.\n\n{sentence}\n")
    assert draft.to_json()["deadline"] == "2027-01-25"


def test_a_spanish_action_heading_and_a_closing_deadline_keep_the_addresses() -> None:
    text = (
        "ACCIÓN URGENTE\nDEFENSORA AMENAZADA\nUna defensora recibe amenazas de muerte.\n\n"
        "ACTÚEN:\nEscriban a las autoridades con sus propias palabras.\n\n"
        "AU: 88/26 Índice: AMR 99/1/2026 Corvania Fecha: 2 de noviembre de 2026\n"
        "Sra. Beatriz Olmedo\nFiscal General\nAvenida Central 1\nCiudad de Corvania\n\n"
        "Envía una copia a:\nEmbajada de Corvania\nCalle Mayor 3\nMadrid\n\n"
        "Señora Fiscal General:\n"
        "Le escribo para pedirle que proteja a la defensora y que investigue las amenazas.\n"
        "Atentamente,\n\n"
        "ACTÚA LO ANTES POSIBLE Y NO MÁS TARDE DEL: 25 de enero de 2027\n"
    )
    draft = parse_text(text)
    assert [t.name for t in draft.targets] == ["Sra. Beatriz Olmedo"]
    assert draft.cc[0].organisation == "Embajada de Corvania"
    assert draft.summary == "Una defensora recibe amenazas de muerte."
    assert draft.to_json()["deadline"] == "2027-01-25"


def test_a_dateline_is_the_issue_date_not_an_address() -> None:
    text = (
        "ACCIÓN URGENTE\nDEFENSORA AMENAZADA\nUna defensora recibe amenazas de muerte.\n\n"
        "ESCRIBE A:\nCorvania, 10 de noviembre de 2026\nSra. Beatriz Olmedo\nFiscal General\n"
        "Avenida Central 1\n\nHASTA EL: 25 de enero de 2027\n"
    )
    draft = parse_text(text)
    assert draft.to_json()["issue_date"] == "2026-11-10"
    assert [t.name for t in draft.targets] == ["Sra. Beatriz Olmedo"]


@pytest.mark.parametrize("line", ["UA ٨٨/٢٦", "UA 0/26"])
def test_numbers_that_are_no_ua_number_are_not_taken(line: str) -> None:
    draft = parse_text(f"URGENT ACTION\nA CASE\n{line}\nSomeone is at risk.\n")
    assert draft.ua_number is None


def test_a_review_form_s_recipient_after_the_letter_is_read_whole() -> None:
    """The 2017 review form gives who to write to after "Yours sincerely," under its own
    heading, with two email addresses on one line: both are kept, never the first alone."""
    draft = parse_text((LAYOUTS / "en-2017-review-form.txt").read_text(encoding="utf-8"))
    [target] = draft.targets
    assert target.title == "Undersecretary for Human Rights"
    assert target.address[-1] == "Ciudad de México, CP 06600, Mexico"
    assert target.email == "subsecretaria.ddhh@example.gob.mx, atencion.ddhh@example.gob.mx"
    assert draft.summary.startswith("Radio journalist") and "SUMMARY" not in draft.summary
    assert "Yours sincerely" in draft.letter and "CONTACT DETAILS" not in draft.letter


def test_an_e_mail_copy_s_country_and_people_line_is_nobody_to_write_to() -> None:
    """ "GUATEMALA Community of San Rafael" under the number names the people at risk; with
    no section saying whom to write to, nothing is offered as a recipient."""
    draft = parse_text((LAYOUTS / "en-usa-email-2010.txt").read_text(encoding="utf-8"))
    assert draft.targets == []
    assert any("No target found" in warning.template for warning in draft.warnings)
