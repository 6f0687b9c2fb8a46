"""Which handler answers an update: commands by name, buttons by the kind of their data."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from handlers import (
    admins,
    corrections,
    drafts,
    organisers,
    publishing,
    recipients,
    revisions,
    supporters,
    walkthrough,
)
from handlers import buttons as b
from handlers.awaited import FieldValue, PastedUA, RecipientPaste, read_awaited
from handlers.buttons import read_button
from handlers.commands import COMMANDS
from handlers.context import Context
from handlers.contract import Reply, Text

Handler = Callable[[Context], Awaitable[list[Reply]]]


async def _finish_pasting(ctx: Context) -> list[Reply]:
    """/done ends what the organiser was sending in parts: a UA's text, or a long field."""
    pending = await drafts.organiser_input(ctx)
    awaited = read_awaited(pending.purpose) if pending is not None else None
    if pending is not None and isinstance(awaited, FieldValue):
        return await corrections.finish_value(ctx, pending, awaited)
    return await drafts.done(ctx, pending if isinstance(awaited, PastedUA) else None)


#: The handler of each command in ``handlers.commands.COMMANDS``, by its name.
HANDLERS: dict[str, Handler] = {
    "start": supporters.start,
    "actions": walkthrough.actions,
    "ua": walkthrough.ua_command,
    "sign": walkthrough.sign,
    "subscribe": supporters.subscribe,
    "unsubscribe": supporters.unsubscribe,
    "language": supporters.language,
    "reminders": supporters.reminders,
    "discreet": supporters.discreet,
    "mydata": supporters.my_data,
    "forget": supporters.forget,
    "help": supporters.help_command,
    "myid": supporters.my_id,
    "newua": drafts.new_ua,
    "done": _finish_pasting,
    "uas": organisers.list_uas,
    "stats": organisers.stats,
    "export": organisers.export,
    "broadcasts": organisers.broadcasts,
    "cancel": organisers.cancel,
    "close": organisers.close,
    "deadline": organisers.deadline,
    "grant": admins.grant,
    "revoke": admins.revoke,
    "team": admins.team,
    "audit": admins.audit,
}


async def route_callback(ctx: Context, data: str) -> list[Reply]:
    """Button presses, by the kind of their data; anything unreadable gets the open actions."""
    match read_button(data):
        case b.ChooseLanguage(code):
            return await supporters.choose_language(ctx, code)
        case b.Subscription(on):
            return await (supporters.subscribe(ctx) if on else supporters.unsubscribe(ctx))
        case b.Discreet(on):
            return await supporters.set_discreet(ctx, on)
        case b.Reminders(on):
            return await supporters.set_reminders(ctx, on)
        case b.Forget(confirmed):
            return await supporters.confirm_forget(ctx, confirmed)
        case b.Step(update_id, step, language) if step <= 99:
            return await walkthrough.show_step(ctx, update_id, step, language)
        case b.LetterFile(update_id, language):
            return await walkthrough.letter_files(ctx, update_id, language)
        case b.Report(update_id, kind, issued_to):
            return await walkthrough.report(ctx, update_id, kind, issued_to)
        case b.Undo(update_id, kind):
            return await walkthrough.undo(ctx, update_id, kind)
        case b.NotYet(update_id):
            return await walkthrough.not_yet(ctx, update_id)
        case b.OpenActions(start):
            return await walkthrough.actions(ctx, start if start and start <= 100_000 else 0)
        case b.Publish(update_id, confirmed, paid):
            return await publishing.publish(ctx, update_id, confirmed, paid)
        case b.CancelDraft(update_id, confirmed):
            return await drafts.cancel_draft(ctx, update_id, confirmed)
        case b.Recipients(update_id, which):
            return await recipients.show(ctx, update_id, which)
        case b.RecipientAction(update_id, action, number):
            which, _, deed = action.partition("-")
            return await recipients.act(ctx, update_id, which, deed, number)
        case b.AddLanguage(update_id):
            return await drafts.add_language(ctx, update_id)
        case b.PreviewStep(update_id, step, language):
            return await drafts.walk_draft(ctx, update_id, step, language)
        case b.FieldMenu(update_id):
            return await corrections.field_menu(ctx, update_id)
        case b.CorrectField(update_id, field, language):
            return await corrections.ask_value(ctx, update_id, field, language)
        case b.ShowPreview(update_id):
            return await corrections.show_preview(ctx, update_id)
        case b.ApplyRevision(revision_id):
            return await revisions.apply_change(ctx, revision_id)
        case b.KeepLive(revision_id):
            return await revisions.keep_live(ctx, revision_id)
        case b.CloseUA(update_id):
            return await revisions.close_from_notice(ctx, update_id)
        case b.KeepOpen():
            return await revisions.keep_open(ctx)
    return await walkthrough.actions(ctx)


async def route(ctx: Context) -> list[Reply]:
    incoming = ctx.incoming
    if incoming.blocked is not None:
        return await supporters.blocked_or_back(ctx, incoming.blocked)
    if incoming.callback_data is not None:
        return await route_callback(ctx, incoming.callback_data)
    if incoming.document is not None:
        return await drafts.document(ctx)
    if incoming.command is not None:
        command = COMMANDS.find(incoming.command)
        if command is None:
            message = ctx._("I do not know the command /{command}.").format(
                command=incoming.command[:32]
            )
            return [Text(message + "\n\n" + COMMANDS.help_text(ctx.tr, ctx.role))]
        return await HANDLERS[command.name](ctx)
    if (pending := await drafts.organiser_input(ctx)) is not None:
        match read_awaited(pending.purpose):
            case PastedUA():
                return await drafts.gather_part(ctx, pending)
            case FieldValue() as value:
                return await corrections.receive_value(ctx, pending, value)
            case RecipientPaste() as paste:
                return await recipients.receive(ctx, pending, paste)
    if (opened := await walkthrough.open_typed_number(ctx, incoming.text or "")) is not None:
        return opened
    return [
        Text(
            ctx._("I answer commands and buttons, and I do not keep what you write.")
            + "\n\n"
            + COMMANDS.help_text(ctx.tr, ctx.role)
        )
    ]
