"""Assemble the application from settings: the one place where parts are built.

Nothing is created at import time; the CLI, the tests and the benchmarks call
``build_app`` with their own settings, clock and key.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.metrics import Metrics
from bot.pacer import Pacer
from bot.sending import SendError, TelegramSender
from bot.shared_budget import SharedBudget
from handlers.clock import Clock, SystemClock
from handlers.i18n import Catalogs
from storage.crypto import IdentityVault
from storage.database import check_schema, create_engine, create_session_factory, upgrade
from storage.keycheck import check_secret_key
from storage.presence import bot_engine_options
from storage.uas import UpdateCache
from uareader.isolated import DocumentReader

log = logging.getLogger("uabot.app")

#: A Star balance read this many seconds ago is still shown: an admin's second look at the
#: publish question costs no call to Telegram.
STARS_FRESH = 30.0
#: Telegram usually answers in well under a second; the question is not held longer.
STARS_WAIT = 3.0


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
    #: The channel's sender once it runs: the publish question asks it for the Star balance.
    sender: TelegramSender | None = None
    _stars_read: tuple[float, float | None] | None = field(default=None, init=False, repr=False)

    def today(self) -> date:
        """Today in the bot's time zone (``bot.timezone``): deadlines are calendar days
        there, so every part of the bot counts them from the same date."""
        return self.clock.now().astimezone(ZoneInfo(self.settings.bot.timezone)).date()

    async def star_balance(self) -> float | None:
        """The bot's Telegram Star balance, read at most every ``STARS_FRESH`` seconds and
        waited for at most ``STARS_WAIT``: an admin deciding on a paid broadcast needs it,
        but an answer without it beats none. None when it cannot be read."""
        now = time.monotonic()
        if self._stars_read is not None and now - self._stars_read[0] < STARS_FRESH:
            return self._stars_read[1]
        if self.sender is None:
            return None
        try:
            balance = await asyncio.wait_for(self.sender.star_balance(), STARS_WAIT)
        except (SendError, TimeoutError) as error:
            log.warning("the Star balance could not be read: %s", type(error).__name__)
            balance = None
        self._stars_read = (now, balance)
        return balance

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
    # Several processes can serve one PostgreSQL database: Telegram's limit is the bot's,
    # so they spend one budget. SQLite has one process.
    shared = (
        SharedBudget(engine, settings.broadcast.rate_per_second)
        if serving and engine.dialect.name == "postgresql"
        else None
    )
    return App(
        settings=settings,
        engine=engine,
        sessions=create_session_factory(engine, ua_cache.session_class()),
        ua_cache=ua_cache,
        vault=vault,
        catalogs=Catalogs(),
        clock=clock or SystemClock(),
        pacer=Pacer(settings.broadcast.rate_per_second, shared=shared),
        write_lock=asyncio.Lock() if engine.dialect.name == "sqlite" else contextlib.nullcontext(),
    )
