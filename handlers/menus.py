"""The command menus people see beside the message field, and the bot's own descriptions.

Supporters share one menu per language. Organisers and admins each get their own, in their
language, whenever their role or language changes: a revoked organiser must not keep
seeing staff commands, and an organiser should not have to guess the ones they have.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.contract import Menu
from bot.i18n import N_, Translator
from handlers.context import Context

SUPPORTER_MENU = (
    ("start", N_("Welcome and settings")),
    ("actions", N_("Open Urgent Actions")),
    ("subscribe", N_("Receive new Urgent Actions")),
    ("unsubscribe", N_("Stop receiving them")),
    ("language", N_("English or Spanish")),
    ("reminders", N_("Reminders on or off")),
    ("discreet", N_("Discreet notifications")),
    ("mydata", N_("What the bot holds about you")),
    ("forget", N_("Erase what the bot holds about you")),
    ("help", N_("What the bot can do")),
)
ORGANISER_MENU = (
    ("newua", N_("Import a UA from its pasted text")),
    ("done", N_("Finish pasting a UA's text")),
    ("uas", N_("Stored UAs")),
    ("stats", N_("Figures of a UA")),
    ("export", N_("A UA's counts as a spreadsheet")),
    ("broadcasts", N_("Running and recent broadcasts")),
    ("cancel", N_("Stop a running broadcast")),
    ("close", N_("End a UA early")),
    ("deadline", N_("Move a UA's deadline")),
)
ADMIN_MENU = (
    ("grant", N_("Give a role")),
    ("revoke", N_("Take a role back")),
    ("team", N_("Organisers and admins")),
    ("audit", N_("Privileged commands log")),
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

STAFF_ROLES = ("organiser", "admin")


@dataclass(frozen=True)
class StaffMember:
    """An organiser or admin, as their menu needs them."""

    role: str
    language: str


def supporter_menu(tr: Translator) -> tuple[tuple[str, str], ...]:
    return tuple((name, tr.gettext(text)) for name, text in SUPPORTER_MENU)


def staff_menu(tr: Translator, role: str) -> tuple[tuple[str, str], ...]:
    """Everything a supporter has, then every command of the role."""
    extra = ORGANISER_MENU + (ADMIN_MENU if role == "admin" else ())
    return supporter_menu(tr) + tuple((name, tr.gettext(text)) for name, text in extra)


def menu_for(ctx: Context, chat_id: int, role: str, language: str) -> Menu:
    """The menu a person with ``role`` should see in their chat: their own for staff, the
    supporters' menu back otherwise."""
    if role not in STAFF_ROLES:
        return Menu(chat_id)
    return Menu(chat_id, staff_menu(ctx.app.catalogs.get(language), role))
