"""An organiser turns whatever document they have into a UA, in chat: drafts that lack a
number or deadline, corrections field by field, the draft walked as supporters will see
it, long pastes, changes to a live UA, closing notices."""

from __future__ import annotations

import asyncio
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from storage.models import ActionReport, Delivery, PendingInput, UACase, UAText, UAUpdate
from tests.conftest import (
    ADMIN_ID,
    FIXTURES,
    SEEDS,
    correct,
    count,
    fixture_bytes,
    publish_fixture,
)
from uareader.isolated import DocumentReader

LAYOUTS = FIXTURES / "layouts"


async def stored_update(app, number: str) -> UAUpdate:
    async with app.sessions() as session:
        return await session.scalar(select(UAUpdate).join(UACase).where(UACase.number == number))


def incomplete_document() -> bytes:
    """The English fixture with its UA number and deadline taken out."""
    text = fixture_bytes("ua-en-two-targets.txt").decode()
    text = text.replace("UA: 45/26", "Ref 45").replace("UA 45.26", "it")
    return text.replace("PLEASE TAKE ACTION AS SOON AS POSSIBLE UNTIL: July 15, 2026", "").encode()


async def test_the_deadline_prompts_give_an_example_that_is_taken(chat, clock) -> None:
    clock.advance(timedelta(days=300))  # 2027: a fixed example from 2026 would be refused
    organiser = chat(ADMIN_ID)
    await organiser.upload("no-number.txt", incomplete_document())
    await correct(organiser, "Deadline", "someday")
    assert re.search(r"write it like \d{4}-\d{2}-\d{2}\.", organiser.text), organiser.text
    await organiser.press("Correct a field")
    await organiser.press("Deadline")
    example = re.search(r"for example (\d{4}-\d{2}-\d{2}) or ([^.\n]+)\.", organiser.text)
    assert example, organiser.text
    await organiser.send(example.group(1))  # a past example would be refused here
    assert f"Deadline: {example.group(2)}" in organiser.text
    await organiser.send("/deadline 45/26")
    assert re.search(r"e\.g\. /deadline 72/24 \d{4}-\d{2}-\d{2}\.", organiser.text)


async def test_an_incomplete_document_becomes_a_draft_completed_in_chat(chat, app) -> None:
    subscriber = chat(201)
    await subscriber.send("/subscribe")
    organiser = chat(ADMIN_ID)
    await organiser.upload("no-number.txt", incomplete_document())
    assert "Preview of UA without a number yet (draft)" in organiser.text
    assert "Still needed before publishing:" in organiser.text
    assert "the UA number: press “Correct a field”, then “UA number”" in organiser.text
    assert "the deadline: press “Correct a field”, then “Deadline”" in organiser.text
    assert "Who to write to:\n1. Dr. Irene Solís\n   Attorney General\n" in organiser.text

    await organiser.press("Publish")
    assert "Not published yet. Still needed:" in organiser.text
    assert await count(app, Delivery) == 0

    await correct(organiser, "UA number", "forty-five")
    assert "That is not a UA number: write it like 72/24." in organiser.text
    await organiser.send("045/26")
    assert "Preview of UA 045/26 (draft)" in organiser.text
    assert "the UA number" not in organiser.text

    await correct(organiser, "Deadline", "2026-05-01")
    assert "That date has already passed" in organiser.text
    await organiser.send("15 August 2026")
    assert "Deadline: August 15, 2026" in organiser.text
    assert "Still needed before publishing" not in organiser.text

    await organiser.press("Publish")
    await organiser.press("Yes, send it")
    assert "Published UA 045/26: queued for 1 subscriber." in organiser.text
    assert await count(app, Delivery) == 1
    await subscriber.send("/ua 45/26")  # typed without the zero, found all the same
    assert "Step 1 of 5" in subscriber.text and "August 15, 2026" in subscriber.text


async def test_every_field_can_be_corrected_and_bad_values_are_explained(chat, app) -> None:
    organiser = chat(ADMIN_ID)
    await organiser.upload("ua.txt", fixture_bytes("ua-en-two-targets.txt"))
    await correct(organiser, "Title (English)", "A CORRECTED TITLE")
    assert "Title: A CORRECTED TITLE" in organiser.text
    await correct(organiser, "Country", "Republic of Andes")
    assert "Republic of Andes" in organiser.text
    await correct(organiser, "Preferred language", "Klingon")
    assert "I do not know that language. Write one of: English, Spanish" in organiser.text
    await organiser.send("French")
    assert "Preferred language: French" in organiser.text
    await correct(organiser, "Which UA of the case", "zero")
    assert "Write which UA of the case it is as a number from 1 to 99" in organiser.text
    await organiser.send("3")
    assert "Preview of Third UA 45/26 (draft)" in organiser.text
    await correct(organiser, "Letter (English)", "Dear Minister,\nFree them.")
    assert "Send the rest, or /done" in organiser.text
    await organiser.send("Now.")  # Telegram split a long letter: the rest comes apart
    await organiser.send("/done")
    assert "Letter begins: Free them." in organiser.text
    await correct(organiser, "AI index", "AMR 99/1/2026")
    assert "AMR 99/1/2026" in organiser.text
    await correct(organiser, "Summary (English)", "x" * 10_001)
    assert "this field holds at most 10,000" in organiser.text
    await correct(organiser, "Summary (English)", "A shorter summary.")
    await organiser.send("/done")
    update = await stored_update(app, "45/26")
    async with app.sessions() as session:
        update = await session.get(UAUpdate, update.id, populate_existing=True)
        [text] = [t for t in await session.run_sync(lambda _: update.texts)]
    assert (update.ordinal, update.country, update.preferred_language) == (
        3,
        "Republic of Andes",
        "fr",
    )
    assert (text.salutation, text.letter, text.summary) == (
        "Dear Minister,",
        "Free them.\n\nNow.",
        "A shorter summary.",
    )
    assert await count(app, PendingInput) == 0  # nothing waits once the value is taken
    # A long first paragraph is cut at a word, marked as cut.
    await correct(organiser, "Letter (English)", "Dear Minister,\n" + "release " * 40)
    await organiser.send("/done")
    assert re.search(r"Letter begins: (release )+release…\n", organiser.text), organiser.text


async def test_an_update_number_already_taken_is_refused(chat) -> None:
    organiser = await publish_fixture(chat)
    await organiser.upload("second.txt", fixture_bytes("ua-en-second-update.txt"))
    await correct(organiser, "Which UA of the case", "1")
    assert "UA 45/26 already exists." in organiser.text
    await organiser.send("4")
    assert "Preview of Fourth UA 45/26 (draft)" in organiser.text


async def test_the_draft_is_walked_as_supporters_will_see_it_in_both_languages(chat, app) -> None:
    organiser = chat(ADMIN_ID)
    await organiser.upload("ua.txt", fixture_bytes("ua-en-two-targets.txt"))
    await organiser.upload("ua-es.txt", fixture_bytes("ua-es-two-targets.txt"))
    await organiser.press("See it as supporters will")
    assert "Preview: supporters will see this once it is published." in organiser.text
    assert "Step 1 of 5" in organiser.text and "Community leaders Tomás Quispe" in organiser.text
    for step in range(2, 6):
        await organiser.press("Next")
        assert f"Step {step} of 5" in organiser.text
    assert "Did you act?" in organiser.text
    assert not [b for b in organiser.buttons() if b.data and b.data.startswith("rep:")]
    await organiser.press("See it in Spanish")
    assert "Paso 5 de 5" in organiser.text
    for step in (4, 3, 2, 1):
        await organiser.press("Atrás")
        assert f"Paso {step} de 5" in organiser.text
    assert "Los líderes comunitarios" in organiser.text
    await organiser.press("Volver a la vista previa")
    assert "Preview of UA 45/26 (draft)" in organiser.text  # back in the organiser's language
    assert await count(app, ActionReport) == 0
    supporter = chat(202)
    await supporter.press_data(organiser.button("Publish").data.replace("pub", "prev") + ":1:en")
    assert supporter.text == "Sorry, that is not something I can do for you."


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside the repo")
@pytest.mark.parametrize("seed", ["ua-72-24-sixth-update.txt", "ua-72-24-seventh-update.txt"])
async def test_a_seed_pasted_in_two_parts_imports_exactly_like_its_file(chat, seed: str) -> None:
    text = (SEEDS / seed).read_text(encoding="utf-8")
    organiser = chat(ADMIN_ID)
    await organiser.upload(seed, text.encode())
    from_file = organiser.text
    await organiser.press("Cancel")
    await organiser.press("Yes, throw it away")
    # Telegram cuts a paste over 4,096 characters into messages; each part arrives alone.
    cut = text.rindex("\n", 0, 4000)  # Telegram cuts at a line break under the limit
    first, second = text[:cut].strip(), text[cut:].strip()
    assert len(first) <= 4096 - len("/newua ") and len(second) <= 4096
    await organiser.send(f"/newua {first}")
    assert "Send the rest, or /done" in organiser.text
    await organiser.send(second)
    assert "characters so far" in organiser.text
    await organiser.send("/done")
    assert organiser.text == from_file
    assert "Who to write to:\n1. Larry Devoe" in from_file or "to:\n1. Delcy Rodriguez" in from_file


async def test_a_paste_larger_than_any_ua_is_dropped(chat, app) -> None:
    organiser = chat(ADMIN_ID)
    await organiser.send("/newua")
    assert "Paste the UA text now" in organiser.text
    for _ in range(48):  # 196,608 characters: still a (very long) UA
        await organiser.send("x" * 4096)
    assert "196,608 characters so far" in organiser.text
    await organiser.send("x" * 4096)
    assert "That is more text than a UA has: I dropped it." in organiser.text
    assert await count(app, PendingInput) == 0


async def test_plain_text_from_anyone_else_is_neither_kept_nor_used(chat, app) -> None:
    stranger = chat(203)
    await stranger.send("/newua")
    await stranger.send("URGENT ACTION\nUA: 1/26\nUNTIL: 1 August 2026")
    assert "I do not keep what you write" in stranger.text
    await stranger.send("/done")
    assert stranger.text == "Sorry, that is not something I can do for you."
    assert await count(app, PendingInput) == 0
    assert await count(app, UACase) == 0


async def test_a_document_for_a_live_ua_shows_the_changes_and_asks(chat, app) -> None:
    organiser = await publish_fixture(chat)
    await organiser.send("/deadline 45/26 2026-09-01")
    await organiser.upload("ua.txt", fixture_bytes("ua-en-two-targets.txt"))
    assert "UA 45/26 is live. This document would change it:" in organiser.text
    assert "• Deadline: September 1, 2026 → July 15, 2026" in organiser.text
    await organiser.press("Keep it as it is")
    assert "Nothing changed." in organiser.text
    assert (await stored_update(app, "45/26")).deadline == date(2026, 9, 1)

    changed = fixture_bytes("ua-en-two-targets.txt").replace(
        b"TWO LAND DEFENDERS FACE", b"TWO LAND DEFENDERS STILL FACE"
    )
    await organiser.upload("ua.txt", changed)
    assert "• Title: TWO LAND DEFENDERS FACE TRUMPED-UP CHARGES → TWO LAND" in organiser.text
    await organiser.press("Apply these changes")
    assert "UA 45/26 is changed." in organiser.text
    assert (await stored_update(app, "45/26")).deadline == date(2026, 7, 15)
    assert "Title: TWO LAND DEFENDERS STILL FACE" in organiser.text
    await organiser.upload("ua.txt", changed)
    assert "This document matches UA 45/26, which is live: nothing would change." in (
        organiser.text
    )


async def test_a_second_language_that_disagrees_on_the_deadline_is_flagged(chat, app) -> None:
    organiser = chat(ADMIN_ID)
    await organiser.upload("ua.txt", fixture_bytes("ua-en-two-targets.txt"))
    spanish = fixture_bytes("ua-es-two-targets.txt").decode()
    moved = spanish.replace("15 de julio de 2026", "20 de julio de 2026")
    assert moved != spanish
    await organiser.upload("ua-es.txt", moved.encode())
    assert "This version gives the deadline as July 20, 2026" in organiser.text
    assert "I kept July 15, 2026" in organiser.text
    assert "Languages: English, Spanish" in organiser.text
    assert (await stored_update(app, "45/26")).deadline == date(2026, 7, 15)


async def test_a_closing_notice_offers_to_close_the_live_ua(chat, app) -> None:
    organiser = await publish_fixture(chat)
    notice = (
        "URGENT ACTION\nFurther information on UA 45/26\nThe two land defenders were acquitted "
        "on 1 June 2026.\nNo further action is requested. Many thanks to all who wrote.\n"
    )
    await organiser.upload("closing.txt", notice.encode())
    assert "no further action is requested on UA 45/26. Close it now?" in organiser.text
    await organiser.press("Keep it open")
    assert "Nothing changed." in organiser.text
    await organiser.upload("closing.txt", notice.encode())
    await organiser.press("Close UA 45/26")
    assert "UA 45/26 is closed." in organiser.text
    async with app.sessions() as session:
        assert await session.scalar(select(UACase.closed_at).where(UACase.number == "45/26"))
    supporter = chat(204)
    await supporter.send("/actions")
    assert "There are no open Urgent Actions" in supporter.text
    await organiser.upload("closing.txt", notice.encode())
    assert "which is not live here: there is nothing to close" in organiser.text


async def test_the_spanish_closing_notice_fixture_names_its_ua(chat) -> None:
    organiser = chat(ADMIN_ID)
    await organiser.upload("cierre.txt", (LAYOUTS / "es-closing-notice.txt").read_bytes())
    assert "no further action is requested" in organiser.text
    assert "nothing was stored" in organiser.text


async def test_a_spanish_organiser_reads_what_the_reader_found_in_spanish(chat) -> None:
    organiser = chat(ADMIN_ID, "es")
    await organiser.upload("acta.txt", fixture_bytes("not-a-ua.txt"))
    assert "Esto no parece una Acción Urgente" in organiser.text
    await organiser.upload("roto.pdf", b"%PDF-1.4 basura")
    assert "roto.pdf: este PDF no se puede leer" in organiser.text
    text = "ACCIÓN URGENTE\nUN CASO\nAlguien corre peligro.\n\nAU: 9/26\n\n"
    text += "HASTA EL: mediados de julio\n"
    await organiser.upload("au.txt", text.encode())
    assert "Vista previa de la AU 9/26 (borrador)" in organiser.text
    assert "La fecha límite «mediados de julio» no es una fecha que pueda leer" in organiser.text
    assert "No se encontraron destinatarios" in organiser.text
    assert "la fecha límite: pulsa «Corregir un campo»" in organiser.text


async def test_an_old_button_never_acts_on_a_newer_draft(chat, app) -> None:
    organiser = chat(ADMIN_ID)
    await organiser.upload("ua.txt", fixture_bytes("ua-en-two-targets.txt"))
    old_publish = organiser.button("Publish").data
    await organiser.press("Cancel")
    await organiser.press("Yes, throw it away")
    await organiser.upload("old.txt", fixture_bytes("ua-en-second-update.txt"))
    assert organiser.button("Publish").data != old_publish  # ids are never reused
    await organiser.press_data(old_publish)
    assert "Published" not in organiser.text
    assert await count(app, Delivery) == 0


async def test_what_an_organiser_did_not_ask_for_never_happens(chat, app, clock) -> None:
    organiser = await publish_fixture(chat)  # UA 45/26, its first document, live
    # Words inside the case are no closing notice.
    case = fixture_bytes("ua-en-second-update.txt").replace(
        b"The charges", b"Police told the family that no further action is needed. The charges"
    )
    await organiser.upload("second.txt", case)
    assert "Preview of Second UA 45/26 (draft)" in organiser.text
    # /deadline moves the live update, not the draft waiting beside it.
    await organiser.send("/deadline 45/26 2026-08-20")
    assert "The deadline of UA 45/26 is now August 20, 2026." in organiser.text
    assert (await stored_update(app, "45/26")).deadline == date(2026, 8, 20)
    # A document for the live update cannot move its deadline into the past.
    past = fixture_bytes("ua-en-two-targets.txt").replace(b"July 15, 2026", b"May 1, 2026")
    await organiser.upload("ua.txt", past)
    assert "• Deadline: August 20, 2026 → May 1, 2026 (not applied: That date has already" in (
        organiser.text
    )
    await organiser.press("Apply these changes")
    assert (await stored_update(app, "45/26")).deadline == date(2026, 8, 20)


async def test_an_older_update_is_not_published_over_a_newer_one(chat, app) -> None:
    organiser = chat(ADMIN_ID)
    await organiser.upload("second.txt", fixture_bytes("ua-en-second-update.txt"))
    await organiser.press("Publish")
    await organiser.press("Yes, send it")
    assert "Published Second UA 45/26" in organiser.text
    await organiser.upload("first.txt", fixture_bytes("ua-en-two-targets.txt"))
    await organiser.press("Publish")  # refused at once: no "yes" asked for first
    assert (
        "Second UA 45/26 is already live, and this draft comes before it (First UA)"
        in organiser.text
    )
    assert await count(app, UAUpdate, UAUpdate.status == "published") == 1


async def test_a_new_update_of_a_closed_ua_opens_it_again(chat, app) -> None:
    organiser = await publish_fixture(chat)
    await organiser.send("/close 45/26")
    await organiser.upload("second.txt", fixture_bytes("ua-en-second-update.txt"))
    await organiser.press("Publish")
    await organiser.press("Yes, send it")
    assert "UA 45/26 was closed; it is open again." in organiser.text
    supporter = chat(240)
    await supporter.send("/actions")
    assert "Second UA 45/26" in supporter.text


async def test_the_other_language_joins_the_draft_it_was_asked_for(chat, app) -> None:
    organiser = chat(ADMIN_ID)
    await organiser.upload("ua.txt", fixture_bytes("ua-en-two-targets.txt"))
    await organiser.press("Add the Spanish version")
    spanish = (
        fixture_bytes("ua-es-two-targets.txt").replace(b"AU: 45/26", b"").replace(b"AU 45.26", b"")
    )
    await organiser.upload("es.txt", spanish)
    assert "Preview of UA 45/26 (draft)" in organiser.text
    assert "Languages: English, Spanish" in organiser.text
    assert await count(app, UACase) == 1
    await organiser.upload("ua.txt", fixture_bytes("ua-en-two-targets.txt"))
    assert "This document replaced the English version of the draft" in organiser.text


async def test_another_uas_document_is_not_taken_as_the_other_version(chat, app) -> None:
    organiser = chat(ADMIN_ID)
    await organiser.upload("ua.txt", fixture_bytes("ua-en-two-targets.txt"))
    await organiser.press("Add the Spanish version")
    other_case = fixture_bytes("layouts/es-update-no1.txt")
    await organiser.upload("es.txt", other_case)
    assert "That document is UA 112/20, not UA 45/26: I did not add it" in organiser.text
    await organiser.press("Add the Spanish version")  # the button still there, on the preview
    another_index = fixture_bytes("ua-es-two-targets.txt").replace(b"AU: 45/26", b"")
    another_index = another_index.replace(b"AU 45.26", b"").replace(b"4521", b"4522")
    await organiser.upload("es.txt", another_index)
    assert "That document is the UA with AI index AMR 99/4522/2026, not UA 45/26" in (
        organiser.text
    )
    async with app.sessions() as session:
        draft = await session.scalar(select(UAUpdate))
        assert draft is not None and [t.language for t in draft.texts] == ["en"]
    await organiser.upload("es.txt", other_case)  # sent again: a UA of its own, as it says
    assert "Preview of Second UA 112/20 (draft)" in organiser.text, organiser.text
    assert await count(app, UACase) == 2


async def test_a_draft_without_marks_of_its_own_takes_no_other_case(chat, app) -> None:
    organiser = chat(ADMIN_ID)
    await organiser.upload("no-number.txt", incomplete_document())  # no number, has an index
    await organiser.press("Add the Spanish version")
    await organiser.upload("es.txt", fixture_bytes("layouts/es-update-no1.txt"))
    assert "That document is UA 112/20, and this draft has no UA number yet" in organiser.text
    # The second UA of 45/26, its index line gone (web pages often have none), is sent the
    # first UA's Spanish page: its plain "AU: 45/26" and other deadline give it away.
    second = fixture_bytes("ua-en-second-update.txt").replace(b"Index: AMR 99/4600/2026 ", b"")
    await organiser.upload("second.txt", second)
    await organiser.press("Add the Spanish version")
    await organiser.upload("es.txt", fixture_bytes("ua-es-two-targets.txt"))
    assert "That document is UA 45/26, not Second UA 45/26: I did not add it" in organiser.text
    async with app.sessions() as session:
        drafts = (await session.scalars(select(UAUpdate))).all()
        assert all([t.language for t in d.texts] == ["en"] for d in drafts)
        assert {d.index_code for d in drafts} == {"AMR 99/4521/2026", None}


async def test_a_document_that_does_not_say_its_place_gets_one_named(chat) -> None:
    organiser = chat(ADMIN_ID)
    await organiser.upload("further.txt", fixture_bytes("layouts/en-further-info-2016.txt"))
    assert "does not say which UA of its case it is. I took it as: First UA." in (organiser.text), (
        organiser.text
    )


async def test_stale_and_forged_buttons_get_the_right_answer(chat) -> None:
    organiser = chat(ADMIN_ID)
    await organiser.upload("ua.txt", fixture_bytes("ua-en-two-targets.txt"))
    buttons = {b.label: b.data for b in organiser.buttons()}
    await chat(241).press_data(buttons["Correct a field"])
    await organiser.press("Cancel")
    await organiser.press("Yes, throw it away")
    for label in ("Publish", "Correct a field", "See it as supporters will"):
        await organiser.press_data(buttons[label])
        assert "That draft is gone" in organiser.text, label
    stranger = chat(242)
    for data in buttons.values():
        await stranger.press_data(data)
        assert stranger.text == "Sorry, that is not something I can do for you.", data


def _numbers_pasted() -> list[str]:
    """A paste that is slow to read: Telegram's 4,096-character parts, each all UA numbers
    (found by a helper: 48 such parts froze every other person's /start for 17-19 s)."""
    return [("UA 1/11 " * 600)[:4096]] * 48


async def _paste(organiser, parts: list[str]) -> None:
    await organiser.send("/newua")
    for part in parts:
        await organiser.send(part)


async def test_pasted_text_is_read_apart_with_the_files_time_limit(chat, app) -> None:
    organiser = chat(ADMIN_ID)
    await _paste(organiser, [fixture_bytes("ua-en-two-targets.txt").decode()])
    app.documents = DocumentReader(seconds=0.01)  # no child process answers that fast
    await organiser.send("/done")
    assert "too large or too complex to be a UA document" in organiser.text


async def test_a_slow_paste_keeps_no_one_else_waiting(chat, app) -> None:
    organiser, other = chat(ADMIN_ID), chat(310)
    await _paste(organiser, _numbers_pasted())
    done = asyncio.create_task(organiser.send("/done"))
    await asyncio.sleep(0)  # /done begins: its reading goes to a process of its own
    await other.send("/start")
    assert "Welcome!" in other.text
    assert not done.done(), "the other person's /start waited for the paste to be read"
    await done
    assert "Preview of UA 1/11 (draft)" in organiser.text


async def test_characters_no_letter_file_can_hold_are_dropped_when_typed(chat, app) -> None:
    organiser = chat(ADMIN_ID)
    await organiser.upload("ua.txt", fixture_bytes("ua-en-two-targets.txt"))
    letter = "Dear Minister,\nRelease them\uffff now\x0b, please.\ud800"
    await correct(organiser, "Letter (English)", letter)
    await organiser.send("/done")
    await organiser.press("Publish")
    await organiser.press("Yes, send it")
    reader = chat(320)
    await reader.open_step("45/26", 3)
    await reader.press("Get the letter as a file")
    txt, docx = reader.files
    assert "Release them now, please." in txt.content.decode()
    assert docx.content.startswith(b"PK")  # a .docx was made, no apology instead


async def test_a_one_line_field_stays_one_line_and_loses_bidi_overrides(chat, app) -> None:
    organiser = chat(ADMIN_ID)
    await organiser.upload("ua.txt", fixture_bytes("ua-en-two-targets.txt"))
    await correct(organiser, "Title (English)", "FREE THE DEFENDERS\nDeadline: tomorrow!\u202e")
    assert "Title: FREE THE DEFENDERS Deadline: tomorrow!\n" in organiser.text
    async with app.sessions() as session:
        titles = list(await session.scalars(select(UAText.title)))
    assert titles == ["FREE THE DEFENDERS Deadline: tomorrow!"]


async def test_another_language_for_a_live_ua_is_checked_like_a_draft_s(chat, app) -> None:
    organiser = chat(ADMIN_ID)
    await organiser.upload("ua.txt", fixture_bytes("ua-en-two-targets.txt"))
    await organiser.press("Publish")
    await organiser.press("Yes, send it")
    spanish = fixture_bytes("ua-es-two-targets.txt")
    other_case = spanish.replace(b"AMR 99/4521/2026", b"AMR 99/7777/2026")
    await organiser.upload("otra.txt", other_case)
    assert "UA 45/26 is live. This document would change it:" in organiser.text
    assert "AMR 99/4521/2026 → AMR 99/7777/2026" in organiser.text
    async with app.sessions() as session:
        languages = list(await session.scalars(select(UAText.language)))
    assert languages == ["en"]  # nothing added unasked
    await organiser.press("Keep it as it is")
    await organiser.upload("ua-es.txt", spanish)
    assert "UA 45/26 is live: its Spanish version is added" in organiser.text
    assert "Title: DOS DEFENSORES" in organiser.text  # the version just added is shown
