"""Turn an uploaded document (plain text, PDF text layer, DOCX) into plain text lines.

UA documents arrive as whatever the organiser has. This module only gets the words out and
removes what PDF pages add (repeated headers and footers, page numbers); the UA structure
is read by ``uareader.document``.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from pathlib import PurePath
from typing import Any

from uareader.phrases import N_, Phrase

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
#: A UA is a few pages; a document of more is not one, and reading it costs seconds.
MAX_PDF_PAGES = 60
#: The XML inside a .docx, unpacked: a UA's is well under 1 MB; a zip bomb's is gigabytes.
MAX_DOCX_XML_BYTES = 20 * 1024 * 1024
#: Text read from a file, before the reader's own cap on a UA's length.
MAX_EXTRACTED_CHARACTERS = 400_000
_PAGE_NUMBER = re.compile(
    r"^\s*(?:page|página|pág\.?)?\s*\d{1,3}(?:\s*(?:of|/|de)\s*\d{1,3})?\s*$", re.I
)


_UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")


class DocumentReadError(Exception):
    """The bytes cannot be read as a document of the kind its name or content says."""

    def __init__(self, phrase: Phrase) -> None:
        super().__init__(str(phrase))
        self.phrase = phrase


def too_large(size: int) -> Phrase:
    """Why a file of ``size`` bytes is not read."""
    return Phrase(
        N_(
            "the file is {size} KB; UA documents are far smaller than {limit} MB, "
            "so send the UA alone"
        ),
        size=f"{size // 1024:,}",
        limit=MAX_DOCUMENT_BYTES // (1024 * 1024),
    )


def too_complex() -> Phrase:
    """Why a file that would take too long or too much memory to read is not read."""
    return Phrase(
        N_(
            "this file is too large or too complex to be a UA document: send the UA alone, "
            "as text, a short PDF or a .docx"
        )
    )


def document_kind(filename: str, content: bytes) -> str:
    """``pdf``, ``docx`` or ``text``: the content's signature wins over the file's name, so
    a text saved as ``ua.docx`` still reads; unknown bytes go by the name's suffix."""
    if content.startswith(b"%PDF"):
        return "pdf"
    if content.startswith(_UTF16_MARKS):  # Windows Notepad's "Unicode" text
        return "text"
    if content.startswith(b"PK\x03\x04"):
        return "docx"
    if b"\x00" not in content:
        try:
            content.decode("utf-8")
            return "text"
        except UnicodeDecodeError:
            pass
    suffix = PurePath(filename).suffix.lower()
    return {".pdf": "pdf", ".docx": "docx"}.get(suffix, "text")


def extract_text(filename: str, content: bytes) -> str:
    """The document's text, one line per line or paragraph, in reading order."""
    if len(content) > MAX_DOCUMENT_BYTES:
        raise DocumentReadError(too_large(len(content)))
    kind = document_kind(filename, content)
    if kind == "pdf":
        return _pdf_text(content)
    if kind == "docx":
        return _docx_text(content)
    return _plain_text(content)


def _plain_text(content: bytes) -> str:
    if content.startswith(_UTF16_MARKS):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            raise DocumentReadError(Phrase(N_("this text file cannot be read"))) from None
    if b"\x00" in content:
        raise DocumentReadError(
            Phrase(N_("this is a binary file, not text: send a .txt, .pdf or .docx"))
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return content.decode("latin-1")


def _pdf_text(content: bytes) -> str:
    # Imported here: pypdf and python-docx are needed only when an organiser sends such a
    # file, and loading them at start would cost every bot process their memory.
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted:
            raise DocumentReadError(
                Phrase(N_("the PDF is password-protected: send an unprotected copy"))
            )
        if len(reader.pages) > MAX_PDF_PAGES:
            raise DocumentReadError(too_complex())
        pages: list[str] = []
        extracted = 0
        for page in reader.pages:
            pages.append(_page_text(page))
            extracted += len(pages[-1])
            if extracted > MAX_EXTRACTED_CHARACTERS:
                raise DocumentReadError(too_complex())
    except DocumentReadError:
        raise
    except (
        PyPdfError,
        RecursionError,
        ArithmeticError,
        NotImplementedError,
        ValueError,
        LookupError,
        TypeError,
        AttributeError,
        OSError,
    ) as error:  # pypdf's own errors and what a malformed file makes it raise
        raise DocumentReadError(
            Phrase(N_("this PDF cannot be read ({kind})"), kind=type(error).__name__)
        ) from None
    if not any(page.strip() for page in pages):
        raise DocumentReadError(
            Phrase(
                N_(
                    "this PDF has no text layer (a scan?): send the UA as text, .docx or a "
                    "PDF exported from a word processor"
                )
            )
        )
    return "\n".join(_without_page_furniture(pages))


def _page_text(page: Any) -> str:
    """A page's text in reading order with its paragraphs apart.

    pypdf's layout mode places text by its position, so the vertical space between
    paragraphs (how word processors and fpdf2 separate them) comes out as blank lines,
    which the UA reader needs to tell one address from the next; plain mode joins
    everything. Measured on a UA PDF (benchmarks/bench_parse.py): layout mode 13 ms a
    document and every field right, pdfminer.six 70 ms with a header line split from its
    date. Plain mode remains for the odd page layout mode cannot read."""
    try:
        return page.extract_text(extraction_mode="layout", layout_mode_space_vertically=True) or ""
    except Exception:  # layout mode's own errors on unusual fonts; plain mode still reads
        return page.extract_text() or ""


def _without_page_furniture(pages: list[str]) -> list[str]:
    """Drop page numbers and lines repeated at the top or bottom of most pages, and the
    space around them, so a paragraph that runs on to the next page stays one paragraph."""
    split_pages = [[" ".join(line.split()) for line in page.splitlines()] for page in pages]
    edges: Counter[str] = Counter()
    for lines in split_pages:
        stripped = [line for line in lines if line]
        edges.update(set(stripped[:2] + stripped[-2:]))
    repeated = {line for line, count in edges.items() if len(pages) > 1 and count > 1}
    kept: list[str] = []
    for lines in split_pages:
        body = [line for line in lines if line not in repeated and not _PAGE_NUMBER.match(line)]
        while body and not body[0]:
            body.pop(0)
        while body and not body[-1]:
            body.pop()
        kept.extend(body)
    return kept


def _docx_text(content: bytes) -> str:
    from docx import Document as open_docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    _check_unpacked_size(content)
    try:
        document = open_docx(io.BytesIO(content))
        lines: list[str] = []
        extracted = 0  # kept as lines come: a .docx of a million empty paragraphs is cheap
        for child in document.element.body.iterchildren():
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "p":
                found = [Paragraph(child, document).text]
            elif tag == "tbl":
                found = [
                    paragraph.text
                    for row in Table(child, document).rows
                    for cell in row.cells
                    for paragraph in cell.paragraphs
                ]
            else:
                continue
            lines.extend(found)
            extracted += sum(map(len, found))
            if extracted > MAX_EXTRACTED_CHARACTERS:
                raise DocumentReadError(too_complex())
    except DocumentReadError:
        raise
    except Exception as error:  # zipfile's, lxml's and python-docx's own errors, any kind
        raise DocumentReadError(
            Phrase(N_("this .docx cannot be read ({kind})"), kind=type(error).__name__)
        ) from None
    return "\n".join(lines)


def _check_unpacked_size(content: bytes) -> None:
    """Refuse a .docx whose XML unpacks to more than a UA could hold (a zip bomb), from
    the sizes its zip directory declares, before anything is unpacked."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # python-docx says what is wrong with it
    if unpacked > MAX_DOCX_XML_BYTES:
        raise DocumentReadError(too_complex())
