"""The send budget every process of one bot shares on PostgreSQL: when the next message may
leave (Telegram counts about 30 a second for the bot, whichever process sends them) and
until when a 429 stops them all. One row, changed by one statement per message, timed by
the database's clock so that processes on several machines agree.

Each statement runs on its own (autocommit): one round trip, and the row is locked only
for the length of the update.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

#: A broadcast message takes a slot only this close to now: farther slots stay free for
#: replies, which take the next free one whatever is queued, so replies go first.
_TAKE = text(
    """
    UPDATE send_budget
    SET next_slot = GREATEST(next_slot, paused_until, clock_timestamp())
        + make_interval(secs => :interval)
    WHERE id = 1
      AND (:reply OR GREATEST(next_slot, paused_until)
           <= clock_timestamp() + make_interval(secs => :interval))
    RETURNING EXTRACT(EPOCH FROM next_slot - clock_timestamp()) - :interval
    """
)
#: How long until a refused broadcast message could take a slot: it waits that long, not a
#: slot's length at a time (a 30 s pause polled 30 times a second by every sender).
_UNTIL_DUE = text(
    """
    SELECT EXTRACT(EPOCH FROM GREATEST(next_slot, paused_until) - clock_timestamp()) - :interval
    FROM send_budget WHERE id = 1
    """
)
_PAUSE = text(
    """
    UPDATE send_budget
    SET paused_until = GREATEST(paused_until, clock_timestamp() + make_interval(secs => :seconds))
    WHERE id = 1
    """
)


@dataclass(frozen=True)
class Slot:
    """A departure in the shared budget: ``granted`` after ``wait`` seconds, or refused
    (a broadcast message behind replies or a pause): look again after ``wait``."""

    granted: bool
    wait: float


async def take_slot(connection: AsyncConnection, *, interval: float, reply: bool) -> Slot:
    """The next departure for one message, ``interval`` seconds after the one before."""
    wait = await connection.scalar(_TAKE, {"interval": interval, "reply": reply})
    if wait is not None:
        return Slot(granted=True, wait=max(0.0, float(wait)))
    until_due = await connection.scalar(_UNTIL_DUE, {"interval": interval})
    if until_due is None:
        # No budget row (migration 0015 writes it; someone deleted it): nothing to share,
        # and waiting for a row that never comes would stop every message.
        return Slot(granted=True, wait=0.0)
    return Slot(granted=False, wait=max(interval, float(until_due)))


async def pause_all(connection: AsyncConnection, seconds: float) -> None:
    """Telegram said 429 to one process: no process sends for ``seconds``."""
    await connection.execute(_PAUSE, {"seconds": seconds})
