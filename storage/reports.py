""" "I took action" reports and the anonymous totals reported to officials.

A report is one row per supporter, update and kind (inserted with ON CONFLICT DO NOTHING,
so a double tap or a redelivered update counts once). Each accepted report also bumps an
anonymous per-day total; forgetting a person or purging after the deadline deletes the
reports and leaves the totals. The ``PEOPLE`` total counts supporters who reported at least
one kind on an update; ``PEOPLE_ON_NUMBER`` counts each person once per UA number across all
its updates (bumped on the update of their first report there): the figure reported to
officials and told to supporters ("you and N others"). It stays right only while a number's
reports are kept whole, which is why they are purged per number, never per update.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, ScalarSelect, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.database import insert_ignore
from storage.models import ActionReport, ActionTotal, Supporter, UACase, UAUpdate

KINDS = ("letter", "email", "social")
PEOPLE = "people"
PEOPLE_ON_NUMBER = "people_on_number"
COUNTS = (PEOPLE, PEOPLE_ON_NUMBER)


async def _bump(session: AsyncSession, update_id: int, kind: str, day: date, step: int) -> None:
    await insert_ignore(
        session,
        ActionTotal,
        {"update_id": update_id, "kind": kind, "day": day, "count": 0},
        ["update_id", "kind", "day"],
    )
    await session.execute(
        update(ActionTotal)
        .where(ActionTotal.update_id == update_id, ActionTotal.kind == kind, ActionTotal.day == day)
        .values(count=ActionTotal.count + step)
    )


async def _reports(session: AsyncSession, supporter_id: int, which: ColumnElement[bool]) -> int:
    """How many of the supporter's reports match ``which``."""
    query = select(func.count()).select_from(ActionReport)
    return int(
        await session.scalar(query.where(ActionReport.supporter_id == supporter_id, which)) or 0
    )


def on_number(case_id: int | ScalarSelect[int]) -> ColumnElement[bool]:
    """Reports on any update of the UA number ``case_id`` (a value or a subquery)."""
    return ActionReport.update_id.in_(select(UAUpdate.id).where(UAUpdate.case_id == case_id))


def _number_of(update_id: int) -> ScalarSelect[int]:
    return select(UAUpdate.case_id).where(UAUpdate.id == update_id).scalar_subquery()


async def _one_at_a_time(session: AsyncSession, supporter_id: int) -> None:
    """Lock the supporter's row (PostgreSQL) so that two reports of one person on two updates
    at once cannot both count them as new on the number; SQLite has one writer anyway."""
    await session.execute(
        select(Supporter.id).where(Supporter.id == supporter_id).with_for_update()
    )


async def record_report(
    session: AsyncSession, supporter_id: int, update_id: int, kind: str, today: date
) -> bool:
    """Count one action; False when this supporter already reported this kind here."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of action {kind!r}")
    await _one_at_a_time(session, supporter_id)
    inserted = await insert_ignore(
        session,
        ActionReport,
        {"supporter_id": supporter_id, "update_id": update_id, "kind": kind, "reported_on": today},
        ["supporter_id", "update_id", "kind"],
    )
    if inserted:
        await _bump(session, update_id, kind, today, 1)
        if await _reports(session, supporter_id, ActionReport.update_id == update_id) == 1:
            await _bump(session, update_id, PEOPLE, today, 1)
        if await _reports(session, supporter_id, on_number(_number_of(update_id))) == 1:
            await _bump(session, update_id, PEOPLE_ON_NUMBER, today, 1)
    return inserted


async def undo_report(session: AsyncSession, supporter_id: int, update_id: int, kind: str) -> bool:
    """Withdraw a report made by mistake; its day's total goes down again."""
    await _one_at_a_time(session, supporter_id)
    report = await session.scalar(
        select(ActionReport).where(
            ActionReport.supporter_id == supporter_id,
            ActionReport.update_id == update_id,
            ActionReport.kind == kind,
        )
    )
    if report is None:
        return False
    day = report.reported_on
    await session.delete(report)
    await session.flush()
    await _bump(session, update_id, kind, day, -1)
    if await _reports(session, supporter_id, ActionReport.update_id == update_id) == 0:
        await _bump(session, update_id, PEOPLE, day, -1)
    if await _reports(session, supporter_id, on_number(_number_of(update_id))) == 0:
        await _bump(session, update_id, PEOPLE_ON_NUMBER, day, -1)
    return True


async def acted_on_number(session: AsyncSession, supporter_id: int, case_id: int) -> bool:
    """Whether the person reported any action on any update of the UA number."""
    return await _reports(session, supporter_id, on_number(case_id)) > 0


async def kinds_reported(session: AsyncSession, supporter_id: int, update_id: int) -> set[str]:
    return set(
        await session.scalars(
            select(ActionReport.kind).where(
                ActionReport.supporter_id == supporter_id, ActionReport.update_id == update_id
            )
        )
    )


async def people_on_case(session: AsyncSession, case_id: int) -> int:
    """People who acted on a UA number, each once whatever the updates they acted on."""
    return int(
        await session.scalar(
            select(func.coalesce(func.sum(ActionTotal.count), 0))
            .join(UAUpdate, UAUpdate.id == ActionTotal.update_id)
            .where(UAUpdate.case_id == case_id, ActionTotal.kind == PEOPLE_ON_NUMBER)
        )
        or 0
    )


async def totals_by_update(session: AsyncSession, case_id: int) -> dict[int, dict[str, int]]:
    """{update ordinal: {kind: count}} for one UA number, both people counts included (sum
    ``PEOPLE_ON_NUMBER`` over the updates for the number's people)."""
    rows = await session.execute(
        select(UAUpdate.ordinal, ActionTotal.kind, func.sum(ActionTotal.count))
        .join(UAUpdate, UAUpdate.id == ActionTotal.update_id)
        .where(UAUpdate.case_id == case_id)
        .group_by(UAUpdate.ordinal, ActionTotal.kind)
    )
    totals: dict[int, dict[str, int]] = {}
    for ordinal, kind, count in rows:
        totals.setdefault(ordinal, {})[kind] = int(count)
    return totals


async def reports_of(session: AsyncSession, supporter_id: int) -> list[tuple[str, str, date]]:
    """(UA number, kind, day) of each action the person reported, oldest first."""
    rows = await session.execute(
        select(UACase.number, ActionReport.kind, ActionReport.reported_on)
        .join(UAUpdate, UAUpdate.id == ActionReport.update_id)
        .join(UACase, UACase.id == UAUpdate.case_id)
        .where(ActionReport.supporter_id == supporter_id)
        .order_by(ActionReport.reported_on, ActionReport.id)
    )
    return [(number or "?", kind, day) for number, kind, day in rows]


async def totals_by_day(session: AsyncSession, case_id: int) -> list[tuple[int, str, date, int]]:
    """(update ordinal, kind, day, count) rows of one UA number: counts only, never who."""
    rows = await session.execute(
        select(UAUpdate.ordinal, ActionTotal.kind, ActionTotal.day, ActionTotal.count)
        .join(UAUpdate, UAUpdate.id == ActionTotal.update_id)
        .where(UAUpdate.case_id == case_id, ActionTotal.count != 0)
        .order_by(UAUpdate.ordinal, ActionTotal.day, ActionTotal.kind)
    )
    return [(ordinal, kind, day, int(count)) for ordinal, kind, day, count in rows]
