"""The bot running for real, as ``uabot run`` starts it, for end-to-end tests: settings
against the fake Bot API, and what a person sees in their chat."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp

from bot.app import build_app
from bot.config import Settings
from bot.runner import run_bot
from handlers.clock import FixedClock
from storage.crypto import generate_secret_key
from storage.outbox import publish_and_queue
from storage.uas import save_draft
from tests.conftest import ADMIN_ID, FIXTURES, START, fixture_bytes, subscribe_many
from tests.fake_bot_api import FakeBotAPI
from uareader.document import parse_text


def without_settings(extra: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment with no ``UABOT_`` setting of its own (the suite's
    ``UABOT_TEST_POSTGRES_URL`` among them), and ``extra``'s: what a process the tests start
    sees, so that only the settings a test gives reach it."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("UABOT_")}
    return environment | (extra or {})


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@asynccontextmanager
async def running(
    api: FakeBotAPI,
    database_url: str,
    library: str,
    mode: str = "polling",
    sections: dict[str, Any] | None = None,
    **telegram: Any,
) -> AsyncIterator[Settings]:
    """The bot as ``uabot run`` starts it, stopped at the end as SIGTERM would; ``sections``
    adds settings (by section) to the few every test needs."""
    telegram_settings = {
        "token": api.token,
        "library": library,
        "api_base_url": api.base_url,
        "mode": mode,
        **telegram,
    }
    settings = Settings.model_validate(
        {
            "telegram": telegram_settings,
            "database": {"url": database_url},
            "bot": {"admins": [ADMIN_ID]},
            "security": {"secret_key": generate_secret_key()},
            **(sections or {}),
        }
    )
    stop, started = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(
        run_bot(settings, stop=stop, clock=FixedClock(START), started=started)
    )
    await asyncio.wait_for(started.wait(), 20)
    try:
        yield settings
    finally:
        stop.set()
        assert await asyncio.wait_for(task, 30) == 0


async def says(api: FakeBotAPI, chat_id: int, count: int) -> str:
    messages = await api.wait_for(chat_id, count)
    return messages[-1].text or ""


async def reach_report_step(api: FakeBotAPI, user: int) -> None:
    await api.user_sends(user, "/ua 45/26")
    await says(api, user, 1)
    for count in range(2, 6):
        await api.user_presses(user, api.last(user), "Next")
        await says(api, user, count)


async def publish_through_chat(api: FakeBotAPI) -> None:
    await api.user_uploads(ADMIN_ID, "ua.txt", fixture_bytes("ua-en-two-targets.txt"))
    assert "Preview of UA 45/26" in await says(api, ADMIN_ID, 1)
    await api.user_uploads(ADMIN_ID, "ua-es.docx", fixture_bytes("ua-es-two-targets.txt"))
    assert "Languages: English, Spanish" in await says(api, ADMIN_ID, 2)
    await api.user_presses(ADMIN_ID, api.last(ADMIN_ID), "Publish")
    assert "Send UA 45/26 to" in await says(api, ADMIN_ID, 3)
    await api.user_presses(ADMIN_ID, api.last(ADMIN_ID), "Yes, send it")
    assert "Published UA 45/26" in await says(api, ADMIN_ID, 4)


async def scrape(url: str) -> dict[str, float]:
    """The samples of a Prometheus text exposition, by name and labels."""
    async with aiohttp.ClientSession() as client, client.get(url) as response:
        assert response.status == 200
        assert response.content_type == "text/plain"
        text = await response.text()
    samples = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            samples[name] = float(value)
    return samples


async def start_uabot_process(
    api: FakeBotAPI,
    database_url: str,
    secret_key: str,
    folder: Path,
    *,
    config: str = "",
    log_name: str = "uabot.log",
    token: str | None = None,
    source: Path | None = None,
) -> asyncio.subprocess.Process:
    """``uabot run`` in a process of its own, as an operator starts it, its log (stderr)
    written to ``folder / log_name``; ``source``: the bot from another checkout (an earlier
    commit, for figures before a change)."""
    (folder / "config.toml").write_text(config, encoding="utf-8")
    env = {
        **without_settings(),
        "UABOT_TELEGRAM_TOKEN": token or api.token,
        "UABOT_TELEGRAM_API_BASE_URL": api.base_url,
        "UABOT_SECRET_KEY": secret_key,
        "UABOT_DATABASE_URL": database_url,
        **({"PYTHONPATH": str(source)} if source else {}),
    }
    with (folder / log_name).open("wb") as output:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run", cwd=folder, env=env, stderr=output
        )


WEBHOOK_SECRET = "two-processes"


async def start_webhook_process(
    api: FakeBotAPI,
    database_url: str,
    secret_key: str,
    folder: Path,
    *,
    config: str = "",
    source: Path | None = None,
) -> tuple[asyncio.subprocess.Process, str]:
    """``uabot run`` in webhook mode on a port of its own, once its /healthz answers: one
    of several processes behind a load balancer. Returns it and its webhook's URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    webhook = (
        f'[telegram]\nmode = "webhook"\nurl = "{url}"\nlisten = "127.0.0.1:{port}"\n'
        f'secret_token = "{WEBHOOK_SECRET}"\n'
    )
    process = await start_uabot_process(
        api, database_url, secret_key, folder, config=webhook + config, source=source
    )
    async with aiohttp.ClientSession() as client:
        for _ in range(200):
            if process.returncode is not None:
                raise RuntimeError(f"uabot run ended: see {folder / 'uabot.log'}")
            try:
                async with client.get(f"http://127.0.0.1:{port}/healthz") as answer:
                    if answer.status == 200:
                        return process, url
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"uabot run did not answer on port {port}")


async def queue_future_ua(database_url: str, key: str, subscribers: int) -> list[int]:
    """Subscribers and a published UA whose deadline is years ahead: the bot process runs
    on the real clock, and a past deadline would have the purge job delete the outbox."""
    text = (FIXTURES / "ua-en-two-targets.txt").read_text(encoding="utf-8")
    draft = parse_text(text.replace("July 15, 2026", "July 15, 2099"))
    settings = Settings.model_validate({"database": {"url": database_url}})
    app = await build_app(settings, secret_key=key)
    try:
        chats = await subscribe_many(app, subscribers)
        async with app.sessions() as session, session.begin():
            update = await save_draft(session, draft, "en")
            await publish_and_queue(
                session, update, requested_by=None, channels=[], now=app.clock.now()
            )
    finally:
        await app.close()
    return chats


#: Fast enough that kills land mid-broadcast, a lease short enough that the next run soon
#: takes over what the killed one held.
BROADCAST_THROUGH_KILLS = "[broadcast]\nrate_per_second = 400\nlease_seconds = 2\n"


async def broadcast_through_kills(
    api: FakeBotAPI,
    database_url: str,
    key: str,
    folder: Path,
    chats: list[int],
    moments: list[int],
    config: str = BROADCAST_THROUGH_KILLS,
) -> tuple[list[int], int]:
    """Run ``uabot run`` on a broadcast queued for ``chats``, SIGKILL it once the fake API
    has received each of ``moments`` messages (restarting it each time), then let a last
    run send the rest. Returns the chats that got the UA and how many got it twice or more
    (the repeats)."""
    for number, moment in enumerate(moments):
        process = await start_uabot_process(
            api, database_url, key, folder, config=config, log_name=f"run-{number}.log"
        )
        await api.wait_total(moment, timeout=60)
        process.kill()  # no clean-up of any kind
        await process.wait()
    process = await start_uabot_process(
        api, database_url, key, folder, config=config, log_name="run-last.log"
    )
    try:
        await api.wait_until(lambda: all(api.messages[chat] for chat in chats), timeout=120)
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 30)
    reached = [chat for chat in chats if api.messages[chat]]
    return reached, sum(len(api.messages[chat]) for chat in reached) - len(reached)
