"""Deadline reminders with APScheduler 3 (AsyncIOScheduler), rebuilt from the database.

One job per UA update and reminder offset, with a fixed id (``reminder:<update>:<offset>``),
never one per person. The database is the source of truth: jobs live in APScheduler's memory
store and are rebuilt from the stored deadlines at start-up and every ``SYNC_SECONDS``
after. We chose rebuilding over APScheduler's SQLAlchemyJobStore because that store pickles
jobs, needs a synchronous engine beside our async one, and would be a second copy of what
the deadlines already say; rebuilding also picks up a publication, a moved deadline, a
closed UA or a newer update made by any process (the CLI, another webhook process).

APScheduler's defaults are set deliberately: ``misfire_grace_time=None`` (its default of
one second would skip a job that came due while the process was down) and
``coalesce=True`` (a job late several times runs once). A job that ran is recorded in
``reminder_runs`` and not rebuilt; a job that runs twice anyway enqueues nothing the
second time, because each reminder delivery is unique per supporter, update and offset.
Only the process holding the leader lock runs the scheduler.

The firing job only enqueues deliveries; the outbox worker sends them. Reminders go out
inside ``reminders.window`` in ``bot.timezone`` (supporters' own time zones are not stored).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from bot.app import App
from bot.sending import InFlight
from handlers.reminder_times import reminder_times
from storage.database import retry_unreachable
from storage.reminders import enqueue_reminders, fired, mark_fired
from storage.statuses import UpdateStatus
from storage.uas import get_update, open_updates

log = logging.getLogger("uabot.reminders")
SYNC_SECONDS = 30
#: How long a reminder job waits for an unreachable database: past that, it fails and the
#: next sync (every ``SYNC_SECONDS``) plans it again, as it is not marked fired.
FIRE_PATIENCE = SYNC_SECONDS
JOB_PREFIX = "reminder:"


def job_id(update_id: int, offset: str) -> str:
    return f"{JOB_PREFIX}{update_id}:{offset}"


class Reminders:
    """The scheduler and the two jobs behind reminders: sync (plan) and fire (enqueue)."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.scheduler = AsyncIOScheduler(
            timezone=ZoneInfo(app.settings.bot.timezone),
            job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
        )
        self.jobs = InFlight()

    def start(self) -> None:
        self.scheduler.start()
        self.scheduler.add_job(
            self._shielded(self.sync),
            "interval",
            seconds=SYNC_SECONDS,
            id="reminders:sync",
            next_run_time=datetime.now(ZoneInfo("UTC")),
        )

    def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    async def stop(self) -> None:
        """Pause the scheduler, let the jobs already running finish, then shut it down. Shut
        down first, APScheduler cancels a running job, which logs a traceback each (the
        purge runs as the leader starts, so a demo quit at once showed one), and a job
        cancelled in the middle of a database call must not outlive the engine."""
        if self.scheduler.running:
            self.scheduler.pause()
        await asyncio.sleep(0)  # a job APScheduler has just started reaches self.jobs
        await self.jobs.drain()
        self.shutdown()

    def add_periodic(self, job: Callable[[], Awaitable[object]], hours: float, name: str) -> None:
        """Another periodic job of the leader (the privacy purge), run now and every ``hours``."""
        self.scheduler.add_job(
            self._shielded(job),
            "interval",
            hours=hours,
            id=name,
            next_run_time=datetime.now(ZoneInfo("UTC")),
        )

    def _shielded(self, job: Callable[..., Awaitable[object]]) -> Callable[..., Awaitable[object]]:
        async def run(*args: object) -> object:
            return await self.jobs.run(job(*args))

        return run

    def _scheduler_time(self, moment: datetime) -> datetime:
        """Map a moment of the app's clock to the scheduler's (real) clock: identical in
        production, shifted in tests that move a fake clock."""
        real_now = datetime.now(ZoneInfo("UTC"))
        return real_now + max(moment - self.app.clock.now(), timedelta(0))

    async def plan(self) -> dict[str, datetime]:
        """The reminder jobs that should exist now, with their fire times (app clock)."""
        settings = self.app.settings
        today = self.app.today()
        async with self.app.sessions() as session:
            updates = await open_updates(session, today)
            done = await fired(session)
        planned: dict[str, datetime] = {}
        for update in updates:
            for offset, moment in reminder_times(update, settings).items():
                if (update.id, offset) not in done:
                    planned[job_id(update.id, offset)] = moment
        return planned

    async def sync(self) -> None:
        """Make the scheduler's jobs match the plan: add, move, and remove jobs."""
        planned = await self.plan()
        for job in self.scheduler.get_jobs():
            if job.id.startswith(JOB_PREFIX) and job.id not in planned:
                job.remove()
        for identifier, moment in planned.items():
            update_id, offset = identifier.removeprefix(JOB_PREFIX).split(":")
            existing = self.scheduler.get_job(identifier)
            if existing is not None and existing.name == moment.isoformat():
                continue  # already planned for that moment
            self.scheduler.add_job(
                self._shielded(self.fire),
                DateTrigger(run_date=self._scheduler_time(moment)),
                args=[int(update_id), offset],
                id=identifier,
                name=moment.isoformat(),
                replace_existing=True,
            )

    async def fire(self, update_id: int, offset: str) -> int:
        """The job: enqueue this update's reminders once; the outbox sends them. A job runs
        once, so a database briefly away (a restart) is waited for, not given up on."""
        queued = await retry_unreachable(
            lambda: self._enqueue(update_id, offset),
            give_up_after=FIRE_PATIENCE,
            what=f"reminder {job_id(update_id, offset)}",
        )
        log.info("reminder %s: %d queued", job_id(update_id, offset), queued)
        return queued

    async def _enqueue(self, update_id: int, offset: str) -> int:
        now = self.app.clock.now()
        settings = self.app.settings
        today = self.app.today()
        async with self.app.write_lock, self.app.sessions() as session, session.begin():
            update = await get_update(session, update_id)
            if (
                update is None
                or update.status != UpdateStatus.PUBLISHED
                or update.case.closed_at is not None
                or update.due < today
                or offset not in settings.reminders.offsets
            ):
                return 0
            if not await mark_fired(session, update_id, offset, now):
                return 0
            return await enqueue_reminders(session, update, offset)
