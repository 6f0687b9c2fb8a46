"""The letter walkthrough and "I took action".

Step state travels in the button data (``ua:<update id>:<step>``), so a restart or a second
process never loses where someone was. Steps: 1 the case, 2 who to write to, 3 the letter,
4 the copy (CC), 5 report.
"""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from handlers.buttons import (
    LetterFile,
    NotYet,
    OpenActions,
    PreviewStep,
    Report,
    ShowPreview,
    Step,
    Undo,
)
from handlers.context import Context
from handlers.contract import Button, File, Notice, Reply, Text, split_text
from handlers.reminder_times import next_reminder
from handlers.uaview import (
    KIND_LABELS,
    STEPS,
    TITLE_LIMIT,
    acted_line,
    case_step,
    cc_step,
    deadline_line,
    language_name,
    letter_language,
    letter_step,
    letter_text,
    pick_text,
    recipients,
    report_step,
    share_link,
    shortened,
    targets_step,
    ua_label,
)
from storage.models import UAUpdate
from storage.reminders import ask_for_reminder
from storage.reports import (
    acted_on_number,
    kinds_reported,
    people_on_case,
    record_report,
    undo_report,
)
from storage.statuses import UpdateStatus
from storage.uas import latest_update, open_updates
from uareader.letters import Letter, letter_as_docx, letter_as_text
from uareader.numbers import normalise_ua_number

MAX_SIGNATURE = 80


def number_and_rest(args: Sequence[str]) -> tuple[str | None, Sequence[str]]:
    """A command's UA number and the words after it; "AU 72/24" may come as two words, as
    people copy it from a document."""
    if len(args) > 1 and args[0].upper() in ("UA", "AU"):
        return normalise_ua_number(args[1]), args[2:]
    return (normalise_ua_number(args[0]) if args else None), args[1:]


#: Open UAs per message: each has a button, and ten keep the message short to read.
ACTIONS_PER_PAGE = 10


async def actions(ctx: Context, start: int = 0) -> list[Reply]:
    """The open UAs, newest first, each with its deadline and a button to start; ten at a
    time with a "More" button, so any number of open UAs fits Telegram's limits."""
    updates = await open_updates(ctx.session, ctx.today)
    if not updates:
        return [Text(ctx._("There are no open Urgent Actions right now. Thank you for checking!"))]
    start = start if 0 <= start < len(updates) else 0
    page = updates[start : start + ACTIONS_PER_PAGE]
    lines = [ctx._("Open Urgent Actions:"), ""]
    buttons = []
    for update in page:
        text, _ = pick_text(update, ctx.tr.language)
        lines += [
            f"{ua_label(ctx.tr, update)}: {shortened(text.title, TITLE_LIMIT)}",
            deadline_line(ctx.tr, update, ctx.today),
            "",
        ]
        label = ctx._("Act on {ua}").format(
            ua=ctx._("UA {number}").format(number=update.case.number)
        )
        buttons.append((Button(label, data=Step(update.id, 1).data),))
    following = start + ACTIONS_PER_PAGE
    if following < len(updates):
        more = ctx._("More ({count} left)").format(count=len(updates) - following)
        buttons.append((Button(more, data=OpenActions(following).data),))
    return [Text("\n".join(lines).strip(), buttons=tuple(buttons))]


async def open_by_deep_link(ctx: Context, payload: str) -> list[Reply]:
    """``/start ua-72-24`` opens that UA's walkthrough, subscribed or not."""
    number = normalise_ua_number(payload.removeprefix("ua-"))
    update = await latest_update(ctx.session, number) if number else None
    if update is None:
        return [Text(ctx._("I do not know that Urgent Action.")), *await actions(ctx)]
    return await show_step(ctx, update.id, 1, edit=False)


async def ua_command(ctx: Context) -> list[Reply]:
    """/ua 72/24: open a UA by its number."""
    if not ctx.incoming.args:
        return await actions(ctx)
    number, _ = number_and_rest(ctx.incoming.args)
    if number is None:
        usage = ctx._("Write /ua followed by a UA number, e.g. /ua 72/24, or just /ua.")
        return [Text(usage), *await actions(ctx)]
    return await open_by_deep_link(ctx, "ua-" + number)


async def open_typed_number(ctx: Context, text: str) -> list[Reply] | None:
    """A message that is only a UA number ("72/24", "AU 72/24") opens that UA, as /ua
    would; None for any other text, which the bot does not read further."""
    number = normalise_ua_number(text) if len(text) <= 20 else None
    update = await latest_update(ctx.session, number) if number else None
    # Not a UA here (a price, "12.50", or a time): the usual answer, not "no such UA".
    return await show_step(ctx, update.id, 1, edit=False) if update else None


def _step_data(update: UAUpdate, step: int, preview_language: str | None) -> str:
    """A step's button data; a staff preview of a draft keeps its language in it."""
    if preview_language:
        return PreviewStep(update.id, step, preview_language).data
    return Step(update.id, step).data


def _navigation(
    ctx: Context, update: UAUpdate, step: int, preview_language: str | None = None
) -> tuple[Button, ...]:
    row = []
    if step > 1:
        row.append(Button(ctx._("« Back"), data=_step_data(update, step - 1, preview_language)))
    if step < STEPS:
        row.append(Button(ctx._("Next »"), data=_step_data(update, step + 1, preview_language)))
    return tuple(row)


def _step_header(ctx: Context, step: int) -> str:
    return ctx._("Step {step} of {steps}").format(step=step, steps=STEPS)


async def _current_or_expired(ctx: Context, update_id: int) -> tuple[UAUpdate | None, list[Reply]]:
    update = await ctx.app.ua_cache.get(ctx.session, update_id)
    if update is None or update.status == UpdateStatus.DRAFT:
        return None, [Text(ctx._("I do not know that Urgent Action.")), *await actions(ctx)]
    if update.case.closed_at is not None:
        message = ctx._("{ua} is closed: thank you for caring.").format(ua=ua_label(ctx.tr, update))
        return None, [Text(message), *await actions(ctx)]
    if update.due < ctx.today:
        message = ctx._("The deadline of {ua} has passed: thank you for caring.").format(
            ua=ua_label(ctx.tr, update)
        )
        return None, [Text(message), *await actions(ctx)]
    if update.status == UpdateStatus.SUPERSEDED:
        newer = await latest_update(ctx.session, update.ua_number)
        if newer is not None and newer.id != update.id:
            note = ctx._("There is a newer update of this Urgent Action; here it is.")
            return newer, [Notice(note)]
    return update, []


async def show_step(
    ctx: Context, update_id: int, step: int, language: str | None = None, edit: bool = True
) -> list[Reply]:
    update, notes = await _current_or_expired(ctx, update_id)
    if update is None:
        return notes
    return notes + await _step(ctx, update, step, language, edit)


async def preview_step(ctx: Context, update: UAUpdate, step: int, language: str) -> list[Reply]:
    """A step exactly as a supporter reading ``language`` will see it, for staff checking a
    draft before publishing: nothing pressed here is counted."""
    ctx.use_language(language)
    replies = await _step(ctx, update, step, None, edit=True, preview_language=language)
    other = "es" if language == "en" else "en"
    rows = (
        (
            Button(
                ctx._("See it in {language}").format(language=language_name(ctx.tr, other)),
                data=PreviewStep(update.id, step, other).data,
            ),
        ),
        (Button(ctx._("Back to the preview"), data=ShowPreview(update.id).data),),
    )
    last = replies[-1]
    assert isinstance(last, Text)
    note = ctx._("Preview: supporters will see this once it is published.")
    replies[-1] = Text(f"{note}\n\n{last.text}"[:4000], buttons=last.buttons + rows, edit=last.edit)
    return replies


async def _step(
    ctx: Context,
    update: UAUpdate,
    step: int,
    language: str | None,
    edit: bool,
    preview_language: str | None = None,
) -> list[Reply]:
    step = min(max(step, 1), STEPS)
    tr = ctx.tr
    extra_rows: list[tuple[Button, ...]] = []
    if step == 1:
        body = case_step(tr, update, ctx.today)
    elif step == 2:
        body = targets_step(tr, update)
    elif step == 3:
        shown = language or letter_language(update, tr.language)
        body = letter_step(tr, update, shown)
        others = sorted({text.language for text in update.texts} - {shown})
        if not preview_language:
            extra_rows.append(
                tuple(
                    Button(
                        ctx._("Show it in {language}").format(language=language_name(tr, other)),
                        data=Step(update.id, 3, other).data,
                    )
                    for other in others
                )
            )
            extra_rows.append(
                (Button(ctx._("Get the letter as a file"), data=LetterFile(update.id, shown).data),)
            )
    elif step == 4:
        body = cc_step(tr, update)
    elif preview_language:
        body = report_step(tr, update, set())
    else:
        reported = await kinds_reported(ctx.session, (await ctx.ensure_supporter()).id, update.id)
        body = report_step(tr, update, reported)
        for kind, label in KIND_LABELS.items():
            if kind in reported:
                extra_rows.append(
                    (
                        Button(
                            ctx._("Undo: {action}").format(action=ctx._(label)),
                            data=Undo(update.id, kind).data,
                        ),
                    )
                )
            else:
                # Whose button it is: after /forget, it must not count a second person.
                data = Report(update.id, kind, str(ctx.supporter.id)).data  # type: ignore[union-attr]
                extra_rows.append((Button(ctx._(label), data=data),))
        extra_rows.append((Button(ctx._("Not yet"), data=NotYet(update.id).data),))
    header = _step_header(ctx, step)
    chunks = split_text(f"{header}\n\n{body}", limit=3800)
    navigation = _navigation(ctx, update, step, preview_language)
    buttons = tuple(row for row in (*extra_rows, navigation) if row)
    replies: list[Reply] = []
    for number, chunk in enumerate(chunks):
        last = number == len(chunks) - 1
        replies.append(Text(chunk, buttons=buttons if last else (), edit=edit and len(chunks) == 1))
    return replies


async def letter_files(
    ctx: Context, update_id: int, language: str, signature: str = ""
) -> list[Reply]:
    update, notes = await _current_or_expired(ctx, update_id)
    if update is None:
        return notes
    text = letter_text(update, language)
    letter = Letter(
        recipients=recipients(update, "targets", text),
        salutation=text.salutation,
        body=text.letter,
        signature=signature,
        copies=recipients(update, "cc", text),
        copy_label=ctx.app.catalogs.get(text.language).gettext("cc:"),
    )
    stem = "ua-{}-letter-{}".format(update.ua_number.replace("/", "-"), text.language)
    hint = ""
    if not signature:
        hint = ctx._("To have it signed, send /sign {number} followed by your name.").format(
            number=update.case.number
        )
    caption = ctx._("Your letter for {ua}.").format(ua=ua_label(ctx.tr, update))
    return [
        *notes,
        File(f"{stem}.txt", letter_as_text(letter).encode("utf-8"), caption=caption),
        File(f"{stem}.docx", letter_as_docx(letter), caption=hint or caption),
        # Step 4 shows the copies of the reader's own version: ask the same one here.
        _after_the_files(
            ctx,
            update,
            has_copies=bool(recipients(update, "cc", pick_text(update, ctx.tr.language)[0])),
        ),
    ]


def _after_the_files(ctx: Context, update: UAUpdate, has_copies: bool) -> Text:
    """The way on from the files: through step 4 when the UA asks for a copy (the files
    name the embassy but not its address), else straight to the report."""
    report = (Button(ctx._("Report my action"), data=Step(update.id, 5).data),)
    if not has_copies:
        return Text(ctx._("When you have sent it, tell me:"), buttons=(report,))
    copy = (Button(ctx._("Where to send the copy »"), data=Step(update.id, 4).data),)
    return Text(
        ctx._(
            "Send a copy to the address in step 4 too. When you have sent them, tell me "
            "what you did:"
        ),
        buttons=(copy, report),
    )


async def sign(ctx: Context) -> list[Reply]:
    """/sign 72/24 Name: the letter files signed; the name is used for them and forgotten."""
    args = ctx.incoming.args
    number, name_words = number_and_rest(args)
    # Printable characters only: a letter file cannot hold control characters.
    words = ("".join(c for c in arg if c.isprintable()) for arg in name_words)
    signature = " ".join(word for word in words if word.strip()).strip()[:MAX_SIGNATURE]
    if number is None or not signature:
        return [
            Text(
                ctx._("Write /sign followed by the UA number and your name, e.g. /sign 72/24 Ana.")
            )
        ]
    update = await latest_update(ctx.session, number)
    if update is None:
        return [Text(ctx._("I do not know that Urgent Action.")), *await actions(ctx)]
    return await letter_files(ctx, update.id, letter_language(update, ctx.tr.language), signature)


async def report(
    ctx: Context, update_id: int, kind: str, issued_to: str | None = None
) -> list[Reply]:
    """Count "I took action" once per supporter, update and kind; answer with the total.
    ``issued_to``: the row id the button was shown to (None on buttons older than that
    field, which are taken as they come); a button from before the person's
    /forget counts nothing (their earlier report is already in the totals)."""
    if kind not in KIND_LABELS:
        return await show_step(ctx, update_id, 5)
    if issued_to is not None and ctx.supporter is not None and str(ctx.supporter.id) != issued_to:
        return await show_step(ctx, update_id, 5)  # someone else's button: their own step
    if issued_to is not None and ctx.supporter is None:
        return [
            Text(
                ctx._(
                    "This button is from before you erased your data with /forget, so it "
                    "counts nothing. To report an action now, open the step again."
                ),
                buttons=((Button(ctx._("Report my action"), data=Step(update_id, 5).data),),),
            )
        ]
    update, notes = await _current_or_expired(ctx, update_id)
    if update is None:
        return notes
    if update.id != update_id:  # pressed on a replaced update: counted on none; the newer one
        return notes + await _step(ctx, update, 5, None, edit=True)
    supporter = await ctx.ensure_supporter()
    counted = await record_report(ctx.session, supporter.id, update.id, kind, ctx.today)
    people = await people_on_case(ctx.session, update.case_id)
    thanks = (
        ctx._("Thank you! Your action is counted.")
        if counted  # a second press of the same button (a double tap, an old message)
        else ctx._("You had already reported this: it is counted once.")
    )
    thanks += "\n\n" + acted_line(ctx.tr, update, people)
    buttons = (
        (
            Button(
                ctx._("Undo: {action}").format(action=ctx._(KIND_LABELS[kind])),
                data=Undo(update.id, kind).data,
            ),
        ),
        (Button(ctx._("Report another action"), data=Step(update.id, 5).data),),
        *_share_row(ctx, update),
        (Button(ctx._("See open actions"), data=OpenActions().data),),
    )
    return [*notes, Text(thanks, buttons=buttons, edit=True)]


def _share_row(ctx: Context, update: UAUpdate) -> tuple[tuple[Button, ...], ...]:
    """A "Share" button that brings others to this UA, where the bot has a link to give."""
    if ctx.app.bot_username is None or update.case.number is None:
        return ()
    label = ctx._("UA {number}").format(number=update.case.number)
    line = ctx._("I just acted on {ua} for people at risk. It takes a few minutes:")
    link = share_link(ctx.app.bot_username, update.case.number, line.format(ua=label))
    return ((Button(ctx._("Share with friends"), url=link),),)


async def undo(ctx: Context, update_id: int, kind: str) -> list[Reply]:
    update, notes = await _current_or_expired(ctx, update_id)
    if update is None:
        return notes
    if ctx.supporter is None or kind not in KIND_LABELS:
        return [Notice(ctx._("There was nothing to undo."))]
    removed = await undo_report(ctx.session, ctx.supporter.id, update.id, kind)
    if not removed:
        return [Notice(ctx._("There was nothing to undo."))]
    return [
        Text(
            ctx._("Undone: that action is no longer counted."),
            buttons=((Button(ctx._("Report my action"), data=Step(update.id, 5).data),),),
            edit=True,
        )
    ]


async def not_yet(ctx: Context, update_id: int) -> list[Reply]:
    """ "Not yet": a reminder of this UA is asked for, and promised only when one will
    really come (reminders on, one still ahead, not already acted on the number)."""
    update, notes = await _current_or_expired(ctx, update_id)  # never a draft's deadline
    if update is None:
        return notes
    supporter = await ctx.ensure_supporter()
    when = next_reminder(update, ctx.app.settings, ctx.now)
    zone = ZoneInfo(ctx.app.settings.bot.timezone)
    day = ctx.tr.date(when.astimezone(zone).date()) if when else ""
    if not supporter.reminders_on:
        text = ctx._(
            "No problem. Your reminders are off (/reminders on turns them on), so come back "
            "with /actions before the deadline. {deadline}"
        )
    elif await acted_on_number(ctx.session, supporter.id, update.case_id):
        text = ctx._(
            "No problem. You have already acted on this UA, so I will not remind you; come "
            "back with /actions before the deadline to do more. {deadline}"
        )
    elif when is None:
        text = ctx._(
            "No problem. No reminder is left before the deadline, so come back with /actions "
            "in time. {deadline}"
        )
    else:
        await ask_for_reminder(ctx.session, supporter.id, update.id)
        text = ctx._("No problem. I will remind you on {day}. {deadline}")
    return [
        *notes,
        Text(
            text.format(deadline=deadline_line(ctx.tr, update, ctx.today), day=day),
            buttons=((Button(ctx._("Back to the letter"), data=Step(update.id, 3).data),),),
            edit=True,
        ),
    ]
