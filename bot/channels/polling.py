"""Long polling, the same for both Telegram channels: raw events straight to the core.

Each library's own poller turns every event into its objects (aiogram: pydantic models
routed through its dispatcher; PTB: ``Update.de_json`` through its application), which the
channel then turned back into a dict for ``handle_event``: work thrown away on every
event. Here getUpdates is called through the library's own HTTP client, each channel
supplying ``fetch``, and the dicts go to ``handle_event`` as they came.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any

from bot.channels.telegram import ALLOWED_UPDATES, ChatOrder, handle_event
from bot.dispatcher import Dispatcher
from bot.sending import InFlight, RetryLater, SendError, TelegramSender, Unauthorized

log = logging.getLogger("uabot.polling")

#: Seconds Telegram holds a getUpdates open when there is nothing to send.
POLL_SECONDS = 10
#: After a failed poll, the pause before the next one, doubling up to the longest.
FIRST_POLL_PAUSE = 1.0
LONGEST_POLL_PAUSE = 30.0
#: Events being handled at once; beyond it the next poll waits and the rest waits at
#: Telegram, so a flood costs no memory here (a burst of 1,000 /start needs about 200).
MAX_IN_FLIGHT = 1000

#: getUpdates with these parameters; its result (a list of events) or a SendError.
Fetch = Callable[[dict[str, Any]], Awaitable[Any]]


async def long_poll(
    fetch: Fetch,
    core: Dispatcher,
    sender: TelegramSender,
    order: ChatOrder,
    in_flight: InFlight,
    stop: asyncio.Event,
) -> None:
    """Poll until ``stop``; each event handled in a task of its own as it comes."""
    offset, pause = 0, FIRST_POLL_PAUSE
    while not stop.is_set():
        await in_flight.below(MAX_IN_FLIGHT)  # the rest waits at Telegram
        try:
            events = await _next_events(fetch, offset, stop)
        except Unauthorized:
            raise
        except RetryLater as error:
            await wait_or_stop(stop, error.seconds)
            continue
        except SendError as error:
            log.warning("getUpdates failed (%s); polling again in %.0f s", error, pause)
            await wait_or_stop(stop, pause)
            pause = min(pause * 2, LONGEST_POLL_PAUSE)
            continue
        if events is None:  # stopped
            break
        core.app.metrics.polled()  # /healthz: events can arrive
        pause = FIRST_POLL_PAUSE
        for event in events:
            if isinstance(event, dict) and isinstance(event.get("update_id"), int):
                offset = max(offset, event["update_id"] + 1)
                in_flight.spawn(handle_event(core, sender, order, event))
    await in_flight.drain()


async def _next_events(fetch: Fetch, offset: int, stop: asyncio.Event) -> list[Any] | None:
    """The next events after ``offset``; None when ``stop`` came first (the long poll in
    progress is abandoned: Telegram sends its events again to the next poll)."""
    params = {"offset": offset, "timeout": POLL_SECONDS, "allowed_updates": ALLOWED_UPDATES}
    polling = asyncio.ensure_future(fetch(params))
    stopping = asyncio.ensure_future(stop.wait())
    await asyncio.wait({polling, stopping}, return_when=asyncio.FIRST_COMPLETED)
    stopping.cancel()
    if not polling.done():
        polling.cancel()
        with suppress(asyncio.CancelledError, SendError):
            await polling
        return None
    events = polling.result()
    return events if isinstance(events, list) else []


async def wait_or_stop(stop: asyncio.Event, seconds: float) -> None:
    """Sleep ``seconds`` unless ``stop`` is set first."""
    with suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
