"""A live UA is never changed silently: a document for a published update shows what would
change, field by field, and waits for an organiser's word; a closing notice offers to
close the UA it names."""

from __future__ import annotations

from datetime import date

from handlers import operations
from handlers.buttons import ApplyRevision, CloseUA, KeepLive, KeepOpen
from handlers.context import Context
from handlers.contract import Button, Reply, Text, split_text
from handlers.draftview import describe_contacts, preview
from handlers.operations import deadline_problem
from handlers.uaview import language_name, ua_label
from storage.models import UARevision, UAUpdate
from storage.statuses import STAFF
from storage.uas import (
    apply_revision,
    drop_revision,
    get_revision,
    get_update,
    latest_update,
)
from uareader.document import UADraft
from uareader.phrases import N_

_CHANGE_FIELDS = (
    ("deadline", N_("Deadline")),
    ("index", N_("AI index")),
    ("country", N_("Country")),
    ("issue_date", N_("Date")),
    ("preferred_language", N_("Preferred language")),
    ("title", N_("Title")),
    ("summary", N_("Summary")),
    ("targets", N_("Write to")),
    ("cc", N_("Copy to")),
    ("salutation", N_("Salutation")),
    ("letter", N_("Letter")),
    ("additional_info", N_("Additional information")),
    ("name_pronoun", N_("Who is at risk")),
)


_UPDATE_FIELDS = {
    "deadline": "deadline",
    "index": "index_code",
    "country": "country",
    "issue_date": "issue_date",
    "preferred_language": "preferred_language",
}


def changes(ctx: Context, update: UAUpdate, revision: UARevision) -> list[tuple[str, str, str]]:
    """(field label, now, would be) for each field the revised document would change, in
    the reader's words (dates, language names); a field the document lacks changes
    nothing, and a deadline the UA cannot have is shown as not applied."""
    draft = UADraft.from_json(revision.draft)
    text = next((t for t in update.texts if t.language == revision.language), None)
    found = []
    for name, label in _CHANGE_FIELDS:
        new = getattr(draft, name)
        if new in (None, "", []):
            continue
        if name in _UPDATE_FIELDS:
            old = getattr(update, _UPDATE_FIELDS[name])
        elif text is None:
            old = None
        else:
            old = getattr(text, name)
        if name in ("targets", "cc"):
            old = describe_contacts(old or [])
            new = describe_contacts([vars(contact) for contact in new])
        if old == new:
            continue
        shown_old, shown_new = _shown(ctx, old), _shown(ctx, new)
        if name == "deadline" and (problem := deadline_problem(new, ctx.today)):
            reason = ctx.tr.say(problem)
            shown_new += " " + ctx._("(not applied: {problem})").format(problem=reason)
        elif name == "preferred_language":
            shown_old, shown_new = language_name(ctx.tr, old), language_name(ctx.tr, new)
        found.append((label, shown_old or "—", shown_new))
    return found


def _shown(ctx: Context, value: object) -> str:
    if isinstance(value, date):
        return ctx.tr.date(value)
    return _short(value)


def _short(value: object) -> str:
    text = "—" if value in (None, "") else str(value)
    return text if len(text) <= 80 else f"{text[:77]}…"


def proposed_change(ctx: Context, update: UAUpdate, revision: UARevision) -> list[Reply]:
    found = changes(ctx, update, revision)
    label = ua_label(ctx.tr, update)
    if not found:
        return [
            Text(
                ctx._("This document matches {ua}, which is live: nothing would change.").format(
                    ua=label
                )
            )
        ]
    lines = [
        ctx._("{ua} is live. This document would change it:").format(ua=label),
        "",
        *(f"• {ctx._(name)}: {old} → {new}" for name, old, new in found),
        "",
        ctx._("Supporters who open it afterwards see the change; nothing is sent again."),
    ]
    buttons = (
        (Button(ctx._("Apply these changes"), data=ApplyRevision(revision.id).data),),
        (Button(ctx._("Keep it as it is"), data=KeepLive(revision.id).data),),
    )
    chunks = split_text("\n".join(lines))
    return [Text(chunk, buttons=buttons if chunk == chunks[-1] else ()) for chunk in chunks]


async def apply_change(ctx: Context, revision_id: int) -> list[Reply]:
    if not await ctx.authorise("apply", STAFF, detail=f"revision {revision_id}"):
        return [ctx.refusal()]
    revision = await get_revision(ctx.session, revision_id)
    if revision is None:
        return [Text(ctx._("That change was already applied or dropped."), edit=True)]
    deadline = UADraft.from_json(revision.draft).deadline
    keep = ("deadline",) if deadline and deadline_problem(deadline, ctx.today) else ()
    update = await apply_revision(ctx.session, revision, keep=keep)
    ctx.audit_about(update)
    return [
        Text(ctx._("{ua} is changed.").format(ua=ua_label(ctx.tr, update)), edit=True),
        *preview(ctx, update),
    ]


async def keep_live(ctx: Context, revision_id: int) -> list[Reply]:
    if not await ctx.authorise("keep", STAFF, detail=f"revision {revision_id}"):
        return [ctx.refusal()]
    revision = await get_revision(ctx.session, revision_id)
    if revision is not None:
        await drop_revision(ctx.session, revision)
    return [Text(ctx._("Nothing changed."), edit=True)]


async def closing_notice(ctx: Context, draft: UADraft) -> list[Reply]:
    """A notice that no further action is requested: offer to close the live UA."""
    if draft.ua_number is None:
        return [
            Text(
                ctx._(
                    "This document says no further action is requested, but names no UA "
                    "number. Close the UA with /close followed by its number, e.g. /close 72/24."
                )
            )
        ]
    live = await latest_update(ctx.session, draft.ua_number)
    label = ctx._("UA {number}").format(number=draft.ua_number)
    if live is None or live.case.closed_at is not None:
        return [
            Text(
                ctx._(
                    "This document says no further action is requested on {ua}, which is not "
                    "live here: there is nothing to close, and nothing was stored."
                ).format(ua=label)
            )
        ]
    return [
        Text(
            ctx._(
                "This document says no further action is requested on {ua}. Close it now? "
                "Closed, it leaves the open actions and gets no more reminders."
            ).format(ua=label),
            buttons=(
                (Button(ctx._("Close {ua}").format(ua=label), data=CloseUA(live.id).data),),
                (Button(ctx._("Keep it open"), data=KeepOpen().data),),
            ),
        )
    ]


async def close_from_notice(ctx: Context, update_id: int) -> list[Reply]:
    if not await ctx.authorise("close", STAFF):
        return [ctx.refusal()]
    update = await get_update(ctx.session, update_id)
    if update is None:
        return ctx.failed("unknown UA", ctx._("I do not know that Urgent Action."))
    ctx.audit_about(update)
    await operations.close(ctx.session, update.case, ctx.now)
    label = ctx._("UA {number}").format(number=update.case.number)
    return [Text(ctx._("{ua} is closed.").format(ua=label), edit=True)]


async def keep_open(ctx: Context) -> list[Reply]:
    return [Text(ctx._("Nothing changed."), edit=True)]
