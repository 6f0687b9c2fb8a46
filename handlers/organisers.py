"""Organiser commands: turn a UA document into a UA, preview it, publish it, see figures."""

from __future__ import annotations

import csv
import io
from datetime import date

from handlers import operations
from handlers.charts import actions_per_day_png
from handlers.context import Context, whole_number
from handlers.contract import File, Reply, Text, split_text, texts
from handlers.corrections import example_deadline, read_date
from handlers.uaview import STATUS_LABELS, nth_ua, ua_label
from handlers.walkthrough import number_and_rest
from storage.audience import EVENTS, audience_now, audience_weeks
from storage.outbox import (
    cancel_broadcast,
    delivery_counts,
    recent_broadcasts,
)
from storage.reports import COUNTS, PEOPLE, PEOPLE_ON_NUMBER, totals_by_day, totals_by_update
from storage.statuses import STAFF, DeliveryStatus
from storage.uas import (
    all_updates,
    current_update,
    find_case,
    get_update,
    latest_update,
    open_updates,
)
from uareader.phrases import N_


async def list_uas(ctx: Context) -> list[Reply]:
    if not await ctx.authorise("uas", STAFF):
        return [ctx.refusal()]
    updates = await all_updates(ctx.session)
    if not updates:
        return [Text(ctx._("No UA is stored yet. Send a UA document to add one."))]
    lines = [
        " · ".join(
            (
                ua_label(ctx.tr, update),
                ctx._(STATUS_LABELS[update.status]),
                ctx.tr.date(update.deadline) if update.deadline else ctx._("no deadline yet"),
            )
        )
        for update in updates
    ]
    return [Text(chunk) for chunk in split_text("\n".join(lines))]


# Counts by kind as nouns: the buttons' first-person words ("I sent a letter") read as
# somebody speaking when they head a figure.
KIND_COUNT_LABELS = {
    "letter": N_("letters: {count}"),
    "email": N_("emails: {count}"),
    "social": N_("social media posts: {count}"),
}


def _stats_lines(ctx: Context, number: str, totals: dict[int, dict[str, int]]) -> list[str]:
    # Each person once per number, whatever the updates they acted on.
    people = sum(kinds.get(PEOPLE_ON_NUMBER, 0) for kinds in totals.values())
    actions = sum(v for kinds in totals.values() for k, v in kinds.items() if k not in COUNTS)
    tr = ctx.tr
    lines = [
        "{ua}: {people}, {actions}.".format(
            ua=ctx._("UA {number}").format(number=number),
            people=tr.ngettext("{count} person acted", "{count} people acted", people).format(
                count=tr.number(people)
            ),
            actions=tr.ngettext("{count} action in all", "{count} actions in all", actions).format(
                count=tr.number(actions)
            ),
        )
    ]
    for ordinal in sorted(totals):
        kinds = totals[ordinal]
        by_kind = ", ".join(
            ctx._(label).format(count=tr.number(kinds.get(kind, 0)))
            for kind, label in KIND_COUNT_LABELS.items()
        )
        acted = kinds.get(PEOPLE, 0)
        lines.append(
            "{update}: {people} · {by_kind}".format(
                update=tr.say(nth_ua(ordinal)),
                people=tr.ngettext("{count} person acted", "{count} people acted", acted).format(
                    count=tr.number(acted)
                ),
                by_kind=by_kind,
            )
        )
    return lines


async def stats(ctx: Context) -> list[Reply]:
    """/stats [72/24]: counts only, never who."""
    if not await ctx.authorise("stats", STAFF):
        return [ctx.refusal()]
    if ctx.incoming.args:
        number, _ = number_and_rest(ctx.incoming.args)
        case = await find_case(ctx.session, number) if number else None
        if case is None:
            return ctx.failed("unknown UA", ctx._("I do not know that Urgent Action."))
        number = case.number  # as stored ("047/24" for "47/24")
        assert number is not None  # the case was found by its number
        lines = _stats_lines(ctx, number, await totals_by_update(ctx.session, case.id))
        latest = await latest_update(ctx.session, number)
        chart: list[Reply] = []
        if latest is not None:
            per_day: dict[date, int] = {}
            for _, kind, day, count in await totals_by_day(ctx.session, case.id):
                if kind not in COUNTS:
                    per_day[day] = per_day.get(day, 0) + count
            caption = ctx._("Actions per day on {ua}; the red line is the deadline.")
            chart.append(
                File(
                    "ua-{}-actions.png".format(number.replace("/", "-")),
                    actions_per_day_png(per_day, latest.due),
                    caption=caption.format(ua=ctx._("UA {number}").format(number=number)),
                )
            )
            counts = await delivery_counts(ctx.session, latest.id)
            lines.append(
                ctx._(
                    "Deliveries of the latest update: {sent} sent, {blocked} blocked, "
                    "{waiting} waiting."
                ).format(
                    sent=counts.get(DeliveryStatus.SENT, 0),
                    blocked=counts.get(DeliveryStatus.BLOCKED, 0),
                    waiting=counts.get(DeliveryStatus.PENDING, 0),
                )
            )
        return [*texts("\n".join(lines)), *chart]
    lines = await _audience_lines(ctx)
    updates = await open_updates(ctx.session, ctx.today)
    if not updates:
        lines.append(ctx._("There are no open Urgent Actions right now."))
    for update in updates:
        lines += _stats_lines(
            ctx, update.ua_number, await totals_by_update(ctx.session, update.case_id)
        )
    return texts("\n".join(lines))


async def _audience_lines(ctx: Context) -> list[str]:
    """Subscribers now and what changed in each of the last weeks: counts only."""
    now = await audience_now(ctx.session)
    number = ctx.tr.number
    lines = [
        ctx._(
            "Subscribers now: {subscribed} receive new UAs · {blocked} blocked the bot · "
            "{not_subscribed} not subscribed"
        ).format(
            subscribed=number(now.subscribed),
            blocked=number(now.blocked),
            not_subscribed=number(now.not_subscribed),
        ),
        ctx._("Week from Monday: subscribed · unsubscribed · blocked the bot · erased"),
    ]
    for week, counts in await audience_weeks(ctx.session, ctx.today, AUDIENCE_WEEKS):
        figures = " · ".join(number(counts[event]) for event in EVENTS)
        lines.append(f"{ctx.tr.date(week)}: {figures}")
    return [*lines, ""]


#: Weeks of subscriber figures /stats shows: two months, enough to see a trend.
AUDIENCE_WEEKS = 8


async def close(ctx: Context) -> list[Reply]:
    """/close 72/24: end a UA early; it leaves /actions and gets no more reminders."""
    if not await ctx.authorise("close", STAFF, detail=" ".join(ctx.incoming.args)[:100]):
        return [ctx.refusal()]
    number, _ = number_and_rest(ctx.incoming.args)
    case = await find_case(ctx.session, number) if number else None
    if case is None:
        return ctx.failed(
            "unknown UA", ctx._("Write /close followed by a UA number, e.g. /close 72/24.")
        )
    await operations.close(ctx.session, case, ctx.now)
    return [
        Text(ctx._("{ua} is closed.").format(ua=ctx._("UA {number}").format(number=case.number)))
    ]


async def deadline(ctx: Context) -> list[Reply]:
    """/deadline 72/24 2026-09-15: move the deadline of the current update."""
    if not await ctx.authorise("deadline", STAFF, detail=" ".join(ctx.incoming.args)[:100]):
        return [ctx.refusal()]
    args = ctx.incoming.args
    number, date_words = number_and_rest(args)
    update = await current_update(ctx.session, number) if number else None
    new_deadline = read_date(" ".join(date_words)) if date_words else None
    if update is None or new_deadline is None:
        return ctx.failed(
            "usage",
            ctx._(
                "Write /deadline followed by a UA number and a date, e.g. /deadline 72/24 {iso}."
            ).format(iso=example_deadline(ctx.today).isoformat()),
        )
    if problem := operations.move_deadline(update, new_deadline, ctx.today):
        return ctx.failed("deadline not ahead", ctx.tr.say(problem))
    return [
        Text(
            ctx._("The deadline of {ua} is now {date}.").format(
                ua=ua_label(ctx.tr, update), date=ctx.tr.date(new_deadline)
            )
        )
    ]


async def export(ctx: Context) -> list[Reply]:
    """/export 72/24: a CSV of the counts by update, kind and day. Counts only, never who."""
    if not await ctx.authorise("export", STAFF, detail=" ".join(ctx.incoming.args)[:50]):
        return [ctx.refusal()]
    number, _ = number_and_rest(ctx.incoming.args)
    case = await find_case(ctx.session, number) if number else None
    if case is None:
        return ctx.failed(
            "unknown UA", ctx._("Write /export followed by a UA number, e.g. /export 72/24.")
        )
    number = case.number  # as stored ("047/24" for "47/24")
    assert number is not None  # the case was found by its number
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["ua_number", "update", "kind", "day", "count"])
    for ordinal, kind, day, count in await totals_by_day(ctx.session, case.id):
        writer.writerow([number, ordinal, kind, day.isoformat(), count])
    filename = "ua-{}-actions.csv".format(number.replace("/", "-"))
    caption = ctx._(
        "Actions on {ua} by update, kind and day (people: who acted on the update; "
        "people_on_number: who acted on the number for the first time, each person once)."
    )
    return [
        File(
            filename,
            buffer.getvalue().encode("utf-8"),
            caption=caption.format(ua=ctx._("UA {number}").format(number=number)),
        )
    ]


async def broadcasts(ctx: Context) -> list[Reply]:
    """/broadcasts: running and recent broadcasts with their figures."""
    if not await ctx.authorise("broadcasts", STAFF):
        return [ctx.refusal()]
    recent = await recent_broadcasts(ctx.session)
    if not recent:
        return [Text(ctx._("No broadcast yet."))]
    lines = []
    for broadcast in recent:
        update = await get_update(ctx.session, broadcast.update_id)
        counts = await delivery_counts(ctx.session, broadcast.update_id)
        if broadcast.cancelled:
            state = ctx._("cancelled")
        elif broadcast.finished_at:
            state = ctx._("finished")
        else:
            state = ctx._("running")
        lines.append(
            ctx._(
                "#{id} {ua}: {state}, {sent} / {total} sent, {blocked} blocked, {failed} failed"
            ).format(
                id=broadcast.id,
                ua=ua_label(ctx.tr, update) if update else "?",
                state=state,
                sent=counts.get(DeliveryStatus.SENT, 0),
                total=sum(counts.values()),
                blocked=counts.get(DeliveryStatus.BLOCKED, 0),
                failed=counts.get(DeliveryStatus.FAILED, 0),
            )
        )
    lines.append(ctx._("Stop one with /cancel followed by its number."))
    return texts("\n".join(lines))


async def cancel(ctx: Context) -> list[Reply]:
    """/cancel <broadcast>: deliveries not yet sent are dropped."""
    args = ctx.incoming.args
    if not await ctx.authorise("cancel", STAFF, detail=" ".join(args)[:50]):
        return [ctx.refusal()]
    number = whole_number(args[0].lstrip("#")) if args else None
    running = {b.id: b for b in await recent_broadcasts(ctx.session, 100) if not b.finished_at}
    if number not in running:
        return ctx.failed(
            "no such broadcast running",
            ctx._("Write /cancel followed by the number of a running broadcast (see /broadcasts)."),
        )
    dropped = await cancel_broadcast(ctx.session, running[number], ctx.now)
    return [
        Text(
            ctx.tr.ngettext(
                "Broadcast #{id} stopped: {count} message will not be sent.",
                "Broadcast #{id} stopped: {count} messages will not be sent.",
                dropped,
            ).format(id=number, count=dropped)
        )
    ]
