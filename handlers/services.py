"""What handlers need of the running bot, declared here so that handlers never import it.

``bot.app.App`` provides all of it; mypy checks that it does wherever an App is handed to a
handler. Settings are read-only properties: a handler reads the configuration, never
changes it, and the pydantic models of ``bot.config`` satisfy them as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncEngine

from handlers.clock import Clock
from handlers.i18n import Catalogs
from storage.crypto import IdentityVault
from storage.uas import UpdateCache


class BotOptions(Protocol):
    @property
    def admins(self) -> Sequence[int]: ...
    @property
    def default_language(self) -> str: ...
    @property
    def timezone(self) -> str: ...


class BroadcastOptions(Protocol):
    @property
    def rate_per_second(self) -> float: ...
    @property
    def allow_paid_broadcast(self) -> bool: ...
    @property
    def paid_rate_per_second(self) -> float: ...
    def channel_addresses(self) -> list[tuple[str, str]]: ...


class ReminderOptions(Protocol):
    @property
    def offsets(self) -> Sequence[str]: ...
    @property
    def window(self) -> str: ...


class SecurityOptions(Protocol):
    @property
    def purge_grace_days(self) -> int: ...


class Options(Protocol):
    """The settings handlers read: a subset of ``bot.config.Settings``."""

    @property
    def bot(self) -> BotOptions: ...
    @property
    def broadcast(self) -> BroadcastOptions: ...
    @property
    def reminders(self) -> ReminderOptions: ...
    @property
    def security(self) -> SecurityOptions: ...


class Services(Protocol):
    """The running bot as a handler sees it."""

    @property
    def settings(self) -> Options: ...
    @property
    def engine(self) -> AsyncEngine: ...
    @property
    def vault(self) -> IdentityVault: ...
    @property
    def catalogs(self) -> Catalogs: ...
    @property
    def clock(self) -> Clock: ...
    @property
    def ua_cache(self) -> UpdateCache: ...
    async def star_balance(self) -> float | None:
        """The bot's Telegram Star balance; None when it cannot be read."""

    @property
    def bot_username(self) -> str | None:
        """The bot's @username once known: deep links that open a chat with it need it."""

    def today(self) -> date:
        """Today in the bot's time zone, where deadlines are calendar days."""
        ...
