"""The figures ``uabot stats`` prints: actions per UA number and update, subscribers now and
per week, and the running broadcasts. Counts only, never who."""

from __future__ import annotations

import sys
from datetime import date
from typing import TextIO

from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.progress import describe, follow, snapshots
from storage.audience import EVENTS, audience_now, audience_weeks
from storage.reports import PEOPLE, PEOPLE_ON_NUMBER, totals_by_update
from storage.uas import all_updates, find_case
from uareader.numbers import normalise_ua_number

EXIT_USAGE = 2


async def print_broadcasts(app: App, keep_following: bool, out: TextIO) -> None:
    """The running broadcasts' progress bars, once or redrawn until they are sent."""
    if keep_following:
        print(file=out)
        await follow(app, out)
        return
    running = [snapshot for snapshot in await snapshots(app) if not snapshot.finished]
    if running:
        print("\nbroadcasts running:", file=out)
    for snapshot in running:
        print(describe(snapshot, rate=None), file=out)


async def print_stats(app: App, number_text: str | None, out: TextIO) -> int:
    async with app.sessions() as session:
        updates = await all_updates(session)
        numbers = sorted({u.case.number for u in updates if u.case.number})
        if number_text:
            number = normalise_ua_number(number_text)
            if number is None or number not in numbers:
                print(f"uabot stats: no UA {number_text}; see `uabot ua list`", file=sys.stderr)
                return EXIT_USAGE
            numbers = [number]
        print("ua\tupdate\tpeople\tletter\temail\tsocial", file=out)
        for number in numbers:
            case = await find_case(session, number)
            assert case is not None
            totals = await totals_by_update(session, case.id)
            for ordinal in sorted(totals):
                kinds = totals[ordinal]
                print(
                    f"{number}\t{ordinal}\t{kinds.get(PEOPLE, 0)}\t{kinds.get('letter', 0)}\t"
                    f"{kinds.get('email', 0)}\t{kinds.get('social', 0)}",
                    file=out,
                )
            # Each person once, whatever the updates they acted on: the figure to report.
            people = sum(kinds.get(PEOPLE_ON_NUMBER, 0) for kinds in totals.values())
            print(f"{number} total: {people} {'person' if people == 1 else 'people'}", file=out)
        if not number_text:
            await _print_audience(session, app.today(), out)
    return 0


async def _print_audience(session: AsyncSession, today: date, out: TextIO) -> None:
    """Subscribers now and per week, counts only, as /stats shows them."""
    now = await audience_now(session)
    print(
        f"\nsubscribers now: {now.subscribed} receive new UAs, {now.blocked} blocked the bot, "
        f"{now.not_subscribed} not subscribed",
        file=out,
    )
    print("week\t" + "\t".join(EVENTS), file=out)
    for week, counts in await audience_weeks(session, today):
        print(f"{week.isoformat()}\t" + "\t".join(str(counts[e]) for e in EVENTS), file=out)
