"""The resilience tests at a larger size and with more trials, reporting the figures.

1. kill -9: ``uabot run`` is killed with SIGKILL at random moments of a broadcast and
   restarted, ``--kills`` times per trial; afterwards every subscriber must have the UA, and
   the repeats (messages sent twice) are compared with the in-flight window (16 per kill).
2. Faults: 5% of sendMessage calls answer 502 or time out, with a burst of five 429s every
   300 calls; the outbox must reach every subscriber.
3. With ``--postgres-outage SECONDS``: the machine's PostgreSQL itself is stopped that long
   during a broadcast and started again; the bot, never restarted, must reach everyone.
   (The pytest version cuts the connection with a TCP proxy instead, so as not to stop the
   server under the rest of the suite.)

    .venv/bin/python -m benchmarks.bench_resilience [--trials 5] [--subscribers 10000]
        [--kills 5] [--database-url postgresql+asyncpg://...] [--postgres-outage 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import statistics
import subprocess
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from benchmarks.bench_broadcast import published
from benchmarks.common import add_subscribers, fresh_app, table
from bot.broadcast import OutboxWorker
from bot.channels.aiogram_channel import AiogramSender
from storage.crypto import generate_secret_key
from storage.outbox import delivery_counts
from tests.conftest import reset_postgres
from tests.fake_bot_api import FakeBotAPI
from tests.live import broadcast_through_kills, queue_future_ua, start_uabot_process

IN_FLIGHT = 16


async def kill_trial(database_url: str | None, subscribers: int, kills: int, seed: int) -> tuple:
    folder = Path(tempfile.mkdtemp(prefix="uabot-kill-"))
    if database_url:
        await reset_postgres(database_url)
    url = database_url or f"sqlite+aiosqlite:///{folder / 'kill.db'}"
    key = generate_secret_key()
    chats = await queue_future_ua(url, key, subscribers)
    moments = sorted(random.Random(seed).sample(range(100, subscribers - 100), kills))
    api = FakeBotAPI()
    await api.start()
    started = time.perf_counter()
    try:
        reached, repeats = await broadcast_through_kills(api, url, key, folder, chats, moments)
    finally:
        await api.stop()
    return len(reached), repeats, time.perf_counter() - started


def postgres(action: str) -> None:
    """Stop or start this machine's PostgreSQL cluster (Debian's pg_ctlcluster)."""
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action, "-m", "fast"]
        if action == "stop"
        else ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action],
        check=True,
    )


async def outage_trial(database_url: str, subscribers: int, seconds: float) -> tuple:
    """PostgreSQL itself stopped for ``seconds`` in the middle of a broadcast sent by
    ``uabot run`` (not restarted), then started again."""
    folder = Path(tempfile.mkdtemp(prefix="uabot-outage-"))
    await reset_postgres(database_url)
    key = generate_secret_key()
    chats = await queue_future_ua(database_url, key, subscribers)
    api = FakeBotAPI()
    await api.start()
    config = "[broadcast]\nrate_per_second = 200\n"
    process = await start_uabot_process(api, database_url, key, folder, config=config)
    started = time.perf_counter()
    try:
        await api.wait_total(subscribers // 3, timeout=120)
        await asyncio.to_thread(postgres, "stop")
        await asyncio.sleep(seconds)
        await asyncio.to_thread(postgres, "start")
        await api.wait_until(lambda: all(api.messages[chat] for chat in chats), timeout=300)
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 60)
        await api.stop()
    reached = [chat for chat in chats if api.messages[chat]]
    repeats = sum(len(api.messages[chat]) for chat in reached) - len(reached)
    return len(reached), repeats, time.perf_counter() - started, process.returncode


async def fault_trial(subscribers: int, seed: int) -> tuple:
    app = await fresh_app()
    await add_subscribers(app, subscribers)
    await published(app)
    api = FakeBotAPI()
    await api.start()
    session = AiohttpSession(api=TelegramAPIServer.from_base(api.base_url), timeout=1)
    bot = Bot(api.token, session=session)
    api.chaos("sendMessage", share=0.05, stall=1.2, seed=seed, burst_every=300, burst_length=5)
    worker = OutboxWorker(app, AiogramSender(bot), rate_per_second=10_000, concurrency=32)
    try:
        rounds = 0
        while True:
            await worker.drain()
            async with app.sessions() as db:
                counts = await delivery_counts(db, 1)
            if not counts.get("pending") and not counts.get("sending"):
                break
            app.clock.advance(timedelta(minutes=10))  # type: ignore[attr-defined]
            rounds += 1
        reached = sum(1 for messages in api.messages.values() if messages)
        injected = api.chaos_injected("sendMessage")
        return reached, counts, injected, rounds
    finally:
        await bot.session.close()
        await api.stop()
        await app.close()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--database-url", default=None, help="PostgreSQL (emptied); else SQLite")
    parser.add_argument(
        "--postgres-outage",
        type=float,
        default=0,
        metavar="SECONDS",
        help="also stop this machine's PostgreSQL that long mid-broadcast (needs root and "
        "--database-url)",
    )
    args = parser.parse_args()
    seeds = [random.randrange(1_000_000) for _ in range(args.trials)]

    rows = [("kill -9 trial", "seed", "reached", "repeats", f"window ({args.kills} kills)", "s")]
    repeats_all = []
    for number, seed in enumerate(seeds, start=1):
        reached, repeats, seconds = await kill_trial(
            args.database_url, args.subscribers, args.kills, seed
        )
        repeats_all.append(repeats)
        rows.append(
            (
                str(number),
                str(seed),
                f"{reached:,} / {args.subscribers:,}",
                str(repeats),
                str(IN_FLIGHT * args.kills),
                f"{seconds:.0f}",
            )
        )
    print(table(rows))
    print(f"median repeats per kill: {statistics.median(repeats_all) / args.kills:.1f}\n")

    rows = [("fault trial", "seed", "reached", "outcomes", "502 / stalls / 429", "rounds")]
    for number, seed in enumerate(seeds, start=1):
        reached, counts, injected, rounds = await fault_trial(args.subscribers, seed)
        rows.append(
            (
                str(number),
                str(seed),
                f"{reached:,} / {args.subscribers:,}",
                ", ".join(f"{status} {count}" for status, count in sorted(counts.items())),
                f"{injected['502']} / {injected['stall']} / {injected['429']}",
                str(rounds),
            )
        )
    print(table(rows))
    print("(failed: timed out twice, so given up as uncertain; the fake had delivered both)")
    if args.postgres_outage and args.database_url:
        reached, repeats, seconds, status = await outage_trial(
            args.database_url, args.subscribers, args.postgres_outage
        )
        print()
        print(
            table(
                [
                    ("PostgreSQL stopped", "reached", "repeats", "s", "uabot run exit status"),
                    (
                        f"{args.postgres_outage:.0f} s",
                        f"{reached:,} / {args.subscribers:,}",
                        str(repeats),
                        f"{seconds:.0f}",
                        str(status),
                    ),
                ]
            )
        )


if __name__ == "__main__":
    asyncio.run(main())
