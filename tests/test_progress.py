"""Progress bars of ``uabot stats --follow``, following a real worker through the fake API."""

from __future__ import annotations

import asyncio
import io

from bot.broadcast import OutboxWorker
from bot.progress import Snapshot, bar, describe, follow
from tests.conftest import publish_fixture, subscribe_many


class Watched(io.StringIO):
    """Output that tells when ``text`` has been written."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text, self.seen = text, asyncio.Event()

    def write(self, data: str) -> int:
        written = super().write(data)
        if self.text in self.getvalue():
            self.seen.set()
        return written


def test_the_bar_fills_with_the_share_done() -> None:
    assert bar(0, 10, width=10) == "[..........]   0%"
    assert bar(5, 10, width=10) == "[#####.....]  50%"
    assert bar(10, 10, width=10) == "[##########] 100%"
    assert bar(0, 0, width=4) == "[####] 100%"


def test_a_line_says_what_is_sent_blocked_failed_and_left() -> None:
    snapshot = Snapshot(3, "Second UA 45/26", {"sent": 1500, "blocked": 2, "pending": 498})
    line = describe(snapshot, rate=24.9)
    assert line.startswith("#3 Second UA 45/26 [")
    assert "1,500 / 2,000 sent · blocked 2 · failed 0 · 24.9/s · about 20 s left" in line
    finished = Snapshot(3, "Second UA 45/26", {"sent": 1998, "blocked": 2})
    line = describe(finished, rate=None)
    assert line.endswith("1,998 / 2,000 sent · blocked 2 · failed 0 · done")


def test_subscribers_not_queued_yet_are_still_to_send() -> None:
    """A large list is queued in batches: those not queued yet are no "done"."""
    snapshot = Snapshot(4, "UA 45/26", {"sent": 7}, unqueued=23)
    assert (snapshot.done, snapshot.total, snapshot.finished) == (7, 30, False)
    assert "7 / 30 sent" in describe(snapshot, rate=None)


async def test_follow_draws_until_the_worker_has_sent_everything(app, chat, api, sender) -> None:
    await subscribe_many(app, 60)
    await publish_fixture(chat)
    out = io.StringIO()
    stop = asyncio.Event()
    worker = OutboxWorker(app, sender, rate_per_second=200, batch=10)
    sending = asyncio.create_task(worker.run(stop, idle=0.05))
    try:
        assert await follow(app, out, interval=0.05) == 1
    finally:
        stop.set()
        await sending
    lines = out.getvalue().splitlines()
    assert len(lines) >= 2, "the bar is redrawn while the broadcast runs"
    assert "[" in lines[0] and "/ 60 sent" in lines[0]
    assert lines[-1].endswith("60 / 60 sent · blocked 0 · failed 0 · done")
    assert sum(len(api.messages[c]) for c in api.messages) >= 60


async def test_follow_says_when_nothing_is_running(app) -> None:
    out = io.StringIO()
    assert await follow(app, out) == 0
    assert out.getvalue() == "no broadcast is running\n"


async def test_follow_says_where_sending_happens_when_nothing_moves(app, chat) -> None:
    await subscribe_many(app, 3)
    await publish_fixture(chat)  # queued, but no worker runs
    out = Watched("is `uabot run` running")
    following = asyncio.create_task(follow(app, out, interval=0.01, quiet_after=0.05))
    await asyncio.wait_for(out.seen.wait(), 10)
    following.cancel()
    lines = out.getvalue().splitlines()
    assert lines[0].endswith("0 / 3 sent · blocked 0 · failed 0")
    assert lines[1].startswith("nothing sent for 0 s: the running bot sends the queue")
    assert lines.count(lines[1]) == 1, "said once"
