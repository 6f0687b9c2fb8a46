"""One send budget for everything the bot sends: replies first, then broadcasts, never a 429.

Telegram counts its limits where requests arrive (about 30 messages in any second, one a
second in a chat), and requests leave in bursts whenever the event loop is busy, so spacing
departures is not enough: two sends planned 33 ms apart can arrive 1 ms apart. The pacer
therefore keeps each send's *completion* time. A send arrives before its answer comes back,
so when the 31st send leaves a second after the 1st one's answer, Telegram has seen at most
30 in any second, whatever the network did in between.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager

from bot.shared_budget import SharedBudget

#: Chats remembered for the per-chat gap before old entries are dropped (a broadcast to
#: 100,000 would otherwise keep 100,000 timestamps).
CHAT_MEMORY = 10_000
#: How many seconds' worth of sends the window holds when a shared budget paces them: as
#: good as no limit (the shared slots are the limit), and memory stays bounded.
UNBOUNDED_WINDOW = 100


class _Send:
    """One send's place in the last second: in flight until ``done`` is set."""

    __slots__ = ("done",)

    def __init__(self) -> None:
        self.done: float | None = None


class Pacer:
    """At most ``floor(rate)`` sends in any second as Telegram counts it, one per
    ``per_chat`` seconds in a chat, and a pause for everyone after a 429.

    Replies (``reply=True``) go before any waiting broadcast send and skip the even spacing
    broadcasts keep, so a person pressing a button during a broadcast waits at most for the
    next free place in the window (about 1/rate seconds), not for the queue. A reply keeps
    its distance from the broadcast's last message in that chat, and the broadcast from the
    reply's, but replies follow each other freely: Telegram allows a person short bursts.
    """

    def __init__(
        self, rate: float, per_chat: float = 1.0, shared: SharedBudget | None = None
    ) -> None:
        self.interval = 1.0 / rate
        #: The budget of all the bot's processes, on PostgreSQL: each send also takes a
        #: slot from it, after its turn here.
        self.shared = shared
        self.per_chat = per_chat
        # With a shared budget, its slots count the bot's second: a window here as well
        # would count the wait for a slot as sending time.
        places = math.floor(rate) * (UNBOUNDED_WINDOW if shared is not None else 1)
        self._window: deque[_Send] = deque(maxlen=max(1, places))
        self._next_slot = 0.0
        self._paused_until = 0.0
        self._broadcast_done: dict[Hashable, float] = {}
        self._reply_done: dict[Hashable, float] = {}
        self._replies_waiting = 0
        # Set (and replaced) whenever a send finishes: waiters held back by another send
        # look again.
        self._finished = asyncio.Event()

    def pause(self, seconds: float) -> None:
        """Telegram said 429: nobody sends for ``seconds``, in any process."""
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)
        if self.shared is not None:
            self.shared.pause(seconds)

    @asynccontextmanager
    async def turn(self, chat_id: Hashable, *, reply: bool = False) -> AsyncIterator[None]:
        """Wait for this send's turn; the send happens inside the block."""
        send = await self._claim(chat_id, reply)
        try:
            if self.shared is not None:
                await self.shared.turn(reply=reply)
            yield
        finally:
            now = time.monotonic()
            send.done = now
            chats = self._reply_done if reply else self._broadcast_done
            chats[chat_id] = now
            if len(chats) > CHAT_MEMORY:
                cutoff = now - self.per_chat
                for chat in [chat for chat, at in chats.items() if at < cutoff]:
                    del chats[chat]
            self._wake()

    async def _claim(self, chat_id: Hashable, reply: bool) -> _Send:
        # No lock: between looking and taking there is no await, so nobody else runs.
        if reply:
            # A reply waiting for its chat's gap holds nobody back; only one that needs a
            # place in the window goes first (else one reply stops a broadcast for 1 s).
            gap = self._broadcast_done.get(chat_id, -math.inf) + self.per_chat - time.monotonic()
            if gap > 0:
                await asyncio.sleep(gap)
            self._replies_waiting += 1
        try:
            while True:
                now = time.monotonic()
                ready_at = self._ready_at(chat_id, reply, now)
                if ready_at is not None and ready_at <= now:
                    return self._take(reply, now)
                # Plain waits, never wait_for: on Python 3.11 wait_for can swallow a
                # cancellation, and a cancelled worker would go on sending unrecorded.
                if ready_at is None:
                    await self._finished.wait()
                else:
                    await asyncio.sleep(ready_at - now)
        finally:
            if reply:
                self._replies_waiting -= 1
                if not self._replies_waiting:  # broadcast sends held back may go now
                    self._wake()

    def _wake(self) -> None:
        finished, self._finished = self._finished, asyncio.Event()
        finished.set()

    def _ready_at(self, chat_id: Hashable, reply: bool, now: float) -> float | None:
        """When this send may leave; None while it must wait for another to finish."""
        window = self._window
        if len(window) == window.maxlen:
            oldest = window[0].done
            if oldest is None:
                return None  # the oldest send's answer is not back yet
            window_free = oldest + 1.0
        else:
            window_free = 0.0
        gaps = [self._broadcast_done.get(chat_id, -math.inf) + self.per_chat]
        if reply:
            return max(now, window_free, self._paused_until, *gaps)
        if self._replies_waiting:
            return None  # replies first
        gaps.append(self._reply_done.get(chat_id, -math.inf) + self.per_chat)
        return max(now, window_free, self._paused_until, self._next_slot, *gaps)

    def _take(self, reply: bool, now: float) -> _Send:
        if not reply:
            # The next slot follows this one's planned time, not the moment we woke up: the
            # sleep's lateness would otherwise be lost at every message (about 3% of the rate
            # at 30/s). After a pause or an idle spell, count from now.
            on_time = self._next_slot > now - self.interval
            self._next_slot = (self._next_slot if on_time else now) + self.interval
        send = _Send()
        self._window.append(send)
        return send
