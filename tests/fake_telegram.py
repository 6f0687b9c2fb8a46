"""What the fake Bot API keeps and injects: the messages the bot sent, the faults it is
told to answer with, and random chaos."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Fault:
    status: int
    description: str
    retry_after: int | None = None
    stall: float = 0.0
    #: Do what was asked, then answer ``{"ok": true, "result": <this>}`` (a broken proxy's
    #: answer, or a Bot API change): done, but nothing readable about it.
    odd_result: object = None


@dataclass
class Chaos:
    """Random faults for every call to one method (see ``FakeBotAPI.chaos``)."""

    share: float
    stall: float
    rng: random.Random
    burst_every: int
    burst_length: int
    calls: int = 0
    injected: Counter[str] = field(default_factory=Counter)

    def draw(self) -> list[Fault]:
        """The faults this call meets, if any."""
        self.calls += 1
        if self.burst_every and self.calls % self.burst_every == 0:
            self.injected["429"] += self.burst_length
            return [Fault(429, "Too Many Requests: retry after 1", 1)] * self.burst_length
        roll = self.rng.random()
        if roll < self.share / 2:
            self.injected["502"] += 1
            return [Fault(502, "Bad Gateway")]
        if roll < self.share:
            self.injected["stall"] += 1
            return [Fault(200, "", stall=self.stall)]
        return []


@dataclass
class SentMessage:
    message_id: int
    chat_id: int | str
    text: str | None
    reply_markup: dict[str, Any] | None
    document_name: str | None = None
    document: bytes | None = None
    disable_notification: bool = False
    #: Sent with ``allow_paid_broadcast``: 0.1 Star taken from the bot's balance.
    paid: bool = False
    edits: int = 0
    #: When it was sent (``time.monotonic()``), for Telegram's limit on editing old messages.
    sent_at: float = 0.0

    def buttons(self) -> list[dict[str, Any]]:
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [button for row in rows for button in row]


def chat_key(value: Any) -> int | str:
    """A chat id as the Bot API takes it: a number, or a public channel's '@username'."""
    text = str(value)
    return text if text.startswith("@") else int(text)
