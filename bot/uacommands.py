"""``uabot ua ...``: UAs on the command line, for organisers who keep documents on a server.
Each action is the chat's own (handlers.operations), so both apply the same checks; the
wording here is plain English for a terminal, errors on stderr with exit status 2."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import date
from pathlib import Path
from typing import TextIO

from bot.app import App
from handlers import operations
from handlers.operations import import_document
from handlers.uaview import nth_ua, ua_phrase
from storage.models import UAUpdate
from storage.uas import (
    all_updates,
    current_update,
    drop_revision,
    find_case,
    latest_update,
)
from uareader.document import UADocumentError, UADraft, parse_document
from uareader.numbers import normalise_ua_number

EXIT_USAGE = 2


def _read(command: str, file: Path) -> UADraft | None:
    """The UA read from ``file``; None, said on stderr, when it cannot be."""
    try:
        return parse_document(file.name, file.read_bytes())
    except OSError as error:
        print(f"uabot ua {command}: cannot read {file}: {error.strerror}", file=sys.stderr)
    except UADocumentError as error:
        print(f"uabot ua {command}: {error}", file=sys.stderr)  # it names the file
    return None


def parse(file: Path, as_json: bool, out: TextIO) -> int:
    draft = _read("parse", file)
    if draft is None:
        return EXIT_USAGE
    data = draft.to_json()
    if as_json:
        print(json.dumps(data, ensure_ascii=False, indent=2), file=out)
        return 0
    for key, value in data.items():
        if isinstance(value, str) and len(value) > 200:
            value = value[:200] + "…"
        print(f"{key}: {value}", file=out)
    return 0


async def import_file(app: App, file: Path, language: str | None, out: TextIO) -> int:
    draft = await asyncio.to_thread(_read, "import", file)
    if draft is None:
        return EXIT_USAGE
    if draft.closing_notice:
        print(
            f"{file.name} is a closing notice (no further action requested) for UA "
            f"{draft.ua_number or '(no number)'}: nothing stored; close the UA with "
            "`uabot ua close`",
            file=out,
        )
        return 0
    language = language or draft.language
    async with app.sessions() as session, session.begin():
        imported = await import_document(session, draft, language, app.clock.now())
        update = imported.update
        if imported.revision is not None:
            await drop_revision(session, imported.revision)
            print(
                f"{ua_phrase(update.case.number, update.ordinal)} is live: nothing changed. "
                "Send the document to the bot in chat to see what would change and apply it.",
                file=out,
            )
            return 0
        label, ordinal, deadline = update.case.number, update.ordinal, update.deadline
    for warning in draft.warnings:
        print(f"warning: {warning}", file=out)
    for name, value in imported.disagreements.items():
        print(f"warning: this version's {name} ({value}) differs; the stored one is kept", file=out)
    print(f"stored {ua_phrase(label, ordinal)} ({language}, draft)", file=out)
    if draft.missing:
        print(f"missing before publishing: {', '.join(draft.missing)}", file=out)
    if deadline is not None and deadline < app.today():
        print(f"warning: the deadline {deadline.isoformat()} has passed", file=out)
    return 0


def _deadline_text(update: UAUpdate) -> str:
    return f"until {update.deadline.isoformat()}" if update.deadline else "no deadline"


async def list_uas(app: App, out: TextIO) -> int:
    async with app.sessions() as session:
        updates = await all_updates(session)
    if not updates:
        print("no UA stored yet: import one with `uabot ua import FILE`", file=out)
    for update in updates:
        languages = ",".join(sorted(text.language for text in update.texts))
        print(
            f"{update.case.number or '(no number)'}\t{nth_ua(update.ordinal)}\t{update.status}\t"
            f"{_deadline_text(update)}\t{languages}",
            file=out,
        )
    return 0


async def show(app: App, number_text: str, out: TextIO) -> int:
    number = normalise_ua_number(number_text)
    async with app.sessions() as session:
        case = await find_case(session, number) if number else None
        if case is None:
            print(f"uabot ua show: no UA {number_text}; see `uabot ua list`", file=sys.stderr)
            return EXIT_USAGE
        updates = [u for u in await all_updates(session) if u.case_id == case.id]
    print(f"UA {case.number}" + (" (closed)" if case.closed_at else ""), file=out)
    for update in updates:
        print(
            f"  {nth_ua(update.ordinal)}: {update.status}, {_deadline_text(update)}, "
            f"index {update.index_code or '-'}, {update.country or '-'}",
            file=out,
        )
        for text in update.texts:
            targets = "; ".join(target["name"] for target in text.targets)
            print(f"    [{text.language}] {text.title} | to: {targets}", file=out)
    return 0


async def publish(app: App, number_text: str, out: TextIO) -> int:
    number = normalise_ua_number(number_text)
    async with app.sessions() as session, session.begin():
        update = await latest_update(session, number, published_only=False) if number else None
        if update is None:
            print(f"uabot ua publish: no UA {number_text}; see `uabot ua list`", file=sys.stderr)
            return EXIT_USAGE
        outcome = await operations.publish(
            session,
            update,
            today=app.today(),
            now=app.clock.now(),
            requested_by=None,
            channels=app.settings.broadcast.channel_addresses(),
        )
        label = str(ua_phrase(update.case.number, update.ordinal))
    if isinstance(outcome, operations.AlreadyPublished):
        print(f"{label} is already {update.status}", file=out)
        return 0
    if isinstance(outcome, operations.NotPublished):
        print(f"uabot ua publish: {label} is not ready; still needed:", file=sys.stderr)
        for problem in outcome.problems:
            print(f"  - {problem}", file=sys.stderr)
        if any("deadline" in problem.template for problem in outcome.problems):
            print(f"set the deadline with `uabot ua deadline {number} YYYY-MM-DD`", file=sys.stderr)
        if any("deadline" not in problem.template for problem in outcome.problems):
            print(
                "correct the other fields in the chat: send the document to the bot and "
                "press “Correct a field” under its preview",
                file=sys.stderr,
            )
        return EXIT_USAGE
    reopened = " (the UA was closed; it is open again)" if outcome.reopened else ""
    print(
        f"published {label}{reopened}: queued for {outcome.queued}; "
        "the running bot sends it (see `uabot stats --follow`)",
        file=out,
    )
    return 0


async def close(app: App, number_text: str, out: TextIO) -> int:
    number = normalise_ua_number(number_text)
    async with app.sessions() as session, session.begin():
        case = await find_case(session, number) if number else None
        if case is None:
            print(f"uabot ua close: no UA {number_text}; see `uabot ua list`", file=sys.stderr)
            return EXIT_USAGE
        if case.closed_at is not None:
            print(f"UA {case.number} is already closed", file=out)
            return 0
        await operations.close(session, case, app.clock.now())
    print(f"UA {case.number} is closed: no more reminders, gone from /actions", file=out)
    return 0


async def move_deadline(app: App, number_text: str, date_text: str, out: TextIO) -> int:
    try:
        deadline = date.fromisoformat(date_text)
    except ValueError:
        print(
            f"uabot ua deadline: {date_text!r} is not a date; write it as YYYY-MM-DD",
            file=sys.stderr,
        )
        return EXIT_USAGE
    number = normalise_ua_number(number_text)
    async with app.sessions() as session, session.begin():
        update = await current_update(session, number) if number else None
        if update is None:
            print(
                f"uabot ua deadline: no published UA {number_text}; see `uabot ua list`",
                file=sys.stderr,
            )
            return EXIT_USAGE
        if problem := operations.move_deadline(update, deadline, app.today()):
            print(f"uabot ua deadline: {problem}", file=sys.stderr)
            return EXIT_USAGE
        label = str(ua_phrase(update.case.number, update.ordinal))
    print(f"the deadline of {label} is now {deadline.isoformat()}", file=out)
    return 0
