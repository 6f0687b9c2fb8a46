"""What a broadcast or a reminder says to a subscriber, or posts in a public channel."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from handlers.buttons import Reminders, Step
from handlers.contract import Button, Text
from handlers.i18n import Translator
from handlers.uaview import (
    TITLE_LIMIT,
    deadline_line,
    deep_link,
    pick_text,
    shortened,
    ua_label,
)
from storage.models import UAUpdate
from uareader.phrases import N_

NEUTRAL_LINE = N_("You have a new message. Open it when it is safe for you.")
SUMMARY_LIMIT = 900


def announcement(tr: Translator, update: UAUpdate, discreet: bool, today: date) -> Text:
    """A new UA (or a new update of one) as it reaches a subscriber."""
    open_button = ((Button(tr.gettext("Take action"), data=Step(update.id, 1).data),),)
    if discreet:
        return Text(tr.gettext(NEUTRAL_LINE), buttons=open_button, silent=True)
    text, fell_back = pick_text(update, tr.language)
    number = update.case.number
    if update.ordinal > 1:
        heading = tr.gettext("News on the case: {ua}").format(ua=ua_label(tr, update))
    else:
        heading = tr.gettext("New Urgent Action: UA {number}").format(number=number)
    title, summary = shortened(text.title, TITLE_LIMIT), shortened(text.summary, SUMMARY_LIMIT)
    lines = [heading, "", title, "", summary, "", deadline_line(tr, update, today)]
    if fell_back:
        lines += ["", tr.gettext("(This Urgent Action is not yet available in your language.)")]
    return Text("\n".join(lines), buttons=open_button)


def reminder(tr: Translator, update: UAUpdate, discreet: bool, people: int, today: date) -> Text:
    """Before the deadline, for those who have not reported an action yet."""
    buttons = (
        (Button(tr.gettext("Take action"), data=Step(update.id, 1).data),),
        (Button(tr.gettext("I already did"), data=Step(update.id, 5).data),),
        (Button(tr.gettext("Stop reminders"), data=Reminders(on=False).data),),
    )
    if discreet:
        return Text(tr.gettext(NEUTRAL_LINE), buttons=buttons, silent=True)
    acted = tr.ngettext(
        "{count} person has acted so far.", "{count} people have acted so far.", people
    ).format(count=tr.number(people))
    lines = [
        tr.gettext("Reminder: {ua}").format(ua=ua_label(tr, update)),
        shortened(pick_text(update, tr.language)[0].title, TITLE_LIMIT),
        "",
        deadline_line(tr, update, today),
        acted,
    ]
    return Text("\n".join(lines), buttons=buttons)


def channel_post(tr: Translator, update: UAUpdate, today: date, bot_username: str) -> Text:
    """A new UA as posted in a public channel: its button opens the walkthrough in a
    private chat with the bot (a channel cannot hold a walkthrough)."""
    link = deep_link(bot_username, update.ua_number)
    post = announcement(tr, update, discreet=False, today=today)
    return replace(post, buttons=((Button(tr.gettext("Take action"), url=link),),))
