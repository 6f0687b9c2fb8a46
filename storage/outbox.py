"""The transactional outbox: one delivery row per recipient, written with the publication.

Enqueueing is one ``INSERT ... SELECT``: the database streams the subscribers itself, so a
million of them never sit in the bot's memory, and ``ON CONFLICT DO NOTHING`` on (supporter,
update, kind, offset) makes publishing twice harmless.
"""

from __future__ import annotations

from sqlalchemy import and_, case, exists, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.database import dialect_insert
from storage.models import ActionReport, Delivery, Supporter, UAUpdate


async def enqueue_broadcast(session: AsyncSession, update: UAUpdate) -> int:
    """Queue the UA for every active subscriber; those who acted on an earlier update first."""
    acted_before = exists(
        select(ActionReport.id)
        .join(UAUpdate, UAUpdate.id == ActionReport.update_id)
        .where(
            ActionReport.supporter_id == Supporter.id,
            UAUpdate.case_id == update.case_id,
            UAUpdate.ordinal < update.ordinal,
        )
    )
    source = select(
        Supporter.id,
        literal(update.id),
        literal("ua"),
        literal(""),
        case((acted_before, 0), else_=1),
        literal("pending"),
        literal(0),
    ).where(and_(Supporter.subscribed, Supporter.active))
    statement = (
        dialect_insert(session)(Delivery)
        .from_select(
            ["supporter_id", "update_id", "kind", "offset_key", "priority", "status", "attempts"],
            source,
        )
        .on_conflict_do_nothing(index_elements=["supporter_id", "update_id", "kind", "offset_key"])
    )
    result = await session.execute(statement)
    return int(result.rowcount or 0)


async def delivery_counts(session: AsyncSession, update_id: int) -> dict[str, int]:
    """{status: count} of the UA deliveries of one update."""
    rows = await session.execute(
        select(Delivery.status, func.count())
        .where(Delivery.update_id == update_id, Delivery.kind == "ua")
        .group_by(Delivery.status)
    )
    return {status: int(count) for status, count in rows}
