"""One ``uabot run`` process against two on one PostgreSQL database, under the same load.

Each trial queues a broadcast, starts the processes in webhook mode behind a load balancer
(the fake Bot API delivers updates to each in turn) and, while the broadcast runs, has
supporters ask for the open actions at a steady rate. The fake limits as Telegram does (30
messages in any second, 1 a second in a chat) and counts its 429s across all processes.
Printed per number of processes, medians of the runs side by side: how long the broadcast
took from its first message to its last, 429s (target 0), and how long supporters waited
for their answer (p50, p99).

    .venv/bin/python -m benchmarks.bench_processes --database-url postgresql+asyncpg://…/test
        [--subscribers 3000] [--presses-per-second 10] [--runs 3] [--source /tmp/before]

``--source DIR`` runs the bot from another checkout (an earlier commit, for figures before
a change) with this checkout's fake Bot API.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import signal
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.common import percentile, table
from storage.crypto import generate_secret_key
from storage.database import create_engine, downgrade
from tests.conftest import reset_postgres
from tests.fake_bot_api import FakeBotAPI
from tests.live import queue_future_ua, start_webhook_process

#: Supporters taking turns to ask; each asks again only after their answer came.
PRESSERS = 40


@dataclass
class Trial:
    processes: int
    broadcast_seconds: float
    too_many: int
    waits: list[float]


async def trial(args: argparse.Namespace, processes: int) -> Trial:
    await reset_postgres(args.database_url)
    api = FakeBotAPI()
    await api.start()
    api.enforce_limits(per_second=30, per_chat=1)
    key = generate_secret_key()
    chats = await queue_future_ua(args.database_url, key, args.subscribers)
    if args.source:
        await schema_of(args.source, args.database_url)
    running = []
    waits: list[float] = []
    try:
        with tempfile.TemporaryDirectory(prefix="uabot-processes-") as folder:
            urls = []
            for number in range(processes):
                (Path(folder) / str(number)).mkdir()
                process, url = await start_webhook_process(
                    api, args.database_url, key, Path(folder) / str(number), source=args.source
                )
                running.append(process)
                urls.append(url)
            api.balance_between(urls)
            done = asyncio.Event()
            asking = asyncio.create_task(supporters_asking(api, args, done, waits))
            await api.wait_until(lambda: all(api.messages[c] for c in chats), 3600)
            done.set()
            await asking
            for process in running:
                process.send_signal(signal.SIGTERM)
            for process in running:
                await asyncio.wait_for(process.wait(), 30)
    finally:
        for process in running:
            if process.returncode is None:
                process.kill()
        await api.stop()
    # From the first subscriber's message to the last: the processes' start-up (the new
    # leader's pause before it sends) is not the broadcast's.
    times = [api.messages[chat][0].sent_at for chat in chats]
    return Trial(processes, max(times) - min(times), api.too_many_requests, waits)


async def schema_of(source: Path, database_url: str) -> None:
    """The database taken back to the schema the other checkout knows (its newest
    migration), which refuses a newer one."""
    versions = source / "storage" / "migrations" / "versions"
    head = max(path.name.split("_")[0] for path in versions.glob("[0-9]*_*.py"))
    engine = create_engine(database_url)
    try:
        await downgrade(engine, head)
    finally:
        await engine.dispose()


async def supporters_asking(
    api: FakeBotAPI, args: argparse.Namespace, done: asyncio.Event, waits: list[float]
) -> None:
    """``presses_per_second`` questions a second from supporters taking turns, until the
    broadcast is done; each wait is from the question to its answer at Telegram."""
    people = itertools.cycle(range(5_500_000, 5_500_000 + PRESSERS))
    pending: list[asyncio.Task[None]] = []

    async def ask(person: int) -> None:
        before = len(api.messages[person])
        asked = time.monotonic()
        await api.user_sends(person, "/actions")
        if await api.wait_until(lambda: len(api.messages[person]) > before, 60):
            waits.append(api.messages[person][before].sent_at - asked)

    while not done.is_set():
        pending.append(asyncio.create_task(ask(next(people))))
        await asyncio.sleep(1 / args.presses_per_second)
    await asyncio.gather(*pending)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", help="PostgreSQL, emptied for each trial")
    parser.add_argument("--subscribers", type=int, default=3_000)
    parser.add_argument("--presses-per-second", type=float, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--source", type=Path, help="run the bot from this checkout")
    args = parser.parse_args()
    header = ("processes", "subscribers", "broadcast s (runs)", "median s", "429s", "answers")
    rows = [(*header, "answer p50 ms", "answer p99 ms")]
    if not args.database_url:
        rows.append(("needs PostgreSQL: --database-url", "", "", "", "", "", "", ""))
        print(table(rows))
        return
    trials: dict[int, list[Trial]] = {1: [], 2: []}
    for _ in range(args.runs):  # side by side: one, then two, in each round
        for processes in trials:
            trials[processes].append(await trial(args, processes))
    for processes, runs in trials.items():
        seconds = [run.broadcast_seconds for run in runs]
        waits = [wait for run in runs for wait in run.waits]
        rows.append(
            (
                str(processes),
                f"{args.subscribers:,}",
                " ".join(f"{s:.1f}" for s in seconds),
                f"{statistics.median(seconds):.1f}",
                str(sum(run.too_many for run in runs)),
                str(len(waits)),
                f"{percentile(waits, 0.5) * 1000:.0f}",
                f"{percentile(waits, 0.99) * 1000:.0f}",
            )
        )
    print(table(rows))


if __name__ == "__main__":
    asyncio.run(main())
