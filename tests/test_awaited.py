"""What an organiser's next message is awaited for: each kind reads back as written, rows
written before these kinds read as they were meant, and anything else reads as nothing."""

from __future__ import annotations

import pytest

from handlers.awaited import (
    MAX_PURPOSE,
    Awaited,
    FieldValue,
    OtherLanguage,
    PastedUA,
    RecipientPaste,
    read_awaited,
)


@pytest.mark.parametrize(
    "awaited",
    [
        PastedUA(),
        OtherLanguage(12),
        FieldValue(12, "letter", "es"),
        FieldValue(12, "deadline"),
        RecipientPaste(12, "cc", "edit", 3),
        RecipientPaste(12, "to", "all"),
    ],
)
def test_every_kind_reads_back_as_written(awaited: Awaited) -> None:
    assert len(awaited.data) <= MAX_PURPOSE
    assert read_awaited(awaited.data) == awaited


def test_rows_written_by_the_bot_before_reads_as_meant() -> None:
    assert read_awaited("newua") == PastedUA()
    assert read_awaited("addlang:7") == OtherLanguage(7)
    assert read_awaited("set:5:deadline:") == FieldValue(5, "deadline")
    assert read_awaited("set:5:summary:en") == FieldValue(5, "summary", "en")
    assert read_awaited("who:5:to:add:0") == RecipientPaste(5, "to", "add", 0)


@pytest.mark.parametrize(
    "purpose",
    ["", "newua:1", "set", "set:x:letter", "who:5:to", "addlang:-1", "lang:en", "ua:1:2"],
)
def test_anything_else_reads_as_nothing(purpose: str) -> None:
    assert read_awaited(purpose) is None


def test_a_purpose_over_the_column_is_refused_when_written() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        _ = FieldValue(10**60, "letter", "es").data
