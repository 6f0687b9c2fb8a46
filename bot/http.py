"""The bot's own small HTTP servers (the webhook and ``/metrics``): where they listen."""

from __future__ import annotations

from aiohttp import web


def split_listen(listen: str) -> tuple[str, int]:
    """``"127.0.0.1:8080"`` as (host, port); an empty host means loopback."""
    host, _, port = listen.rpartition(":")
    return host or "127.0.0.1", int(port)


async def start_site(app: web.Application, host: str, port: int) -> tuple[web.AppRunner, int]:
    """Serve ``app`` on host:port; the runner and the port (chosen by the OS for port 0)."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    if port == 0:
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, port


class MetricsServer:
    """``/metrics`` on an address of its own, for a bot that polls (no webhook server)."""

    def __init__(self, route: web.RouteDef, listen: str) -> None:
        self.route = route
        self.host, self.port = split_listen(listen)
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_routes([self.route])
        self._runner, self.port = await start_site(app, self.host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
