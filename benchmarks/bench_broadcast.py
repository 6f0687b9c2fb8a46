"""Broadcast throughput against the fake Bot API running in a separate process.

1. Unlimited API: deliveries per second for N subscribers (target >= 1,000/s).
2. Telegram-like limits (30 in any sliding second overall, 1/s per chat), at the default
   ``rate_per_second``, while supporters keep pressing buttons: messages per second (the
   broadcast and the replies together) as a fraction of the limit (target >= 0.97), 429
   answers (target 0), and how long a pressing supporter waited for their reply (p50/p99);
   side by side with a python-telegram-bot user's loop over ``send_message`` with
   ``AIORateLimiter``, its replies sent through the same limiter.
3. Paid broadcast (``--paid``): the worker as ``uabot run`` builds it, paid broadcast
   allowed and chosen, against a fake that limits free messages to 30/s and paid ones to
   1,000/s and takes Stars: messages per second (target >= 500 on two cores shared with the
   fake) and 429s (target 0), beside the unlimited rate of table 1.

    .venv/bin/python -m benchmarks.bench_broadcast [--subscribers 10000 100000] [--limited 600]
        [--runs 3] [--pressers 20] [--paid 10000 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from contextlib import contextmanager
from dataclasses import dataclass

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from benchmarks.common import add_subscribers, fresh_app, percentile, table
from bot.broadcast import OutboxWorker
from bot.channels.aiogram_channel import AiogramSender
from bot.channels.telegram import ChatOrder, handle_event
from bot.dispatcher import Dispatcher
from bot.sending import RetryLater
from storage.outbox import publish_and_queue
from storage.uas import save_draft
from tests.conftest import FIXTURES
from uareader.document import parse_document

TOKEN = "123456:TEST"
#: Seconds between one pressing supporter's presses (a person reading each step).
PRESS_EVERY = 1.5


@dataclass
class Limited:
    """One run under Telegram's limits."""

    broadcast: int
    replies: int
    seconds: float
    too_many: int
    waits: list[float]

    @property
    def rate(self) -> float:
        """Every message sent, the broadcast and the replies, per second."""
        return (self.broadcast + self.replies) / self.seconds


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


async def published(app, paid: bool = False) -> None:
    path = FIXTURES / "ua-en-two-targets.txt"
    draft = parse_document(path.name, path.read_bytes())
    async with app.sessions() as session, session.begin():
        update = await save_draft(session, draft, "en")
        now = app.clock.now()
        await publish_and_queue(session, update, requested_by=None, channels=[], now=now, paid=paid)


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


async def ours_paid(base_url: str, subscribers: int) -> tuple[float, int, int]:
    """A paid broadcast by the worker ``uabot run`` builds (its defaults, the app's budgets):
    messages per second, 429s, messages sent."""
    app = await fresh_app()
    app.settings.broadcast.allow_paid_broadcast = True
    await add_subscribers(app, subscribers)
    await published(app, paid=True)
    session = AiohttpSession(api=TelegramAPIServer.from_base(base_url))
    bot = Bot(TOKEN, session=session)
    worker = OutboxWorker(app, AiogramSender(bot))
    started = time.perf_counter()
    sent = await worker.drain()
    elapsed = time.perf_counter() - started
    await bot.session.close()
    await app.close()
    return sent / elapsed, worker.figures.too_many_requests, sent


class CountingSender:
    """The real sender, counting the 429 answers replies get (the worker counts its own)."""

    def __init__(self, sender: AiogramSender) -> None:
        self.sender = sender
        self.too_many_requests = 0

    def __getattr__(self, name: str):
        method = getattr(self.sender, name)

        async def counted(*args, **kwargs):
            try:
                return await method(*args, **kwargs)
            except RetryLater:
                self.too_many_requests += 1
                raise

        return counted


def press(user: int, update_id: int) -> dict:
    """A supporter asking for the open actions: one reply message, as a step would be."""
    chat = {"id": user, "type": "private", "first_name": "S"}
    message = {"message_id": 1, "date": 0, "chat": chat, "text": "/actions"}
    message["from"] = {"id": user, "is_bot": False, "first_name": "S", "language_code": "en"}
    return {"update_id": update_id, "message": message}


async def pressing(
    pressers: list[int], every: float, reply: Callable[[int, int], Awaitable[None]], done
) -> list[float]:
    """Each presser asks once every ``every`` seconds until ``done`` is set; the seconds each
    waited for their answer."""
    waits: list[float] = []
    updates = itertools.count(1)

    async def one(user: int, offset: float) -> None:
        await asyncio.sleep(offset)
        while not done.is_set():
            started = time.perf_counter()
            await reply(user, next(updates))
            waits.append(time.perf_counter() - started)
            await asyncio.sleep(every)

    spread = every / max(1, len(pressers))
    await asyncio.gather(*(one(user, n * spread) for n, user in enumerate(pressers)))
    return waits


async def ours_limited(base_url: str, subscribers: int, pressers: int) -> Limited:
    """The outbox at the default rate, supporters pressing meanwhile, one send budget."""
    app = await fresh_app()
    await add_subscribers(app, subscribers)
    await published(app)
    session = AiohttpSession(api=TelegramAPIServer.from_base(base_url))
    bot = Bot(TOKEN, session=session)
    sender = CountingSender(AiogramSender(bot))
    core, order = Dispatcher(app), ChatOrder()
    worker = OutboxWorker(app, sender, concurrency=32)  # the app's budget: the default rate
    done = asyncio.Event()
    people = [1_000_000 + n * (subscribers // pressers) for n in range(pressers)]

    async def reply(user: int, update_id: int) -> None:
        await handle_event(core, sender, order, press(user, update_id))

    started = time.perf_counter()
    presses = asyncio.create_task(pressing(people, PRESS_EVERY, reply, done))
    sent = await worker.drain()
    elapsed = time.perf_counter() - started
    done.set()
    waits = await presses
    await bot.session.close()
    await app.close()
    too_many = worker.figures.too_many_requests + sender.too_many_requests
    return Limited(sent, len(waits), elapsed, too_many, waits)


async def ptb_limited(base_url: str, subscribers: int, pressers: int) -> Limited:
    """What a python-telegram-bot user would write: AIORateLimiter, a loop for the
    broadcast, and replies through the same bot (so the same limiter)."""
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

    async def send(chat_id: int, text: str) -> None:
        nonlocal too_many
        try:
            await application.bot.send_message(chat_id, text)
        except RetryAfter:
            too_many += 1

    done = asyncio.Event()
    people = [2_000_000 + n * (subscribers // pressers) for n in range(pressers)]
    started = time.perf_counter()
    presses = asyncio.create_task(
        pressing(people, PRESS_EVERY, lambda user, _: send(user, "Open actions"), done)
    )
    await asyncio.gather(*(send(2_000_000 + n, "A new Urgent Action") for n in range(subscribers)))
    elapsed = time.perf_counter() - started
    done.set()
    waits = await presses
    await application.shutdown()
    return Limited(subscribers, len(waits), elapsed, too_many, waits)


def rate_row(name: str, count: int, results: list[tuple[float, int, int]]) -> tuple[str, ...]:
    """A table row of runs' (rate, 429s, sent): each rate, their median, all 429s."""
    rates = [rate for rate, _, _ in results]
    return (
        name,
        f"{count:,}",
        " ".join(f"{rate:,.0f}" for rate in rates),
        f"{statistics.median(rates):,.0f}",
        str(sum(too_many for _, too_many, _ in results)),
    )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, nargs="+", default=[10_000])
    parser.add_argument("--limited", type=int, default=600, help="subscribers in the limited run")
    parser.add_argument("--pressers", type=int, default=20, help="supporters pressing meanwhile")
    parser.add_argument("--runs", type=int, default=3, help="runs of each; medians are shown")
    parser.add_argument("--paid", type=int, nargs="*", default=[], help="paid broadcast sizes")
    args = parser.parse_args()

    rows = [("unlimited API", "subscribers", "deliveries/s (runs)", "median", "429s")]
    with fake_api() as url:
        for count in args.subscribers:
            results = [await ours(url, count, rate=1_000_000) for _ in range(args.runs)]
            rows.append(rate_row("uabot outbox", count, results))
    print(table(rows))
    print()
    limits = ("--limit", "30", "--per-chat", "1")
    if args.paid:
        rows = [("paid broadcast, free 30/s", "subscribers", "messages/s (runs)", "median", "429s")]
        for count in args.paid:
            results = []
            for _ in range(args.runs):
                with fake_api(*limits, "--stars", str(count)) as url:
                    results.append(await ours_paid(url, count))
            assert all(sent == count for _, _, sent in results), "someone was not reached"
            rows.append(rate_row("uabot outbox, paid", count, results))
        print(table(rows))
        print()
    results: dict[str, list[Limited]] = {"uabot (outbox + replies)": [], "PTB AIORateLimiter": []}
    for _ in range(args.runs):  # side by side, each against a fresh limited server
        with fake_api(*limits) as url:
            results["uabot (outbox + replies)"].append(
                await ours_limited(url, args.limited, args.pressers)
            )
        with fake_api(*limits) as url:
            results["PTB AIORateLimiter"].append(
                await ptb_limited(url, args.limited, args.pressers)
            )
    rows = [
        (
            f"30/s sliding, 1/s per chat, {args.pressers} pressing",
            "broadcast",
            "messages/s (runs)",
            "median",
            "of 30",
            "429s",
            "replies",
            "reply p50 ms",
            "reply p99 ms",
        )
    ]
    for name, runs in results.items():
        rates = [run.rate for run in runs]
        waits = sorted(wait for run in runs for wait in run.waits)
        rows.append(
            (
                name,
                str(args.limited),
                " ".join(f"{rate:.2f}" for rate in rates),
                f"{statistics.median(rates):.2f}",
                f"{statistics.median(rates) / 30:.3f}",
                str(sum(run.too_many for run in runs)),
                str(sum(run.replies for run in runs)),
                f"{percentile(waits, 0.5) * 1000:.0f}",
                f"{percentile(waits, 0.99) * 1000:.0f}",
            )
        )
    print(table(rows))
    ours_median, ptb_median = (
        statistics.median(run.rate for run in runs) for runs in results.values()
    )
    print(f"\nratio of the medians, uabot / PTB: {ours_median / ptb_median:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
