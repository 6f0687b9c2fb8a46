"""The bot's own small HTTP servers (the webhook and ``/metrics``): where they listen."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiohttp import web


def split_listen(listen: str) -> tuple[str, int]:
    """``"127.0.0.1:8080"`` as (host, port); an empty host means loopback."""
    host, _, port = listen.rpartition(":")
    return host or "127.0.0.1", int(port)


#: A client has this long to send a request's headers; Telegram sends them at once, a
#: slow-headers attack never does (1,100 such connections once stalled every update).
HEADER_SECONDS = 10.0
#: Connections open at once; beyond, new ones are closed as they come.
MAX_CONNECTIONS = 512
#: An idle kept-alive connection is closed after this long.
KEEPALIVE_SECONDS = 15.0


class _Guard(asyncio.Protocol):
    """aiohttp's protocol for one connection, behind a deadline for its first request's
    headers and the server's connection cap."""

    def __init__(self, inner: asyncio.Protocol, guard: GuardedFactory) -> None:
        self.inner, self.guard = inner, guard
        self.transport: asyncio.Transport | None = None
        self.received = b""
        self.deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.guard.open += 1
        self.inner.connection_made(transport)
        if self.guard.open > self.guard.max_connections:
            transport.close()
            return
        loop = asyncio.get_running_loop()
        self.deadline = loop.call_later(self.guard.header_seconds, self._too_slow)

    def _too_slow(self) -> None:
        if self.transport is not None:
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        if self.deadline is not None:
            self.received = (self.received + data)[-8192:]
            if b"\r\n\r\n" in self.received:  # the headers are all here
                self.deadline.cancel()
                self.deadline, self.received = None, b""
        self.inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self.inner.eof_received()

    def pause_writing(self) -> None:
        self.inner.pause_writing()

    def resume_writing(self) -> None:
        self.inner.resume_writing()

    def connection_lost(self, exc: Exception | None) -> None:
        self.guard.open -= 1
        if self.deadline is not None:
            self.deadline.cancel()
        self.inner.connection_lost(exc)


class GuardedFactory:
    """Makes aiohttp's protocol for each connection, guarded (see ``_Guard``)."""

    def __init__(
        self, server: Callable[[], asyncio.Protocol], max_connections: int, header_seconds: float
    ) -> None:
        self.server = server
        self.max_connections = max_connections
        self.header_seconds = header_seconds
        self.open = 0

    def __call__(self) -> asyncio.Protocol:
        return _Guard(self.server(), self)


class Site:
    """An aiohttp application served on host:port, with the guards above."""

    def __init__(
        self,
        app: web.Application,
        host: str,
        port: int,
        *,
        max_connections: int = MAX_CONNECTIONS,
        header_seconds: float = HEADER_SECONDS,
    ) -> None:
        self.app, self.host, self.port = app, host, port
        self.max_connections, self.header_seconds = max_connections, header_seconds
        self._runner: web.AppRunner | None = None
        self._server: asyncio.Server | None = None

    async def start(self) -> int:
        """Start serving; the port (chosen by the OS for port 0)."""
        self._runner = web.AppRunner(self.app, access_log=None, keepalive_timeout=KEEPALIVE_SECONDS)
        await self._runner.setup()
        server = self._runner.server
        assert server is not None, "set up just above"
        factory = GuardedFactory(server, self.max_connections, self.header_seconds)
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(factory, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def shutdown(self) -> None:
        """Stop accepting connections; requests in progress go on."""
        if self._server is not None:
            self._server.close()
        if self._runner is not None:
            await self._runner.shutdown()

    async def cleanup(self) -> None:
        if self._server is not None:
            self._server.close()
        if self._runner is not None:
            await self._runner.cleanup()


class MetricsServer:
    """``/metrics`` and ``/healthz`` on an address of its own (``metrics.listen``): kept
    off the public webhook port, and the only HTTP server of a bot that polls."""

    def __init__(self, routes: list[web.RouteDef], listen: str) -> None:
        self.routes = routes
        self.host, self.port = split_listen(listen)
        self._site: Site | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_routes(self.routes)
        self._site = Site(app, self.host, self.port)
        self.port = await self._site.start()

    async def stop(self) -> None:
        if self._site is not None:
            await self._site.cleanup()
