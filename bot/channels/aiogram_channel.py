"""Telegram through aiogram 3 (the default channel)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import aiohttp
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramConflictError,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BufferedInputFile,
)

from bot.channels.bot_api import BotAPI
from bot.channels.polling import POLL_SECONDS, long_poll
from bot.channels.telegram import ALLOWED_UPDATES, ChatOrder, JsonMessages, handle_event
from bot.dispatcher import Dispatcher
from bot.sending import (
    InFlight,
    Rejected,
    Transient,
    Uncertain,
    Unreadable,
    refusal,
)
from handlers.contract import File

T = TypeVar("T")


#: The status each of aiogram's refusals stands for, the more specific first: its 413 is
#: a kind of network error, its chat migration a kind of 400.
_STATUS: tuple[tuple[type[TelegramAPIError], int], ...] = (
    (TelegramRetryAfter, 429),
    (TelegramEntityTooLarge, 413),
    (TelegramMigrateToChat, 400),
    (TelegramBadRequest, 400),
    (TelegramNotFound, 404),
    (TelegramForbiddenError, 403),
    (TelegramUnauthorizedError, 401),
    (TelegramConflictError, 409),
)


async def _call(request: Callable[[], Awaitable[T]]) -> T:
    """Run one Bot API call, turning aiogram's exceptions into the neutral kinds."""
    try:
        return await request()
    except TelegramAPIError as error:
        status = next((code for kind, code in _STATUS if isinstance(error, kind)), None)
        if status is None and isinstance(error, TelegramNetworkError):
            # aiogram reports a timeout (the request may have arrived) as "Request timeout
            # error"; any other failure on the way is safe to try again.
            lost = Uncertain if "timeout" in error.message.lower() else Transient
            raise lost(error.message) from error
        # A 5xx, or any status aiogram has no class for: worth trying again later, never
        # an exception the caller does not know.
        retry_after = error.retry_after if isinstance(error, TelegramRetryAfter) else None
        raise refusal(status or 500, error.message, retry_after) from error
    except ClientDecodeError as error:
        if isinstance(error.data, dict) and error.data.get("ok") is True:
            raise Unreadable("the Bot API answered ok with a result aiogram cannot read") from None
        raise Transient("the Bot API answered something that is not JSON") from error
    except aiohttp.ClientResponseError as error:
        # The file server's answers come as aiohttp's errors, whose text names the URL
        # (with the token): only the status goes on. Not the Bot API: a 403 there says
        # nothing of a person who blocked the bot.
        kind = Transient if error.status >= 500 or error.status == 429 else Rejected
        raise kind(f"the Bot API file server answered {error.status}") from None
    except aiohttp.ClientError as error:
        raise Transient(type(error).__name__) from None


class AiogramSender(JsonMessages):
    """Messages, edits and answers as JSON through aiogram's session (``BotAPI``); the rare
    calls through aiogram's methods."""

    def __init__(self, bot: Bot) -> None:
        assert isinstance(bot.session, AiohttpSession), "messages go through aiohttp"
        self.bot = bot
        self.api = BotAPI(bot.session, bot.token)

    async def call(self, method: str, params: dict[str, Any]) -> Any:
        return await self.api.call(method, params)

    async def bot_username(self) -> str:
        """The bot's @username, for links that open a private chat with it."""
        username = (await _call(self.bot.me)).username
        assert username, "every bot has a username"
        return username

    async def send_file(self, chat_id: int, file: File) -> None:
        document = BufferedInputFile(file.content, filename=file.filename)
        await _call(lambda: self.bot.send_document(chat_id, document, caption=file.caption or None))

    async def download(self, file_id: str) -> bytes:
        buffer = await _call(lambda: self.bot.download(file_id))
        assert buffer is not None
        return buffer.read()

    async def set_commands(
        self, commands: list[tuple[str, str]], language: str | None, chat_id: int | None
    ) -> None:
        # Supporters' commands belong in private chats: in a group the bot only points there.
        scope = (
            BotCommandScopeChat(chat_id=chat_id)
            if chat_id is not None
            else BotCommandScopeAllPrivateChats()
        )
        await _call(
            lambda: self.bot.set_my_commands(
                [BotCommand(command=name, description=text) for name, text in commands],
                scope=scope,
                language_code=language,
            )
        )

    async def delete_commands(self, chat_id: int) -> None:
        scope = BotCommandScopeChat(chat_id=chat_id)
        await _call(lambda: self.bot.delete_my_commands(scope=scope))

    async def set_descriptions(self, description: str, short: str, language: str | None) -> None:
        await _call(
            lambda: self.bot.set_my_description(description=description, language_code=language)
        )
        await _call(
            lambda: self.bot.set_my_short_description(
                short_description=short, language_code=language
            )
        )


class AiogramChannel:
    """Long polling or webhook events through aiogram, answered by the uabot core."""

    def __init__(self, core: Dispatcher, token: str, api_base_url: str) -> None:
        session = AiohttpSession(api=TelegramAPIServer.from_base(api_base_url.rstrip("/")))
        self.bot = Bot(token, session=session)
        self.sender = AiogramSender(self.bot)
        self.core = core
        self.in_flight = InFlight()
        self.order = ChatOrder()

    async def start(self) -> None:
        """Check the token and learn the bot's name (aiogram opens its HTTP session lazily,
        so a wrong token would otherwise show only at the first event)."""
        await _call(self.bot.me)

    async def feed(self, data: dict[str, Any]) -> None:
        """An event received by the webhook server, handed to the core as it came: building
        aiogram's models only to turn them back into a dict cost more than the handler."""
        await self.in_flight.run(handle_event(self.core, self.sender, self.order, data))

    async def poll(self, stop: asyncio.Event) -> None:
        await _call(lambda: self.bot.delete_webhook(drop_pending_updates=False))

        async def fetch(params: dict[str, Any]) -> Any:
            return await self.sender.api.call("getUpdates", params, wait=POLL_SECONDS)

        await long_poll(fetch, self.core, self.sender, self.order, self.in_flight, stop)

    async def set_webhook(self, url: str, secret_token: str | None) -> None:
        await _call(
            lambda: self.bot.set_webhook(
                url,
                secret_token=secret_token,
                drop_pending_updates=False,
                allowed_updates=ALLOWED_UPDATES,
            )
        )

    async def close(self) -> None:
        await self.in_flight.drain()
        await self.bot.session.close()
