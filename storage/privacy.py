"""Forgetting who acted once it no longer serves: per-person rows of expired UAs go."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ActionReport, Delivery, ProcessedUpdate, UAUpdate


@dataclass(frozen=True)
class Purged:
    reports: int
    deliveries: int
    update_ids: int


async def purge_expired(session: AsyncSession, cutoff: date, seen_before: datetime) -> Purged:
    """Delete action reports and deliveries of every update whose deadline is before
    ``cutoff`` (the deadline plus the grace period), and the record of platform update ids
    seen before ``seen_before``. The anonymous ``action_totals`` stay."""
    expired = select(UAUpdate.id).where(UAUpdate.deadline < cutoff)
    reports = await session.execute(delete(ActionReport).where(ActionReport.update_id.in_(expired)))
    deliveries = await session.execute(delete(Delivery).where(Delivery.update_id.in_(expired)))
    seen = await session.execute(
        delete(ProcessedUpdate).where(ProcessedUpdate.seen_at < seen_before)
    )
    return Purged(
        int(reports.rowcount or 0), int(deliveries.rowcount or 0), int(seen.rowcount or 0)
    )
