"""Publishing a draft: what still stops it, the one question before a broadcast that cannot
be called back (how many people, how long, and what paid broadcast would cost), then the
queueing.

Paid broadcast is Telegram's ``allow_paid_broadcast`` (Bot API 7.11): up to 1,000 messages a
second instead of about 30, for 0.1 Star each from the bot's balance. The operator allows
it in the configuration; an admin chooses it per broadcast, having seen the cost and the
balance. A refusal for lack of Stars mid-broadcast loses nothing: the rest goes free.
"""

from __future__ import annotations

import math

from handlers import operations
from handlers.buttons import FieldMenu, Publish
from handlers.context import Context
from handlers.contract import Button, Reply, Text
from handlers.draftview import draft_for, preview
from handlers.uaview import ua_label
from storage.models import UAUpdate
from storage.outbox import count_audience
from storage.statuses import Role, UpdateStatus
from uareader.phrases import Phrase

#: What Telegram takes from the bot's balance for each paid message.
STARS_PER_MESSAGE = 0.1


def stars_for(count: int) -> int:
    """The Stars a paid broadcast to ``count`` people costs, rounded up."""
    return math.ceil(count * STARS_PER_MESSAGE - 1e-9)


def _duration(ctx: Context, count: int, rate: float) -> str:
    """How long ``count`` messages take at ``rate``, in the words of the question."""
    minutes = round(count / rate / 60)
    if minutes < 1:
        return ctx._("under a minute")
    return ctx.tr.ngettext("about {minutes} minute", "about {minutes} minutes", minutes).format(
        minutes=ctx.tr.number(minutes)
    )


def _free_lasting(ctx: Context, count: int) -> str | None:
    """How long the broadcast takes at the free rate, when that is a minute or more: an
    organiser deciding when to send needs it (100,000 at 30/s is about 56 minutes, and
    replies share the rate)."""
    rate = ctx.app.settings.broadcast.rate_per_second
    if count / rate < 30:
        return None
    return ctx._("At {rate} messages a second, sending takes {duration}.").format(
        rate=ctx.tr.decimal(rate, "#,##0.#"), duration=_duration(ctx, count, rate)
    )


async def _paid_offer(
    ctx: Context, update: UAUpdate, count: int
) -> tuple[list[str], Button | None]:
    """What paid broadcast would change, and its button for an admin whose bot can pay."""
    options = ctx.app.settings.broadcast
    if not options.allow_paid_broadcast or count == 0:
        return [], None
    stars = stars_for(count)
    lines = [
        ctx._("With paid broadcast: {duration}, for about {stars} Stars.").format(
            duration=_duration(ctx, count, options.paid_rate_per_second),
            stars=ctx.tr.number(stars),
        )
    ]
    if ctx.role != Role.ADMIN:
        return [*lines, ctx._("Only an admin can choose paid broadcast.")], None
    balance = await ctx.app.star_balance()
    if balance is None:
        lines.append(
            ctx._(
                "The bot's Star balance could not be read. If the Stars run out, the rest "
                "goes at the free rate."
            )
        )
    elif balance < stars:
        lines.append(
            ctx._(
                "The bot has {balance} Stars: not enough for paid broadcast. Top up the bot's "
                "Stars, or send it at the free rate."
            ).format(balance=ctx.tr.number(math.floor(balance)))
        )
        return lines, None
    else:
        lines.append(
            ctx._("The bot has {balance} Stars.").format(balance=ctx.tr.number(math.floor(balance)))
        )
    label = ctx._("Send paid ({stars} Stars)").format(stars=ctx.tr.number(stars))
    return lines, Button(label, data=Publish(update.id, True, paid=True).data)


async def _question(ctx: Context, update: UAUpdate) -> list[Reply]:
    """ "Send UA 72/24 to 1,234 subscribers now?", with how long it takes and what paid
    broadcast would change."""
    count = await count_audience(ctx.session)
    lines = [
        ctx.tr.ngettext(
            "Send {ua} to {count} subscriber now?",
            "Send {ua} to {count} subscribers now?",
            count,
        ).format(ua=ua_label(ctx.tr, update), count=ctx.tr.number(count))
    ]
    if (lasting := _free_lasting(ctx, count)) is not None:
        lines += ["", lasting]
    paid_lines, paid_button = await _paid_offer(ctx, update, count)
    if paid_lines:
        lines += ["", *paid_lines]
    send = ctx._("Send it free") if paid_button else ctx._("Yes, send it")
    buttons = [Button(send, data=Publish(update.id, True).data)]
    if paid_button is not None:
        buttons.append(paid_button)
    not_yet = Button(ctx._("Not yet"), data=Publish(update.id, False).data)
    return [Text("\n".join(lines), buttons=(tuple(buttons), (not_yet,)), edit=True)]


async def publish(
    ctx: Context, update_id: int, confirmed: bool | None = None, paid: bool | None = None
) -> list[Reply]:
    """Publish a draft: what is still missing said first, then asked once, since a
    broadcast cannot be called back; ``paid``: an admin chose paid broadcast."""
    update = await draft_for(ctx, "publish", update_id)
    if isinstance(update, list):
        return update
    if confirmed is False:
        return preview(ctx, update)
    if confirmed is None and update.status == UpdateStatus.DRAFT:
        if problems := await operations.what_stops_publishing(ctx.session, update, ctx.today):
            return _not_ready(ctx, update, problems)
        return await _question(ctx, update)
    if paid and (ctx.role != Role.ADMIN or not ctx.app.settings.broadcast.allow_paid_broadcast):
        # Crafted button data, or a role or setting changed since the question was asked.
        free = Button(ctx._("Send it free"), data=Publish(update.id, True).data)
        message = ctx._(
            "Only an admin can choose paid broadcast, where the configuration allows it. "
            "Nothing was sent: send it at the free rate, or ask an admin."
        )
        return ctx.failed("paid broadcast not allowed", message, buttons=((free,),))
    outcome = await operations.publish(
        ctx.session,
        update,
        today=ctx.today,
        now=ctx.now,
        requested_by=(await ctx.ensure_supporter()).id,
        channels=ctx.app.settings.broadcast.channel_addresses(),
        paid=bool(paid),
    )
    if isinstance(outcome, operations.AlreadyPublished):
        return [Text(ctx._("{ua} is already published.").format(ua=ua_label(ctx.tr, update)))]
    if isinstance(outcome, operations.NotPublished):
        return _not_ready(ctx, update, outcome.problems)
    message = ctx.tr.ngettext(
        "Published {ua}: queued for {count} subscriber.",
        "Published {ua}: queued for {count} subscribers.",
        outcome.queued,
    ).format(ua=ua_label(ctx.tr, update), count=ctx.tr.number(outcome.queued))
    if paid:
        message += "\n" + ctx._("Paid broadcast: about {stars} Stars.").format(
            stars=ctx.tr.number(stars_for(outcome.queued))
        )
    if outcome.reopened:
        label = ctx._("UA {number}").format(number=update.ua_number)
        message += "\n" + ctx._("{ua} was closed; it is open again.").format(ua=label)
    return [Text(message, edit=True)]


def _not_ready(ctx: Context, update: UAUpdate, problems: list[Phrase]) -> list[Reply]:
    lines = [ctx._("Not published yet. Still needed:")]
    lines += [f"• {ctx.tr.say(problem)}" for problem in problems]
    fix = Button(ctx._("Correct a field"), data=FieldMenu(update.id).data)
    return ctx.failed("not ready to publish", "\n".join(lines), buttons=((fix,),))
