"""What both Telegram channels share: reading an update, sending replies, errors, menus.

Each library (aiogram, python-telegram-bot) receives updates its own way and hands the raw
update as a dict to ``handle_update``; each implements ``TelegramSender`` for the Bot API
calls and translates its exceptions into the neutral ``SendError`` kinds below, which the
outbox worker also relies on (retry after, blocked, transient, uncertain).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol

from bot.app import App
from bot.contract import Document, File, Incoming, Notice, Reply, Text
from bot.dispatcher import Dispatcher
from bot.extract import MAX_DOCUMENT_BYTES
from bot.i18n import LANGUAGES, N_

PLATFORM = "telegram"
log = logging.getLogger("uabot.telegram")


class SendError(Exception):
    """A Bot API call failed; the subclass says what to do about it."""


class RetryLater(SendError):
    """429: Telegram asks to wait ``seconds`` before any further request."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds} s")
        self.seconds = seconds


class Blocked(SendError):
    """403: the person blocked the bot or deleted their account; never retry."""


class Transient(SendError):
    """5xx or a connection that failed before the request was sent: safe to retry."""


class Uncertain(SendError):
    """The request may have reached Telegram (a timeout after sending): retry at most once."""


class Unauthorized(SendError):
    """401: Telegram does not know the bot token; nothing works until it is fixed."""


class Rejected(SendError):
    """400: Telegram refused this request as it is (e.g. a message that cannot be edited)."""


#: A private chat's numeric id, or a public channel's "@username".
ChatId = int | str


class TelegramSender(Protocol):
    async def send_text(self, chat_id: ChatId, text: Text) -> int: ...

    async def bot_username(self) -> str: ...

    async def edit_text(self, chat_id: int, message_id: int, text: Text) -> None: ...

    async def answer_callback(self, callback_id: str, text: str | None) -> None: ...

    async def send_file(self, chat_id: int, file: File) -> None: ...

    async def download(self, file_id: str) -> bytes: ...

    async def set_commands(
        self, commands: list[tuple[str, str]], language: str | None, chat_id: int | None
    ) -> None: ...


class TelegramChannel(Protocol):
    """What the runner needs of a library's channel: updates in, replies out."""

    sender: TelegramSender

    async def start(self) -> None: ...

    async def feed(self, data: dict[str, Any]) -> None: ...

    async def poll(self, stop: asyncio.Event) -> None: ...

    async def set_webhook(self, url: str, secret_token: str | None) -> None: ...

    async def close(self) -> None: ...


@dataclass(frozen=True)
class ParsedUpdate:
    incoming: Incoming
    callback_id: str | None = None
    file_id: str | None = None
    filename: str | None = None
    file_size: int | None = None


def _command(text: str) -> tuple[str | None, tuple[str, ...]]:
    if not text.startswith("/"):
        return None, ()
    head, *rest = text.split(maxsplit=1)
    name = head[1:].split("@", 1)[0]
    return (name or None), tuple(rest[0].split()) if rest else ()


def parse_update(data: dict[str, Any]) -> ParsedUpdate | None:
    """Map a Bot API update to ``Incoming``; None for kinds the bot does not handle."""
    update_key = str(data.get("update_id", ""))
    if "callback_query" in data:
        query = data["callback_query"]
        message = query.get("message") or {}
        chat = message.get("chat") or {}
        user = query.get("from") or query.get("from_user") or {}
        return ParsedUpdate(
            Incoming(
                platform=PLATFORM,
                user_id=int(user["id"]),
                chat_id=int(chat.get("id", user["id"])),
                language_hint=user.get("language_code"),
                private_chat=chat.get("type", "private") == "private",
                update_key=update_key,
                callback_data=query.get("data") or "",
                message_id=message.get("message_id"),
            ),
            callback_id=str(query["id"]),
        )
    message = data.get("message")
    if not message:
        return None
    user = message.get("from") or message.get("from_user")
    if not user:
        return None
    chat = message["chat"]
    text = message.get("text") or message.get("caption") or ""
    command, args = _command(text)
    document = message.get("document")
    return ParsedUpdate(
        Incoming(
            platform=PLATFORM,
            user_id=int(user["id"]),
            chat_id=int(chat["id"]),
            language_hint=user.get("language_code"),
            private_chat=chat.get("type") == "private",
            update_key=update_key,
            command=command if not document else None,
            args=args if not document else (),
            text=text or None,
        ),
        file_id=document["file_id"] if document else None,
        filename=document.get("file_name") or "document" if document else None,
        file_size=document.get("file_size") if document else None,
    )


#: How long a reply may wait out Telegram's 429s before it is given up (a person waiting
#: longer has most likely left), and how many times a 5xx or a failed connection is retried.
REPLY_PATIENCE = 60.0
REPLY_ATTEMPTS = 4


async def send_replies(
    sender: TelegramSender, chat_id: int, parsed: ParsedUpdate | None, replies: list[Reply]
) -> list[str]:
    """Carry out replies in order, never losing one to a refusal that time cures; the
    reasons of any that still could not be sent.

    The pressed button is answered first, so its spinner stops, but a refused answer (too
    old after a restart) never stops the reply itself. "Message is not modified" (a double
    tap) means the message already says it; an edit Telegram cannot make (too old, deleted)
    becomes a new message. 429 waits for ``retry_after``; 5xx and failed connections are
    retried with backoff; a timeout once, as the outbox does (the message may have arrived).
    """
    lost: list[str] = []
    notices = [reply.text for reply in replies if isinstance(reply, Notice)]
    if parsed is not None and parsed.callback_id:
        callback_id, notice = parsed.callback_id, notices[0] if notices else None
        try:
            await _patiently(lambda: sender.answer_callback(callback_id, notice))
        except SendError as error:
            log.info("a button press was not answered: %s", _reason(error))
    message_id = parsed.incoming.message_id if parsed else None
    for reply in replies:
        try:
            if isinstance(reply, Text):
                if (
                    reply.edit
                    and message_id is not None
                    and await _edited(sender, chat_id, message_id, reply)
                ):
                    continue
                await _patiently(partial(sender.send_text, chat_id, reply))
            elif isinstance(reply, File):
                await _patiently(partial(sender.send_file, chat_id, reply))
        except SendError as error:
            lost.append(_reason(error))
            if isinstance(error, Blocked):
                break  # nothing more reaches a person who blocked the bot
    return lost


async def _edited(sender: TelegramSender, chat_id: int, message_id: int, reply: Text) -> bool:
    """Whether the message now says ``reply``: edited, or already saying it."""
    try:
        await _patiently(lambda: sender.edit_text(chat_id, message_id, reply))
    except Rejected as error:
        return "not modified" in str(error).lower()  # else too old or deleted: send anew
    return True


async def _patiently(request: Callable[[], Awaitable[Any]]) -> Any:
    """One Bot API call, again after 429 (as Telegram asks), after 5xx and failed
    connections (with backoff), and once after a timeout."""
    waited, attempt, timed_out = 0.0, 0, False
    while True:
        try:
            return await request()
        except RetryLater as error:
            if waited + error.seconds > REPLY_PATIENCE:
                raise
            waited += error.seconds
            await asyncio.sleep(error.seconds)
        except Uncertain:
            if timed_out:
                raise
            timed_out = True
        except Transient:
            attempt += 1
            if attempt >= REPLY_ATTEMPTS:
                raise
            await asyncio.sleep(0.5 * 2**attempt)


def _reason(error: SendError) -> str:
    return type(error).__name__


async def handle_update(core: Dispatcher, sender: TelegramSender, data: dict[str, Any]) -> None:
    """One update from either library: to ``Incoming``, through the core, replies back;
    timed from its arrival to its last reply in the app's metrics."""
    started = time.perf_counter()
    try:
        await _handle_update(core, sender, data)
    finally:
        core.app.metrics.update_seconds.observe(time.perf_counter() - started)


async def _handle_update(core: Dispatcher, sender: TelegramSender, data: dict[str, Any]) -> None:
    parsed = parse_update(data)
    if parsed is None:
        return
    incoming = parsed.incoming
    if parsed.file_id is not None:
        content, fetched = b"", False
        # A stranger's file is never fetched (150 uploads of 19 MB once took 3.4 GB), nor one
        # larger than a UA document can be; the core answers both without the bytes.
        if (
            await core.may_send_documents(incoming)
            and (parsed.file_size or 0) <= MAX_DOCUMENT_BYTES
        ):
            try:
                async with core.downloads:
                    content, fetched = await sender.download(parsed.file_id), True
            except SendError as error:  # the core tells the organiser to send it again
                log.warning("document download failed: %s", type(error).__name__)
        name = parsed.filename or "document"
        document = Document(name, content, parsed.file_size, fetched=fetched)
        incoming = Incoming(**{**incoming.__dict__, "document": document})
    replies = await core.handle(incoming)
    for reason in await send_replies(sender, incoming.chat_id, parsed, replies):
        core.app.metrics.replies_lost.labels(reason).inc()
        log.warning(
            "reply to %s not sent: %s", core.app.vault.log_tag(PLATFORM, incoming.user_id), reason
        )


SUPPORTER_MENU = [
    ("start", N_("Welcome and settings")),
    ("actions", N_("Open Urgent Actions")),
    ("subscribe", N_("Receive new Urgent Actions")),
    ("unsubscribe", N_("Stop receiving them")),
    ("language", N_("English or Spanish")),
    ("reminders", N_("Reminders on or off")),
    ("discreet", N_("Discreet notifications")),
    ("mydata", N_("What the bot holds about you")),
    ("forget", N_("Erase what the bot holds about you")),
    ("help", N_("What the bot can do")),
]
ORGANISER_MENU = [
    ("newua", N_("Import a UA from its pasted text")),
    ("done", N_("Finish pasting a UA's text")),
    ("uas", N_("Stored UAs")),
    ("stats", N_("Figures of a UA")),
    ("export", N_("A UA's counts as a spreadsheet")),
    ("broadcasts", N_("Running and recent broadcasts")),
    ("cancel", N_("Stop a running broadcast")),
    ("close", N_("End a UA early")),
    ("deadline", N_("Move a UA's deadline")),
]
ADMIN_MENU = [
    ("grant", N_("Give a role")),
    ("revoke", N_("Take a role back")),
    ("team", N_("Organisers and admins")),
    ("audit", N_("Privileged commands log")),
]


async def install_menus(app: App, sender: TelegramSender, staff: dict[int, str]) -> None:
    """The command menu per language, and a larger one in organisers' and admins' chats."""
    for language in (None, *LANGUAGES):
        tr = app.catalogs.get(language or app.settings.bot.default_language)
        menu = [(name, tr.gettext(text)) for name, text in SUPPORTER_MENU]
        await sender.set_commands(menu, language, None)
    for chat_id, role in staff.items():
        tr = app.catalogs.get(app.settings.bot.default_language)
        extra = ORGANISER_MENU + (ADMIN_MENU if role == "admin" else [])
        menu = [(name, tr.gettext(text)) for name, text in SUPPORTER_MENU + extra]
        await sender.set_commands(menu, None, chat_id)


class InFlight:
    """Tracks running update handlers so that shutdown can let them finish."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def __len__(self) -> int:
        return len(self._tasks)

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def run(self, awaitable: Awaitable[Any]) -> Any:
        task = self.spawn(_await(awaitable))
        return await asyncio.shield(task)

    async def drain(self, timeout: float = 30) -> None:
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)


async def _await(awaitable: Awaitable[Any]) -> Any:
    return await awaitable
