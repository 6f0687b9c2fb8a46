"""The bot's own small HTTP servers (the webhook and ``/metrics``): where they listen."""

from __future__ import annotations

import asyncio
import errno
import hmac
from collections.abc import Callable

from aiohttp import web


def split_listen(listen: str) -> tuple[str, int]:
    """``"127.0.0.1:8080"`` as (host, port); an empty host means loopback."""
    host, _, port = listen.rpartition(":")
    return host or "127.0.0.1", int(port)


#: A client has this long to send a request's headers; Telegram sends them at once, a
#: slow-headers attack never does (1,100 such connections once stalled every update).
HEADER_SECONDS = 10.0
#: Connections open at once; beyond, one that has shown nothing makes room (see _Guard).
MAX_CONNECTIONS = 512
#: The header Telegram proves itself with on every webhook request...
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
#: ...as a connection's raw headers are matched against it.
_SECRET_HEADER_NAME = SECRET_HEADER.lower().encode()
#: An idle kept-alive connection is closed after this long.
KEEPALIVE_SECONDS = 15.0


class _Guard(asyncio.Protocol):
    """aiohttp's protocol for one connection, behind a deadline for its first request's
    headers and the server's connection cap.

    At the cap a new connection is not refused: the oldest one that has sent nothing yet
    makes room, else the oldest that has not shown the webhook's secret. A connection whose
    first request carried the secret (Telegram) is never closed for room, so strangers
    holding hundreds of idle connections cannot shut Telegram out (700 did: 141 of its
    posts refused while they stayed)."""

    def __init__(self, inner: asyncio.Protocol, guard: GuardedFactory) -> None:
        self.inner, self.guard = inner, guard
        self.transport: asyncio.Transport | None = None
        self.received = b""
        self.deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.guard.open += 1
        self.guard.silent[self] = None
        self.guard.unproven[self] = None
        self.inner.connection_made(transport)
        if self.guard.open > self.guard.max_connections:
            room = self.guard.room_for(self)
            if room.transport is not None:
                room.transport.close()
            if room is self:
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
                self.guard.silent.pop(self, None)
                if self.guard.proves(self.received.split(b"\r\n\r\n", 1)[0]):
                    self.guard.unproven.pop(self, None)
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
        self.guard.silent.pop(self, None)
        self.guard.unproven.pop(self, None)
        if self.deadline is not None:
            self.deadline.cancel()
        self.inner.connection_lost(exc)


class GuardedFactory:
    """Makes aiohttp's protocol for each connection, guarded (see ``_Guard``)."""

    def __init__(
        self,
        server: Callable[[], asyncio.Protocol],
        max_connections: int,
        header_seconds: float,
        secret: str | None = None,
    ) -> None:
        self.server = server
        self.max_connections = max_connections
        self.header_seconds = header_seconds
        self.secret = secret.encode() if secret else None
        self.open = 0
        #: Connections that have sent no complete headers yet, oldest first...
        self.silent: dict[_Guard, None] = {}
        #: ...and those that have not shown the secret (every one, without a secret).
        self.unproven: dict[_Guard, None] = {}

    def __call__(self) -> asyncio.Protocol:
        return _Guard(self.server(), self)

    def room_for(self, newcomer: _Guard) -> _Guard:
        """The connection to close so that ``newcomer`` fits: the oldest silent one, else
        the oldest unproven one, else the newcomer itself. Out of the running at once: its
        ``connection_lost`` comes on a later turn of the loop, and every newcomer of a
        burst picked the same one until then (700 at once left 695 open, cap 512)."""
        others = (guard for waiting in (self.silent, self.unproven) for guard in waiting)
        chosen = next((guard for guard in others if guard is not newcomer), newcomer)
        self.silent.pop(chosen, None)
        self.unproven.pop(chosen, None)
        return chosen

    def proves(self, headers: bytes) -> bool:
        """Whether a request's headers carry the secret (any request, without one)."""
        if self.secret is None:
            return True
        for line in headers.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == _SECRET_HEADER_NAME:
                return hmac.compare_digest(value.strip(), self.secret)
        return False


class CannotListen(Exception):
    """The address to serve on is taken by another program, or not this machine's: said
    as such, not as a database that cannot be reached (OSError is both)."""


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
        secret: str | None = None,
    ) -> None:
        self.app, self.host, self.port = app, host, port
        self.max_connections, self.header_seconds = max_connections, header_seconds
        self.secret = secret
        self._runner: web.AppRunner | None = None
        self._server: asyncio.Server | None = None

    async def start(self) -> int:
        """Start serving; the port (chosen by the OS for port 0)."""
        self._runner = web.AppRunner(self.app, access_log=None, keepalive_timeout=KEEPALIVE_SECONDS)
        await self._runner.setup()
        server = self._runner.server
        assert server is not None, "set up just above"
        factory = GuardedFactory(server, self.max_connections, self.header_seconds, self.secret)
        loop = asyncio.get_running_loop()
        try:
            self._server = await loop.create_server(factory, self.host, self.port)
        except OSError as error:
            await self._runner.cleanup()
            reason = "the port is in use" if error.errno == errno.EADDRINUSE else error.strerror
            raise CannotListen(f"cannot listen on {self.host}:{self.port}: {reason}") from None
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
