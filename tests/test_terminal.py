"""The terminal channel of ``uabot demo``: what it shows and keeps, without a bot behind it."""

from __future__ import annotations

import io
from pathlib import Path

from bot.channels.terminal import WAITING_PER_PERSON, TerminalChannel
from handlers.contract import Button, Text
from handlers.i18n import Catalogs


def test_the_demo_keeps_what_the_bot_sent_another_person_for_when_you_switch_to_them() -> None:
    out = io.StringIO()
    channel = TerminalChannel(
        dispatcher=None,  # type: ignore[arg-type]  # nothing is typed: no update is handled
        stdin=io.StringIO(),
        stdout=out,
        files_dir=Path("unused"),
        tr=Catalogs().get("en"),
    )
    channel.deliver(1, Text("For you, at the keyboard"))
    for n in range(WAITING_PER_PERSON + 5):
        channel.deliver(2, Text(f"UA number {n}\nits case", buttons=((Button("Next »", "x"),),)))
    assert "(to person 2: UA number 0)" in out.getvalue()
    assert "its case" not in out.getvalue()
    channel.switch_to(2)
    shown = out.getvalue().rsplit("(you are now person 2)", 1)[1]
    assert f"({WAITING_PER_PERSON} messages arrived for you meanwhile)" in shown
    assert "UA number 4\n" not in shown and "UA number 5\n" in shown  # the oldest went first
    assert channel.parse("1") is not None  # the last message's button can be pressed
    channel.switch_to(2)
    assert "arrived for you meanwhile" not in out.getvalue().rsplit("(you are now person 2)")[-1]
