"""Update handling as Telegram sees it: the real ``uabot run`` beside a bare bot of its library.

Each bot runs in a process of its own and long-polls the fake Bot API, which runs here with
the driver. Two kinds of update, each from its own people:

- ``start``: /start from people the bot has never seen (uabot stores a new supporter);
- ``press``: existing supporters press "Next »" on the message the bot last sent them
  (uabot: a walkthrough step of a published UA, answered and edited in place).

For each, ``--bursts`` bursts (every update offered at once: updates per second until the
last reply; the median is shown with the range, and the bot's CPU per update as the median)
and a paced run (``--rate`` updates per second for ``--seconds``: latency from the update
being available to getUpdates to the bot's reply reaching the API, p50 and p99). The bare
bots (``benchmarks/bare_bots.py``) answer the same updates with the same calls and the same
messages (uabot's, recorded from its run: the welcome is about 450 characters with five
buttons), storing nothing; the ratios to them are the figures to quote (machines here are
shared and noisy).

    .venv/bin/python -m benchmarks.bench_updates [--library aiogram ptb] [--burst 1000]
        [--bursts 3] [--rate 100] [--seconds 5] [--database-url postgresql+asyncpg://.../test]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web

from benchmarks.bare_bots import NEXT, TOKEN
from benchmarks.common import table
from storage.crypto import generate_secret_key
from tests.conftest import FIXTURES, reset_postgres
from tests.fake_bot_api import FakeBotAPI
from tests.fake_telegram import SentMessage
from tests.live import without_settings

HERE = Path(__file__).resolve().parents[1]
#: Beyond this a bot has fallen behind for good; the run says so instead of waiting.
PATIENCE = 120.0


class TimedAPI(FakeBotAPI):
    """The fake Bot API, noting when each chat's reply arrives (a message sent or edited)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.waiting: dict[int, asyncio.Future[float]] = {}
        self.get_updates_calls = 0

    def expect(self, chat_id: int) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiting[chat_id] = future
        return future

    def _replied(self, params: dict[str, Any], response: web.Response) -> web.Response:
        if response.status == 200:
            future = self.waiting.pop(int(params["chat_id"]), None)
            if future is not None and not future.done():
                future.set_result(time.perf_counter())
        return response

    async def _m_sendMessage(self, params: dict[str, Any]) -> web.Response:
        return self._replied(params, await super()._m_sendMessage(params))

    async def _m_editMessageText(self, params: dict[str, Any]) -> web.Response:
        return self._replied(params, await super()._m_editMessageText(params))

    async def _m_getUpdates(self, params: dict[str, Any]) -> web.Response:
        self.get_updates_calls += 1
        return await super()._m_getUpdates(params)


@dataclass
class Figures:
    #: Updates per second in a burst: the median of ``burst_rates`` where there are several.
    burst_rate: float = 0.0
    burst_rates: list[float] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    lost: int = 0
    #: CPU milliseconds per update during the burst: the bot's process, and the rest of
    #: the machine (the database server, the fake API and this driver).
    bot_cpu_ms: float = 0.0
    other_cpu_ms: float = 0.0

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[max(0, int(len(ordered) * share) - 1)] * 1000 if ordered else float("nan")


class Driver:
    """Offers updates to the bot under test through the fake API and times the replies."""

    def __init__(self, api: TimedAPI) -> None:
        self.api = api
        self._users = itertools.count(7_100_000_001)

    def new_people(self, count: int) -> list[int]:
        return [next(self._users) for _ in range(count)]

    async def _offer(self, user: int, press: bool) -> float:
        """One update; the seconds until its reply (the chat's next message or edit)."""
        replied = self.api.expect(user)
        if press:
            await self.api.user_presses(user, self.last_message(user), NEXT)
        else:
            await self.api.user_sends(user, "/start")
        offered = time.perf_counter()
        return await asyncio.wait_for(replied, PATIENCE) - offered

    def last_message(self, user: int) -> SentMessage:
        return self.api.messages[user][-1]

    async def prepare(self, users: list[int], text: str) -> None:
        """Each person sends ``text`` and gets the message they will press on (not timed)."""
        for first in range(0, len(users), 50):
            chunk = users[first : first + 50]
            await asyncio.gather(*(self._send_and_wait(user, text) for user in chunk))

    async def _send_and_wait(self, user: int, text: str) -> None:
        replied = self.api.expect(user)
        await self.api.user_sends(user, text)
        await asyncio.wait_for(replied, PATIENCE)

    async def burst(self, users: list[int], press: bool) -> Figures:
        started = time.perf_counter()
        outcomes = await asyncio.gather(
            *(self._offer(user, press) for user in users), return_exceptions=True
        )
        elapsed = time.perf_counter() - started
        figures = Figures(latencies=[o for o in outcomes if isinstance(o, float)])
        figures.lost = len(users) - len(figures.latencies)
        figures.burst_rate = len(figures.latencies) / elapsed
        return figures

    async def paced(self, users: list[int], rate: float, press: bool) -> Figures:
        tasks = []
        started = time.perf_counter()
        for number, user in enumerate(users):
            delay = started + number / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(self._offer(user, press)))
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        figures = Figures(latencies=[o for o in outcomes if isinstance(o, float)])
        figures.lost = len(users) - len(figures.latencies)
        return figures


def future_fixture(folder: Path) -> Path:
    """The English fixture UA with its deadline 90 days ahead, so it can be published."""
    deadline = date.today() + timedelta(days=90)
    text = (FIXTURES / "ua-en-two-targets.txt").read_text(encoding="utf-8")
    copy = folder / "ua.txt"
    copy.write_text(text.replace("July 15, 2026", f"{deadline:%B} {deadline.day}, {deadline.year}"))
    return copy


def uabot_command(
    folder: Path, library: str, base_url: str, database_url: str | None, tree: Path
) -> list[str]:
    """Configure a fresh uabot with one published UA; the command that runs it."""
    config = folder / "config.toml"
    database = database_url or f"sqlite+aiosqlite:///{folder / 'bench.db'}"
    config.write_text(
        f'[telegram]\ntoken = "{TOKEN}"\nlibrary = "{library}"\napi_base_url = "{base_url}"\n'
        f'[database]\nurl = "{database}"\n[security]\nsecret_key = "{generate_secret_key()}"\n'
        # Telegram takes about 30 messages a second from a bot (1,000 with paid broadcasts);
        # the highest setting measures the bot's own cost, as the bare bots have no pacer.
        '[broadcast]\nrate_per_second = 1000\n[logging]\nlevel = "INFO"\n',
        encoding="utf-8",
    )
    uabot = [sys.executable, "-m", "bot.cli", "--config", str(config)]
    environment = without_settings()
    for step in (
        ["migrate"],
        ["ua", "import", str(future_fixture(folder))],
        ["ua", "publish", "45/26"],
    ):
        subprocess.run([*uabot, *step], check=True, capture_output=True, env=environment, cwd=tree)
    if profile := os.environ.get("UABOT_BENCH_PROFILE"):  # a cProfile of the bot, to read
        return [sys.executable, "-m", "cProfile", "-o", profile, *uabot[1:], "run"]
    return [*uabot, "run"]


@contextmanager
def running(command: list[str], log: Path, tree: Path) -> Iterator[subprocess.Popen[bytes]]:
    environment = without_settings()
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=output, env=environment, cwd=tree)
        try:
            yield process
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


async def polling(api: TimedAPI, process: subprocess.Popen[bytes]) -> None:
    """Until the bot's first getUpdates: it is up, its start-up calls made."""
    while api.get_updates_calls < 1:
        if process.poll() is not None:
            raise RuntimeError(f"the bot exited with {process.returncode}; see its log")
        await asyncio.sleep(0.05)


def as_sent(message: SentMessage) -> dict[str, Any]:
    """A message as a bare bot is to send it again."""
    return {"text": message.text, "reply_markup": message.reply_markup}


async def measure(
    name: str,
    command: Callable[[str], list[str]],
    press_first: str,
    args: argparse.Namespace,
    folder: Path,
    tree: Path,
    replies: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Figures]:
    """The bot's figures for both kinds; into ``replies``, when given, the messages it
    answered with (the welcome, the step pressed on, the step after it)."""
    api = TimedAPI()
    await api.start()
    driver = Driver(api)
    results: dict[str, Figures] = {}
    try:
        with running(command(api.base_url), folder / f"{name}.log", tree) as process:
            await polling(api, process)
            for kind in ("start", "press"):
                bursts = [driver.new_people(args.burst) for _ in range(args.bursts)]
                paced = driver.new_people(int(args.rate * args.seconds))
                if kind == "press":
                    await driver.prepare([*itertools.chain(*bursts), *paced], press_first)
                    if replies is not None:
                        replies["step"] = as_sent(driver.last_message(bursts[0][0]))
                runs = [await timed_burst(driver, process.pid, people, kind) for people in bursts]
                if replies is not None:
                    answer = "welcome" if kind == "start" else "next_step"
                    replies[answer] = as_sent(driver.last_message(bursts[0][0]))
                figures = Figures(
                    burst_rate=statistics.median(run.burst_rate for run in runs),
                    burst_rates=[run.burst_rate for run in runs],
                    lost=sum(run.lost for run in runs),
                    bot_cpu_ms=statistics.median(run.bot_cpu_ms for run in runs),
                    other_cpu_ms=statistics.median(run.other_cpu_ms for run in runs),
                )
                steady = await driver.paced(paced, args.rate, kind == "press")
                figures.latencies, figures.lost = steady.latencies, figures.lost + steady.lost
                results[kind] = figures
    finally:
        await api.stop()
    return results


async def timed_burst(driver: Driver, pid: int, people: list[int], kind: str) -> Figures:
    """One burst, with the CPU it cost per update."""
    before = cpu_seconds(pid)
    figures = await driver.burst(people, kind == "press")
    after = cpu_seconds(pid)
    figures.bot_cpu_ms = (after[0] - before[0]) / len(people) * 1000
    figures.other_cpu_ms = (after[1] - before[1]) / len(people) * 1000
    return figures


def cpu_seconds(pid: int) -> tuple[float, float]:
    """CPU time used so far by process ``pid`` and by everything else on the machine."""
    ticks = os.sysconf("SC_CLK_TCK")
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    process = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    machine = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    busy = sum(int(value) for value in machine[:8]) - int(machine[3]) - int(machine[4])
    return process, busy / ticks - process


def spread(rates: list[float]) -> str:
    return f"{min(rates):.0f}-{max(rates):.0f}"


def bare_command(library: str, replies: Path) -> Callable[[str], list[str]]:
    return lambda url: [sys.executable, "-m", "benchmarks.bare_bots", library, url, str(replies)]


def uabot_run(
    library: str, folder: Path, database_url: str | None, tree: Path
) -> Callable[[str], list[str]]:
    return lambda url: uabot_command(folder, library, url, database_url, tree)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--library", nargs="+", choices=["aiogram", "ptb"], default=["aiogram", "ptb"]
    )
    parser.add_argument("--burst", type=int, default=1000, help="updates offered at once")
    parser.add_argument(
        "--bursts", type=int, default=3, help="bursts of each kind; the median is shown"
    )
    parser.add_argument("--rate", type=float, default=100, help="updates per second, paced")
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--database-url", default=None, help="PostgreSQL (emptied); else SQLite")
    parser.add_argument(
        "--compare-with",
        type=Path,
        nargs="*",
        default=[],
        help="other uabot checkouts (say, a git worktree of an earlier commit), run alike",
    )
    args = parser.parse_args()
    paced = f"{args.rate:.0f}/s p50 ms"
    rows = [
        (
            "bot",
            "updates",
            "burst /s (range)",
            "vs bare",
            paced,
            "p99 ms",
            "lost",
            "CPU ms bot+rest",
        )
    ]
    for library in args.library:
        figures: dict[str, dict[str, Figures]] = {}
        trees = {f"uabot {library}": HERE}
        for other in args.compare_with:
            trees[f"uabot {library} ({other.name})"] = other.resolve()
        # uabot first: the bare bot then sends the messages uabot sent.
        replies: dict[str, dict[str, Any]] = {}
        replies_file = Path(tempfile.mkdtemp(prefix="uabot-bench-")) / "replies.json"
        for name in (*trees, f"bare {library}"):
            folder = Path(tempfile.mkdtemp(prefix="uabot-bench-"))
            tree = trees.get(name, HERE)
            if name.startswith("bare"):
                replies_file.write_text(json.dumps(replies), encoding="utf-8")
                command = bare_command(library, replies_file)
            else:
                if args.database_url:
                    await reset_postgres(args.database_url)
                command = uabot_run(library, folder, args.database_url, tree)
            log = name.replace(" ", "-").replace("(", "").replace(")", "")
            sample = replies if tree == HERE and not name.startswith("bare") else None
            figures[name] = await measure(log, command, "/ua 45/26", args, folder, tree, sample)
        order = [f"bare {library}", *trees]
        for kind in ("start", "press"):
            base = figures[f"bare {library}"][kind].burst_rate
            for name, result in ((name, figures[name][kind]) for name in order):
                rows.append(
                    (
                        name,
                        kind,
                        f"{result.burst_rate:.0f} ({spread(result.burst_rates)})",
                        f"{result.burst_rate / base:.2f}x",
                        f"{result.percentile(0.5):.1f}",
                        f"{result.percentile(0.99):.1f}",
                        str(result.lost),
                        f"{result.bot_cpu_ms:.2f}+{result.other_cpu_ms:.2f}",
                    )
                )
    print(table(rows))


if __name__ == "__main__":
    asyncio.run(main())
