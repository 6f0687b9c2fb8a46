"""What the outbox's bookkeeping costs as the queue grows: one claim of 200 and one progress
count, at 10,000, 100,000 and 1,000,000 queued deliveries, on SQLite and PostgreSQL.

The claim runs every batch and the progress count every 3 s for as long as a broadcast runs,
so either growing with the queue is paid about (queue / 200) times over. Medians of three,
each claim rolled back so that the next finds the same queue.

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

from benchmarks.common import NOW, fresh_app, table
from bot.app import App
from storage.outbox import claim_due, delivery_counts
from storage.supporters import add_supporter
from storage.uas import save_draft
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


if __name__ == "__main__":
    asyncio.run(main())
