"""From a UA document to a draft ready to publish: import, preview, pasted text gathered
until /done, changes to a live UA shown before they apply, closing notices, publishing.

A document may lack what publishing needs (its number, its deadline); it is stored all the
same and the preview says what to add. Field corrections live in ``handlers.corrections``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import date, timedelta
from functools import partial
from typing import Any

from bot.contract import Button, Reply, Text, split_text
from bot.extract import MAX_DOCUMENT_BYTES, too_complex, too_large
from bot.i18n import N_
from bot.uadoc import MAX_TEXT_CHARACTERS, UADocumentError, UADraft, parse_text
from handlers.context import Context, whole_number
from handlers.uaview import STATUS_LABELS, language_name, pick_text, ua_label
from handlers.walkthrough import preview_step
from storage.inputs import add_part, finish_input, pending_input, start_input
from storage.models import PendingInput, UARevision, UAUpdate
from storage.outbox import publish_and_queue
from storage.uas import (
    Imported,
    apply_revision,
    close_case,
    discard_draft,
    drop_revision,
    get_revision,
    get_update,
    import_document,
    latest_update,
)

ORGANISERS = ("organiser", "admin")
#: The longest a UA runs: deadlines are weeks or months away, never years.
LONGEST_UA = timedelta(days=730)
GATHER = "newua"
ADD_LANGUAGE = "addlang"
#: A UA pasted in Telegram arrives in parts of at most 4,096 characters; 60 parts hold
#: more than any UA (the longest seen is about 15,000 characters).
MAX_PARTS = 60


def _describe_contacts(contacts: list[dict[str, Any]]) -> str:
    names = []
    for contact in contacts:
        parts = [contact.get("organisation") or "", contact.get("name") or ""]
        label = " – ".join(part for part in parts if part)
        if contact.get("title"):
            label += f" ({contact['title']})"
        names.append(label)
    return "; ".join(names) or "—"


def deadline_problem(ctx: Context, deadline: date) -> str | None:
    """Why ``deadline`` cannot be a UA's deadline: past, or further than a UA ever runs
    (9999-12-31 once made /stats draw a chart of 2.9 million days)."""
    if deadline < ctx.today:
        return ctx._("That date has already passed: choose a date from today on.")
    if deadline > ctx.today + LONGEST_UA:
        return ctx._("That is more than two years away: choose a date within two years.")
    return None


def missing_to_publish(ctx: Context, update: UAUpdate) -> list[str]:
    """What stops this draft from being published, each with how to add it."""
    missing = []
    if update.case.number is None:
        missing.append(ctx._("the UA number: press “Correct a field”, then “UA number”"))
    if update.deadline is None:
        missing.append(ctx._("the deadline: press “Correct a field”, then “Deadline”"))
    elif update.deadline > ctx.today + LONGEST_UA:
        missing.append(ctx._("a deadline within two years: correct the deadline"))
    elif update.deadline < ctx.today:
        missing.append(
            ctx._("a deadline from today on ({date} has passed): correct the deadline").format(
                date=ctx.tr.date(update.deadline)
            )
        )
    return missing


def doubts(ctx: Context, update: UAUpdate) -> list[str]:
    """What a supporter would miss if the draft went out as it is."""
    found = []
    for text in update.texts:
        language = language_name(ctx.tr, text.language)
        if not text.title:
            found.append(ctx._("no title ({language})").format(language=language))
        if not text.targets:
            found.append(ctx._("nobody to write to ({language})").format(language=language))
        if not text.letter:
            found.append(ctx._("no sample letter ({language})").format(language=language))
    if not update.country:
        found.append(ctx._("no country"))
    return found


def preview(ctx: Context, update: UAUpdate, notes: Sequence[str] = ()) -> list[Reply]:
    """Every field of the update as it was read, what is missing, and what to do next."""
    tr = ctx.tr
    text, _ = pick_text(update, tr.language)
    languages = ", ".join(language_name(tr, t.language) for t in update.texts)
    details = [
        update.index_code or "—",
        update.country or "—",
        tr.date(update.issue_date) if update.issue_date else "—",
    ]
    letter_start = text.letter.split("\n\n", 1)[0][:120]
    lines = [
        ctx._("Preview of {ua} ({status})").format(
            ua=ua_label(tr, update), status=ctx._(STATUS_LABELS[update.status])
        ),
        "",
        ctx._("Title: {title}").format(title=text.title or "—"),
        ctx._("Index, country, date: {details}").format(details=" · ".join(details)),
        ctx._("Deadline: {date}").format(date=tr.date(update.deadline) if update.deadline else "—"),
        ctx._("Write to: {targets}").format(targets=_describe_contacts(text.targets)),
        ctx._("Copy to: {cc}").format(cc=_describe_contacts(text.cc)),
        ctx._("Preferred language: {language}").format(
            language=language_name(tr, update.preferred_language) or "—"
        ),
        ctx._("Letter begins: {start}").format(start=letter_start or "—"),
        ctx._("Languages: {languages}").format(languages=languages),
    ]
    if update.status == "draft":
        if missing := missing_to_publish(ctx, update):
            lines += ["", ctx._("Still needed before publishing:")]
            lines += [f"• {item}" for item in missing]
        if doubtful := doubts(ctx, update):
            lines += ["", ctx._("Check:")] + [f"• {item}" for item in doubtful]
    if notes:
        lines += ["", ctx._("Notes:")] + [f"• {note}" for note in notes]
    buttons: list[tuple[Button, ...]] = []
    if update.status == "draft":
        buttons.append(
            (
                Button(ctx._("Publish"), data=f"pub:{update.id}"),
                Button(ctx._("Cancel"), data=f"drop:{update.id}"),
            )
        )
        buttons.append((Button(ctx._("Correct a field"), data=f"fix:{update.id}"),))
        buttons.append(
            (Button(ctx._("See it as supporters will"), data=f"prev:{update.id}:1:{tr.language}"),)
        )
        missing_languages = {"en", "es"} - {t.language for t in update.texts}
        for code in sorted(missing_languages):
            label = ctx._("Add the {language} version").format(language=language_name(tr, code))
            buttons.append((Button(label, data=f"addlang:{update.id}"),))
    chunks = split_text("\n".join(lines))
    return [Text(chunk, buttons=tuple(buttons) if chunk == chunks[-1] else ()) for chunk in chunks]


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
                "The document does not say which update of the UA it is: I took update "
                "{ordinal}. Correct it if that is wrong."
            ).format(ordinal=imported.update.ordinal)
        )
    if "deadline" in imported.disagreements:
        notes.append(
            ctx._(
                "This version gives the deadline as {theirs}, the other version as {ours}: "
                "I kept {ours}. Correct the deadline if this one is right."
            ).format(
                theirs=ctx.tr.date(imported.disagreements["deadline"]),
                ours=ctx.tr.date(imported.update.deadline),
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
        return [Text(ctx._("This document cannot become a UA:") + "\n\n" + reason)]
    if draft.closing_notice and into is None:
        return await _closing_notice(ctx, draft)
    imported = await import_document(ctx.session, draft, draft.language, ctx.now, into=into)
    if imported.revision is not None:
        return _proposed_change(ctx, imported.update, imported.revision)
    return preview(ctx, imported.update, _import_notes(ctx, draft, imported))


async def document(ctx: Context) -> list[Reply]:
    """A file sent to the bot: a UA document from an organiser."""
    incoming_document = ctx.incoming.document
    assert incoming_document is not None
    if not await ctx.authorise("document", ORGANISERS):
        return [Text(ctx._("I cannot use files sent to me. Try /help."))]
    size = incoming_document.size or 0
    if not incoming_document.fetched and size > MAX_DOCUMENT_BYTES:
        reason = too_large(size).translated(ctx._)
        return [Text(f"{ctx._('This document cannot become a UA:')}\n\n{reason}")]
    if not incoming_document.fetched:
        return [Text(ctx._("Telegram did not let me fetch your file just now. Send it again."))]
    return await import_text(ctx, partial(_document_read, ctx), into=await _language_asked_for(ctx))


def _document_read(ctx: Context) -> UADraft:
    """The document as the dispatcher read it, in a process of its own, before this
    transaction."""
    read = ctx.document_read
    if isinstance(read, UADocumentError):
        raise read
    if read is None:
        raise UADocumentError(too_complex(), ctx.incoming.document.filename)  # type: ignore[union-attr]
    return read


async def _language_asked_for(ctx: Context) -> UAUpdate | None:
    """The draft whose "Add the other version" the organiser pressed last, if any: the
    file they send next is that version."""
    pending = await organiser_input(ctx)
    if pending is None or not pending.purpose.startswith(f"{ADD_LANGUAGE}:"):
        return None
    await finish_input(ctx.session, pending)
    update_id = whole_number(pending.purpose.partition(":")[2])
    update = await get_update(ctx.session, update_id) if update_id is not None else None
    return update if update is not None and update.status == "draft" else None


async def new_ua(ctx: Context) -> list[Reply]:
    """/newua: the messages that follow, up to /done, are one UA's text. Telegram splits a
    paste over 4,096 characters into several messages, so one message is not enough."""
    if not await ctx.authorise("newua", ORGANISERS):
        return [ctx.refusal()]
    organiser = await ctx.ensure_supporter()
    pending = await start_input(ctx.session, organiser.id, GATHER, ctx.now)
    raw = ctx.incoming.text or ""
    pasted = raw.split(None, 1)[1] if len(raw.split(None, 1)) > 1 else ""
    if pasted.strip():
        await add_part(ctx.session, pending, ctx.incoming.message_id or 0, pasted)
        return [_gathered(ctx, len(pasted))]
    return [
        Text(
            ctx._(
                "Paste the UA text now; a long text may go in several messages. Send /done "
                "when all of it is here. (A UA document also works as a file: .txt, .pdf or "
                ".docx.)"
            )
        )
    ]


def _gathered(ctx: Context, characters: int) -> Text:
    return Text(
        ctx._(
            "Got it ({count} characters so far). Send the rest, or /done when that is all."
        ).format(count=ctx.tr.number(characters))
    )


async def done(ctx: Context) -> list[Reply]:
    """/done: read the text pasted since /newua."""
    if not await ctx.authorise("done", ORGANISERS):
        return [ctx.refusal()]
    organiser = await ctx.ensure_supporter()
    pending = await pending_input(ctx.session, organiser.id, ctx.now)
    if pending is None or pending.purpose != GATHER or not pending.parts:
        return [Text(ctx._("Nothing to finish: send /newua, then paste the UA text."))]
    text = await finish_input(ctx.session, pending)
    return await import_text(ctx, lambda: parse_text(text))


async def organiser_input(ctx: Context) -> PendingInput | None:
    """What an organiser's plain message is expected for (a paste's part, a field's new
    value); None for everyone else, whose words are neither kept nor used."""
    if ctx.supporter is None or ctx.role not in ORGANISERS:
        return None
    return await pending_input(ctx.session, ctx.supporter.id, ctx.now)


async def gather_part(ctx: Context, pending: PendingInput) -> list[Reply]:
    """One more part of the UA text pasted after /newua."""
    text = ctx.incoming.text or ""
    so_far = sum(len(part) for _, part in pending.parts)
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
    return [_gathered(ctx, so_far + len(text))]


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
            old = _describe_contacts(old or [])
            new = _describe_contacts([vars(contact) for contact in new])
        if old == new:
            continue
        shown_old, shown_new = _shown(ctx, old), _shown(ctx, new)
        if name == "deadline" and (problem := deadline_problem(ctx, new)):
            shown_new += " " + ctx._("(not applied: {problem})").format(problem=problem)
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


def _proposed_change(ctx: Context, update: UAUpdate, revision: UARevision) -> list[Reply]:
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
        (Button(ctx._("Apply these changes"), data=f"rev:{revision.id}"),),
        (Button(ctx._("Keep it as it is"), data=f"keep:{revision.id}"),),
    )
    chunks = split_text("\n".join(lines))
    return [Text(chunk, buttons=buttons if chunk == chunks[-1] else ()) for chunk in chunks]


async def apply_change(ctx: Context, revision_id: int) -> list[Reply]:
    if not await ctx.authorise("apply", ORGANISERS, detail=f"revision {revision_id}"):
        return [ctx.refusal()]
    revision = await get_revision(ctx.session, revision_id)
    if revision is None:
        return [Text(ctx._("That change was already applied or dropped."), edit=True)]
    deadline = UADraft.from_json(revision.draft).deadline
    keep = ("deadline",) if deadline and deadline_problem(ctx, deadline) else ()
    update = await apply_revision(ctx.session, revision, keep=keep)
    return [
        Text(ctx._("{ua} is changed.").format(ua=ua_label(ctx.tr, update)), edit=True),
        *preview(ctx, update),
    ]


async def keep_live(ctx: Context, revision_id: int) -> list[Reply]:
    if not await ctx.authorise("keep", ORGANISERS, detail=f"revision {revision_id}"):
        return [ctx.refusal()]
    revision = await get_revision(ctx.session, revision_id)
    if revision is not None:
        await drop_revision(ctx.session, revision)
    return [Text(ctx._("Nothing changed."), edit=True)]


async def _closing_notice(ctx: Context, draft: UADraft) -> list[Reply]:
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
                (Button(ctx._("Close {ua}").format(ua=label), data=f"closeua:{live.id}"),),
                (Button(ctx._("Keep it open"), data="keepopen"),),
            ),
        )
    ]


async def close_from_notice(ctx: Context, update_id: int) -> list[Reply]:
    if not await ctx.authorise("close", ORGANISERS, detail=f"update {update_id}"):
        return [ctx.refusal()]
    update = await get_update(ctx.session, update_id)
    if update is None:
        return [Text(ctx._("I do not know that Urgent Action."))]
    await close_case(ctx.session, update.case, ctx.now)
    label = ctx._("UA {number}").format(number=update.case.number)
    return [Text(ctx._("{ua} is closed.").format(ua=label), edit=True)]


async def draft_for(
    ctx: Context, command: str, update_id: int, drafts_only: bool = False
) -> UAUpdate | list[Reply]:
    """The update an organiser's button names, or the answer to give instead: the same
    refusal as ever for anyone without the role; for an organiser, that it is gone."""
    if not await ctx.authorise(command, ORGANISERS, detail=f"update {update_id}"):
        return [ctx.refusal()]
    update = await get_update(ctx.session, update_id)
    if update is None or (drafts_only and update.status != "draft"):
        return [Text(ctx._("That draft is gone: it was cancelled, replaced or published."))]
    return update


async def publish(ctx: Context, update_id: int) -> list[Reply]:
    update = await draft_for(ctx, "publish", update_id)
    if isinstance(update, list):
        return update
    if update.status != "draft":
        return [Text(ctx._("{ua} is already published.").format(ua=ua_label(ctx.tr, update)))]
    missing = missing_to_publish(ctx, update)
    live = await latest_update(ctx.session, update.case.number) if update.case.number else None
    if live is not None and live.ordinal > update.ordinal:
        missing.append(
            ctx._(
                "update {live} of UA {number} is already live, and this draft is update "
                "{ordinal}: correct the update number, or cancel this draft"
            ).format(live=live.ordinal, number=update.case.number, ordinal=update.ordinal)
        )
    if missing:
        lines = [ctx._("Not published yet. Still needed:")] + [f"• {item}" for item in missing]
        fix = Button(ctx._("Correct a field"), data=f"fix:{update.id}")
        return [Text("\n".join(lines), buttons=((fix,),))]
    organiser = await ctx.ensure_supporter()
    was_closed = update.case.closed_at is not None
    queued = await publish_and_queue(
        ctx.session,
        update,
        requested_by=organiser.id,
        channels=ctx.app.settings.broadcast.channel_addresses(),
        now=ctx.now,
    )
    message = ctx.tr.ngettext(
        "Published {ua}: queued for {count} subscriber.",
        "Published {ua}: queued for {count} subscribers.",
        queued,
    ).format(ua=ua_label(ctx.tr, update), count=ctx.tr.number(queued))
    if was_closed:
        label = ctx._("UA {number}").format(number=update.case.number)
        message += "\n" + ctx._("{ua} was closed; it is open again.").format(ua=label)
    return [Text(message, edit=True)]


async def cancel_draft(ctx: Context, update_id: int) -> list[Reply]:
    update = await draft_for(ctx, "cancel", update_id)
    if isinstance(update, list):
        return update
    if await discard_draft(ctx.session, update):
        return [Text(ctx._("Cancelled: the draft is deleted."), edit=True)]
    return [Text(ctx._("{ua} is already published.").format(ua=ua_label(ctx.tr, update)))]


async def add_language(ctx: Context, update_id: int) -> list[Reply]:
    update = await draft_for(ctx, "addlang", update_id, drafts_only=True)
    if isinstance(update, list):
        return update
    organiser = await ctx.ensure_supporter()
    await start_input(ctx.session, organiser.id, f"{ADD_LANGUAGE}:{update.id}", ctx.now)
    return [
        Text(
            ctx._(
                "Send the other language's document now, as a file: it becomes the other "
                "version of {ua}, whatever number it carries."
            ).format(ua=ua_label(ctx.tr, update))
        )
    ]


async def walk_draft(ctx: Context, update_id: int, rest: list[str]) -> list[Reply]:
    """``prev:<id>:<step>:<language>``: the walkthrough of a draft, as supporters will see it."""
    update = await draft_for(ctx, "preview", update_id)
    if isinstance(update, list):
        return update
    step = (whole_number(rest[0], 99) if rest else None) or 1
    language = rest[1] if len(rest) > 1 and rest[1] in ("en", "es") else ctx.tr.language
    return await preview_step(ctx, update, step, language)


async def keep_open(ctx: Context) -> list[Reply]:
    return [Text(ctx._("Nothing changed."), edit=True)]


CALLBACKS: dict[str, Callable[[Context, int], Awaitable[list[Reply]]]] = {
    "pub": publish,
    "drop": cancel_draft,
    "addlang": add_language,
    "rev": apply_change,
    "keep": keep_live,
    "closeua": close_from_notice,
}
