"""The Bot API as JSON through aiogram's session: Telegram's answers read as the bot acts on
them, and aiogram's long polling without its models, against the fake Bot API."""

from __future__ import annotations

import asyncio
import json

import pytest

from bot.channels.bot_api import read_answer
from bot.sending import (
    Blocked,
    InFlight,
    Rejected,
    RetryLater,
    SendError,
    Transient,
    Unauthorized,
)
from tests.fake_bot_api import FakeBotAPI
from tests.live import running, says


def answer(status: int, **fields: object) -> tuple[int, bytes]:
    return status, json.dumps({"ok": status == 200, **fields}).encode()


def test_a_result_is_read_from_an_ok_answer() -> None:
    assert read_answer(*answer(200, result={"message_id": 7})) == {"message_id": 7}


@pytest.mark.parametrize(
    ("status", "fields", "kind"),
    [
        (429, {"parameters": {"retry_after": 3}}, RetryLater),
        (429, {}, Transient),  # no retry_after: later, but not a wait we were told
        (403, {"description": "Forbidden: bot was blocked by the user"}, Blocked),
        (401, {"description": "Unauthorized"}, Unauthorized),
        (400, {"description": "Bad Request: message is not modified"}, Rejected),
        (404, {"description": "Not Found"}, Rejected),
        (502, {"description": "Bad Gateway"}, Transient),
        (409, {"description": "Conflict: terminated by other getUpdates request"}, Transient),
    ],
)
def test_each_refusal_is_read_as_the_kind_the_bot_acts_on(
    status: int, fields: dict[str, object], kind: type[SendError]
) -> None:
    with pytest.raises(kind) as refusal:
        read_answer(*answer(status, error_code=status, **fields))
    if kind is RetryLater:
        assert refusal.value.seconds == 3  # type: ignore[attr-defined]
    if "description" in fields:
        assert str(fields["description"]) in str(refusal.value)


@pytest.mark.parametrize("body", [b"<html>Bad Gateway</html>", b"[1, 2]", b""])
def test_an_answer_that_is_not_the_bot_api_s_is_worth_trying_again(body: bytes) -> None:
    with pytest.raises(Transient):
        read_answer(502, body)


async def test_polling_goes_on_after_telegram_fails(api: FakeBotAPI, database_url: str) -> None:
    api.fail_next("getUpdates", 502, "Bad Gateway")
    api.fail_next("getUpdates", 429, "Too Many Requests: retry after 1", retry_after=1)
    async with running(api, database_url, "aiogram"):
        await api.user_sends(601, "/start")
        assert "Welcome!" in await says(api, 601, 1)
    assert api.calls.count("getUpdates") >= 3  # the two refused, then the one that came


async def test_in_flight_work_holds_the_next_poll_back_at_its_limit() -> None:
    in_flight, release = InFlight(), asyncio.Event()
    for _ in range(3):
        in_flight.spawn(release.wait())
    waiting = asyncio.create_task(in_flight.below(3))
    await asyncio.sleep(0)
    assert not waiting.done()  # three run: a fourth poll must wait
    release.set()
    await asyncio.wait_for(waiting, timeout=5)
    assert len(in_flight) < 3
