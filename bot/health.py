"""``/healthz``: whether this process can do its job now, for a load balancer, Docker's
HEALTHCHECK or systemd's watchdog scripts.

Unhealthy (503, with the reason) when the database does not answer within a few seconds,
or, when polling, when Telegram has not answered getUpdates for a while: a bot whose
updates stopped arriving looks alive from the outside but helps nobody.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from aiohttp import web

from bot.app import App
from storage.database import ping

#: Long polls last 10 s; this many seconds without an answer is several missed in a row.
POLL_STALE_AFTER = 90.0
#: A database that takes longer than this to answer SELECT 1 is as good as down.
DATABASE_TIMEOUT = 3.0


class Health:
    def __init__(
        self, app: App, *, polling: bool, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.app = app
        self.polling = polling
        self.monotonic = monotonic
        self.started = monotonic()

    async def problem(self) -> str | None:
        """Why the bot cannot do its job now, or None when it can."""
        if self.polling:
            last = self.app.metrics.last_poll_monotonic or self.started
            silent = self.monotonic() - last
            if silent > POLL_STALE_AFTER:
                return f"no answer from Telegram to getUpdates for {silent:.0f} s"
        try:
            async with asyncio.timeout(DATABASE_TIMEOUT):
                await ping(self.app.engine)
        except Exception as error:  # any failure to answer is the answer
            return f"database unreachable ({type(error).__name__})"
        return None


def health_route(health: Health, path: str = "/healthz") -> web.RouteDef:
    async def serve(_request: web.Request) -> web.Response:
        problem = await health.problem()
        if problem is None:
            return web.Response(text="ok\n")
        return web.Response(status=503, text=problem + "\n")

    return web.get(path, serve)
