"""A broadcast's progress, as its organiser sees it: a message edited every few seconds with
the figures so far (sent, blocked, failed, uncertain, the rate and the time left), and the
broadcast marked finished once nothing is left to send. The worker counts; this reads the
counts and says them through ``handlers.notices``.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.pacer import Pacer
from bot.sending import Rejected, RetryLater, SendError, TelegramSender
from handlers.contract import Text
from handlers.notices import Progress, progress_text
from storage.models import Broadcast, Supporter, UAUpdate
from storage.outbox import count_uncertain, delivery_counts, finish_broadcasts, running_broadcasts
from storage.statuses import DeliveryStatus
from storage.uas import get_update

log = logging.getLogger("uabot.outbox")

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


class ProgressReporter:
    """Edits the progress message of each running broadcast, in the free send budget."""

    def __init__(
        self,
        app: App,
        sender: TelegramSender,
        pacer: Pacer,
        figures: Figures,
        updates: dict[int, UAUpdate],
        interval: float,
    ) -> None:
        self.app = app
        self.sender = sender
        self.pacer = pacer
        self.figures = figures
        #: The worker's updates, loaded for its batches: most progress needs no query.
        self._updates = updates
        self.interval = interval
        self._last_progress = 0.0

    async def report(self, force: bool = False) -> None:
        """Edit each running broadcast's progress message every ``interval`` seconds."""
        moment = time.monotonic()
        if not force and moment - self._last_progress < self.interval:
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
