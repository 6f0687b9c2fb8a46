"""What an organiser's next plain message is awaited for: the parts of a pasted UA, a
field's new value, a recipient, or the file of a draft's other language.

Kept in ``pending_inputs.purpose`` (64 characters) as the buttons keep their data: one
small typed kind each, written and read by ``handlers.codec``, so a handler receives the
draft and field it asked about, not a string to take apart. The words are those stored
before these kinds (a pending input lives an hour, across an upgrade).
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.codec import Coded

#: The length of ``pending_inputs.purpose``.
MAX_PURPOSE = 64


class Awaited(Coded, family=True):
    """What a pending input is for; ``prefix`` names the kind."""

    most_bytes = MAX_PURPOSE
    limit_name = "a pending input's purpose"


def read_awaited(purpose: str) -> Awaited | None:
    """The kind ``purpose`` was written by, or None (a row from an older bot, a bug)."""
    return Awaited.read(purpose.rstrip(":"))  # "set:5:deadline:": no language then


@dataclass(frozen=True)
class PastedUA(Awaited, prefix="newua"):
    """The parts of a UA's text after /newua, up to /done."""


@dataclass(frozen=True)
class OtherLanguage(Awaited, prefix="addlang"):
    """The file the organiser sends next is the other language of this draft."""

    update_id: int


@dataclass(frozen=True)
class FieldValue(Awaited, prefix="set"):
    """A draft's field's new value; ``language`` for a field written in each language."""

    update_id: int
    field: str
    language: str | None = None


@dataclass(frozen=True)
class RecipientPaste(Awaited, prefix="who"):
    """A recipient pasted for a draft's list (``which``: "to" or "cc"); ``action`` "add" or
    "edit" (the ``number``-th, from 1; 0 when adding)."""

    update_id: int
    which: str
    action: str
    number: int = 0
