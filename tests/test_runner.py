"""``uabot run``'s background work with several processes on one PostgreSQL database: one
leader at a time runs the outbox worker and the scheduler, and one that loses its lock
stops before another starts."""

from __future__ import annotations

import asyncio
import itertools
import signal
import time

import pytest
from sqlalchemy import func, select, text

from bot.app import build_app
from bot.dispatcher import Dispatcher
from bot.runner import run_background
from storage.crypto import generate_secret_key
from storage.database import WORKER_LOCK, create_engine
from storage.models import Supporter
from tests.conftest import POSTGRES_URL, Chat, publish_fixture, subscribe_many
from tests.fake_bot_api import FakeBotAPI
from tests.live import queue_future_ua, start_webhook_process

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="UABOT_TEST_POSTGRES_URL not set")


class Watched:
    """A sender that notes which process sent to whom, and when."""

    def __init__(self, sender, name: str, log: list[tuple[str, int, float]]) -> None:
        self.sender, self.name, self.log = sender, name, log

    async def send_text(self, chat_id, text_, *args, **kwargs):
        self.log.append((self.name, chat_id, time.monotonic()))
        return await self.sender.send_text(chat_id, text_, *args, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self.sender, name)


async def terminate_the_leader_s_lock_connection() -> int:
    """What a database restart, a pooler or an idle timeout does to one connection: ends
    the session holding the leader's lock in this worker's database."""
    assert POSTGRES_URL
    admin = create_engine(POSTGRES_URL)
    try:
        async with admin.connect() as connection:
            ended = await connection.scalar(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_locks "
                    "WHERE locktype = 'advisory' AND objid = :low AND classid = :high "
                    # Advisory locks are per database: the other xdist worker's leader
                    # holds the same key in its own database, and is not ours to end.
                    "AND database = (SELECT oid FROM pg_database "
                    "WHERE datname = current_database())"
                ),
                {"low": WORKER_LOCK & 0xFFFF_FFFF, "high": WORKER_LOCK >> 32},
            )
    finally:
        await admin.dispose()
    return int(ended or 0)


@pytest.mark.slow
async def test_a_leader_that_loses_its_lock_stops_before_another_takes_over(
    app, chat, api, sender, settings, secret_key, clock, caplog
) -> None:
    if app.engine.dialect.name != "postgresql":
        pytest.skip("an SQLite database has one process, always the leader")
    chats = await subscribe_many(app, 150)
    await publish_fixture(chat)
    second = await build_app(settings, secret_key=secret_key, clock=clock)
    sends: list[tuple[str, int, float]] = []
    stop = asyncio.Event()
    first_process = asyncio.create_task(run_background(app, Watched(sender, "first", sends), stop))
    try:
        await api.wait_until(lambda: sum(len(api.messages[c]) for c in chats) >= 20, 20)
        second_process = asyncio.create_task(
            run_background(second, Watched(sender, "second", sends), stop)
        )
        await asyncio.sleep(0.5)  # the second tries the lock and finds it taken
        assert await terminate_the_leader_s_lock_connection() == 1
        reached = await api.wait_until(lambda: all(api.messages[c] for c in chats), 60)
        assert reached, f"{sum(1 for c in chats if api.messages[c])} of 150 reached"
    finally:
        stop.set()
        await asyncio.wait_for(first_process, 15)
        await asyncio.wait_for(second_process, 15)
        await second.close()
    assert "no longer the leader: outbox worker and scheduler stopped" in caplog.text
    # Whoever leads next (the first may win its lock back), one process sends at a time.
    senders = [name for name, chat_id, _ in sorted(sends, key=lambda s: s[2]) if chat_id in chats]
    switches = sum(1 for a, b in itertools.pairwise(senders) if a != b)
    assert switches <= 1, "both processes sent at once"
    assert [len(api.messages[c]) for c in chats] == [1] * 150


@pytest.mark.slow
async def test_a_lone_leader_whose_lock_connection_ends_leads_again_and_loses_nothing(
    app, chat, api, sender
) -> None:
    if app.engine.dialect.name != "postgresql":
        pytest.skip("an SQLite database has one process, always the leader")
    chats = await subscribe_many(app, 90)
    await publish_fixture(chat)
    stop = asyncio.Event()
    process = asyncio.create_task(run_background(app, sender, stop))
    try:
        await api.wait_until(lambda: sum(len(api.messages[c]) for c in chats) >= 20, 20)
        assert await terminate_the_leader_s_lock_connection() == 1
        assert await api.wait_until(lambda: all(api.messages[c] for c in chats), 60)
        assert not process.done(), "the process stays up"
    finally:
        stop.set()
        await asyncio.wait_for(process, 15)
    assert [len(api.messages[c]) for c in chats] == [1] * 90


async def test_a_new_person_s_first_updates_at_two_processes_are_both_answered_and_kept(
    app, settings, secret_key, clock
) -> None:
    """/start at one process and /subscribe at the other, at once, from someone new: both
    wrote the person's row, one lost on the unique key and was dropped as a "duplicate"
    (12 of 30 lost an answer, 6 subscriptions were lost)."""
    if app.engine.dialect.name != "postgresql":
        pytest.skip("an SQLite database has one process")
    second = await build_app(settings, secret_key=secret_key, clock=clock)
    try:
        people = range(8_800_000, 8_800_030)
        first_chats = [Chat(Dispatcher(app), person) for person in people]
        second_chats = [Chat(Dispatcher(second), person) for person in people]
        await asyncio.gather(
            *(c.send("/start") for c in first_chats),
            *(c.send("/subscribe") for c in second_chats),
        )
    finally:
        await second.close()
    assert all("Welcome!" in c.text for c in first_chats)
    assert all(c.replies for c in second_chats), "every /subscribe is answered"
    async with app.sessions() as session:
        subscribed = await session.scalar(
            select(func.count()).select_from(Supporter).where(Supporter.subscribed.is_(True))
        )
        rows = await session.scalar(select(func.count()).select_from(Supporter))
    assert (rows, subscribed) == (30, 30)


@pytest.mark.timed
async def test_two_uabot_run_processes_send_within_telegram_s_limit_through_a_failover(
    database_url, tmp_path
) -> None:
    """Two ``uabot run`` processes behind a load balancer on one database, a broadcast
    queued and supporters pressing at both meanwhile, the leader's lock connection ended
    mid-broadcast; Telegram's limits (30 in any second, 1 a second in a chat) enforced
    across both. Everyone gets the UA once, every supporter an answer, and no 429."""
    if not database_url.startswith("postgresql"):
        pytest.skip("several processes need PostgreSQL")
    api = FakeBotAPI()
    await api.start()
    api.enforce_limits(per_second=30, per_chat=1)
    key = generate_secret_key()
    chats = await queue_future_ua(database_url, key, 150)
    processes, urls = [], []
    try:
        for name in ("first", "second"):
            (tmp_path / name).mkdir()
            process, url = await start_webhook_process(api, database_url, key, tmp_path / name)
            processes.append(process)
            urls.append(url)
        api.balance_between(urls)
        people = range(6_600_000, 6_600_040)
        for person in people:  # 40 supporters at 10 a second, at one process or the other
            await api.user_sends(person, "/actions")
            await asyncio.sleep(0.1)
            if person == people[15]:
                assert await terminate_the_leader_s_lock_connection() == 1
        assert await api.wait_until(lambda: all(api.messages[p] for p in people), 30)
        assert await api.wait_until(lambda: all(api.messages[c] for c in chats), 60)
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            await asyncio.wait_for(process.wait(), 30)
        await api.stop()
    assert [len(api.messages[c]) for c in chats] == [1] * 150
    assert api.too_many_requests == 0
    assert [process.returncode for process in processes] == [0, 0]
