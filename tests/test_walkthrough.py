"""The supporter journey through the real dispatcher and database, in English and Spanish."""

from __future__ import annotations

import asyncio
import io
import logging
from datetime import timedelta

from docx import Document as DocxDocument

from handlers.contract import MAX_BUTTON_DATA_BYTES, MAX_TEXT_LENGTH, File, Incoming, Text
from storage.models import ActionReport
from tests.conftest import ADMIN_ID, count, fixture_bytes, publish_fixture


async def add_spanish_version(organiser) -> None:
    from tests.conftest import fixture_bytes

    await organiser.upload("ua-es.txt", fixture_bytes("ua-es-two-targets.txt"))


def assert_telegram_limits(replies) -> None:
    for reply in replies:
        if isinstance(reply, Text):
            assert len(reply.text) <= MAX_TEXT_LENGTH
            for row in reply.buttons:
                for button in row:
                    assert button.data is None or len(button.data.encode()) <= MAX_BUTTON_DATA_BYTES


async def test_english_supporter_walks_through_and_reports(chat) -> None:
    organiser = await publish_fixture(chat)
    await add_spanish_version(organiser)
    ana = chat(101, "en-GB")

    await ana.send("/start")
    assert "Welcome" in ana.text
    await ana.press("Subscribe")
    assert "You are subscribed" in ana.text
    await ana.send("/actions")
    assert "UA 45/26: TWO LAND DEFENDERS FACE TRUMPED-UP CHARGES" in ana.text
    assert "Deadline: July 15, 2026 (44 days left)." in ana.text

    await ana.press("Act on UA 45/26")
    assert "Step 1 of 5" in ana.text and "Community leaders Tomás Quispe" in ana.text
    assert "Who is at risk: Tomás Quispe (he/him)" in ana.text
    await ana.press("Next")
    assert "Step 2 of 5" in ana.text
    assert "Dr. Irene Solís\nAttorney General\nAv. de la Justicia 1200" in ana.text
    assert "Email: fiscalia@justicia.andes.example" in ana.text
    assert "Social media: @MinInteriorAR" in ana.text
    assert "Write in Spanish if you can" in ana.text
    await ana.press("Next")
    # The letter comes first in the target's preferred language (Spanish), then in English.
    assert "The sample letter, in Spanish" in ana.text
    assert "Señora Fiscal General:" in ana.text
    await ana.press("Show it in English")
    assert "Dear Attorney General," in ana.text
    await ana.press("Get the letter as a file")
    txt, docx = ana.files
    assert txt.filename == "ua-45-26-letter-en.txt"
    letter = txt.content.decode()
    assert letter.startswith("Dr. Irene Solís\nAttorney General")
    assert "Dear Attorney General," in letter and "cc: Embassy of the Andean Republic" in letter
    paragraphs = [p.text for p in DocxDocument(io.BytesIO(docx.content)).paragraphs]
    assert "Dear Attorney General," in paragraphs
    assert "Send a copy to the address in step 4 too" in ana.text  # the files have no address
    await ana.press("Where to send the copy")
    assert "Step 4 of 5" in ana.text and "Send a copy of your letter to:" in ana.text
    await ana.press("Next")
    assert "Step 5 of 5" in ana.text
    await ana.press("Back")
    assert "Step 4 of 5" in ana.text and "Send a copy of your letter to:" in ana.text
    assert "Embassy of the Andean Republic\nMr. Jorge Ugarte" in ana.text
    await ana.press("Next")
    await ana.press("I sent a letter")
    assert "Thank you! Your action is counted." in ana.text
    assert "You are the first to act on UA 45/26." in ana.text
    assert_telegram_limits(ana.replies)


async def test_spanish_supporter_gets_everything_in_spanish(chat) -> None:
    organiser = await publish_fixture(chat)
    await add_spanish_version(organiser)
    first = chat(102, "en")
    await first.send("/start ua-45-26")
    await first.open_step("45/26", 5)
    await first.press("I sent an email")

    lucia = chat(103, "es-VE")
    await lucia.send("/start")
    assert "¡Te damos la bienvenida!" in lucia.text
    await lucia.press("Suscribirme")
    assert "Te has suscrito" in lucia.text
    await lucia.send("/actions")
    assert "AU 45/26: DOS DEFENSORES DE LA TIERRA ENFRENTAN CARGOS FALSOS" in lucia.text
    assert "Fecha límite: 15 de julio de 2026 (quedan 44 días)." in lucia.text
    await lucia.press("Actuar en la AU 45/26")
    assert "Paso 1 de 5" in lucia.text and "Quién está en peligro: Tomás Quispe (él)" in lucia.text
    await lucia.press("Siguiente")
    assert "A quién escribir:" in lucia.text and "Fiscal General" in lucia.text
    await lucia.press("Siguiente")
    assert "La carta modelo, en español." in lucia.text and "Señora Fiscal General:" in lucia.text
    await lucia.press("Siguiente")
    assert "Envía una copia de tu carta a:" in lucia.text
    await lucia.press("Siguiente")
    assert "¿Has actuado?" in lucia.text
    await lucia.press("Envié una carta")
    assert "¡Gracias! Tu acción ha quedado registrada." in lucia.text
    assert "Tú y 1 persona más han actuado en la AU 45/26." in lucia.text
    await lucia.send("/mydata")
    assert "Esto es todo lo que guardo sobre ti:" in lucia.text
    assert "• idioma: Español" in lucia.text
    assert "AU 45/26: Envié una carta el 1 de junio de 2026" in lucia.text


async def test_english_only_ua_tells_a_spanish_speaker(chat) -> None:
    await publish_fixture(chat)
    pedro = chat(104, "es")
    await pedro.send("/ua 45/26")
    assert "(Esta Acción Urgente aún no está disponible en tu idioma.)" in pedro.text
    assert "TWO LAND DEFENDERS" in pedro.text


async def test_a_report_counts_once_however_often_it_is_pressed(chat) -> None:
    await publish_fixture(chat)
    maria = chat(105)
    await maria.send("/ua 45/26")
    data = maria.button("Next").data.replace(":2", ":5")
    await maria.press_data(data)
    report = maria.button("I sent a letter").data
    await maria.press_data(report)
    await maria.press_data(report)
    assert "You are the first to act on UA 45/26." in maria.text
    await asyncio.gather(*(maria.press_data(report) for _ in range(5)))
    other = chat(106)
    await other.send("/start")
    await other.press_data(report)  # maria's button, forged: counts nothing, shows their own
    assert "Step 5 of 5" in other.text and "counted" not in other.text
    await other.press("I sent a letter")
    assert "You and 1 other person have acted on UA 45/26." in other.text


async def test_two_taps_at_once_from_one_person_count_once(chat, dispatcher) -> None:
    await publish_fixture(chat)
    first, second = chat(107), chat(107)
    await first.send("/start")
    await first.send("/ua 45/26")
    report = first.button("Next").data.replace(":2", ":5")
    await first.press_data(report)
    letter = first.button("I sent a letter").data
    await asyncio.gather(first.press_data(letter), second.press_data(letter))
    third = chat(108)
    await third.open_step("45/26", 5)
    await third.press("I sent a letter")
    assert "You and 1 other person" in third.text


async def test_a_redelivered_update_changes_nothing(chat, dispatcher, caplog) -> None:
    await publish_fixture(chat)
    rosa = chat(109)
    await rosa.send("/ua 45/26")
    report = rosa.button("Next").data.replace(":2", ":5")
    await rosa.press_data(report)
    letter = rosa.button("I sent a letter").data
    await rosa.press_data(letter)
    again = Incoming(
        platform="telegram",
        user_id=109,
        chat_id=109,
        event_key=str(rosa._update),
        callback_data=letter,
    )
    caplog.set_level(logging.INFO, logger="uabot")
    caplog.clear()
    assert await dispatcher.handle(again) == []  # Telegram delivered the same update again
    logged = [record.getMessage() for record in caplog.records]
    assert any("skipped redelivered" in line for line in logged)
    assert not any(line.startswith("handled ") for line in logged), logged


async def test_two_deliveries_of_one_update_at_once_count_once(chat, dispatcher, app) -> None:
    """Telegram may deliver an update again while the first delivery is being handled (a
    webhook retried after a timeout): one of them is handled, the other changes nothing."""
    await publish_fixture(chat)
    rosa = chat(112)
    await rosa.open_step("45/26", 5)
    letter = rosa.button("I sent a letter").data
    twice = Incoming(
        platform="telegram", user_id=112, chat_id=112, event_key="race", callback_data=letter
    )
    answers = await asyncio.gather(dispatcher.handle(twice), dispatcher.handle(twice))
    assert sorted(len(answer) for answer in answers)[0] == 0, "one delivery is a duplicate"
    replies = [reply for reply in answers[0] + answers[1] if isinstance(reply, Text)]
    assert any("Thank you!" in reply.text for reply in replies)
    assert await count(app, ActionReport) == 1


async def test_the_same_report_pressed_again_says_it_is_counted_once(chat, app) -> None:
    await publish_fixture(chat)
    rosa = chat(113)
    await rosa.open_step("45/26", 5)
    letter = rosa.button("I sent a letter").data
    await rosa.press_data(letter)
    assert rosa.text.startswith("Thank you! Your action is counted.")
    await rosa.press_data(letter)  # a double tap, or the old message's button
    assert rosa.text.startswith("You had already reported this: it is counted once.")
    assert "You are the first to act on UA 45/26." in rosa.text
    assert await count(app, ActionReport) == 1


async def test_undo_a_report_made_by_mistake(chat) -> None:
    await publish_fixture(chat)
    juan, eva = chat(110), chat(111)
    for person in (juan, eva):
        await person.open_step("45/26", 5)
        await person.press("I posted on social media")
    assert "You and 1 other person" in eva.text
    await juan.press("Undo")
    assert "Undone: that action is no longer counted." in juan.text
    await juan.press("Report my action")
    assert "Already reported" not in juan.text
    await eva.press("Report another action")
    await eva.press("I sent a letter")
    assert "You are the first to act on UA 45/26." in eva.text


async def test_deep_link_opens_the_ua_without_a_subscription(chat) -> None:
    await publish_fixture(chat)
    guest = chat(112)
    await guest.send("/start ua-45-26")
    assert "Step 1 of 5" in guest.text and "UA 45/26" in guest.text
    await guest.send("/start ua-999-99")
    assert "I do not know that Urgent Action." in guest.text
    await guest.send("/ua abc")  # not a number: how to write one, then the open UAs
    assert guest.text.startswith("Write /ua followed by a UA number, e.g. /ua 72/24")
    assert "UA 45/26" in guest.text
    for typed in ("/ua AU 45/26", "45/26", "UA 45.26", "au 045/26"):  # as people write it
        await guest.send(typed)
        assert "Step 1 of 5" in guest.text, typed
    for typed in ("99/99", "12.50"):  # no such UA: maybe not meant as one at all
        await guest.send(typed)
        assert guest.text.startswith("I answer commands and buttons"), typed
    await guest.send("I wrote about 45/26 today")  # any other text is not read
    assert guest.text.startswith("I answer commands and buttons, and I do not keep what")


async def test_a_ua_past_its_deadline_says_so_and_offers_the_open_ones(chat, clock) -> None:
    await publish_fixture(chat)
    late = chat(113)
    await late.send("/ua 45/26")
    next_step = late.button("Next").data
    clock.advance(timedelta(days=60))
    await late.press_data(next_step)
    assert "The deadline of UA 45/26 has passed" in late.text
    assert "There are no open Urgent Actions right now." in late.text


async def test_a_newer_update_supersedes_the_earlier_one(chat) -> None:
    from tests.conftest import fixture_bytes

    organiser = await publish_fixture(chat)
    reader = chat(114)
    await reader.send("/ua 45/26")
    old_step = reader.button("Next").data
    await organiser.upload("second.txt", fixture_bytes("ua-en-second-update.txt"))
    await organiser.press("Publish")
    await organiser.press("Yes, send it")
    await reader.send("/actions")
    assert "Second UA 45/26: LAND DEFENDERS' TRIAL POSTPONED" in reader.text
    assert "TWO LAND DEFENDERS" not in reader.text
    await reader.press_data(old_step)
    assert "There is a newer update" in reader.replies[0].text
    assert "Step 2 of 5" in reader.text


async def test_sign_puts_the_name_in_the_files_only(chat, app) -> None:
    await publish_fixture(chat)
    writer = chat(115)
    await writer.send("/sign 45/26 Ana Pérez")
    files = [reply for reply in writer.replies if isinstance(reply, File)]
    assert files and "Ana Pérez" in files[0].content.decode()
    await writer.send("/sign 45/26")
    assert "Write /sign followed by the UA number and your name" in writer.text
    await writer.send("/sign 45/26 Ana\x00\x1b Ruiz")  # found by tests/test_dispatcher.py
    files = [reply for reply in writer.replies if isinstance(reply, File)]
    assert "Ana Ruiz" in files[0].content.decode()
    await writer.send("/sign AU 45/26 Ana Ruiz")  # the number as a document writes it
    files = [reply for reply in writer.replies if isinstance(reply, File)]
    assert "Ana Ruiz" in files[0].content.decode() and "AU" not in files[0].content.decode()[-20:]


async def test_long_letters_are_split_under_telegrams_limit(chat, app) -> None:
    from tests.conftest import fixture_bytes

    long_paragraph = "I call on you to act. " * 60
    text = fixture_bytes("ua-en-two-targets.txt").decode()
    text = text.replace(
        "Yours sincerely,", "\n".join([long_paragraph.strip()] * 6) + "\nYours sincerely,"
    )
    organiser = chat(ADMIN_ID)
    await organiser.upload("long.txt", text.encode())
    await organiser.press("Publish")
    await organiser.press("Yes, send it")
    reader = chat(116)
    await reader.open_step("45/26", 3)
    texts = [reply for reply in reader.replies if isinstance(reply, Text)]
    assert len(texts) >= 2
    assert_telegram_limits(reader.replies)
    assert texts[-1].buttons and not texts[0].buttons


async def test_unknown_command_and_free_text_get_help_in_the_users_language(chat) -> None:
    someone = chat(117, "es")
    await someone.send("/borrar")
    assert "No conozco el comando /borrar." in someone.text
    assert "/actions" in someone.text
    await someone.send("hola, ¿qué tal?")
    assert "Respondo a comandos y botones" in someone.text


async def test_language_subscription_reminders_and_discreet_settings(chat) -> None:
    person = chat(118)
    await person.send("/language")
    await person.press("Español")
    assert "A partir de ahora te escribiré en español." in person.text
    # Discreet mode is offered again in the language chosen: the welcome may have been unread.
    assert "activa el modo discreto" in person.text
    await person.press("Modo discreto")
    assert "El modo discreto está activado" in person.text
    await person.send("/language")
    await person.press("Español")
    assert "modo discreto" not in person.text.lower()  # already on: not offered again
    await person.send("/reminders off")
    assert "Los recordatorios están desactivados" in person.text
    await person.send("/discreet on")
    assert "El modo discreto está activado" in person.text
    await person.send("/discreet maybe")
    assert "Escribe /discreet on o /discreet off." in person.text
    await person.send("/subscribe")
    await person.send("/stop")
    assert "Te has dado de baja" in person.text
    await person.send("/mydata")
    for line in ("• suscripción: no", "• recordatorios: no", "• modo discreto: sí"):
        assert line in person.text


async def test_forget_erases_the_person_but_not_the_counts(chat) -> None:
    await publish_fixture(chat)
    leaving, staying = chat(119), chat(120)
    await leaving.open_step("45/26", 5)
    await leaving.press("I sent a letter")
    await leaving.send("/forget")
    await leaving.press("No, keep it")
    assert "Nothing was erased." in leaving.text
    await leaving.send("/forget")
    buttons = {button.label: button.data for button in leaving.buttons()}
    await leaving.press("Yes, erase me")
    assert "I no longer hold anything about you" in leaving.text
    for label in ("No, keep it", "Yes, erase me"):  # the same prompt pressed again
        await leaving.press_data(buttons[label])
        assert leaving.text == "I hold nothing about you: it is already erased.", label
    await leaving.send("/mydata")
    assert leaving.text == "I hold nothing about you."
    await staying.open_step("45/26", 5)
    await staying.press("I sent a letter")
    assert "You and 1 other person" in staying.text


async def test_group_chats_get_one_polite_pointer(dispatcher) -> None:
    group = Incoming(
        platform="telegram", user_id=5, chat_id=-100, private_chat=False, command="start"
    )
    [reply] = await dispatcher.handle(group)
    assert "private chats only" in reply.text
    chatter = Incoming(platform="telegram", user_id=5, chat_id=-100, private_chat=False, text="hi")
    assert await dispatcher.handle(chatter) == []


async def test_a_failed_report_does_not_spoil_the_ua_for_anyone(chat, app) -> None:
    from sqlalchemy import event

    await publish_fixture(chat)
    ana, ben = chat(110), chat(111)
    await ana.open_step("45/26", 5)
    app.ua_cache.clear()  # the failing report is what loads the UA into the cache
    failures = []

    def disk_error_once(conn, cursor, statement, parameters, context, executemany) -> None:
        if "INSERT INTO action_reports" in statement and not failures:
            failures.append(statement)
            raise RuntimeError("the disk failed")  # no database error we know to wait out

    event.listen(app.engine.sync_engine, "before_cursor_execute", disk_error_once)
    try:
        await ana.press("I sent a letter")
        assert "Sorry, something went wrong" in ana.text and failures
        await ben.send("/ua 45/26")
        assert "Step 1 of 5" in ben.text
        await ana.open_step("45/26", 5)
        await ana.press("I sent a letter")
        assert "Thank you! Your action is counted." in ana.text
    finally:
        event.remove(app.engine.sync_engine, "before_cursor_execute", disk_error_once)


async def test_a_person_counts_once_per_ua_number_across_its_updates(chat) -> None:
    organiser = await publish_fixture(chat)
    ana, ben = chat(107), chat(108)
    await ana.open_step("45/26", 5)
    await ana.press("I sent a letter")
    assert "You are the first to act on UA 45/26." in ana.text
    await organiser.upload("second.txt", fixture_bytes("ua-en-second-update.txt"))
    await organiser.press("Publish")
    await organiser.press("Yes, send it")
    assert "Published Second UA 45/26" in organiser.text
    await ana.open_step("45/26", 5)  # the second update now
    await ana.press("I sent a letter")
    assert "You are the first to act on UA 45/26." in ana.text, "still one person"
    await ben.open_step("45/26", 5)
    await ben.press("I sent a letter")
    assert "You and 1 other person have acted on UA 45/26." in ben.text
    await organiser.send("/stats 45/26")
    assert "UA 45/26: 2 people acted, 3 actions in all." in organiser.text
    carol = chat(109)
    await carol.open_step("45/26", 5)
    await carol.press("I sent a letter")
    assert "You and 2 other people have acted on UA 45/26." in carol.text


async def test_reports_on_a_replaced_or_closed_ua_are_answered_and_count_nothing(chat) -> None:
    organiser = await publish_fixture(chat)
    late = chat(140)
    await late.open_step("45/26", 5)
    old_report = late.button("I sent a letter").data
    await organiser.upload("second.txt", fixture_bytes("ua-en-second-update.txt"))
    await organiser.press("Publish")
    await organiser.press("Yes, send it")
    await late.press_data(old_report)
    assert "Step 5 of 5" in late.text and "counted" not in late.text  # the newer one, to report
    await organiser.send("/stats 45/26")
    assert "0 people acted, 0 actions in all" in organiser.text
    await late.press("I sent a letter")  # on the newer update: counted
    await organiser.send("/close 45/26")
    closed_report = late.button("Undo: I sent a letter").data.replace("undo", "rep")
    await late.press_data(closed_report.replace("letter", "email"))
    assert "Second UA 45/26 is closed: thank you for caring." in late.text
    await organiser.send("/stats 45/26")
    assert "1 person acted, 1 action in all" in organiser.text


async def test_reports_after_forget_or_on_an_unknown_update_count_nothing(chat, app) -> None:
    organiser = await publish_fixture(chat)
    person = chat(7_305_501)
    await person.open_step("45/26", 5)
    before_forget = person.button("I sent an email").data
    await person.press("I sent a letter")
    await person.send("/forget")
    await person.press("Yes, erase me")
    await person.press_data(before_forget)
    assert "This button is from before you erased your data with /forget" in person.text
    await person.press_data(before_forget.rsplit(":", 1)[0] + ":not-a-number")
    assert "counts nothing" in person.text
    await organiser.send("/stats 45/26")
    assert "1 person acted, 1 action in all" in organiser.text  # the report made before
    await person.press("Report my action")  # they may report afresh, as a new person
    await person.press("I sent an email")
    assert "You and 1 other person have acted on UA 45/26." in person.text
    await person.press_data("rep:99999:letter")
    assert person.text.startswith("I do not know that Urgent Action.")
    await organiser.send("/stats 45/26")
    assert "2 people acted, 2 actions in all" in organiser.text
