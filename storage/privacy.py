"""Forgetting who acted once it no longer serves: per-person rows of expired UAs go."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.database import affected
from storage.models import (
    ActionReport,
    Delivery,
    ProcessedUpdate,
    ReminderRequest,
    UACase,
    UAUpdate,
)


@dataclass(frozen=True)
class Purged:
    reports: int
    deliveries: int
    update_ids: int


async def purge_expired(session: AsyncSession, cutoff: date, seen_before: datetime) -> Purged:
    """Delete action reports and deliveries of every UA number that is over: its latest
    deadline, or the day it was closed, before ``cutoff`` (that day plus the grace period);
    and the record of platform update ids seen before ``seen_before``. The anonymous
    ``action_totals`` stay. A number's reports go all at once, never one update's while a
    later one is open: the bot would take a person who acted on the sixth update and now
    acts on the seventh for someone new to the number."""
    live_cases = select(UAUpdate.case_id).where(
        or_(UAUpdate.deadline.is_(None), UAUpdate.deadline >= cutoff)
    )
    closed_since = datetime.combine(cutoff, time.min, tzinfo=UTC)
    over = select(UACase.id).where(
        or_(UACase.id.not_in(live_cases), UACase.closed_at < closed_since)
    )
    expired = select(UAUpdate.id).where(UAUpdate.case_id.in_(over))
    reports = await session.execute(delete(ActionReport).where(ActionReport.update_id.in_(expired)))
    deliveries = await session.execute(delete(Delivery).where(Delivery.update_id.in_(expired)))
    await session.execute(delete(ReminderRequest).where(ReminderRequest.update_id.in_(expired)))
    seen = await session.execute(
        delete(ProcessedUpdate).where(ProcessedUpdate.seen_at < seen_before)
    )
    return Purged(affected(reports), affected(deliveries), affected(seen))
