"""Assemble the application from settings: the one place where parts are built.

Nothing is created at import time; the CLI, the tests and the benchmarks call
``build_app`` with their own settings, clock and key.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.metrics import Metrics
from bot.pacer import Pacer
from handlers.clock import Clock, SystemClock
from handlers.i18n import Catalogs
from storage.crypto import IdentityVault
from storage.database import check_schema, create_engine, create_session_factory, upgrade
from storage.keycheck import check_secret_key
from storage.presence import bot_engine_options
from storage.uas import UpdateCache
from uareader.isolated import DocumentReader


@dataclass
class App:
    """Everything a handler, a channel or a job needs, built once per process."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    vault: IdentityVault
    catalogs: Catalogs
    clock: Clock
    #: Every message this process sends, replies and broadcasts, draws on this one budget.
    pacer: Pacer
    #: Published UAs as the walkthrough last read them; cleared by the commits that change one.
    ua_cache: UpdateCache
    #: SQLite has one writer at a time: transactions of this process queue here instead of
    #: polling in SQLite's busy handler, which sleeps in long steps and ruins latency.
    #: PostgreSQL needs no such lock.
    write_lock: asyncio.Lock | contextlib.nullcontext[None] = field(
        default_factory=contextlib.nullcontext
    )
    metrics: Metrics = field(default_factory=Metrics)
    documents: DocumentReader = field(default_factory=DocumentReader)
    #: The bot's @username once the channel has learnt it (None in the terminal demo):
    #: links that open a chat with the bot, such as the Share button's, need it.
    bot_username: str | None = None

    def today(self) -> date:
        """Today in the bot's time zone (``bot.timezone``): deadlines are calendar days
        there, so every part of the bot counts them from the same date."""
        return self.clock.now().astimezone(ZoneInfo(self.settings.bot.timezone)).date()

    async def close(self) -> None:
        await self.engine.dispose()


async def build_app(
    settings: Settings,
    *,
    secret_key: str,
    clock: Clock | None = None,
    migrate: bool = True,
    serving: bool = False,
) -> App:
    """Build the app; with ``migrate`` the database schema is brought up to date first,
    without it a schema that is not this code's is refused (``SchemaError``). Either way a
    database written under another secret key is refused (``SecretKeyError``). ``serving``:
    for ``uabot run``, whose connections maintenance must be able to see."""
    options = bot_engine_options(settings.database.url) if serving else {}
    engine = create_engine(settings.database.url, **options)
    vault = IdentityVault(secret_key)
    try:
        await (upgrade(engine) if migrate else check_schema(engine))
        async with create_session_factory(engine)() as session, session.begin():
            await check_secret_key(session, vault)
    except BaseException:
        await engine.dispose()
        raise
    ua_cache = UpdateCache()
    return App(
        settings=settings,
        engine=engine,
        sessions=create_session_factory(engine, ua_cache.session_class()),
        ua_cache=ua_cache,
        vault=vault,
        catalogs=Catalogs(),
        clock=clock or SystemClock(),
        pacer=Pacer(settings.broadcast.rate_per_second),
        write_lock=asyncio.Lock() if engine.dialect.name == "sqlite" else contextlib.nullcontext(),
    )
