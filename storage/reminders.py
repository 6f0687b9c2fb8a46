"""Queries behind deadline reminders: which fired already, who asked, who is owed one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, exists, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.database import insert_ignore
from storage.models import (
    ActionReport,
    Delivery,
    ReminderRequest,
    ReminderRun,
    Supporter,
    UACase,
    UAUpdate,
)
from storage.outbox import queue_from
from storage.reports import on_number
from storage.statuses import DeliveryStatus


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


async def ask_for_reminder(session: AsyncSession, supporter_id: int, update_id: int) -> None:
    """Remember that this person wants a reminder of this update (once, however often asked)."""
    await insert_ignore(
        session,
        ReminderRequest,
        {"supporter_id": supporter_id, "update_id": update_id},
        ["supporter_id", "update_id"],
    )


async def reminders_asked(session: AsyncSession, supporter_id: int) -> list[str]:
    """The UA numbers this person asked to be reminded of."""
    rows = await session.scalars(
        select(UACase.number)
        .join(UAUpdate, UAUpdate.case_id == UACase.id)
        .join(ReminderRequest, ReminderRequest.update_id == UAUpdate.id)
        .where(ReminderRequest.supporter_id == supporter_id)
        .order_by(ReminderRequest.id)
    )
    return [number or "?" for number in rows]


async def enqueue_reminders(session: AsyncSession, update: UAUpdate, offset_key: str) -> int:
    """Queue a reminder for everyone who received the UA (and is still subscribed) or asked
    for one, has not reported an action on any update of its number, is active and has
    reminders on. Unique per supporter, update and offset, so running this twice sends each
    reminder once."""
    received = select(Delivery.id).where(
        Delivery.supporter_id == Supporter.id,
        Delivery.update_id == update.id,
        Delivery.kind == "ua",
        Delivery.status == DeliveryStatus.SENT,
    )
    asked = select(ReminderRequest.id).where(
        ReminderRequest.supporter_id == Supporter.id, ReminderRequest.update_id == update.id
    )
    acted = select(ActionReport.id).where(
        ActionReport.supporter_id == Supporter.id, on_number(update.case_id)
    )
    source = select(
        Supporter.id,
        literal(update.id),
        literal("reminder"),
        literal(offset_key),
        literal(1),
        literal(DeliveryStatus.PENDING),
        literal(0),
    ).where(
        and_(
            Supporter.active,
            Supporter.reminders_on,
            or_(and_(Supporter.subscribed, exists(received)), exists(asked)),
            ~exists(acted),
        )
    )
    return await queue_from(session, source)
