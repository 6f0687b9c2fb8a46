"""The one list of commands: /help, menus and routing agree for every role."""

from __future__ import annotations

import pytest

from bot.app import App
from handlers.commands import COMMANDS, Command, CommandList
from handlers.contract import Menu
from handlers.router import HANDLERS
from storage.statuses import Role
from tests.conftest import ADMIN_ID

ORGANISER_ID = 7_301_115


def _help_names(text: str) -> set[str]:
    return {line.split()[0][1:] for line in text.splitlines() if line.startswith("/")}


async def test_each_role_s_help_lists_exactly_the_commands_it_may_use(chat) -> None:
    admin, organiser, supporter = chat(ADMIN_ID), chat(ORGANISER_ID), chat(7_301_116)
    await admin.send(f"/grant {ORGANISER_ID} organiser")
    seen = {}
    for person, role in (
        (supporter, Role.SUPPORTER),
        (organiser, Role.ORGANISER),
        (admin, Role.ADMIN),
    ):
        await person.send("/help")
        seen[role] = _help_names(person.text)
    everything = {command.name for command in COMMANDS.commands}
    staff = {"newua", "done", "uas", "stats", "export", "broadcasts", "cancel", "close"}
    assert staff | {"deadline"} <= seen[Role.ORGANISER]
    assert not (staff & seen[Role.SUPPORTER])
    assert seen[Role.ADMIN] == everything
    assert seen[Role.ORGANISER] == everything - {"grant", "revoke", "team", "audit"}
    for role, names in seen.items():
        assert names == {c.name for c in COMMANDS.of(role)}


async def test_every_listed_command_and_alias_is_routed_to_its_handler(chat) -> None:
    person = chat(7_301_117, "es")
    await person.send("/idioma")
    assert "¿Qué idioma prefieres?" in person.text
    await person.send("/subscribe")
    await person.send("/stop")
    assert "Te has dado de baja" in person.text
    await person.send("/HELP")
    assert "Esto es lo que puedo hacer:" in person.text
    await person.send("/nonsense")
    assert "No conozco el comando /nonsense." in person.text


async def test_staff_menus_hold_the_menu_commands_of_their_role_and_no_other(app: App) -> None:
    tr = app.catalogs.get("en")
    for role in Role:
        menu = COMMANDS.menu(tr, role)
        Menu(1, menu)  # within Telegram's limits, or this raises
        names = [name for name, _ in menu]
        assert names == [c.name for c in COMMANDS.of(role) if c.in_menu]
        assert "ua" not in names and "sign" not in names  # they need arguments
    spanish = dict(COMMANDS.menu(app.catalogs.get("es"), Role.ADMIN))
    assert spanish["grant"] == "Dar un rol"
    assert COMMANDS.menu_for(app.catalogs, 5, Role.SUPPORTER, "en") == Menu(5)


def test_a_command_listed_twice_or_for_an_unknown_role_is_refused_when_built() -> None:
    start = Command("start", Role.SUPPORTER, "Welcome")
    with pytest.raises(ValueError, match="/start is listed twice"):
        CommandList((start, Command("begin", Role.ADMIN, "x", aliases=("start",))))
    with pytest.raises(ValueError, match="unknown audience"):
        Command("boss", "owner", "x")  # type: ignore[arg-type]


def test_every_listed_command_has_a_handler_and_every_handler_a_command() -> None:
    assert set(HANDLERS) == {command.name for command in COMMANDS.commands}
