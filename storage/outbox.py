"""The transactional outbox: one delivery row per recipient, written with the publication.

Enqueueing is ``INSERT ... SELECT`` in batches of subscribers: the database streams them
itself, so a million never sit in the bot's memory, no transaction holds the write lock for
long (the worker queues what the publication did not), and ``ON CONFLICT DO NOTHING`` on
(supporter, update, kind, offset) makes publishing twice harmless.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, func, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.audience import BLOCKED, count_event
from storage.database import affected, dialect_insert, dialect_of
from storage.models import ActionReport, Broadcast, ChannelPost, Delivery, Supporter, UAUpdate
from storage.statuses import DeliveryStatus
from storage.uas import publish_update

#: The error mark of a delivery whose send timed out after the request left: it may have
#: arrived, so it is retried at most once and counted as uncertain in the report.
UNCERTAIN = "uncertain"


#: Subscribers queued in one transaction. A million at once held SQLite's write lock, which
#: every update waits for, for 2.4 s; 10,000 take about 25 ms. The worker queues the rest,
#: a batch a round, far ahead of any sending (10,000 last 5 minutes at 30/s).
ENQUEUE_BATCH = 10_000


def _audience(*where: Any) -> Any:
    return and_(Supporter.subscribed, Supporter.active, *where)


async def enqueue_broadcast(
    session: AsyncSession, update: UAUpdate, after: int = 0, batch: int | None = None
) -> tuple[int, int | None]:
    """Queue the UA for the next ``batch`` active subscribers (by id, after ``after``);
    how many were queued, and the last id queued when others remain (None: all are).

    Those who acted on an earlier update of the case go first: they are all queued with
    the first batch (found from their reports, few), and claimed before the rest."""
    batch = batch or ENQUEUE_BATCH
    queued = 0
    if after == 0:
        acted = (
            select(ActionReport.supporter_id)
            .join(UAUpdate, UAUpdate.id == ActionReport.update_id)
            .where(UAUpdate.case_id == update.case_id, UAUpdate.ordinal < update.ordinal)
        )
        queued += await queue_from(
            session, _rows(update, priority=0, where=_audience(Supporter.id.in_(acted)))
        )
    last = await session.scalar(
        select(Supporter.id)
        .where(_audience(Supporter.id > after))
        .order_by(Supporter.id)
        .offset(batch - 1)
        .limit(1)
    )
    through = Supporter.id <= last if last is not None else literal(True)
    queued += await queue_from(
        session, _rows(update, priority=1, where=_audience(Supporter.id > after, through))
    )
    return queued, last


def _rows(update: UAUpdate, priority: int, where: Any) -> Select[*tuple[Any, ...]]:
    """``DELIVERY_COLUMNS`` of the announcement of ``update`` to the supporters ``where``."""
    return select(
        Supporter.id,
        literal(update.id),
        literal("ua"),
        literal(""),
        literal(priority),
        literal(DeliveryStatus.PENDING),
        literal(0),
    ).where(where)


async def count_audience(session: AsyncSession) -> int:
    """How many people a broadcast would reach now: the active subscribers."""
    found = await session.scalar(
        select(func.count()).select_from(Supporter).where(Supporter.subscribed, Supporter.active)
    )
    return int(found or 0)


DELIVERY_COLUMNS = [
    "supporter_id",
    "update_id",
    "kind",
    "offset_key",
    "priority",
    "status",
    "attempts",
]


async def queue_from(session: AsyncSession, source: Select[*tuple[Any, ...]]) -> int:
    """Insert deliveries from a SELECT of ``DELIVERY_COLUMNS``; rows already owed are left
    as they are (unique per supporter, update, kind and offset)."""
    statement = (
        dialect_insert(session)(Delivery)
        .from_select(DELIVERY_COLUMNS, source)
        .on_conflict_do_nothing(index_elements=["supporter_id", "update_id", "kind", "offset_key"])
    )
    result = await session.execute(statement)
    return affected(result)


async def queue_depth(session: AsyncSession) -> dict[str, int]:
    """{kind: count} of the messages queued and not yet sent (pending or in flight)."""
    rows = await session.execute(
        select(Delivery.kind, func.count())
        .where(Delivery.status.in_((DeliveryStatus.PENDING, DeliveryStatus.SENDING)))
        .group_by(Delivery.kind)
    )
    return {kind: int(count) for kind, count in rows}


async def delivery_counts(session: AsyncSession, update_id: int) -> dict[str, int]:
    """{status: count} of the UA deliveries of one update."""
    rows = await session.execute(
        select(Delivery.status, func.count())
        .where(Delivery.update_id == update_id, Delivery.kind == "ua")
        .group_by(Delivery.status)
    )
    return {status: int(count) for status, count in rows}


def _due(
    query: Select[*tuple[Any, ...]],
    table: type[Delivery] | type[ChannelPost],
    session: AsyncSession,
    now: datetime,
    lease: timedelta,
) -> list[Select[*tuple[Any, ...]]]:
    """Rows of an outbox table that are due, as two queries (one per status, each an
    ordered walk of ``ix_deliveries_due`` that stops at its limit; one query with an OR
    read and sorted every pending row): pending and past their next attempt, or leased
    by a worker whose lease ran out (a dead worker). A lease ending further ahead than a
    whole lease was taken before the clock stepped back (an NTP correction): it is as
    good as run out, or its rows would wait for the clock to catch up. On PostgreSQL rows
    locked by another worker are skipped; SQLite serialises writers."""
    pending = query.where(
        table.status == DeliveryStatus.PENDING,
        or_(table.next_attempt_at.is_(None), table.next_attempt_at <= now),
    )
    abandoned = query.where(
        table.status == DeliveryStatus.SENDING,
        or_(table.lease_until < now, table.lease_until > now + lease),
    )
    if dialect_of(session) == "postgresql":
        return [q.with_for_update(skip_locked=True) for q in (pending, abandoned)]
    return [pending, abandoned]


@dataclass(frozen=True)
class Claimed:
    """A delivery this worker holds a lease on, with what it needs to render and send it."""

    id: int
    supporter_id: int
    update_id: int
    kind: str
    offset_key: str
    attempts: int
    error: str | None
    chat_id_enc: str
    language: str
    discreet: bool


async def claim_due(
    session: AsyncSession, now: datetime, lease: timedelta, limit: int
) -> list[Claimed]:
    """Lease up to ``limit`` deliveries that are due, or whose lease ran out (a dead worker)."""
    found: list[tuple[int, int]] = []
    for due in _due(select(Delivery.priority, Delivery.id), Delivery, session, now, lease):
        rows = await session.execute(due.order_by(Delivery.priority, Delivery.id).limit(limit))
        found.extend((priority, delivery_id) for priority, delivery_id in rows)
    ids = [delivery_id for _, delivery_id in sorted(found)[:limit]]
    if not ids:
        return []
    await session.execute(
        update(Delivery)
        .where(Delivery.id.in_(ids))
        .values(
            status=DeliveryStatus.SENDING, lease_until=now + lease, attempts=Delivery.attempts + 1
        )
    )
    rows = await session.execute(
        select(
            Delivery.id,
            Delivery.supporter_id,
            Delivery.update_id,
            Delivery.kind,
            Delivery.offset_key,
            Delivery.attempts,
            Delivery.error,
            Supporter.chat_id_enc,
            Supporter.language,
            Supporter.discreet,
        )
        .join(Supporter, Supporter.id == Delivery.supporter_id)
        .where(Delivery.id.in_(ids))
        .order_by(Delivery.priority, Delivery.id)
    )
    return [Claimed(**row._asdict()) for row in rows]


#: The longest error kept on a row: the reason, not Telegram's whole answer.
ERROR_CHARACTERS = 200


def storable(text: str | None) -> str | None:
    """Text from outside (Telegram's error descriptions) as every database stores it: no
    NUL or other control characters (PostgreSQL refuses a NUL, and the outcome of a send
    that could not be written left its worker hung), at most ``ERROR_CHARACTERS``."""
    if text is None:
        return None
    cleaned = "".join(ch if ch.isprintable() else " " for ch in text[: ERROR_CHARACTERS * 2])
    return cleaned[:ERROR_CHARACTERS]


@dataclass(frozen=True)
class Outcome:
    """What became of one send: the delivery's new status and when to try again. The
    error is made storable when the outcome is built, whoever builds it."""

    delivery_id: int
    status: str
    next_attempt_at: datetime | None = None
    error: str | None = None
    blocked_supporter: int | None = None
    #: Set when the row's count of attempts changes back: a delivery handed back unsent
    #: (a worker stopping) did not use the attempt its claim counted.
    attempts: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "error", storable(self.error))


async def record_outcomes(
    session: AsyncSession, outcomes: list[Outcome], today: date, *, only_leased: bool = False
) -> None:
    """Write what became of each send. ``only_leased``: only to rows still being sent, for
    outcomes kept from an earlier run (a stale file may not undo what happened since)."""
    statement = update(Delivery)
    if only_leased:
        statement = statement.where(Delivery.status == DeliveryStatus.SENDING).execution_options(
            synchronize_session=None  # no rows of this session to keep in step
        )
    for attempts_too in (False, True):  # one statement per shape of row
        rows = [
            {
                "id": outcome.delivery_id,
                "status": outcome.status,
                "next_attempt_at": outcome.next_attempt_at,
                "lease_until": None,
                "error": outcome.error,
                **({"attempts": outcome.attempts} if attempts_too else {}),
            }
            for outcome in outcomes
            if (outcome.attempts is not None) == attempts_too
        ]
        if rows:
            await session.execute(statement, rows)
    blocked = [o.blocked_supporter for o in outcomes if o.blocked_supporter is not None]
    if blocked:
        result = await session.execute(
            update(Supporter)
            .where(Supporter.id.in_(blocked), Supporter.active.is_(True))
            .values(active=False)
        )
        await count_event(session, BLOCKED, today, affected(result))


async def publish_and_queue(
    session: AsyncSession,
    update: UAUpdate,
    *,
    requested_by: int | None,
    channels: list[tuple[str, str]],
    now: datetime,
    paid: bool = False,
) -> int:
    """Publish ``update`` and, in the same transaction, queue it for every subscriber and
    every configured ``(channel, language)``; the number of subscribers queued. ``paid``:
    the announcement goes with Telegram's paid broadcast."""
    await publish_update(session, update, now)
    audience = await count_audience(session)
    _, queued_through = await enqueue_broadcast(session, update)
    if channels:
        await session.execute(
            dialect_insert(session)(ChannelPost)
            .values(
                [
                    {"update_id": update.id, "chat": chat, "language": language, "attempts": 0}
                    for chat, language in channels
                ]
            )
            .on_conflict_do_nothing(index_elements=["update_id", "chat"])
        )
    broadcast = await start_broadcast(session, update.id, requested_by, audience, now, paid=paid)
    broadcast.queued_through = queued_through
    return audience


async def queue_more(session: AsyncSession) -> bool:
    """Queue the next batch of one broadcast published to more than ``ENQUEUE_BATCH``;
    whether any was left to queue."""
    broadcast = await session.scalar(
        select(Broadcast)
        .where(Broadcast.queued_through.is_not(None), ~Broadcast.cancelled)
        .order_by(Broadcast.id)
        .limit(1)
    )
    if broadcast is None or broadcast.queued_through is None:
        return False
    update_row = await session.get(UAUpdate, broadcast.update_id)
    if update_row is None:
        broadcast.queued_through = None
        return True
    _, broadcast.queued_through = await enqueue_broadcast(
        session, update_row, after=broadcast.queued_through
    )
    return True


@dataclass(frozen=True)
class ClaimedPost:
    """A channel post this worker holds a lease on."""

    id: int
    update_id: int
    chat: str
    language: str
    attempts: int
    error: str | None


async def claim_channel_posts(
    session: AsyncSession, now: datetime, lease: timedelta
) -> list[ClaimedPost]:
    """Lease the channel posts that are due (few: one per channel and publication)."""
    posts = [
        post
        for due in _due(select(ChannelPost), ChannelPost, session, now, lease)
        for post in await session.scalars(due)
    ]
    for post in posts:
        post.status, post.lease_until, post.attempts = (
            DeliveryStatus.SENDING,
            now + lease,
            post.attempts + 1,
        )
    await session.flush()
    return [
        ClaimedPost(post.id, post.update_id, post.chat, post.language, post.attempts, post.error)
        for post in posts
    ]


async def record_channel_post(session: AsyncSession, post_id: int, outcome: Outcome) -> None:
    await session.execute(
        update(ChannelPost)
        .where(ChannelPost.id == post_id)
        .values(
            status=outcome.status,
            next_attempt_at=outcome.next_attempt_at,
            lease_until=None,
            error=outcome.error,
        )
    )


async def start_broadcast(
    session: AsyncSession,
    update_id: int,
    requested_by: int | None,
    total: int,
    now: datetime,
    *,
    paid: bool = False,
) -> Broadcast:
    broadcast = Broadcast(
        update_id=update_id, requested_by=requested_by, total=total, started_at=now, paid=paid
    )
    session.add(broadcast)
    await session.flush()
    return broadcast


async def running_broadcasts(session: AsyncSession) -> list[Broadcast]:
    return list(
        await session.scalars(
            select(Broadcast).where(Broadcast.finished_at.is_(None)).order_by(Broadcast.id)
        )
    )


async def finish_broadcasts(session: AsyncSession, broadcast_ids: list[int], now: datetime) -> None:
    """Mark broadcasts whose every delivery has an outcome as finished (once)."""
    await session.execute(
        update(Broadcast)
        .where(Broadcast.id.in_(broadcast_ids), Broadcast.finished_at.is_(None))
        .values(finished_at=now)
    )


async def paid_updates(session: AsyncSession, update_ids: set[int]) -> set[int]:
    """Which of ``update_ids`` are announced with paid broadcast, Stars permitting."""
    rows = await session.scalars(
        select(Broadcast.update_id).where(
            Broadcast.update_id.in_(update_ids), Broadcast.paid, ~Broadcast.stars_ran_out
        )
    )
    return set(rows)


async def stars_ran_out(session: AsyncSession, update_id: int) -> None:
    """Telegram refused a paid message for lack of Stars: the rest of this broadcast goes
    at the free rate."""
    await session.execute(
        update(Broadcast).where(Broadcast.update_id == update_id).values(stars_ran_out=True)
    )


async def broadcasts_by_id(session: AsyncSession, broadcast_ids: set[int]) -> list[Broadcast]:
    return list(
        await session.scalars(
            select(Broadcast).where(Broadcast.id.in_(broadcast_ids)).order_by(Broadcast.id)
        )
    )


async def recent_broadcasts(session: AsyncSession, limit: int = 10) -> list[Broadcast]:
    return list(await session.scalars(select(Broadcast).order_by(Broadcast.id.desc()).limit(limit)))


async def cancel_broadcast(session: AsyncSession, broadcast: Broadcast, now: datetime) -> int:
    """Stop a broadcast: its deliveries not yet sent are cancelled; returns how many."""
    result = await session.execute(
        update(Delivery)
        .where(
            Delivery.update_id == broadcast.update_id,
            Delivery.kind == "ua",
            Delivery.status == DeliveryStatus.PENDING,
        )
        .values(status=DeliveryStatus.CANCELLED)
    )
    broadcast.cancelled = True
    broadcast.finished_at = now
    broadcast.queued_through = None
    await session.flush()
    return affected(result)


async def count_uncertain(session: AsyncSession, update_id: int) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(Delivery)
            .where(Delivery.update_id == update_id, Delivery.error == UNCERTAIN)
        )
        or 0
    )
