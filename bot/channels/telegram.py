"""What both Telegram channels share: reading an event, sending replies, menus.

Each library (aiogram, python-telegram-bot) receives events its own way and hands the raw
event as a dict to ``handle_event``, and sends through its own ``TelegramSender``
(``bot.sending``), whose errors it has translated into the neutral ``SendError`` kinds.
"""

from __future__ import annotations

import asyncio
import logging
import time
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol

from bot.app import App
from bot.dispatcher import Dispatcher
from bot.pacer import Pacer
from bot.sending import (
    Blocked,
    ChatId,
    NoStars,
    Rejected,
    RetryLater,
    SendError,
    TelegramSender,
    Transient,
    Uncertain,
    Unreadable,
)
from handlers.commands import COMMANDS, DESCRIPTION, SHORT_DESCRIPTION, StaffMember
from handlers.contract import Document, File, Incoming, Menu, Notice, Reply, Text
from handlers.i18n import LANGUAGES
from storage.statuses import Role
from uareader.extract import MAX_DOCUMENT_BYTES

PLATFORM = "telegram"
log = logging.getLogger("uabot.telegram")


class TelegramChannel(Protocol):
    """What the runner needs of a library's channel: events in, replies out."""

    @property
    def sender(self) -> TelegramSender: ...

    async def start(self) -> None: ...

    async def feed(self, data: dict[str, Any]) -> None: ...

    async def poll(self, stop: asyncio.Event) -> None: ...

    async def set_webhook(self, url: str, secret_token: str | None) -> None: ...

    async def close(self) -> None: ...


@dataclass(frozen=True)
class ParsedEvent:
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


def parse_event(data: dict[str, Any]) -> ParsedEvent | None:
    """Map a Bot API event to ``Incoming``; None for kinds the bot does not handle."""
    event_key = str(data.get("update_id", ""))
    if "my_chat_member" in data:
        return _membership(data["my_chat_member"], event_key)
    if "callback_query" in data:
        query = data["callback_query"]
        message = query.get("message") or {}
        chat = message.get("chat") or {}
        user = query.get("from") or query.get("from_user") or {}
        return ParsedEvent(
            Incoming(
                platform=PLATFORM,
                user_id=int(user["id"]),
                chat_id=int(chat.get("id", user["id"])),
                language_hint=user.get("language_code"),
                private_chat=chat.get("type", "private") == "private",
                event_key=event_key,
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
    return ParsedEvent(
        Incoming(
            platform=PLATFORM,
            user_id=int(user["id"]),
            chat_id=int(chat["id"]),
            language_hint=user.get("language_code"),
            private_chat=chat.get("type") == "private",
            event_key=event_key,
            command=command if not document else None,
            args=args if not document else (),
            text=text or None,
        ),
        file_id=document["file_id"] if document else None,
        filename=document.get("file_name") or "document" if document else None,
        file_size=document.get("file_size") if document else None,
    )


def _membership(change: dict[str, Any], event_key: str) -> ParsedEvent | None:
    """A person blocking the bot ("kicked") or unblocking it, in a private chat; the same
    change in groups and channels is not about a supporter."""
    chat, user = change.get("chat") or {}, change.get("from") or change.get("from_user") or {}
    status = (change.get("new_chat_member") or {}).get("status")
    if chat.get("type") != "private" or "id" not in user or status not in {"kicked", "member"}:
        return None
    return ParsedEvent(
        Incoming(
            platform=PLATFORM,
            user_id=int(user["id"]),
            chat_id=int(chat["id"]),
            event_key=event_key,
            blocked=status == "kicked",
        )
    )


#: What the bot asks Telegram for, in polling and webhook alike: nothing it would discard.
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]


#: How long a reply may wait out Telegram's 429s before it is given up (a person waiting
#: longer has most likely left), and how many times a 5xx or a failed connection is retried.
REPLY_PATIENCE = 60.0
REPLY_ATTEMPTS = 4


class JsonMessages(ABC):
    """The Bot API calls made for every event (send, edit, answer a button), written once
    as the JSON Telegram takes: each library's sender supplies ``call``, its way to send one
    method's parameters and read back the raw result, so no library models are built."""

    @abstractmethod
    async def call(self, method: str, params: dict[str, Any]) -> Any:
        """The ``result`` of ``method``, or the ``SendError`` Telegram's answer means."""

    async def send_text(self, chat_id: ChatId, text: Text, *, paid: bool = False) -> int:
        params = {"chat_id": chat_id, **message_params(text)}
        if text.silent:
            params["disable_notification"] = True
        if not paid:
            return message_id_of(await self.call("sendMessage", params))
        params["allow_paid_broadcast"] = True
        try:
            return message_id_of(await self.call("sendMessage", params))
        except Rejected as error:
            if stars_short(str(error)):
                raise NoStars(str(error)) from error
            raise

    async def star_balance(self) -> float:
        """Whole Stars plus their nanostar part (Bot API 9.1 ``getMyStarBalance``)."""
        result = await self.call("getMyStarBalance", {})
        amount = result.get("amount") if isinstance(result, dict) else None
        if type(amount) is not int:
            raise Unreadable("getMyStarBalance answered no amount")
        nanos = result.get("nanostar_amount")
        return amount + (nanos / 1e9 if type(nanos) is int else 0.0)

    async def edit_text(self, chat_id: int, message_id: int, text: Text) -> None:
        params = {"chat_id": chat_id, "message_id": message_id, **message_params(text)}
        await self.call("editMessageText", params)

    async def answer_callback(self, callback_id: str, text: str | None) -> None:
        params: dict[str, Any] = {"callback_query_id": callback_id}
        if text is not None:
            params["text"] = text
        await self.call("answerCallbackQuery", params)


def stars_short(description: str) -> bool:
    """Whether Telegram refused a paid message for the bot's balance. The Bot API does not
    document the words; its servers' code for it is BALANCE_TOO_LOW, and both are looked
    for so that a change of wording is still read."""
    words = description.upper()
    return "BALANCE_TOO_LOW" in words or "NOT ENOUGH STARS" in words


def message_id_of(result: Any) -> int:
    """The id of a message Telegram says it sent; 0 when its answer names none: the message
    went all the same (Telegram said ok), so it is never sent again."""
    if isinstance(result, dict) and type(result.get("message_id")) is int:
        return int(result["message_id"])
    log.warning("Telegram sent a message but its answer names no message id")
    return 0


def message_params(text: Text) -> dict[str, Any]:
    """A message's text and buttons as the Bot API takes them."""
    params: dict[str, Any] = {"text": text.text}
    if text.buttons:
        params["reply_markup"] = {
            "inline_keyboard": [
                [
                    {"text": button.label, "callback_data": button.data}
                    if button.data is not None
                    else {"text": button.label, "url": button.url}
                    for button in row
                ]
                for row in text.buttons
            ]
        }
    return params


async def send_replies(
    sender: TelegramSender,
    pacer: Pacer,
    chat_id: int,
    parsed: ParsedEvent | None,
    replies: list[Reply],
) -> list[str]:
    """Carry out replies in order, never losing one to a refusal that time cures; the
    reasons of any that still could not be sent.

    The pressed button is answered first, so its spinner stops, but a refused answer (too
    old after a restart) never stops the reply itself. "Message is not modified" (a double
    tap) means the message already says it; an edit Telegram cannot make (too old, deleted)
    becomes a new message. 429 waits for ``retry_after``; 5xx and failed connections are
    retried with backoff; a timeout once, as the outbox does (the message may have arrived).
    Every message takes its turn in the process's send budget, ahead of broadcasts.
    """
    lost: list[str] = []
    notices = [reply.text for reply in replies if isinstance(reply, Notice)]
    if parsed is not None and parsed.callback_id:
        callback_id, notice = parsed.callback_id, notices[0] if notices else None
        try:  # not a message: Telegram does not count it against the sending limits
            await _patiently(pacer, None, lambda: sender.answer_callback(callback_id, notice))
        except SendError as error:
            log.info("a button press was not answered: %s", _reason(error))
    message_id = parsed.incoming.message_id if parsed else None
    for reply in replies:
        try:
            if isinstance(reply, Text):
                if (
                    reply.edit
                    and message_id is not None
                    and await _edited(sender, pacer, chat_id, message_id, reply)
                ):
                    continue
                await _patiently(pacer, chat_id, partial(sender.send_text, chat_id, reply))
            elif isinstance(reply, File):
                await _patiently(pacer, chat_id, partial(sender.send_file, chat_id, reply))
            elif isinstance(reply, Menu):  # not a message: no turn in the send budget
                await _patiently(pacer, None, partial(_set_menu, sender, reply))
        except Unreadable:
            log.warning("Telegram did as asked but its answer could not be read")
        except SendError as error:
            lost.append(_reason(error))
            if isinstance(error, Blocked):
                break  # nothing more reaches a person who blocked the bot
    return lost


async def _edited(
    sender: TelegramSender, pacer: Pacer, chat_id: int, message_id: int, reply: Text
) -> bool:
    """Whether the message now says ``reply``: edited, or already saying it."""
    try:
        await _patiently(pacer, chat_id, lambda: sender.edit_text(chat_id, message_id, reply))
    except Rejected as error:
        return "not modified" in str(error).lower()  # else too old or deleted: send anew
    return True


async def _patiently(
    pacer: Pacer, chat_id: int | None, request: Callable[[], Awaitable[Any]]
) -> Any:
    """One Bot API call in its turn (``chat_id`` None: not a message, no turn needed),
    again after 429 (as Telegram asks, pausing every sender), after 5xx and failed
    connections (with backoff), and once after a timeout."""
    waited, attempt, timed_out = 0.0, 0, False
    while True:
        try:
            if chat_id is None:
                return await request()
            async with pacer.turn(chat_id, reply=True):
                return await request()
        except RetryLater as error:
            if waited + error.seconds > REPLY_PATIENCE:
                raise
            waited += error.seconds
            pacer.pause(error.seconds)  # the next turn comes after the pause
        except Uncertain:
            if timed_out:
                raise
            timed_out = True
        except Transient:
            attempt += 1
            if attempt >= REPLY_ATTEMPTS:
                raise
            await asyncio.sleep(0.5 * 2**attempt)


async def _set_menu(sender: TelegramSender, menu: Menu) -> None:
    if menu.commands:
        await sender.set_commands(list(menu.commands), None, menu.chat_id)
    else:
        await sender.delete_commands(menu.chat_id)


def _reason(error: SendError) -> str:
    return type(error).__name__


#: Events of one chat that may wait for the one being handled. A person has a few at most
#: (a double tap, a reply held back by a 429), but a Telegram app sends a long paste as
#: parts of 4,096 characters at once: the longest document we take (200,000 characters) is
#: 49 of them (with 32, a 48-part paste lost 15 parts unseen). More is a flood, dropped
#: at no one else's cost, and the person is told how many went unread.
CHAT_QUEUE = 64


class ChatOrder:
    """Events of one chat are handled and answered one after another, in the order they
    arrived: a reply held back by Telegram (429) is never overtaken by the next one."""

    def __init__(self) -> None:
        self._chats: dict[int, tuple[asyncio.Lock, int]] = {}
        #: Events dropped as a flood, by chat, not yet told to the person.
        self.unread: dict[int, int] = {}

    @asynccontextmanager
    async def turn(self, chat_id: int) -> AsyncIterator[bool]:
        """Wait for the chat's earlier events; yields False (without waiting, counted in
        ``unread``) when too many are already waiting."""
        lock, waiting = self._chats.get(chat_id) or (asyncio.Lock(), 0)
        if waiting > CHAT_QUEUE:
            self.unread[chat_id] = self.unread.get(chat_id, 0) + 1
            yield False
            return
        self._chats[chat_id] = (lock, waiting + 1)
        try:
            async with lock:
                yield True
        finally:
            lock, waiting = self._chats[chat_id]
            if waiting == 1:
                del self._chats[chat_id]
            else:
                self._chats[chat_id] = (lock, waiting - 1)

    def last_in_line(self, chat_id: int) -> bool:
        """Whether the event in turn is the chat's last one waiting."""
        return self._chats.get(chat_id, (None, 0))[1] <= 1

    def take_unread(self, chat_id: int) -> int:
        return self.unread.pop(chat_id, 0)


async def handle_event(
    core: Dispatcher, sender: TelegramSender, order: ChatOrder, data: dict[str, Any]
) -> None:
    """One event from either library: to ``Incoming``, through the core, replies back,
    after the same chat's earlier events; timed from its arrival to its last reply in the
    app's metrics."""
    started = time.perf_counter()
    try:
        parsed = parse_event(data)
        if parsed is None:
            return
        chat_id = parsed.incoming.chat_id
        async with order.turn(chat_id) as in_turn:
            if not in_turn:
                core.app.metrics.updates.labels("flood").inc()
                return
            await _handle_event(core, sender, parsed)
            if order.last_in_line(chat_id) and (unread := order.take_unread(chat_id)):
                notice = await core.unread_notice(parsed.incoming, unread)
                await send_replies(sender, core.app.pacer, chat_id, None, [notice])
    finally:
        core.app.metrics.update_seconds.observe(time.perf_counter() - started)


async def _handle_event(core: Dispatcher, sender: TelegramSender, parsed: ParsedEvent) -> None:
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
    for reason in await send_replies(sender, core.app.pacer, incoming.chat_id, parsed, replies):
        core.app.metrics.replies_lost.labels(reason).inc()
        log.warning(
            "reply to %s not sent: %s", core.app.vault.log_tag(PLATFORM, incoming.user_id), reason
        )


async def install_menus(app: App, sender: TelegramSender, staff: dict[int, StaffMember]) -> None:
    """At start-up: the supporters' menu and the bot's descriptions per language, and each
    organiser's and admin's own menu in their language (they may have changed while the bot
    was stopped)."""
    for language in (None, *LANGUAGES):
        tr = app.catalogs.get(language or app.settings.bot.default_language)
        await sender.set_commands(list(COMMANDS.menu(tr, Role.SUPPORTER)), language, None)
        await sender.set_descriptions(
            tr.gettext(DESCRIPTION), tr.gettext(SHORT_DESCRIPTION), language
        )
    for chat_id, member in staff.items():
        await sender.set_commands(
            list(COMMANDS.menu(app.catalogs.get(member.language), member.role)), None, chat_id
        )
