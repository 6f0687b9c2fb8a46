"""Prometheus metrics: what an operator watches, with no label that could name a person.

Each app has its own registry (nothing is built at import). Counters and the latency
histogram are updated where things happen; the outbox gauges are read from the database
when ``/metrics`` is scraped, so any process of the bot reports the same queue.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

#: The outcomes of one attempt to deliver a message, as counted in ``uabot_deliveries_total``.
DELIVERY_OUTCOMES = ("sent", "blocked", "failed", "retried", "uncertain")

UPDATE_OUTCOMES = ("ok", "error", "duplicate", "group")
#: The kinds of refusal a reply can be lost to (the channel's SendError kinds).
REPLY_LOSS_REASONS = ("RetryLater", "Blocked", "Transient", "Uncertain", "Rejected", "Unauthorized")
QUEUE_KINDS = ("ua", "reminder")

#: Update-to-reply latencies worth telling apart (seconds); the target is p99 < 50 ms.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.updates = Counter(
            "uabot_updates",
            "Updates handled, by outcome: ok, error (the person got an apology), duplicate "
            "(a redelivery, skipped) or group (answered with a pointer to a private chat).",
            ["outcome"],
            registry=self.registry,
        )
        self.update_seconds = Histogram(
            "uabot_update_seconds",
            "Time from receiving an update to its replies being sent.",
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.deliveries = Counter(
            "uabot_deliveries",
            "Attempts to deliver an outbox message, by outcome.",
            ["outcome"],
            registry=self.registry,
        )
        self.replies_lost = Counter(
            "uabot_replies_lost",
            "Replies that could not be sent after every retry, by the kind of refusal.",
            ["reason"],
            registry=self.registry,
        )
        for reason in REPLY_LOSS_REASONS:
            self.replies_lost.labels(reason)
        self.too_many_requests = Counter(
            "uabot_telegram_429",
            "429 Too Many Requests answers from the Bot API while sending the outbox.",
            registry=self.registry,
        )
        self.outbox_depth = Gauge(
            "uabot_outbox_depth",
            "Messages queued and not yet sent, by kind (ua or reminder).",
            ["kind"],
            registry=self.registry,
        )
        self.reminders_due = Gauge(
            "uabot_reminders_due",
            "Reminder messages due and waiting in the outbox.",
            registry=self.registry,
        )
        self.last_poll = Gauge(
            "uabot_last_poll_timestamp_seconds",
            "When Telegram last answered getUpdates (Unix time); 0 by webhook.",
            registry=self.registry,
        )
        #: The same moment on the monotonic clock, for /healthz (None: no poll yet).
        self.last_poll_monotonic: float | None = None
        for outcome in DELIVERY_OUTCOMES:
            self.deliveries.labels(outcome)
        for outcome in UPDATE_OUTCOMES:
            self.updates.labels(outcome)
        self.set_queue({})  # every series exists from the start, at zero

    def set_queue(self, depth_by_kind: dict[str, int]) -> None:
        for kind in QUEUE_KINDS:
            self.outbox_depth.labels(kind).set(depth_by_kind.get(kind, 0))
        self.reminders_due.set(depth_by_kind.get("reminder", 0))

    def polled(self) -> None:
        """Telegram answered a getUpdates call: updates can arrive."""
        self.last_poll.set(time.time())
        self.last_poll_monotonic = time.monotonic()

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


def metrics_route(
    metrics: Metrics, refresh: Callable[[], Awaitable[None]], path: str = "/metrics"
) -> web.RouteDef:
    """The aiohttp route serving ``metrics`` after ``refresh`` has read the gauges."""

    async def serve(_request: web.Request) -> web.Response:
        await refresh()
        response = web.Response(body=metrics.exposition())
        response.content_type = CONTENT_TYPE_LATEST.split(";")[0]
        response.charset = "utf-8"
        return response

    return web.get(path, serve)
