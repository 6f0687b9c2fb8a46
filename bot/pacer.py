"""How fast the outbox may send: Telegram's limits, kept without ever hearing a 429."""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque

from bot.channels.telegram import ChatId


class Pacer:
    """At most ``rate`` sends a second overall, one per ``per_chat`` seconds in a chat, and
    a pause for everyone after a 429.

    Sends are spaced evenly, and never more than ``ceil(rate)`` fall in any one second, the
    way Telegram counts: a late wake-up followed by a punctual one cannot make a burst."""

    def __init__(self, rate: float, per_chat: float = 1.0) -> None:
        self.interval = 1.0 / rate
        self.per_chat = per_chat
        self._last_second: deque[float] = deque(maxlen=math.ceil(rate))
        self._next_slot = 0.0
        self._paused_until = 0.0
        self._chat_next: dict[ChatId, float] = {}
        self._lock = asyncio.Lock()

    def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)

    async def wait_turn(self, chat_id: ChatId) -> None:
        while True:
            async with self._lock:
                now = time.monotonic()
                window = self._last_second
                full = len(window) == window.maxlen
                slot = max(
                    now,
                    self._next_slot,
                    self._paused_until,
                    self._chat_next.get(chat_id, 0),
                    window[0] + 1.0 if full else 0,
                )
                if slot <= now:
                    # The next slot follows this one's planned time, not the moment we woke
                    # up: the sleep's lateness would otherwise be lost at every message
                    # (about 3% of the rate at 30/s). After a pause, count from now.
                    on_time = self._next_slot > now - self.interval
                    self._next_slot = (self._next_slot if on_time else now) + self.interval
                    self._chat_next[chat_id] = now + self.per_chat
                    window.append(now)
                    if len(self._chat_next) > 10_000:
                        self._chat_next = {c: t for c, t in self._chat_next.items() if t > now}
                    return
            await asyncio.sleep(slot - now)
