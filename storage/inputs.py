"""Organisers' pending inputs: what their next plain message is for."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import PendingInput

#: An organiser who started pasting and walked away should not have a stray message taken
#: as a UA part the next day.
INPUT_LIFETIME = timedelta(hours=1)


async def pending_input(
    session: AsyncSession, supporter_id: int, now: datetime
) -> PendingInput | None:
    """The person's pending input, if one was started within the last hour (the age is
    compared in SQL: SQLite hands datetimes back without their time zone)."""
    await session.execute(
        delete(PendingInput)
        .where(
            PendingInput.supporter_id == supporter_id,
            PendingInput.started_at < now - INPUT_LIFETIME,
        )
        # Not evaluated in Python: SQLite hands the loaded row's time back without its zone.
        .execution_options(synchronize_session="fetch")
    )
    return await session.scalar(
        select(PendingInput).where(PendingInput.supporter_id == supporter_id)
    )


async def start_input(
    session: AsyncSession, supporter_id: int, purpose: str, now: datetime
) -> PendingInput:
    """Begin waiting for the person's next messages; any earlier pending input is dropped."""
    await session.execute(delete(PendingInput).where(PendingInput.supporter_id == supporter_id))
    pending = PendingInput(supporter_id=supporter_id, purpose=purpose, parts=[], started_at=now)
    session.add(pending)
    await session.flush()
    return pending


async def add_part(session: AsyncSession, pending: PendingInput, order: int, text: str) -> None:
    """Keep one part of a long paste; ``order`` (the message id) puts parts back in order
    even when two arrive at once."""
    pending.parts = [*pending.parts, [order, text]]
    await session.flush()


def pasted_text(pending: PendingInput) -> str:
    """The parts joined in the order they were sent."""
    return "\n".join(part for _, part in sorted(pending.parts, key=lambda item: item[0]))


def pasted_length(pending: PendingInput) -> int:
    """How many characters the parts hold so far."""
    return sum(len(part) for _, part in pending.parts)


async def finish_input(session: AsyncSession, pending: PendingInput) -> str:
    """The parts joined in the order they were sent; the pending input is gone after."""
    text = pasted_text(pending)
    await session.delete(pending)
    await session.flush()
    return text
