"""The private parts of dependencies the bot reaches into, each for a measured reason listed
in docs/architecture.md ("Where the bot reaches into its dependencies"). A release that
renames one fails here, by name, before it fails in production."""

from __future__ import annotations

import inspect
from pathlib import Path

import aiosqlite
from aiogram.client.session.aiohttp import AiohttpSession

from storage.sqlite import inline_connector

ARCHITECTURE = Path(__file__).resolve().parents[1] / "docs" / "architecture.md"


async def test_aiosqlite_still_runs_every_statement_through_execute(tmp_path: Path) -> None:
    """storage/sqlite.py overrides ``Connection._execute`` and reads ``_running``,
    ``_connection`` and ``_thread``."""
    assert inspect.iscoroutinefunction(aiosqlite.Connection._execute)
    connection = await inline_connector(str(tmp_path / "parts.db"))()
    try:
        assert connection._running and connection._connection is not None
        assert connection._thread.is_alive()
        assert inspect.signature(aiosqlite.Connection._execute).parameters.keys() >= {"fn"}
    finally:
        await connection.close()


async def test_aiogram_s_session_still_gives_its_client_url_and_timeout() -> None:
    """bot/channels/bot_api.py posts JSON through ``create_session()``, at ``api.api_url``,
    within ``timeout``."""
    session = AiohttpSession()
    try:
        client = await session.create_session()
        assert hasattr(client, "post")
        assert session.api.api_url(token="42:x", method="getMe").endswith("/bot42:x/getMe")
        assert isinstance(session.timeout, int | float)
    finally:
        await session.close()


def test_each_reach_is_listed_with_its_reason() -> None:
    listed = ARCHITECTURE.read_text("utf-8")
    for reach in ("aiosqlite.Connection._execute", "AiohttpSession.create_session"):
        assert reach in listed
