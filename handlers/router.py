"""Which handler answers an update: commands by name, buttons by the prefix of their data."""

from __future__ import annotations

from bot.contract import Reply, Text
from handlers import corrections, drafts, revisions, supporters, walkthrough
from handlers.context import Context, whole_number


async def route_callback(ctx: Context, data: str) -> list[Reply]:
    """Button presses: ``prefix:arguments``. Unknown or stale data gets the open actions."""
    prefix, _, rest = data.partition(":")
    parts = rest.split(":") if rest else []
    update_id = whole_number(parts[0]) if parts else None
    if prefix == "lang" and parts:
        return await supporters.choose_language(ctx, parts[0])
    if prefix == "sub":
        return await (supporters.subscribe(ctx) if rest == "on" else supporters.unsubscribe(ctx))
    if prefix == "disc":
        return await supporters.set_discreet(ctx, rest == "on")
    if prefix == "rem":
        return await supporters.set_reminders(ctx, rest == "on")
    if prefix == "forget":
        return await supporters.confirm_forget(ctx, rest)
    step = whole_number(parts[1], 99) if len(parts) >= 2 else None
    if prefix == "ua" and update_id is not None and step is not None:
        language = parts[2] if len(parts) > 2 else None
        return await walkthrough.show_step(ctx, update_id, step, language)
    if prefix == "file" and update_id is not None and len(parts) == 2:
        return await walkthrough.letter_files(ctx, update_id, parts[1])
    if prefix == "rep" and update_id is not None and len(parts) in (2, 3):
        issued_to = parts[2] if len(parts) == 3 else None
        return await walkthrough.report(ctx, update_id, parts[1], issued_to)
    if prefix == "undo" and update_id is not None and len(parts) == 2:
        return await walkthrough.undo(ctx, update_id, parts[1])
    if prefix == "later" and update_id is not None:
        return await walkthrough.not_yet(ctx, update_id)
    if prefix in drafts.CALLBACKS and update_id is not None:
        return await drafts.CALLBACKS[prefix](ctx, update_id)
    if prefix == "fix" and update_id is not None:
        return await corrections.field_menu(ctx, update_id)
    if prefix == "set" and update_id is not None:
        return await corrections.ask_value(ctx, update_id, parts[1:])
    if prefix == "show" and update_id is not None:
        return await corrections.show_preview(ctx, update_id)
    if prefix == "prev" and update_id is not None:
        return await drafts.walk_draft(ctx, update_id, parts[1:])
    if prefix == "list":
        return await walkthrough.actions(ctx, whole_number(rest, 100_000) or 0)
    if prefix == "keepopen":
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
        command = ctx.commands.find(incoming.command)
        if command is None:
            message = ctx._("I do not know the command /{command}.").format(
                command=incoming.command[:32]
            )
            return [Text(message + "\n\n" + ctx.commands.help_text(ctx.tr, ctx.role))]
        return await command.handler(ctx)
    if (pending := await drafts.organiser_input(ctx)) is not None:
        if pending.purpose == drafts.GATHER:
            return await drafts.gather_part(ctx, pending)
        if pending.purpose.startswith(corrections.SET):
            return await corrections.receive_value(ctx, pending)
    return [
        Text(
            ctx._("I answer commands and buttons, and I do not keep what you write.")
            + "\n\n"
            + ctx.commands.help_text(ctx.tr, ctx.role)
        )
    ]
