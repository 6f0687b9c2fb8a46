"""Telegram's refusals, end to end: the real aiogram and python-telegram-bot stacks, by long
polling and by webhook, against the fake Bot API answering as Telegram does. None of them
may cost a person their answer; a person who blocks the bot is left alone at once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest

from bot.app import build_app
from bot.channels.telegram import ALLOWED_UPDATES, PLATFORM
from bot.config import Settings
from storage.supporters import find_supporter
from tests.conftest import ADMIN_ID
from tests.fake_bot_api import FakeBotAPI
from tests.live import free_port, publish_through_chat, running, says, scrape

LIBRARIES = ["aiogram", "ptb"]
MODES = ["polling", "webhook"]


@asynccontextmanager
async def bot_in_mode(
    api: FakeBotAPI, database_url: str, library: str, mode: str
) -> AsyncIterator[tuple[Settings, str]]:
    """The bot by polling or webhook, and where its metrics are scraped."""
    port = free_port()
    extra: dict[str, Any] = {}
    if mode == "webhook":
        extra = {
            "url": f"http://127.0.0.1:{port}/telegram",
            "secret_token": "s",
            "listen": f"127.0.0.1:{port}",
        }
        sections = {"metrics": {"on_webhook": True}}
    else:
        sections = {"metrics": {"listen": f"127.0.0.1:{port}"}}
    async with running(api, database_url, library, mode, sections=sections, **extra) as settings:
        yield settings, f"http://127.0.0.1:{port}/metrics"


async def supporter_is_active(settings: Settings, user_id: int) -> bool | None:
    """What the database says of a person (None: the bot holds nothing about them)."""
    assert settings.security.secret_key
    app = await build_app(settings, secret_key=settings.security.secret_key, migrate=False)
    try:
        async with app.sessions() as session:
            row = await find_supporter(session, PLATFORM, app.vault.lookup_hash(PLATFORM, user_id))
            return None if row is None else row.active
    finally:
        await app.close()


async def eventually(check: Callable[[], Awaitable[Any]], expected: Any) -> bool:
    """Whether ``check()`` comes to return ``expected`` within 10 s (it reads the database,
    which the fake API cannot signal)."""
    for _ in range(200):
        if await check() == expected:
            return True
        await asyncio.sleep(0.05)
    return False


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("library", LIBRARIES)
async def test_telegram_s_refusals_cost_no_reply(
    api: FakeBotAPI, database_url: str, library: str, mode: str
) -> None:
    async with bot_in_mode(api, database_url, library, mode) as (_, metrics_url):
        await publish_through_chat(api)
        assert api.allowed_updates == ALLOWED_UPDATES  # asked for nothing it would discard
        # 429 on replies: every newcomer is answered, once Telegram lets the bot speak.
        api.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", 4, retry_after=1)
        newcomers = list(range(801, 821))
        await asyncio.gather(*(api.user_sends(user, "/start") for user in newcomers))
        for user in newcomers:
            assert "Welcome" in await says(api, user, 1)
        # In order per chat: a reply held back (a 502, retried after a pause) is not
        # overtaken by the next one.
        api.fail_next("sendMessage", 502, "Bad Gateway")
        await api.user_sends(newcomers[0], "/help")
        await api.user_sends(newcomers[0], "/mydata")
        first, second = (await api.wait_for(newcomers[0], 3))[1:]
        assert "What I can do" in (first.text or "")
        assert "everything I hold about you" in (second.text or "")
        # A button answer refused as too old (after a restart) does not stop the step.
        walker = 830
        await api.user_sends(walker, "/ua 45/26")
        await says(api, walker, 1)
        api.callback_answer_window = 0
        await api.user_presses(walker, api.last(walker), "Next")
        assert "Step 2 of 5" in await says(api, walker, 2)
        api.callback_answer_window = None
        # A double tap: the second edit is "not modified", which is done, not a new message.
        step_message = api.last(walker)
        messages = len({m.message_id for m in api.messages[walker]})
        await asyncio.gather(
            api.user_presses(walker, step_message, "Next"),
            api.user_presses(walker, step_message, "Next"),
        )
        assert "Step 3 of 5" in await says(api, walker, 3)
        await api.wait_until(lambda: len(api.callback_answers) >= 3)  # both presses handled
        assert len({m.message_id for m in api.messages[walker]}) == messages
        # 429 on the letter file: it arrives once Telegram allows.
        api.fail_next("sendDocument", 429, "Too Many Requests: retry after 1", retry_after=1)
        await api.user_presses(walker, api.last(walker), "Get the letter as a file")
        await api.wait_until(lambda: sum(bool(m.document_name) for m in api.messages[walker]) == 2)
        # 429 on an edit: the step is shown once Telegram allows.
        api.fail_next("editMessageText", 429, "Too Many Requests: retry after 1", retry_after=1)
        step_message = next(m for m in api.messages[walker] if "Step 3 of 5" in (m.text or ""))
        await api.user_presses(walker, step_message, "Next")
        assert await api.wait_until(lambda: "Step 4 of 5" in (step_message.text or ""))
        # A message too old to edit: the next step comes as a new message.
        api.edit_window = 0
        before = len({m.message_id for m in api.messages[walker]})
        await api.user_presses(walker, step_message, "Next")
        assert await api.wait_until(lambda: "Step 5 of 5" in (api.last(walker).text or ""))
        assert len({m.message_id for m in api.messages[walker]}) == before + 1
        assert "Step 4 of 5" in (step_message.text or ""), "the old message was left as it was"
        # 403 on a reply (blocked, but its update still came): logged and counted, no retry.
        api.blocked.add(walker)
        calls = len(api.calls)
        await api.user_sends(walker, "/help")

        async def lost() -> dict[str, float]:
            samples = await scrape(metrics_url)
            return {
                reason: samples.get(f'uabot_replies_lost_total{{reason="{reason}"}}', 0)
                for reason in ("Blocked", "RetryLater")
            }

        assert await eventually(lost, {"Blocked": 1, "RetryLater": 0})
        assert api.calls[calls:].count("sendMessage") == 1, "a 403 is never retried"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("library", LIBRARIES)
async def test_a_supporter_who_blocks_the_bot_is_left_alone_at_once(
    api: FakeBotAPI, database_url: str, library: str, mode: str
) -> None:
    async with bot_in_mode(api, database_url, library, mode) as (settings, _):
        reader = 840
        await api.user_sends(reader, "/subscribe")
        await says(api, reader, 1)
        await api.user_blocks(reader)
        assert await eventually(lambda: supporter_is_active(settings, reader), False)
        await publish_through_chat(api)
        published = next(m.text for m in api.messages[ADMIN_ID] if "Published" in (m.text or ""))
        assert "queued for 0 subscribers" in published, "nothing goes to who blocked the bot"
        await api.user_blocks(reader, blocked=False)
        assert await eventually(lambda: supporter_is_active(settings, reader), True)
        stranger = 841  # the bot holds nothing about someone it never knew, blocked or not
        await api.user_blocks(stranger)
        await api.user_sends(ADMIN_ID, "/help")
        await says(api, ADMIN_ID, 5)
        assert await supporter_is_active(settings, stranger) is None
