"""The audit log of privileged commands: who did what to whom, and how it ended."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry


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
    """A new entry; the caller may still change its outcome before the commit."""
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


async def entries_about(session: AsyncSession, person: str) -> int:
    """How many entries name ``person`` (a pseudonym), as actor or target."""
    query = select(func.count()).where(or_(AuditEntry.actor == person, AuditEntry.target == person))
    return int(await session.scalar(query.select_from(AuditEntry)) or 0)
