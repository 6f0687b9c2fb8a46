"""What the outbox's bookkeeping costs as the queue grows: one claim of 200 and one progress
count, at 10,000, 100,000 and 1,000,000 queued deliveries, on SQLite and PostgreSQL; and
with that many subscribers, the longest transactions publishing takes: the publication
itself (the audience counted, the first batch queued) and each batch the worker queues.

The claim runs every batch and the progress count every 3 s for as long as a broadcast runs,
so either growing with the queue is paid about (queue / 200) times over. On SQLite every
update waits while a transaction writes, so no write may last long. Medians of three, each
transaction rolled back so that the next finds the same state.

    .venv/bin/python -m benchmarks.bench_outbox [--sizes 10000 100000 1000000]
        [--database-url postgresql+asyncpg://...]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from datetime import timedelta

from sqlalchemy import text

from benchmarks.common import NOW, add_subscribers, fresh_app, table
from bot.app import App
from storage.outbox import claim_due, delivery_counts, publish_and_queue, queue_more
from storage.supporters import add_supporter
from storage.uas import get_update, save_draft
from tests.conftest import FIXTURES
from uareader.document import parse_text

#: n = 1 .. :size, as each database counts.
SERIES = {
    "postgresql": "SELECT n FROM generate_series(1, :size) AS n",
    "sqlite": (
        "WITH RECURSIVE series(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM series "
        "WHERE n < :size) SELECT n FROM series"
    ),
}


async def queue(app: App, size: int) -> int:
    """``size`` pending deliveries of one update to one supporter (the claim and the count
    never read the supporter); the update's id."""
    template = (FIXTURES / "ua-en-two-targets.txt").read_text(encoding="utf-8")
    async with app.sessions() as session, session.begin():
        supporter = await add_supporter(
            session,
            platform="telegram",
            user_hash=app.vault.lookup_hash("telegram", 1),
            user_id_enc=app.vault.encrypt_id(1),
            chat_id_enc=app.vault.encrypt_id(1),
            language="en",
            today=NOW.date(),
        )
        update = await save_draft(session, parse_text(template), "en")
        series = SERIES[app.engine.dialect.name]
        await session.execute(
            text(
                "INSERT INTO deliveries (supporter_id, update_id, kind, offset_key, priority, "
                f"status, attempts) SELECT :supporter, :update, 'ua', CAST(n AS VARCHAR(16)), "
                f"1, 'pending', 0 FROM ({series}) AS numbers"
            ),
            {"supporter": supporter.id, "update": update.id, "size": size},
        )
    async with app.engine.connect() as connection:
        await connection.execute(text("ANALYZE"))
        await connection.commit()
    return update.id


async def median_ms(run, times: int = 3) -> float:  # type: ignore[no-untyped-def]
    timings = []
    for _ in range(times):
        started = time.perf_counter()
        await run()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


async def measure(database_url: str | None, size: int) -> tuple[float, float]:
    app = await fresh_app(database_url=database_url)
    try:
        update_id = await queue(app, size)

        async def claim() -> None:
            async with app.sessions() as session, session.begin():
                assert len(await claim_due(session, NOW, timedelta(minutes=2), 200)) == 200
                await session.rollback()

        async def count() -> None:
            async with app.sessions() as session:
                assert (await delivery_counts(session, update_id))["pending"] == size

        return await median_ms(claim), await median_ms(count)
    finally:
        await app.close()


async def measure_publishing(database_url: str | None, size: int) -> tuple[float, float]:
    """Milliseconds of the publishing transaction and of one batch the worker queues, with
    ``size`` subscribers."""
    app = await fresh_app(database_url=database_url)
    try:
        await add_subscribers(app, size)
        draft = parse_text((FIXTURES / "ua-en-two-targets.txt").read_text(encoding="utf-8"))
        async with app.sessions() as session, session.begin():
            update = await save_draft(session, draft, "en")
            update_id = update.id

        async def publish() -> None:
            async with app.sessions() as session, session.begin():
                draft_row = await get_update(session, update_id)
                assert draft_row is not None
                await publish_and_queue(session, draft_row, requested_by=None, channels=[], now=NOW)
                await session.rollback()

        publish_ms = await median_ms(publish)
        async with app.sessions() as session, session.begin():
            draft_row = await get_update(session, update_id)
            assert draft_row is not None
            await publish_and_queue(session, draft_row, requested_by=None, channels=[], now=NOW)

        async def next_batch() -> None:
            async with app.sessions() as session, session.begin():
                await queue_more(session)
                await session.rollback()

        return publish_ms, await median_ms(next_batch)
    finally:
        await app.close()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--database-url", help="also on this PostgreSQL database (emptied)")
    args = parser.parse_args()
    rows = [("database", "queued", "claim of 200 ms", "progress count ms")]
    for name, url in [("SQLite", None), ("PostgreSQL", args.database_url)]:
        if name == "PostgreSQL" and not url:
            continue
        for size in args.sizes:
            claim_ms, count_ms = await measure(url, size)
            rows.append((name, f"{size:,}", f"{claim_ms:.1f}", f"{count_ms:.1f}"))
    print(table(rows))
    print()
    rows = [("database", "subscribers", "publishing transaction ms", "a worker's batch ms")]
    for name, url in [("SQLite", None), ("PostgreSQL", args.database_url)]:
        if name == "PostgreSQL" and not url:
            continue
        for size in args.sizes:
            publish_ms, batch_ms = await measure_publishing(url, size)
            rows.append((name, f"{size:,}", f"{publish_ms:.1f}", f"{batch_ms:.1f}"))
    print(table(rows))


if __name__ == "__main__":
    asyncio.run(main())
