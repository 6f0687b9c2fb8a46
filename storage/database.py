"""Engines, sessions and migrations.

The engine is built by a factory (never at import). SQLite gets WAL mode and foreign keys on
every connection; PostgreSQL runs through asyncpg. Migrations are Alembic's, run at start-up
through the same async engine, so the schema is always the one the code expects.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar, cast

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import event, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import Connection, CursorResult, Result, make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session

from storage import sqlite

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
log = logging.getLogger("uabot.database")
T = TypeVar("T")


def create_engine(url: str, **options: Any) -> AsyncEngine:
    """Build the async engine for ``url``: SQLite (aiosqlite) or PostgreSQL (asyncpg).

    PostgreSQL connections are not pinged before use: SQLAlchemy's ping on asyncpg is three
    round trips (BEGIN, an empty query, ROLLBACK), more than a walkthrough step's own
    transaction. After a server restart the first transaction on a dead connection fails
    as unreachable, SQLAlchemy then drops every pooled connection of that age, and every
    caller runs its transaction again (``retry_unreachable``)."""
    if not url.startswith("postgresql"):
        # Every session and connection here ends its own transaction (commit or rollback),
        # so the pool's extra rollback on check-in is a wasted statement on every update.
        options.setdefault("pool_reset_on_return", None)
        path = make_url(url).database
        if path and path != ":memory:":  # one connection to memory: aiosqlite's as it is
            options.setdefault("async_creator", sqlite.inline_connector(path))
    engine = create_async_engine(url, **options)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", sqlite.configure)
        event.listen(engine.sync_engine, "begin", sqlite.begin_immediate)
    return engine


async def checkpoint(engine: AsyncEngine) -> None:
    """On SQLite, copy the write-ahead log into the database and empty it: until then the
    log still holds the pages as they were before a deletion. Nothing to do on PostgreSQL."""
    if engine.dialect.name == "sqlite":
        async with engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            for pause in sqlite.pauses():  # a reader holds the log: wait for it
                result = await autocommit.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                busy = result.scalar()
                if not busy:
                    return
                await asyncio.sleep(pause)
            log.warning("the write-ahead log stayed in use; it is copied at the next checkpoint")


async def ping(engine: AsyncEngine) -> None:
    """One round trip to the database; raises what the driver raises when it cannot.

    A pooled connection that died with a server restart is not the server's answer (pooled
    connections are not pinged before use): its failure empties the pool of connections of
    that age, and the ping is made once more on a new one."""
    for last_try in (False, True):
        try:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            return
        except DBAPIError as error:
            if last_try or not error.connection_invalidated:
                raise


#: SQLSTATEs by which PostgreSQL says it cannot take a statement now, not that the statement
#: is wrong: connection lost (08), read-only during a failover (25006), a conflict to retry
#: (40), out of disk or memory (53), a lock not available (55P03), shutting down or starting
#: up (57), an I/O error (58). asyncpg's errors for these reach us as plain DBAPIErrors: a
#: read-only standby once stopped the outbox worker for good.
_NOT_NOW_STATES = ("08", "25006", "40", "53", "55P03", "57", "58")


def unreachable(error: BaseException) -> bool:
    """Whether ``error`` says the database could not be reached, dropped the connection or
    cannot take a statement now (read-only, disk full, restarting): worth trying again in a
    moment, unlike a mistake in the query or the data."""
    if isinstance(error, DBAPIError):
        state = getattr(error.orig, "sqlstate", None) or ""
        return (
            error.connection_invalidated
            or isinstance(error, OperationalError | InterfaceError)
            or state.startswith(_NOT_NOW_STATES)
        )
    return isinstance(error, OSError | TimeoutError)


def unreachable_reason(error: BaseException) -> str:
    """The driver's own words for an unreachable database ("ConnectionRefusedError: ..."),
    not SQLAlchemy's wrapping of them."""
    cause = error.orig if isinstance(error, DBAPIError) and error.orig else error
    return f"{type(cause).__name__}: {cause}"


async def retry_unreachable(
    operation: Callable[[], Awaitable[T]],
    *,
    what: str,
    give_up_after: float = math.inf,
    wait: Callable[[float], Awaitable[bool]] | None = None,
) -> T:
    """Run ``operation`` (a whole transaction), again with growing pauses (0.1 s doubling to
    2 s) while the database is unreachable; other errors pass straight on. It gives up,
    raising the last error, after ``give_up_after`` seconds, or when ``wait``, which waits
    out a pause in its own way (the outbox worker wakes for a stop), answers False."""
    deadline = time.monotonic() + give_up_after
    pause = 0.1
    while True:
        try:
            return await operation()
        except Exception as error:
            if not unreachable(error) or time.monotonic() + pause > deadline:
                raise
            log.warning("database unreachable during %s (%s); retrying", what, type(error).__name__)
            if wait is not None and not await wait(pause):
                raise
        if wait is None:
            await asyncio.sleep(pause)
        pause = min(pause * 2, 2.0)


def create_session_factory(
    engine: AsyncEngine, session_class: type[Session] = Session
) -> async_sessionmaker[AsyncSession]:
    """Sessions of ``session_class`` (whose events may watch what commits)."""
    return async_sessionmaker(engine, expire_on_commit=False, sync_session_class=session_class)


def _alembic_config(connection: Connection) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


#: PostgreSQL advisory lock key of migrations ("uabot" in ASCII digits): processes that
#: start at once migrate one after the other, and the later ones find nothing left to do.
MIGRATION_LOCK = 7_597_986_111_116


class SchemaError(Exception):
    """The database schema is not the one this version of uabot was written for."""


async def upgrade(engine: AsyncEngine, revision: str = "head") -> tuple[str | None, str | None]:
    """Bring the schema up to ``revision`` (the newest by default), one process at a time:
    on PostgreSQL under an advisory lock held to the commit (two processes creating the
    same tables at once fail on PostgreSQL's catalog); SQLite's BEGIN IMMEDIATE already
    queues them. Returns the revisions before and after, for the operator to read."""
    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            await connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}
            )
        before, _, _ = await connection.run_sync(_revisions)
        await connection.run_sync(lambda sync: command.upgrade(_alembic_config(sync), revision))
        after, _, _ = await connection.run_sync(_revisions)
    return before, after


async def check_schema(engine: AsyncEngine) -> None:
    """Refuse a schema that is behind or ahead of this code: only ``uabot migrate`` and
    ``uabot run`` change it, so that a newer command-line tool never migrates a database
    under an older running bot."""
    if not _sqlite_file_exists(engine):  # opening it would leave an empty file behind
        raise SchemaError(
            f"there is no database at {_database_name(engine)}: run `uabot migrate` first (or "
            "point database.url at the one you migrated)"
        )
    async with engine.connect() as connection:
        current, head, known = await connection.run_sync(_revisions)
    if current == head:
        return
    if current is None:
        raise SchemaError(
            f"the database {_database_name(engine)} is empty: run `uabot migrate` first (or "
            "point database.url at the one you migrated)"
        )
    if not known:
        raise SchemaError(
            f"the database schema ({current}) is newer than this uabot knows ({head}): a newer "
            "uabot migrated it; upgrade uabot, or downgrade with the newer one "
            f"(`uabot migrate --downgrade {head}`)"
        )
    raise SchemaError(
        f"the database schema ({current}) is behind this uabot ({head}): run `uabot migrate`"
    )


def _sqlite_file_exists(engine: AsyncEngine) -> bool:
    """False only for a SQLite file that is not there (a server's database is not a file)."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return True
    return Path(url.database).exists()


def database_name(url: str) -> str:
    """The database as an operator can find it: a SQLite file by its full path (a relative
    one is relative to the folder the command ran in, not to the configuration file), a
    server's without its password."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return str(Path(parsed.database).resolve())
    return parsed.render_as_string(hide_password=True)


def _database_name(engine: AsyncEngine) -> str:
    return database_name(engine.url.render_as_string(hide_password=False))


def _revisions(sync: Connection) -> tuple[str | None, str | None, bool]:
    """(the database's revision, the code's newest, whether the code knows the former)."""
    current = MigrationContext.configure(sync).get_current_revision()
    scripts = ScriptDirectory.from_config(_alembic_config(sync))
    try:
        known = current is None or scripts.get_revision(current) is not None
    except CommandError:
        known = False
    return current, scripts.get_current_head(), known


async def downgrade(engine: AsyncEngine, revision: str = "base") -> None:
    """Take the schema down to ``revision`` (empty by default). A revision alembic cannot go
    to (unknown, or newer than the database's) is a SchemaError naming the ones there are,
    not alembic's traceback."""

    def run(sync: Connection) -> None:
        config = _alembic_config(sync)
        try:
            command.downgrade(config, revision)
        except CommandError as error:
            known = [
                script.revision for script in ScriptDirectory.from_config(config).walk_revisions()
            ]
            raise SchemaError(
                f"cannot go back to revision {revision!r} ({error}); name one of: base, "
                + ", ".join(reversed(known))
            ) from error

    async with engine.begin() as connection:
        await connection.run_sync(run)


def dialect_insert(session: AsyncSession) -> Callable[..., Any]:
    """The ``insert`` construct of the session's dialect, which knows ON CONFLICT."""
    return _insert_of(dialect_of(session))


def dialect_of(session: AsyncSession) -> str:
    """ "sqlite" or "postgresql": the few statements that differ ask."""
    return session.get_bind().dialect.name


def affected(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE changed (SQLAlchemy types the result of ``execute`` loosely;
    for these statements it is a cursor result, which counts them)."""
    return int(cast("CursorResult[Any]", result).rowcount or 0)


def _insert_of(dialect: str) -> Callable[..., Any]:
    return postgresql.insert if dialect == "postgresql" else sqlite_dialect.insert


async def insert_ignore(
    session: AsyncSession, model: type[Any], values: dict[str, Any], keys: list[str]
) -> bool:
    """Insert a row unless one with the same unique ``keys`` exists; True if inserted.

    Telegram may deliver an update twice and two taps may race: ``ON CONFLICT DO NOTHING``
    makes every effect idempotent on SQLite and PostgreSQL alike.
    """
    statement = _insert_ignoring(dialect_of(session), model, tuple(keys))
    return bool(affected(await session.execute(statement, values)))


#: One statement per table and dialect: some run for every update (the redelivery check).
_INSERTS_IGNORING: dict[tuple[str, str, tuple[str, ...]], Any] = {}


def _insert_ignoring(dialect: str, model: type[Any], keys: tuple[str, ...]) -> Any:
    key = (dialect, model.__tablename__, keys)
    if key not in _INSERTS_IGNORING:
        insert = _insert_of(dialect)(model.__table__)
        _INSERTS_IGNORING[key] = insert.on_conflict_do_nothing(index_elements=list(keys))
    return _INSERTS_IGNORING[key]


#: The PostgreSQL advisory lock that elects the one process running the outbox worker and
#: the scheduler (any 64-bit number unique to uabot).
WORKER_LOCK = 0x75_61_62_6F_74_01
#: How often a leader checks that its lock's connection still lives (the server releases the
#: lock when that connection ends: a restart, a pooler, an idle timeout)...
LEADER_CHECK_SECONDS = 1.0
#: ...and how long a check may take before the lock is taken as lost.
LEADER_CHECK_TIMEOUT = 2.0
#: How long a new leader waits before it starts: longer than the old one takes to notice it
#: lost the lock and stop (a check and its timeout), so that two never send at once.
TAKEOVER_PAUSE = LEADER_CHECK_SECONDS + LEADER_CHECK_TIMEOUT + 1.0


class Leadership:
    """This process's leadership: ``lost`` is set when its lock's connection is gone, and the
    work it guards must stop at once (another process may take the lock). ``takeover_pause``
    is how long to wait before starting that work: a lock just taken may have been another
    process's a moment ago; an SQLite database has no other process to wait for."""

    def __init__(self, takeover_pause: float) -> None:
        self.lost = asyncio.Event()
        self.takeover_pause = takeover_pause


@asynccontextmanager
async def leadership(
    engine: AsyncEngine, check_every: float = LEADER_CHECK_SECONDS
) -> AsyncIterator[Leadership | None]:
    """This process's leadership, None while another process leads. On PostgreSQL it holds
    while the context is open and a session-level advisory lock's dedicated connection
    lives, checked every ``check_every`` seconds; an SQLite database belongs to one
    process, which always leads."""
    if engine.dialect.name != "postgresql":
        yield Leadership(takeover_pause=0.0)
        return
    async with engine.connect() as connection:
        won = bool(
            await connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": WORKER_LOCK})
        )
        await connection.commit()
        if not won:
            yield None
            return
        held = Leadership(takeover_pause=TAKEOVER_PAUSE)
        watch = asyncio.create_task(_watch_lock(connection, held, check_every))
        try:
            yield held
        finally:
            watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watch
            if held.lost.is_set():
                # Gone or hung: closed without a word to the server, which ended it anyway
                # (a rollback on it raised and took the whole process down).
                await connection.invalidate()
            else:
                try:
                    await connection.execute(
                        text("SELECT pg_advisory_unlock(:key)"), {"key": WORKER_LOCK}
                    )
                    await connection.commit()
                except Exception as error:
                    if not unreachable(error):
                        raise
                    # The connection died, and the server released the lock with it.
                    log.warning("leader lock connection lost: %s", type(error).__name__)


async def _watch_lock(connection: AsyncConnection, held: Leadership, check_every: float) -> None:
    """Set ``held.lost`` once the lock's connection fails or hangs a check."""
    while True:
        await asyncio.sleep(check_every)
        try:
            await asyncio.wait_for(connection.scalar(text("SELECT 1")), LEADER_CHECK_TIMEOUT)
            await connection.commit()
        except Exception as error:  # gone or hung: the lock may be another process's now
            log.warning("leader lock lost (%s): stopping the background work", type(error).__name__)
            held.lost.set()
            return
