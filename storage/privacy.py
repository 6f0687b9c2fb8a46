"""Forgetting who acted once it no longer serves: per-person rows of expired UAs go."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import Select, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.database import affected
from storage.models import (
    ActionReport,
    Delivery,
    HandledEvent,
    ReminderRequest,
    UACase,
    UAUpdate,
)


@dataclass(frozen=True)
class Purged:
    reports: int
    update_ids: int
    #: Counted by the caller, batch by batch (``purge_expired_deliveries``).
    deliveries: int = 0


#: Deliveries deleted per transaction: a million in one held SQLite's writer, and the
#: event loop its statements run on, for 8 s; a batch takes tens of milliseconds.
DELIVERIES_PER_BATCH = 5_000


def _expired_updates(cutoff: date) -> Select[int]:
    """Updates of every UA number that is over: its latest deadline, or the day it was
    closed, before ``cutoff`` (that day plus the grace period)."""
    live_cases = select(UAUpdate.case_id).where(
        or_(UAUpdate.deadline.is_(None), UAUpdate.deadline >= cutoff)
    )
    closed_since = datetime.combine(cutoff, time.min, tzinfo=UTC)
    over = select(UACase.id).where(
        or_(UACase.id.not_in(live_cases), UACase.closed_at < closed_since)
    )
    return select(UAUpdate.id).where(UAUpdate.case_id.in_(over))


async def purge_expired(session: AsyncSession, cutoff: date, seen_before: datetime) -> Purged:
    """Delete the action reports of every UA number that is over (see ``_expired_updates``)
    and the record of platform update ids seen before ``seen_before``; its deliveries go
    in batches (``purge_expired_deliveries``). The anonymous
    ``action_totals`` stay. A number's reports go all at once, never one update's while a
    later one is open: the bot would take a person who acted on the sixth update and now
    acts on the seventh for someone new to the number."""
    expired = _expired_updates(cutoff)
    reports = await session.execute(delete(ActionReport).where(ActionReport.update_id.in_(expired)))
    await session.execute(delete(ReminderRequest).where(ReminderRequest.update_id.in_(expired)))
    seen = await session.execute(delete(HandledEvent).where(HandledEvent.seen_at < seen_before))
    return Purged(affected(reports), affected(seen))


async def purge_expired_deliveries(session: AsyncSession, cutoff: date, batch: int) -> int:
    """Delete up to ``batch`` deliveries of UA numbers that are over; how many went. Call
    again, in a transaction of its own, until it answers less than ``batch``."""
    chosen = (
        select(Delivery.id).where(Delivery.update_id.in_(_expired_updates(cutoff))).limit(batch)
    )
    result = await session.execute(delete(Delivery).where(Delivery.id.in_(chosen)))
    return affected(result)
