"""Small typed values written as short text and read back: what a button sends when pressed
(``handlers.buttons``) and what an organiser's next message is awaited for
(``handlers.awaited``).

A value is a frozen dataclass whose fields are ints, short words or yes/no, optional ones
last. It is written as its kind's prefix and its fields joined by ":" and read back field
by field, so what is written and what is read cannot drift apart. What comes back may be
untrusted (anyone can send any callback data): whatever does not read as one of a family's
kinds is None.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar, TypeVar

from handlers.context import whole_number

#: A text field (a language code, an action kind, a field name) is a short word.
MAX_WORD = 24

C = TypeVar("C", bound="Coded")


class Coded:
    """A family of kinds: a direct subclass, made with ``family=True``, keeps its kinds
    (``read`` finds them by prefix) and the most bytes one may take when written."""

    prefix: ClassVar[str]
    #: How a yes/no field is written: (yes, no).
    yes_no: ClassVar[tuple[str, str]] = ("on", "off")
    #: The most bytes a written value may take, and what sets that limit.
    most_bytes: ClassVar[int]
    limit_name: ClassVar[str]
    _kinds: ClassVar[dict[str, type[Coded]]]

    def __init_subclass__(cls, prefix: str = "", family: bool = False, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if family:
            cls._kinds = {}
            return
        if prefix in cls._kinds:
            raise ValueError(f"two kinds of {cls.limit_name} use the prefix {prefix!r}")
        cls.prefix = prefix
        cls._kinds[prefix] = cls

    @property
    def data(self) -> str:
        values = [getattr(self, field.name) for field in dataclasses.fields(self)]  # type: ignore[arg-type]
        parts = [self.prefix, *(self._write(value) for value in values if value is not None)]
        data = ":".join(parts)
        if len(data.encode()) > self.most_bytes:
            raise ValueError(f"{self.limit_name} over {self.most_bytes} bytes: {data!r}")
        return data

    def _write(self, value: object) -> str:
        if isinstance(value, bool):
            return self.yes_no[0] if value else self.yes_no[1]
        return str(value)

    @classmethod
    def read(cls: type[C], data: str) -> C | None:
        """The kind of this family ``data`` was written by, or None for anything else."""
        prefix, _, rest = data.partition(":")
        kind = cls._kinds.get(prefix)
        if kind is None:
            return None
        found = kind._read_fields(rest.split(":") if rest else [])
        return found if isinstance(found, cls) else None

    @classmethod
    def _read_fields(cls, parts: list[str]) -> Coded | None:
        fields = dataclasses.fields(cls)  # type: ignore[arg-type]
        if len(parts) > len(fields):
            return None
        values: dict[str, object] = {}
        for index, field in enumerate(fields):
            if index >= len(parts):
                if field.default is dataclasses.MISSING:
                    return None
                break
            value = cls._read_field(str(field.type), parts[index])
            if value is None:
                return None
            values[field.name] = value
        return cls(**values)

    @classmethod
    def _read_field(cls, kind: str, text: str) -> object | None:
        if kind.startswith("int"):
            return whole_number(text)
        if kind.startswith("bool"):
            return {cls.yes_no[0]: True, cls.yes_no[1]: False}.get(text)
        return text if 0 < len(text) <= MAX_WORD else None
