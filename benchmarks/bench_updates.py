"""Update handling through the aiogram channel: simulated supporters walk through a UA.

Each supporter sends ``/ua 45/26``, presses Next four times and reports a letter; updates go
through aiogram's dispatcher, our core and the database, and the replies over HTTP to the
fake Bot API in a separate process. Reports updates per second and the latency from update
to reply sent (targets: >= 500/s, p99 < 50 ms), per run and the median of the runs.

    .venv/bin/python -m benchmarks.bench_updates [--supporters 300] [--concurrency 20]
        [--runs 3] [--database-url postgresql+asyncpg://...]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import time

from benchmarks.bench_broadcast import TOKEN, fake_api, published
from benchmarks.common import fresh_app, table
from bot.channels.aiogram_channel import AiogramChannel, AiogramSender
from bot.dispatcher import Dispatcher
from handlers.contract import Text

_ids = itertools.count(1)


def message(user: int, text: str) -> dict:
    return {
        "update_id": next(_ids),
        "message": {
            "message_id": next(_ids),
            "date": 0,
            "chat": {"id": user, "type": "private"},
            "from": {"id": user, "is_bot": False, "first_name": "B", "language_code": "en"},
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}],
        },
    }


def press(user: int, data: str, message_id: int) -> dict:
    return {
        "update_id": next(_ids),
        "callback_query": {
            "id": str(next(_ids)),
            "from": {"id": user, "is_bot": False, "first_name": "B", "language_code": "en"},
            "chat_instance": "1",
            "data": data,
            "message": {
                "message_id": message_id,
                "date": 0,
                "chat": {"id": user, "type": "private"},
            },
        },
    }


def remember_sent_messages(sender: AiogramSender) -> dict[int, int]:
    """The id of the last message sent in each chat, as a client would see it."""
    shown: dict[int, int] = {}
    send_text = sender.send_text

    async def sending(chat_id: int, text: Text) -> int:
        shown[chat_id] = await send_text(chat_id, text)
        return shown[chat_id]

    sender.send_text = sending  # type: ignore[method-assign]
    return shown


async def one_run(
    database_url: str | None, supporters: int, concurrency: int
) -> tuple[float, float, float]:
    """Every supporter walks through the UA; updates/s, p50 and p99 latency in ms."""
    app = await fresh_app(database_url=database_url)
    await published(app)
    latencies: list[float] = []
    with fake_api() as url:
        channel = AiogramChannel(Dispatcher(app), TOKEN, url)
        shown = remember_sent_messages(channel.sender)

        async def supporter(user: int) -> None:
            steps = [("/ua 45/26", None)] + [(f"ua:1:{step}", "press") for step in range(2, 6)]
            for text, kind in [*steps, ("rep:1:letter", "press")]:
                # A button press comes from the message the bot sent, which it then edits.
                update = press(user, text, shown[user]) if kind else message(user, text)
                started = time.perf_counter()
                await channel.feed(update)
                latencies.append(time.perf_counter() - started)

        gate = asyncio.Semaphore(concurrency)

        async def limited(user: int) -> None:
            async with gate:
                await supporter(user)

        started = time.perf_counter()
        await asyncio.gather(*(limited(5_000_000 + n) for n in range(supporters)))
        elapsed = time.perf_counter() - started
        await channel.close()
    await app.close()
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    return len(latencies) / elapsed, statistics.median(latencies) * 1000, p99 * 1000


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--supporters", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", default=None, help="PostgreSQL (emptied); else SQLite")
    args = parser.parse_args()
    rows = [("run", "updates", "concurrency", "updates/s", "p50 ms", "p99 ms")]
    results = []
    for number in range(1, args.runs + 1):
        rate, p50, p99 = await one_run(args.database_url, args.supporters, args.concurrency)
        results.append((rate, p50, p99))
        rows.append(
            (
                str(number),
                str(args.supporters * 6),
                str(args.concurrency),
                f"{rate:.0f}",
                f"{p50:.1f}",
                f"{p99:.1f}",
            )
        )
    rate, p50, p99 = (statistics.median(column) for column in zip(*results, strict=True))
    rows.append(("median", "", "", f"{rate:.0f}", f"{p50:.1f}", f"{p99:.1f}"))
    print(table(rows))


if __name__ == "__main__":
    asyncio.run(main())
