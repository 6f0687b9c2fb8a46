"""One send budget for all processes of a bot, through their PostgreSQL database: slots
spaced at the bot's rate whichever process takes them, replies first, a 429 seen by one
pausing all; and two processes, one broadcasting and one answering, kept within
Telegram's limits together."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from bot.app import build_app
from bot.broadcast import OutboxWorker
from bot.channels.telegram import ChatOrder, handle_event
from bot.dispatcher import Dispatcher
from bot.shared_budget import SharedBudget
from storage.send_budget import Slot, pause_all, take_slot
from tests.conftest import POSTGRES_URL, publish_fixture, subscribe_many

pytestmark = [
    pytest.mark.skipif(not POSTGRES_URL, reason="UABOT_TEST_POSTGRES_URL not set"),
    pytest.mark.timed,
]


@pytest.fixture
async def engine(app):
    if app.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serves one process: its own pacer is the whole budget")
    return app.engine.execution_options(isolation_level="AUTOCOMMIT")


async def test_slots_follow_each_other_at_the_rate_whoever_takes_them(engine) -> None:
    waits = []
    for _ in range(4):
        async with engine.connect() as connection:
            slot = await take_slot(connection, interval=1.0, reply=True)
        assert slot.granted
        waits.append(slot.wait)
    # Computed by the database from one row: 0, 1, 2, 3 s ahead, less the statements' time.
    assert waits[0] < 0.5
    assert all(0.5 < b - a <= 1.0 for a, b in itertools.pairwise(waits))


async def test_a_broadcast_message_waits_behind_replies_holding_slots(engine) -> None:
    async with engine.connect() as connection:
        for _ in range(3):
            assert (await take_slot(connection, interval=1.0, reply=True)).granted
        broadcast = await take_slot(connection, interval=1.0, reply=False)
        assert not broadcast.granted
        assert (await take_slot(connection, interval=1.0, reply=True)).granted, "replies go on"


async def test_a_429_seen_by_one_process_pauses_every_process(engine) -> None:
    async with engine.connect() as connection:
        await pause_all(connection, 30)
        broadcast = await take_slot(connection, interval=0.01, reply=False)
        reply = await take_slot(connection, interval=0.01, reply=True)
    # The broadcast message waits out the pause in one sleep, not a slot's length at a time.
    assert not broadcast.granted and broadcast.wait > 25
    assert reply.granted and reply.wait > 25


async def test_a_budget_row_gone_holds_no_message(engine) -> None:
    from sqlalchemy import text

    async with engine.connect() as connection:
        await connection.execute(text("DELETE FROM send_budget"))
        for reply in (True, False):
            assert await take_slot(connection, interval=1.0, reply=reply) == Slot(True, 0.0)


async def test_an_unreachable_budget_never_holds_a_reply(app) -> None:
    if app.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    from sqlalchemy.ext.asyncio import create_async_engine

    nowhere = create_async_engine("postgresql+asyncpg://nobody@127.0.0.1:9/none")
    try:
        await asyncio.wait_for(SharedBudget(nowhere, 30).turn(reply=True), 5)
    finally:
        await nowhere.dispose()


def open_actions(user: int, update_id: int) -> dict:
    """A supporter asking for the open actions: one reply."""
    chat = {"id": user, "type": "private", "first_name": "S"}
    person = {"id": user, "is_bot": False, "first_name": "S", "language_code": "en"}
    message = {"message_id": update_id, "date": 0, "chat": chat, "text": "/actions"}
    return {"update_id": update_id, "message": {**message, "from": person}}


async def test_two_processes_broadcasting_and_answering_stay_within_telegram_s_limit(
    app, chat, api, sender, settings, secret_key, clock
) -> None:
    """The leader broadcasts at 30/s while the other process answers supporters: each on
    its own budget, the fake (30 in any second, like Telegram) refused dozens; on one
    budget, none."""
    if app.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    chats = await subscribe_many(app, 120)
    await publish_fixture(chat)
    leader = await build_app(settings, secret_key=secret_key, clock=clock, serving=True)
    other = await build_app(settings, secret_key=secret_key, clock=clock, serving=True)
    api.enforce_limits(per_second=30, per_chat=1)
    core, order = Dispatcher(other), ChatOrder()
    updates = itertools.count(900_000_001)  # far from the ids the Chat helper used
    people = range(7_700_000, 7_700_030)

    async def supporters_asking() -> None:
        answers = []
        for _ in range(3):
            for person in people:
                await asyncio.sleep(0.05)
                update = open_actions(person, next(updates))
                answers.append(asyncio.create_task(handle_event(core, sender, order, update)))
        await asyncio.gather(*answers)

    try:
        asking = asyncio.create_task(supporters_asking())
        await OutboxWorker(leader, sender).drain()
        await asking
        assert await api.wait_until(lambda: all(len(api.messages[p]) == 3 for p in people), 30)
    finally:
        await leader.close()
        await other.close()
    assert [len(api.messages[c]) for c in chats] == [1] * 120
    assert api.too_many_requests == 0
