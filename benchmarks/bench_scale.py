"""Publishing a UA to many subscribers: time to enqueue the outbox and peak memory.

Target: 1,000,000 subscribers with peak RSS <= 200 MB (the outbox is one INSERT ... SELECT,
streamed by the database, so no subscriber list sits in the bot's memory).

    .venv/bin/python -m benchmarks.bench_scale [--subscribers 1000000]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import time

from benchmarks.bench_broadcast import published
from benchmarks.common import add_subscribers, fresh_app, table


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=1_000_000)
    count = parser.parse_args().subscribers
    app = await fresh_app()
    started = time.perf_counter()
    await add_subscribers(app, count)
    filled = time.perf_counter() - started
    before = peak_rss_mb()
    started = time.perf_counter()
    await published(app)
    enqueue = time.perf_counter() - started
    await app.close()
    print(
        table(
            [
                (
                    "subscribers",
                    "setup s",
                    "enqueue s",
                    "rows/s",
                    "peak RSS before MB",
                    "peak RSS after MB",
                ),
                (
                    f"{count:,}",
                    f"{filled:.1f}",
                    f"{enqueue:.1f}",
                    f"{count / enqueue:,.0f}",
                    f"{before:.0f}",
                    f"{peak_rss_mb():.0f}",
                ),
            ]
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
