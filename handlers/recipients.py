"""Who to write to, and who to copy, corrected in chat.

An organiser pastes a recipient's block as the document lays it out (name, office, address
lines, email), and the document reader reads it; they add, replace, edit, remove and
reorder recipients. The list is one for both languages: an official's address does not
change with the supporter's language, so a correction made once reaches every version.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from handlers.awaited import RecipientPaste
from handlers.buttons import RecipientAction, ShowPreview
from handlers.context import Context
from handlers.contract import Button, Reply, Text
from handlers.draftview import draft_for, recipient_lines
from handlers.uaview import recipients
from storage.inputs import finish_input, start_input
from storage.models import PendingInput, UAUpdate
from storage.statuses import UpdateStatus
from storage.uas import get_update
from uareader.contacts import Contact, read_contacts

#: The two lists: whom supporters write to, and whom they copy.
LISTS = {"to": "targets", "cc": "cc"}
#: What a pasted block does: add one recipient, replace them all, or replace the n-th.
PASTES = ("add", "all", "edit")
#: More recipients than any UA names (the most seen is 6): past this, a paste is refused.
MOST_RECIPIENTS = 12
#: A paste is one chat message: Telegram's limit.
MOST_CHARACTERS = 4096

EXAMPLE = (
    "Minister of the Interior\n"
    "Mr. Rafael Ortiz\n"
    "Calle Larga 12\n"
    "28001 Madrid, Spain\n"
    "Email: ministro@interior.example"
)


def _store(update: UAUpdate, which: str, contacts: list[dict[str, Any]]) -> None:
    for text in update.texts:
        setattr(text, LISTS[which], [dict(contact) for contact in contacts])


async def show(ctx: Context, update_id: int, which: str) -> list[Reply]:
    """The list, numbered, with a button for each thing an organiser can do to it."""
    update = await draft_for(ctx, "who", update_id, drafts_only=True)
    if isinstance(update, list):
        return update
    which = which if which in LISTS else "to"
    return [_listing(ctx, update, which)]


def _listing(ctx: Context, update: UAUpdate, which: str) -> Text:
    contacts = recipients(update, LISTS[which])
    heading = (
        ctx._("Who to write to:") if which == "to" else ctx._("Send a copy of your letter to:")
    )
    lines = [heading, ""]
    lines += recipient_lines(ctx, contacts) or [ctx._("Nobody yet.")]
    rows: list[tuple[Button, ...]] = []
    for number in range(1, len(contacts) + 1):
        row = [
            Button(
                ctx._("Edit {n}").format(n=number),
                data=RecipientAction(update.id, f"{which}-edit", number).data,
            ),
            Button(
                ctx._("Remove {n}").format(n=number),
                data=RecipientAction(update.id, f"{which}-drop", number).data,
            ),
        ]
        if number > 1:
            row.append(
                Button(
                    ctx._("Move {n} up").format(n=number),
                    data=RecipientAction(update.id, f"{which}-up", number).data,
                )
            )
        rows.append(tuple(row))
    rows.append(
        (
            Button(ctx._("Add one"), data=RecipientAction(update.id, f"{which}-add").data),
            Button(ctx._("Replace all"), data=RecipientAction(update.id, f"{which}-all").data),
        )
    )
    rows.append((Button(ctx._("Back to the preview"), data=ShowPreview(update.id).data),))
    return Text("\n".join(lines), buttons=tuple(rows), edit=True)


async def act(
    ctx: Context, update_id: int, which: str, action: str, number: int | None
) -> list[Reply]:
    """A button of the list: remove or move one at once; for a paste, ask for it."""
    update = await draft_for(ctx, "who", update_id, drafts_only=True)
    if isinstance(update, list):
        return update
    which = which if which in LISTS else "to"
    contacts = recipients(update, LISTS[which])
    index = (number or 0) - 1
    if action in ("edit", "drop", "up") and not 0 <= index < len(contacts):
        return [_listing(ctx, update, which)]  # an old button: the list has changed
    if action == "drop":
        del contacts[index]
        _store(update, which, contacts)
        return [_listing(ctx, update, which)]
    if action == "up" and index > 0:
        contacts[index - 1], contacts[index] = contacts[index], contacts[index - 1]
        _store(update, which, contacts)
        return [_listing(ctx, update, which)]
    if action not in PASTES:
        return [_listing(ctx, update, which)]
    organiser = await ctx.ensure_supporter()
    purpose = RecipientPaste(update.id, which, action, number or 0).data
    await start_input(ctx.session, organiser.id, purpose, ctx.now)
    return [Text(_prompt(ctx, action, contacts[index] if action == "edit" else None))]


def _prompt(ctx: Context, action: str, current: dict[str, Any] | None) -> str:
    if current is not None:
        return (
            ctx._("This recipient as I hold it. Copy it, correct what is wrong, and send it back:")
            + "\n\n"
            + block_text(current)
        )
    if action == "all":
        intro = ctx._(
            "Send every recipient as the document lays them out, a blank line between two "
            "of them; they replace the list. For example:"
        )
    else:
        intro = ctx._(
            "Send the recipient as the document lays it out, one line each: the office, the "
            "name, the address lines, the email. For example:"
        )
    return intro + "\n\n" + EXAMPLE


def block_text(contact: dict[str, Any]) -> str:
    """A recipient as lines the reader reads back to the same recipient."""
    lines = [contact.get("organisation"), contact.get("name"), contact.get("title")]
    lines = [line for line in lines if line] + list(contact.get("address") or [])
    if contact.get("email"):
        lines.append(f"Email: {contact['email']}")
    if contact.get("social"):
        lines.append(str(contact["social"]))
    if contact.get("phone"):
        lines.append(f"Fax: {contact['phone']}")
    return "\n".join(lines)


async def receive(ctx: Context, pending: PendingInput, paste: RecipientPaste) -> list[Reply]:
    """The pasted block: read, checked, and put in the list; or, when it reads as no
    recipient, said why with an example, the list unchanged and the paste still awaited."""
    which, action, number = paste.which, paste.action, paste.number
    update = await get_update(ctx.session, paste.update_id)
    if update is None or update.status != UpdateStatus.DRAFT or which not in LISTS:
        await finish_input(ctx.session, pending)
        return [Text(ctx._("That draft is gone: it was cancelled, replaced or published."))]
    text = (ctx.incoming.text or "").strip()
    read = read_contacts(text[:MOST_CHARACTERS], organisation_first=which == "cc")
    problem = _problem(ctx, read, action)
    if problem is not None:
        return [
            Text(
                problem + "\n\n" + ctx._("Send it again like this, or go back:") + "\n\n" + EXAMPLE,
                buttons=(
                    (Button(ctx._("Back to the preview"), data=ShowPreview(update.id).data),),
                ),
            )
        ]
    contacts = recipients(update, LISTS[which])
    pasted = [asdict(contact) for contact in read]
    if action == "all":
        contacts = pasted
    elif action == "edit" and 0 < number <= len(contacts):
        contacts[number - 1] = pasted[0]
    else:
        contacts.append(pasted[0])
    _store(update, which, contacts[:MOST_RECIPIENTS])
    await finish_input(ctx.session, pending)
    return [_listing(ctx, update, which)]


def _problem(ctx: Context, read: list[Contact], action: str) -> str | None:
    """Why a paste cannot go in the list, or None."""
    if not read:
        return ctx._("I could not read a recipient in that.")
    if action != "all" and len(read) > 1:
        return ctx._(
            "That reads as {count} recipients; send one here, or all of them with “Replace all”."
        ).format(count=len(read))
    if len(read) > MOST_RECIPIENTS:
        return ctx._("That is more than {count} recipients.").format(count=MOST_RECIPIENTS)
    for contact in read:
        if not (contact.name or contact.organisation):
            return ctx._("I found no name or office in that, only: {lines}.").format(
                lines="; ".join(contact.address[:2] or [contact.email or ""])
            )
        if not (contact.address or contact.email or contact.social or contact.phone):
            return ctx._(
                "I read “{name}” as a name, but no address or email under it: send the whole block."
            ).format(name=contact.name or contact.organisation)
    return None
