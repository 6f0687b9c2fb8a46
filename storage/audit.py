"""The audit log of privileged commands: who did what to whom, and how it ended."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry
from storage.statuses import AuditOutcome


async def record(
    session: AsyncSession,
    *,
    actor: str,
    target: str | None,
    command: str,
    outcome: str,
    at: datetime,
    detail: str = "",
) -> AuditEntry:
    """A new entry; the caller may still change its outcome before the commit. A refusal
    joins the day's entry of the same person and command, counted, so that a stranger's
    flood of refusals is one line and cannot push what others did out of sight."""
    if outcome == AuditOutcome.REFUSED:
        day = datetime.combine(at.date(), time(), tzinfo=at.tzinfo)
        earlier = await session.scalar(
            select(AuditEntry)
            .where(
                AuditEntry.actor == actor,
                AuditEntry.command == command[:32],
                AuditEntry.outcome == AuditOutcome.REFUSED,
                AuditEntry.at >= day,
            )
            .order_by(AuditEntry.id.desc())
            .limit(1)
        )
        if earlier is not None:
            earlier.times += 1
            earlier.at = at
            await session.flush()
            return earlier
    entry = AuditEntry(
        at=at,
        actor=actor,
        target=target,
        command=command[:32],
        outcome=outcome,
        detail=detail[:200],
    )
    session.add(entry)
    await session.flush()
    return entry


async def latest(
    session: AsyncSession, limit: int = 20, person: str | None = None
) -> list[AuditEntry]:
    """The newest entries, optionally only those where ``person`` (a pseudonym) acted or
    was acted upon."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if person is not None:
        query = query.where(or_(AuditEntry.actor == person, AuditEntry.target == person))
    return list(await session.scalars(query))


async def forget_before(session: AsyncSession, before: datetime) -> int:
    """Delete the entries older than ``before`` (the audit's retention); how many went."""
    result = await session.execute(delete(AuditEntry).where(AuditEntry.at < before))
    return int(getattr(result, "rowcount", 0) or 0)


async def entries_about(session: AsyncSession, person: str) -> int:
    """How many entries name ``person`` (a pseudonym), as actor or target."""
    query = select(func.count()).where(or_(AuditEntry.actor == person, AuditEntry.target == person))
    return int(await session.scalar(query.select_from(AuditEntry)) or 0)
