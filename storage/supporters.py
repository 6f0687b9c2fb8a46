"""Queries about supporters. They never commit: the dispatcher owns the transaction."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, insert, literal, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import make_transient_to_detached

from storage.audience import ERASED, count_event
from storage.database import dialect_of, insert_ignore
from storage.models import Delivery, HandledEvent, Supporter
from storage.statuses import Role

#: Built once: this look-up runs for every event, and building the statement each time
#: cost as much as running it.
_FIND_SUPPORTER = select(Supporter).where(
    Supporter.platform == bindparam("platform"), Supporter.user_hash == bindparam("user_hash")
)


async def find_supporter(session: AsyncSession, platform: str, user_hash: str) -> Supporter | None:
    return await session.scalar(_FIND_SUPPORTER, {"platform": platform, "user_hash": user_hash})


_ADD_SUPPORTER = insert(Supporter).returning(Supporter.id)


@cache
def _claim_and_find() -> Any:
    """On PostgreSQL, the redelivery check and the person's row in one statement: every
    event needs both, and each round trip to the server costs the bot CPU besides the
    wait. Built once, on first use. The insert runs in a CTE; a row of ``here`` comes back
    whether or not the person is known (their columns are then NULL: None to the ORM)."""
    claimed = (
        postgresql_insert(HandledEvent)
        .values(
            platform=bindparam("platform"),
            event_key=bindparam("event_key"),
            seen_at=bindparam("seen_at"),
        )
        .on_conflict_do_nothing(index_elements=["platform", "event_key"])
        .returning(HandledEvent.id)
        .cte("claimed")
    )
    here = select(literal(1).label("one")).subquery("here")
    is_new = select(func.count()).select_from(claimed).scalar_subquery()
    return (
        select(is_new, Supporter)
        .select_from(here)
        .outerjoin(
            Supporter,
            and_(
                Supporter.platform == bindparam("platform"),
                Supporter.user_hash == bindparam("user_hash"),
            ),
        )
    )


async def claim_event(
    session: AsyncSession, *, platform: str, event_key: str, seen_at: datetime, user_hash: str
) -> tuple[bool, Supporter | None]:
    """Record an event as handled and read its sender's row: (whether it is the first
    delivery, the row or None). A redelivered event must change nothing, and Telegram
    redelivers whatever was not confirmed before a restart."""
    if dialect_of(session) != "postgresql":  # SQLite's statements cost no round trip
        new = await insert_ignore(
            session,
            HandledEvent,
            {"platform": platform, "event_key": event_key, "seen_at": seen_at},
            ["platform", "event_key"],
        )
        if not new:
            return False, None
        return True, await find_supporter(session, platform, user_hash)
    parameters = {
        "platform": platform,
        "event_key": event_key,
        "seen_at": seen_at,
        "user_hash": user_hash,
    }
    new, supporter = (await session.execute(_claim_and_find(), parameters)).one()
    return bool(new), supporter


async def add_supporter(
    session: AsyncSession,
    *,
    platform: str,
    user_hash: str,
    user_id_enc: str,
    chat_id_enc: str,
    language: str,
    today: date,
    role: Role = Role.SUPPORTER,
) -> Supporter:
    """A new person's row, written at once and returned as a row of the session.

    Written as one Core INSERT and then handed to the session as if it had been read:
    the ORM's unit of work (a flush) cost half of a new person's /start. Later changes
    to the returned row are flushed as usual."""
    values = {
        "platform": platform,
        "user_hash": user_hash,
        "user_id_enc": user_id_enc,
        "chat_id_enc": chat_id_enc,
        "language": language,
        "subscribed": False,
        "reminders_on": True,
        "discreet": False,
        "active": True,
        "role": role,
        "created_on": today,
    }
    connection = await session.connection()
    row_id = (await connection.execute(_ADD_SUPPORTER, values)).scalar_one()
    supporter = Supporter(id=row_id, **values)
    make_transient_to_detached(supporter)
    session.add(supporter)
    return supporter


async def forget_supporter(session: AsyncSession, supporter: Supporter, today: date) -> None:
    """Erase a person: their row, their outbox rows, their reports. The audit names people
    by pseudonym, not by row, and stays: nobody can erase their own trail.

    The anonymous ``action_totals`` are separate rows and stay, so counts already reported to
    officials do not change.
    """
    await session.execute(delete(Delivery).where(Delivery.supporter_id == supporter.id))
    await count_event(session, ERASED, today)
    await session.delete(supporter)
    await session.flush()


async def find_by_role(
    session: AsyncSession, platform: str, roles: tuple[Role, ...]
) -> list[Supporter]:
    result = await session.scalars(
        select(Supporter)
        .where(Supporter.platform == platform, Supporter.role.in_(roles))
        .order_by(Supporter.id)
    )
    return list(result)


async def set_role(
    session: AsyncSession,
    *,
    platform: str,
    user_hash: str,
    make_row: dict[str, str],
    role: Role,
    today: date,
) -> Supporter:
    """Give a person a role, creating their row when they have not written to the bot yet."""
    supporter = await find_supporter(session, platform, user_hash)
    if supporter is None:
        supporter = await add_supporter(
            session, platform=platform, user_hash=user_hash, today=today, role=role, **make_row
        )
    supporter.role = role
    await session.flush()
    return supporter
