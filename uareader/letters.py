"""The sample letter as files a supporter can print or paste: plain text and .docx.

The optional signature is used for these bytes only and never stored or logged.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Letter:
    """What goes on the page, already in the letter's language."""

    recipients: list[dict[str, Any]]
    salutation: str
    body: str
    signature: str = ""
    copies: list[dict[str, Any]] = field(default_factory=list)
    copy_label: str = "cc:"


def _address_block(contact: dict[str, Any]) -> list[str]:
    lines = [contact.get("name"), contact.get("title"), contact.get("organisation")]
    return [line for line in lines if line] + list(contact.get("address") or [])


def _copy_line(letter: Letter) -> str:
    names = [contact.get("organisation") or contact.get("name") or "" for contact in letter.copies]
    return f"{letter.copy_label} " + "; ".join(name for name in names if name) if names else ""


def letter_as_text(letter: Letter) -> str:
    parts = ["\n".join(_address_block(contact)) for contact in letter.recipients]
    parts += [letter.salutation, letter.body]
    if letter.signature:
        parts.append(letter.signature)
    if letter.copies:
        parts.append(_copy_line(letter))
    return "\n\n".join(part for part in parts if part).strip() + "\n"


def letter_as_docx(letter: Letter) -> bytes:
    """A printable letter: the address block at the top, then the letter, then the copy line."""
    from docx import Document  # only when someone asks for the file (see uareader/extract.py)
    from docx.shared import Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.size = Pt(11)
    for contact in letter.recipients:
        block = document.add_paragraph()
        for number, line in enumerate(_address_block(contact)):
            run = block.add_run(line)
            if number < len(_address_block(contact)) - 1:
                run.add_break()
    if letter.salutation:
        document.add_paragraph(letter.salutation)
    for paragraph in letter.body.split("\n\n"):
        document.add_paragraph(paragraph)
    if letter.signature:
        document.add_paragraph(letter.signature)
    if letter.copies:
        document.add_paragraph(_copy_line(letter))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
