"""SQLite as uabot uses it: statements on the event loop's thread, one writer at a time.

aiosqlite runs every statement in a thread of its own and hands the result back to the
event loop: two thread switches a statement, about 11 for a walkthrough step, each costing
more than the statement (SQLite answers from its page cache in microseconds) and each
contending for the GIL. Run on the loop's thread instead, the same updates are handled
about 2.7 times as fast (benchmarks/bench_updates.py; docs/performance.md).

What that costs: a statement blocks the loop while it runs. uabot's statements take
microseconds to milliseconds; the longest, queueing a UA for every subscriber, takes about
2 s for a million (benchmarks/bench_scale.py), time in which updates waited for the write
lock already. Waiting for another process's write lock must not block the loop, so the
busy timeout is not SQLite's (which would sleep on the loop's thread): BEGIN IMMEDIATE is
tried again in asynchronous steps for up to ``BUSY_SECONDS``.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable, Iterator
from functools import partial
from typing import Any

import aiosqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError
from sqlalchemy.util import await_only

#: A transaction waits this long for another process's write lock (uabot's CLI publishing
#: to many subscribers, a second bot process) before "database is locked".
BUSY_SECONDS = 10.0
#: The first pause between tries; it doubles up to ``LONGEST_PAUSE``.
FIRST_PAUSE = 0.002
LONGEST_PAUSE = 0.1


class InlineConnection(aiosqlite.Connection):
    """aiosqlite's connection, its statements run on the calling (event loop's) thread.

    aiosqlite's own thread still opens and closes the connection; every statement, commit
    and fetch goes through ``_execute``, which here runs it at once. A test checks that
    statements run on the loop's thread, so an aiosqlite release that changes this fails
    there and not in production."""

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)


def inline_connector(path: str) -> Callable[[], Awaitable[aiosqlite.Connection]]:
    """The ``async_creator`` of an engine on the SQLite file at ``path``."""

    async def connect() -> aiosqlite.Connection:
        opener = partial(sqlite3.connect, path, check_same_thread=False)
        connection = InlineConnection(opener, iter_chunk_size=64)
        try:
            return await connection
        except BaseException:
            # aiosqlite stops its thread after a failed open without waiting for it; left
            # alone, the thread may answer a loop that has closed meanwhile and die with a
            # traceback (seen in 6 of 8 runs of a health check on an unopenable file).
            await asyncio.to_thread(connection._thread.join)
            raise

    return connect


def configure(dbapi_connection: Any, _record: Any) -> None:
    """Every new connection: WAL, foreign keys, zeroed deletions, no SQLite busy wait."""
    # The driver's own implicit BEGIN is turned off so that ``begin_immediate`` decides.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL stays consistent after a crash of the process or the OS and skips
    # an fsync per commit; only a power cut can lose the last commits.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # SQLite's busy handler would sleep on the loop's thread: ``begin_immediate`` waits.
    cursor.execute("PRAGMA busy_timeout=0")
    # Deleted rows are overwritten with zeros, not left in free pages: /forget must not
    # leave a person's encrypted id readable in the file.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def begin_immediate(connection: Connection) -> None:
    """Take SQLite's write lock at BEGIN, so concurrent transactions queue instead of
    failing with "database is locked" when a reader turns writer; while another process
    holds it, wait in asynchronous pauses. A connection asked to autocommit (a checkpoint)
    opens no transaction."""
    if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        return
    driver = connection.connection.driver_connection
    assert isinstance(driver, aiosqlite.Connection)
    for pause in pauses():
        try:
            await_only(driver.execute("BEGIN IMMEDIATE"))
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error):
                raise
            last = error
        await_only(asyncio.sleep(pause))
    # As SQLAlchemy reports it, so that the transaction is tried again as for an outage.
    raise OperationalError("BEGIN IMMEDIATE", None, last) from last


def pauses() -> Iterator[float]:
    """Pauses between tries while another connection holds the lock, ``BUSY_SECONDS`` in
    all: short at first (most waits are for one short transaction), then longer."""
    waited, pause = 0.0, FIRST_PAUSE
    while waited < BUSY_SECONDS:
        yield pause
        waited += pause
        pause = min(pause * 2, LONGEST_PAUSE)
