"""The one list of commands: their names, who may use them, their help and their menus.
Routing (``handlers.router``, which binds each name to its handler, and a test that every
name has one), ``/help`` and the menus beside the message field all derive from it, so a
command cannot be routed yet missing from help, or listed in a menu for people who may not
use it. It imports no handler: the context and every handler may read it.

Supporters share one menu per language. Organisers and admins each get their own, in their
language, whenever their role or language changes: a revoked organiser must not keep seeing
staff commands, and an organiser should not have to guess the ones they have.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.contract import Menu
from handlers.i18n import Catalogs, Translator
from storage.statuses import STAFF, Role
from uareader.phrases import N_

#: The UA number the usages show (the seeds' own); /help writes an open UA's instead.
EXAMPLE_NUMBER = "72/24"


@dataclass(frozen=True)
class Command:
    """A command: who may use it (``audience``, the least role), what it does in a few words
    (the menu entry, also its ``/help`` line) and the arguments it takes (``usage``)."""

    name: str
    audience: Role
    summary: str
    usage: str = ""
    aliases: tuple[str, ...] = ()
    #: Commands that need arguments to be useful stay out of the menu (Telegram sends a menu
    #: command bare) but are in /help.
    in_menu: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.audience, Role):
            raise ValueError(f"/{self.name}: unknown audience {self.audience!r}")

    def line(self, tr: Translator, example: str | None = None) -> str:
        """The command as /help shows it; ``example``: a UA number there is, written in
        place of the usage's 72/24 (which a new bot, or the demo, does not hold)."""
        usage = f" {tr.gettext(self.usage)}" if self.usage else ""
        if example:
            usage = usage.replace(EXAMPLE_NUMBER, example)
        return f"/{self.name}{usage} – {tr.gettext(self.summary)}"


@dataclass(frozen=True)
class StaffMember:
    """An organiser or admin, as their menu needs them."""

    role: Role
    language: str


class CommandList:
    """Commands in the order people see them in menus and in /help."""

    def __init__(self, commands: tuple[Command, ...]) -> None:
        self.commands = commands
        self._by_name: dict[str, Command] = {}
        for command in commands:
            for name in (command.name, *command.aliases):
                if name in self._by_name:
                    raise ValueError(f"/{name} is listed twice")
                self._by_name[name] = command

    @property
    def names(self) -> list[str]:
        """Every name a command answers to, aliases included, sorted."""
        return sorted(self._by_name)

    def find(self, name: str) -> Command | None:
        return self._by_name.get(name.lower())

    def of(self, role: Role) -> tuple[Command, ...]:
        """What ``role`` may use: its own commands and those of every role before it."""
        return tuple(c for c in self.commands if role.may_do(c.audience))

    def help_text(self, tr: Translator, role: Role, example: str | None = None) -> str:
        lines = [tr.gettext("What I can do:")]
        headings = {
            Role.ORGANISER: tr.gettext(
                "For organisers (or send a UA document: .txt, .pdf, .docx):"
            ),
            Role.ADMIN: tr.gettext("For admins:"),
        }
        audience = Role.SUPPORTER
        for command in self.of(role):
            if command.audience != audience:
                audience = command.audience
                lines += ["", headings[audience]]
            lines.append(command.line(tr, example))
        return "\n".join(lines)

    def menu(self, tr: Translator, role: Role) -> tuple[tuple[str, str], ...]:
        return tuple((c.name, tr.gettext(c.summary)) for c in self.of(role) if c.in_menu)

    def menu_for(self, catalogs: Catalogs, chat_id: int, role: Role, language: str) -> Menu:
        """The menu a person with ``role`` should see in their chat: their own for staff,
        the supporters' menu back otherwise."""
        if role not in STAFF:
            return Menu(chat_id)
        return Menu(chat_id, self.menu(catalogs.get(language), role))


COMMANDS = CommandList(
    (
        Command("start", Role.SUPPORTER, N_("Welcome and settings")),
        Command("actions", Role.SUPPORTER, N_("Open Urgent Actions")),
        Command(
            "ua",
            Role.SUPPORTER,
            N_("One Urgent Action, by its number"),
            usage=N_("72/24"),
            in_menu=False,
        ),
        Command(
            "sign",
            Role.SUPPORTER,
            N_("The letters with your name in them (the name is not kept)"),
            usage=N_("72/24 your name"),
            in_menu=False,
        ),
        Command("subscribe", Role.SUPPORTER, N_("Receive new Urgent Actions")),
        Command(
            "unsubscribe",
            Role.SUPPORTER,
            N_("Stop receiving them"),
            aliases=("stop",),
        ),
        Command(
            "language",
            Role.SUPPORTER,
            N_("English or Spanish"),
            aliases=("idioma",),
        ),
        Command(
            "reminders",
            Role.SUPPORTER,
            N_("Reminders on or off"),
            usage=N_("on|off"),
        ),
        Command(
            "discreet",
            Role.SUPPORTER,
            N_("Discreet notifications"),
            usage=N_("on|off"),
        ),
        Command("mydata", Role.SUPPORTER, N_("What the bot holds about you")),
        Command("forget", Role.SUPPORTER, N_("Erase what the bot holds about you")),
        Command("help", Role.SUPPORTER, N_("What the bot can do")),
        Command("myid", Role.SUPPORTER, N_("Your Telegram user id, for a role"), in_menu=False),
        Command("newua", Role.ORGANISER, N_("Import a UA from its pasted text")),
        Command("done", Role.ORGANISER, N_("Finish pasting a UA's text")),
        Command("uas", Role.ORGANISER, N_("Stored UAs")),
        Command("stats", Role.ORGANISER, N_("Figures of a UA"), usage=N_("[72/24]")),
        Command(
            "export",
            Role.ORGANISER,
            N_("A UA's counts as a spreadsheet"),
            usage=N_("72/24"),
        ),
        Command("broadcasts", Role.ORGANISER, N_("Running and recent broadcasts")),
        Command(
            "cancel",
            Role.ORGANISER,
            N_("Stop a running broadcast"),
            usage=N_("<broadcast>"),
        ),
        Command("close", Role.ORGANISER, N_("End a UA early"), usage=N_("72/24")),
        Command(
            "deadline",
            Role.ORGANISER,
            N_("Move a UA's deadline"),
            usage=N_("72/24 <date>"),
        ),
        Command(
            "grant",
            Role.ADMIN,
            N_("Give a role"),
            usage=N_("<user id> organiser|admin"),
        ),
        Command("revoke", Role.ADMIN, N_("Take a role back"), usage=N_("<user id>")),
        Command("team", Role.ADMIN, N_("Organisers and admins")),
        Command(
            "audit",
            Role.ADMIN,
            N_("Privileged commands log"),
            usage=N_("[<user id>]"),
        ),
    )
)

#: Shown in an empty chat before /start (Telegram allows 512 characters) and on the bot's
#: profile and in shared links (120 characters).
DESCRIPTION = N_(
    "I bring you Urgent Actions: short, timely letters to officials about people at risk. "
    "I walk you through each letter step by step, in English or Spanish, and remind you "
    "before the deadline if you wish. I keep as little about you as I can, and you can see "
    "or erase it at any time with /mydata and /forget."
)
SHORT_DESCRIPTION = N_("Urgent Actions for people at risk, one letter at a time.")
