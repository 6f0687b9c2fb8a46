"""From a UA document to a published UA: import, pasted text gathered until /done, the
other language, the walk as supporters will see it, publishing.

A document may lack what publishing needs (its number, its deadline); it is stored all the
same and the preview (``handlers.draftview``) says what to add. Field corrections live in
``handlers.corrections``, changes to a live UA in ``handlers.revisions``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import partial
from typing import cast

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.awaited import OtherLanguage, PastedUA, read_awaited
from handlers.buttons import CancelDraft
from handlers.context import Context
from handlers.contract import Button, Reply, Text
from handlers.draftview import add_language_buttons, draft_for, gathered, preview
from handlers.i18n import Translator
from handlers.operations import Imported, import_document
from handlers.revisions import (
    closing_notice,
    proposed_change,
)
from handlers.uaview import language_name, nth_ua, ua_label, ua_phrase
from handlers.walkthrough import preview_step
from storage.inputs import (
    add_part,
    finish_input,
    pasted_length,
    pasted_text,
    pending_input,
    start_input,
)
from storage.models import PendingInput, UAUpdate
from storage.statuses import STAFF, UpdateStatus
from storage.uas import (
    discard_draft,
    get_update,
)
from uareader.document import MAX_TEXT_CHARACTERS, UADocumentError, UADraft, parse_text
from uareader.extract import MAX_DOCUMENT_BYTES, too_complex, too_large
from uareader.numbers import UANumber

#: A UA pasted in Telegram arrives in parts of at most 4,096 characters; 60 parts hold
#: more than any UA (the longest seen is about 15,000 characters).
MAX_PARTS = 60


def _import_notes(ctx: Context, draft: UADraft, imported: Imported) -> list[str]:
    notes = [warning.translated(ctx._) for warning in draft.warnings]
    if imported.replaced:
        notes.append(
            ctx._(
                "This document replaced the {language} version of the draft: corrections "
                "made to it in chat are gone, so check them again."
            ).format(language=language_name(ctx.tr, draft.language))
        )
    if imported.ordinal_assumed:
        notes.append(
            ctx._(
                "The document does not say which UA of its case it is. I took it as: {nth}. "
                "Correct “Which UA of the case” if that is wrong."
            ).format(nth=ctx.tr.say(nth_ua(imported.update.ordinal)))
        )
    if imported.language_added:
        notes.append(
            ctx._(
                "{ua} is live: its {language} version is added and its supporters read it from "
                "now on. This preview shows that version."
            ).format(
                ua=ua_label(ctx.tr, imported.update),
                language=language_name(ctx.tr, imported.language_added),
            )
        )
    if "deadline" in imported.disagreements:
        notes.append(
            ctx._(
                "This version gives the deadline as {theirs}, the other version as {ours}: "
                "I kept {ours}. Correct the deadline if this one is right."
            ).format(
                theirs=ctx.tr.date(cast(date, imported.disagreements["deadline"])),
                ours=ctx.tr.date(imported.update.due),
            )
        )
    return notes


async def import_text(
    ctx: Context, read: Callable[[], UADraft], into: UAUpdate | None = None
) -> list[Reply]:
    """Read a document and store what it holds; only a text that is no UA is refused.
    ``into``: the draft this document is the other language of, as the organiser said."""
    try:
        draft = read()
    except UADocumentError as error:
        reason = error.translated(ctx._)[:3000]
        return ctx.failed(
            "not a UA document", ctx._("This document cannot become a UA:") + "\n\n" + reason
        )
    if draft.closing_notice and into is None:
        return await closing_notice(ctx, draft)
    if into is not None and (refusal := _not_this_ua(ctx, draft, into)):
        return ctx.failed(
            "other version of another UA", refusal, buttons=tuple(add_language_buttons(ctx, into))
        )
    imported = await import_document(ctx.session, draft, draft.language, ctx.now, into=into)
    if imported.revision is not None:
        return proposed_change(ctx, imported.update, imported.revision)
    notes = _import_notes(ctx, draft, imported)
    return preview(ctx, imported.update, notes, language=imported.language_added)


def _not_this_ua(ctx: Context, draft: UADraft, into: UAUpdate) -> str | None:
    """Why the document cannot be the other version of ``into``, if it names another UA:
    its pages would give this case's supporters another case's letter and targets."""
    number = into.case.number
    if draft.ua_number and number is None:
        return ctx._(
            "That document is {theirs}, and this draft has no UA number yet, so I cannot check "
            "that they are the same UA: give the draft its number first (“Correct a field”, "
            "then “UA number”), then add the other version."
        ).format(theirs=ctx._("UA {number}").format(number=draft.ua_number))
    theirs = _another_ua(ctx.tr, draft, into)
    if theirs is None:
        return None
    ours = ua_label(ctx.tr, into)
    return ctx._(
        "That document is {theirs}, not {ours}: I did not add it, so that nobody gets another "
        "case's letter. To add the other version, press the button below and send the "
        "document of {ours}; to make it a UA of its own, send it again now."
    ).format(theirs=theirs, ours=ours)


def _another_ua(tr: Translator, draft: UADraft, into: UAUpdate) -> str | None:
    """What the document says it is, when that is not ``into``: another number, another AI
    index (translations keep the index) or another document of the case. A page that says
    none of these is taken, as the organiser asked for it."""
    number = into.case.number
    if draft.ua_number and number and number not in UANumber.stored(draft.ua_number).spellings():
        return tr.gettext("UA {number}").format(number=draft.ua_number)
    if draft.index and into.index_code and _squeezed(draft.index) != _squeezed(into.index_code):
        return tr.gettext("the UA with AI index {index}").format(index=draft.index)
    ordinal = draft.update_ordinal
    # A plain "UA: 45/26" header reads as 1, the first UA; a translation of a later UA may
    # also lack its "Second UA", so 1 counts against only with another deadline beside it.
    other_deadline = bool(draft.deadline and into.deadline and draft.deadline != into.deadline)
    if ordinal is not None and ordinal != into.ordinal and (ordinal > 1 or other_deadline):
        return tr.say(ua_phrase(draft.ua_number or number, ordinal))
    return None


def _squeezed(index: str) -> str:
    return "".join(index.split()).upper()


async def document(ctx: Context) -> list[Reply]:
    """A file sent to the bot: a UA document from an organiser."""
    incoming_document = ctx.incoming.document
    assert incoming_document is not None
    if not await ctx.authorise("document", STAFF):
        return [Text(ctx._("I cannot use files sent to me. Try /help."))]
    size = incoming_document.size or 0
    if not incoming_document.fetched and size > MAX_DOCUMENT_BYTES:
        reason = too_large(size).translated(ctx._)
        return ctx.failed(
            "document too large", ctx._("This document cannot become a UA:") + f"\n\n{reason}"
        )
    if not incoming_document.fetched:
        return ctx.failed(
            "document not fetched",
            ctx._("Telegram did not let me fetch your file just now. Send it again."),
        )
    return await import_text(ctx, partial(_document_read, ctx), into=await _language_asked_for(ctx))


def _document_read(ctx: Context) -> UADraft:
    """The document as the dispatcher read it, in a process of its own, before this
    transaction."""
    read = ctx.document_read
    if read is None:
        raise UADocumentError(too_complex(), ctx.incoming.document.filename)  # type: ignore[union-attr]
    return _draft_or_raise(read)


async def _language_asked_for(ctx: Context) -> UAUpdate | None:
    """The draft whose "Add the other version" the organiser pressed last, if any: the
    file they send next is that version."""
    pending = await organiser_input(ctx)
    awaited = read_awaited(pending.purpose) if pending is not None else None
    if pending is None or not isinstance(awaited, OtherLanguage):
        return None
    await finish_input(ctx.session, pending)
    update = await get_update(ctx.session, awaited.update_id)
    return update if update is not None and update.status == UpdateStatus.DRAFT else None


async def new_ua(ctx: Context) -> list[Reply]:
    """/newua: the messages that follow, up to /done, are one UA's text. Telegram splits a
    paste over 4,096 characters into several messages, so one message is not enough."""
    if not await ctx.authorise("newua", STAFF):
        return [ctx.refusal()]
    organiser = await ctx.ensure_supporter()
    pending = await start_input(ctx.session, organiser.id, PastedUA().data, ctx.now)
    raw = ctx.incoming.text or ""
    pasted = raw.split(None, 1)[1] if len(raw.split(None, 1)) > 1 else ""
    if pasted.strip():
        await add_part(ctx.session, pending, ctx.incoming.message_id or 0, pasted)
        return [gathered(ctx, len(pasted))]
    return [
        Text(
            ctx._(
                "Paste the UA text now; a long text may go in several messages. Send /done "
                "when all of it is here. (A UA document also works as a file: .txt, .pdf or "
                ".docx.)"
            )
        )
    ]


async def done(ctx: Context, pasted: PendingInput | None) -> list[Reply]:
    """/done: read the text pasted since /newua (``pasted``: the paste pending, as the
    router found it; None when the organiser is pasting no UA)."""
    if not await ctx.authorise("done", STAFF):
        return [ctx.refusal()]
    if pasted is None or not pasted.parts:
        return ctx.failed(
            "nothing pasted", ctx._("Nothing to finish: send /newua, then paste the UA text.")
        )
    text = await finish_input(ctx.session, pasted)
    read = ctx.pasted_read
    if read is None or read.text != text:  # a part arrived since: read it all here
        return await import_text(ctx, lambda: parse_text(text))
    return await import_text(ctx, partial(_draft_or_raise, read.result))


def _draft_or_raise(result: UADraft | UADocumentError) -> UADraft:
    if isinstance(result, UADocumentError):
        raise result
    return result


#: The name a paste is read under in the isolated reader: plain text.
PASTED_NAME = "pasted.txt"


async def pasted_so_far(session: AsyncSession, supporter_id: int, now: datetime) -> str | None:
    """The UA text a person has pasted since /newua, or None when they are pasting none."""
    pending = await pending_input(session, supporter_id, now)
    if pending is None or read_awaited(pending.purpose) != PastedUA() or not pending.parts:
        return None
    return pasted_text(pending)


async def organiser_input(ctx: Context) -> PendingInput | None:
    """What an organiser's plain message is expected for (a paste's part, a field's new
    value); None for everyone else, whose words are neither kept nor used."""
    if ctx.supporter is None or ctx.role not in STAFF:
        return None
    return await pending_input(ctx.session, ctx.supporter.id, ctx.now)


async def gather_part(ctx: Context, pending: PendingInput) -> list[Reply]:
    """One more part of the UA text pasted after /newua."""
    text = ctx.incoming.text or ""
    so_far = pasted_length(pending)
    if so_far + len(text) > MAX_TEXT_CHARACTERS or len(pending.parts) >= MAX_PARTS:
        await finish_input(ctx.session, pending)
        return [
            Text(
                ctx._(
                    "That is more text than a UA has: I dropped it. Send /newua and paste one "
                    "UA at a time."
                )
            )
        ]
    await add_part(ctx.session, pending, ctx.incoming.message_id or len(pending.parts), text)
    return [gathered(ctx, so_far + len(text))]


async def cancel_draft(ctx: Context, update_id: int, confirmed: bool | None = None) -> list[Reply]:
    """Throw a draft away, asked first: one tap beside Publish would otherwise lose every
    correction made to it."""
    update = await draft_for(ctx, "cancel", update_id)
    if isinstance(update, list):
        return update
    if confirmed is False:
        return preview(ctx, update)
    if confirmed is None and update.status == UpdateStatus.DRAFT:
        question = ctx._("Throw away the draft of {ua} and every correction made to it?")
        buttons = (
            (
                Button(ctx._("Yes, throw it away"), data=CancelDraft(update.id, True).data),
                Button(ctx._("No, keep it"), data=CancelDraft(update.id, False).data),
            ),
        )
        return [Text(question.format(ua=ua_label(ctx.tr, update)), buttons=buttons, edit=True)]
    if await discard_draft(ctx.session, update):
        return [Text(ctx._("Cancelled: the draft is deleted."), edit=True)]
    return [Text(ctx._("{ua} is already published.").format(ua=ua_label(ctx.tr, update)))]


async def add_language(ctx: Context, update_id: int) -> list[Reply]:
    update = await draft_for(ctx, "addlang", update_id, drafts_only=True)
    if isinstance(update, list):
        return update
    organiser = await ctx.ensure_supporter()
    await start_input(ctx.session, organiser.id, OtherLanguage(update.id).data, ctx.now)
    return [
        Text(
            ctx._(
                "Send the other language's document now, as a file: it becomes the other "
                "version of {ua}. A document that names another UA is refused."
            ).format(ua=ua_label(ctx.tr, update))
        )
    ]


async def walk_draft(
    ctx: Context, update_id: int, step: int | None, language: str | None
) -> list[Reply]:
    """``prev:<id>:<step>:<language>``: the walkthrough of a draft, as supporters will see it."""
    update = await draft_for(ctx, "preview", update_id)
    if isinstance(update, list):
        return update
    step = step if step is not None and 1 <= step <= 99 else 1
    language = language if language in ("en", "es") else ctx.tr.language
    return await preview_step(ctx, update, step, language)
