"""Button data: every kind reads back as built, within Telegram's 64 bytes; anything else,
and data from buttons already in people's chats, reads as it should."""

from __future__ import annotations

import dataclasses

import pytest

from handlers.buttons import (
    MAX_DATA_BYTES,
    ButtonData,
    Forget,
    OpenActions,
    Report,
    Step,
    Subscription,
    read_button,
)
from handlers.codec import MAX_WORD

#: The largest value of each field type a button is built with.
WIDEST = {"int": 10**9, "str": "x" * MAX_WORD, "bool": True}


def _examples(kind: type[ButtonData]) -> list[ButtonData]:
    """The kind with every field at its widest, then without each optional field, and with
    each yes/no field false."""
    fields = dataclasses.fields(kind)  # type: ignore[arg-type]
    widest = {f.name: WIDEST[str(f.type).split(" ")[0]] for f in fields}
    examples = [kind(**widest)]
    optional = [f.name for f in fields if f.default is not dataclasses.MISSING]
    for cut in range(len(optional)):
        examples.append(kind(**{k: v for k, v in widest.items() if k not in optional[cut:]}))
    if any(isinstance(value, bool) for value in widest.values()):
        examples.append(kind(**{k: False if v is True else v for k, v in widest.items()}))
    return examples


@pytest.mark.parametrize("kind", list(ButtonData._kinds.values()), ids=lambda kind: kind.__name__)
def test_every_kind_reads_back_as_built_within_64_bytes(kind: type[ButtonData]) -> None:
    for example in _examples(kind):
        assert len(example.data.encode()) <= MAX_DATA_BYTES
        assert read_button(example.data) == example


def test_buttons_already_in_chats_read_as_before() -> None:
    assert read_button("list") == OpenActions()
    assert read_button("list:10") == OpenActions(10)
    assert read_button("sub:on") == Subscription(on=True)
    assert read_button("forget:yes") == Forget(confirmed=True)
    assert read_button("rep:12:letter") == Report(12, "letter")
    assert read_button("ua:12:3:es") == Step(12, 3, "es")


@pytest.mark.parametrize(
    "data",
    [
        "",
        "nonsense",
        "ua",
        "ua:1",
        "ua:1:2:es:extra",
        "ua:²:1",
        "ua:-1:1",
        "pub:" + "9" * 5000,
        "sub:maybe",
        "forget:on",
        "lang:",
        "keepopen:1",
        f"rep:{2**70}:letter",
        "rep:1:" + "x" * 99,
    ],
)
def test_anything_else_reads_as_nothing(data: str) -> None:
    assert read_button(data) is None


def test_data_over_telegrams_limit_is_refused_when_built() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        _ = Report(10**9, "x" * 60).data
