"""Progress bars for ``uabot stats --follow``: broadcasts as the worker sends them.

The worker may run in this process or in the bot's; either way the figures come from the
outbox in the database, so what is shown is what has been recorded as sent.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import TextIO

from bot.app import App
from handlers.uaview import ua_phrase
from storage.outbox import broadcasts_by_id, delivery_counts, running_broadcasts
from storage.statuses import DeliveryStatus
from storage.uas import get_update

BAR_WIDTH = 30
WAITING = (DeliveryStatus.PENDING, DeliveryStatus.SENDING)


@dataclass(frozen=True)
class Snapshot:
    """One running broadcast's figures at one moment."""

    broadcast_id: int
    label: str
    counts: dict[str, int]
    #: Subscribers not queued yet (a large list is queued in batches): still to send.
    unqueued: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values()) + self.unqueued

    @property
    def done(self) -> int:
        waiting = sum(self.counts.get(status, 0) for status in WAITING)
        return self.total - self.unqueued - waiting

    @property
    def finished(self) -> bool:
        return self.done == self.total


def bar(done: int, total: int, width: int = BAR_WIDTH) -> str:
    """``[#########.....]  62%``: how much of ``total`` is ``done``."""
    share = done / total if total else 1.0
    filled = round(share * width)
    return "[{}{}] {:>3.0f}%".format("#" * filled, "." * (width - filled), share * 100)


def describe(snapshot: Snapshot, rate: float | None) -> str:
    """One line: the bar, sent of total, the outcomes that need attention, the time left."""
    counts = snapshot.counts
    line = (
        f"#{snapshot.broadcast_id} {snapshot.label} {bar(snapshot.done, snapshot.total)} "
        f"{counts.get('sent', 0):,} / {snapshot.total:,} sent"
        f" · blocked {counts.get('blocked', 0):,} · failed {counts.get('failed', 0):,}"
    )
    if snapshot.finished:
        return line + " · done"
    if rate:
        left = (snapshot.total - snapshot.done) / rate
        line += f" · {rate:,.1f}/s · about {left:,.0f} s left"
    return line


async def snapshots(app: App, broadcast_ids: set[int] | None = None) -> list[Snapshot]:
    """The running broadcasts, or those of ``broadcast_ids`` finished or not (the worker may
    mark one finished between two redraws); cancelled ones are left out."""
    found = []
    async with app.sessions() as session:
        if broadcast_ids is None:
            broadcasts = await running_broadcasts(session)
        else:
            broadcasts = await broadcasts_by_id(session, broadcast_ids)
        for broadcast in broadcasts:
            if broadcast.cancelled:
                continue
            update = await get_update(session, broadcast.update_id)
            label = str(ua_phrase(update.case.number, update.ordinal)) if update else "UA ?"
            counts = await delivery_counts(session, broadcast.update_id)
            unqueued = 0
            if broadcast.queued_through is not None:
                unqueued = max(0, broadcast.total - sum(counts.values()))
            found.append(Snapshot(broadcast.id, label, counts, unqueued))
    return found


NOTHING_SENT = (
    "nothing sent for {seconds:.0f} s: the running bot sends the queue; is `uabot run` "
    "running, with this database?"
)


async def follow(app: App, out: TextIO, interval: float = 1.0, quiet_after: float = 30.0) -> int:
    """Redraw the running broadcasts' bars every ``interval`` seconds until all are sent;
    the number of broadcasts followed. On a terminal the bars are redrawn in place. When
    nothing moves for ``quiet_after`` seconds, say once where the sending happens."""
    first = await snapshots(app)
    if not first:
        print("no broadcast is running", file=out)
        return 0
    followed = {snapshot.broadcast_id for snapshot in first}
    in_place = out.isatty()
    previous: dict[int, tuple[float, int]] = {}
    drawn: list[str] = []
    current = first
    moved_at, done_before, hinted = time.monotonic(), -1, False
    while True:
        now = time.monotonic()
        done = sum(snapshot.done for snapshot in current)
        if done != done_before:
            moved_at, done_before = now, done
        elif not hinted and now - moved_at >= quiet_after:
            print(NOTHING_SENT.format(seconds=now - moved_at), file=out)
            hinted, drawn = True, []  # the bars are drawn again below the hint
        lines = []
        for snapshot in current:
            before = previous.get(snapshot.broadcast_id)
            rate = (snapshot.done - before[1]) / (now - before[0]) if before else None
            previous.setdefault(snapshot.broadcast_id, (now, snapshot.done))
            lines.append(describe(snapshot, rate))
        if lines != drawn:
            if in_place and drawn:
                out.write(f"\x1b[{len(drawn)}F\x1b[J")
            out.write("\n".join(lines) + "\n")
            out.flush()
            drawn = lines
        if all(snapshot.finished for snapshot in current):
            return len(followed)
        await asyncio.sleep(interval)
        current = await snapshots(app, followed)
