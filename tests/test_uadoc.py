"""Reading UA documents: the real seeds, our own fixtures, PDF and DOCX, and every refusal."""

from __future__ import annotations

import contextlib
import io
from datetime import date

import pytest
from docx import Document as DocxDocument
from fpdf import FPDF
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from tests.conftest import FIXTURES, SEEDS
from uareader.document import UADocumentError, UADraft, parse_document, parse_text

seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside the repo")


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


@seeds
def test_seventh_update_parses_to_exactly_its_fields() -> None:
    draft = parse_document("seventh.txt", (SEEDS / "ua-72-24-seventh-update.txt").read_bytes())
    assert draft.ua_number == "72/24"
    assert draft.update_ordinal == 7
    assert draft.language == "en"
    assert draft.index == "AMR 53/1059/2026"
    assert draft.country == "Venezuela"
    assert draft.issue_date == date(2026, 5, 27)
    assert draft.deadline == date(2026, 8, 30)
    assert draft.title == (
        "FEW RELEASES, HUNDREDS OF POLITICAL PRISONERS REMAIN DETAINED IN VENEZUELA"
    )
    assert draft.summary.startswith("On May 18, 2026, 16-year-old Samantha Hernández")
    assert draft.summary.endswith("guarantee adequate medical care.")
    [target] = draft.targets
    assert (target.name, target.title) == ("Larry Devoe", "Attorney General")
    assert target.address == [
        "Edificio Ministerio Público, PB, Av. Urdaneta, esquinas de Ánimas a Platanal",
        "Caracas, Venezuela",
    ]
    [cc] = draft.cc
    assert cc.organisation == (
        "Permanent Mission of Bolivarian Republic of Venezuela to the United Nations"
    )
    assert cc.name == "His Excellency Mr. Samuel R. Moncada Acosta"
    assert cc.address == ["335 East 46th Street", "New York, NY 10017"]
    assert draft.salutation == "Mr. Attorney General,"
    paragraphs = draft.letter.split("\n\n")
    assert paragraphs[0].startswith("I am writing to condemn")
    assert paragraphs[-1] == "Yours sincerely,"
    assert len(paragraphs) == 6
    assert draft.additional_info.startswith("The Venezuelan government’s long-standing policy")
    assert "PREFERRED LANGUAGE" not in draft.additional_info
    assert draft.preferred_language == "es"
    assert draft.name_pronoun == "Persons detained for political reasons (they, them, their)"
    assert draft.previous_link == (
        "https://www.amnestyusa.org/urgent-actions/venezuela-hundreds-still-arbitrarily-detained/"
    )
    assert draft.warnings == []


@seeds
def test_sixth_update_without_a_ua_line_reads_the_number_from_take_action() -> None:
    draft = parse_document("sixth.txt", (SEEDS / "ua-72-24-sixth-update.txt").read_bytes())
    assert (draft.ua_number, draft.update_ordinal) == ("72/24", 6)
    assert draft.deadline == date(2026, 7, 31)
    assert draft.title == "HUNDREDS STILL ARBITRARILY DETAINED"
    [target] = draft.targets
    assert target.name == "Delcy Rodriguez"
    assert target.title == "Acting President of the Republic"
    assert target.address == [
        "Palacio de Miraflores",
        "Av. Nte. 10, Caracas 1012",
        "Caracas, Venezuela",
    ]
    assert draft.cc[0].name == "His Excellency Mr. Samuel R. Moncada Acosta"
    assert draft.salutation == "Ms. Delcy Rodríguez,"
    assert draft.letter.startswith("I am deeply troubled")
    assert draft.index is None and draft.issue_date is None
    assert draft.country == "Venezuela"
    assert draft.additional_info.count("\n\n") >= 5  # its bullet list stays as paragraphs
    assert draft.previous_link.endswith("venezuela-all-arbitrary-detainees-must-be-released/")


def test_several_targets_email_and_social_handles() -> None:
    draft = parse_text(fixture_text("ua-en-two-targets.txt"))
    assert (draft.ua_number, draft.update_ordinal, draft.language) == ("45/26", 1, "en")
    assert [t.name for t in draft.targets] == ["Dr. Irene Solís", "Mr. Pablo Rivas"]
    assert draft.targets[0].email == "fiscalia@justicia.andes.example"
    assert draft.targets[1].social == "@MinInteriorAR"
    assert draft.targets[1].address == ["Plaza de Gobierno 3", "La Cumbre 04002, Andean Republic"]
    assert draft.cc[0].organisation == "Embassy of the Andean Republic"
    assert draft.country is None and draft.marks == {"country": "doubtful"}  # fictional
    assert "'Andean Republic' is not a country I know" in str(draft.warnings)
    assert draft.name_pronoun == "Tomás Quispe (he/him), Lucía Mamani (she/her)"


def test_spanish_document_parses_to_the_same_fields() -> None:
    english = parse_text(fixture_text("ua-en-two-targets.txt"))
    spanish = parse_text(fixture_text("ua-es-two-targets.txt"))
    assert spanish.language == "es"
    for field in ("ua_number", "update_ordinal", "index", "issue_date", "deadline"):
        assert getattr(spanish, field) == getattr(english, field), field
    assert spanish.preferred_language == "es"
    assert spanish.country is None and spanish.marks == {"country": "doubtful"}
    assert spanish.salutation == "Señora Fiscal General:"
    assert spanish.letter.endswith("Atentamente,")
    assert [t.title for t in spanish.targets] == ["Fiscal General", "Ministro del Interior"]
    assert len(spanish.warnings) == 1  # the fictional country, flagged


def test_older_layout_with_the_ua_line_first() -> None:
    draft = parse_text(fixture_text("ua-old-layout.txt"))
    assert (draft.ua_number, draft.update_ordinal) == ("123/19", 1)
    assert draft.index == "MDE 13/1234/2019"
    assert draft.country == "Iran" and draft.marks == {"country": "assumed"}  # MDE 13
    assert draft.issue_date == date(2019, 6, 3)
    assert draft.title == "STUDENT BLOGGER MISSING SINCE PROTEST"
    [target] = draft.targets
    assert (target.name, target.title) == ("Hon. Karim Daoud", "Minister of Interior")
    assert target.phone == "+999 11 222 333"
    assert "Salutation" not in " ".join(target.address)
    assert draft.preferred_language == "ar"


def test_second_update_and_its_ordinal() -> None:
    draft = parse_text(fixture_text("ua-en-second-update.txt"))
    assert (draft.ua_number, draft.update_ordinal) == ("45/26", 2)
    assert draft.deadline == date(2026, 9, 30)
    assert draft.cc == []


class _PagedPdf(FPDF):
    """A PDF with a running header and a "Page N of M" footer, as real UA PDFs have."""

    header_text = "Urgent Action network · test copy"
    header_gap = 0.0

    def header(self) -> None:
        self.set_font("helvetica", size=8)
        self.cell(0, 6, self.header_text, new_x="LMARGIN", new_y="NEXT")
        self.ln(self.header_gap)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("helvetica", size=8)
        self.cell(0, 6, f"Page {self.page_no()} of {{nb}}")


def _pdf(text: str) -> bytes:
    pdf = _PagedPdf()
    pdf.core_fonts_encoding = "windows-1252"
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    for paragraph in text.split("\n"):
        pdf.multi_cell(0, 5, paragraph or " ", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def spaced_pdf(text: str) -> bytes:
    """A UA as word processors lay it out: paragraphs apart by vertical space (no blank
    line of text between them), a running header and a page footer."""
    pdf = _PagedPdf()
    pdf.header_text, pdf.header_gap = "Amnesty International - Urgent Action", 4
    pdf.core_fonts_encoding = "windows-1252"
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    for line in text.split("\n"):
        if line.strip():
            pdf.multi_cell(0, 5, line.strip(), new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.ln(4)
    return bytes(pdf.output())


def _docx(text: str) -> bytes:
    document = DocxDocument()
    for paragraph in text.split("\n"):
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_pdf_with_broken_lines_headers_and_footers_parses_like_the_text() -> None:
    text = fixture_text("ua-en-two-targets.txt")
    content = _pdf(text)
    assert content.startswith(b"%PDF")
    from_text = parse_text(text)
    from_pdf = parse_document("ua.pdf", content)
    assert from_pdf.ua_number == from_text.ua_number
    assert from_pdf.deadline == from_text.deadline
    assert from_pdf.index == from_text.index
    assert [t.name for t in from_pdf.targets] == [t.name for t in from_text.targets]
    assert from_pdf.summary == from_text.summary  # multi_cell broke it into several lines
    assert from_pdf.letter == from_text.letter
    assert "Page 1" not in from_pdf.additional_info
    assert "test copy" not in from_pdf.letter + from_pdf.summary + from_pdf.additional_info


@seeds
def test_seed_as_pdf_keeps_its_fields() -> None:
    text = (SEEDS / "ua-72-24-seventh-update.txt").read_text(encoding="utf-8")
    from_pdf = parse_document("seventh.pdf", _pdf(text))
    from_text = parse_text(text)
    assert (from_pdf.ua_number, from_pdf.update_ordinal, from_pdf.deadline) == (
        "72/24",
        7,
        date(2026, 8, 30),
    )
    assert from_pdf.targets[0].address == from_text.targets[0].address
    assert from_pdf.letter == from_text.letter


@seeds
@pytest.mark.parametrize("seed", ["ua-72-24-sixth-update.txt", "ua-72-24-seventh-update.txt"])
def test_seed_as_a_spaced_pdf_keeps_every_field(seed: str) -> None:
    text = (SEEDS / seed).read_text(encoding="utf-8")
    from_text = parse_text(text)
    content = spaced_pdf(text)
    assert len(PdfReader(io.BytesIO(content)).pages) >= 2  # the running header repeats
    from_pdf = parse_document(seed.replace(".txt", ".pdf"), content)
    for name in ("ua_number", "update_ordinal", "deadline", "index", "country", "title"):
        assert getattr(from_pdf, name) == getattr(from_text, name), name
    assert from_pdf.targets == from_text.targets and from_pdf.targets
    assert from_pdf.cc == from_text.cc and from_pdf.cc
    assert (from_pdf.salutation, from_pdf.letter) == (from_text.salutation, from_text.letter)
    assert from_pdf.summary == from_text.summary
    assert from_pdf.additional_info == from_text.additional_info
    assert from_pdf.preferred_language == "es" and from_pdf.warnings == from_text.warnings


def test_words_hyphenated_at_a_line_end_are_joined() -> None:
    draft = parse_text(
        "URGENT ACTION\nA CASE\nThe activist was held incommu-\nnicado for two weeks in a mili-\n"
        "tary base.\n\nUNTIL: 1 August 2026\n"
    )
    assert draft.summary == "The activist was held incommunicado for two weeks in a military base."


def test_docx_parses_like_the_text() -> None:
    text = fixture_text("ua-es-two-targets.txt")
    from_docx = parse_document("ua.docx", _docx(text))
    assert from_docx == parse_text(text)


def test_messy_extraction_nbsp_tabs_bullets_crlf() -> None:
    text = fixture_text("ua-en-two-targets.txt")
    messy = (
        text.replace("\n", "\r\n")
        .replace("UA: 45/26", "UA:\u00a045/26")
        .replace("Index:", "\tIndex:")
        .replace("Dr. Irene Solís", "• Dr.\u00a0Irene Solís")
    )
    assert parse_text(messy) == parse_text(text)


def test_not_a_ua_is_refused_saying_what_was_looked_for() -> None:
    with pytest.raises(UADocumentError) as refused:
        parse_text(fixture_text("not-a-ua.txt"))
    assert "URGENT ACTION" in str(refused.value) and "UA: 72/24" in str(refused.value)


def test_a_missing_ua_number_is_named_not_refused() -> None:
    text = (
        fixture_text("ua-en-two-targets.txt")
        .replace("UA: 45/26", "Ref 45")
        .replace("UA 45.26", "it")
    )
    draft = parse_text(text)
    assert draft.ua_number is None and draft.missing == ["ua_number"]
    assert draft.index == "AMR 99/4521/2026" and len(draft.targets) == 2


def test_a_missing_deadline_is_named_not_refused() -> None:
    text = fixture_text("ua-en-two-targets.txt").replace(
        "PLEASE TAKE ACTION AS SOON AS POSSIBLE UNTIL: July 15, 2026", ""
    )
    draft = parse_text(text)
    assert draft.deadline is None and draft.missing == ["deadline"]
    assert draft.to_json()["missing"] == ["deadline"]


def test_an_unreadable_deadline_is_a_warning_quoting_it() -> None:
    text = fixture_text("ua-en-two-targets.txt").replace("July 15, 2026", "mid July")
    draft = parse_text(text)
    assert draft.deadline is None
    assert any("'mid July'" in warning for warning in map(str, draft.warnings))


def test_a_draft_survives_its_json() -> None:
    draft = parse_text(fixture_text("ua-en-two-targets.txt"))
    assert UADraft.from_json(draft.to_json()) == draft


def test_missing_letter_and_targets_are_warnings_not_errors() -> None:
    text = "URGENT ACTION\nA CASE\nSomeone is at risk.\n\nUA: 9/26\n\nUNTIL: 1 August 2026\n"
    draft = parse_text(text)
    assert draft.targets == [] and draft.letter == ""
    assert any("target" in warning for warning in map(str, draft.warnings))
    assert any("letter" in warning for warning in map(str, draft.warnings))


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("broken.pdf", b"%PDF-1.4 this is not really a pdf"),
        ("broken.docx", b"PK\x03\x04 not a zip"),
        ("binary.txt", b"\x00\x01\x02"),
        ("empty.txt", b""),
    ],
)
def test_broken_files_raise_only_the_parser_error(name: str, content: bytes) -> None:
    with pytest.raises(UADocumentError):
        parse_document(name, content)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_any_text_parses_or_raises_the_parser_error(text: str) -> None:
    with contextlib.suppress(UADocumentError):
        parse_text(text)


_UA_WORDS = st.sampled_from(
    [
        "URGENT ACTION",
        "ACCIÓN URGENTE",
        "TAKE ACTION:",
        "UA: 12/26 Index: AMR 01/1234/2026 X Date: 1 May 2026",
        "Seventh UA: 72/24",
        "AU 3.25",
        "Send a copy of your letter to",
        "CC: Embassy",
        "Dear Minister,",
        "Yours sincerely,",
        "ADDITIONAL INFORMATION",
        "PREFERRED LANGUAGE TO ADDRESS TARGET: Spanish",
        "PLEASE TAKE ACTION AS SOON AS POSSIBLE UNTIL: August 30, 2026",
        "UNTIL: 31 February 2026",
        "HASTA EL: 30 de agosto de 2026",
        "NAME AND PREFERRED PRONOUN:",
        "LINK TO PREVIOUS UA:",
        "",
        "•",
        "\u00a0\t",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_UA_WORDS, st.text(max_size=40)), max_size=40))
def test_shuffled_ua_pieces_parse_or_raise_the_parser_error(lines: list[str]) -> None:
    with contextlib.suppress(UADocumentError):
        parse_text("\n".join(lines))


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2000), st.sampled_from(["a.pdf", "a.docx", "a.txt", "a"]))
def test_any_bytes_parse_or_raise_the_parser_error(content: bytes, name: str) -> None:
    with contextlib.suppress(UADocumentError):
        parse_document(name, content)


def test_notepad_unicode_text_reads_like_utf8() -> None:
    text = fixture_text("ua-es-two-targets.txt")
    assert parse_document("au.txt", text.encode("utf-16")) == parse_text(text)


def test_a_refusal_names_the_file_once() -> None:
    with pytest.raises(UADocumentError) as refused:
        parse_document("minutes.txt", fixture_text("not-a-ua.txt").encode())
    assert str(refused.value).startswith("minutes.txt: This does not look like")
    assert str(refused.value).count("minutes.txt") == 1
