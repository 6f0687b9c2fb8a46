"""Whether a bot is serving a database, for the maintenance that must not run under one.

``uabot rotate-key`` re-keys every stored id; a bot still running goes on writing under the
old key, so a known person's /start becomes a second row and the next rotation meets a row
neither key opens. The operator is told to stop the bot; this makes the rotation check.

- PostgreSQL: every connection of ``uabot run`` carries the application name
  ``BOT_APPLICATION_NAME``, and the server lists live connections in ``pg_stat_activity``
  (a bot killed with -9 drops out as its connections close).
- SQLite: ``uabot run`` holds a shared lock on a file beside the database (``flock``) for
  as long as it runs; the operating system drops it when the process ends, however it
  ends. The rotation holds the same lock exclusively, so a bot started meanwhile waits.
  Where ``flock`` does not exist (Windows), nothing is checked.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows has no flock
    fcntl = None  # type: ignore[assignment]

BOT_APPLICATION_NAME = "uabot run"


class BotServing(Exception):
    """A bot is running on the database: stop it first."""


def bot_engine_options(url: str) -> dict[str, Any]:
    """Options for the running bot's engine: on PostgreSQL, its name on every connection."""
    if make_url(url).get_backend_name() == "postgresql":
        return {"connect_args": {"server_settings": {"application_name": BOT_APPLICATION_NAME}}}
    return {}


def _lock_file(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(f"{parsed.database}-serving")


@contextmanager
def serving(url: str) -> Iterator[None]:
    """Held by ``uabot run`` while it runs; waits while a rotation holds the database."""
    path = _lock_file(url)
    if path is None or fcntl is None:
        yield
        return
    with path.open("a") as handle:  # closed, the lock is gone
        fcntl.flock(handle, fcntl.LOCK_SH)
        yield


@asynccontextmanager
async def no_bot_serving(engine: AsyncEngine) -> AsyncIterator[None]:
    """Raise ``BotServing`` if a bot runs on the database; on SQLite, keep any from
    starting until the block ends."""
    if engine.dialect.name == "postgresql":
        async with engine.connect() as connection:
            others = await connection.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND application_name = :name AND pid <> pg_backend_pid()"
                ),
                {"name": BOT_APPLICATION_NAME},
            )
        if others:
            raise BotServing(f"a bot is running on this database ({others} connections)")
        yield
        return
    path = _lock_file(engine.url.render_as_string(hide_password=False))
    if path is None or fcntl is None:
        yield
        return
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BotServing("a bot is running on this database") from None
        yield
