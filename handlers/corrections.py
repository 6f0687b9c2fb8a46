"""Correcting a draft in chat: the organiser picks a field, then sends its new value as a
plain message. Documents are read leniently, so what the reader missed or misread is set
here rather than by editing the document and sending it again."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta

from handlers.awaited import FieldValue
from handlers.buttons import CorrectField, FieldMenu, Recipients, ShowPreview
from handlers.context import Context, whole_number
from handlers.contract import Button, Reply, Text
from handlers.draftview import draft_for, gathered, preview
from handlers.operations import deadline_problem
from handlers.uaview import LANGUAGE_LABELS, language_name, ua_label, ua_phrase
from storage.inputs import add_part, finish_input, pasted_length, pasted_text, start_input
from storage.models import PendingInput, UAUpdate
from storage.statuses import UpdateStatus
from storage.uas import get_update, renumber, set_ordinal, text_in
from uareader.numbers import UANumber
from uareader.phrases import N_
from uareader.text import safe_text
from uareader.vocabulary import find_date, language_code, parse_date

#: The languages a UA's text may be written in, by the document or typed in chat.
TEXT_LANGUAGES = ("en", "es")
_SALUTATION = re.compile(r"^(.{2,90}[,:])\s*\n")


@dataclass(frozen=True)
class Field:
    """One correctable field: its button label, what to ask, and whether each language
    version has its own (titles and letters do; the deadline does not)."""

    label: str
    prompt: str
    per_language: bool = False
    limit: int = 200
    #: Long enough for Telegram to split it (over 4,096 characters): gathered until /done.
    long: bool = False


FIELDS = {
    "number": Field(N_("UA number"), N_("Send the UA number, for example 72/24.")),
    "update": Field(
        N_("Which UA of the case"),
        N_(
            "Send which UA of its case this is: 1 for the first UA, 2 for the second UA (its "
            "first update), and so on."
        ),
    ),
    "deadline": Field(N_("Deadline"), N_("Send the deadline, for example {iso} or {written}.")),
    "country": Field(N_("Country"), N_("Send the country."), limit=64),
    "index": Field(
        N_("AI index"), N_("Send the AI index, for example AMR 53/1059/2026."), limit=32
    ),
    "preflang": Field(
        N_("Preferred language"),
        N_("Send the language the officials prefer, for example Spanish."),
    ),
    "title": Field(N_("Title"), N_("Send the title in {language}."), per_language=True, limit=300),
    "summary": Field(
        N_("Summary"),
        N_("Send the summary in {language}, then /done."),
        per_language=True,
        limit=10_000,
        long=True,
    ),
    "letter": Field(
        N_("Letter"),
        N_(
            "Send the sample letter in {language}, starting with its salutation line (such "
            "as “Dear Minister,”); a long letter may take several messages. Send /done when "
            "all of it is here: it replaces the letter of the draft."
        ),
        per_language=True,
        limit=20_000,
        long=True,
    ),
}


async def field_menu(ctx: Context, update_id: int) -> list[Reply]:
    """The fields an organiser can correct, one button each (per language where it has one)."""
    update = await draft_for(ctx, "fix", update_id, drafts_only=True)
    if isinstance(update, list):
        return update
    rows: list[tuple[Button, ...]] = [
        (
            Button(ctx._("Who to write to"), data=Recipients(update.id, "to").data),
            Button(ctx._("Copy to (CC)"), data=Recipients(update.id, "cc").data),
        )
    ]
    for key, field in FIELDS.items():
        if not field.per_language:
            rows.append((Button(ctx._(field.label), data=CorrectField(update.id, key).data),))
            continue
        rows.append(  # both languages: one may be typed for a UA that has only the other
            tuple(
                Button(
                    f"{ctx._(field.label)} ({language_name(ctx.tr, language)})",
                    data=CorrectField(update.id, key, language).data,
                )
                for language in TEXT_LANGUAGES
            )
        )
    rows.append((Button(ctx._("Back to the preview"), data=ShowPreview(update.id).data),))
    message = ctx._("Which field of {ua} do you want to correct?").format(
        ua=ua_label(ctx.tr, update)
    )
    return [Text(message, buttons=tuple(rows), edit=True)]


async def ask_value(
    ctx: Context, update_id: int, key: str | None, language: str | None
) -> list[Reply]:
    """Wait for the organiser's next message as the new value of one field."""
    key, language = key or "", language or ""
    update = await draft_for(ctx, "set", update_id, drafts_only=True)
    field = FIELDS.get(key)
    if isinstance(update, list):
        return update
    if field is None:
        return await field_menu(ctx, update_id)
    if field.per_language and language not in TEXT_LANGUAGES:
        return await field_menu(ctx, update_id)
    organiser = await ctx.ensure_supporter()
    awaited = FieldValue(update.id, key, language or None)
    await start_input(ctx.session, organiser.id, awaited.data, ctx.now)
    return [Text(_prompt(ctx, field, language))]


async def show_preview(ctx: Context, update_id: int) -> list[Reply]:
    update = await draft_for(ctx, "preview", update_id)
    return update if isinstance(update, list) else preview(ctx, update)


async def receive_value(ctx: Context, pending: PendingInput, value: FieldValue) -> list[Reply]:
    """The organiser's message after pressing a field: a value checked, stored and shown
    in the draft; for a letter or summary, one part of it, kept until /done."""
    found = await _pending_field(ctx, pending, value)
    if isinstance(found, list):
        return found
    update, key, language = found
    text = (ctx.incoming.text or "").strip()
    field = FIELDS[key]
    if not field.long:
        return await _store(ctx, pending, update, key, language, text)
    so_far = pasted_length(pending) + len(text)
    if so_far > field.limit:
        await finish_input(ctx.session, pending)
        return [_too_long(ctx, update, so_far, field.limit)]
    await add_part(ctx.session, pending, ctx.incoming.message_id or len(pending.parts), text)
    return [gathered(ctx, so_far)]


async def finish_value(ctx: Context, pending: PendingInput, value: FieldValue) -> list[Reply]:
    """/done after a letter or summary sent in parts: store it whole."""
    found = await _pending_field(ctx, pending, value)
    if isinstance(found, list):
        return found
    update, key, language = found
    if not pending.parts:
        return [Text(_prompt(ctx, FIELDS[key], language))]
    return await _store(ctx, pending, update, key, language, pasted_text(pending))


async def _pending_field(
    ctx: Context, pending: PendingInput, value: FieldValue
) -> tuple[UAUpdate, str, str] | list[Reply]:
    """The draft and field a pending input is for, or the answer when the draft is gone."""
    key, language = value.field, value.language or ""
    update = await get_update(ctx.session, value.update_id)
    if update is None or update.status != UpdateStatus.DRAFT or key not in FIELDS:
        await finish_input(ctx.session, pending)
        return [Text(ctx._("That draft is gone: it was cancelled, replaced or published."))]
    return update, key, language


def _too_long(ctx: Context, update: UAUpdate, count: int, limit: int) -> Text:
    message = ctx._("That is {count} characters; this field holds at most {limit}.").format(
        count=ctx.tr.number(count), limit=ctx.tr.number(limit)
    )
    return Text(message, buttons=_retry_buttons(ctx, update))


def _retry_buttons(ctx: Context, update: UAUpdate) -> tuple[tuple[Button, ...], ...]:
    return (
        (Button(ctx._("Correct a field"), data=FieldMenu(update.id).data),),
        (Button(ctx._("Back to the preview"), data=ShowPreview(update.id).data),),
    )


async def _store(
    ctx: Context, pending: PendingInput, update: UAUpdate, key: str, language: str, value: str
) -> list[Reply]:
    """Check a field's new value and store it; on a problem, say it and wait for another."""
    field = FIELDS[key]
    value = safe_text(value)
    if not field.long:  # a title typed on two lines would show its second as the bot's own
        value = " ".join(value.split())
    if len(value) > field.limit:
        return [_too_long(ctx, update, len(value), field.limit)]
    problem = await _SETTERS[key](ctx, update, value, language)
    if problem is not None:
        text = problem + "\n\n" + ctx._("Send it again, or choose another field.")
        return [Text(text, buttons=_retry_buttons(ctx, update))]
    await finish_input(ctx.session, pending)
    refreshed = await get_update(ctx.session, update.id)
    assert refreshed is not None
    return preview(ctx, refreshed)


async def _set_number(ctx: Context, update: UAUpdate, value: str, _language: str) -> str | None:
    typed = UANumber.typed(value)
    if typed is None:
        return ctx._("That is not a UA number: write it like 72/24.")
    number = typed.written
    if await renumber(ctx.session, update, number) is None:
        return ctx._("{ua} already exists: correct “Which UA of the case” first.").format(
            ua=ctx.tr.say(ua_phrase(number, update.ordinal))
        )
    return None


async def _set_update(ctx: Context, update: UAUpdate, value: str, _language: str) -> str | None:
    ordinal = whole_number(value, 99)
    if not ordinal:
        return ctx._(
            "Write which UA of the case it is as a number from 1 to 99 (1 for the first UA)."
        )
    if not await set_ordinal(ctx.session, update, ordinal):
        return ctx._("{ua} already exists.").format(
            ua=ctx.tr.say(ua_phrase(update.case.number, ordinal))
        )
    return None


def _prompt(ctx: Context, field: Field, language: str) -> str:
    example = example_deadline(ctx.today)
    return ctx._(field.prompt).format(
        language=language_name(ctx.tr, language),
        iso=example.isoformat(),
        written=ctx.tr.date(example),
    )


def example_deadline(today: date) -> date:
    """A date to show in "for example": ahead of today, since a past one is refused (a
    fixed example went stale and was refused when typed in as shown)."""
    return today + timedelta(days=30)


def read_date(value: str) -> date | None:
    """A date as an organiser types it: "2026-09-15", "15 September 2026", "15/09/2026"."""
    if (parsed := parse_date(value)) is not None:
        return parsed
    found = find_date(value)
    return found[0] if found else None


async def _set_deadline(ctx: Context, update: UAUpdate, value: str, _language: str) -> str | None:
    deadline = read_date(value)
    if deadline is None:
        return ctx._("That is not a date I can read: write it like {iso}.").format(
            iso=example_deadline(ctx.today).isoformat()
        )
    if problem := deadline_problem(deadline, ctx.today):  # a draft: set, not moved
        return ctx.tr.say(problem)
    update.deadline = deadline
    return None


async def _set_preferred(ctx: Context, update: UAUpdate, value: str, _language: str) -> str | None:
    code = value.lower() if value.lower() in LANGUAGE_LABELS else language_code(value)
    if code is None:
        names = ", ".join(language_name(ctx.tr, known) for known in LANGUAGE_LABELS)
        return ctx._("I do not know that language. Write one of: {names}.").format(names=names)
    update.preferred_language = code
    return None


#: Stores a corrected value: on the update, or on its text in the given language.
Setter = Callable[[Context, UAUpdate, str, str], Awaitable[None]]


def _update_text(attribute: str) -> Setter:
    async def set_value(ctx: Context, update: UAUpdate, value: str, _language: str) -> None:
        setattr(update, attribute, value)
        marks = dict(update.field_marks or {})
        if marks.pop(attribute, None):  # typed by the organiser: no longer assumed
            update.field_marks = marks

    return set_value


def _text_field(attribute: str) -> Setter:
    async def set_value(ctx: Context, update: UAUpdate, value: str, language: str) -> None:
        text = text_in(update, language)
        if attribute == "letter" and "\n" not in value and value.endswith((",", ":")):
            text.salutation = value  # only the salutation was sent: the letter stays
            return
        if attribute == "letter" and (salutation := _SALUTATION.match(value)):
            text.salutation = salutation.group(1).strip()
            value = value[salutation.end() :]
        if attribute in ("letter", "summary"):  # paragraphs, as the reader stores them
            value = "\n\n".join(line.strip() for line in value.splitlines() if line.strip())
        setattr(text, attribute, value.strip())

    return set_value


_SETTERS = {
    "number": _set_number,
    "update": _set_update,
    "deadline": _set_deadline,
    "country": _update_text("country"),
    "index": _update_text("index_code"),
    "preflang": _set_preferred,
    "title": _text_field("title"),
    "summary": _text_field("summary"),
    "letter": _text_field("letter"),
}
