"""Random updates against the real dispatcher and handlers (Hypothesis): whatever arrives,
nothing escapes as an error, and every answer is in the language of the person asking.

400 examples per database by default; for a longer run set ``UABOT_FUZZ_EXAMPLES``, e.g.
``UABOT_FUZZ_EXAMPLES=5000 .venv/bin/python -m pytest tests/test_dispatcher.py``."""

from __future__ import annotations

import os
import re
from pathlib import Path

from babel.messages.pofile import read_po
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.dispatcher import Dispatcher
from handlers.commands import COMMANDS
from handlers.contract import Document, File, Incoming, Text
from handlers.i18n import LOCALE_DIR, language_from_hint
from storage.supporters import find_supporter
from tests.conftest import ADMIN_ID, fixture_bytes, publish_fixture

PLACEHOLDER = re.compile(r"\{[^}]*\}")
USERS = [ADMIN_ID, 1, 2, 3, 4]
HINTS = [None, "en", "es", "es-AR", "pt-BR", "zz"]
CALLBACK_PREFIXES = ["lang", "sub", "disc", "rem", "forget", "ua", "file", "rep", "undo", "later"]
CALLBACK_PREFIXES += ["pub", "drop", "addlang", "nonsense"]
ODD_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=0, max_size=60
)
HUGE_TEXT = st.integers(4_000, 20_000).map(lambda n: "ж" * n)
ARGUMENT = st.one_of(
    st.sampled_from(["45/26", "45.26", "1", "0", "-3", "2026-09-15", "organiser", "admin"]),
    st.integers(-(2**40), 2**40).map(str),
    ODD_TEXT,
)


def callback_data() -> st.SearchStrategy[str]:
    parts = st.one_of(st.integers(0, 5).map(str), st.sampled_from(["en", "es", "letter", "on"]))
    built = st.builds(
        lambda prefix, rest: ":".join([prefix, *rest]),
        st.sampled_from(CALLBACK_PREFIXES),
        st.lists(parts, max_size=3),
    )
    return st.one_of(built, ODD_TEXT).map(lambda data: data.encode()[:64].decode(errors="ignore"))


def incoming_update() -> st.SearchStrategy[Incoming]:
    documents = st.one_of(
        st.builds(
            Document,
            st.sampled_from(["ua.txt", "ua.pdf", "ua.docx", "virus.exe", ""]),
            st.binary(max_size=3_000),
        ),
        st.sampled_from(["ua-en-two-targets.txt", "ua-es-two-targets.txt", "not-a-ua.txt"]).map(
            lambda name: Document(name, fixture_bytes(name))
        ),
    )
    payload = st.one_of(
        st.fixed_dictionaries(
            {
                "command": st.one_of(st.sampled_from(COMMANDS.names), ODD_TEXT),
                "args": st.lists(ARGUMENT, max_size=4).map(tuple),
            }
        ),
        st.fixed_dictionaries({"callback_data": callback_data()}),
        st.fixed_dictionaries({"text": st.one_of(ODD_TEXT, HUGE_TEXT)}),
        st.fixed_dictionaries({"document": documents}),
    )
    return st.builds(
        lambda user, hint, fields: Incoming(
            platform="telegram",
            user_id=user,
            chat_id=user,
            language_hint=hint,
            message_id=7 if "callback_data" in fields else None,
            **fields,
        ),
        st.sampled_from(USERS),
        st.sampled_from(HINTS),
        payload,
    )


def foreign_phrases(language: str, locale_dir: Path = LOCALE_DIR) -> list[str]:
    """Pieces of the catalog's messages (between placeholders) in the other language that
    do not occur in this one: any of them in an answer is a string left untranslated."""
    with (locale_dir / "es" / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        catalog = [message for message in read_po(po_file) if message.id]

    def texts(value: str | tuple[str, ...]) -> tuple[str, ...]:
        return value if isinstance(value, tuple) else (value,)

    english = [text for message in catalog for text in texts(message.id)]
    spanish = [text for message in catalog for text in texts(message.string)]
    own, other = (spanish, english) if language == "es" else (english, spanish)
    known = " ".join(own)
    pieces = (piece.strip(" .,:;!?()¡¿\n") for text in other for piece in PLACEHOLDER.split(text))
    return sorted({piece for piece in pieces if len(piece) >= 14 and piece not in known})


def shown_text(reply: object) -> str:
    if isinstance(reply, Text):
        labels = [button.label for row in reply.buttons for button in row]
        return "\n".join([reply.text, *labels])
    if isinstance(reply, File):
        return reply.caption or ""
    return str(getattr(reply, "text", ""))


FOREIGN = {language: foreign_phrases(language) for language in ("en", "es")}
_prepared: set[int] = set()


@settings(
    max_examples=int(os.environ.get("UABOT_FUZZ_EXAMPLES", "400")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(incoming=incoming_update())
async def test_random_updates_never_fail_and_answer_in_the_persons_language(
    app, chat, incoming: Incoming
) -> None:
    if id(app) not in _prepared:  # once per database: the examples share it and its state
        _prepared.add(id(app))
        await publish_fixture(chat)
    replies = await Dispatcher(app).handle(incoming)
    assert app.metrics.updates.labels("error")._value.get() == 0, "a handler raised: see log"
    async with app.sessions() as session:
        person = await find_supporter(
            session, "telegram", app.vault.lookup_hash("telegram", incoming.user_id)
        )
    language = (
        person.language
        if person
        else language_from_hint(incoming.language_hint, app.settings.bot.default_language)
    )
    echoed = [part for part in (incoming.command, *incoming.args, incoming.text) if part]
    for reply in replies:
        text = shown_text(reply)
        for part in echoed:  # what the person wrote may be quoted back, in their words
            text = text.replace(part[:32], "")
        wrong = [phrase for phrase in FOREIGN[language] if phrase in text]
        assert not wrong, f"answer to a {language} speaker holds {wrong}: {text[:300]!r}"


def test_the_language_check_knows_enough_phrases_to_catch_a_slip() -> None:
    assert len(FOREIGN["es"]) > 50 and len(FOREIGN["en"]) > 50
    assert any("Open Urgent Actions" in phrase for phrase in FOREIGN["es"])
