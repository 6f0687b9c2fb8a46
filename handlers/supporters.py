"""Supporter commands: welcome, language, subscription, reminders, discretion, my data, forget."""

from __future__ import annotations

from functools import partial

from handlers.buttons import ChooseLanguage, Discreet, Forget, OpenActions, Subscription
from handlers.commands import COMMANDS
from handlers.context import Context
from handlers.contract import Button, Reply, Text, texts
from handlers.i18n import LANGUAGES
from handlers.uaview import KIND_LABELS
from handlers.walkthrough import open_by_deep_link
from storage.audience import BLOCKED, SUBSCRIBED, UNSUBSCRIBED, count_event
from storage.audit import entries_about
from storage.database import checkpoint
from storage.reminders import reminders_asked
from storage.reports import reports_of
from storage.statuses import Role
from storage.supporters import forget_supporter
from storage.uas import open_updates
from uareader.phrases import N_

LANGUAGE_NAMES = {"en": "English", "es": "Español"}
ROLE_LABELS = {
    Role.SUPPORTER: N_("supporter"),
    Role.ORGANISER: N_("organiser"),
    Role.ADMIN: N_("admin"),
}


def _language_buttons() -> tuple[Button, ...]:
    return tuple(Button(LANGUAGE_NAMES[code], data=ChooseLanguage(code).data) for code in LANGUAGES)


def _subscription_button(ctx: Context) -> Button:
    if ctx.supporter and ctx.supporter.subscribed:
        return Button(ctx._("Unsubscribe"), data=Subscription(on=False).data)
    return Button(ctx._("Subscribe to new Urgent Actions"), data=Subscription(on=True).data)


async def start(ctx: Context) -> list[Reply]:
    """/start: a welcome with language and subscription buttons. Deep links go to a UA."""
    if ctx.incoming.args and ctx.incoming.args[0].startswith("ua-"):
        return await open_by_deep_link(ctx, ctx.incoming.args[0])
    await ctx.ensure_supporter()
    text = ctx._(
        "Welcome! This bot brings you Urgent Actions: short, timely letters to officials "
        "on behalf of people at risk. Each one takes a few minutes, and every action is "
        "counted and reported.\n\n"
        "Choose your language, subscribe to receive new Urgent Actions, or see the open ones "
        "with /actions. If receiving these messages could put you at risk, turn on discreet "
        "mode: notifications then show no case details."
    )
    return [
        Text(
            text,
            buttons=(
                _language_buttons(),
                (_subscription_button(ctx),),
                (Button(ctx._("See open actions"), data=OpenActions().data),),
                (Button(ctx._("Discreet mode"), data=Discreet(on=True).data),),
            ),
        )
    ]


async def language(ctx: Context) -> list[Reply]:
    return [Text(ctx._("Which language do you prefer?"), buttons=(_language_buttons(),))]


async def choose_language(ctx: Context, code: str) -> list[Reply]:
    if code not in LANGUAGES:
        return await language(ctx)
    supporter = await ctx.ensure_supporter()
    supporter.language = code
    ctx.use_language(code)
    text = ctx._("From now on I will write to you in English.")
    rows: list[tuple[Button, ...]] = [
        (_subscription_button(ctx),),
        (Button(ctx._("See open actions"), data=OpenActions().data),),
    ]
    if not supporter.discreet:  # said again: the welcome may have been in a language unread
        text += "\n\n" + ctx._(
            "If receiving these messages could put you at risk, turn on discreet mode: "
            "notifications then show no case details."
        )
        rows.append((Button(ctx._("Discreet mode"), data=Discreet(on=True).data),))
    replies: list[Reply] = [Text(text, buttons=tuple(rows))]
    if ctx.role != Role.SUPPORTER:  # staff: their own menu, in the language they just chose
        replies.append(ctx.menu_for(ctx.incoming.chat_id, ctx.role, code))
    return replies


async def blocked_or_back(ctx: Context, blocked: bool) -> list[Reply]:
    """The person blocked the bot (nothing more is sent to them, at once, not after the next
    broadcast's 403) or unblocked it. Nothing is stored for someone the bot never knew."""
    if ctx.supporter is not None:
        if blocked and ctx.supporter.active:
            await count_event(ctx.session, BLOCKED, ctx.today)
        ctx.supporter.active = not blocked
    return []


async def subscribe(ctx: Context) -> list[Reply]:
    supporter = await ctx.ensure_supporter()
    if not supporter.subscribed:
        await count_event(ctx.session, SUBSCRIBED, ctx.today)
    supporter.subscribed = True
    supporter.active = True
    return [
        Text(
            ctx._(
                "You are subscribed: each new Urgent Action will reach you here. "
                "Stop at any time with /unsubscribe."
            ),
            buttons=((Button(ctx._("See open actions"), data=OpenActions().data),),),
        )
    ]


async def unsubscribe(ctx: Context) -> list[Reply]:
    if ctx.supporter is not None and ctx.supporter.subscribed:
        await count_event(ctx.session, UNSUBSCRIBED, ctx.today)
        ctx.supporter.subscribed = False
    return [
        Text(
            ctx._(
                "You are unsubscribed: no more Urgent Actions or reminders. You can still open "
                "them with /actions. To erase what I hold about you, use /forget."
            )
        )
    ]


def _on_off(ctx: Context) -> bool | None:
    if not ctx.incoming.args:
        return None
    word = ctx.incoming.args[0].lower()
    if word in ("on", "si", "sí", "yes"):
        return True
    if word in ("off", "no"):
        return False
    return None


async def reminders(ctx: Context) -> list[Reply]:
    choice = _on_off(ctx)
    if choice is None:
        return [Text(ctx._("Write /reminders on or /reminders off."))]
    return await set_reminders(ctx, choice)


async def set_reminders(ctx: Context, on: bool) -> list[Reply]:
    supporter = await ctx.ensure_supporter()
    supporter.reminders_on = on
    if on:
        return [Text(ctx._("Reminders are on: I will remind you before a deadline."))]
    return [Text(ctx._("Reminders are off. Turn them on again with /reminders on."))]


async def discreet(ctx: Context) -> list[Reply]:
    choice = _on_off(ctx)
    if choice is None:
        return [Text(ctx._("Write /discreet on or /discreet off."))]
    return await set_discreet(ctx, choice)


async def set_discreet(ctx: Context, on: bool) -> list[Reply]:
    supporter = await ctx.ensure_supporter()
    supporter.discreet = on
    if on:
        return [
            Text(
                ctx._(
                    "Discreet mode is on: new Urgent Actions and reminders arrive silently, "
                    "with a neutral first line and no case details in the notification."
                )
            )
        ]
    return [Text(ctx._("Discreet mode is off."))]


async def my_data(ctx: Context) -> list[Reply]:
    supporter = ctx.supporter
    audited = await entries_about(
        ctx.session, ctx.app.vault.audit_pseudonym(ctx.incoming.platform, ctx.incoming.user_id)
    )
    audit_line = ctx.tr.ngettext(
        "• {count} entry in the log of privileged commands names you, under a pseudonym; "
        "/forget does not erase it, so that nobody can erase a trail of staff actions",
        "• {count} entries in the log of privileged commands name you, under a pseudonym; "
        "/forget does not erase them, so that nobody can erase a trail of staff actions",
        audited,
    ).format(count=audited)
    if supporter is None:
        if audited:
            return [Text(ctx._("This is everything I hold about you:") + "\n" + audit_line)]
        return [Text(ctx._("I hold nothing about you."))]
    yes, no = ctx._("yes"), ctx._("no")
    lines = [
        ctx._("This is everything I hold about you:"),
        ctx._("• your Telegram user and chat numbers, encrypted"),
        ctx._("• language: {language}").format(language=LANGUAGE_NAMES[supporter.language]),
        ctx._("• subscribed: {answer}").format(answer=yes if supporter.subscribed else no),
        ctx._("• reminders: {answer}").format(answer=yes if supporter.reminders_on else no),
        ctx._("• discreet mode: {answer}").format(answer=yes if supporter.discreet else no),
        ctx._("• role: {role}").format(role=ctx._(ROLE_LABELS[ctx.role])),
        ctx._("• first contact: {day}").format(day=ctx.tr.date(supporter.created_on)),
    ]
    reports = await reports_of(ctx.session, supporter.id)
    kept = ctx._("(kept until {days} days after the UA is over)").format(
        days=ctx.app.settings.security.purge_grace_days
    )
    if reports:
        lines.append(ctx._("• actions you reported") + " " + kept + ":")
        for number, kind, day in reports:
            lines.append(
                "  – "
                + ctx._("{ua}: {kind} on {day}").format(
                    ua=ctx._("UA {number}").format(number=number),
                    kind=ctx._(KIND_LABELS[kind]),
                    day=ctx.tr.date(day),
                )
            )
    asked = await reminders_asked(ctx.session, supporter.id)
    if asked:
        numbers = ", ".join(ctx._("UA {number}").format(number=number) for number in asked)
        lines.append(ctx._("• reminders you asked for: {uas}").format(uas=numbers) + " " + kept)
    if audited:
        lines.append(audit_line)
    lines += [
        "",
        ctx._("I never store your name, username, phone number or what you write to me."),
        ctx._("Erase all of it with /forget."),
    ]
    return texts("\n".join(lines))


async def forget(ctx: Context) -> list[Reply]:
    if ctx.supporter is None:
        return [Text(ctx._("I hold nothing about you."))]
    return [
        Text(
            ctx._(
                "Erase everything I hold about you? Your subscription and settings go, and "
                "your reported actions remain only as anonymous numbers. This cannot be undone."
            ),
            buttons=(
                (
                    Button(ctx._("Yes, erase me"), data=Forget(confirmed=True).data),
                    Button(ctx._("No, keep it"), data=Forget(confirmed=False).data),
                ),
            ),
        )
    ]


async def confirm_forget(ctx: Context, confirmed: bool) -> list[Reply]:
    if ctx.supporter is None:  # erased already (a second prompt, a double tap)
        return [Text(ctx._("I hold nothing about you: it is already erased."), edit=True)]
    if not confirmed:
        return [Text(ctx._("Nothing was erased."), edit=True)]
    await forget_supporter(ctx.session, ctx.supporter, ctx.today)
    ctx.supporter = None
    # The deleted rows' old pages stay in SQLite's write-ahead log until a checkpoint.
    ctx.after_commit.append(partial(checkpoint, ctx.app.engine))
    return [
        Text(
            ctx._(
                "Done: I no longer hold anything about you. If you write to me again, "
                "you start afresh."
            ),
            edit=True,
        )
    ]


async def help_command(ctx: Context) -> list[Reply]:
    """/help, its examples written with the newest open UA's number where there is one."""
    updates = await open_updates(ctx.session, ctx.today)
    example = updates[0].case.number if updates else None
    return [Text(COMMANDS.help_text(ctx.tr, ctx.role, example))]


async def my_id(ctx: Context) -> list[Reply]:
    """/myid: the person's own Telegram user id, which an admin needs for ``bot.admins`` or
    /grant. Shown to them alone and not kept: it is the message's sender."""
    message = ctx._(
        "Your Telegram user id is {id}. An admin gives you a role with /grant {id} organiser, "
        "or adds it to bot.admins in the configuration."
    )
    return [Text(message.format(id=ctx.incoming.user_id))]
