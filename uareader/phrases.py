"""Messages for a person, kept untranslated until someone reads them.

The reader knows no language of its readers: what it has to say about a document (a field
it could not read, why the file cannot become a UA) is a Phrase, which the chat translates
into each reader's language and the command line prints in English. ``N_`` marks such a
template for the catalogs' extraction.
"""

from __future__ import annotations

from collections.abc import Callable


def N_(message: str) -> str:
    """Mark a string for extraction where it is defined; translate it where it is shown."""
    return message


class Phrase:
    """A message for a person, kept untranslated with its values until it is shown, so code
    that knows no reader (the UA reader) can still speak to each in their language.
    ``str()`` is the English text, for logs, JSON and the command line."""

    def __init__(self, template: str, **values: object) -> None:
        self.template = template
        self.values = values

    def __str__(self) -> str:
        return self.template.format(**self.values) if self.values else self.template

    def __repr__(self) -> str:
        return f"Phrase({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Phrase) and str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))

    def translated(self, gettext: Callable[[str], str]) -> str:
        text = gettext(self.template)
        return text.format(**self.values) if self.values else text
