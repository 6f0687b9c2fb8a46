"""Text as copying and extraction leave it: lines cleaned of bullets and odd spaces, and
paragraphs rejoined where a page or a PDF broke them."""

from __future__ import annotations

import re

HANDLE = re.compile(r"^@\w{2,}$")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u3000]+")


_BULLET = re.compile(r"^[\u00b7\u2022\u25aa\u25cf\u2023\u2043\u25e6\uf0b7\-–*]+\s*")


_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})


_HYPHENATED = re.compile(r"[a-zà-ÿ]-$")


TERMINAL = (".", "!", "?", ":", ";", '"', "”", "’", ")", "»")


#: Characters a .docx (XML 1.0) cannot hold, and those that reorder text on a screen (bidi
#: overrides and isolates: a typed "\u202e" makes a line read backwards): never kept. A
#: letter holding U+FFFF published fine, then every "letter as a file" failed.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069]"
)


def safe_text(text: str) -> str:
    """``text`` without what no letter file can hold and what would disguise a line."""
    return _UNSAFE.sub("", text)


def normalise(text: str) -> list[str]:
    """Clean lines: unify spaces and line breaks, drop bullets and control characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    text = safe_text(text)
    text = "".join(ch for ch in text if ch == "\n" or ch >= " " or ch == "\t")
    lines = []
    for raw in text.split("\n"):
        line = _SPACES.sub(" ", raw).strip()
        if _BULLET.match(line) and not HANDLE.match(line):
            line = _BULLET.sub("", line)
        lines.append(line)
    return lines


def ascii_quotes(text: str) -> str:
    return text.translate(_QUOTES)


def first(lines: list[str], pattern: re.Pattern[str], start: int = 0, stop: int = -1) -> int | None:
    for number in range(start, len(lines) if stop < 0 else min(stop, len(lines))):
        if pattern.search(ascii_quotes(lines[number])):
            return number
    return None


def blocks(lines: list[str]) -> list[list[str]]:
    """Groups of consecutive non-empty lines."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in [*lines, ""]:
        if line:
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    return blocks


def prose(lines: list[str]) -> str:
    """Rejoin lines that PDF extraction broke; keep paragraphs apart with a blank line."""
    paragraphs: list[str] = []
    for block in blocks(lines):
        wrapped = _wrap_width(block)
        parts: list[str] = []  # of the paragraph being read, joined once it ends
        length = 0  # of its parts, kept as they come: summing them per line is quadratic
        for line in block:
            previous = parts[-1] if parts else ""
            if previous and _HYPHENATED.search(previous[-2:]) and line[:1].islower():
                parts[-1] = previous[:-1] + line  # "incommu-" + "nicado": a word split at the end
                length += len(line) - 1
            elif previous and (
                (wrapped and _wrapped_line(previous, wrapped))
                or (not previous.endswith(TERMINAL) and (not line[:1].isupper() or length >= 60))
            ):
                parts.append(line)
                length += len(line)
            else:
                if parts:
                    paragraphs.append(" ".join(parts))
                parts, length = [line], len(line)
        if parts:
            paragraphs.append(" ".join(parts))
    return "\n\n".join(paragraphs)


def _wrapped_line(line: str, width: int) -> bool:
    """Whether a line of a wrapped block goes on in the next: it reaches the width, or comes
    near it mid-sentence. A sentence's end well short of the width ends a paragraph."""
    if line.endswith(":"):
        return False
    return len(line) >= 0.9 * width or (len(line) >= 0.75 * width and not line.endswith(TERMINAL))


def _wrap_width(block: list[str]) -> int:
    """The width a PDF wrapped this block's lines at, or 0 when its lines are not wrapped.

    A page wraps at about 80 to 130 characters and most lines come close to that width;
    a typed text puts a whole paragraph on a line, far longer or of every length. Knowing
    it, a sentence that ends at a line's end no longer starts a new paragraph."""
    if len(block) < 3:
        return 0
    width = max(len(line) for line in block)
    near = sum(len(line) >= 0.75 * width for line in block[:-1])
    return width if 60 <= width <= 130 and near >= 0.6 * (len(block) - 1) else 0


def is_heading_case(line: str) -> bool:
    letters = [ch for ch in line if ch.isalpha()]
    return len(letters) > 3 and sum(ch.isupper() for ch in letters) / len(letters) > 0.8


def is_prose(line: str) -> bool:
    """A sentence rather than a name or an address line."""
    return len(line) > 100 or (len(line.split()) > 8 and line.endswith("."))
