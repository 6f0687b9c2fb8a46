"""Publishing: the question before a broadcast, and paid broadcast chosen by an admin, sent
through each Telegram library to the fake Bot API, which honours ``allow_paid_broadcast`` at
its own ceiling and takes 0.1 Star a message, as Telegram does."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from bot.broadcast import OutboxWorker
from bot.reminders import Reminders
from handlers.buttons import Publish
from handlers.publishing import stars_for
from storage.models import Broadcast, Delivery
from tests.conftest import ADMIN_ID, count, fixture_bytes, subscribe_many

UA = "ua-en-two-targets.txt"


@pytest.fixture
def paid_allowed(app, api, any_sender):
    """Paid broadcast allowed by the operator; Telegram limits as it does, free and paid."""
    app.settings.broadcast.allow_paid_broadcast = True
    app.sender = any_sender
    api.enforce_limits(per_second=30, per_chat=1)
    return any_sender


async def ask_to_publish(organiser) -> None:
    await organiser.upload(UA, fixture_bytes(UA))
    await organiser.press("Publish")


async def test_stars_are_a_tenth_of_the_messages_rounded_up() -> None:
    assert [stars_for(n) for n in (0, 1, 10, 11, 100_000)] == [0, 1, 1, 2, 10_000]


async def test_without_paid_broadcast_the_question_offers_the_free_rate_only(chat, app) -> None:
    await subscribe_many(app, 3)
    organiser = chat(ADMIN_ID)
    await ask_to_publish(organiser)
    assert organiser.text == "Send UA 45/26 to 3 subscribers now?"
    assert [b.label for b in organiser.buttons()] == ["Yes, send it", "Not yet"]


@pytest.mark.timed
async def test_an_admin_sends_with_paid_broadcast_past_the_free_rate(
    app, chat, api, paid_allowed
) -> None:
    chats = await subscribe_many(app, 300)
    api.give_stars(100)
    admin = chat(ADMIN_ID)
    await ask_to_publish(admin)
    assert "With paid broadcast: under a minute, for about 30 Stars." in admin.text
    assert "The bot has 100 Stars." in admin.text
    await admin.press("Send paid (30 Stars)")
    assert "queued for 300 subscribers.\nPaid broadcast: about 30 Stars." in admin.text
    async with app.sessions() as session:
        assert (await session.scalar(select(Broadcast.paid))) is True
    await OutboxWorker(app, paid_allowed).drain()
    assert [len(api.messages[c]) for c in chats] == [1] * 300
    assert all(api.messages[c][0].paid for c in chats)
    assert api.paid_messages == 300 and api.nanostars == 70 * 10**9
    assert api.too_many_requests == 0
    # The organiser's progress is a reply, never a paid message.
    assert not any(message.paid for message in api.messages[ADMIN_ID])


@pytest.mark.timed
async def test_when_the_stars_run_out_the_rest_goes_free_and_the_organiser_is_told(
    app, chat, api, paid_allowed
) -> None:
    chats = await subscribe_many(app, 80)
    api.give_stars(8)
    admin = chat(ADMIN_ID)
    await ask_to_publish(admin)
    await admin.press("Send paid (8 Stars)")
    api.nanostars -= 3 * 10**9  # spent elsewhere meanwhile: 50 messages' worth are left
    await OutboxWorker(app, paid_allowed).drain()
    received = Counter(len(api.messages[c]) for c in chats)
    assert received == {1: 80}, "everyone got the UA once, paid or not"
    assert api.paid_messages == 50 and api.nanostars == 0
    assert api.too_many_requests == 0
    async with app.sessions() as session:
        assert (await session.scalar(select(Broadcast.stars_ran_out))) is True
        sent = await session.scalar(select(func.count()).where(Delivery.status == "sent"))
    assert sent == 80
    progress = api.messages[ADMIN_ID][-1].text
    assert "80 / 80 sent" in progress
    assert "The bot's Stars ran out, so Telegram refused paid broadcast" in progress


async def test_a_balance_too_small_is_said_and_paid_is_not_offered(
    app, chat, api, paid_allowed
) -> None:
    await subscribe_many(app, 300)
    api.give_stars(10)
    admin = chat(ADMIN_ID)
    await ask_to_publish(admin)
    assert "The bot has 10 Stars: not enough for paid broadcast." in admin.text
    assert [b.label for b in admin.buttons()] == ["Yes, send it", "Not yet"]


async def test_a_balance_telegram_will_not_give_still_lets_an_admin_choose(
    app, chat, api, paid_allowed
) -> None:
    await subscribe_many(app, 20)
    api.fail_next("getMyStarBalance", 500, "Internal Server Error")
    admin = chat(ADMIN_ID)
    await ask_to_publish(admin)
    assert "The bot's Star balance could not be read." in admin.text
    assert [b.label for b in admin.buttons()] == ["Send it free", "Send paid (2 Stars)", "Not yet"]


async def test_an_organiser_who_is_no_admin_cannot_choose_paid(
    app, chat, api, paid_allowed
) -> None:
    await subscribe_many(app, 20)
    api.give_stars(100)
    organiser = chat(ADMIN_ID + 1)
    await organiser.send("/start")
    await chat(ADMIN_ID).send(f"/grant {ADMIN_ID + 1} organiser")
    await ask_to_publish(organiser)
    assert "Only an admin can choose paid broadcast." in organiser.text
    assert [b.label for b in organiser.buttons()] == ["Yes, send it", "Not yet"]
    # A button made up by hand is refused, and nothing is queued.
    async with app.sessions() as session:
        update_id = await session.scalar(select(func.max(Delivery.update_id))) or 1
    await organiser.press_data(Publish(update_id, True, paid=True).data)
    assert "Only an admin can choose paid broadcast" in organiser.text
    assert "Nothing was sent" in organiser.text
    assert await count(app, Delivery) == 0
    await organiser.press("Send it free")
    assert "queued for 20 subscribers." in organiser.text
    await OutboxWorker(app, paid_allowed, rate_per_second=1000).drain()
    assert api.paid_messages == 0


async def test_reminders_of_a_paid_broadcast_go_at_the_free_rate(
    app, chat, api, paid_allowed
) -> None:
    chats = await subscribe_many(app, 4)
    api.give_stars(100)
    admin = chat(ADMIN_ID)
    await ask_to_publish(admin)
    await admin.press("Send paid (1 Stars)")
    await OutboxWorker(app, paid_allowed).drain()
    assert await Reminders(app).fire(1, "3d") == 4
    await OutboxWorker(app, paid_allowed).drain()
    reminded = [m for c in chats for m in api.messages[c] if m.text.startswith("Reminder")]
    assert reminded and not any(m.paid for m in reminded)
    assert api.paid_messages == 4
