"""``uabot run`` through its own database's faults, mid-broadcast, at Telegram's pace (30/s).

1. PostgreSQL read-only for ``--seconds`` (a failover: every connection dropped, new ones
   read-only, then dropped again when it is over): who was reached meanwhile, how long the
   last send waited after it, repeats, and how long SIGTERM takes once all are reached.
2. The same, SIGTERM sent while the database is still read-only: how long the process takes
   to end, then a restart once it is writable again: repeats.
3. SQLite on a small tmpfs filled to the last byte for ``--seconds`` (a disk full; needs
   root to mount): repeats, and rounds that failed in the log.

Each trial on both libraries. ``--source DIR`` runs the bot from another checkout (an earlier
commit, for figures before a change) with this checkout's fake Bot API.

    .venv/bin/python -m benchmarks.bench_db_faults --database-url postgresql+asyncpg://...
        [--subscribers 300] [--seconds 10] [--source /tmp/before]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

from sqlalchemy import make_url, text

from benchmarks.common import table
from storage.crypto import generate_secret_key
from storage.database import create_engine
from tests.conftest import reset_postgres
from tests.fake_bot_api import FakeBotAPI
from tests.live import queue_future_ua, start_uabot_process

LIBRARIES = ("aiogram", "ptb")


@contextlib.asynccontextmanager
async def postgres_read_only(database_url: str) -> AsyncIterator[None]:
    """A failover as the bot sees it: connections dropped, the database read-only, then
    dropped again and writable."""
    name = make_url(database_url).database
    admin = create_engine(database_url)

    async def run(setting: str) -> None:
        async with admin.connect() as connection:
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text(f'ALTER DATABASE "{name}" {setting}'))
            await connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    f"WHERE datname = '{name}' AND pid <> pg_backend_pid()"
                )
            )

    try:
        await run("SET default_transaction_read_only = on")
        yield
    finally:
        await run("RESET default_transaction_read_only")
        await admin.dispose()


@contextlib.contextmanager
def small_disk(size_mb: int = 64):  # type: ignore[no-untyped-def]
    """A tmpfs of its own (root only), unmounted afterwards."""
    mount = Path(tempfile.mkdtemp(prefix="uabot-disk-"))
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", str(mount)], check=True
    )
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@contextlib.asynccontextmanager
async def disk_full(folder: Path) -> AsyncIterator[None]:
    """Fill the disk ``folder`` is on to its last byte, then free it."""
    filler = folder / "filler"
    with contextlib.suppress(OSError), filler.open("wb", buffering=0) as out:
        while True:
            out.write(b"\0" * 65536)
    try:
        yield
    finally:
        filler.unlink()


class Trial:
    """One ``uabot run`` process on a queued broadcast, watched through the fake Bot API."""

    def __init__(self, library: str, database_url: str, folder: Path, source: Path | None):
        self.library, self.url, self.folder, self.source = library, database_url, folder, source
        self.key = generate_secret_key()
        self.api = FakeBotAPI()
        self.chats: list[int] = []
        self.runs = 0

    async def __aenter__(self) -> Trial:
        await self.api.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.api.stop()

    async def queue(self, subscribers: int) -> None:
        if self.url.startswith("postgresql"):
            await reset_postgres(self.url)
        self.chats = await queue_future_ua(self.url, self.key, subscribers)

    async def start(self) -> asyncio.subprocess.Process:
        self.runs += 1
        config = f'[telegram]\nlibrary = "{self.library}"\n'
        return await start_uabot_process(
            self.api,
            self.url,
            self.key,
            self.folder,
            config=config,
            log_name=f"run-{self.runs}.log",
            source=self.source,
        )

    def reached(self) -> int:
        return sum(1 for chat in self.chats if self.api.messages[chat])

    def repeats(self) -> int:
        return sum(max(0, len(self.api.messages[chat]) - 1) for chat in self.chats)

    async def all_reached(self, timeout: float) -> float | None:
        """Seconds until every subscriber had the UA; None when some never did."""
        started = time.perf_counter()
        done = await self.api.wait_until(lambda: self.reached() == len(self.chats), timeout)
        return time.perf_counter() - started if done else None

    def failed_rounds(self) -> int:
        return sum(
            log.read_text(errors="replace").count("outbox round failed")
            for log in self.folder.glob("run-*.log")
        )


async def stop(process: asyncio.subprocess.Process, patience: float = 40) -> float | None:
    """SIGTERM; seconds until the process ended, None when it had to be killed."""
    started = time.perf_counter()
    process.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), patience)
    except TimeoutError:
        process.kill()
        await process.wait()
        return None
    return time.perf_counter() - started


def seconds(value: float | None) -> str:
    return "never" if value is None else f"{value:.1f}"


async def read_only_trial(args: argparse.Namespace, library: str, sigterm_during: bool) -> tuple:
    folder = Path(tempfile.mkdtemp(prefix="uabot-readonly-"))
    async with Trial(library, args.database_url, folder, args.source) as trial:
        await trial.queue(args.subscribers)
        process = await trial.start()
        await trial.api.wait_total(args.subscribers // 3, timeout=120)
        async with postgres_read_only(args.database_url):
            before = trial.reached()
            await asyncio.sleep(args.seconds)
            during = trial.reached() - before
            exit_during = await stop(process) if sigterm_during else None
        if sigterm_during:
            process = await trial.start()
        finished = await trial.all_reached(timeout=120)
        exit_after = await stop(process)
        return (
            f"PostgreSQL read-only {args.seconds:.0f} s"
            + (", SIGTERM in it" if sigterm_during else ""),
            library,
            f"{trial.reached()} / {len(trial.chats)}",
            str(during),
            str(trial.repeats()),
            seconds(exit_during) if sigterm_during else "-",
            seconds(finished),
            seconds(exit_after),
            str(trial.failed_rounds()),
        )


async def disk_full_trial(args: argparse.Namespace, library: str) -> tuple:
    with small_disk() as disk:
        url = f"sqlite+aiosqlite:///{disk / 'uabot.db'}"
        folder = Path(tempfile.mkdtemp(prefix="uabot-diskfull-"))
        async with Trial(library, url, folder, args.source) as trial:
            await trial.queue(args.subscribers)
            process = await trial.start()
            await trial.api.wait_total(args.subscribers // 3, timeout=120)
            async with disk_full(disk):
                before = trial.reached()
                await asyncio.sleep(args.seconds)
                during = trial.reached() - before
            finished = await trial.all_reached(timeout=120)
            exit_after = await stop(process)
            return (
                f"SQLite disk full {args.seconds:.0f} s",
                library,
                f"{trial.reached()} / {len(trial.chats)}",
                str(during),
                str(trial.repeats()),
                "-",
                seconds(finished),
                seconds(exit_after),
                str(trial.failed_rounds()),
            )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", help="PostgreSQL (emptied) for the read-only trials")
    parser.add_argument("--subscribers", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--source", type=Path, help="run the bot from this checkout")
    parser.add_argument("--libraries", nargs="+", default=list(LIBRARIES), choices=LIBRARIES)
    args = parser.parse_args()
    rows = [
        (
            "fault",
            "library",
            "reached",
            "sent in fault",
            "repeats",
            "SIGTERM in fault s",
            "rest took s",
            "SIGTERM after s",
            "failed rounds",
        )
    ]
    trials = []
    for library in args.libraries:
        if args.database_url:
            trials.append(read_only_trial(args, library, sigterm_during=False))
            trials.append(read_only_trial(args, library, sigterm_during=True))
        if os.geteuid() == 0 and shutil.which("mount"):
            trials.append(disk_full_trial(args, library))
        else:
            print("(disk full: not root, no tmpfs to fill; skipped)")
    for trial in trials:  # the table so far after each: a trial that fails keeps the rest
        rows.append(await trial)
        print(table(rows), end="\n\n", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
