"""Helpers shared by the benchmarks: timing, tables, a fresh app on a temporary database."""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import insert

from bot.app import App, build_app
from bot.config import Settings
from handlers.clock import FixedClock
from storage.crypto import generate_secret_key
from storage.models import Supporter
from tests.conftest import reset_postgres

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)


def median_seconds(run: Callable[[], object], repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def percentile(values: list[float], share: float) -> float:
    """The value below which ``share`` of ``values`` lie (0.0 for none)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


async def fresh_app(
    folder: Path | None = None,
    database_url: str | None = None,
    secret_key: str | None = None,
    **bot: object,
) -> App:
    """An app on a new SQLite file, or on ``database_url`` emptied first."""
    if database_url:
        await reset_postgres(database_url)
    else:
        folder = folder or Path(tempfile.mkdtemp(prefix="uabot-bench-"))
        database_url = f"sqlite+aiosqlite:///{folder / 'bench.db'}"
    settings = Settings.model_validate({"database": {"url": database_url}, "bot": bot})
    return await build_app(
        settings, secret_key=secret_key or generate_secret_key(), clock=FixedClock(NOW)
    )


async def add_subscribers(app: App, count: int, first_chat: int = 1_000_000) -> None:
    """Many subscribers quickly: one multi-row INSERT per batch (ids encrypted as usual)."""
    vault = app.vault
    batch = 5_000
    for start in range(0, count, batch):
        rows = []
        for chat_id in range(first_chat + start, first_chat + min(start + batch, count)):
            encrypted = vault.encrypt_id(chat_id)
            rows.append(
                {
                    "platform": "telegram",
                    "user_hash": vault.lookup_hash("telegram", chat_id),
                    "user_id_enc": encrypted,
                    "chat_id_enc": encrypted,
                    "language": "es" if chat_id % 2 else "en",
                    "subscribed": True,
                    "reminders_on": True,
                    "discreet": False,
                    "active": True,
                    "role": "supporter",
                    "created_on": date(2026, 6, 1),
                }
            )
        async with app.sessions() as session, session.begin():
            await session.execute(insert(Supporter), rows)
