"""Queries behind deadline reminders: which fired already, and who is owed one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, exists, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.database import insert_ignore
from storage.models import ActionReport, Delivery, ReminderRun, Supporter, UAUpdate
from storage.outbox import queue_from


async def fired(session: AsyncSession) -> set[tuple[int, str]]:
    rows = await session.execute(select(ReminderRun.update_id, ReminderRun.offset_key))
    return {(update_id, offset) for update_id, offset in rows}


async def mark_fired(session: AsyncSession, update_id: int, offset_key: str, now: datetime) -> bool:
    """True the first time only: a job that fires twice enqueues once."""
    return await insert_ignore(
        session,
        ReminderRun,
        {"update_id": update_id, "offset_key": offset_key, "fired_at": now},
        ["update_id", "offset_key"],
    )


async def enqueue_reminders(session: AsyncSession, update: UAUpdate, offset_key: str) -> int:
    """Queue a reminder for everyone who received the UA, has not reported an action on it,
    is still subscribed and active, and has reminders on. Unique per supporter, update and
    offset, so running this twice sends each reminder once."""
    received = select(Delivery.id).where(
        Delivery.supporter_id == Supporter.id,
        Delivery.update_id == update.id,
        Delivery.kind == "ua",
        Delivery.status == "sent",
    )
    acted = select(ActionReport.id).where(
        ActionReport.supporter_id == Supporter.id, ActionReport.update_id == update.id
    )
    source = select(
        Supporter.id,
        literal(update.id),
        literal("reminder"),
        literal(offset_key),
        literal(1),
        literal("pending"),
        literal(0),
    ).where(
        and_(
            Supporter.subscribed,
            Supporter.active,
            Supporter.reminders_on,
            exists(received),
            ~exists(acted),
        )
    )
    return await queue_from(session, source)
