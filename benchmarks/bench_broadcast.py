"""Broadcast throughput against the fake Bot API running in a separate process.

1. Unlimited API: deliveries per second for N subscribers (target >= 1,000/s).
2. Telegram-like limits (30/s overall, 1/s per chat): achieved rate as a fraction of the
   limit (target >= 0.97) and 429 answers (target 0), side by side with a python-telegram-bot
   user's loop over ``send_message`` with ``AIORateLimiter``.

    .venv/bin/python -m benchmarks.bench_broadcast [--subscribers 10000 100000] [--limited 300]
        [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from benchmarks.common import add_subscribers, fresh_app, table
from bot.broadcast import OutboxWorker
from bot.channels.aiogram_channel import AiogramSender
from bot.uadoc import parse_document
from storage.outbox import enqueue_broadcast
from storage.uas import publish_update, save_draft
from tests.conftest import FIXTURES

TOKEN = "123456:TEST"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def fake_api(*limits: str):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fake_bot_api", "--port", str(port), *limits],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    process.stdout.readline()  # "fake Bot API on ..."
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait()


async def published(app) -> None:
    path = FIXTURES / "ua-en-two-targets.txt"
    draft = parse_document(path.name, path.read_bytes())
    async with app.sessions() as session, session.begin():
        update = await save_draft(session, draft, "en")
        await publish_update(session, update, app.clock.now())
        await enqueue_broadcast(session, update)


async def ours(base_url: str, subscribers: int, rate: float) -> tuple[float, int, int]:
    app = await fresh_app()
    await add_subscribers(app, subscribers)
    await published(app)
    session = AiohttpSession(api=TelegramAPIServer.from_base(base_url))
    bot = Bot(TOKEN, session=session)
    worker = OutboxWorker(app, AiogramSender(bot), rate_per_second=rate, concurrency=32, batch=500)
    started = time.perf_counter()
    sent = await worker.drain()
    elapsed = time.perf_counter() - started
    await bot.session.close()
    await app.close()
    return sent / elapsed, worker.figures.too_many_requests, sent


async def ptb_loop(base_url: str, subscribers: int) -> tuple[float, int]:
    """What a python-telegram-bot user would write: AIORateLimiter and a loop."""
    from telegram.error import RetryAfter
    from telegram.ext import AIORateLimiter, ApplicationBuilder

    application = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(f"{base_url}/bot")
        .rate_limiter(AIORateLimiter(max_retries=3))
        .build()
    )
    await application.initialize()
    too_many = 0
    started = time.perf_counter()

    async def send(chat_id: int) -> None:
        nonlocal too_many
        try:
            await application.bot.send_message(chat_id, "A new Urgent Action")
        except RetryAfter:
            too_many += 1

    await asyncio.gather(*(send(2_000_000 + n) for n in range(subscribers)))
    elapsed = time.perf_counter() - started
    await application.shutdown()
    return subscribers / elapsed, too_many


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, nargs="+", default=[10_000])
    parser.add_argument("--limited", type=int, default=300, help="subscribers in the limited run")
    parser.add_argument("--runs", type=int, default=3, help="runs of each; medians are shown")
    args = parser.parse_args()

    rows = [("unlimited API", "subscribers", "deliveries/s (runs)", "median", "429s")]
    with fake_api() as url:
        for count in args.subscribers:
            results = [await ours(url, count, rate=1_000_000) for _ in range(args.runs)]
            rates = [rate for rate, _, _ in results]
            rows.append(
                (
                    "uabot outbox",
                    f"{count:,}",
                    " ".join(f"{rate:,.0f}" for rate in rates),
                    f"{statistics.median(rates):,.0f}",
                    str(sum(too_many for _, too_many, _ in results)),
                )
            )
    print(table(rows))
    print()
    limits = ("--limit", "30", "--per-chat", "1")
    ours_rates, ptb_rates, ours_429, ptb_429 = [], [], 0, 0
    for _ in range(args.runs):  # side by side, each against a fresh limited server
        with fake_api(*limits) as url:
            rate, too_many, _ = await ours(url, args.limited, rate=29.7)
            ours_rates.append(rate)
            ours_429 += too_many
        with fake_api(*limits) as url:
            rate, too_many = await ptb_loop(url, args.limited)
            ptb_rates.append(rate)
            ptb_429 += too_many
    rows = [("30/s, 1/s per chat", "subscribers", "messages/s (runs)", "median", "of 30", "429s")]
    for name, rates, too_many in (
        ("uabot outbox", ours_rates, ours_429),
        ("PTB AIORateLimiter loop", ptb_rates, ptb_429),
    ):
        median = statistics.median(rates)
        rows.append(
            (
                name,
                str(args.limited),
                " ".join(f"{rate:.2f}" for rate in rates),
                f"{median:.2f}",
                f"{median / 30:.3f}",
                str(too_many),
            )
        )
    print(table(rows))
    ratio = statistics.median(ours_rates) / statistics.median(ptb_rates)
    print(f"\nratio of the medians, uabot / PTB loop: {ratio:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
