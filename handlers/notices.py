"""What the bot says outside a handler's answer: a new UA, a reminder or a channel post
(sent by the outbox worker), a broadcast's progress for its organiser, and the dispatcher's
apology and notices. The worker and the dispatcher hand over numbers; the words are here,
with the rest of what the bot says."""

from __future__ import annotations

from dataclasses import dataclass, replace
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


@dataclass(frozen=True)
class Progress:
    """A broadcast's figures, as its organiser's progress message shows them."""

    sent: int
    total: int
    per_second: float
    blocked: int
    failed: int
    uncertain: int
    done: bool
    #: None while there is no rate to go by.
    seconds_left: int | None
    stars_ran_out: bool


def progress_text(tr: Translator, update: UAUpdate, progress: Progress) -> Text:
    """The organiser's progress message of a broadcast, edited as it goes."""
    heading = tr.gettext("Sent {ua}") if progress.done else tr.gettext("Sending {ua}")
    lines = [
        heading.format(ua=ua_label(tr, update)),
        tr.gettext("{sent} / {total} sent · {rate}/s").format(
            sent=tr.number(progress.sent),
            total=tr.number(progress.total),
            rate=tr.decimal(progress.per_second, "#,##0.0"),
        ),
        tr.gettext("blocked: {blocked} · failed: {failed} · uncertain: {uncertain}").format(
            blocked=tr.number(progress.blocked),
            failed=tr.number(progress.failed),
            uncertain=tr.number(progress.uncertain),
        ),
    ]
    if not progress.done and progress.seconds_left is not None:
        lines.append(
            tr.gettext("about {seconds} s left").format(seconds=tr.number(progress.seconds_left))
        )
    if progress.stars_ran_out:
        lines.append(
            tr.gettext(
                "The bot's Stars ran out, so Telegram refused paid broadcast: the rest "
                "went at the free rate."
            )
        )
    return Text("\n".join(lines))


def apology(tr: Translator) -> Text:
    """When handling a person's message failed: nothing of the failure is said."""
    return Text(tr.gettext("Sorry, something went wrong on my side. Please try again in a moment."))


def unread_notice(tr: Translator, unread: int) -> Text:
    """What a person is told when messages they sent faster than they could be read
    were dropped: a paste cut short unseen would be imported incomplete."""
    return Text(
        tr.ngettext(
            "You sent messages faster than I can read them: {count} of them was not "
            "read. If it matters, send it again, a little more slowly.",
            "You sent messages faster than I can read them: {count} of them were not "
            "read. If they matter, send them again, a little more slowly.",
            unread,
        ).format(count=tr.number(unread))
    )


def private_chats_only(tr: Translator) -> Text:
    """In groups the bot answers commands only, once, pointing to a private chat."""
    return Text(
        tr.gettext(
            "I work in private chats only, so that what you do stays between us. "
            "Write to me directly."
        )
    )
