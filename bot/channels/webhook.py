"""The webhook server: Telegram POSTs events here; ``/healthz`` answers load balancers.

Telegram re-sends an event that is not answered within about a minute, so each event is
acknowledged at once and handled in the background; the core skips an event id it has
seen, so a re-sent event changes nothing. A request without the configured
``X-Telegram-Bot-Api-Secret-Token`` is refused with 401. With ``max_in_flight`` events
already being handled, a new one waits for a slot before it is acknowledged: Telegram opens
no more connections than its ``max_connections`` meanwhile, so the wait is the queue, in
bounded memory. Only after ``slot_seconds`` is it answered 503, for Telegram to send again
(a burst of presses during a broadcast once drew hundreds of 503s and waits of 10 s more).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.http import HEADER_SECONDS, MAX_CONNECTIONS, SECRET_HEADER, Site, split_listen
from bot.sending import InFlight

log = logging.getLogger("uabot.webhook")
#: Telegram sends an event's body at once; a client that dribbles it is holding a slot.
BODY_SECONDS = 10.0
#: How long an event waits for a slot among those in flight before it is answered 503:
#: well under the minute after which Telegram gives up on an answer and sends it again.
SLOT_SECONDS = 30.0
#: Refused requests are logged at most once a minute, with their count: a flood of
#: forged requests once wrote 522 MB of log.
REFUSALS_LOGGED_EVERY = 60.0


class WebhookServer:
    def __init__(
        self,
        feed: Callable[[dict[str, Any]], Awaitable[None]],
        *,
        path: str,
        secret_token: str,
        listen: str,
        extra_routes: list[web.RouteDef] | None = None,
        max_in_flight: int = 256,
        slot_seconds: float = SLOT_SECONDS,
        max_connections: int = MAX_CONNECTIONS,
        header_seconds: float = HEADER_SECONDS,
    ) -> None:
        self.feed = feed
        self.path = path or "/"
        self.secret_token = secret_token
        self.host, self.port = split_listen(listen)
        self.in_flight = InFlight()
        self.max_in_flight, self.slot_seconds = max_in_flight, slot_seconds
        self._refused = 0
        self._refusals_logged_at = -REFUSALS_LOGGED_EVERY
        self.extra_routes = extra_routes or []
        self._site: Site | None = None
        self.max_connections, self.header_seconds = max_connections, header_seconds

    async def _update(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret_token.encode()):
            self._refusal()
            return web.Response(status=401, text="wrong secret token")
        try:
            body = await asyncio.wait_for(request.read(), BODY_SECONDS)
        except TimeoutError:
            return web.Response(status=408, text="the body came too slowly")
        try:
            data = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
            return web.Response(status=400, text="not JSON, or nested beyond reason")
        if not isinstance(data, dict) or "update_id" not in data:
            return web.Response(status=400, text="not a Telegram update")
        if len(self.in_flight) >= self.max_in_flight:
            try:
                await asyncio.wait_for(self.in_flight.below(self.max_in_flight), self.slot_seconds)
            except TimeoutError:  # Telegram sends it again later
                return web.Response(status=503, text="busy; send it again later")
        self.in_flight.spawn(self._feed(data))
        return web.Response(text="ok")

    def _refusal(self) -> None:
        self._refused += 1
        now = time.monotonic()
        if now - self._refusals_logged_at >= REFUSALS_LOGGED_EVERY:
            log.warning(
                "refused %d webhook request(s) without the right secret token", self._refused
            )
            self._refused, self._refusals_logged_at = 0, now

    async def _feed(self, data: dict[str, Any]) -> None:
        try:
            await self.feed(data)
        except Exception:
            log.exception("webhook event %s failed", data.get("update_id"))

    async def _alive(self, _request: web.Request) -> web.Response:
        """/healthz when the runner gave no fuller check: the server answers."""
        return web.Response(text="ok\n")

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post(self.path, self._update)
        app.router.add_routes(self.extra_routes)
        if not any(route.path == "/healthz" for route in self.extra_routes):
            app.router.add_get("/healthz", self._alive)
        self._site = Site(
            app,
            self.host,
            self.port,
            max_connections=self.max_connections,
            header_seconds=self.header_seconds,
            secret=self.secret_token,
        )
        self.port = await self._site.start()
        log.info("webhook server listening on %s:%s%s", self.host, self.port, self.path)

    async def stop(self) -> None:
        """Stop taking events, then let the ones in flight finish."""
        if self._site is not None:
            await self._site.shutdown()
        await self.in_flight.drain()
        if self._site is not None:
            await self._site.cleanup()
