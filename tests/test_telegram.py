"""End to end over real HTTP: the real aiogram and python-telegram-bot stacks against the fake
Bot API server on loopback, by long polling and by webhook. Same scenarios on both."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest

from bot.clock import FixedClock
from bot.config import Settings
from bot.crypto import generate_secret_key
from bot.runner import run_bot
from handlers import router
from tests.conftest import ADMIN_ID, START, fixture_bytes
from tests.fake_bot_api import FakeBotAPI

LIBRARIES = ["aiogram", "ptb"]


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
    metrics: dict[str, Any] | None = None,
    **telegram: Any,
) -> AsyncIterator[Settings]:
    """The bot as ``uabot run`` starts it, stopped at the end as SIGTERM would."""
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
            "metrics": metrics or {},
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
    assert "Published UA 45/26" in await says(api, ADMIN_ID, 3)


@pytest.mark.parametrize("library", LIBRARIES)
async def test_spanish_supporter_subscribes_walks_through_and_reports(
    api: FakeBotAPI, database_url: str, library: str
) -> None:
    async with running(api, database_url, library):
        await publish_through_chat(api)
        lucia = 501
        await api.user_sends(lucia, "/start", language="es-VE")
        assert "¡Te damos la bienvenida!" in await says(api, lucia, 1)
        await api.user_presses(lucia, api.last(lucia), "Suscribirme", language="es-VE")
        assert "Te has suscrito" in await says(api, lucia, 2)
        await api.user_presses(lucia, api.last(lucia), "Ver acciones", language="es-VE")
        assert "AU 45/26: DOS DEFENSORES" in await says(api, lucia, 3)
        await api.user_presses(lucia, api.last(lucia), "Actuar en la AU 45/26", language="es-VE")
        assert "Paso 1 de 5" in await says(api, lucia, 4)
        steps = ["Paso 2 de 5", "Paso 3 de 5", "Paso 4 de 5", "Paso 5 de 5"]
        for count, expected in enumerate(steps, start=5):
            await api.user_presses(lucia, api.last(lucia), "Siguiente", language="es-VE")
            assert expected in await says(api, lucia, count)
        await api.user_presses(lucia, api.last(lucia), "Envié una carta", language="es-VE")
        thanks = await says(api, lucia, 9)
        assert "¡Gracias!" in thanks and "Tú y 0 personas más han actuado en la AU 45/26." in thanks
        # Steps edit the message the button was on, and every press was answered.
        assert api.last(lucia).edits >= 5
        assert len(api.callback_answers) >= 8
        assert "sendMessage" in api.calls and "editMessageText" in api.calls
        assert api.commands["default::es"][0] == "start"
        assert "grant" in api.commands[f"chat:{ADMIN_ID}:"]


@pytest.mark.parametrize("library", LIBRARIES)
async def test_letter_file_and_deep_link(api: FakeBotAPI, database_url: str, library: str) -> None:
    async with running(api, database_url, library):
        await publish_through_chat(api)
        reader = 502
        await api.user_sends(reader, "/start ua-45-26")
        assert "Step 1 of 5" in await says(api, reader, 1)
        await api.user_presses(reader, api.last(reader), "Next")
        await says(api, reader, 2)
        await api.user_presses(reader, api.last(reader), "Next")
        await says(api, reader, 3)
        await api.user_presses(reader, api.last(reader), "Get the letter as a file")
        messages = await api.wait_for(reader, 6)
        documents = [m for m in messages if m.document_name]
        assert [d.document_name for d in documents] == [
            "ua-45-26-letter-es.txt",
            "ua-45-26-letter-es.docx",
        ]
        assert "Señora Fiscal General:" in documents[0].document.decode()


@pytest.mark.parametrize("library", LIBRARIES)
async def test_webhook_checks_the_secret_and_counts_a_redelivered_update_once(
    api: FakeBotAPI, database_url: str, library: str
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    async with running(
        api,
        database_url,
        library,
        mode="webhook",
        url=url,
        secret_token="s3cret-token",
        listen=f"127.0.0.1:{port}",
    ):
        assert api.webhook == {"url": url, "secret_token": "s3cret-token"}
        async with aiohttp.ClientSession() as client:
            async with client.get(f"http://127.0.0.1:{port}/healthz") as health:
                assert health.status == 200
            update = {"update_id": 99, "message": {"text": "/start"}}
            async with client.post(url, json=update) as no_secret:
                assert no_secret.status == 401
        forged = {"update_id": 98, "message": {}}
        assert await api.deliver(forged, secret="wrong") == 401
        await publish_through_chat(api)
        voter, other = 503, 504
        await reach_report_step(api, voter)
        press = await api.user_presses(voter, api.last(voter), "I sent a letter")
        assert "You and 0 others" in await says(api, voter, 6)
        assert await api.deliver(press) == 200  # Telegram re-sends the same update
        await api.wait_callback_answers(press["callback_query"]["id"], 2)  # handled again
        await reach_report_step(api, other)
        await api.user_presses(other, api.last(other), "I sent a letter")
        assert "You and 1 other person" in await says(api, other, 6)
        assert len(api.messages[voter]) == 6, "the re-sent update produced no new answer"
        metrics = await scrape(f"http://127.0.0.1:{port}/metrics")
        assert metrics['uabot_updates_total{outcome="duplicate"}'] == 1
        assert metrics['uabot_updates_total{outcome="ok"}'] == 3 + 2 * 6
        assert metrics["uabot_update_seconds_count"] == 3 + 2 * 6 + 1


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


@pytest.mark.parametrize("library", LIBRARIES)
async def test_metrics_follow_a_broadcast_while_polling(
    api: FakeBotAPI, database_url: str, library: str
) -> None:
    port = free_port()
    async with running(api, database_url, library, metrics={"listen": f"127.0.0.1:{port}"}):
        supporters = [601, 602, 603]
        for user in supporters:
            await api.user_sends(user, "/subscribe")
            await says(api, user, 1)
        api.blocked.add(603)
        await publish_through_chat(api)
        for user in supporters[:2]:
            assert "New Urgent Action: UA 45/26" in await says(api, user, 2)
        assert await api.wait_until(lambda: "Sent UA 45/26" in (api.last(ADMIN_ID).text or "")), (
            "the progress message reaches its final figures once every outcome is recorded"
        )
        metrics = await scrape(f"http://127.0.0.1:{port}/metrics")
        assert metrics['uabot_deliveries_total{outcome="blocked"}'] == 1
        assert metrics['uabot_deliveries_total{outcome="sent"}'] == 2
        assert metrics['uabot_deliveries_total{outcome="failed"}'] == 0
        assert metrics["uabot_telegram_429_total"] == 0
        assert metrics['uabot_outbox_depth{kind="ua"}'] == 0
        assert metrics["uabot_reminders_due"] == 0
        assert metrics['uabot_updates_total{outcome="ok"}'] == 3 + 3


@pytest.mark.parametrize("library", LIBRARIES)
async def test_a_handler_error_is_apologised_for_and_the_bot_keeps_running(
    api: FakeBotAPI, database_url: str, library: str, monkeypatch, caplog
) -> None:
    async def broken(_ctx):
        raise RuntimeError("a bug")

    monkeypatch.setitem(router.COMMANDS, "crash", broken)
    async with running(api, database_url, library):
        person = 505
        await api.user_sends(person, "/crash secret words", language="es")
        assert "Lo siento, algo ha fallado" in await says(api, person, 1)
        await api.user_sends(person, "/help", language="es")
        assert "Esto es lo que puedo hacer" in await says(api, person, 2)
    assert "a bug" in caplog.text
    assert "secret words" not in caplog.text


@pytest.mark.parametrize("library", LIBRARIES)
async def test_group_chats_are_pointed_to_a_private_chat(
    api: FakeBotAPI, database_url: str, library: str
) -> None:
    async with running(api, database_url, library):
        await api.user_sends(506, "/start", chat_id=-1001)
        assert "private chats only" in await says(api, -1001, 1)
        await api.user_sends(506, "just chatting", chat_id=-1001)
        await api.user_sends(506, "/help", chat_id=-1001)
        await says(api, -1001, 2)
        assert len(api.messages[-1001]) == 2


async def test_uabot_run_answers_and_stops_cleanly_on_sigterm(api: FakeBotAPI, tmp_path) -> None:
    """The real command in its own process: polling, one answered update, then SIGTERM."""
    import os
    import signal
    import sys

    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("UABOT_")},
        "UABOT_TELEGRAM_TOKEN": api.token,
        "UABOT_TELEGRAM_API_BASE_URL": api.base_url,
        "UABOT_SECRET_KEY": generate_secret_key(),
        "UABOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'run.db'}",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "run",
        cwd=tmp_path,
        env=env,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await api.user_sends(507, "/help")
        [answer] = await api.wait_for(507, 1, timeout=30)  # the process needs a few seconds
        assert "What I can do:" in (answer.text or "")
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, stderr.decode()
    assert "stopped cleanly" in stderr.decode()
    assert api.token not in stderr.decode()
