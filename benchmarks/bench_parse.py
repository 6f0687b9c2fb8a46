"""How fast and how well UA documents are read (targets: text < 20 ms, PDF < 200 ms).

Five tables from one run:
1. the seeds as text, as a PDF laid out like a word processor's (paragraphs apart by
   vertical space, a running header, a page footer) and as DOCX: median milliseconds;
2. every layout family's fixture as text: milliseconds and fields read right;
3. the PDF extractors we could use, on the same PDFs: milliseconds to get the text and
   whether the UA read from it has the same targets, copy, letter and background as the
   text (pdfminer.six, which the test install brings);
4. hostile inputs of 200,000 characters, the most a document may hold: milliseconds;
5. hostile recipients pastes, read in the bot's own process: milliseconds (budget 100).

.venv/bin/python -m benchmarks.bench_parse
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
from collections.abc import Callable
from functools import partial
from pathlib import Path

from benchmarks.common import median_seconds, table
from tests.test_uadoc import _docx, spaced_pdf
from tests.test_uadoc_layouts import LAYOUTS, NAMES, read_fields
from uareader.contacts import read_contacts
from uareader.document import UADocumentError, parse_document, parse_text
from uareader.extract import _without_page_furniture

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"


def _documents() -> list[Path]:
    return sorted(SEEDS.glob("*.txt")) or sorted((ROOT / "tests" / "fixtures").glob("ua-*.txt"))


def formats(scale: float = 1) -> str:
    rows = [("document", "text ms", "pdf ms", "docx ms", "pdf/text")]
    for path in _documents():
        text = path.read_text(encoding="utf-8")
        as_text, as_pdf, as_docx = text.encode(), spaced_pdf(text), _docx(text)
        t = median_seconds(partial(parse_document, "a.txt", as_text), times(50, scale)) * 1000
        p = median_seconds(partial(parse_document, "a.pdf", as_pdf), times(15, scale)) * 1000
        d = median_seconds(partial(parse_document, "a.docx", as_docx), times(15, scale)) * 1000
        rows.append((path.name, f"{t:.2f}", f"{p:.1f}", f"{d:.1f}", f"{p / t:.0f}x"))
    return table(rows)


def layouts(scale: float = 1) -> str:
    rows = [("layout", "text ms", "fields right")]
    right = total = 0
    for name in NAMES:
        text = (LAYOUTS / f"{name}.txt").read_text(encoding="utf-8")
        expected = json.loads((LAYOUTS / f"{name}.expected.json").read_text(encoding="utf-8"))
        found = read_fields(parse_text(text), expected)
        good = sum(found[key] == value for key, value in expected.items())
        right, total = right + good, total + len(expected)
        ms = median_seconds(partial(parse_text, text), times(30, scale)) * 1000
        rows.append((name, f"{ms:.2f}", f"{good}/{len(expected)}"))
    rows.append(("all", "", f"{right}/{total} = {right / total:.1%}"))
    return table(rows)


def _pypdf(mode: str) -> Callable[[bytes], str]:
    def extract(content: bytes) -> str:
        from pypdf import PdfReader

        pages = [
            page.extract_text(extraction_mode=mode) for page in PdfReader(io.BytesIO(content)).pages
        ]
        return "\n".join(_without_page_furniture(pages))

    return extract


def _pdfminer(content: bytes) -> str:
    from pdfminer.high_level import extract_text

    pages = extract_text(io.BytesIO(content)).split("\f")
    return "\n".join(_without_page_furniture(pages))


def extractors(scale: float = 1) -> str:
    candidates: dict[str, Callable[[bytes], str]] = {
        "pypdf plain": _pypdf("plain"),
        "pypdf layout (used)": _pypdf("layout"),
    }
    try:
        import pdfminer  # noqa: F401

        candidates["pdfminer.six"] = _pdfminer
    except ImportError:
        pass
    rows = [("extractor", "document", "ms", "same parts as the text")]
    for path in _documents():
        text = path.read_text(encoding="utf-8")
        content, from_text = spaced_pdf(text), parse_text(text)
        for label, extract in candidates.items():
            ms = median_seconds(partial(extract, content), times(10, scale)) * 1000
            draft = parse_text(extract(content))
            same = [
                part
                for part in ("targets", "cc", "letter", "additional_info")
                if getattr(draft, part) == getattr(from_text, part)
            ]
            rows.append((label, path.name, f"{ms:.1f}", ", ".join(same) or "none"))
    return table(rows)


#: What a hostile stranger could paste: 200,000 characters (the most a document may hold)
#: built to make a reader's searches go quadratic.
HOSTILE = {
    "10,000 'until <date>' on one line": "please write until 1 May 2026 " * 7000,
    "a dated appeal on every line": "please act until 1 May 2026\n" * 7000,
    "40,000 hyphenated line ends": "URGENT ACTION\n" + "abc-\n" * 40000,
    "a salutation then blank lines": "Dear Sir,\n" + "\n" * 190000,
    "one line of country-like words": "UA: 1/26 Index: AMR 11/1/2026 " + "Venezuelan " * 17000,
    "16,000 contacts": "URGENT ACTION\nAPPEALS TO:\n" + "Mr. A\nB\nC\n" * 16000,
    # A /newua paste of 48 Telegram parts, each all UA numbers: 36.7 s before the header
    # check ran once a line rather than once a number.
    "48 pasted parts of UA numbers": "\n".join([("UA 1/11 " * 600)[:4096]] * 48),
    "48 pasted parts of EXTRA numbers": "\n".join([("EXTRA 1/11 " * 400)[:4096]] * 48),
    "48 pasted parts of ordinal UAs": "\n".join([("Seventh UA: 1/11 " * 300)[:4096]] * 48),
}


def hostile(scale: float = 1) -> str:
    rows = [("input (200,000 characters at most)", "ms")]
    for label, text in HOSTILE.items():
        ms = median_seconds(partial(_parse_or_refuse, text[:199_999]), times(3, scale)) * 1000
        rows.append((label, f"{ms:.0f}"))
    return table(rows)


#: What an organiser could type into "Who to write to" (one Telegram message, 4,096
#: characters at most), built to make the contact reader slow. It runs in the bot's
#: process, so its time is what everyone else waits: the budget is 100 ms.
HOSTILE_CONTACTS = {
    "an honorific on every line": "His Excellency, Name\n" * 200,
    "an email on every word": "a@b.co " * 600,
    "a label on every word": "Email: " * 600,
    "a greeting on every line": "Dear Minister X,\n" * 250,
    "a c/o line on every line": "c/o Embassy of Spain\n" * 200,
    "numbers only": "12345 " * 700,
}


def contacts(scale: float = 1) -> str:
    rows = [("a recipients paste (4,096 characters at most)", "ms")]
    for label, text in HOSTILE_CONTACTS.items():
        for organisation_first in (False, True):
            read = partial(read_contacts, text[:4096], organisation_first=organisation_first)
            ms = median_seconds(read, times(10, scale)) * 1000
            rows.append((f"{label} ({'CC' if organisation_first else 'to'})", f"{ms:.1f}"))
    return table(rows)


def _parse_or_refuse(text: str) -> None:
    with contextlib.suppress(UADocumentError):
        parse_text(text)


def times(repeat: int, scale: float) -> int:
    """``repeat`` runs scaled down for a quick check (CI runs every benchmark once, small)."""
    return max(1, round(repeat * scale))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1, help="of the runs behind each median")
    scale = parser.parse_args().scale
    tables = formats(scale), layouts(scale), extractors(scale), hostile(scale), contacts(scale)
    print(*tables, sep="\n\n")


if __name__ == "__main__":
    main()
