"""Deadline reminders: fire times, who is reminded, restarts, reschedules, two processes.

Time is the fake clock's; APScheduler's own runs are awaited through its job events, never
by sleeping."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
from apscheduler.events import EVENT_JOB_EXECUTED
from sqlalchemy import func, select

from bot.app import build_app
from bot.broadcast import OutboxWorker
from bot.reminders import Reminders, job_id
from handlers.reminder_times import fire_time
from storage.models import Delivery
from tests.conftest import ADMIN_ID, publish_fixture, subscribe_many

DEADLINE = date(2026, 7, 15)
THREE_DAYS_BEFORE = datetime(2026, 7, 12, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("offset", "timezone", "expected"),
    [
        ("3d", "UTC", "2026-07-12T09:00:00+00:00"),
        ("1d", "UTC", "2026-07-14T09:00:00+00:00"),
        ("2h", "UTC", "2026-07-15T18:00:00+00:00"),
        ("12h", "UTC", "2026-07-15T09:00:00+00:00"),
        ("1d", "America/Caracas", "2026-07-14T09:00:00-04:00"),
    ],
)
def test_fire_times_fall_inside_the_daytime_window(offset, timezone, expected) -> None:
    assert fire_time(DEADLINE, offset, timezone, "09:00-20:00").isoformat() == expected


async def reminder_count(app) -> int:
    async with app.sessions() as session:
        return int(
            await session.scalar(
                select(func.count()).select_from(Delivery).where(Delivery.kind == "reminder")
            )
        )


async def published_and_delivered(app, chat, api, sender) -> list[int]:
    chats = await subscribe_many(app, 4)
    await publish_fixture(chat)
    await OutboxWorker(app, sender, rate_per_second=10_000).drain()
    return chats


async def test_only_those_who_have_not_acted_are_reminded(app, chat, api, sender, clock) -> None:
    waiting, acted, unsubscribed, quiet = await published_and_delivered(app, chat, api, sender)
    actor = chat(acted)
    await actor.press_data("rep:1:letter")
    await chat(unsubscribed).send("/unsubscribe")
    await chat(quiet).send("/reminders off")
    reminders = Reminders(app)
    assert await reminders.plan() == {
        job_id(1, "3d"): THREE_DAYS_BEFORE,
        job_id(1, "1d"): THREE_DAYS_BEFORE + timedelta(days=2),
    }
    clock.set(THREE_DAYS_BEFORE)
    assert await reminders.fire(1, "3d") == 1
    assert await reminders.fire(1, "3d") == 0, "a job that fires twice enqueues once"
    await OutboxWorker(app, sender, rate_per_second=10_000).drain()
    message = api.last(waiting)
    assert message.text.startswith("Reminder: UA 45/26")
    assert "Deadline: July 15, 2026 (3 days left)." in message.text
    assert "1 person has acted so far." in message.text
    labels = [button["text"] for button in message.buttons()]
    assert labels == ["Take action", "I already did", "Stop reminders"]
    for person in (acted, unsubscribed, quiet):
        assert all(not (m.text or "").startswith("Reminder") for m in api.messages[person])
    assert job_id(1, "3d") not in await reminders.plan()


async def test_after_the_deadline_nothing_is_sent(app, chat, api, sender, clock) -> None:
    chats = await published_and_delivered(app, chat, api, sender)
    clock.set(datetime(2026, 7, 14, 9, 0, tzinfo=UTC))
    reminders = Reminders(app)
    assert await reminders.fire(1, "1d") == 4
    clock.set(datetime(2026, 7, 16, 9, 0, tzinfo=UTC))
    await OutboxWorker(app, sender, rate_per_second=10_000).drain()
    assert all(len(api.messages[c]) == 1 for c in chats)
    assert await reminders.plan() == {}
    assert await reminders.fire(1, "3d") == 0


@pytest.fixture
async def executed() -> AsyncIterator[asyncio.Queue[str]]:
    yield asyncio.Queue()


def listen(reminders: Reminders, queue: asyncio.Queue[str]) -> None:
    reminders.scheduler.add_listener(
        lambda event: queue.put_nowait(event.job_id), EVENT_JOB_EXECUTED
    )


async def next_reminder_run(queue: asyncio.Queue[str]) -> str:
    while True:
        identifier = await asyncio.wait_for(queue.get(), 10)
        if identifier.startswith("reminder:"):
            return identifier


async def test_stopped_before_the_fire_time_and_restarted_after_sends_once(
    app, chat, api, sender, clock, executed
) -> None:
    chats = await published_and_delivered(app, chat, api, sender)
    first = Reminders(app)
    first.start()
    await first.sync()
    job = first.scheduler.get_job(job_id(1, "3d"))
    assert job is not None and job.next_run_time > datetime.now(UTC) + timedelta(days=30)
    await first.stop()  # the process stops before the fire time

    clock.set(THREE_DAYS_BEFORE + timedelta(hours=5))  # ... and starts again after it
    second = Reminders(app)
    listen(second, executed)
    second.start()
    assert await next_reminder_run(executed) == job_id(1, "3d")
    assert await reminder_count(app) == 4
    await second.stop()

    third = Reminders(app)  # another restart: nothing repeats
    third.start()
    await third.sync()
    assert third.scheduler.get_job(job_id(1, "3d")) is None
    assert third.scheduler.get_job(job_id(1, "1d")) is not None
    await third.stop()
    await OutboxWorker(app, sender, rate_per_second=10_000).drain()
    assert all(len(api.messages[c]) == 2 for c in chats)


async def test_moving_the_deadline_reschedules_and_closing_removes(app, chat, api, sender) -> None:
    await published_and_delivered(app, chat, api, sender)
    reminders = Reminders(app)
    reminders.start()
    await reminders.sync()
    before = reminders.scheduler.get_job(job_id(1, "3d")).next_run_time
    admin = chat(ADMIN_ID)
    await admin.send("/deadline 45/26 2026-07-25")
    await reminders.sync()
    moved = reminders.scheduler.get_job(job_id(1, "3d"))
    assert moved.name == "2026-07-22T09:00:00+00:00"
    assert abs(moved.next_run_time - before - timedelta(days=10)) < timedelta(seconds=1)
    await admin.send("/close 45/26")
    await reminders.sync()
    assert [j.id for j in reminders.scheduler.get_jobs() if j.id.startswith("reminder:")] == []
    await reminders.stop()


async def test_a_newer_update_replaces_the_earlier_updates_reminders(
    app, chat, api, sender
) -> None:
    from tests.conftest import fixture_bytes

    await published_and_delivered(app, chat, api, sender)
    admin = chat(ADMIN_ID)
    await admin.upload("second.txt", fixture_bytes("ua-en-second-update.txt"))
    await admin.press("Publish")
    await admin.press("Yes, send it")
    planned = await Reminders(app).plan()
    assert set(planned) == {job_id(2, "3d"), job_id(2, "1d")}


async def test_two_processes_on_one_database_send_each_reminder_once(
    app, chat, api, sender, clock, settings, secret_key
) -> None:
    await published_and_delivered(app, chat, api, sender)
    other = await build_app(settings, secret_key=secret_key, clock=clock)
    try:
        clock.set(THREE_DAYS_BEFORE)
        results = await asyncio.gather(Reminders(app).fire(1, "3d"), Reminders(other).fire(1, "3d"))
        assert sorted(results) == [0, 4]
        assert await reminder_count(app) == 4
    finally:
        await other.close()


async def test_no_reminder_falls_before_or_soon_after_the_ua_itself(app, chat, clock) -> None:
    clock.set(datetime(2026, 7, 13, 10, 0, tzinfo=UTC))  # two days before the deadline
    await publish_fixture(chat)
    # The three-day reminder had passed already; the one-day one is 23 hours away.
    assert await Reminders(app).plan() == {job_id(1, "1d"): datetime(2026, 7, 14, 9, tzinfo=UTC)}


async def test_a_late_ua_gets_no_reminder_within_12_hours(app, chat, clock) -> None:
    clock.set(datetime(2026, 7, 14, 8, 0, tzinfo=UTC))  # the 1d reminder would be at 9:00
    await publish_fixture(chat)
    assert await Reminders(app).plan() == {}
    reader = chat(880)
    await reader.open_step("45/26", 5)
    await reader.press("Not yet")
    assert "No reminder is left before the deadline" in reader.text


async def test_not_yet_promises_only_a_reminder_that_will_come(
    app, chat, api, sender, clock
) -> None:
    await publish_fixture(chat)
    asker, quiet, actor = chat(881), chat(882), chat(883)  # none of them subscribed
    await quiet.send("/reminders off")
    for person in (asker, quiet, actor):
        await person.open_step("45/26", 5)
    await actor.press("I sent a letter")
    await actor.press("Report another action")
    for person in (asker, quiet, actor):
        await person.press("Not yet")
    assert "I will remind you on July 12, 2026." in asker.text
    await asker.send("/mydata")
    assert "• reminders you asked for: UA 45/26" in asker.text
    assert "Your reminders are off" in quiet.text
    assert "You have already acted on this UA" in actor.text
    clock.set(THREE_DAYS_BEFORE)
    assert await Reminders(app).fire(1, "3d") == 1  # the one who asked, not subscribed
    await OutboxWorker(app, sender, rate_per_second=10_000).drain()
    assert api.last(881).text.startswith("Reminder: UA 45/26")
    assert not api.messages[882] and not api.messages[883]


@pytest.mark.parametrize("reason", ["connection dropped", "connection refused"])
async def test_a_database_blip_while_reminders_are_rendered_fails_none_for_good(
    app, chat, api, sender, clock, reason
) -> None:
    """The database away for a moment while each reminder's figures are read: every
    reminder is sent once it is back (all 60 were marked failed for good before). A new
    connection refused reaches us as asyncpg's bare ConnectionRefusedError, not as
    SQLAlchemy's error: against the real process, one reminder in 60 still failed."""
    from sqlalchemy import event
    from sqlalchemy.exc import OperationalError

    chats = await subscribe_many(app, 12)
    await publish_fixture(chat)
    await OutboxWorker(app, sender, rate_per_second=10_000).drain()
    clock.set(THREE_DAYS_BEFORE)
    assert await Reminders(app).fire(1, "3d") == 12
    away = True

    def blip(conn, cursor, statement, parameters, context, executemany) -> None:
        if (
            away
            and "action_totals" in statement
            and statement.lstrip().upper().startswith("SELECT")
        ):
            if reason == "connection refused":
                raise ConnectionRefusedError(111, "Connect call failed")
            raise OperationalError(statement, parameters, Exception("server closed the connection"))

    event.listen(app.engine.sync_engine, "before_cursor_execute", blip)
    try:
        worker = OutboxWorker(app, sender, rate_per_second=10_000)
        await worker.drain()
        away = False
        clock.advance(timedelta(minutes=5))  # past any backoff
        await worker.drain()
    finally:
        event.remove(app.engine.sync_engine, "before_cursor_execute", blip)
    assert sorted(len(api.messages[c]) for c in chats) == [2] * 12  # the UA, then its reminder
    async with app.sessions() as session:
        statuses = dict(
            (
                await session.execute(
                    select(Delivery.status, func.count())
                    .where(Delivery.kind == "reminder")
                    .group_by(Delivery.status)
                )
            ).all()
        )
    assert statuses == {"sent": 12}


async def test_stopping_while_a_job_runs_lets_it_finish_and_logs_no_error(app, caplog) -> None:
    """The purge runs as a leader starts, so a demo quit at once stopped the scheduler
    during it: APScheduler cancelled the job and logged a traceback under the goodbye."""
    began, release, finished = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def slow_job() -> None:
        began.set()
        await release.wait()
        finished.set()

    reminders = Reminders(app)
    reminders.start()
    reminders.add_periodic(slow_job, 6, "test:slow")
    await asyncio.wait_for(began.wait(), 10)
    stopping = asyncio.create_task(reminders.stop())
    await asyncio.sleep(0.05)
    assert not stopping.done(), "the scheduler waits for the running job"
    release.set()
    await asyncio.wait_for(stopping, 10)
    assert finished.is_set()
    assert not reminders.scheduler.running
    assert "raised an exception" not in caplog.text and "Traceback" not in caplog.text
