"""The outbox worker through its own database's faults, on SQLite and PostgreSQL: a write
refused once, a database read-only (a failover on PostgreSQL, for real), and SIGTERM while
the database cannot take what the worker knows."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.broadcast import OutboxWorker
from storage.models import Delivery
from tests.conftest import publish_fixture, subscribe_many
from tests.database_faults import DatabaseFaults
from tests.fake_bot_api import FakeBotAPI
from tests.test_broadcast import statuses

Stopping = Callable[[], Awaitable[None]]


@contextlib.asynccontextmanager
async def broadcasting(app, sender, **worker) -> AsyncIterator[tuple[DatabaseFaults, Stopping]]:
    """A worker at Telegram's pace runs while the test makes its database fail; it must end
    within 10 s of being stopped (SIGTERM), whatever the database is doing."""
    stop = asyncio.Event()
    worker.setdefault("rate_per_second", 30)
    running = asyncio.create_task(OutboxWorker(app, sender, concurrency=4, **worker).run(stop))

    async def stopping() -> None:
        stop.set()
        await asyncio.wait_for(running, 10)

    with DatabaseFaults(app).watching() as faults:
        try:
            yield faults, stopping
        finally:
            await stopping()


def reached(api: FakeBotAPI, chats: list[int]) -> int:
    """Messages the subscribers in ``chats`` got, together."""
    return sum(len(api.messages[chat_id]) for chat_id in chats)


async def leases_run_out_and_each_has_one(app, sender, api, clock, chats: list[int]) -> None:
    """What a dead or stopped worker left is taken over; then each subscriber got the UA
    once, and the outbox says so."""
    clock.advance(timedelta(seconds=app.settings.broadcast.lease_seconds + 60))
    await OutboxWorker(app, sender, rate_per_second=10_000).drain()
    assert await statuses(app) == {"sent": len(chats)}
    assert [len(api.messages[chat_id]) for chat_id in chats] == [1] * len(chats)


async def test_an_outcome_write_refused_while_workers_wait_repeats_nothing(
    app, chat, api, sender, clock, caplog
) -> None:
    """Four workers wait for the recorder with two deliveries left: before, two of them found
    the queue empty, the round failed ("QueueEmpty") and the others' outcomes were lost."""
    chats = await subscribe_many(app, 6)
    await publish_fixture(chat)
    async with broadcasting(app, sender) as (faults, _):
        faults.refusing = True
        assert await api.wait_until(lambda: reached(api, chats) >= 4, 5)
        await asyncio.sleep(0.5)
        assert faults.refusals > 0
        faults.refusing = False
        assert await api.wait_until(lambda: reached(api, chats) >= 6, 10)
    await leases_run_out_and_each_has_one(app, sender, api, clock, chats)
    assert "outbox round failed" not in caplog.text


async def test_a_read_only_database_pauses_the_broadcast_and_loses_nothing(
    app, chat, api, sender, clock, caplog
) -> None:
    """A failover mid-broadcast (PostgreSQL read-only, then writable again): sending stops
    while outcomes cannot be written, goes on after, and nobody gets the UA twice."""
    chats = await subscribe_many(app, 40)
    await publish_fixture(chat)
    async with broadcasting(app, sender, batch=20) as (faults, _):
        await api.wait_until(lambda: reached(api, chats) >= 10, 10)
        async with faults.read_only():
            paused_at = api.total_sent()
            await asyncio.sleep(2)
            # What was in flight (4) and one per outcome written just before.
            assert api.total_sent() - paused_at <= 8, "sending went on with nowhere to record"
        assert await api.wait_until(lambda: reached(api, chats) >= 40, 30)
    await leases_run_out_and_each_has_one(app, sender, api, clock, chats)
    assert "outbox round failed" not in caplog.text


async def test_sigterm_while_the_database_is_read_only_ends_the_worker_and_keeps_outcomes(
    app, chat, api, sender, clock, caplog
) -> None:
    """Stopped while the database takes no writes: the worker ends within 10 s, keeps what it
    could not write in a file, and the next start writes it: no message is sent twice."""
    caplog.set_level(logging.INFO)
    chats = await subscribe_many(app, 30)
    await publish_fixture(chat)
    kept = app.settings.broadcast.outcomes_file
    async with broadcasting(app, sender, batch=30) as (faults, stopping):
        await api.wait_until(lambda: reached(api, chats) >= 10, 10)
        async with faults.read_only():
            await asyncio.sleep(0.5)
            await stopping()  # SIGTERM
            assert kept.exists(), "outcomes the database could not take are kept"
            assert "kept" in caplog.text
    reached_before = reached(api, chats)
    # The next start, before the leases run out: what was kept is written first.
    await OutboxWorker(app, sender, rate_per_second=10_000).drain()
    assert not kept.exists()
    await leases_run_out_and_each_has_one(app, sender, api, clock, chats)
    assert reached_before < 30, "the stop came mid-broadcast"


@pytest.mark.parametrize("content", ["{not json", '[{"delivery_id": "x"}]', "[]"])
async def test_a_damaged_file_of_kept_outcomes_is_set_aside_not_a_crash(
    app, chat, api, sender, content, caplog
) -> None:
    chats = await subscribe_many(app, 3)
    await publish_fixture(chat)
    kept = app.settings.broadcast.outcomes_file
    kept.write_text(content, encoding="utf-8")
    await OutboxWorker(app, sender, rate_per_second=10_000).drain()
    assert [len(api.messages[c]) for c in chats] == [1] * 3
    assert not kept.exists()
    if content != "[]":
        assert "could not be read" in caplog.text


async def test_deliveries_handed_back_on_stop_keep_their_count_of_attempts(
    app, chat, api, sender
) -> None:
    """A stop is no attempt: a helper saw 35 of 60 reminders at two attempts after one
    lost lock, and five stops in a row would have failed a delivery never tried."""
    chats = await subscribe_many(app, 40)
    await publish_fixture(chat)
    async with broadcasting(app, sender, batch=40) as (_, stopping):
        await api.wait_until(lambda: reached(api, chats) >= 5, 10)
        await stopping()
    async with app.sessions() as session:
        rows = (await session.execute(select(Delivery.status, Delivery.attempts))).all()
    handed_back = [attempts for status, attempts in rows if status == "pending"]
    assert handed_back, "the stop came mid-batch"
    assert set(handed_back) == {0}
    assert {attempts for status, attempts in rows if status == "sent"} == {1}
