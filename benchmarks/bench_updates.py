"""Update handling through the aiogram channel: simulated supporters walk through a UA.

Each supporter sends ``/ua 45/26``, presses Next four times and reports a letter; updates go
through aiogram's dispatcher, our core and the database, and the replies over HTTP to the
fake Bot API in a separate process. Reports updates per second and the latency from update
to reply sent (targets: >= 500/s, p99 < 50 ms).

    .venv/bin/python -m benchmarks.bench_updates [--supporters 300] [--concurrency 20]
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
from bot.contract import Text
from bot.dispatcher import Dispatcher

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


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--supporters", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--database-url", default=None, help="PostgreSQL (emptied); else SQLite")
    args = parser.parse_args()
    app = await fresh_app(database_url=args.database_url)
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

        gate = asyncio.Semaphore(args.concurrency)

        async def limited(user: int) -> None:
            async with gate:
                await supporter(user)

        started = time.perf_counter()
        await asyncio.gather(*(limited(5_000_000 + n) for n in range(args.supporters)))
        elapsed = time.perf_counter() - started
        await channel.close()
    await app.close()
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    print(
        table(
            [
                ("updates", "concurrency", "updates/s", "p50 ms", "p99 ms"),
                (
                    str(len(latencies)),
                    str(args.concurrency),
                    f"{len(latencies) / elapsed:.0f}",
                    f"{statistics.median(latencies) * 1000:.1f}",
                    f"{p99 * 1000:.1f}",
                ),
            ]
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
