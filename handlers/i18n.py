"""Babel gettext catalogs for English and Spanish, compiled from ``locale/`` at start-up.

``locale/`` installs as the package ``uabot_locale``, so an installed wheel finds its
catalogs wherever it lives; a source tree used without installing falls back to the folder.

Compiling the ``.po`` files in memory when the application is built keeps the catalogs and
the running code in step without committing binary ``.mo`` files. The locale is always
passed explicitly (``Catalogs.get("es")``): broadcasts and reminders format text for many
people at once, so there is no global "current language".
"""

from __future__ import annotations

import gettext
import io
from datetime import date
from importlib.util import find_spec
from pathlib import Path

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from uareader.phrases import Phrase

#: The catalogs in the source tree.
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = ("en", "es")
DOMAIN = "messages"


class Translator:
    """gettext, ngettext and locale-aware dates and numbers for one language."""

    def __init__(self, language: str, translations: gettext.NullTranslations) -> None:
        self.language = language
        self._translations = translations

    def gettext(self, message: str) -> str:
        return self._translations.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return self._translations.ngettext(singular, plural, count)

    def date(self, value: date) -> str:
        """A date as people of this language write it: "30 de agosto de 2026"."""
        return format_date(value, format="long", locale=self.language)

    def number(self, value: int) -> str:
        return format_decimal(value, locale=self.language)

    def decimal(self, value: float, pattern: str) -> str:
        """``value`` with the digits ``pattern`` asks for ("0.0": one decimal), written as
        people here write it: 0.1 in English, 0,1 in Spanish."""
        return format_decimal(value, format=pattern, locale=self.language)

    def say(self, phrase: Phrase) -> str:
        """``phrase`` in this language, its dates written as people here write them and
        the phrases within it said too ("Seventh UA" inside "{nth} {number}")."""
        values = {name: self._said(value) for name, value in phrase.values.items()}
        return Phrase(phrase.template, **values).translated(self.gettext)

    def _said(self, value: object) -> object:
        if isinstance(value, date):
            return self.date(value)
        if isinstance(value, Phrase):
            return self.say(value)
        return value


class Catalogs:
    """The compiled catalogs of every supported language."""

    def __init__(self, locale_dir: Path | None = None) -> None:
        locale_dir = locale_dir or installed_locale_dir()
        self._translators: dict[str, Translator] = {}
        for language in LANGUAGES:
            po_path = locale_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po"
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file, locale=language)
            buffer = io.BytesIO()
            write_mo(buffer, catalog)
            buffer.seek(0)
            self._translators[language] = Translator(language, gettext.GNUTranslations(buffer))

    def get(self, language: str | None) -> Translator:
        """The translator for ``language``, English when it is not one we speak."""
        return self._translators.get(language or "en", self._translators["en"])


def installed_locale_dir() -> Path:
    """The catalogs as installed: a wheel's ``uabot_locale`` folder, or the source tree's
    ``locale/`` through an editable install (a namespace package: its search path, not
    importlib.resources, which fails on an editable install's path hook entry)."""
    spec = find_spec("uabot_locale")
    for entry in spec.submodule_search_locations or [] if spec else []:
        if (Path(entry) / "en").is_dir():
            return Path(entry)
    return LOCALE_DIR  # a source tree used without installing it


def language_from_hint(hint: str | None, default: str) -> str:
    """Spanish for any ``es*`` language code Telegram reports, else the configured default."""
    if hint and hint.lower().startswith("es"):
        return "es"
    return default
