"""When an update's reminders go out, as the scheduler plans them and as a supporter is
promised them: both read this, so the bot never says "I will remind you" in vain."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from handlers.services import Options
from storage.models import UAUpdate

#: No reminder comes sooner than this after the UA itself: a UA published two days before
#: its deadline once got its three-day reminder 29 seconds later.
QUIET_AFTER_PUBLISHING = timedelta(hours=12)


_OFFSET = re.compile(r"^(\d+)([dhm])$")


def parse_offset(text: str) -> timedelta:
    """Turn a reminder offset such as ``3d``, ``12h`` or ``30m`` into a timedelta."""
    match = _OFFSET.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not an offset like '3d', '12h' or '30m'")
    amount, unit = int(match.group(1)), match.group(2)
    return {"d": timedelta(days=amount), "h": timedelta(hours=amount)}.get(
        unit, timedelta(minutes=amount)
    )


_WINDOW = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")


def parse_window(text: str) -> tuple[time, time]:
    """``"09:00-20:00"`` as (start, end): the daytime hours when reminders may go out."""
    match = _WINDOW.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a window like '09:00-20:00'")
    start = time(int(match.group(1)), int(match.group(2)))
    end = time(int(match.group(3)), int(match.group(4)))
    if end <= start:
        raise ValueError(f"{text!r}: the window must end after it starts")
    return start, end


def fire_time(deadline: date, offset: str, timezone: str, window: str) -> datetime:
    """When the reminder ``offset`` before ``deadline`` goes out, inside the daytime window.

    The deadline is the end of its day's window; a whole-day offset reminds at the window's
    start that many days before; shorter offsets count back from the deadline and move into
    the window (to its start the same day, or to the next morning when past its end).
    """
    zone = ZoneInfo(timezone)
    start, end = parse_window(window)
    delta = parse_offset(offset)
    if delta % timedelta(days=1) == timedelta(0):
        moment = datetime.combine(deadline - delta, start, tzinfo=zone)
    else:
        moment = datetime.combine(deadline, end, tzinfo=zone) - delta
        if moment.timetz().replace(tzinfo=None) < start:
            moment = datetime.combine(moment.date(), start, tzinfo=zone)
        elif moment.timetz().replace(tzinfo=None) > end:
            moment = datetime.combine(moment.date() + timedelta(days=1), start, tzinfo=zone)
    return moment


def reminder_times(update: UAUpdate, settings: Options) -> dict[str, datetime]:
    """The update's reminders by offset, leaving out every one that falls less than
    ``QUIET_AFTER_PUBLISHING`` after it was published (so also any that had passed by then)."""
    assert update.deadline is not None, "a published update has a deadline"
    published = update.published_at or datetime.min.replace(tzinfo=UTC)
    if published.tzinfo is None:  # SQLite gives back naive datetimes; they were stored as UTC
        published = published.replace(tzinfo=UTC)
    earliest = published + QUIET_AFTER_PUBLISHING
    times = {
        offset: fire_time(update.deadline, offset, settings.bot.timezone, settings.reminders.window)
        for offset in settings.reminders.offsets
    }
    return {offset: moment for offset, moment in times.items() if moment >= earliest}


def next_reminder(update: UAUpdate, settings: Options, now: datetime) -> datetime | None:
    """The next reminder still to come for ``update``; None when none is left."""
    coming = [moment for moment in reminder_times(update, settings).values() if moment > now]
    return min(coming, default=None)
