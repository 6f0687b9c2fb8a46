"""The audit log of privileged commands, allowed or refused."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry


async def record(
    session: AsyncSession,
    *,
    actor_id: int | None,
    command: str,
    allowed: bool,
    at: datetime,
    detail: str = "",
) -> None:
    session.add(
        AuditEntry(
            at=at, actor_id=actor_id, command=command[:32], allowed=allowed, detail=detail[:200]
        )
    )
    await session.flush()


async def latest(session: AsyncSession, limit: int = 20) -> list[AuditEntry]:
    return list(
        await session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit))
    )
