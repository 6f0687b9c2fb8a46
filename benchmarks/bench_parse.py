"""Median time to parse a UA document as text, PDF and DOCX (targets: text < 20 ms, PDF < 200 ms).

.venv/bin/python -m benchmarks.bench_parse
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from benchmarks.common import median_seconds, table
from bot.uadoc import parse_document
from tests.test_uadoc import _docx, _pdf

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"


def main() -> None:
    documents = sorted(SEEDS.glob("*.txt")) or sorted(
        (ROOT / "tests" / "fixtures").glob("ua-*.txt")
    )
    rows = [("document", "text ms", "pdf ms", "docx ms", "pdf/text")]
    for path in documents:
        text = path.read_text(encoding="utf-8")
        as_text, as_pdf, as_docx = text.encode(), _pdf(text), _docx(text)
        t = median_seconds(partial(parse_document, "a.txt", as_text), 50) * 1000
        p = median_seconds(partial(parse_document, "a.pdf", as_pdf), 15) * 1000
        d = median_seconds(partial(parse_document, "a.docx", as_docx), 15) * 1000
        rows.append((path.name, f"{t:.2f}", f"{p:.1f}", f"{d:.1f}", f"{p / t:.0f}x"))
    print(table(rows))


if __name__ == "__main__":
    main()
