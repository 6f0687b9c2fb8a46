"""Documents read in a process of their own: crafted files cost a bounded time and memory,
and every library error becomes the reader's own, said in the organiser's language."""

from __future__ import annotations

import asyncio
import io
import multiprocessing.spawn
import time
import zipfile

import pytest
from fpdf import FPDF

from tests.conftest import ADMIN_ID, fixture_bytes
from tests.test_uadoc import _docx
from uareader.document import UADocumentError
from uareader.isolated import DocumentReader

TOO_COMPLEX = "too large or too complex to be a UA document"


def _zip_bomb_docx() -> bytes:
    """A real .docx whose document.xml unpacks to 30 MB of spaces (a few KB packed)."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(_docx("URGENT ACTION\nUA: 1/26"))) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb,
    ):
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "word/document.xml":
                data = data.replace(b"<w:body>", b"<w:body>" + b" " * 30_000_000)
            bomb.writestr(item, data)
    return buffer.getvalue()


def _long_pdf(pages: int) -> bytes:
    pdf = FPDF()
    pdf.set_font("helvetica", size=11)
    for number in range(pages):
        pdf.add_page()
        pdf.cell(0, 10, f"URGENT ACTION page {number}")
    return bytes(pdf.output())


def _docx_without_body() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_docx("x"))) as source, zipfile.ZipFile(buffer, "w") as out:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "word/document.xml":
                data = data.split(b"<w:body>")[0] + b"</w:document>"
            out.writestr(item, data)
    return buffer.getvalue()


async def test_a_document_is_read_in_its_own_process() -> None:
    draft = await DocumentReader().read("ua.txt", fixture_bytes("ua-en-two-targets.txt"))
    assert draft.ua_number == "45/26" and len(draft.targets) == 2


@pytest.mark.parametrize(
    ("name", "content"),
    [("bomb.docx", _zip_bomb_docx()), ("long.pdf", _long_pdf(61))],
    # Named, not shown: the bytes carry the time they were made (the ZIP's entries, the
    # PDF's CreationDate), and two workers that collected a second apart refused the run.
    ids=["bomb.docx", "long.pdf"],
)
async def test_a_crafted_file_is_refused_quickly(name: str, content: bytes) -> None:
    started = time.monotonic()
    with pytest.raises(UADocumentError, match=TOO_COMPLEX):
        await DocumentReader().read(name, content)
    assert time.monotonic() - started < 15  # generous: the machine is shared; typical 0.5 s


async def test_a_reading_over_its_time_is_stopped() -> None:
    with pytest.raises(UADocumentError, match=TOO_COMPLEX):
        await DocumentReader(seconds=0.01).read("ua.txt", fixture_bytes("ua-en-two-targets.txt"))


async def test_a_child_that_dies_before_it_takes_the_document_holds_nothing_up(
    monkeypatch, tmp_path
) -> None:
    """A reading child that dies as it starts (here: the folder it is told to start in is
    gone) is a refusal, at once. Before, a document over 64 KB went with the child's start,
    whose write waited forever for a reader that was dead: one stuck upload, then every
    later one waiting behind it."""
    real = multiprocessing.spawn.get_preparation_data

    def in_a_missing_folder(name: str) -> dict:
        return {**real(name), "dir": str(tmp_path / "gone")}

    large = fixture_bytes("ua-en-two-targets.txt") + b"\n" * 100_000  # over a pipe's 64 KB
    with monkeypatch.context() as patched:
        patched.setattr(multiprocessing.spawn, "get_preparation_data", in_a_missing_folder)
        with pytest.raises(UADocumentError, match=TOO_COMPLEX):
            await asyncio.wait_for(DocumentReader().read("ua.txt", large), 60)
    draft = await DocumentReader().read("ua.txt", large)  # the next one is read as ever
    assert draft.ua_number == "45/26"


async def test_a_library_error_becomes_the_reader_s_own() -> None:
    with pytest.raises(UADocumentError, match=r"this \.docx cannot be read"):
        await DocumentReader().read("nobody.docx", _docx_without_body())


async def test_the_organiser_is_told_in_their_language(app, chat) -> None:
    app.documents = DocumentReader()
    organiser = chat(ADMIN_ID, "es")
    await organiser.upload("bomba.docx", _zip_bomb_docx())
    assert "bomba.docx: este archivo es demasiado grande o complejo" in organiser.text
