"""Sending, as the outbox worker, the reminders and both Telegram channels share it.

Each library implements ``TelegramSender`` for the Bot API calls; ``refusal`` is the one
map from a refusal's status to the ``SendError`` kinds below (each library's edge only
says which status its exception stands for), so the worker decides what to do (wait, give
up on a person, retry) without knowing which library sent; ``InFlight`` lets shutdown wait
for the work that is under way.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Coroutine
from typing import Any, Protocol

from handlers.contract import File, Text


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


class NoStars(Rejected):
    """400 to a paid broadcast message: the bot's Star balance cannot pay for it."""


class Unreadable(SendError):
    """Telegram answered ok, but with a result that is no message (a broken proxy, a change
    of the Bot API): what was asked was done, so it is never done again."""


#: A private chat's numeric id, or a public channel's "@username".
ChatId = int | str


def refusal(status: int, description: str, retry_after: float | None = None) -> SendError:
    """Telegram's refusal, by its status, as the kind the bot acts on."""
    if status == 429 and retry_after is not None:
        return RetryLater(float(retry_after))
    if status == 403:
        return Blocked(description)
    if status == 401:
        return Unauthorized(description)
    if status in (400, 404, 413):  # this request as it is would fail again
        return Rejected(description)
    # 5xx, 409 (another poller, a webhook set meanwhile), a 429 without retry_after: later.
    return Transient(description)


class TelegramSender(Protocol):
    async def send_text(self, chat_id: ChatId, text: Text, *, paid: bool = False) -> int:
        """The message's id; ``paid``: with Telegram's paid broadcast (0.1 Star)."""

    async def star_balance(self) -> float | None:
        """The bot's Telegram Star balance; None where a channel has no Stars."""

    async def bot_username(self) -> str: ...

    async def edit_text(self, chat_id: int, message_id: int, text: Text) -> None: ...

    async def answer_callback(self, callback_id: str, text: str | None) -> None: ...

    async def send_file(self, chat_id: int, file: File) -> None: ...

    async def download(self, file_id: str) -> bytes: ...

    async def set_commands(
        self, commands: list[tuple[str, str]], language: str | None, chat_id: int | None
    ) -> None:
        """The menu in ``language`` (None: any) of all private chats, or of one chat."""

    async def delete_commands(self, chat_id: int) -> None:
        """One chat's own menu removed: the chat sees the private chats' menu again."""

    async def set_descriptions(self, description: str, short: str, language: str | None) -> None:
        """The bot's description (an empty chat) and short description (its profile)."""


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

    async def below(self, limit: int) -> None:
        """Wait until fewer than ``limit`` tasks run."""
        while len(self._tasks) >= limit:
            await asyncio.wait(set(self._tasks), return_when=asyncio.FIRST_COMPLETED)

    async def drain(self, timeout: float = 30) -> None:
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)


async def _await(awaitable: Awaitable[Any]) -> Any:
    return await awaitable
