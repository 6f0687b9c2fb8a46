"""What organisers do to a UA: publish a draft, move its deadline, close it. Each is one
function with one set of checks, whether asked in the chat or on the command line; what
stands in the way comes back as Phrases, shown in the reader's language (English on the
command line)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.uaview import nth_ua, recipients, ua_phrase
from storage.models import UACase, UAUpdate
from storage.outbox import publish_and_queue
from storage.statuses import UpdateStatus
from storage.uas import close_case, latest_update
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
