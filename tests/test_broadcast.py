"""The outbox worker against the fake Bot API over real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import random
import re
from collections import Counter
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.app import App, build_app
from bot.broadcast import OutboxWorker
from bot.broadcast_progress import RECENT_SENDS_KEPT
from bot.config import ChannelTarget, Settings
from handlers.clock import FixedClock
from handlers.contract import Text
from storage.audience import audience_weeks
from storage.crypto import generate_secret_key
from storage.models import ChannelPost, Delivery, Supporter
from storage.outbox import UNCERTAIN, publish_and_queue
from storage.uas import save_draft
from tests.conftest import (
    ADMIN_ID,
    FIRST_CHAT,
    START,
    count,
    fixture_bytes,
    publish_fixture,
    subscribe_many,
)
from tests.database_faults import DatabaseFaults
from uareader.document import parse_text


async def statuses(app) -> Counter[str]:
    async with app.sessions() as session:
        rows = await session.execute(
            select(Delivery.status, func.count()).group_by(Delivery.status)
        )
        return Counter({status: number for status, number in rows})


async def kill_a_worker_mid_batch(app, sender, api, after: int, **worker) -> None:
    """A worker cancelled once ``after`` messages went out: its leased rows stay "sending"."""
    first = OutboxWorker(app, sender, rate_per_second=400, **worker)
    running = asyncio.create_task(first.run(asyncio.Event()))
    await api.wait_total(after)
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    assert (await statuses(app))["sending"] > 0


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
    # What the worker keeps of its sends is bounded, whether or not anyone follows along.
    assert len(worker.figures.recent) <= worker.figures.recent.maxlen == RECENT_SENDS_KEPT
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
    async with app.sessions() as session:
        this_week = (await audience_weeks(session, app.today(), weeks=1))[0][1]
    assert this_week["blocked"] == 3  # counted once each, when their 403 came
    progress = api.messages[ADMIN_ID][-1].text
    assert "blocked: 3" in progress and "uncertain: 1" in progress


async def test_a_spanish_organiser_follows_the_broadcast_in_spanish(app, chat, api, sender) -> None:
    chats = await subscribe_many(app, 4)
    api.blocked.add(chats[0])
    organiser = chat(ADMIN_ID, "es")
    await organiser.upload("ua.txt", fixture_bytes("ua-en-two-targets.txt"))
    await organiser.press("Publicar")
    assert organiser.text == "¿Enviar la AU 45/26 ahora a 4 personas suscritas?"
    await organiser.press("Sí, enviarla")
    await OutboxWorker(app, sender, rate_per_second=10_000).drain()
    progress = api.messages[ADMIN_ID][-1].text
    assert progress.startswith("AU 45/26 enviada"), progress
    assert re.search(r"3 / 4 enviados · [\d.]+,\d/s", progress), progress  # 0,1 not 0.1
    assert "bloqueados: 1 · fallidos: 0 · inciertos: 0" in progress


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


@pytest.mark.timed
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
    # 125: in the middle of the third batch of 50 (the boundary would show nothing leased).
    await kill_a_worker_mid_batch(app, sender, api, after=125, concurrency=8, batch=50)
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


async def test_a_published_ua_is_also_posted_to_the_configured_channels(
    app, chat, api, sender, clock
) -> None:
    app.settings.broadcast.channels = [
        ChannelTarget(chat="@ua_news_en", language="en"),
        ChannelTarget(chat=-1001234567890, language="es"),
        ChannelTarget(chat="@ua_not_admin", language="en"),
    ]
    api.blocked.add("@ua_not_admin")  # the bot is not allowed to post there
    await subscribe_many(app, 3)
    await publish_fixture(chat, "ua-es-two-targets.txt")
    api.fail_next("sendMessage", 502, "Bad Gateway")  # the first channel post is retried
    worker = OutboxWorker(app, sender, rate_per_second=10_000)
    await worker.drain()
    clock.advance(timedelta(minutes=1))
    await worker.drain()
    [english] = api.messages["@ua_news_en"]
    [spanish] = api.messages[-1001234567890]
    assert english.text.startswith("New Urgent Action: UA 45/26")
    assert spanish.text.startswith("Nueva Acción Urgente: AU 45/26")
    assert "DEFENSORES" in spanish.text.upper()
    for post in (english, spanish):
        [button] = post.buttons()
        assert button["url"] == "https://t.me/uabot_test_bot?start=ua-45-26"
    async with app.sessions() as session:
        posts = {p.chat: p for p in await session.scalars(select(ChannelPost))}
    assert posts["@ua_news_en"].status == "sent" and posts["@ua_news_en"].attempts == 2
    assert posts["-1001234567890"].status == "sent"
    assert posts["@ua_not_admin"].status == "failed"
    assert posts["@ua_not_admin"].error == "the bot may not post in this channel"
    assert await statuses(app) == {"sent": 3}
    assert await worker.drain() == 0 and await worker.post_to_channels() == 0


async def test_a_deep_link_from_a_channel_post_opens_the_walkthrough(app, chat) -> None:
    await publish_fixture(chat)
    reader = chat(31_337)
    await reader.send("/start ua-45-26")
    assert reader.text.startswith("Step 1 of 5\n\nUA 45/26")


@pytest.mark.slow
async def test_random_5xx_timeouts_and_429_bursts_still_reach_everyone(
    app, chat, api, sender, clock
) -> None:
    chats = await subscribe_many(app, 1_000)
    await publish_fixture(chat)
    seed = random.randrange(1_000_000)
    api.chaos("sendMessage", share=0.05, stall=1.2, seed=seed, burst_every=300, burst_length=5)
    worker = OutboxWorker(app, sender, rate_per_second=10_000)
    for _ in range(10):
        await worker.drain()
        clock.advance(timedelta(minutes=10))  # the backoff of the retries has passed
    counts = await statuses(app)
    injected = api.chaos_injected("sendMessage")
    assert injected["502"] and injected["stall"] and injected["429"], f"seed {seed}"
    assert set(counts) <= {"sent", "failed"}, f"seed {seed}: {counts} left unfinished"
    async with app.sessions() as session:
        failed = list(await session.scalars(select(Delivery).where(Delivery.status == "failed")))
    # Only a delivery that timed out twice is given up, and the fake carried both out.
    assert all(delivery.error == UNCERTAIN for delivery in failed), f"seed {seed}"
    assert all(api.messages[chat_id] for chat_id in chats), f"seed {seed}: someone got nothing"
    assert worker.figures.too_many_requests == injected["429"]


async def test_a_burst_of_sends_reaches_telegram_a_few_dozen_at_a_time(api, dispatcher) -> None:
    """300 messages at once through PTB while Telegram takes 0.1 s over each: all arrive,
    never more than ``CONCURRENT_REQUESTS`` with Telegram at once (httpx's pool costs more
    CPU per request the more there are)."""
    from bot.channels.ptb_channel import CONCURRENT_REQUESTS, PTBChannel

    channel = PTBChannel(dispatcher, api.token, api.base_url)
    await channel.application.initialize()
    try:
        api.stall_next("sendMessage", 0.1, times=300)
        sends = (channel.sender.send_text(FIRST_CHAT + n, Text("Hi")) for n in range(300))
        results = await asyncio.gather(*sends, return_exceptions=True)
    finally:
        await channel.application.shutdown()
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert sum(len(api.messages[FIRST_CHAT + n]) for n in range(300)) == 300
    assert api.most_answering == CONCURRENT_REQUESTS


@pytest.mark.parametrize(
    ("status", "description", "outcome"),
    [
        (409, "Conflict: terminated by other getUpdates request", "sent"),
        (413, "Request Entity Too Large", "failed"),
        (429, "Too Many Requests", "sent"),  # a 429 without retry_after
        # PostgreSQL stores no NUL: the outcome could not be written and the worker hung
        (400, "Bad Request: chat\x00 not found", "failed"),
    ],
)
async def test_an_unforeseen_answer_concerns_one_row_and_nobody_gets_the_ua_twice(
    app, chat, api, any_sender, clock, status, description, outcome
) -> None:
    chats = await subscribe_many(app, 30)
    await publish_fixture(chat)
    api.fail_next("sendMessage", status, description)
    worker = OutboxWorker(app, any_sender, rate_per_second=10_000, concurrency=4)
    await worker.drain()
    clock.advance(timedelta(minutes=10))  # a retry's backoff has passed
    await worker.drain()
    received = sorted(len(api.messages[c]) for c in chats)
    assert received == ([0] + [1] * 29 if outcome == "failed" else [1] * 30)
    assert await statuses(app) == (
        {"sent": 29, "failed": 1} if outcome == "failed" else {"sent": 30}
    )
    async with app.sessions() as session:
        errors = list(await session.scalars(select(Delivery.error).where(Delivery.error != "")))
    assert all("\x00" not in error for error in errors)


async def test_ids_that_cannot_be_decrypted_fail_alone(app, chat, api, sender) -> None:
    chats = await subscribe_many(app, 20)
    await publish_fixture(chat)
    async with app.sessions() as session, session.begin():
        unreadable = (await session.scalars(select(Supporter).order_by(Supporter.id))).all()[:3]
        for supporter in unreadable:
            supporter.chat_id_enc = "written-under-an-old-key"
    worker = OutboxWorker(app, sender, rate_per_second=10_000, concurrency=4, batch=5)
    await worker.drain()
    assert await statuses(app) == {"sent": 17, "failed": 3}
    assert sum(len(api.messages[c]) for c in chats) == 17
    async with app.sessions() as session:
        errors = set(
            await session.scalars(select(Delivery.error).where(Delivery.status == "failed"))
        )
    assert errors == {"the chat id cannot be decrypted"}


async def test_a_title_of_any_length_is_announced_within_telegram_s_limit(
    app, chat, api, sender
) -> None:
    [subscriber] = await subscribe_many(app, 1)
    document = fixture_bytes("ua-en-two-targets.txt").decode()
    document = document.replace(
        "TWO LAND DEFENDERS FACE TRUMPED-UP CHARGES", "VERY LONG TITLE " * 400
    )
    organiser = chat(ADMIN_ID)
    await organiser.upload("long.txt", document.encode())
    await organiser.press("Publish")
    await organiser.press("Yes, send it")
    await OutboxWorker(app, sender, rate_per_second=10_000).drain()
    [message] = api.messages[subscriber]
    assert len(message.text) <= 4096 and "VERY LONG TITLE" in message.text
    assert await statuses(app) == {"sent": 1}


async def test_a_clock_stepped_back_does_not_stall_a_dead_worker_s_rows(
    app, chat, api, sender, clock
) -> None:
    chats = await subscribe_many(app, 100)
    await publish_fixture(chat)
    await kill_a_worker_mid_batch(app, sender, api, after=20, concurrency=4, batch=40)
    clock.set(clock.now() - timedelta(hours=1))  # NTP steps the clock back an hour
    await OutboxWorker(app, sender, rate_per_second=10_000).drain()
    assert await statuses(app) == {"sent": 100}
    assert min(len(api.messages[c]) for c in chats) == 1


async def test_while_outcomes_cannot_be_written_nothing_more_is_sent(
    app, chat, api, sender
) -> None:
    from sqlalchemy import event
    from sqlalchemy.exc import OperationalError

    chats = await subscribe_many(app, 120)
    await publish_fixture(chat)
    disk_full = asyncio.Event()

    def refuse_writes(conn, cursor, statement, parameters, context, executemany) -> None:
        if disk_full.is_set() and statement.lstrip().upper().startswith("UPDATE DELIVERIES"):
            raise OperationalError(statement, parameters, Exception("database or disk is full"))

    event.listen(app.engine.sync_engine, "before_cursor_execute", refuse_writes)
    worker = OutboxWorker(app, sender, rate_per_second=30, concurrency=4, batch=60)
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    try:
        await api.wait_total(10)
        disk_full.set()  # mid-batch: 50 of its 60 messages are still to go
        sent_when_full = api.total_sent()
        await asyncio.sleep(2.5)
        # At most what was in flight (4 at once) and one per outcome written meanwhile.
        assert api.total_sent() - sent_when_full <= 8, "sending went on with nowhere to record"
        disk_full.clear()
        await api.wait_total(120, timeout=30)
        assert await api.wait_until(lambda: False, timeout=0.5) is False  # let it settle
        assert (await statuses(app)) == {"sent": 120}
    finally:
        stop.set()
        await running
        event.remove(app.engine.sync_engine, "before_cursor_execute", refuse_writes)
    assert sorted(len(api.messages[c]) for c in chats) == [1] * 120


_examples = itertools.count(1)
#: One step of a broadcast's life: Telegram refusing, a send timing out after it arrived,
#: the worker killed after some sends, a worker running until nothing is due, or its own
#: database failing under it: an outcome write refused once ("once"), no outcome written for
#: a while ("away": disk full, read-only), or SIGTERM while none can be ("stop").
_STEPS = st.one_of(
    st.tuples(st.just("fail"), st.sampled_from([500, 502, 409, 429]), st.integers(1, 3)),
    st.tuples(st.just("stall"), st.just(0), st.just(1)),
    st.tuples(st.just("crash"), st.integers(1, 12), st.just(0)),
    st.tuples(st.just("run"), st.just(0), st.just(0)),
    st.tuples(st.sampled_from(["once", "away", "stop"]), st.integers(1, 12), st.integers(1, 3)),
)


async def _database_fault(app, sender, api, kind: str, after: int, tenths: int) -> None:
    """A worker runs; after ``after`` sends its database fails as ``kind`` says, for
    ``tenths`` tenths of a second. SIGTERM ("stop") must end the worker within 10 s."""
    stop = asyncio.Event()
    before = api.total_sent()
    with DatabaseFaults(app).watching() as faults:
        worker = OutboxWorker(app, sender, rate_per_second=400, concurrency=4)
        running = asyncio.create_task(worker.run(stop, idle=0.05))
        await api.wait_until(lambda: api.total_sent() >= before + after, 5)
        if kind == "once":
            faults.refuse_next = 1
        else:
            faults.refusing = True
        await asyncio.sleep(tenths / 10)
        if kind == "stop":
            stop.set()
            await asyncio.wait_for(running, 10)
        faults.refusing = False
        stop.set()
        await asyncio.wait_for(running, 10)


async def _fresh_broadcast(folder, subscribers: int) -> tuple[App, FixedClock, list[int]]:
    """A new database with ``subscribers`` queued for a published UA; chat ids of its own."""
    clock = FixedClock(START)
    settings = Settings.model_validate(
        {
            "database": {"url": f"sqlite+aiosqlite:///{folder}/s.db"},
            "broadcast": {"outcomes_file": str(folder / "unwritten-outcomes.json")},
        }
    )
    app = await build_app(settings, secret_key=generate_secret_key(), clock=clock)
    chats = await subscribe_many(app, subscribers, first=5_000_000 + next(_examples) * 1_000)
    async with app.sessions() as session, session.begin():
        update = await save_draft(
            session, parse_text(fixture_bytes("ua-en-two-targets.txt").decode()), "en"
        )
        await publish_and_queue(session, update, requested_by=None, channels=[], now=clock.now())
    return app, clock, chats


@pytest.mark.slow
@settings(
    max_examples=int(os.environ.get("UABOT_BROADCAST_EXAMPLES", "12")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(_STEPS, min_size=1, max_size=6))
async def test_a_broadcast_through_any_failures_and_crashes_reaches_everyone_once(
    tmp_path_factory, api, sender, steps
) -> None:
    concurrency = 4
    api.forget_faults()  # the fake outlives an example: a fault the last one left is not ours
    app, clock, chats = await _fresh_broadcast(tmp_path_factory.mktemp("broadcast"), 40)
    crashes = stalls = 0
    try:
        for kind, value, times in steps:
            if kind == "fail":
                retry_after = 1 if value == 429 else None
                api.fail_next("sendMessage", value, f"error {value}", times, retry_after)
            elif kind == "stall":
                api.stall_next("sendMessage", 1.5)  # the client gives up at 1 s; it arrives
                stalls += 1
            elif kind == "crash":
                before = api.total_sent()
                worker = OutboxWorker(app, sender, rate_per_second=400, concurrency=concurrency)
                running = asyncio.create_task(worker.run(asyncio.Event()))
                await api.wait_until(lambda n=value, b=before: api.total_sent() >= b + n, 5)
                running.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await running
                crashes += 1
            elif kind == "run":
                await OutboxWorker(app, sender, rate_per_second=10_000, max_attempts=10).drain()
            else:
                await _database_fault(app, sender, api, kind, value, times)
        for _ in range(12):  # leases run out and backoffs pass; a last worker finishes
            clock.advance(timedelta(minutes=10))
            await OutboxWorker(app, sender, rate_per_second=10_000, max_attempts=10).drain()
        # A send that timed out twice is given up as uncertain (the fake carried both out):
        # two of the stalls must have met the same delivery.
        given_up = await count(
            app, Delivery, Delivery.status == "failed", Delivery.error == UNCERTAIN
        )
        assert given_up <= stalls // 2
        expected = Counter({"sent": len(chats) - given_up, "failed": given_up})
        assert await statuses(app) == +expected
        received = [len(api.messages[chat_id]) for chat_id in chats]
        assert min(received) == 1, "every subscriber is reached"
        repeats = sum(received) - len(chats)
        # A database fault repeats nothing: outcomes wait, or are kept in a file.
        assert repeats <= crashes * concurrency + stalls, (
            f"{repeats} repeats: only sends in flight at a crash, or that timed out, may repeat"
        )
        assert not app.settings.broadcast.outcomes_file.exists(), "kept outcomes are written"
    finally:
        await app.close()


class _NoCallsInTransactions:
    """A sender that fails the test if it is called while a database transaction is open:
    on SQLite that would hold every update's write lock for a round trip to Telegram."""

    def __init__(self, sender, engine) -> None:
        from sqlalchemy import event

        self.sender, self.open = sender, 0
        event.listen(engine.sync_engine, "begin", self._began)
        for name in ("commit", "rollback"):
            event.listen(engine.sync_engine, name, self._ended)

    def _began(self, _connection) -> None:
        self.open += 1

    def _ended(self, _connection) -> None:
        self.open -= 1

    def __getattr__(self, name: str):
        call = getattr(self.sender, name)

        async def checked(*args, **kwargs):
            assert self.open == 0, f"{name} called inside a database transaction"
            return await call(*args, **kwargs)

        return checked


async def test_no_telegram_call_is_made_inside_a_transaction(app, chat, api, sender) -> None:
    await subscribe_many(app, 30)
    await publish_fixture(chat)
    watched = _NoCallsInTransactions(sender, app.engine)
    worker = OutboxWorker(app, watched, rate_per_second=10_000, progress_interval=0)
    await worker.drain()
    assert await statuses(app) == {"sent": 30}
    assert "Sent UA 45/26" in api.messages[ADMIN_ID][-1].text  # the progress message, too


async def test_a_ua_closed_mid_broadcast_is_not_sent_further(app, chat, api, sender) -> None:
    """The worker reads each batch's UA afresh: what an organiser changes in the chat is
    seen at the next batch, not at the worker's next restart."""
    chats = await subscribe_many(app, 6)
    organiser = await publish_fixture(chat)
    worker = OutboxWorker(app, sender, rate_per_second=10_000, batch=2)
    assert await worker.run_once() == 2
    await organiser.send("/close 45/26")
    assert "UA 45/26 is closed." in organiser.text
    await worker.drain()
    assert await statuses(app) == {"sent": 2, "expired": 4}
    assert sum(len(api.messages[chat_id]) for chat_id in chats) == 2


async def test_an_ok_answer_that_is_no_message_counts_as_sent_once(
    app, chat, api, any_sender
) -> None:
    chats = await subscribe_many(app, 10)
    await publish_fixture(chat)
    api.odd_result_next("sendMessage", "garbage", times=3)
    await OutboxWorker(app, any_sender, rate_per_second=10_000, concurrency=2).drain()
    assert sorted(len(api.messages[c]) for c in chats) == [1] * 10
    assert await statuses(app) == {"sent": 10}


async def test_progress_is_read_without_holding_the_write_lock(app, chat, api, sender) -> None:
    """Every update takes the write lock on SQLite; counting a broadcast to a million under
    it held them all for 140 ms every 3 s. A running broadcast's progress now needs the
    lock only to keep a new progress message's id, or to mark the broadcast finished."""
    await subscribe_many(app, 30)
    await publish_fixture(chat)
    worker = OutboxWorker(app, sender, rate_per_second=10_000, batch=10)
    await worker.run_once()
    await worker.report_progress(force=True)  # the first progress message: its id is kept
    if isinstance(app.write_lock, asyncio.Lock):
        async with app.write_lock:
            await asyncio.wait_for(worker.report_progress(force=True), 5)
    assert "10 / 30 sent" in api.messages[ADMIN_ID][-1].text
    await worker.drain()
    assert api.messages[ADMIN_ID][-1].text.startswith("Sent UA 45/26")


@pytest.fixture
def small_batches(monkeypatch) -> int:
    """Subscribers queued 7 at a time: a large list's path with a small one."""
    import storage.outbox

    monkeypatch.setattr(storage.outbox, "ENQUEUE_BATCH", 7)
    return 7


async def test_a_large_list_is_queued_in_batches_and_reached_once(
    app, chat, api, sender, small_batches
) -> None:
    """A million queued in the publishing transaction held SQLite's write lock, and every
    update behind it, for 2.4 s: the first batch is queued there, the worker the rest."""
    chats = await subscribe_many(app, 30)
    organiser = await publish_fixture(chat)
    assert "queued for 30 subscribers" in organiser.text
    assert await count(app, Delivery) == small_batches
    worker = OutboxWorker(app, sender, rate_per_second=10_000, batch=5)
    await worker.run_once()
    await worker.report_progress(force=True)
    progress = api.messages[ADMIN_ID][-1].text
    assert progress.startswith("Sending UA 45/26"), "not finished while some are unqueued"
    await worker.drain()
    assert [len(api.messages[c]) for c in chats] == [1] * 30
    assert await statuses(app) == {"sent": 30}
    assert api.messages[ADMIN_ID][-1].text.startswith("Sent UA 45/26")


async def test_those_who_acted_before_go_first_wherever_they_are_in_a_large_list(
    app, chat, api, sender, small_batches
) -> None:
    await subscribe_many(app, 20)
    await publish_fixture(chat)
    await OutboxWorker(app, sender, rate_per_second=10_000).drain()
    acted = chat(FIRST_CHAT + 18)  # in the last batch of 7
    await acted.open_step("45/26", 5)
    await acted.press("I sent a letter")
    admin = chat(ADMIN_ID)
    await admin.upload("second.txt", fixture_bytes("ua-en-second-update.txt"))
    await admin.press("Publish")
    await admin.press("Yes, send it")
    api.messages.clear()
    await OutboxWorker(app, sender, rate_per_second=10_000, concurrency=1, batch=1).drain()
    order = [
        chat_id
        for chat_id, _ in sorted(
            ((c, m.message_id) for c, ms in api.messages.items() for m in ms if c != ADMIN_ID),
            key=lambda pair: pair[1],
        )
    ]
    assert order[0] == FIRST_CHAT + 18 and len(order) == 20


async def test_a_cancelled_large_broadcast_queues_no_more(
    app, chat, api, sender, small_batches
) -> None:
    await subscribe_many(app, 30)
    organiser = await publish_fixture(chat)
    await organiser.send("/cancel 1")
    assert "Broadcast #1 stopped" in organiser.text
    assert await OutboxWorker(app, sender).drain() == 0
    assert await count(app, Delivery) == small_batches, "nothing queued after the cancel"
