"""Organisers and admins in chat: import, preview, publish, figures, roles, audit."""

from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image
from sqlalchemy import select

from bot.figures import print_stats
from bot.privacy import purge
from handlers.organisers import KIND_COUNT_LABELS
from handlers.uaview import KIND_LABELS
from storage.models import AuditEntry, Delivery
from storage.uas import publish_update, save_draft
from tests.conftest import (
    ADMIN_ID,
    START,
    correct,
    count,
    fixture_bytes,
    publish_fixture,
    subscribe_many,
)
from uareader.document import parse_text


async def test_an_organiser_imports_previews_and_publishes(chat, app) -> None:
    subscribers = [chat(200 + n, "es" if n % 2 else "en") for n in range(4)]
    for person in subscribers:
        await person.send("/subscribe")
    admin = chat(ADMIN_ID)
    await admin.upload("ua.txt", fixture_bytes("ua-en-two-targets.txt"))
    assert "Preview of UA 45/26 (draft)" in admin.text
    assert "Deadline: July 15, 2026" in admin.text
    recipients = admin.text.split("Who to write to:\n", 1)[1].split("\n\nTitle:", 1)[0]
    assert recipients == (  # first, numbered, with their address lines
        "1. Dr. Irene Solís\n   Attorney General\n   Av. de la Justicia 1200\n"
        "   La Cumbre 04001, Andean Republic\n   Email: fiscalia@justicia.andes.example\n"
        "2. Mr. Pablo Rivas\n   Minister of the Interior\n   Plaza de Gobierno 3\n"
        "   La Cumbre 04002, Andean Republic\n   Social media: @MinInteriorAR\n"
        "Copy to:\n1. Embassy of the Andean Republic\n   Mr. Jorge Ugarte, Chargé d'affaires\n"
        "   77 Rock Creek Avenue NW\n   Washington, DC 20008"
    )
    # A fictional country is no country: left empty and flagged, for the organiser to set.
    assert "AMR 99/4521/2026 · — (doubtful: correct it) · May 2, 2026" in admin.text
    assert "'Andean Republic' is not a country I know" in admin.text
    await correct(admin, "Country", "Andean Republic")
    assert "Index, country, date: AMR 99/4521/2026 · Andean Republic · May 2, 2026" in admin.text
    await admin.press("Add the Spanish version")
    assert "Send the other language's document now" in admin.text
    await admin.upload("ua-es.docx", fixture_bytes("ua-es-two-targets.txt"))
    assert "Languages: English, Spanish" in admin.text
    # The Spanish page fills no field the English one had, nor flags the one corrected.
    assert "AMR 99/4521/2026 · Andean Republic · May 2, 2026" in admin.text
    await admin.press("Publish")
    assert admin.text == "Send UA 45/26 to 4 subscribers now?"  # asked once: no call-back
    assert await count(app, Delivery) == 0
    await admin.press("Yes, send it")
    assert "Published UA 45/26: queued for 4 subscribers." in admin.text
    assert await count(app, Delivery) == 4
    await admin.press_data(f"pub:{1}")
    assert "already published" in admin.text
    await admin.send("/uas")
    assert "UA 45/26 · published · July 15, 2026" in admin.text
    await admin.send("/audit")  # the UA by its number and update, not the button's row id
    assert f"“Publish” pressed · done · {ADMIN_ID} · UA 45/26" in admin.text
    assert f"a file sent · done · {ADMIN_ID}" in admin.text


async def test_publishing_a_long_broadcast_says_how_long_it_takes(chat, app) -> None:
    await subscribe_many(app, 150)
    app.settings.broadcast.rate_per_second = 1  # 150 at 1/s: about 2 minutes
    english = "At 1 messages a second, sending takes about 2 minutes."
    spanish = "A 1 mensajes por segundo, el envío tarda unos 2 minutos."
    for user, language, publish, later, expected in [
        (ADMIN_ID, "en", "Publish", "Not yet", english),
        (ADMIN_ID + 1, "es", "Publicar", "Todavía no", spanish),
    ]:
        organiser = chat(user, language)
        if user != ADMIN_ID:
            await organiser.send("/start")  # comes in Spanish first
            await chat(ADMIN_ID).send(f"/grant {user} organiser")
        await organiser.upload("ua.txt", fixture_bytes("ua-en-two-targets.txt"))
        await organiser.press(publish)
        assert organiser.text.endswith("\n\n" + expected), organiser.text
        await organiser.press(later)


async def test_a_new_update_goes_first_to_those_who_acted_before(chat, app) -> None:
    await publish_fixture(chat)
    acted, waited = chat(210), chat(211)
    for person in (waited, acted):
        await person.send("/subscribe")
    await acted.open_step("45/26", 5)
    await acted.press("I sent a letter")
    admin = chat(ADMIN_ID)
    await admin.upload("second.txt", fixture_bytes("ua-en-second-update.txt"))
    assert "Preview of Second UA 45/26" in admin.text, admin.text
    await admin.press("Publish")
    await admin.press("Yes, send it")
    async with app.sessions() as session:
        rows = (
            await session.execute(
                select(Delivery.priority, Delivery.supporter_id)
                .where(Delivery.update_id == 2)
                .order_by(Delivery.priority, Delivery.id)
            )
        ).all()
    assert [priority for priority, _ in rows] == [0, 1]


async def test_bad_documents_get_clear_errors_and_nothing_is_stored(chat, app, clock) -> None:
    admin = chat(ADMIN_ID)
    await admin.upload("minutes.txt", fixture_bytes("not-a-ua.txt"))
    assert "This document cannot become a UA:" in admin.text
    assert "URGENT ACTION" in admin.text
    await admin.upload("broken.pdf", b"%PDF-1.4 garbage")
    assert "cannot be read" in admin.text
    await admin.send("/done")
    assert "Nothing to finish: send /newua, then paste the UA text." in admin.text
    await admin.send("/uas")
    assert "No UA is stored yet" in admin.text


async def test_a_past_deadline_is_stored_but_not_published(chat, app) -> None:
    admin = chat(ADMIN_ID)
    await admin.upload("old.txt", fixture_bytes("ua-old-layout.txt"))
    assert "Preview of UA 123/19 (draft)" in admin.text
    assert "a deadline from today on (July 15, 2019 has passed)" in admin.text
    await admin.press("Publish")
    assert "Not published yet. Still needed:" in admin.text
    assert "--" not in admin.text  # no command-line advice in chat
    assert await count(app, Delivery) == 0


async def test_newua_with_pasted_text(chat) -> None:
    admin = chat(ADMIN_ID)
    text = fixture_bytes("ua-es-two-targets.txt").decode()
    await admin._send(command="newua", args=tuple(text.split()), text="/newua\n" + text)
    assert "Send the rest, or /done" in admin.text
    await admin.send("/done")
    assert "Preview of UA 45/26 (draft)" in admin.text
    await admin.press("Cancel")
    await admin.press("Yes, throw it away")
    assert "Cancelled: the draft is deleted." in admin.text
    await admin.send("/uas")
    assert "No UA is stored yet" in admin.text


async def test_supporters_are_refused_politely_and_audited(chat, app) -> None:
    await publish_fixture(chat)
    before = await count(app, AuditEntry)
    mallory = chat(300)
    await mallory.send("/start")
    attempts = [
        "/grant 300 admin",
        f"/revoke {ADMIN_ID}",
        "/team",
        "/audit",
        "/stats 45/26",
        "/uas",
        "/close 45/26",
        "/deadline 45/26 2026-12-01",
        "/newua URGENT ACTION",
        "/done",
    ]
    for attempt in attempts:
        await mallory.send(attempt)
        assert mallory.text == "Sorry, that is not something I can do for you.", attempt
    await mallory.press_data("pub:1")
    await mallory.upload("ua.txt", fixture_bytes("ua-en-two-targets.txt"))
    assert "I cannot use files sent to me" in mallory.text
    refused = await count(app, AuditEntry, AuditEntry.outcome == "refused")
    assert refused == len(attempts) + 2
    assert await count(app, AuditEntry) == before + len(attempts) + 2
    admin = chat(ADMIN_ID)
    await admin.send("/audit")
    assert "/grant · refused" in admin.text
    await mallory.send("/ua 45/26")
    assert "Step 1 of 5" in mallory.text  # nothing changed


async def test_admins_grant_and_revoke_roles(chat) -> None:
    admin, olga = chat(ADMIN_ID), chat(301)
    await admin.send("/grant 301 organiser")
    assert "Done: 301 is now organiser." in admin.text
    await olga.upload("ua.txt", fixture_bytes("ua-en-two-targets.txt"))
    assert "Preview of UA 45/26" in olga.text
    await olga.send("/grant 302 admin")
    assert olga.text == "Sorry, that is not something I can do for you."
    await admin.send("/team")
    assert (
        "• 301 – organiser" in admin.text
        and f"• {ADMIN_ID} – admin (from the configuration)" in admin.text
    )
    await admin.send("/language")
    await admin.press("Español")
    await admin.send("/team")
    assert f"• {ADMIN_ID} – administración (en la configuración)" in admin.text
    await admin.send("/language")
    await admin.press("English")
    await admin.send("/revoke 301")
    assert "Done: 301 is a supporter again." in admin.text
    await admin.send(f"/revoke {ADMIN_ID}")
    assert "take them out of it there and restart the bot" in admin.text
    await olga.send("/uas")
    assert olga.text == "Sorry, that is not something I can do for you."
    await admin.send("/grant 301 king")
    assert "Write /grant followed by" in admin.text


async def test_the_audit_answers_who_did_what_to_whom_also_after_forget(chat, app) -> None:
    """The configured admin never sent /start; a stranger tries, then erases themselves."""
    admin, stranger = chat(ADMIN_ID), chat(7_302_221)
    await admin.send("/grant 7302220 organiser")
    await admin.send("/grant abc admin")
    await admin.send("/revoke 7302229")  # no role to revoke
    await stranger.send("/subscribe")
    await stranger.send("/grant 7302221 admin")
    await stranger.send("/forget")
    await stranger.press("Yes, erase me")
    await admin.send("/revoke 7302220")
    await admin.send("/audit")
    lines = admin.text.splitlines()
    assert lines[0] == "Latest privileged commands (newest first):"
    assert lines[1].endswith(f"/audit · done · {ADMIN_ID}")  # looking is audited too
    assert lines[2].endswith(f"/revoke · done · {ADMIN_ID} → person " + _tag(app, 7302220))
    assert any(
        line.endswith(
            "/grant · refused · person " + _tag(app, 7302221) + " → person " + _tag(app, 7302221)
        )
        for line in lines
    )
    assert any(f"/revoke · failed (no role) · {ADMIN_ID} → person" in line for line in lines)
    assert any(line.endswith(f"/grant · failed (usage) · {ADMIN_ID} · admin") for line in lines)
    assert any(
        line.endswith(f"/grant · done · {ADMIN_ID} → person " + _tag(app, 7302220) + " · organiser")
        for line in lines
    )
    await admin.send("/audit 7302221")  # the stranger erased their data, not their trail
    about = admin.text.splitlines()
    assert about[0] == "Privileged commands by or about 7302221 (newest first):"
    assert about[1].endswith(f"/audit · done · {ADMIN_ID} → 7302221")
    assert len(about) == 3 and "/grant · refused · 7302221 → 7302221" in about[2]
    await admin.send("/audit 7302220")
    assert len(admin.text.splitlines()) == 1 + 3  # granted, revoked, and this look
    await admin.send("/audit nobody")
    assert "Write /audit, or /audit followed by a Telegram user id." in admin.text
    async with app.sessions() as session:
        rows = (await session.execute(select(AuditEntry))).scalars().all()
    stored = " ".join(f"{r.actor} {r.target} {r.detail} {r.reason}" for r in rows)
    assert "7302220" not in stored and "7302221" not in stored and str(ADMIN_ID) not in stored


def _tag(app, user_id: int) -> str:
    return app.vault.audit_pseudonym("telegram", user_id)[:8]


async def test_stats_close_and_deadline(chat, clock) -> None:
    await publish_fixture(chat)
    for user in (310, 311):
        person = chat(user)
        await person.open_step("45/26", 5)
        await person.press("I sent a letter")
        await person.press("Report another action")
        await person.press("I sent an email")
    admin = chat(ADMIN_ID)
    await admin.send("/stats UA 45/26")
    assert "UA 45/26: 2 people acted, 4 actions in all." in admin.text
    assert "First UA: 2 people acted · letters: 2, emails: 2, social media posts: 0" in admin.text
    [chart] = admin.files
    assert chart.filename == "ua-45-26-actions.png"
    image = Image.open(io.BytesIO(chart.content))
    assert image.format == "PNG" and image.size == (720, 360)
    assert (200, 30, 30) in {color for _, color in image.getcolors(100_000)}  # the deadline
    await admin.send("/stats")
    assert "UA 45/26: 2 people acted" in admin.text
    await admin.send("/deadline 45/26 2026-05-01")
    assert "already passed" in admin.text
    await admin.send("/deadline 45/26 someday")
    assert "Write /deadline followed by" in admin.text
    await admin.send("/deadline 45.26 2026-08-01")
    assert "The deadline of UA 45/26 is now August 1, 2026." in admin.text
    await admin.send("/close 45/26")
    assert "UA 45/26 is closed." in admin.text
    reader = chat(312)
    await reader.send("/actions")
    assert "There are no open Urgent Actions" in reader.text


async def publish_many(app, count: int) -> None:
    """``count`` open UAs, numbered 1/26 to count/26, published straight in storage."""
    text = fixture_bytes("ua-en-two-targets.txt").decode()
    async with app.sessions() as session, session.begin():
        for number in range(1, count + 1):
            draft = parse_text(text.replace("45/26", f"{number}/26").replace("45.26", "x"))
            update = await save_draft(session, draft, "en")
            await publish_update(session, update, START)


async def test_lists_of_any_length_are_paged_or_split(chat, app) -> None:
    await publish_many(app, 120)
    supporter = chat(230)
    await supporter.send("/actions")
    seen, pages = set(), 1
    while True:
        assert all(len(reply.text) <= 4096 for reply in supporter.replies)
        seen |= {b.data for b in supporter.buttons() if b.data.startswith("ua:")}
        if not [b for b in supporter.buttons() if "More" in b.label]:
            break
        await supporter.press("More")
        pages += 1
    assert len(seen) == 120 and pages == 12
    admin = chat(ADMIN_ID)
    await admin.send("/stats")
    assert len(admin.replies) > 1 and "UA 120/26" in admin.text and "UA 1/26" in admin.text
    await admin.send("/uas")
    assert "120/26" in admin.text


async def test_odd_input_gets_a_polite_answer_never_an_apology(chat, app) -> None:
    await publish_fixture(chat)
    admin, supporter = chat(ADMIN_ID), chat(231)
    apology = "Sorry, something went wrong"
    for data in ("pub:²", "ua:²:1", "ua:1:²", "list:²", "pub:" + "9" * 5000, f"rep:{2**70}:letter"):
        await admin.press_data(data)
        assert apology not in admin.text, data
    for line in ("/cancel ²", f"/cancel {2**70}", "/grant ² admin", "/revoke 1" + "0" * 60):
        await admin.send(line)
        assert apology not in admin.text and admin.text, line
    await admin.send("/deadline 45/26 9999-12-31")
    assert "more than two years away" in admin.text
    await admin.send("/deadline 45/26 2026-W37")
    assert "Write /deadline followed by a UA number and a date" in admin.text
    await admin.send("/deadline 45/26 15 August 2026")
    assert "The deadline of UA 45/26 is now August 15, 2026." in admin.text
    await admin.send("/deadline AU 45/26 16 August 2026")  # copied from a document
    assert "The deadline of UA 45/26 is now August 16, 2026." in admin.text
    # A draft is nobody's business but the organisers': no forged button shows it.
    await admin.upload("second.txt", fixture_bytes("ua-en-second-update.txt"))
    draft_id = admin.button("Publish").data.split(":")[1]
    for data in (f"later:{draft_id}", f"undo:{draft_id}:letter", f"ua:{draft_id}:1"):
        await supporter.press_data(data)
        assert "September 30, 2026" not in supporter.text, data
        assert "I do not know that Urgent Action." in supporter.text, data


async def test_subscriber_figures_now_and_per_week_in_chat_and_cli(chat, app, clock) -> None:
    """Counts only: who subscribed, left, blocked the bot or erased themselves, per week."""
    people = [chat(7_304_400 + n) for n in range(5)]
    for person in people:
        await person.send("/subscribe")
    await people[0].send("/unsubscribe")
    await people[0].send("/unsubscribe")  # twice: still one person leaving
    await people[1]._send(blocked=True)  # as Telegram's my_chat_member tells it
    await people[1]._send(blocked=True)
    await people[2].send("/forget")
    await people[2].press("Yes, erase me")
    clock.advance(timedelta(days=7))
    await chat(7_304_499).send("/subscribe")
    admin = chat(ADMIN_ID)
    await admin.send("/stats")
    lines = admin.text.splitlines()
    assert lines[0] == "Subscribers now: 3 receive new UAs · 1 blocked the bot · 1 not subscribed"
    assert lines[1] == "Week from Monday: subscribed · unsubscribed · blocked the bot · erased"
    assert lines[2] == "June 8, 2026: 1 · 0 · 0 · 0"  # 1 June 2026 is a Monday
    assert lines[3] == "June 1, 2026: 5 · 1 · 1 · 1"
    assert len([line for line in lines if line.endswith("2026: 0 · 0 · 0 · 0")]) == 6
    out = io.StringIO()
    assert await print_stats(app, None, out) == 0
    assert "subscribers now: 3 receive new UAs, 1 blocked the bot, 1 not subscribed" in (
        out.getvalue()
    )
    assert "2026-06-01\t5\t1\t1\t1\n" in out.getvalue()
    spanish = chat(ADMIN_ID, "es")
    await spanish.send("/language")
    await spanish.press("Español")
    await spanish.send("/stats")
    assert "Personas ahora — con suscripción: 3 · bloquearon el bot: 1 · sin suscripción: 2" in (
        spanish.text
    )


def test_every_kind_of_action_is_counted_in_the_figures() -> None:
    assert KIND_COUNT_LABELS.keys() == KIND_LABELS.keys()


async def test_a_stranger_s_refusals_are_counted_and_push_nothing_out_of_the_audit(
    chat, app, clock
) -> None:
    admin, mallory = chat(ADMIN_ID), chat(300)
    await admin.send("/grant 301 organiser")
    for _ in range(300):
        await mallory.send("/grant 300 admin")
    await mallory.send("/team")
    assert await count(app, AuditEntry, AuditEntry.outcome == "refused") == 2  # not 301
    await admin.send("/audit")
    lines = admin.text.splitlines()
    assert any("/grant · refused ×300 · person" in line for line in lines)
    assert any(f"/grant · done · {ADMIN_ID} → 301" in line for line in lines)
    clock.advance(timedelta(days=1))  # a new day: a new entry to count in
    await mallory.send("/grant 300 admin")
    assert await count(app, AuditEntry, AuditEntry.outcome == "refused") == 3


async def test_the_audit_is_kept_for_its_retention_then_deleted(chat, app, clock) -> None:
    admin = chat(ADMIN_ID)
    await admin.send("/grant 301 organiser")
    clock.advance(timedelta(days=app.settings.security.audit_retention_days - 1))
    await purge(app)
    assert await count(app, AuditEntry) == 1
    clock.advance(timedelta(days=2))
    await purge(app)
    assert await count(app, AuditEntry) == 0
