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
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.kept_outcomes import DamagedFile, keep, read_kept, set_aside
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
from handlers.notices import Progress, announcement, channel_post, progress_text, reminder
from storage.crypto import SecretKeyError
from storage.database import retry_unreachable, unreachable
from storage.models import Broadcast, Supporter, UAUpdate
from storage.outbox import (
    UNCERTAIN,
    Claimed,
    ClaimedPost,
    Outcome,
    claim_channel_posts,
    claim_due,
    count_uncertain,
    delivery_counts,
    finish_broadcasts,
    paid_updates,
    queue_more,
    record_channel_post,
    record_outcomes,
    running_broadcasts,
    stars_ran_out,
)
from storage.reports import people_on_case
from storage.statuses import DeliveryStatus, UpdateStatus
from storage.uas import get_update

log = logging.getLogger("uabot.outbox")

#: Once stopped, how long the worker still tries to write outcomes the database cannot take
#: (read-only, disk full, down) before it keeps them in a file: SIGTERM ends the process in
#: under 10 s. Until stopped it waits as long as it takes, sending nothing meanwhile.
STOP_GRACE = 3.0
#: When a delivery prepared while the database was away is tried again: a blip is seconds.
DATABASE_BACKOFF = timedelta(seconds=5)
#: The rate shown to organisers is measured over this many seconds...
RATE_WINDOW = 10
#: ...so more send times than 10 s at 1,000/s (far beyond Telegram's 30/s) are never needed.
RECENT_SENDS_KEPT = 10_000


@dataclass
class Figures:
    """Counts for the report and the metrics, since the worker started."""

    sent: int = 0
    blocked: int = 0
    failed: int = 0
    retried: int = 0
    too_many_requests: int = 0
    uncertain: int = 0
    #: When the sends of the last ``RATE_WINDOW`` seconds went out, for the rate shown;
    #: bounded, since nobody may be watching a broadcast to trim it.
    recent: deque[float] = field(default_factory=lambda: deque(maxlen=RECENT_SENDS_KEPT))


#: A progress message to send or edit: broadcast id, chat, message id (None: send one), text.
ProgressNote = tuple[int, int, int | None, Text]


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
        self.progress_interval = progress_interval
        self.figures = Figures()
        self._updates: dict[int, UAUpdate] = {}
        #: The batch's updates whose announcement goes with paid broadcast.
        self._paid: set[int] = set()
        self._last_progress = 0.0
        self._stop = asyncio.Event()  # set by ``run``'s caller: SIGTERM
        self._kept_written = False
        self._give_up_at: float | None = None  # once stopped: when to keep what is unwritten

    # --- one round -----------------------------------------------------------------------
    async def run_once(self) -> int:
        """Claim a batch, send it, record the outcomes; the number of deliveries handled."""
        if not self._kept_written:
            self._kept_written = await self._write_kept_outcomes()
            if not self._kept_written:
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
                if not await self._write_outcomes(pending, writable):
                    unwritten.extend(pending)

        async def work() -> None:
            # No await between the test and the take: another sender cannot empty the queue
            # in between (four senders woken for two deliveries once failed the round).
            while queue and not self._stop.is_set():
                if not writable.is_set():
                    await either(writable, self._stop)
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
            self._keep(unwritten)

    async def _write_outcomes(self, outcomes: list[Outcome], writable: asyncio.Event) -> bool:
        """Write ``outcomes``; False when stopped before the database took them. A mistake
        of ours in one of them (not the database being away) costs that one alone."""
        store = partial(record_outcomes, outcomes=outcomes, today=self.app.today())
        try:
            return await self._write("recording outcomes", store, writable)
        except Exception:
            if len(outcomes) == 1:
                log.exception("an outcome could not be written; its message may be sent again")
                return True
            log.exception("outcomes could not be written together; writing them one by one")
        for outcome in outcomes:
            if not await self._write_outcomes([outcome], writable):
                return False
        return True

    def _keep(self, outcomes: list[Outcome]) -> None:
        path = self.app.settings.broadcast.outcomes_file
        try:
            total = keep(path, outcomes)
        except OSError as error:
            log.error(
                "%d outcomes could not be kept in %s (%s): those messages will be sent again",
                len(outcomes),
                path,
                error.strerror,
            )
            return
        log.warning("%d outcomes kept in %s until the database takes them", total, path)

    async def _write_kept_outcomes(self) -> bool:
        """Write what an earlier run kept in its file, before anything is claimed: its rows
        are still leased, so none of those messages goes out again. False when stopped
        before the database took them (the file stays)."""
        path = self.app.settings.broadcast.outcomes_file
        try:
            kept = read_kept(path)
        except DamagedFile as error:
            log.error(
                "kept outcomes could not be read (%s); set aside as %s", error, set_aside(path)
            )
            return True
        if not kept:
            path.unlink(missing_ok=True)
            return True
        store = partial(record_outcomes, outcomes=kept, today=self.app.today(), only_leased=True)
        if not await self._write("kept outcomes", store):
            return False
        path.unlink(missing_ok=True)
        log.info("%d kept outcomes written", len(kept))
        return True

    async def _write(
        self,
        what: str,
        store: Callable[[AsyncSession], Awaitable[None]],
        writable: asyncio.Event | None = None,
    ) -> bool:
        """Commit what ``store`` writes, waiting out a database that cannot take it now: a
        message sent but not recorded would be sent again once its lease runs out. While it
        waits, ``writable`` is cleared, so that sending stops too. Once stopped it tries for
        ``STOP_GRACE`` seconds more, then answers False: SIGTERM must end the process."""

        async def transaction() -> None:
            async with self.app.write_lock, self.app.sessions() as session, session.begin():
                await store(session)
            if writable is not None:
                writable.set()

        async def wait(pause: float) -> bool:
            if writable is not None:
                writable.clear()
            return await self._pause_unless_given_up(pause)

        try:
            await retry_unreachable(transaction, what=what, wait=wait)
        except Exception as error:
            if unreachable(error):
                return False
            raise
        return True

    async def _pause_unless_given_up(self, pause: float) -> bool:
        """Wait ``pause`` seconds, or less when stopped; False once stopped for longer than
        ``STOP_GRACE`` (one grace for all that is left to write: SIGTERM's 10 s are not
        per write)."""
        if self._stop.is_set():
            self._give_up_at = self._give_up_at or time.monotonic() + STOP_GRACE
            if time.monotonic() >= self._give_up_at:
                return False
            await asyncio.sleep(pause)
        else:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), pause)
        return True

    async def drain(self) -> int:
        """Send everything that is due now; the total handled."""
        total = 0
        while handled := await self.run_once():
            total += handled
        await self.report_progress(force=True)
        return total

    async def run(self, stop: asyncio.Event, idle: float = 1.0) -> None:
        """Work until ``stop``; when nothing is due, look again every ``idle`` seconds."""
        self._stop = stop
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
        if not await self._write(
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
            if not await self._write("a channel post", store):
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

    # --- progress for the organiser ------------------------------------------------------
    async def report_progress(self, force: bool = False) -> None:
        """Edit each running broadcast's progress message every few seconds."""
        moment = time.monotonic()
        if not force and moment - self._last_progress < self.progress_interval:
            return
        self._last_progress = moment
        # Read apart from the write lock, which every update takes on SQLite: counting a
        # broadcast to a million took 140 ms there, every 3 s. Only marking one finished
        # writes.
        notes: list[ProgressNote] = []
        finished: list[int] = []
        async with self.app.sessions() as session:
            for broadcast in await running_broadcasts(session):
                note, done = await self._progress_of(session, broadcast)
                if done:
                    finished.append(broadcast.id)
                if note is not None:
                    notes.append(note)
        if finished:
            async with self.app.write_lock, self.app.sessions() as session, session.begin():
                await finish_broadcasts(session, finished, self.app.clock.now())
        # Telegram is called with no transaction open: on SQLite one would hold every
        # update's write lock for the length of a round trip.
        sent: dict[int, int] = {}
        for broadcast_id, chat_id, message_id, text in notes:
            try:
                # In the free budget, as a reply: at 30/s a progress edit outside it was
                # the 31st message of its second, and Telegram answered 429.
                async with self.pacer.turn(chat_id, reply=True):
                    if not message_id:  # none yet, or its id went unread (0): a new one
                        sent[broadcast_id] = await self.sender.send_text(chat_id, text)
                    else:
                        await self.sender.edit_text(chat_id, message_id, text)
            except RetryLater as error:
                self.pacer.pause(error.seconds)
            except Rejected:
                pass  # "message is not modified": nothing changed since the last edit
            except SendError as error:
                log.warning("progress message not updated: %s", type(error).__name__)
        if sent:
            async with self.app.write_lock, self.app.sessions() as session, session.begin():
                for broadcast_id, message_id in sent.items():
                    if (found := await session.get(Broadcast, broadcast_id)) is not None:
                        found.progress_message_id = message_id

    def _rate(self) -> float:
        horizon = time.monotonic() - RATE_WINDOW
        while self.figures.recent and self.figures.recent[0] <= horizon:
            self.figures.recent.popleft()
        return len(self.figures.recent) / RATE_WINDOW

    async def _progress_of(
        self, session: AsyncSession, broadcast: Broadcast
    ) -> tuple[ProgressNote | None, bool]:
        """A running broadcast's figures for its organiser, to send once the reading is
        over, and whether it is done."""
        counts = await delivery_counts(session, broadcast.update_id)
        waiting = counts.get(DeliveryStatus.PENDING, 0) + counts.get(DeliveryStatus.SENDING, 0)
        done = waiting == 0 and broadcast.queued_through is None
        organiser = (
            await session.get(Supporter, broadcast.requested_by) if broadcast.requested_by else None
        )
        if organiser is None:
            return None, done
        update = self._updates.get(broadcast.update_id) or await get_update(
            session, broadcast.update_id
        )
        if update is None:
            return None, done
        rate = self._rate()
        progress = Progress(
            sent=counts.get(DeliveryStatus.SENT, 0),
            total=sum(counts.values()),
            per_second=rate,
            blocked=counts.get(DeliveryStatus.BLOCKED, 0),
            failed=counts.get(DeliveryStatus.FAILED, 0),
            uncertain=await count_uncertain(session, broadcast.update_id),
            done=done,
            seconds_left=int(waiting / rate) if rate > 0 else None,
            stars_ran_out=broadcast.stars_ran_out,
        )
        text = progress_text(self.app.catalogs.get(organiser.language), update, progress)
        chat_id = self.app.vault.decrypt_id(organiser.chat_id_enc)
        return (broadcast.id, chat_id, broadcast.progress_message_id, text), done
