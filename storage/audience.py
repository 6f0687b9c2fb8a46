"""Figures about the audience: how many people are reachable now, and what changed each week.

Counts only. The weekly figures are counters bumped when something happens (a person's row
says nothing of when they subscribed), so they stay true after /forget.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.database import insert_ignore
from storage.models import AudienceWeek, Supporter

SUBSCRIBED, UNSUBSCRIBED, BLOCKED, ERASED = "subscribed", "unsubscribed", "blocked", "erased"
EVENTS = (SUBSCRIBED, UNSUBSCRIBED, BLOCKED, ERASED)


@dataclass(frozen=True)
class AudienceNow:
    #: Subscribed and not blocking the bot: who a broadcast reaches.
    subscribed: int
    #: Blocked the bot (Telegram refuses every message to them), subscribed or not.
    blocked: int
    #: Known to the bot but not subscribed: unsubscribed, or came by a link and never did.
    not_subscribed: int


def week_of(day: date) -> date:
    """The Monday that starts ``day``'s week."""
    return day - timedelta(days=day.weekday())


async def count_event(session: AsyncSession, event: str, today: date, step: int = 1) -> None:
    """``step`` more people did ``event`` this week."""
    if event not in EVENTS:
        raise ValueError(f"unknown audience event {event!r}")
    if step <= 0:
        return
    week = week_of(today)
    await insert_ignore(
        session,
        AudienceWeek,
        {"week": week, "event": event, "count": 0},
        ["week", "event"],
    )
    await session.execute(
        update(AudienceWeek)
        .where(AudienceWeek.week == week, AudienceWeek.event == event)
        .values(count=AudienceWeek.count + step)
    )


async def audience_now(session: AsyncSession) -> AudienceNow:
    reachable = Supporter.subscribed.is_(True) & Supporter.active.is_(True)
    row = (
        await session.execute(
            select(
                func.count(case((reachable, 1))),
                func.count(case((Supporter.active.is_(False), 1))),
                func.count(case((Supporter.subscribed.is_(False) & Supporter.active.is_(True), 1))),
            )
        )
    ).one()
    return AudienceNow(*(int(value) for value in row))


async def audience_weeks(
    session: AsyncSession, today: date, weeks: int = 8
) -> list[tuple[date, dict[str, int]]]:
    """The last ``weeks`` weeks, newest first, each with a count for every event."""
    newest = week_of(today)
    oldest = newest - timedelta(weeks=weeks - 1)
    rows = await session.execute(
        select(AudienceWeek.week, AudienceWeek.event, AudienceWeek.count).where(
            AudienceWeek.week >= oldest
        )
    )
    counts = {(week, event): count for week, event, count in rows}
    return [
        (week, {event: counts.get((week, event), 0) for event in EVENTS})
        for week in (newest - timedelta(weeks=n) for n in range(weeks))
    ]
