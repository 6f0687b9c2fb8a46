"""Publishing a UA to many subscribers: time to enqueue the outbox and peak memory.

Target: 1,000,000 subscribers with peak RSS <= 200 MB (the outbox is one INSERT ... SELECT,
streamed by the database, so no subscriber list sits in the bot's memory). The subscribers
are created first; the publication then runs in a fresh process, whose peak RSS is the
figure reported.

    .venv/bin/python -m benchmarks.bench_scale [--subscribers 1000000]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.bench_broadcast import published
from benchmarks.common import add_subscribers, fresh_app, table


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def setup(folder: Path, count: int) -> float:
    app = await fresh_app(folder)
    started = time.perf_counter()
    await add_subscribers(app, count)
    await app.close()
    return time.perf_counter() - started


async def enqueue(folder: Path) -> None:
    app = await fresh_app(folder)
    baseline = peak_rss_mb()
    started = time.perf_counter()
    await published(app)
    elapsed = time.perf_counter() - started
    await app.close()
    print(f"{elapsed:.2f} {baseline:.0f} {peak_rss_mb():.0f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=1_000_000)
    parser.add_argument("--enqueue-in", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.enqueue_in:
        asyncio.run(enqueue(args.enqueue_in))
        return
    folder = Path(tempfile.mkdtemp(prefix="uabot-scale-"))
    filled = asyncio.run(setup(folder, args.subscribers))
    child = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_scale", "--enqueue-in", str(folder)],
        capture_output=True,
        text=True,
        check=True,
    )
    elapsed, baseline, peak = child.stdout.split()
    rows = [
        ("subscribers", "setup s", "enqueue s", "rows/s", "RSS at start MB", "peak RSS MB"),
        (
            f"{args.subscribers:,}",
            f"{filled:.1f}",
            elapsed,
            f"{args.subscribers / float(elapsed):,.0f}",
            baseline,
            peak,
        ),
    ]
    print(table(rows))


if __name__ == "__main__":
    main()
