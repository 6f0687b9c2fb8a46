"""Telegram's bulk limit spent by every process of one bot together (PostgreSQL).

Each process paces what it sends (``bot.pacer``); with several processes on one database
their sums went past Telegram's limit (67 x 429 with two processes against 1-2 with one).
Before a message leaves, the process now also takes a departure slot from the database
(``storage.send_budget``), spaced ``1 / rate`` seconds after the one before, whichever
process took it; replies take the next free slot, broadcast messages only one that is due,
so replies go first across processes too. A 429 seen by one process pauses them all.

When the database cannot give a slot (it is away, or slow beyond ``SLOT_WAIT``), the
message goes with its process's own pacing: a reply is never held for the budget's sake,
and the process's pacer alone still keeps a single process within the limit.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.send_budget import pause_all, take_slot

log = logging.getLogger("uabot.budget")

#: How long a slot is waited for before the message goes on its process's pacing alone:
#: the database answers in about a millisecond.
SLOT_WAIT = 2.0
#: Messages a second kept back from the shared rate for sends that leave late (1 of 30
#: tolerates 34 ms of lateness across a second).
JITTER_ALLOWANCE = 1.0


class SharedBudget:
    """Departure slots from the bot's database, ``rate`` a second for all processes."""

    def __init__(self, engine: AsyncEngine, rate: float) -> None:
        # Each statement on its own: one round trip, the row locked for the update alone.
        self.engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        # One message a second less than the rate: slots taken by several processes leave
        # a few milliseconds apart, and a send that leaves late arrives close to the next
        # one; at exactly 30 a second, 31 arrived within Telegram's second now and then.
        self.interval = 1.0 / max(rate - JITTER_ALLOWANCE, rate / 2)
        self._pauses: set[asyncio.Task[None]] = set()

    async def turn(self, *, reply: bool) -> None:
        """Wait for this message's slot; at once when the database cannot give one."""
        while True:
            try:
                async with asyncio.timeout(SLOT_WAIT), self.engine.connect() as connection:
                    slot = await take_slot(connection, interval=self.interval, reply=reply)
            except (TimeoutError, SQLAlchemyError, OSError) as error:
                # Never a reply lost for the budget's sake: its own pacer still paces it.
                log.warning(
                    "no slot from the shared budget (%s): paced alone", type(error).__name__
                )
                return
            if slot.wait > 0:
                await asyncio.sleep(slot.wait)
            if slot.granted:
                return

    def pause(self, seconds: float) -> None:
        """Tell every process to wait ``seconds`` (a 429); written in the background, since
        the caller already waits that long itself."""
        task = asyncio.get_running_loop().create_task(self._pause(seconds))
        self._pauses.add(task)
        task.add_done_callback(self._pauses.discard)

    async def _pause(self, seconds: float) -> None:
        try:
            async with asyncio.timeout(SLOT_WAIT), self.engine.connect() as connection:
                await pause_all(connection, seconds)
        except (TimeoutError, SQLAlchemyError, OSError) as error:
            log.warning("a 429 pause was not shared: %s", type(error).__name__)
