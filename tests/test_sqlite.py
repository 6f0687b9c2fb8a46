"""SQLite on the event loop's thread: statements run inline, lock waits do not block."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from storage import sqlite
from storage.database import create_engine, unreachable


@pytest.fixture
async def engine(tmp_path: Path):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'inline.db'}")
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE notes (body TEXT)"))
    yield engine
    await engine.dispose()


async def test_statements_run_on_the_event_loops_thread(engine) -> None:
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        driver = raw.driver_connection
        assert isinstance(driver, sqlite.InlineConnection)
        await driver.create_function("thread_id", 0, threading.get_ident)
        answered_on = (await connection.execute(text("SELECT thread_id()"))).scalar()
    assert answered_on == threading.get_ident()


def lock_from_another_process(engine) -> sqlite3.Connection:
    """A connection of its own holding the write lock, as `uabot ua publish` would."""
    holder = sqlite3.connect(engine.url.database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO notes VALUES ('theirs')")
    return holder


async def test_a_held_write_lock_is_waited_for_while_the_loop_runs_on(engine) -> None:
    holder = lock_from_another_process(engine)

    async def write() -> None:
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO notes VALUES ('ours')"))

    writing = asyncio.create_task(write())
    await asyncio.sleep(0.05)  # the loop answers: the writer waits without blocking it
    assert not writing.done()
    holder.commit()
    holder.close()
    await writing
    async with engine.connect() as connection:
        rows = (await connection.execute(text("SELECT body FROM notes ORDER BY body"))).all()
    assert [row.body for row in rows] == ["ours", "theirs"]


async def test_a_lock_never_released_fails_as_an_outage_would(engine, monkeypatch) -> None:
    monkeypatch.setattr(sqlite, "BUSY_SECONDS", 0.05)
    holder = lock_from_another_process(engine)
    try:
        with pytest.raises(OperationalError) as failure:
            async with engine.begin() as connection:
                await connection.execute(text("INSERT INTO notes VALUES ('ours')"))
    finally:
        holder.rollback()
        holder.close()
    assert "locked" in str(failure.value)
    assert unreachable(failure.value)  # the dispatcher tries the update again
