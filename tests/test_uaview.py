"""How the bot names a UA's documents, in both languages."""

from __future__ import annotations

import pytest

from handlers.i18n import Catalogs
from handlers.uaview import nth_ua, ua_phrase


@pytest.mark.parametrize(
    ("number", "ordinal", "english", "spanish"),
    [
        ("72/24", 1, "UA 72/24", "AU 72/24"),
        ("72/24", 2, "Second UA 72/24", "Segunda AU 72/24"),
        ("72/24", 7, "Seventh UA 72/24", "Séptima AU 72/24"),
        (None, 1, "UA without a number yet", "AU todavía sin número"),
        (None, 3, "UA without a number yet · Third UA", "AU todavía sin número · Tercera AU"),
    ],
)
def test_documents_are_named_as_amnesty_names_them(
    number: str | None, ordinal: int, english: str, spanish: str
) -> None:
    catalogs = Catalogs()
    assert catalogs.get("en").say(ua_phrase(number, ordinal)) == english
    assert catalogs.get("es").say(ua_phrase(number, ordinal)) == spanish
    assert str(ua_phrase(number, ordinal)) == english  # for logs, the audit and the CLI


@pytest.mark.parametrize(
    ("ordinal", "english"),
    [
        (12, "Twelfth UA"),
        (13, "13th UA"),
        (21, "21st UA"),
        (22, "22nd UA"),
        (23, "23rd UA"),
        (24, "24th UA"),
        (111, "111th UA"),
        (99, "99th UA"),
    ],
)
def test_past_twelve_the_place_is_written_in_figures(ordinal: int, english: str) -> None:
    catalogs = Catalogs()
    assert catalogs.get("en").say(nth_ua(ordinal)) == english
    if ordinal > 12:
        assert catalogs.get("es").say(nth_ua(ordinal)) == f"{ordinal}.ª AU"
