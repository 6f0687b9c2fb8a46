"""Telegram through python-telegram-bot 22 (``telegram.library = "ptb"``)."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

import httpx
from telegram import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    InputFile,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import Application
from telegram.warnings import PTBDeprecationWarning, PTBUserWarning

from bot.channels.polling import POLL_SECONDS, long_poll
from bot.channels.telegram import ALLOWED_UPDATES, ChatOrder, JsonMessages, handle_event
from bot.dispatcher import Dispatcher
from bot.sending import (
    InFlight,
    Transient,
    Uncertain,
    Unreadable,
    refusal,
)
from handlers.contract import File

T = TypeVar("T")

#: Sends, edits and answers that may be with Telegram at once; the rest wait here, in order.
#: httpx's pool (PTB's client) looks through every waiting request and every connection
#: each time one is freed: 600 sends at once, Telegram taking 0.1 s over each, cost 1.3 ms
#: of CPU per send with 32 at a time, 9.6 ms with 64 and 16 ms with PTB's 256, and took
#: 2.1, 5.9 and 9.7 s. At 0.1 s an answer, 32 at a time still carry 300 calls a second.
CONCURRENT_REQUESTS = 32


#: The status each of PTB's refusals stands for, the more specific first (its
#: ``BadRequest`` is a kind of ``NetworkError``); its 413 has no class of its own.
_STATUS: tuple[tuple[type[TelegramError], int], ...] = (
    (RetryAfter, 429),
    (Forbidden, 403),
    (InvalidToken, 401),
    (BadRequest, 400),
    (ChatMigrated, 400),
    (EndPointNotFound, 404),
    (Conflict, 409),
)


async def _call(request: Callable[[], Awaitable[T]]) -> T:
    """Run one Bot API call, turning PTB's exceptions into the neutral kinds."""
    try:
        return await request()
    except TimedOut as error:
        if isinstance(error.__cause__, httpx.ConnectTimeout | httpx.PoolTimeout):
            raise Transient(error.message) from error  # it never left
        raise Uncertain(error.message) from error
    except TelegramError as error:
        status = next((code for kind, code in _STATUS if isinstance(error, kind)), None)
        if status is None and "too large" in error.message.lower():
            status = 413
        # A 5xx, an answer that is not JSON, any kind PTB adds: worth trying again later,
        # never an exception the caller does not know.
        raise refusal(status or 500, error.message, _retry_after(error)) from error


def _retry_after(error: TelegramError) -> float | None:
    """The wait a 429 asks for, in seconds: an int in PTB today, a timedelta tomorrow."""
    if not isinstance(error, RetryAfter):
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        wait = error.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)


class PTBSender(JsonMessages):
    """Messages, edits and answers through PTB's ``do_api_request``, whose raw answer is
    all the bot reads (PTB's methods would build a ``Message`` to be thrown away)."""

    def __init__(self, application: Application) -> None:  # type: ignore[type-arg]
        self.bot = application.bot
        self._requests = asyncio.Semaphore(CONCURRENT_REQUESTS)
        # PTB suggests its own method for a method it knows; ours is chosen for its raw
        # answer (measured in docs/performance.md), so the suggestion is not repeated.
        warnings.filterwarnings(
            "ignore", message=r"Please use 'Bot\.", category=PTBUserWarning, module=__name__
        )

    async def call(self, method: str, params: dict[str, Any]) -> Any:
        async with self._requests:
            return await _call(lambda: self.bot.do_api_request(method, api_kwargs=params))

    async def bot_username(self) -> str:
        """The bot's @username, for links that open a private chat with it."""
        username = (await _call(self.bot.get_me)).username
        assert username, "every bot has a username"
        return str(username)

    async def send_file(self, chat_id: int, file: File) -> None:
        document = InputFile(file.content, filename=file.filename)
        try:
            await _call(
                lambda: self.bot.send_document(chat_id, document, caption=file.caption or None)
            )
        except (AttributeError, KeyError, TypeError, ValueError) as error:
            # PTB reads the answer into a Message after Telegram said ok; an answer that is
            # no message fails there, with whatever its parsing met: the file was sent.
            raise Unreadable(type(error).__name__) from None

    async def download(self, file_id: str) -> bytes:
        telegram_file = await _call(lambda: self.bot.get_file(file_id))
        return bytes(await _call(telegram_file.download_as_bytearray))

    async def set_commands(
        self, commands: list[tuple[str, str]], language: str | None, chat_id: int | None
    ) -> None:
        # Supporters' commands belong in private chats: in a group the bot only points there.
        scope = (
            BotCommandScopeChat(chat_id)
            if chat_id is not None
            else BotCommandScopeAllPrivateChats()
        )
        await _call(
            lambda: self.bot.set_my_commands(
                [BotCommand(name, text) for name, text in commands],
                scope=scope,
                language_code=language,
            )
        )

    async def delete_commands(self, chat_id: int) -> None:
        await _call(lambda: self.bot.delete_my_commands(scope=BotCommandScopeChat(chat_id)))

    async def set_descriptions(self, description: str, short: str, language: str | None) -> None:
        await _call(lambda: self.bot.set_my_description(description, language_code=language))
        await _call(lambda: self.bot.set_my_short_description(short, language_code=language))


class PTBChannel:
    """Long polling or webhook events through python-telegram-bot, answered by the core."""

    def __init__(self, core: Dispatcher, token: str, api_base_url: str) -> None:
        base = api_base_url.rstrip("/")
        self.application = (
            Application.builder()
            .token(token)
            .base_url(f"{base}/bot")
            .base_file_url(f"{base}/file/bot")
            .updater(None)  # polling is ours (bot/channels/polling.py)
            .job_queue(None)
            .build()
        )
        self.sender = PTBSender(self.application)
        self.core = core
        self.in_flight = InFlight()
        self.order = ChatOrder()

    async def start(self) -> None:
        """Check the token (PTB calls getMe)."""
        await _call(self.application.initialize)

    async def feed(self, data: dict[str, Any]) -> None:
        """An event received by the webhook server, handed to the core as it came."""
        await self.in_flight.run(handle_event(self.core, self.sender, self.order, data))

    async def poll(self, stop: asyncio.Event) -> None:
        bot = self.application.bot
        await _call(lambda: bot.delete_webhook(drop_pending_updates=False))

        async def fetch(params: dict[str, Any]) -> Any:
            # Telegram holds the answer up to POLL_SECONDS: PTB's read timeout waits longer.
            wait = POLL_SECONDS + bot.request.read_timeout if bot.request.read_timeout else None
            return await _call(
                lambda: bot.do_api_request("getUpdates", api_kwargs=params, read_timeout=wait)
            )

        await long_poll(fetch, self.core, self.sender, self.order, self.in_flight, stop)

    async def set_webhook(self, url: str, secret_token: str | None) -> None:
        await _call(
            lambda: self.application.bot.set_webhook(
                url, secret_token=secret_token, allowed_updates=ALLOWED_UPDATES
            )
        )

    async def close(self) -> None:
        await self.in_flight.drain()
        await self.application.shutdown()
