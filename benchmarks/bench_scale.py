"""Publishing a UA to many subscribers: time to enqueue the outbox and peak memory.

Target: 1,000,000 subscribers with peak RSS <= 200 MB, and no transaction that holds
SQLite's write lock (which every update waits for) over 100 ms. The outbox is filled by
INSERT ... SELECT, streamed by the database, so no subscriber list sits in the bot's memory:
the publication queues the first batch, then the worker queues the rest a batch a round.
The subscribers and a draft UA are created first; then ``uabot ua publish`` runs as an
organiser's script would run it, in a process of its own, then the worker's queueing of
the rest (batch after batch, as many rounds would), each timed with its peak RSS and its
longest transaction. For comparison, the peak RSS of a bot process that has only imported
its Telegram library.

    .venv/bin/python -m benchmarks.bench_scale [--subscribers 1000000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from benchmarks.common import add_subscribers, fresh_app, table
from storage.crypto import generate_secret_key
from storage.uas import save_draft
from tests.conftest import FIXTURES
from uareader.document import parse_text


async def setup(folder: Path, count: int, key: str) -> tuple[str, float]:
    """Subscribers and a draft UA due in 90 days (publishing refuses a deadline past or more
    than two years ahead); the database URL and the time it took."""
    app = await fresh_app(folder, secret_key=key)
    started = time.perf_counter()
    await add_subscribers(app, count)
    text = (FIXTURES / "ua-en-two-targets.txt").read_text(encoding="utf-8")
    async with app.sessions() as session, session.begin():
        due = (date.today() + timedelta(days=90)).strftime("%B %d, %Y")
        await save_draft(session, parse_text(text.replace("July 15, 2026", due)), "en")
    elapsed = time.perf_counter() - started
    url = app.settings.database.url
    await app.close()
    return url, elapsed


#: Where the worker's queueing below writes its longest batch (ms).
LONGEST = Path(tempfile.gettempdir()) / "uabot-scale-longest-batch"
#: What the worker does a batch a round, here batch after batch, each transaction timed.
QUEUE_THE_REST = f"""
import asyncio, os, time
from bot.app import build_app
from bot.config import Settings
from storage.outbox import queue_more

async def rest():
    settings = Settings.model_validate({{"database": {{"url": os.environ["UABOT_DATABASE_URL"]}}}})
    app = await build_app(settings, secret_key=os.environ["UABOT_SECRET_KEY"], migrate=False)
    longest, more = 0.0, True
    while more:
        started = time.perf_counter()
        async with app.sessions() as session, session.begin():
            more = await queue_more(session)
        longest = max(longest, time.perf_counter() - started)
    await app.close()
    open({str(LONGEST)!r}, "w").write(str(longest * 1000))

asyncio.run(rest())
"""

#: Appended to each measured program: print the process's own peak RSS (VmHWM, in kB).
#: getrusage of a child would also count the memory of this process before the exec.
PRINT_PEAK = (
    "\nprint([line.split()[1] for line in open('/proc/self/status') "
    "if line.startswith('VmHWM')][0])"
)


def run_measured(program: str, env: dict[str, str]) -> tuple[float, float]:
    """Run Python ``program`` in a new process; its wall time (s) and peak RSS (MB)."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", program + PRINT_PEAK],
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode:  # a benchmark that cannot run says why, not just "exit status 1"
        raise SystemExit(f"the measured program failed:\n{result.stdout}{result.stderr}")
    elapsed = time.perf_counter() - started
    return elapsed, int(result.stdout.split()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=1_000_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="uabot-scale-"))
    key = generate_secret_key()
    url, filled = asyncio.run(setup(folder, args.subscribers, key))
    env = {**os.environ, "UABOT_DATABASE_URL": url, "UABOT_SECRET_KEY": key}
    publish = "from bot.cli import main\nassert main(['ua', 'publish', '45/26']) == 0"
    publish_s, publish_mb = run_measured(publish, env)
    rest_s, rest_mb = run_measured(QUEUE_THE_REST, env)
    longest_batch_ms = float(LONGEST.read_text()) if LONGEST.exists() else 0.0
    imports = "import bot.runner, bot.channels.{}_channel"
    _, aiogram_mb = run_measured(imports.format("aiogram"), env)
    _, ptb_mb = run_measured(imports.format("ptb"), env)
    print(
        table(
            [
                (
                    "subscribers",
                    "setup s",
                    "uabot ua publish s",
                    "the worker queues the rest s",
                    "longest batch ms",
                    "rows/s",
                    "peak RSS MB",
                ),
                (
                    f"{args.subscribers:,}",
                    f"{filled:.1f}",
                    f"{publish_s:.2f}",
                    f"{rest_s:.2f}",
                    f"{longest_batch_ms:.1f}",
                    f"{args.subscribers / (publish_s + rest_s):,.0f}",
                    f"{max(publish_mb, rest_mb):.0f}",
                ),
            ]
        )
    )
    print(
        f"\nfor comparison, a bot process at start (imports only): "
        f"aiogram {aiogram_mb:.0f} MB, python-telegram-bot {ptb_mb:.0f} MB"
    )


if __name__ == "__main__":
    main()
