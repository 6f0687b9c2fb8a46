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
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Update,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import Application, ContextTypes, TypeHandler
from telegram.request import HTTPXRequest
from telegram.warnings import PTBDeprecationWarning

from bot.channels.telegram import ALLOWED_UPDATES, ChatOrder, handle_update
from bot.dispatcher import Dispatcher
from bot.sending import (
    Blocked,
    ChatId,
    InFlight,
    Rejected,
    RetryLater,
    Transient,
    Unauthorized,
    Uncertain,
)
from handlers.contract import File, Text

T = TypeVar("T")


def _keyboard(text: Text) -> InlineKeyboardMarkup | None:
    if not text.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.label, callback_data=b.data, url=b.url) for b in row]
            for row in text.buttons
        ]
    )


async def _call(request: Callable[[], Awaitable[T]]) -> T:
    """Run one Bot API call, turning PTB's exceptions into the neutral kinds.

    Order matters: in PTB, ``BadRequest`` and ``TimedOut`` are subclasses of ``NetworkError``.
    """
    try:
        return await request()
    except RetryAfter as error:
        with warnings.catch_warnings():  # int today, timedelta later: both are handled
            warnings.simplefilter("ignore", PTBDeprecationWarning)
            wait = error.retry_after
        raise RetryLater(wait.total_seconds() if isinstance(wait, timedelta) else wait) from error
    except Forbidden as error:
        raise Blocked(error.message) from error
    except InvalidToken as error:
        raise Unauthorized(error.message) from error
    except BadRequest as error:
        raise Rejected(error.message) from error
    except TimedOut as error:
        if isinstance(error.__cause__, httpx.ConnectTimeout | httpx.PoolTimeout):
            raise Transient(error.message) from error
        raise Uncertain(error.message) from error
    except NetworkError as error:
        if "too large" in error.message.lower():  # 413: PTB has no class of its own for it
            raise Rejected(error.message) from error
        raise Transient(error.message) from error
    except ChatMigrated as error:
        raise Rejected(error.message) from error  # the same request would fail again
    except TelegramError as error:
        # 409 (Conflict), an answer that is not JSON, any kind PTB adds: worth trying again
        # later, never an exception the caller does not know.
        raise Transient(error.message) from error


class PTBSender:
    def __init__(self, application: Application) -> None:  # type: ignore[type-arg]
        self.bot = application.bot

    async def send_text(self, chat_id: ChatId, text: Text) -> int:
        message = await _call(
            lambda: self.bot.send_message(
                chat_id,
                text.text,
                reply_markup=_keyboard(text),
                disable_notification=text.silent or None,
            )
        )
        return int(message.message_id)

    async def bot_username(self) -> str:
        """The bot's @username, for links that open a private chat with it."""
        username = (await _call(self.bot.get_me)).username
        assert username, "every bot has a username"
        return str(username)

    async def edit_text(self, chat_id: int, message_id: int, text: Text) -> None:
        await _call(
            lambda: self.bot.edit_message_text(
                text.text, chat_id=chat_id, message_id=message_id, reply_markup=_keyboard(text)
            )
        )

    async def answer_callback(self, callback_id: str, text: str | None) -> None:
        await _call(lambda: self.bot.answer_callback_query(callback_id, text=text))

    async def send_file(self, chat_id: int, file: File) -> None:
        document = InputFile(file.content, filename=file.filename)
        await _call(lambda: self.bot.send_document(chat_id, document, caption=file.caption or None))

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


class PollsNoted(HTTPXRequest):
    """PTB's request for getUpdates, telling /healthz each time Telegram answers one."""

    def __init__(self, polled: Callable[[], None], **options: Any) -> None:
        super().__init__(**options)
        self.polled = polled

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        answer = await super().do_request(*args, **kwargs)
        if answer[0] == 200:
            self.polled()
        return answer


class PTBChannel:
    """Long polling or webhook updates through python-telegram-bot, answered by the core."""

    def __init__(self, core: Dispatcher, token: str, api_base_url: str) -> None:
        base = api_base_url.rstrip("/")
        self.application = (
            Application.builder()
            .token(token)
            .base_url(f"{base}/bot")
            .base_file_url(f"{base}/file/bot")
            .get_updates_request(PollsNoted(core.app.metrics.polled, connection_pool_size=1))
            .concurrent_updates(True)
            .job_queue(None)
            .build()
        )
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.sender = PTBSender(self.application)
        self.core = core
        self.in_flight = InFlight()
        self.order = ChatOrder()

    async def _on_update(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.in_flight.run(
            handle_update(self.core, self.sender, self.order, update.to_dict())
        )

    async def start(self) -> None:
        """Check the token (PTB calls getMe) and start PTB's update processing."""
        await _call(self.application.initialize)
        await self.application.start()

    async def feed(self, data: dict[str, Any]) -> None:
        """An update received by the webhook server."""
        await self.application.process_update(Update.de_json(data, self.application.bot))

    async def poll(self, stop: asyncio.Event) -> None:
        """Long polling with PTB's Updater; updates are processed concurrently."""
        assert self.application.updater is not None
        await self.application.updater.start_polling(
            timeout=10, drop_pending_updates=False, allowed_updates=ALLOWED_UPDATES
        )
        await stop.wait()
        await self.application.updater.stop()
        await self.in_flight.drain()

    async def set_webhook(self, url: str, secret_token: str | None) -> None:
        await _call(
            lambda: self.application.bot.set_webhook(
                url, secret_token=secret_token, allowed_updates=ALLOWED_UPDATES
            )
        )

    async def close(self) -> None:
        await self.in_flight.drain()
        if self.application.running:  # not when start() failed, on a wrong token say
            await self.application.stop()
        await self.application.shutdown()
