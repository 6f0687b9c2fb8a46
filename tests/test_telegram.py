"""End to end over real HTTP: the real aiogram and python-telegram-bot stacks against the fake
Bot API server on loopback, by long polling and by webhook. Same scenarios on both."""

from __future__ import annotations

import asyncio
import gc
import signal
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest

from handlers.commands import COMMANDS, Command
from handlers.router import HANDLERS
from storage.crypto import generate_secret_key
from storage.statuses import Role
from tests.conftest import ADMIN_ID, fixture_bytes
from tests.fake_bot_api import FakeBotAPI
from tests.live import (
    free_port,
    publish_through_chat,
    reach_report_step,
    running,
    says,
    scrape,
    start_uabot_process,
)

LIBRARIES = ["aiogram", "ptb"]


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
        assert (
            "¡Gracias!" in thanks and "Eres la primera persona que actúa en la AU 45/26." in thanks
        )
        # Steps edit the message the button was on, and every press was answered.
        assert api.last(lucia).edits >= 5
        assert len(api.callback_answers) >= 8
        assert "sendMessage" in api.calls and "editMessageText" in api.calls
        assert api.commands["all_private_chats::es"][0] == "start"
        assert "default::es" not in api.commands  # not in groups
        staff_menu = api.commands[f"chat:{ADMIN_ID}:"]
        assert {"grant", "newua", "done", "export", "broadcasts", "cancel"} <= set(staff_menu)


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
        sections={"metrics": {"on_webhook": True}},
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
        assert "You are the first" in await says(api, voter, 6)
        assert await api.deliver(press) == 200  # Telegram re-sends the same update
        await api.wait_callback_answers(press["callback_query"]["id"], 2)  # handled again
        await reach_report_step(api, other)
        await api.user_presses(other, api.last(other), "I sent a letter")
        assert "You and 1 other person" in await says(api, other, 6)
        assert len(api.messages[voter]) == 6, "the re-sent update produced no new answer"
        metrics = await scrape(f"http://127.0.0.1:{port}/metrics")
        assert metrics['uabot_updates_total{outcome="duplicate"}'] == 1
        assert metrics['uabot_updates_total{outcome="ok"}'] == 4 + 2 * 6  # 4 to publish
        assert metrics["uabot_update_seconds_count"] == 4 + 2 * 6 + 1


@pytest.mark.parametrize("library", LIBRARIES)
async def test_metrics_follow_a_broadcast_while_polling(
    api: FakeBotAPI, database_url: str, library: str
) -> None:
    port = free_port()
    sections = {"metrics": {"listen": f"127.0.0.1:{port}"}}
    async with running(api, database_url, library, sections=sections):
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
        assert metrics["uabot_last_poll_timestamp_seconds"] > 0  # the library's polls are seen
        async with (
            aiohttp.ClientSession() as client,
            client.get(f"http://127.0.0.1:{port}/healthz") as health,
        ):
            assert (health.status, await health.text()) == (200, "ok\n")
        assert metrics['uabot_deliveries_total{outcome="blocked"}'] == 1
        assert metrics['uabot_deliveries_total{outcome="sent"}'] == 2
        assert metrics['uabot_deliveries_total{outcome="failed"}'] == 0
        assert metrics["uabot_telegram_429_total"] == 0
        assert metrics['uabot_outbox_depth{kind="ua"}'] == 0
        assert metrics["uabot_reminders_due"] == 0
        assert (
            metrics['uabot_updates_total{outcome="ok"}'] == 4 + 3
        )  # publishing: two files, Publish, "Yes, send it"


@pytest.mark.parametrize("library", LIBRARIES)
async def test_a_handler_error_is_apologised_for_and_the_bot_keeps_running(
    api: FakeBotAPI, database_url: str, library: str, monkeypatch, caplog
) -> None:
    async def broken(_ctx):
        raise RuntimeError("a bug")

    monkeypatch.setitem(COMMANDS._by_name, "crash", Command("crash", Role.SUPPORTER, "Crash"))
    monkeypatch.setitem(HANDLERS, "crash", broken)
    async with running(api, database_url, library):
        person = 505
        await api.user_sends(person, "/crash secret words", language="es")
        assert "Lo siento, algo ha fallado" in await says(api, person, 1)
        await api.user_sends(person, "/help", language="es")
        assert "Esto es lo que puedo hacer" in await says(api, person, 2)
    assert "a bug" in caplog.text
    assert "secret words" not in caplog.text


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_start_up_objects_stay_out_of_full_collections_while_serving(
    api: FakeBotAPI, database_url: str, mode: str
) -> None:
    """A full collection scanning every library object took about 190 ms in a burst of
    updates; while the bot serves, those objects are frozen, and released when it stops."""
    before = gc.get_freeze_count()
    port = free_port()
    webhook = {
        "url": f"http://127.0.0.1:{port}/telegram",
        "secret_token": "s3cret-token",
        "listen": f"127.0.0.1:{port}",
    }
    async with running(
        api, database_url, "aiogram", mode=mode, **(webhook if mode == "webhook" else {})
    ):
        assert gc.get_freeze_count() > before + 10_000
        if mode == "polling":
            await api.user_sends(507, "/start")
            assert "Welcome!" in await says(api, 507, 1)
    assert gc.get_freeze_count() == before


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
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'run.db'}"
    process = await start_uabot_process(api, database_url, generate_secret_key(), tmp_path)
    try:
        await api.user_sends(507, "/help")
        [answer] = await api.wait_for(507, 1, timeout=30)  # the process needs a few seconds
        assert "What I can do:" in (answer.text or "")
    finally:
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 30) == 0
    log = (tmp_path / "uabot.log").read_text()
    assert "stopped cleanly" in log
    assert api.token not in log


@pytest.mark.parametrize("library", LIBRARIES)
async def test_uabot_run_with_a_wrong_token_says_so_and_exits_2(
    api: FakeBotAPI, tmp_path, library: str
) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'run.db'}"
    process = await start_uabot_process(
        api,
        database_url,
        generate_secret_key(),
        tmp_path,
        config=f'[telegram]\nlibrary = "{library}"\n',
        token="123456:REVOKED",
    )
    assert await asyncio.wait_for(process.wait(), 60) == 2
    log = (tmp_path / "uabot.log").read_text()
    assert "Telegram refused the bot token" in log and "@BotFather" in log
    assert "Traceback" not in log


async def _answer(api: FakeBotAPI, chat_id: int, action, replies: int = 1) -> str:
    """Do something in the chat and return the bot's last answer once ``replies`` came."""
    before = len(api.messages[chat_id])
    await action
    return await says(api, chat_id, before + replies)


@pytest.mark.parametrize("library", LIBRARIES)
async def test_an_organiser_completes_a_pasted_draft_and_reviews_a_live_change(
    api: FakeBotAPI, database_url: str, library: str
) -> None:
    text = fixture_bytes("ua-en-two-targets.txt").decode().replace("UA: 45/26", "Ref 45")
    text = text.replace("UA 45.26", "it")
    cut = text.index("\nSend a copy")  # Telegram splits a long paste at a line break
    async with running(api, database_url, library):
        admin = ADMIN_ID
        answer = await _answer(api, admin, api.user_sends(admin, "/newua " + text[:cut]))
        assert "Send the rest, or /done" in answer
        await _answer(api, admin, api.user_sends(admin, text[cut:].strip()))
        preview = await _answer(api, admin, api.user_sends(admin, "/done"))
        assert "Preview of UA without a number yet (draft)" in preview
        assert "Copy to:\n1. Embassy of the Andean Republic" in preview  # the second part counted
        menu = await _answer(
            api, admin, api.user_presses(admin, api.last(admin), "Correct a field")
        )
        assert "Which field of UA without a number yet" in menu
        prompt = await _answer(api, admin, api.user_presses(admin, api.last(admin), "UA number"))
        assert "Send the UA number, for example 72/24." in prompt
        preview = await _answer(api, admin, api.user_sends(admin, "45/26"))
        assert "Preview of UA 45/26 (draft)" in preview
        asked = await _answer(api, admin, api.user_presses(admin, api.last(admin), "Publish"))
        assert asked == "Send UA 45/26 to 0 subscribers now?"
        published = await _answer(
            api, admin, api.user_presses(admin, api.last(admin), "Yes, send it")
        )
        assert "Published UA 45/26" in published

        moved = fixture_bytes("ua-en-two-targets.txt").replace(b"July 15, 2026", b"July 31, 2026")
        change = await _answer(api, admin, api.user_uploads(admin, "ua.txt", moved))
        assert "UA 45/26 is live. This document would change it:" in change
        assert "• Deadline: July 15, 2026 → July 31, 2026" in change
        applied = await _answer(
            api, admin, api.user_presses(admin, api.last(admin), "Apply these changes"), 2
        )
        assert "Deadline: July 31, 2026" in applied
        supporter = 601
        step = await _answer(api, supporter, api.user_sends(supporter, "/ua 45/26"))
        assert "July 31, 2026" in step


@pytest.mark.parametrize("library", LIBRARIES)
async def test_a_stranger_s_file_is_never_fetched_nor_one_too_large(
    api: FakeBotAPI, database_url: str, library: str
) -> None:
    async with running(api, database_url, library):
        stranger = 701
        pdf = b"%PDF-1.4 " + b"0" * 4096
        answer = await _answer(api, stranger, api.user_uploads(stranger, "big.pdf", pdf))
        assert "I cannot use files sent to me" in answer
        huge = api.user_uploads(ADMIN_ID, "huge.pdf", b"%PDF", declared_size=19 * 1024 * 1024)
        answer = await _answer(api, ADMIN_ID, huge)
        assert "the file is 19,456 KB; UA documents are far smaller than 10 MB" in answer
        assert "getFile" not in api.calls  # neither was downloaded
        ua = fixture_bytes("ua-en-two-targets.txt")
        answer = await _answer(api, ADMIN_ID, api.user_uploads(ADMIN_ID, "ua.txt", ua))
        assert "Preview of UA 45/26" in answer and "getFile" in api.calls


@pytest.mark.parametrize("library", LIBRARIES)
@pytest.mark.parametrize("status", [404, 502])
async def test_a_file_server_failure_is_told_to_the_organiser(
    api: FakeBotAPI, database_url: str, library: str, status: int
) -> None:
    async with running(api, database_url, library):
        api.file_server_status = status
        ua = fixture_bytes("ua-en-two-targets.txt")
        answer = await _answer(api, ADMIN_ID, api.user_uploads(ADMIN_ID, "ua.txt", ua))
        assert "Telegram did not let me fetch your file just now. Send it again." in answer
        api.file_server_status = None
        answer = await _answer(api, ADMIN_ID, api.user_uploads(ADMIN_ID, "ua.txt", ua))
        assert "Preview of UA 45/26" in answer


async def test_metrics_stay_off_the_public_webhook_port_unless_asked(
    api: FakeBotAPI, database_url: str
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    webhook = {"mode": "webhook", "url": url, "secret_token": "s", "listen": f"127.0.0.1:{port}"}
    async with (
        running(api, database_url, "aiogram", **webhook),
        aiohttp.ClientSession() as client,
        client.get(f"http://127.0.0.1:{port}/metrics") as answer,
    ):
        assert answer.status == 404


@pytest.mark.parametrize("library", LIBRARIES)
async def test_menus_follow_each_staff_member_s_role_and_language(
    api: FakeBotAPI, database_url: str, library: str
) -> None:
    async with running(api, database_url, library):
        # At start-up: the supporters' menu and the bot's descriptions in each language.
        assert api.descriptions[("description", "es")].startswith("Te traigo")
        assert "Urgent Actions" in api.descriptions[("short_description", "")]
        assert api.command_texts["all_private_chats::es"][0] == "Bienvenida y ajustes"
        organiser = 850
        await api.user_sends(organiser, "/language", language="es")
        await says(api, organiser, 1)
        await api.user_presses(organiser, api.last(organiser), "Español", language="es")
        await says(api, organiser, 2)
        assert f"chat:{organiser}:" not in api.commands  # a supporter has no menu of their own
        await api.user_sends(ADMIN_ID, f"/grant {organiser} organiser")
        assert "is now" in await says(api, ADMIN_ID, 1)
        assert await api.wait_until(lambda: f"chat:{organiser}:" in api.commands)
        menu = api.commands[f"chat:{organiser}:"]
        assert {"newua", "done", "export", "broadcasts", "cancel"} <= set(menu)
        assert "grant" not in menu
        texts = api.command_texts[f"chat:{organiser}:"]
        assert "Importar una AU pegando su texto" in texts  # in the organiser's language
        await api.user_sends(organiser, "/language", language="es")
        await says(api, organiser, 3)
        await api.user_presses(organiser, api.last(organiser), "English", language="es")
        await says(api, organiser, 4)
        assert await api.wait_until(
            lambda: "Import a UA from its pasted text" in api.command_texts[f"chat:{organiser}:"]
        )
        await api.user_sends(ADMIN_ID, f"/revoke {organiser}")
        assert "supporter again" in await says(api, ADMIN_ID, 2)
        # Back to the supporters' menu.
        assert await api.wait_until(lambda: f"chat:{organiser}:" not in api.commands)


@pytest.mark.parametrize("library", LIBRARIES)
async def test_a_person_counts_once_across_a_number_s_updates(
    api: FakeBotAPI, database_url: str, library: str
) -> None:
    async with running(api, database_url, library):
        await publish_through_chat(api)
        voter, other = 860, 861
        await reach_report_step(api, voter)
        await api.user_presses(voter, api.last(voter), "I sent a letter")
        assert "You are the first to act on UA 45/26." in await says(api, voter, 6)
        await api.user_uploads(ADMIN_ID, "second.txt", fixture_bytes("ua-en-second-update.txt"))
        await says(api, ADMIN_ID, 5)
        await api.user_presses(ADMIN_ID, api.last(ADMIN_ID), "Publish")
        await says(api, ADMIN_ID, 6)
        await api.user_presses(ADMIN_ID, api.last(ADMIN_ID), "Yes, send it")
        assert "Published Second UA 45/26" in await says(api, ADMIN_ID, 7)
        seen = len(api.messages[voter])
        await api.user_sends(voter, "/ua 45/26")
        assert "POSTPONED" in (await says(api, voter, seen + 1)).upper()  # the second update
        for count in range(seen + 2, seen + 6):
            await api.user_presses(voter, api.last(voter), "Next")
            await says(api, voter, count)
        await api.user_presses(voter, api.last(voter), "I sent an email")
        assert "You are the first to act on UA 45/26." in await says(api, voter, seen + 6)
        await reach_report_step(api, other)
        await api.user_presses(other, api.last(other), "I sent a letter")
        assert "You and 1 other person have acted on UA 45/26." in await says(api, other, 6)
        share = [b for b in api.last(other).buttons() if b["text"] == "Share with friends"]
        query = parse_qs(urlsplit(share[0]["url"]).query)
        assert share[0]["url"].startswith("https://t.me/share/url?")
        assert query["url"] == ["https://t.me/uabot_test_bot?start=ua-45-26"]
        assert query["text"] == [
            "I just acted on UA 45/26 for people at risk. It takes a few minutes:"
        ]
        await api.user_sends(other, "/start ua-45-26")  # where a friend's tap leads
        assert "Step 1 of 5" in await says(api, other, 7)


@pytest.mark.parametrize("library", LIBRARIES)
async def test_an_organiser_adds_who_to_write_to_in_chat_and_supporters_see_it(
    api: FakeBotAPI, database_url: str, library: str
) -> None:
    """A document that names no recipient: publishing is refused until the organiser pastes
    the official's block; then supporters in both languages see that person and address."""
    english, spanish = 871, 872
    async with running(api, database_url, library):
        await api.user_sends(english, "/subscribe")
        await says(api, english, 1)
        await api.user_sends(spanish, "/subscribe", language="es")
        await says(api, spanish, 1)
        admin = ADMIN_ID

        def press(label: str, replies: int = 1):
            return _answer(api, admin, api.user_presses(admin, api.last(admin), label), replies)

        def send(text: str):
            return _answer(api, admin, api.user_sends(admin, text))

        upload = api.user_uploads(admin, "ua.txt", fixture_bytes("ua-en-no-recipient.txt"))
        preview = await _answer(api, admin, upload)
        assert "Who to write to:\n—\nCopy to:\n—" in preview
        es_file = fixture_bytes("ua-es-no-recipient.txt")
        preview = await _answer(api, admin, api.user_uploads(admin, "ua-es.txt", es_file))
        assert "Languages: English, Spanish" in preview
        refused = await press("Publish")
        assert "Not published yet. Still needed:" in refused
        assert "who to write to: press “Correct a field”, then “Who to write to”" in refused
        await press("Correct a field")
        listing = await press("Who to write to")
        assert listing == "Who to write to:\n\nNobody yet."
        prompt = await press("Add one")
        assert "Send the recipient as the document lays it out" in prompt
        unread = await send("Dr. Mateo Rojas Vela")
        assert "I read “Dr. Mateo Rojas Vela” as a name, but no address or email" in unread
        assert "Minister of the Interior\nMr. Rafael Ortiz" in unread  # the example
        block = (
            "Minister of Justice\nDr. Mateo Rojas Vela\nAvenida Central 500\n"
            "La Cumbre 04010, Andean Republic\nEmail: despacho@justicia.andes.example"
        )
        listing = await send(block)
        assert listing.startswith("Who to write to:\n\n1. Dr. Mateo Rojas Vela\n   Minister of")
        preview = await press("Back to the preview")
        assert "Who to write to:\n1. Dr. Mateo Rojas Vela\n   Minister of Justice\n" in preview
        asked = await press("Publish")
        assert asked == "Send UA 88/26 to 2 subscribers now?"
        assert "Published UA 88/26: queued for 2 subscribers." in await press("Yes, send it")
        for person, language, next_label, heading in (
            (english, "en", "Next", "Who to write to:"),
            (spanish, "es", "Siguiente", "A quién escribir:"),
        ):
            await _answer(api, person, api.user_sends(person, "/ua 88/26", language=language))
            step = await _answer(
                api,
                person,
                api.user_presses(person, api.last(person), next_label, language=language),
            )
            assert heading in step
            assert "Dr. Mateo Rojas Vela" in step and "Avenida Central 500" in step
            assert "despacho@justicia.andes.example" in step


@pytest.mark.parametrize("library", LIBRARIES)
@pytest.mark.parametrize("result", ["garbage", {"message_id": "x"}, []])
async def test_an_ok_answer_with_an_unreadable_result_loses_no_reply(
    api: FakeBotAPI, database_url: str, library: str, result: object
) -> None:
    """Telegram (or a proxy before it) says ok with a result that is no message: the
    message was sent, so it is not sent again, and the update's other replies follow."""
    async with running(api, database_url, library):
        await publish_through_chat(api)
        reader = 503
        await api.user_sends(reader, "/start ua-45-26")
        await says(api, reader, 1)
        for count in (2, 3):
            await api.user_presses(reader, api.last(reader), "Next")
            await says(api, reader, count)
        api.odd_result_next("sendDocument", result)
        api.odd_result_next("sendMessage", result)
        await api.user_presses(reader, api.last(reader), "Get the letter as a file")
        messages = await api.wait_for(reader, 6)
        names = [m.document_name for m in messages if m.document_name]
        assert names == ["ua-45-26-letter-es.txt", "ua-45-26-letter-es.docx"]  # each once
        assert "Step 4 of 5" in (messages[-1].text or "") or messages[-1].reply_markup
        await api.user_sends(reader, "/help")
        assert "What I can do:" in await says(api, reader, 7)


@pytest.mark.parametrize("library", LIBRARIES)
async def test_messages_dropped_as_a_flood_are_told_not_lost_unseen(
    api: FakeBotAPI, database_url: str, library: str
) -> None:
    """A long paste arrives as parts sent at once; 32 waiting per chat once dropped the rest
    of a 48-part paste, the organiser never told. A document's worth fits; beyond, a
    flood is dropped and the person told how many messages went unread."""
    async with running(api, database_url, library):
        flooder = 506
        await api.user_sends(flooder, "/start")
        await says(api, flooder, 1)
        for n in range(150):
            await api.user_sends(flooder, f"hello {n}")
        notice = "You sent messages faster than I can read them:"
        assert await api.wait_until(
            lambda: any(notice in m.text for m in api.messages[flooder]), 30
        )
        await asyncio.sleep(0.5)  # nothing more comes
        texts = [m.text for m in api.messages[flooder][1:]]
        [told] = [text for text in texts if notice in text]
        unread = int(told.split(":")[1].split()[0])
        assert unread + len(texts) - 1 == 150, "each message answered or counted unread"
        assert len(texts) - 1 > 49, "a whole document's parts are read"
