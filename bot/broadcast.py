"""The outbox worker: sends queued deliveries at Telegram's pace and records what happened.

Deliveries are claimed with a lease in one short transaction, sent with no transaction open,
and their outcome recorded in another; a worker that dies leaves leased rows that another
(or the restarted one) takes over when the lease runs out. Only a message sent but not yet
recorded at the instant of a crash can be sent twice.

Pacing: ``broadcast.rate_per_second`` overall and at most one message per second per chat;
a 429 pauses all sending for its ``retry_after``. An announcement an admin chose to send
with paid broadcast goes at ``broadcast.paid_rate_per_second`` instead, a budget of its own
(Telegram counts paid messages apart); when Telegram refuses one for lack of Stars, the
rest of that broadcast goes at the free rate and its progress message says so.

A 403 marks the supporter inactive and is never retried; 5xx and connection failures are
retried with exponential backoff, then marked failed with the reason; a timeout after the
request left is "uncertain": retried at most once and counted in the report.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy.exc import SQLAlchemyError

from bot.app import App
from bot.broadcast_progress import Figures, ProgressReporter
from bot.kept_outcomes import OutcomeWriter
from bot.pacer import Pacer
from bot.sending import (
    Blocked,
    ChatId,
    NoStars,
    Rejected,
    RetryLater,
    SendError,
    TelegramSender,
    Transient,
    Uncertain,
)
from handlers.contract import Text
from handlers.notices import announcement, channel_post, reminder
from storage.crypto import SecretKeyError
from storage.database import unreachable
from storage.models import UAUpdate
from storage.outbox import (
    UNCERTAIN,
    Claimed,
    ClaimedPost,
    Outcome,
    claim_channel_posts,
    claim_due,
    paid_updates,
    queue_more,
    record_channel_post,
    stars_ran_out,
)
from storage.reports import people_on_case
from storage.statuses import DeliveryStatus, UpdateStatus
from storage.uas import get_update

log = logging.getLogger("uabot.outbox")

#: When a delivery prepared while the database was away is tried again: a blip is seconds.
DATABASE_BACKOFF = timedelta(seconds=5)


async def either(*events: asyncio.Event) -> None:
    """Wait until one of ``events`` is set."""
    waiters = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


def channel_chat_id(chat: str) -> ChatId:
    """A channel as the Bot API takes it: '@name', or its numeric id as a number."""
    return int(chat) if chat.lstrip("-").isdigit() else chat


class OutboxWorker:
    def __init__(
        self,
        app: App,
        sender: TelegramSender,
        *,
        rate_per_second: float | None = None,
        concurrency: int = 16,
        batch: int = 200,
        lease: timedelta | None = None,
        max_attempts: int = 5,
        progress_interval: float = 3.0,
    ) -> None:
        self.app = app
        self.sender = sender
        rate = rate_per_second or app.settings.broadcast.rate_per_second
        # The process's one send budget, shared with replies; a rate of its own only when
        # asked (tests and benchmarks).
        self.pacer = Pacer(rate) if rate_per_second else app.pacer
        options = app.settings.broadcast
        self.paid_pacer = (
            Pacer(options.paid_rate_per_second) if options.allow_paid_broadcast else None
        )
        self.concurrency = concurrency
        self.lease = lease or timedelta(seconds=app.settings.broadcast.lease_seconds)
        # A batch takes at most half its lease to send, so a live worker keeps its rows.
        self.batch = max(1, min(batch, int(rate * self.lease.total_seconds() / 2)))
        self.max_attempts = max_attempts
        self.figures = Figures()
        self._updates: dict[int, UAUpdate] = {}
        self.progress = ProgressReporter(
            app, sender, self.pacer, self.figures, self._updates, progress_interval
        )
        #: The batch's updates whose announcement goes with paid broadcast.
        self._paid: set[int] = set()
        # The stop event (``run``'s caller's: SIGTERM) is the writer's: it stops writing too.
        self.writer = OutcomeWriter(app, asyncio.Event())

    # --- one round -----------------------------------------------------------------------
    async def run_once(self) -> int:
        """Claim a batch, send it, record the outcomes; the number of deliveries handled."""
        if not await self.writer.kept():
            return 0
        await self.post_to_channels()
        now = self.app.clock.now()
        async with self.app.write_lock, self.app.sessions() as session, session.begin():
            await queue_more(session)  # a batch of a large broadcast's subscribers, if any
            claimed = await claim_due(session, now, self.lease, self.batch)
        if not claimed:
            return 0
        await self._load_updates({c.update_id for c in claimed})
        await self._send_batch(claimed)
        return len(claimed)

    async def _send_batch(self, claimed: list[Claimed]) -> None:
        """Send ``claimed`` with ``concurrency`` senders and record each outcome as it comes.
        On stop, what is not sent yet is handed back, and what the database cannot take
        is kept in a file for the next start."""
        queue = deque(claimed)
        outcomes: list[Outcome] = []
        unwritten: list[Outcome] = []
        changed = asyncio.Event()
        sending_done = False
        # Cleared while outcomes cannot be written: no message goes out whose outcome could
        # not be recorded (a disk full for 5 minutes once meant 170 duplicates of 300).
        writable = asyncio.Event()
        writable.set()

        async def record() -> None:
            """Commit outcomes as soon as they come, grouping those that arrive meanwhile,
            so that few messages are ever sent without their outcome recorded."""
            while outcomes or not sending_done:
                if not outcomes:
                    changed.clear()
                    await changed.wait()
                    continue
                pending = outcomes[:]
                outcomes.clear()
                if not await self.writer.outcomes(pending, writable):
                    unwritten.extend(pending)

        async def work() -> None:
            # No await between the test and the take: another sender cannot empty the queue
            # in between (four senders woken for two deliveries once failed the round).
            while queue and not self.writer.stop.is_set():
                if not writable.is_set():
                    await either(writable, self.writer.stop)
                    continue
                outcomes.append(await self._send(queue.popleft()))
                changed.set()

        recorder = asyncio.create_task(record())
        try:
            await asyncio.gather(*(work() for _ in range(min(self.concurrency, len(claimed)))))
        finally:
            # Stopped: the rest goes back to the queue at once, for the next worker.
            outcomes.extend(
                Outcome(
                    left.id, DeliveryStatus.PENDING, error=left.error, attempts=left.attempts - 1
                )
                for left in queue
            )
            sending_done = True
            changed.set()
            await recorder
        if unwritten:
            self.writer.keep(unwritten)

    async def drain(self) -> int:
        """Send everything that is due now; the total handled."""
        total = 0
        while handled := await self.run_once():
            total += handled
        await self.report_progress(force=True)
        return total

    async def run(self, stop: asyncio.Event, idle: float = 1.0) -> None:
        """Work until ``stop``; when nothing is due, look again every ``idle`` seconds."""
        self.writer.stop = stop
        while not stop.is_set():
            try:
                handled = await self.run_once()
                await self.report_progress()
            except Exception as error:
                if unreachable(error):  # expected during a failover: no traceback
                    log.warning("database unavailable (%s); trying again", type(error).__name__)
                else:
                    log.exception("outbox round failed; trying again")
                handled = 0
            if not handled:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), idle)

    # --- sending -------------------------------------------------------------------------
    async def _load_updates(self, update_ids: Iterable[int]) -> None:
        """Read the batch's updates afresh (one query each per batch): a deadline moved, a
        UA closed or a newer update published is seen at the next batch, seconds later."""
        self._updates = {}
        wanted = set(update_ids)
        async with self.app.sessions() as session:
            for update_id in wanted:
                update = await get_update(session, update_id)
                if update is not None:
                    self._updates[update_id] = update
            if self.paid_pacer is not None:
                self._paid = await paid_updates(session, wanted)

    async def _render(self, delivery: Claimed, update: UAUpdate) -> Text:
        tr = self.app.catalogs.get(delivery.language)
        today = self.app.today()
        if delivery.kind == "reminder":
            async with self.app.sessions() as session:
                people = await people_on_case(session, update.case_id)
            return reminder(tr, update, delivery.discreet, people, today)
        return announcement(tr, update, delivery.discreet, today)

    def _tally(self, outcome: str) -> None:
        """Count one delivery outcome in the report's figures and the Prometheus metrics."""
        setattr(self.figures, outcome, getattr(self.figures, outcome) + 1)
        self.app.metrics.deliveries.labels(outcome).inc()

    def _retry(self, key: int, attempts: int, reason: str, now: datetime) -> Outcome:
        """Try again later with exponential backoff, or give up after ``max_attempts``."""
        if attempts >= self.max_attempts:
            self._tally("failed")
            return Outcome(key, DeliveryStatus.FAILED, error=reason)
        self._tally("retried")
        backoff = timedelta(seconds=min(2**attempts, 300))
        return Outcome(key, DeliveryStatus.PENDING, next_attempt_at=now + backoff, error=reason)

    async def _send(self, delivery: Claimed) -> Outcome:
        """One delivery's outcome, whatever happens: an error of ours or an answer nobody
        foresaw must fail this row alone, never leave the batch's other outcomes unrecorded
        (their rows would be sent again when the lease ran out)."""
        try:
            return await self._deliver(delivery)
        except SecretKeyError:  # written under another key: this row can never be sent
            log.warning("a delivery's chat id cannot be decrypted with the configured key")
            self._tally("failed")
            return Outcome(
                delivery.id, DeliveryStatus.FAILED, error="the chat id cannot be decrypted"
            )
        except Exception as error:
            if isinstance(error, SQLAlchemyError) or unreachable(error):
                # The database away while the message was prepared (a reminder reads its
                # figures): a reason to try again, never a failure for good (a 1 s blip
                # once failed all 60 reminders of a round). A connection refused comes
                # as the driver's bare OSError, not as SQLAlchemy's error.
                log.warning("a delivery waits for the database: %s", type(error).__name__)
                self._tally("retried")
                return Outcome(
                    delivery.id,
                    DeliveryStatus.PENDING,
                    next_attempt_at=self.app.clock.now() + DATABASE_BACKOFF,
                    error="the database was unavailable",
                )
            log.exception("a delivery could not be sent")
            self._tally("failed")
            return Outcome(
                delivery.id, DeliveryStatus.FAILED, error=f"internal: {type(error).__name__}"
            )

    async def _deliver(self, delivery: Claimed) -> Outcome:
        update = self._updates.get(delivery.update_id)
        if update is None:
            return Outcome(
                delivery.id, DeliveryStatus.FAILED, error="the UA update no longer exists"
            )
        if (
            update.case.closed_at is not None
            or update.status != UpdateStatus.PUBLISHED  # a newer update replaced it
            or (delivery.kind == "reminder" and update.due < self.app.today())
        ):
            # Closed, replaced, or a reminder too late.
            return Outcome(delivery.id, DeliveryStatus.EXPIRED)
        text = await self._render(delivery, update)
        chat_id = self.app.vault.decrypt_id(delivery.chat_id_enc)
        paid = delivery.kind == "ua" and delivery.update_id in self._paid
        outcome = await self._attempt(
            delivery.id,
            delivery.attempts,
            delivery.error,
            chat_id,
            text,
            paid_for=delivery.update_id if paid else None,
        )
        if outcome.status == DeliveryStatus.BLOCKED:
            return replace(outcome, blocked_supporter=delivery.supporter_id)
        return outcome

    async def _attempt(
        self,
        key: int,
        attempts: int,
        mark: str | None,
        chat_id: ChatId,
        text: Text,
        *,
        paid_for: int | None = None,
    ) -> Outcome:
        """Send one message in its turn and say what becomes of the row ``key``;
        ``paid_for``: the update whose paid broadcast this message is part of."""
        now = self.app.clock.now()
        pacer = self.paid_pacer if paid_for is not None and self.paid_pacer else self.pacer
        try:
            async with pacer.turn(chat_id):
                await self.sender.send_text(chat_id, text, paid=pacer is self.paid_pacer)
        except RetryLater as error:
            self.figures.too_many_requests += 1
            self.app.metrics.too_many_requests.inc()
            pacer.pause(error.seconds)
            return Outcome(key, DeliveryStatus.PENDING, next_attempt_at=None, error=mark)
        except NoStars:
            assert paid_for is not None, "only a paid message can lack Stars"
            await self._go_free(paid_for)
            return Outcome(key, DeliveryStatus.PENDING, next_attempt_at=None, error=mark)
        except Blocked:
            self._tally("blocked")
            return Outcome(key, DeliveryStatus.BLOCKED)
        except Uncertain:
            self._tally("uncertain")
            if mark == UNCERTAIN:
                self._tally("failed")
                return Outcome(key, DeliveryStatus.FAILED, error=UNCERTAIN)
            return Outcome(key, DeliveryStatus.PENDING, next_attempt_at=None, error=UNCERTAIN)
        except Rejected as error:
            self._tally("failed")
            return Outcome(key, DeliveryStatus.FAILED, error=f"rejected: {error}")
        except (Transient, SendError) as error:
            return self._retry(key, attempts, f"{type(error).__name__}: {error}", now)
        self._tally("sent")
        self.figures.recent.append(time.monotonic())
        return Outcome(key, DeliveryStatus.SENT, error=UNCERTAIN if mark == UNCERTAIN else None)

    async def _go_free(self, update_id: int) -> None:
        """Telegram refused a paid message for lack of Stars: the rest of this broadcast
        goes at the free rate, from this batch on, and the organiser is told."""
        if update_id not in self._paid:
            return  # another sender of this batch met the refusal first
        self._paid.discard(update_id)
        log.warning("paid broadcast refused for lack of Stars: the rest goes at the free rate")
        if not await self.writer.write(
            "the end of a paid broadcast", partial(stars_ran_out, update_id=update_id)
        ):
            log.warning("the end of a paid broadcast was not written: the next batch tries paid")

    # --- public channels -----------------------------------------------------------------
    async def post_to_channels(self) -> int:
        """Post newly published UAs to the channels named in the config; how many tried.
        Without channels in the config this costs nothing (it runs before every batch)."""
        if not self.app.settings.broadcast.channels:
            return 0
        now = self.app.clock.now()
        async with self.app.write_lock, self.app.sessions() as session, session.begin():
            posts = await claim_channel_posts(session, now, self.lease)
        if not posts:
            return 0
        await self._load_updates({post.update_id for post in posts})
        for post in posts:
            outcome = await self._post(post)
            store = partial(record_channel_post, post_id=post.id, outcome=outcome)
            if not await self.writer.write("a channel post", store):
                log.warning("a channel post's outcome was not written: it may be posted again")
            if outcome.status == DeliveryStatus.FAILED:
                log.warning("a channel post failed: %s", outcome.error)
        return len(posts)

    async def _post(self, post: ClaimedPost) -> Outcome:
        update = self._updates.get(post.update_id)
        if update is None:
            return Outcome(post.id, DeliveryStatus.FAILED, error="the UA update no longer exists")
        if self.app.bot_username is None:
            try:
                self.app.bot_username = await self.sender.bot_username()
            except SendError as error:
                return self._retry(post.id, post.attempts, f"getMe: {error}", self.app.clock.now())
        tr = self.app.catalogs.get(post.language)
        text = channel_post(tr, update, self.app.today(), self.app.bot_username)
        chat = channel_chat_id(post.chat)
        outcome = await self._attempt(post.id, post.attempts, post.error, chat, text)
        if outcome.status == DeliveryStatus.BLOCKED:
            return replace(
                outcome, status=DeliveryStatus.FAILED, error="the bot may not post in this channel"
            )
        return outcome

    async def report_progress(self, force: bool = False) -> None:
        """Edit each running broadcast's progress message every few seconds."""
        await self.progress.report(force)
