"""The neutral types between chat platforms and the core.

A channel turns a platform's event (Telegram's "update") into one ``Incoming`` and carries
out the ``Reply`` objects the handlers return. Nothing here knows about Telegram, so
handlers are tested without any network and every channel runs the same behaviour.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Telegram's limits, which every channel respects so the core can rely on them.
MAX_TEXT_LENGTH = 4096
MAX_BUTTON_DATA_BYTES = 64


@dataclass(frozen=True)
class Document:
    """A file someone sent: its name and bytes (fetched by the channel). ``content`` is
    empty when the channel did not fetch it: the sender may not send files, ``size`` (what
    the platform says the file weighs) is over what a UA document can be, or the platform's
    file server failed."""

    filename: str
    content: bytes
    size: int | None = None
    #: False when the channel did not fetch the bytes (see above, or the download failed).
    fetched: bool = True


@dataclass(frozen=True)
class Incoming:
    """One event from a person, stripped of everything the core does not need."""

    platform: str
    user_id: int
    chat_id: int
    language_hint: str | None = None
    private_chat: bool = True
    event_key: str | None = None
    command: str | None = None
    args: tuple[str, ...] = ()
    text: str | None = None
    callback_data: str | None = None
    message_id: int | None = None
    document: Document | None = None
    #: The person blocked the bot (True) or unblocked it (False); None for anything else.
    blocked: bool | None = None


@dataclass(frozen=True)
class Button:
    """An inline button: it either sends ``data`` back to the bot or opens ``url``."""

    label: str
    data: str | None = None
    url: str | None = None

    def __post_init__(self) -> None:
        if (self.data is None) == (self.url is None):
            raise ValueError("a button has exactly one of data or url")
        if self.data is not None and len(self.data.encode()) > MAX_BUTTON_DATA_BYTES:
            raise ValueError(f"button data over {MAX_BUTTON_DATA_BYTES} bytes: {self.data!r}")


@dataclass(frozen=True)
class Text:
    """A message. ``edit`` replaces the message a pressed button was on, where possible."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    edit: bool = False
    silent: bool = False

    def __post_init__(self) -> None:
        if len(self.text) > MAX_TEXT_LENGTH:
            raise ValueError(f"message over {MAX_TEXT_LENGTH} characters; split it first")


@dataclass(frozen=True)
class File:
    """A document to send, such as the letter as .txt or .docx."""

    filename: str
    content: bytes
    caption: str = ""


@dataclass(frozen=True)
class Notice:
    """A short pop-up answer to a pressed button (Telegram's answerCallbackQuery text)."""

    text: str


#: Telegram's rules for a command menu (setMyCommands).
MAX_COMMANDS = 100
MAX_COMMAND_DESCRIPTION = 256
COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")


@dataclass(frozen=True)
class Menu:
    """The command menu of one person's private chat: ``commands`` (name, description)
    replace it; none gives the chat back the menu every supporter sees. It may be another
    person's chat (an admin's /grant sets the new organiser's menu)."""

    chat_id: int
    commands: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if len(self.commands) > MAX_COMMANDS:
            raise ValueError(f"a menu holds at most {MAX_COMMANDS} commands")
        for name, description in self.commands:
            if not COMMAND_NAME.fullmatch(name):
                raise ValueError(f"not a command name Telegram takes: {name!r}")
            if not 1 <= len(description) <= MAX_COMMAND_DESCRIPTION:
                raise ValueError(f"/{name}: a description has 1 to 256 characters")


Reply = Text | File | Notice | Menu


def split_text(text: str, limit: int = MAX_TEXT_LENGTH) -> list[str]:
    """Split a long text at paragraph boundaries (then lines, then words) under ``limit``."""
    if len(text) <= limit:
        return [text]
    for separator in ("\n\n", "\n", " "):
        pieces = text.split(separator)
        if len(pieces) > 1:
            break
    else:
        return [text[i : i + limit] for i in range(0, len(text), limit)]
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current}{separator}{piece}" if current else piece
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            chunks.append(current)
        if len(piece) > limit:
            chunks.extend(split_text(piece, limit))
            current = ""
        else:
            current = piece
    if current:
        chunks.append(current)
    return chunks


def texts(body: str) -> list[Reply]:
    """``body`` as one message, or several split at paragraphs when it outgrows one: a list
    that grows with the data (open UAs, figures, the audit) must never fail to send."""
    return [Text(chunk) for chunk in split_text(body)]
