"""/healthz: 503 with the reason when the database is down or Telegram's polls stopped."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from bot.health import POLL_STALE_AFTER, Health
from bot.metrics import Metrics
from storage.database import create_engine


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_polls_that_stopped_make_the_bot_unhealthy_until_one_comes(app) -> None:
    clock = Clock()
    health = Health(app, polling=True, monotonic=clock)
    assert await health.problem() is None  # just started: the first poll is on its way
    clock.now += POLL_STALE_AFTER + 1
    assert await health.problem() == "no answer from Telegram to getUpdates for 91 s"
    app.metrics.last_poll_monotonic = clock.now - 5  # Telegram answered a poll
    assert await health.problem() is None
    by_webhook = Health(app, polling=False, monotonic=clock)
    clock.now += 10 * POLL_STALE_AFTER
    assert await by_webhook.problem() is None  # no polls to miss


async def test_an_unreachable_database_makes_the_bot_unhealthy(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'folder' / 'x.db'}")
    try:
        app = SimpleNamespace(engine=engine, metrics=Metrics())
        problem = await Health(app, polling=False).problem()  # type: ignore[arg-type]
        assert problem == "database unreachable (OperationalError)"
    finally:
        await engine.dispose()
