"""A draft as organisers see it: every field read, what publishing still needs, what looks
doubtful, and the buttons to go on; and the checks behind them."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

from handlers.buttons import AddLanguage, CancelDraft, FieldMenu, PreviewStep, Publish
from handlers.context import Context
from handlers.contract import Button, Reply, Text, split_text
from handlers.operations import publish_problems
from handlers.uaview import (
    STATUS_LABELS,
    contact_lines,
    language_name,
    pick_text,
    recipients,
    shortened,
    ua_label,
)
from storage.models import UAUpdate
from storage.statuses import STAFF, UpdateStatus
from storage.uas import (
    get_update,
)
from uareader.phrases import N_


def describe_contacts(contacts: list[dict[str, Any]]) -> str:
    """Recipients on one line, for a change's summary ("old → new")."""
    names = []
    for contact in contacts:
        parts = [contact.get("organisation") or "", contact.get("name") or ""]
        label = " – ".join(part for part in parts if part)
        if contact.get("title"):
            label += f" ({contact['title']})"
        names.append(label)
    return "; ".join(names) or "—"


#: How sure the reader is of a value; a value read and checked has no mark.
MARK_LABELS = {"assumed": N_("assumed: check it"), "doubtful": N_("doubtful: correct it")}


def marked(ctx: Context, value: str | None, mark: str | None) -> str:
    """A value as the preview shows it: "—" when missing, with its mark when it has one."""
    shown = value or "—"
    if mark in MARK_LABELS:
        return f"{shown} ({ctx._(MARK_LABELS[mark])})"
    return shown


def recipient_lines(ctx: Context, contacts: list[dict[str, Any]]) -> list[str]:
    """Each recipient numbered, with its office, address lines and email, and the mark of
    each field the reader doubted or assumed (a missing name shows as "—")."""
    lines: list[str] = []
    for number, contact in enumerate(contacts, 1):
        first, *rest = contact_lines(ctx.tr, contact, partial(marked, ctx))
        lines.append(f"{number}. {first}")
        lines += [f"   {line}" for line in rest]
        if not (contact.get("address") or contact.get("email") or contact.get("social")):
            lines.append("   " + ctx._("no address: add it with “Who to write to”"))
    return lines


def doubts(ctx: Context, update: UAUpdate) -> list[str]:
    """What a supporter would miss if the draft went out as it is."""
    found = []
    for text in update.texts:
        language = language_name(ctx.tr, text.language)
        if not text.title:
            found.append(ctx._("no title ({language})").format(language=language))
        if not text.letter:
            found.append(ctx._("no sample letter ({language})").format(language=language))
    if not update.country:
        found.append(ctx._("no country"))
    return found


def gathered(ctx: Context, characters: int) -> Text:
    """The answer to one part of a text sent in several messages (a paste, a letter)."""
    return Text(
        ctx._(
            "Got it ({count} characters so far). Send the rest, or /done when that is all."
        ).format(count=ctx.tr.number(characters))
    )


def preview(
    ctx: Context, update: UAUpdate, notes: Sequence[str] = (), language: str | None = None
) -> list[Reply]:
    """Every field of the update as it was read, what is missing, and what to do next;
    ``language``: the version to show (the one just added), else the reader's."""
    tr = ctx.tr
    text, _ = pick_text(update, language or tr.language)
    languages = ", ".join(language_name(tr, t.language) for t in update.texts)
    details = [
        update.index_code or "—",
        marked(ctx, update.country, (update.field_marks or {}).get("country")),
        tr.date(update.issue_date) if update.issue_date else "—",
    ]
    letter_start = shortened(text.letter.split("\n\n", 1)[0], 120)
    lines = [
        ctx._("Preview of {ua} ({status})").format(
            ua=ua_label(tr, update), status=ctx._(STATUS_LABELS[update.status])
        ),
        "",
        ctx._("Who to write to:"),
        *(recipient_lines(ctx, recipients(update, "targets", text)) or ["—"]),
        ctx._("Copy to:"),
        *(recipient_lines(ctx, recipients(update, "cc", text)) or ["—"]),
        "",
        ctx._("Title: {title}").format(title=text.title or "—"),
        ctx._("Index, country, date: {details}").format(details=" · ".join(details)),
        ctx._("Deadline: {date}").format(date=tr.date(update.deadline) if update.deadline else "—"),
        ctx._("Preferred language: {language}").format(
            language=language_name(tr, update.preferred_language) or "—"
        ),
        ctx._("Letter begins: {start}").format(start=letter_start or "—"),
        ctx._("Languages: {languages}").format(languages=languages),
    ]
    if update.status == UpdateStatus.DRAFT:
        if missing := [ctx.tr.say(p) for p in publish_problems(update, ctx.today)]:
            lines += ["", ctx._("Still needed before publishing:")]
            lines += [f"• {item}" for item in missing]
        if doubtful := doubts(ctx, update):
            lines += ["", ctx._("Check:")] + [f"• {item}" for item in doubtful]
    if notes:
        lines += ["", ctx._("Notes:")] + [f"• {note}" for note in notes]
    buttons: list[tuple[Button, ...]] = []
    if update.status == UpdateStatus.DRAFT:
        buttons.append(
            (
                Button(ctx._("Publish"), data=Publish(update.id).data),
                Button(ctx._("Cancel"), data=CancelDraft(update.id).data),
            )
        )
        buttons.append((Button(ctx._("Correct a field"), data=FieldMenu(update.id).data),))
        buttons.append(
            (
                Button(
                    ctx._("See it as supporters will"),
                    data=PreviewStep(update.id, 1, tr.language).data,
                ),
            )
        )
        buttons += add_language_buttons(ctx, update)
    chunks = split_text("\n".join(lines))
    return [Text(chunk, buttons=tuple(buttons) if chunk == chunks[-1] else ()) for chunk in chunks]


async def draft_for(
    ctx: Context, command: str, update_id: int, drafts_only: bool = False
) -> UAUpdate | list[Reply]:
    """The update an organiser's button names, or the answer to give instead: the same
    refusal as ever for anyone without the role; for an organiser, that it is gone."""
    if not await ctx.authorise(command, STAFF):
        return [ctx.refusal()]
    update = await get_update(ctx.session, update_id)
    if update is None or (drafts_only and update.status != UpdateStatus.DRAFT):
        return ctx.failed(
            "draft gone", ctx._("That draft is gone: it was cancelled, replaced or published.")
        )
    ctx.audit_about(update)
    return update


def add_language_buttons(ctx: Context, update: UAUpdate) -> list[tuple[Button, ...]]:
    """One "Add the … version" button per language the draft does not have yet."""
    missing_languages = {"en", "es"} - {t.language for t in update.texts}
    return [
        (
            Button(
                ctx._("Add the {language} version").format(language=language_name(ctx.tr, code)),
                data=AddLanguage(update.id).data,
            ),
        )
        for code in sorted(missing_languages)
    ]
