"""A UA number: "72/24" is the 72nd Urgent Action of 2024. Documents write it "UA 72/24",
"AU: 047/24" or "72.24"; people type it "72/24", "72-24" or "UA 72/24". This is the one
definition of its digits, for the reader, the commands and the queries alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def _case_and_year(separators: str) -> str:
    """The case's 1-4 digits and the year's 2, as two groups, apart by one of ``separators``."""
    return rf"((?a:\d{{1,4}}))\s*[{separators}]\s*((?a:\d{{2}}))"


#: The number's digits inside a document's line. No dash: "12-24" there is a date's look.
IN_TEXT = _case_and_year("/.") + r"(?![\d/])"
#: A number typed alone, as people copy it ("UA 72/24", "AU: 72/24", "72-24").
_TYPED = re.compile(rf"^(?:(?:UA|AU)\s*)?:?\s*{_case_and_year('/.-')}$", re.IGNORECASE)


@dataclass(frozen=True)
class UANumber:
    """A UA number with its case's digits as written ("047" in a Spanish document)."""

    case: str
    year: str

    @classmethod
    def typed(cls, text: str) -> UANumber | None:
        """The number a person typed, or None if it is none (case 0 is none either)."""
        match = _TYPED.match(text.strip())
        if match is None or int(match.group(1)) == 0:
            return None
        return cls(match.group(1), match.group(2))

    @classmethod
    def stored(cls, number: str) -> UANumber:
        """A number as the database keeps it ("047/24")."""
        case, _, year = number.partition("/")
        return cls(case, year)

    @property
    def written(self) -> str:
        """As written, zeros kept: "047/24"."""
        return f"{self.case}/{self.year}"

    def __str__(self) -> str:
        """As people type it: "47/24"."""
        return f"{int(self.case)}/{self.year}"

    def spellings(self) -> list[str]:
        """The ways this number is written: "047/24", "47/24" (documents keep their zeros,
        people type without them), so an English "UA 47/24" and a Spanish "AU 047/24"
        match."""
        digits = self.case.lstrip("0") or "0"
        widths = (f"{digits.zfill(width)}/{self.year}" for width in (1, 2, 3))
        return sorted({self.written, *widths})


def normalise_ua_number(text: str) -> str | None:
    """A typed number as a command takes it ("AU 072-24" is "72/24"); None if it is none."""
    number = UANumber.typed(text)
    return str(number) if number else None
