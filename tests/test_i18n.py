"""Translations are part of the feature: every message in the code has its Spanish text."""

from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from handlers.i18n import LOCALE_DIR, Catalogs, language_from_hint

ROOT = Path(__file__).resolve().parents[1]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")


def code_messages() -> set[str | tuple[str, str]]:
    found: set[str | tuple[str, str]] = set()
    for folder in ("bot", "handlers", "uareader"):
        for _, _, message, _, _ in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            found.add(message if isinstance(message, str) else tuple(message))
    return found


def catalog(language: str):
    with (LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=language)


def test_every_message_in_the_code_is_translated_into_spanish() -> None:
    spanish = catalog("es")
    translated = {}
    for message in spanish:
        if message.id:
            key = message.id if isinstance(message.id, str) else tuple(message.id)
            translated[key] = message
    missing = [m for m in code_messages() if m not in translated]
    workflow = "run the pybabel workflow in docs/translations.md"
    assert not missing, f"{workflow}; not in es catalog: {missing}"
    empty = [
        key
        for key, message in translated.items()
        if not (message.string if isinstance(message.string, str) else all(message.string))
        or message.fuzzy
    ]
    assert not empty, f"untranslated or fuzzy Spanish messages: {empty}"


def test_no_message_is_written_inside_an_f_string() -> None:
    """pybabel does not look inside f-strings: a message there is never extracted, so it
    reaches a Spanish reader in English and the test above cannot see it."""
    hidden = []
    for folder in ("bot", "handlers", "uareader"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.JoinedStr):
                    continue
                for call in ast.walk(node):
                    if (
                        isinstance(call, ast.Call)
                        and getattr(call.func, "attr", getattr(call.func, "id", None)) in KEYWORDS
                        and call.args
                        and isinstance(call.args[0], ast.Constant)
                    ):
                        hidden.append(f"{path.relative_to(ROOT)}:{call.lineno}")
    assert not hidden, f"write these as _('... {{name}}').format(...): {hidden}"


def test_catalogs_hold_no_message_the_code_dropped() -> None:
    in_code = code_messages()
    for language in ("en", "es"):
        stale = [
            m.id
            for m in catalog(language)
            if m.id and (m.id if isinstance(m.id, str) else tuple(m.id)) not in in_code
        ]
        assert not stale, f"{language}: messages no longer in the code: {stale}"


def test_spanish_keeps_every_placeholder() -> None:
    for message in catalog("es"):
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        expected = set(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) == expected, message.id


def test_plural_forms_and_dates() -> None:
    spanish = Catalogs().get("es")
    one = spanish.ngettext(
        "Deadline: {date} ({days} day left).", "Deadline: {date} ({days} days left).", 1
    )
    many = spanish.ngettext(
        "Deadline: {date} ({days} day left).", "Deadline: {date} ({days} days left).", 3
    )
    assert one.startswith("Fecha límite") and "queda {days} día" in one
    assert "quedan {days} días" in many
    assert spanish.date(date(2026, 8, 30)) == "30 de agosto de 2026"
    assert Catalogs().get("en").date(date(2026, 8, 30)) == "August 30, 2026"
    assert spanish.number(1233) == "1233" or spanish.number(1233) in ("1.233", "1 233")


def test_language_from_telegram_hint() -> None:
    assert language_from_hint("es-419", "en") == "es"
    assert language_from_hint("ES", "en") == "es"
    assert language_from_hint("pt-BR", "en") == "en"
    assert language_from_hint(None, "es") == "es"
    assert language_from_hint("en", "es") == "es"


def test_plural_entries_have_every_form_the_language_needs() -> None:
    for language in ("en", "es"):
        messages = catalog(language)
        for message in messages:
            if message.id and not isinstance(message.id, str):
                forms = message.string if language == "es" else message.string or message.id
                assert len(forms) == messages.num_plurals, (language, message.id)
                if language == "es":
                    assert all(forms), f"a Spanish plural form is empty: {message.id}"
