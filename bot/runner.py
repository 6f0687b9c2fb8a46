"""``uabot run``: the bot on Telegram, by long polling or webhook, until SIGTERM.

SIGTERM (or Ctrl-C) stops taking updates, lets the handlers in flight finish, and exits.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import partial
from urllib.parse import urlparse

from bot.app import App, build_app
from bot.broadcast import OutboxWorker, either
from bot.channels.telegram import PLATFORM, TelegramChannel, install_menus
from bot.channels.webhook import WebhookServer
from bot.config import Settings
from bot.dispatcher import Dispatcher
from bot.health import Health, health_route
from bot.http import MetricsServer
from bot.metrics import metrics_route
from bot.privacy import PURGE_EVERY_HOURS, purge
from bot.reminders import Reminders
from bot.sending import SendError, TelegramSender
from handlers.clock import Clock
from handlers.commands import StaffMember
from storage.database import Leadership, leadership, unreachable
from storage.outbox import queue_depth
from storage.presence import serving
from storage.statuses import STAFF, Role
from storage.supporters import find_by_role, find_supporter

log = logging.getLogger("uabot.run")
LEADER_RETRY_SECONDS = 5.0


def make_channel(settings: Settings, core: Dispatcher) -> TelegramChannel:
    """The configured library's channel; the other library is never imported (aiogram
    alone takes about 165 MB once loaded)."""
    telegram = settings.telegram
    assert telegram.token
    if telegram.library == "ptb":
        from bot.channels.ptb_channel import PTBChannel

        return PTBChannel(core, telegram.token, telegram.api_base_url)
    from bot.channels.aiogram_channel import AiogramChannel

    return AiogramChannel(core, telegram.token, telegram.api_base_url)


async def staff_chats(app: App) -> dict[int, StaffMember]:
    """Organisers and admins by chat id (a private chat's id is the user's id), with their
    language; an admin from the configuration who never wrote gets the default one."""
    staff: dict[int, StaffMember] = {}
    async with app.sessions() as session:
        for member in await find_by_role(session, PLATFORM, STAFF):
            chat_id = app.vault.decrypt_id(member.chat_id_enc)
            staff[chat_id] = StaffMember(Role.stored(member.role), member.language)
        for user_id in app.settings.bot.admins:
            row = await find_supporter(session, PLATFORM, app.vault.lookup_hash(PLATFORM, user_id))
            language = row.language if row else app.settings.bot.default_language
            staff[user_id] = StaffMember(Role.ADMIN, language)
    return staff


async def run_background(app: App, sender: TelegramSender, stop: asyncio.Event) -> None:
    """The outbox worker and the reminder scheduler, in one process at a time: the one
    holding the leader lock (APScheduler's jobs must not run in two processes). A leader
    that loses its lock stops both at once and tries again to lead, as the others do."""
    while not stop.is_set():
        try:
            async with leadership(app.engine) as held:
                if held is not None:
                    await _lead(app, sender, stop, held)
                    # Lost: try again at once (a blip of 1 s kept the worker away 9-10 s);
                    # a takeover still waits its pause, in case another led meanwhile.
                    continue
        except Exception as error:
            if not unreachable(error):
                raise
            # A failover: updates wait for the database, and so does the leader election.
            log.warning("leader lock not taken: database unavailable (%s)", type(error).__name__)
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), LEADER_RETRY_SECONDS)


async def _lead(app: App, sender: TelegramSender, stop: asyncio.Event, held: Leadership) -> None:
    # The lock may have been another process's a moment ago: it stops within this pause.
    with suppress(TimeoutError):
        await asyncio.wait_for(either(stop, held.lost), held.takeover_pause)
    if stop.is_set() or held.lost.is_set():
        return
    log.info("this process runs the outbox worker and the scheduler")
    reminders = Reminders(app)
    reminders.start()
    reminders.add_periodic(partial(purge, app), PURGE_EVERY_HOURS, "privacy:purge")
    stop_leading = asyncio.Event()  # set by SIGTERM or by the lock lost
    watcher = asyncio.create_task(either(stop, held.lost))
    watcher.add_done_callback(lambda _: stop_leading.set())
    try:
        await OutboxWorker(app, sender).run(stop_leading)
    finally:
        watcher.cancel()
        await reminders.stop()
    if held.lost.is_set() and not stop.is_set():
        log.warning("no longer the leader: outbox worker and scheduler stopped")


async def refresh_queue_metrics(app: App) -> None:
    """Read the outbox gauges from the database (the worker may run in another process).
    While the database is unreachable the last values are served: a scrape must not fail
    just when the operator most wants to look."""
    try:
        async with app.sessions() as session:
            app.metrics.set_queue(await queue_depth(session))
    except Exception as error:
        if not unreachable(error):
            raise
        log.warning("metrics: database unreachable (%s)", type(error).__name__)


@contextmanager
def startup_objects_frozen() -> Iterator[None]:
    """While updates are served, the objects made at start-up (the libraries' modules and
    models, the catalogs, about 250,000 of them) are left out of the garbage collector's
    full collections. They live as long as the process, and scanning them is what a full
    collection spends its time on: measured in a burst of updates, one took about 190 ms,
    a pause every person in a chat at that moment waits out. Undone on the way out, so a
    bot run inside another program leaves its collector as it found it."""
    gc.collect()  # what start-up left behind goes now, not into the frozen set
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)


async def run_bot(
    settings: Settings,
    *,
    stop: asyncio.Event | None = None,
    clock: Clock | None = None,
    started: asyncio.Event | None = None,
) -> int:
    """Run until ``stop`` is set (by SIGTERM/SIGINT when not given), marked as serving its
    database for as long as it runs (``storage.presence``: no key rotation under it)."""
    with serving(settings.database.url):
        return await _serve(settings, stop=stop, clock=clock, started=started)


async def _serve(
    settings: Settings,
    *,
    stop: asyncio.Event | None,
    clock: Clock | None,
    started: asyncio.Event | None,
) -> int:
    assert settings.security.secret_key
    app = await build_app(
        settings, secret_key=settings.security.secret_key, clock=clock, serving=True
    )
    core = Dispatcher(app)
    channel = make_channel(settings, core)
    metrics_server: MetricsServer | None = None
    background: asyncio.Task[None] | None = None
    if stop is None:
        stop = asyncio.Event()
        _stop_on_signals(stop)
    try:
        await channel.start()
        app.sender = channel.sender
        try:
            app.bot_username = await channel.sender.bot_username()
        except SendError as error:  # the Share button waits; a broadcast asks again
            log.warning("bot username not known yet: %s", type(error).__name__)
        try:
            await install_menus(app, channel.sender, await staff_chats(app))
        except SendError as error:
            log.warning("command menus not set: %s", type(error).__name__)
        background = asyncio.create_task(run_background(app, channel.sender, stop))
        metrics = metrics_route(app.metrics, partial(refresh_queue_metrics, app))
        health = health_route(Health(app, polling=settings.telegram.mode == "polling"))
        if settings.metrics.listen:
            metrics_server = MetricsServer([metrics, health], settings.metrics.listen)
            await metrics_server.start()
        if settings.telegram.mode == "webhook":
            assert settings.telegram.url and settings.telegram.secret_token
            server = WebhookServer(
                channel.feed,
                path=urlparse(settings.telegram.url).path,
                secret_token=settings.telegram.secret_token,
                listen=settings.telegram.listen,
                extra_routes=[health, metrics] if settings.metrics.on_webhook else [health],
            )
            await server.start()
            await channel.set_webhook(settings.telegram.url, settings.telegram.secret_token)
            with startup_objects_frozen():
                if started:
                    started.set()
                await stop.wait()
            await server.stop()
        else:
            with startup_objects_frozen():
                if started:
                    started.set()
                await channel.poll(stop)
        await background
    finally:
        if background is not None and not background.done():
            # A start-up step failed (a port in use) after the worker and the scheduler
            # began, which they do at once on SQLite: they stop as on SIGTERM, not
            # cancelled mid-job with a traceback each.
            stop.set()
            (ended,) = await asyncio.gather(background, return_exceptions=True)
            if isinstance(ended, BaseException):  # the start-up error is the one raised
                log.error("background work failed on the way out: %s", type(ended).__name__)
        if metrics_server is not None:
            await metrics_server.stop()
        await channel.close()
        await app.close()
    log.info("stopped cleanly")
    return 0
