"""The one list of commands: routing, ``/help`` and the menus beside the message field all
derive from it, so a command cannot be routed yet missing from help, or listed in a menu for
people who may not use it.

Supporters share one menu per language. Organisers and admins each get their own, in their
language, whenever their role or language changes: a revoked organiser must not keep seeing
staff commands, and an organiser should not have to guess the ones they have.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from handlers import admins, corrections, drafts, organisers, supporters, walkthrough
from handlers.context import Context
from handlers.contract import Menu, Reply, Text
from handlers.i18n import Catalogs, Translator
from storage.uas import open_updates
from uareader.phrases import N_

Handler = Callable[[Context], Awaitable[list[Reply]]]

#: Each role may use its own commands and those of the roles before it.
ROLES = ("supporter", "organiser", "admin")
#: The UA number the usages show (the seeds' own); /help writes an open UA's instead.
EXAMPLE_NUMBER = "72/24"
STAFF_ROLES = ROLES[1:]


@dataclass(frozen=True)
class Command:
    """A command: who may use it (``audience``, the least role), what it does in a few words
    (the menu entry, also its ``/help`` line) and the arguments it takes (``usage``)."""

    name: str
    handler: Handler
    audience: str
    summary: str
    usage: str = ""
    aliases: tuple[str, ...] = ()
    #: Commands that need arguments to be useful stay out of the menu (Telegram sends a menu
    #: command bare) but are in /help.
    in_menu: bool = True

    def __post_init__(self) -> None:
        if self.audience not in ROLES:
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

    role: str
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

    def of(self, role: str) -> tuple[Command, ...]:
        """What ``role`` may use: its own commands and those of every role before it."""
        rank = ROLES.index(role) if role in ROLES else 0
        return tuple(c for c in self.commands if ROLES.index(c.audience) <= rank)

    def help_text(self, tr: Translator, role: str, example: str | None = None) -> str:
        lines = [tr.gettext("What I can do:")]
        headings = {
            "organiser": tr.gettext("For organisers (or send a UA document: .txt, .pdf, .docx):"),
            "admin": tr.gettext("For admins:"),
        }
        audience = "supporter"
        for command in self.of(role):
            if command.audience != audience:
                audience = command.audience
                lines += ["", headings[audience]]
            lines.append(command.line(tr, example))
        return "\n".join(lines)

    def menu(self, tr: Translator, role: str) -> tuple[tuple[str, str], ...]:
        return tuple((c.name, tr.gettext(c.summary)) for c in self.of(role) if c.in_menu)

    def menu_for(self, catalogs: Catalogs, chat_id: int, role: str, language: str) -> Menu:
        """The menu a person with ``role`` should see in their chat: their own for staff,
        the supporters' menu back otherwise."""
        if role not in STAFF_ROLES:
            return Menu(chat_id)
        return Menu(chat_id, self.menu(catalogs.get(language), role))


async def help_command(ctx: Context) -> list[Reply]:
    """/help, its examples written with the newest open UA's number where there is one."""
    updates = await open_updates(ctx.session, ctx.today)
    example = updates[0].case.number if updates else None
    return [Text(ctx.commands.help_text(ctx.tr, ctx.role, example))]


async def my_id(ctx: Context) -> list[Reply]:
    """/myid: the person's own Telegram user id, which an admin needs for ``bot.admins`` or
    /grant. Shown to them alone and not kept: it is the message's sender."""
    message = ctx._(
        "Your Telegram user id is {id}. An admin gives you a role with /grant {id} organiser, "
        "or adds it to bot.admins in the configuration."
    )
    return [Text(message.format(id=ctx.incoming.user_id))]


async def finish_pasting(ctx: Context) -> list[Reply]:
    """/done ends what the organiser was sending in parts: a UA's text, or a long field."""
    pending = await drafts.organiser_input(ctx)
    if pending is not None and pending.purpose.startswith(corrections.SET):
        return await corrections.finish_value(ctx, pending)
    return await drafts.done(ctx, pending)


COMMANDS = CommandList(
    (
        Command("start", supporters.start, "supporter", N_("Welcome and settings")),
        Command("actions", walkthrough.actions, "supporter", N_("Open Urgent Actions")),
        Command(
            "ua",
            walkthrough.ua_command,
            "supporter",
            N_("One Urgent Action, by its number"),
            usage=N_("72/24"),
            in_menu=False,
        ),
        Command(
            "sign",
            walkthrough.sign,
            "supporter",
            N_("The letters with your name in them (the name is not kept)"),
            usage=N_("72/24 your name"),
            in_menu=False,
        ),
        Command("subscribe", supporters.subscribe, "supporter", N_("Receive new Urgent Actions")),
        Command(
            "unsubscribe",
            supporters.unsubscribe,
            "supporter",
            N_("Stop receiving them"),
            aliases=("stop",),
        ),
        Command(
            "language",
            supporters.language,
            "supporter",
            N_("English or Spanish"),
            aliases=("idioma",),
        ),
        Command(
            "reminders",
            supporters.reminders,
            "supporter",
            N_("Reminders on or off"),
            usage=N_("on|off"),
        ),
        Command(
            "discreet",
            supporters.discreet,
            "supporter",
            N_("Discreet notifications"),
            usage=N_("on|off"),
        ),
        Command("mydata", supporters.my_data, "supporter", N_("What the bot holds about you")),
        Command("forget", supporters.forget, "supporter", N_("Erase what the bot holds about you")),
        Command("help", help_command, "supporter", N_("What the bot can do")),
        Command("myid", my_id, "supporter", N_("Your Telegram user id, for a role"), in_menu=False),
        Command("newua", drafts.new_ua, "organiser", N_("Import a UA from its pasted text")),
        Command("done", finish_pasting, "organiser", N_("Finish pasting a UA's text")),
        Command("uas", organisers.list_uas, "organiser", N_("Stored UAs")),
        Command("stats", organisers.stats, "organiser", N_("Figures of a UA"), usage=N_("[72/24]")),
        Command(
            "export",
            organisers.export,
            "organiser",
            N_("A UA's counts as a spreadsheet"),
            usage=N_("72/24"),
        ),
        Command(
            "broadcasts", organisers.broadcasts, "organiser", N_("Running and recent broadcasts")
        ),
        Command(
            "cancel",
            organisers.cancel,
            "organiser",
            N_("Stop a running broadcast"),
            usage=N_("<broadcast>"),
        ),
        Command("close", organisers.close, "organiser", N_("End a UA early"), usage=N_("72/24")),
        Command(
            "deadline",
            organisers.deadline,
            "organiser",
            N_("Move a UA's deadline"),
            usage=N_("72/24 <date>"),
        ),
        Command(
            "grant",
            admins.grant,
            "admin",
            N_("Give a role"),
            usage=N_("<user id> organiser|admin"),
        ),
        Command("revoke", admins.revoke, "admin", N_("Take a role back"), usage=N_("<user id>")),
        Command("team", admins.team, "admin", N_("Organisers and admins")),
        Command(
            "audit",
            admins.audit,
            "admin",
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
