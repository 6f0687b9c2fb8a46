"""The outbox worker against the fake Bot API over real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import date, timedelta

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from sqlalchemy import func, select

from bot.broadcast import OutboxWorker
from bot.channels.aiogram_channel import AiogramSender
from storage.models import Delivery, Supporter
from storage.supporters import add_supporter
from tests.conftest import ADMIN_ID, publish_fixture
from tests.fake_bot_api import FakeBotAPI

FIRST_CHAT = 10_000


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    server = FakeBotAPI()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def sender(api: FakeBotAPI) -> AsyncIterator[AiogramSender]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(api.base_url), timeout=1)
    bot = Bot(api.token, session=session)
    yield AiogramSender(bot)
    await bot.session.close()


async def subscribe_many(app, count: int, discreet_every: int = 0) -> list[int]:
    """``count`` subscribers, alternately English and Spanish."""
    chats = list(range(FIRST_CHAT, FIRST_CHAT + count))
    async with app.sessions() as session, session.begin():
        for n, chat_id in enumerate(chats):
            supporter = await add_supporter(
                session,
                platform="telegram",
                user_hash=app.vault.lookup_hash("telegram", chat_id),
                user_id_enc=app.vault.encrypt_id(chat_id),
                chat_id_enc=app.vault.encrypt_id(chat_id),
                language="es" if n % 2 else "en",
                today=date(2026, 6, 1),
            )
            supporter.subscribed = True
            supporter.discreet = bool(discreet_every) and n % discreet_every == 0
    return chats


async def statuses(app) -> Counter[str]:
    async with app.sessions() as session:
        rows = await session.execute(
            select(Delivery.status, func.count()).group_by(Delivery.status)
        )
        return Counter({status: count for status, count in rows})


async def test_500_subscribers_get_exactly_one_message_each_in_their_language(
    app, chat, api, sender
) -> None:
    chats = await subscribe_many(app, 500, discreet_every=50)
    organiser = await publish_fixture(chat)
    assert "queued for 500 subscribers" in organiser.text
    worker = OutboxWorker(app, sender, rate_per_second=10_000)
    assert await worker.drain() == 500
    for n, chat_id in enumerate(chats):
        [message] = api.messages[chat_id]
        if n % 50 == 0:
            assert message.text == "You have a new message. Open it when it is safe for you."
            assert message.disable_notification
        elif n % 2:
            assert message.text.startswith("Nueva Acción Urgente: AU 45/26")
            assert "(Esta Acción Urgente aún no está disponible en tu idioma.)" in message.text
        else:
            assert message.text.startswith("New Urgent Action: UA 45/26")
            assert "TWO LAND DEFENDERS FACE TRUMPED-UP CHARGES" in message.text
        assert message.buttons()[0]["callback_data"] == "ua:1:1"
    assert await statuses(app) == {"sent": 500}
    progress = api.messages[ADMIN_ID][-1].text
    assert progress.startswith("Sent UA 45/26") and "500 / 500 sent" in progress
    assert await worker.drain() == 0


async def test_429_403_5xx_and_stalls_all_end_well(app, chat, api, sender, clock) -> None:
    chats = await subscribe_many(app, 40)
    await publish_fixture(chat)
    blocked = set(chats[:3])
    api.blocked |= blocked
    api.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    api.fail_next("sendMessage", 502, "Bad Gateway", times=3)
    api.stall_next("sendMessage", 1.5)
    worker = OutboxWorker(app, sender, rate_per_second=10_000, concurrency=4)
    await worker.drain()
    clock.advance(timedelta(minutes=10))  # the backoff of the 5xx retries has passed
    await worker.drain()
    counts = await statuses(app)
    assert counts == {"sent": 37, "blocked": 3}
    assert worker.figures.too_many_requests == 1
    assert worker.figures.retried == 3
    assert worker.figures.uncertain == 1
    for chat_id in chats:
        received = len(api.messages[chat_id])
        if chat_id in blocked:
            assert received == 0
        else:
            assert 1 <= received <= 2  # 2 only for the uncertain one
    assert sum(len(api.messages[c]) for c in chats) <= 38
    async with app.sessions() as session:
        inactive = await session.scalar(
            select(func.count()).select_from(Supporter).where(Supporter.active.is_(False))
        )
    assert inactive == 3
    progress = api.messages[ADMIN_ID][-1].text
    assert "blocked: 3" in progress and "uncertain: 1" in progress


async def test_persistent_5xx_ends_as_failed_with_the_reason(app, chat, api, sender, clock) -> None:
    await subscribe_many(app, 1)
    await publish_fixture(chat)
    api.fail_next("sendMessage", 500, "Internal Server Error", times=10)
    worker = OutboxWorker(app, sender, rate_per_second=10_000, max_attempts=3)
    for _ in range(4):
        await worker.drain()
        clock.advance(timedelta(minutes=10))
    async with app.sessions() as session:
        delivery = await session.scalar(select(Delivery))
    assert delivery.status == "failed"
    assert "Internal Server Error" in delivery.error


async def test_telegram_like_limits_are_respected_without_429(app, chat, api, sender) -> None:
    chats = await subscribe_many(app, 45)
    await publish_fixture(chat)
    api.enforce_limits(per_second=30, per_chat=1)
    worker = OutboxWorker(app, sender, rate_per_second=25)
    await worker.drain()
    assert api.too_many_requests == 0
    assert all(len(api.messages[c]) == 1 for c in chats)


async def test_a_worker_killed_mid_broadcast_is_taken_over_without_loss(
    app, chat, api, sender, clock
) -> None:
    chats = await subscribe_many(app, 300)
    await publish_fixture(chat)
    first = OutboxWorker(app, sender, rate_per_second=400, concurrency=8, batch=50)
    stop = asyncio.Event()
    running = asyncio.create_task(first.run(stop))
    await api.wait_total(100)
    running.cancel()  # killed mid-batch: leased rows stay "sending"
    with pytest.raises(asyncio.CancelledError):
        await running
    assert (await statuses(app))["sending"] > 0
    second = OutboxWorker(app, sender, rate_per_second=10_000)
    await second.drain()
    assert (await statuses(app))["sending"] > 0, "a live lease is not taken over early"
    clock.advance(timedelta(minutes=5))  # the dead worker's lease runs out
    await second.drain()
    assert await statuses(app) == {"sent": 300}
    received = [len(api.messages[c]) for c in chats]
    assert min(received) == 1
    repeats = sum(received) - len(chats)
    assert repeats <= 8, f"{repeats} repeats: only the 8 sends in flight when it died may repeat"


async def test_cancel_a_running_broadcast(app, chat, api, sender) -> None:
    await subscribe_many(app, 20)
    organiser = await publish_fixture(chat)
    await organiser.send("/broadcasts")
    assert "#1 UA 45/26: running, 0 / 20 sent" in organiser.text
    await organiser.send("/cancel 1")
    assert "Broadcast #1 stopped: 20 messages will not be sent." in organiser.text
    assert await OutboxWorker(app, sender).drain() == 0
    await organiser.send("/cancel 1")
    assert "Write /cancel followed by" in organiser.text
