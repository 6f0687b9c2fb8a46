"""handlers.recipients: who to write to and who to copy, corrected in chat by an organiser."""

from __future__ import annotations

from storage.uas import get_update
from tests.conftest import ADMIN_ID, correct, fixture_bytes

MINISTER = (
    "Minister of Justice\nDr. Mateo Rojas Vela\nAvenida Central 500\n"
    "La Cumbre 04010, Andean Republic\nEmail: despacho@justicia.andes.example"
)
PROSECUTOR = "Attorney General\nSra. Inés Paredes\nCalle Real 12\nLa Cumbre 04020"


async def _draft_without_recipients(chat):
    organiser = chat(ADMIN_ID)
    await organiser.upload("ua.txt", fixture_bytes("ua-en-no-recipient.txt"))
    await organiser.press("Correct a field")
    await organiser.press("Who to write to")
    return organiser


def _names(text: str) -> list[str]:
    return [line.split(". ", 1)[1] for line in text.splitlines() if line[:2] in ("1.", "2.")]


async def test_recipients_are_added_reordered_edited_and_removed(chat, app) -> None:
    organiser = await _draft_without_recipients(chat)
    for block in (MINISTER, PROSECUTOR):
        await organiser.press("Add one")
        await organiser.send(block)
    assert _names(organiser.text) == ["Dr. Mateo Rojas Vela", "Sra. Inés Paredes"]
    await organiser.press("Move 2 up")
    assert _names(organiser.text) == ["Sra. Inés Paredes", "Dr. Mateo Rojas Vela"]
    await organiser.press("Edit 2")  # the block comes back, to copy and correct
    assert organiser.text.endswith(
        "Dr. Mateo Rojas Vela\nMinister of Justice\nAvenida Central 500\n"
        "La Cumbre 04010, Andean Republic\nEmail: despacho@justicia.andes.example"
    )
    await organiser.send(MINISTER.replace("despacho@", "ministro@"))
    assert "   Email: ministro@justicia.andes.example" in organiser.text
    await organiser.press("Remove 1")
    assert _names(organiser.text) == ["Dr. Mateo Rojas Vela"]
    await organiser.press("Replace all")
    await organiser.send(f"{PROSECUTOR}\n\n{MINISTER}")
    assert _names(organiser.text) == ["Sra. Inés Paredes", "Dr. Mateo Rojas Vela"]
    async with app.sessions() as session:
        update = await get_update(session, 1)
        assert update is not None
        assert [t["name"] for t in update.texts[0].targets] == _names(organiser.text)


async def test_a_paste_that_reads_as_no_recipient_changes_nothing(chat, app) -> None:
    organiser = await _draft_without_recipients(chat)
    await organiser.press("Add one")
    for paste, said in (
        ("hello", "I read “hello” as a name, but no address or email under it"),
        ("Calle Real 12\nLa Cumbre 04020", "I found no name or office in that, only: Calle Real"),
        (f"{MINISTER}\n\n{PROSECUTOR}", "That reads as 2 recipients; send one here"),
        ("Please write to the minister today.", "I could not read a recipient in that."),
    ):
        await organiser.send(paste)
        assert (
            said in organiser.text
            and "Minister of the Interior\nMr. Rafael Ortiz" in organiser.text
        )
    await organiser.send(MINISTER)  # still waiting for the paste: the next one is taken
    assert _names(organiser.text) == ["Dr. Mateo Rojas Vela"]


async def test_the_copy_block_is_set_apart_and_both_languages_share_the_list(chat, app) -> None:
    organiser = chat(ADMIN_ID, "es")
    await organiser.upload("ua.txt", fixture_bytes("ua-en-no-recipient.txt"))
    await organiser.upload("ua-es.txt", fixture_bytes("ua-es-no-recipient.txt"))
    await organiser.press("Corregir un campo")
    await organiser.press("Copia a (CC)")
    assert organiser.text.startswith("Envía una copia de tu carta a:\n\nNadie todavía.")
    await organiser.press("Añadir uno")
    assert "Envía el destinatario como lo presenta el documento" in organiser.text
    await organiser.send(
        "Embajada de la República Andina\nSr. Jorge Ugarte, Encargado de Negocios\n"
        "Calle Príncipe de Vergara 36\n28001 Madrid"
    )
    assert "1. Embajada de la República Andina\n   Sr. Jorge Ugarte" in organiser.text
    async with app.sessions() as session:
        update = await get_update(session, 1)
        assert update is not None and len(update.texts) == 2
        assert [text.cc[0]["organisation"] for text in update.texts] == [
            "Embajada de la República Andina"
        ] * 2


async def test_publish_and_cancel_ask_first(chat, app) -> None:
    organiser = chat(ADMIN_ID)
    await organiser.upload("ua.txt", fixture_bytes("ua-en-two-targets.txt"))
    await organiser.press("Cancel")
    assert organiser.text == ("Throw away the draft of UA 45/26 and every correction made to it?")
    await organiser.press("No, keep it")
    assert organiser.text.startswith("Preview of UA 45/26 (draft)")
    await organiser.press("Publish")
    await organiser.press("Not yet")
    assert organiser.text.startswith("Preview of UA 45/26 (draft)")
    await organiser.press("Cancel")
    await organiser.press("Yes, throw it away")
    assert organiser.text == "Cancelled: the draft is deleted."


async def test_a_spanish_version_is_typed_for_an_english_only_ua(chat, app) -> None:
    organiser = chat(ADMIN_ID)
    await organiser.upload("ua.txt", fixture_bytes("ua-en-two-targets.txt"))
    await correct(organiser, "Title (Spanish)", "DOS DEFENSORES DE LA TIERRA ACUSADOS")
    assert "Languages: English, Spanish" in organiser.text
    reader = chat(301, "es")
    await organiser.press("Publish")
    await organiser.press("Yes, send it")
    await reader.open_step("45/26", 2)
    assert "Dr. Irene Solís" in reader.text  # the one list, in the new version too
    await reader.open_step("45/26", 3)
    assert "Dear Attorney General," in reader.text  # no Spanish letter typed: the English one


async def test_a_recipient_read_without_a_name_stops_publishing_until_named(chat, app) -> None:
    organiser = await _draft_without_recipients(chat)
    await organiser.press("Replace all")
    await organiser.send(MINISTER)
    async with app.sessions() as session, session.begin():  # as the reader leaves a street
        update = await get_update(session, 1)
        assert update is not None
        for text in update.texts:
            text.targets = [
                {"name": "", "address": ["Av. Abancay s/n"], "marks": {"name": "doubtful"}}
            ]
    await organiser.press("Back to the preview")
    assert "1. — (doubtful: correct it)\n   Av. Abancay s/n" in organiser.text
    await organiser.press("Publish")
    assert "a name for recipient 1 (the document gave only an address)" in organiser.text
