"""What organisers do to a UA: import a document, publish a draft, move its deadline,
close it. Each is one function with one set of checks, whether asked in the chat or on the
command line; ``storage`` only stores what these decide. What stands in the way comes back
as Phrases, shown in the reader's language (English on the command line)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.uaview import nth_ua, recipients, ua_phrase
from storage.models import UACase, UARevision, UAUpdate
from storage.outbox import publish_and_queue
from storage.statuses import UpdateStatus
from storage.uas import (
    add_language,
    add_revision,
    case_for,
    close_case,
    find_update,
    get_update,
    latest_update,
    next_ordinal,
    save_draft,
)
from uareader.document import UADraft
from uareader.phrases import N_, Phrase

#: A UA runs for weeks; two years is more than any ever has (9999-12-31 once made /stats
#: draw a chart of 2.9 million days).
LONGEST_UA = timedelta(days=730)


@dataclass(frozen=True)
class Published:
    queued: int
    #: The UA number had been closed: publishing a new update opened it again.
    reopened: bool


@dataclass(frozen=True)
class NotPublished:
    """What the draft still needs, each with how to add it in the chat."""

    problems: list[Phrase]


@dataclass(frozen=True)
class AlreadyPublished:
    pass


@dataclass
class Imported:
    """What became of a document: a draft stored, or a change proposed for a live update."""

    update: UAUpdate
    revision: UARevision | None = None
    #: Fields where this language's document disagrees with the other's (kept as stored).
    disagreements: dict[str, object] = field(default_factory=dict)
    #: True when the document did not say which update it is and the next one was taken.
    ordinal_assumed: bool = False
    #: True when it replaced the draft's text in its language (a corrected document).
    replaced: bool = False
    #: The language added to a live update (its supporters in it read it from now on).
    language_added: str | None = None


async def import_document(
    session: AsyncSession,
    draft: UADraft,
    language: str,
    now: datetime,
    into: UAUpdate | None = None,
) -> Imported:
    """Store a parsed document: a new draft, the other language of a draft, or, for an
    update already published, a revision to show and apply only when asked. ``into`` is
    the draft an organiser said this document is the other version of, whatever number
    the document carries (a Spanish page may carry none)."""
    ordinal: int | None
    if into is not None:
        case, ordinal, assumed = into.case, into.ordinal, False
    else:
        case = await case_for(session, draft.ua_number)
        ordinal, assumed = draft.update_ordinal, draft.update_ordinal is None
    if ordinal is None:
        ordinal = await _ordinal_unsaid(session, case)
    existing = await find_update(session, case.id, ordinal)
    languages = {t.language for t in existing.texts} if existing else set()
    disagreements: dict[str, object] = {}
    if existing is not None and languages and language not in languages:
        if draft.deadline and existing.deadline and draft.deadline != existing.deadline:
            disagreements["deadline"] = draft.deadline  # flagged; the stored deadline stands
        if existing.status == UpdateStatus.DRAFT:
            _keep_update_fields(draft, existing)
        elif _same_index(draft, existing):  # a new language for a live UA: added, and said so
            update = await add_language(session, existing, draft, language)
            return Imported(update, disagreements=disagreements, language_added=language)
    if existing is not None and existing.status != UpdateStatus.DRAFT:
        revision = await add_revision(session, existing, draft, language, now)
        return Imported(await get_update(session, existing.id), revision)  # type: ignore[arg-type]
    update = await save_draft(session, draft, language, case=case, ordinal=ordinal)
    replaced = language in languages
    return Imported(update, disagreements=disagreements, ordinal_assumed=assumed, replaced=replaced)


async def _ordinal_unsaid(session: AsyncSession, case: UACase) -> int:
    """The update a document that does not say which it is belongs to: the draft in
    progress (its other language), else the next update."""
    newest = await next_ordinal(session, case.id) - 1
    latest = await find_update(session, case.id, newest) if newest else None
    return newest if latest is not None and latest.status == UpdateStatus.DRAFT else newest + 1


def _same_index(draft: UADraft, update: UAUpdate) -> bool:
    """Whether a document may be another language of ``update``: it names no other AI index
    (translations keep the index). One that does becomes a change to show, never a version
    added unasked: it would give the live UA's supporters another case's letter."""
    if not (draft.index and update.index_code):
        return True
    return "".join(draft.index.split()).upper() == "".join(update.index_code.split()).upper()


def _keep_update_fields(draft: UADraft, update: UAUpdate) -> None:
    """A draft's other language fills only the update's fields still empty: the country
    of the Spanish page ("República Andina") must not replace the English one already read,
    and a deadline that differs is flagged, not taken."""
    draft.deadline = update.deadline or draft.deadline
    draft.index = update.index_code or draft.index
    if update.country:
        draft.country = update.country
        draft.marks = {**draft.marks, "country": (update.field_marks or {}).get("country", "")}
    draft.issue_date = update.issue_date or draft.issue_date
    draft.preferred_language = update.preferred_language or draft.preferred_language
    draft.previous_link = update.previous_link or draft.previous_link


def deadline_problem(deadline: date, today: date) -> Phrase | None:
    """Why ``deadline`` cannot be a UA's deadline: past, or further than a UA ever runs."""
    if deadline < today:
        return Phrase(N_("That date has already passed: choose a date from today on."))
    if deadline > today + LONGEST_UA:
        return Phrase(N_("That is more than two years away: choose a date within two years."))
    return None


def publish_problems(update: UAUpdate, today: date, live: UAUpdate | None = None) -> list[Phrase]:
    """What stops this draft from being published; ``live``: the number's live update."""
    problems = []
    if update.case.number is None:
        problems.append(Phrase(N_("the UA number: press “Correct a field”, then “UA number”")))
    if update.deadline is None:
        problems.append(Phrase(N_("the deadline: press “Correct a field”, then “Deadline”")))
    elif update.deadline > today + LONGEST_UA:
        problems.append(Phrase(N_("a deadline within two years: correct the deadline")))
    elif update.deadline < today:
        problems.append(
            Phrase(
                N_("a deadline from today on ({date} has passed): correct the deadline"),
                date=update.deadline,
            )
        )
    targets = recipients(update, "targets")
    if not targets:
        problems.append(
            Phrase(N_("who to write to: press “Correct a field”, then “Who to write to”"))
        )
    nameless = [
        number
        for number, contact in enumerate(targets, 1)
        if not (contact.get("name") or contact.get("title") or contact.get("organisation"))
    ]
    if nameless:
        problems.append(
            Phrase(
                N_(
                    "a name for recipient {numbers} (the document gave only an address): "
                    "press “Correct a field”, then “Who to write to”"
                ),
                numbers=", ".join(map(str, nameless)),
            )
        )
    if not any(text.letter for text in update.texts):
        problems.append(
            Phrase(N_("a sample letter: press “Correct a field”, then “Letter” in a language"))
        )
    if live is not None and live.ordinal > update.ordinal:
        problems.append(
            Phrase(
                N_(
                    "{live} is already live, and this draft comes before it ({draft}): "
                    "correct “Which UA of the case”, or cancel this draft"
                ),
                live=ua_phrase(update.case.number, live.ordinal),
                draft=nth_ua(update.ordinal),
            )
        )
    return problems


async def what_stops_publishing(
    session: AsyncSession, update: UAUpdate, today: date
) -> list[Phrase]:
    """``publish_problems`` with the number's live update looked up: asked before the
    organiser is asked to confirm, so a refusal never follows a "yes"."""
    live = await latest_update(session, update.case.number) if update.case.number else None
    return publish_problems(update, today, live)


async def publish(
    session: AsyncSession,
    update: UAUpdate,
    *,
    today: date,
    now: datetime,
    requested_by: int | None,
    channels: list[tuple[str, str]],
    paid: bool = False,
) -> Published | NotPublished | AlreadyPublished:
    """Publish a draft and queue it for every subscriber (and the configured channels);
    ``paid``: the announcement goes with Telegram's paid broadcast."""
    if update.status != UpdateStatus.DRAFT:
        return AlreadyPublished()
    if problems := await what_stops_publishing(session, update, today):
        return NotPublished(problems)
    reopened = update.case.closed_at is not None
    queued = await publish_and_queue(
        session, update, requested_by=requested_by, channels=channels, now=now, paid=paid
    )
    return Published(queued, reopened)


def move_deadline(update: UAUpdate, deadline: date, today: date) -> Phrase | None:
    """Give a live update a new deadline; what is wrong with it instead, if anything."""
    if problem := deadline_problem(deadline, today):
        return problem
    update.deadline = deadline
    return None


async def close(session: AsyncSession, case: UACase, now: datetime) -> None:
    """End a UA early: it leaves the open actions and gets no more reminders."""
    await close_case(session, case, now)
