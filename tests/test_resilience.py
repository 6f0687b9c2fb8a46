"""Nothing is lost when things go wrong: the bot process killed outright in the middle of a
broadcast, and the database gone for a few seconds while a supporter reports an action."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlalchemy import func, select

from bot.app import App, build_app
from bot.broadcast import OutboxWorker
from bot.channels.aiogram_channel import AiogramSender
from bot.config import Settings
from bot.dispatcher import Dispatcher
from bot.health import Health
from bot.reminders import Reminders, job_id
from handlers.clock import FixedClock
from storage.crypto import generate_secret_key
from storage.models import ActionReport, Supporter
from tests.conftest import (
    ADMIN_ID,
    POSTGRES_URL,
    START,
    Chat,
    publish_fixture,
    reset_postgres,
    subscribe_many,
)
from tests.fake_bot_api import FakeBotAPI
from tests.live import (
    BROADCAST_THROUGH_KILLS,
    broadcast_through_kills,
    free_port,
    queue_future_ua,
    reach_report_step,
    running,
    says,
    scrape,
)
from tests.tcp_proxy import TcpProxy

#: The worker sends this many messages at once: the most a crash may send twice.
IN_FLIGHT = 16


def through(proxy: TcpProxy, url: str) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)
    host = f"{netloc[0]}@127.0.0.1:{proxy.port}" if len(netloc) == 2 else f"127.0.0.1:{proxy.port}"
    return urlunsplit(parts._replace(netloc=host))


async def count_people(app: App) -> int:
    async with app.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Supporter)) or 0)


@pytest.fixture
async def proxy() -> TcpProxy:
    if not POSTGRES_URL:
        pytest.skip("UABOT_TEST_POSTGRES_URL not set")
    await reset_postgres(POSTGRES_URL)
    parts = urlsplit(POSTGRES_URL)
    server = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    await server.start()
    yield server
    await server.stop()


async def test_connections_dropped_by_a_server_restart_cost_no_update_and_no_reminder(
    proxy: TcpProxy, sender: AiogramSender
) -> None:
    """Pooled connections are not pinged before use (three round trips on asyncpg): after a
    restart the first transaction on a dead one fails as unreachable and is run again."""
    url = through(proxy, POSTGRES_URL or "")
    settings = Settings.model_validate({"database": {"url": url}, "bot": {"admins": [ADMIN_ID]}})
    clock = FixedClock(START)
    app = await build_app(settings, secret_key=generate_secret_key(), clock=clock)
    try:
        subscribers = await subscribe_many(app, 3)
        dispatcher = Dispatcher(app)
        await publish_fixture(lambda user_id: Chat(dispatcher, user_id))
        await OutboxWorker(app, sender, rate_per_second=10_000).drain()  # reminders follow it
        people = await count_people(app)
        await proxy.cut()
        await proxy.restore()  # every pooled connection is now dead
        await Chat(dispatcher, 4_242_000_017).send("/start")
        assert await count_people(app) == people + 1, "the newcomer's /start was committed"

        reminders = Reminders(app)
        clock.set((await reminders.plan())[job_id(1, "3d")])
        await proxy.cut()
        firing = asyncio.create_task(reminders.fire(1, "3d"))
        await asyncio.sleep(1)  # the database stays away for a second when the job runs
        await proxy.restore()
        assert await firing == len(subscribers), "the job waited for the database"
    finally:
        await app.close()


async def test_the_health_check_after_a_server_restart_says_ok_at_once(proxy: TcpProxy) -> None:
    url = through(proxy, POSTGRES_URL or "")
    settings = Settings.model_validate({"database": {"url": url}})
    app = await build_app(settings, secret_key=generate_secret_key())
    try:
        health = Health(app, polling=False)
        assert await health.problem() is None  # a connection is now in the pool
        await proxy.cut()
        await proxy.restore()  # the pooled connection died with the "server"
        assert await health.problem() is None
        await proxy.cut()
        assert "database unreachable" in (await health.problem() or "")
    finally:
        await app.close()


@pytest.mark.slow
async def test_postgresql_gone_for_seconds_loses_no_message_and_no_action(
    api: FakeBotAPI, proxy: TcpProxy
) -> None:
    url, key = through(proxy, POSTGRES_URL or ""), generate_secret_key()
    settings = Settings.model_validate({"database": {"url": url}, "bot": {"admins": [ADMIN_ID]}})
    setup = await build_app(settings, secret_key=key, clock=FixedClock(START))
    chats = await subscribe_many(setup, 150)
    await publish_fixture(lambda user_id: Chat(Dispatcher(setup), user_id))
    await setup.close()

    port = free_port()
    sections = {
        "security": {"secret_key": key},
        "broadcast": {"rate_per_second": 50, "lease_seconds": 5},
        "metrics": {"listen": f"127.0.0.1:{port}"},
    }
    async with running(api, url, "aiogram", sections=sections):
        voter = 777
        await reach_report_step(api, voter)
        await api.wait_total(40)  # the broadcast is under way
        await proxy.cut()
        await api.user_presses(voter, api.last(voter), "I sent a letter")
        metrics = await scrape(f"http://127.0.0.1:{port}/metrics")  # still served
        assert metrics['uabot_outbox_depth{kind="ua"}'] >= 0
        await asyncio.sleep(3)  # the database stays away for three seconds
        await proxy.restore()
        assert "Thank you!" in await says(api, voter, 6), "the report waited for the database"
        assert await api.wait_until(
            lambda: all(api.messages[chat] for chat in chats), timeout=60
        ), "every subscriber gets the UA once the database is back"

    received = [len(api.messages[chat]) for chat in chats]
    assert sum(received) - len(chats) <= IN_FLIGHT
    check = await build_app(settings, secret_key=key)
    async with check.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(ActionReport)) == 1
    await check.close()


@pytest.mark.slow
async def test_kill_9_at_random_moments_of_a_broadcast_loses_nothing(
    api: FakeBotAPI, database_url: str, tmp_path: Path
) -> None:
    key, subscribers, kills = generate_secret_key(), 2_000, 3
    chats = await queue_future_ua(database_url, key, subscribers)
    seed = random.randrange(1_000_000)
    moments = sorted(random.Random(seed).sample(range(100, subscribers - 100), kills))
    # Both libraries die here: aiogram beside SQLite, as the defaults run; PTB beside
    # PostgreSQL, whose process starts 2.5 s sooner (aiogram's import takes 3.0 s here).
    library = "aiogram" if database_url.startswith("sqlite") else "ptb"
    config = f'[telegram]\nlibrary = "{library}"\n{BROADCAST_THROUGH_KILLS}'
    delivered, repeats = await broadcast_through_kills(
        api, database_url, key, tmp_path, chats, moments, config
    )
    assert delivered == chats, f"seed {seed}: a subscriber never got the UA"
    assert repeats <= IN_FLIGHT * kills, f"seed {seed}: {repeats} repeats after {kills} kills"
