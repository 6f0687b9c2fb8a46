"""Queries about supporters. They never commit: the dispatcher owns the transaction."""

from __future__ import annotations

from datetime import date

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.audience import ERASED, count_event
from storage.models import Delivery, Supporter

#: Built once: this look-up runs for every update, and building the statement each time
#: cost as much as running it.
_FIND_SUPPORTER = select(Supporter).where(
    Supporter.platform == bindparam("platform"), Supporter.user_hash == bindparam("user_hash")
)


async def find_supporter(session: AsyncSession, platform: str, user_hash: str) -> Supporter | None:
    return await session.scalar(_FIND_SUPPORTER, {"platform": platform, "user_hash": user_hash})


async def add_supporter(
    session: AsyncSession,
    *,
    platform: str,
    user_hash: str,
    user_id_enc: str,
    chat_id_enc: str,
    language: str,
    today: date,
    role: str = "supporter",
) -> Supporter:
    supporter = Supporter(
        platform=platform,
        user_hash=user_hash,
        user_id_enc=user_id_enc,
        chat_id_enc=chat_id_enc,
        language=language,
        subscribed=False,
        reminders_on=True,
        discreet=False,
        active=True,
        role=role,
        created_on=today,
    )
    session.add(supporter)
    await session.flush()
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
    session: AsyncSession, platform: str, roles: tuple[str, ...]
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
    role: str,
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
