"""What a button sends back when pressed: one small typed class per kind of button.

Each kind writes its data (``.data``: its prefix and fields joined by ":") and reads it
back (``read_button``) as ``handlers.codec`` does, so the data a button is built with and
the data the router reads cannot drift apart. Telegram allows 64 bytes of data, checked
when a button is built. Data that comes back is untrusted (anyone can send any callback
data): whatever does not read as one of these kinds, field by field, is None, and the
router shows the open actions.
Messages already in people's chats keep working: every kind reads the data it was written
with before this module (optional trailing fields, the same words for yes and no).
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.codec import Coded

#: Telegram's limit on a button's callback data.
MAX_DATA_BYTES = 64


class ButtonData(Coded, family=True):
    """A kind of button data; ``prefix`` names the kind in the data."""

    most_bytes = MAX_DATA_BYTES
    limit_name = "button data"


def read_button(data: str) -> ButtonData | None:
    """The button ``data`` was written by, or None for anything else."""
    return ButtonData.read(data)


# --- supporters ----------------------------------------------------------------------------
@dataclass(frozen=True)
class OpenActions(ButtonData, prefix="list"):
    """The open UAs, from the ``start``-th (a "More" button pages on)."""

    start: int | None = None


@dataclass(frozen=True)
class Step(ButtonData, prefix="ua"):
    """A walkthrough step; ``language`` picks the letter's language on step 3."""

    update_id: int
    step: int
    language: str | None = None


@dataclass(frozen=True)
class LetterFile(ButtonData, prefix="file"):
    update_id: int
    language: str


@dataclass(frozen=True)
class Report(ButtonData, prefix="rep"):
    """ "I took action"; ``issued_to``: the supporter row the button was shown to."""

    update_id: int
    kind: str
    issued_to: str | None = None


@dataclass(frozen=True)
class Undo(ButtonData, prefix="undo"):
    update_id: int
    kind: str


@dataclass(frozen=True)
class NotYet(ButtonData, prefix="later"):
    update_id: int


@dataclass(frozen=True)
class ChooseLanguage(ButtonData, prefix="lang"):
    code: str


@dataclass(frozen=True)
class Subscription(ButtonData, prefix="sub"):
    on: bool


@dataclass(frozen=True)
class Discreet(ButtonData, prefix="disc"):
    on: bool


@dataclass(frozen=True)
class Reminders(ButtonData, prefix="rem"):
    on: bool


@dataclass(frozen=True)
class Forget(ButtonData, prefix="forget"):
    yes_no = ("yes", "no")
    confirmed: bool


# --- organisers ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Publish(ButtonData, prefix="pub"):
    """Publish a draft: asked first ("Send it to 1,234 subscribers now?"), done when
    ``confirmed``, with paid broadcast when ``paid``; an old button without the field asks."""

    yes_no = ("yes", "no")
    update_id: int
    confirmed: bool | None = None
    paid: bool | None = None


@dataclass(frozen=True)
class CancelDraft(ButtonData, prefix="drop"):
    """Throw a draft away, with its corrections: asked first, done when ``confirmed``."""

    yes_no = ("yes", "no")
    update_id: int
    confirmed: bool | None = None


@dataclass(frozen=True)
class Recipients(ButtonData, prefix="who"):
    """A draft's list of recipients (``which``: "to") or of copies ("cc")."""

    update_id: int
    which: str


@dataclass(frozen=True)
class RecipientAction(ButtonData, prefix="whodo"):
    """What to do to a list and its ``number``-th recipient: ``action`` is the list and the
    deed in one word ("to-add", "cc-drop"), so the data stays within Telegram's 64 bytes."""

    update_id: int
    action: str
    number: int | None = None


@dataclass(frozen=True)
class AddLanguage(ButtonData, prefix="addlang"):
    update_id: int


@dataclass(frozen=True)
class PreviewStep(ButtonData, prefix="prev"):
    """A draft's walkthrough step as supporters will see it, in ``language``."""

    update_id: int
    step: int | None = None
    language: str | None = None


@dataclass(frozen=True)
class FieldMenu(ButtonData, prefix="fix"):
    update_id: int


@dataclass(frozen=True)
class CorrectField(ButtonData, prefix="set"):
    update_id: int
    field: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class ShowPreview(ButtonData, prefix="show"):
    update_id: int


@dataclass(frozen=True)
class ApplyRevision(ButtonData, prefix="rev"):
    revision_id: int


@dataclass(frozen=True)
class KeepLive(ButtonData, prefix="keep"):
    revision_id: int


@dataclass(frozen=True)
class CloseUA(ButtonData, prefix="closeua"):
    update_id: int


@dataclass(frozen=True)
class KeepOpen(ButtonData, prefix="keepopen"):
    pass
