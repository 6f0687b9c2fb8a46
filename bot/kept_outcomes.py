"""The outbox worker's outcomes written: to the database, waiting out one that cannot take
them; when stopped meanwhile, kept in a file until the database takes them.

A message sent whose outcome is lost is sent again once its lease runs out. When SIGTERM
comes while the database takes no writes (a failover, a full disk), the worker writes what
it knows to the file instead, and the next worker writes it to the database before it
claims anything. The file holds delivery ids, statuses and reasons: nothing about any
person.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from storage.database import retry_unreachable, unreachable
from storage.outbox import Outcome, record_outcomes
from storage.statuses import DeliveryStatus

log = logging.getLogger("uabot.outbox")


class DamagedFile(ValueError):
    """The file of kept outcomes is not one this module wrote."""


def keep(path: Path, outcomes: Iterable[Outcome]) -> int:
    """Add ``outcomes`` to those kept in ``path``; how many the file now holds. Written to a
    temporary file and renamed, so a crash mid-write leaves the earlier file whole."""
    try:
        kept = read_kept(path)
    except DamagedFile:
        kept = []
    kept.extend(outcomes)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps([_as_dict(outcome) for outcome in kept]), encoding="utf-8")
    os.replace(temporary, path)
    return len(kept)


def read_kept(path: Path) -> list[Outcome]:
    """The outcomes kept in ``path``, none when there is no file."""
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as error:
        raise DamagedFile(f"{type(error).__name__}: {error}") from None
    if not isinstance(rows, list):
        raise DamagedFile("not a list of outcomes")
    return [_as_outcome(row) for row in rows]


def set_aside(path: Path) -> Path:
    """Rename a damaged file so that it stops the worker no more and stays to be read."""
    damaged = path.with_name(path.name + ".damaged")
    os.replace(path, damaged)
    return damaged


def _as_dict(outcome: Outcome) -> dict[str, Any]:
    return {
        "delivery_id": outcome.delivery_id,
        "status": outcome.status,
        "next_attempt_at": outcome.next_attempt_at.isoformat() if outcome.next_attempt_at else None,
        "error": outcome.error,
        "blocked_supporter": outcome.blocked_supporter,
        "attempts": outcome.attempts,
    }


def _as_outcome(row: Any) -> Outcome:
    try:
        if not isinstance(row, dict):
            raise TypeError("an outcome is an object")
        when, blocked, attempts = row["next_attempt_at"], row["blocked_supporter"], row["attempts"]
        optional = (n for n in (blocked, attempts) if n is not None)
        if type(row["delivery_id"]) is not int or any(type(n) is not int for n in optional):
            raise TypeError("ids and counts are whole numbers")
        if not (row["error"] is None or isinstance(row["error"], str)):
            raise TypeError("an error is text")
        return Outcome(
            delivery_id=row["delivery_id"],
            status=DeliveryStatus(row["status"]),
            next_attempt_at=datetime.fromisoformat(when) if when is not None else None,
            error=row["error"],
            blocked_supporter=blocked,
            attempts=attempts,
        )
    except (KeyError, TypeError, ValueError) as error:
        raise DamagedFile(f"an outcome is not as written: {error}") from None


#: Once stopped, how long the worker still tries to write outcomes the database cannot take
#: (read-only, disk full, down) before it keeps them in a file: SIGTERM ends the process in
#: under 10 s. Until stopped it waits as long as it takes, sending nothing meanwhile.
STOP_GRACE = 3.0


class OutcomeWriter:
    """Commits what the worker knows, one transaction at a time, as long as it takes until
    ``stop`` (the worker's SIGTERM), then for ``STOP_GRACE`` seconds more."""

    def __init__(self, app: App, stop: asyncio.Event) -> None:
        self.app = app
        self.stop = stop
        self._kept_written = False
        self._give_up_at: float | None = None  # once stopped: when to keep what is unwritten

    async def outcomes(self, outcomes: list[Outcome], writable: asyncio.Event) -> bool:
        """Write ``outcomes``; False when stopped before the database took them. A mistake
        of ours in one of them (not the database being away) costs that one alone."""
        store = partial(record_outcomes, outcomes=outcomes, today=self.app.today())
        try:
            return await self.write("recording outcomes", store, writable)
        except Exception:
            if len(outcomes) == 1:
                log.exception("an outcome could not be written; its message may be sent again")
                return True
            log.exception("outcomes could not be written together; writing them one by one")
        for outcome in outcomes:
            if not await self.outcomes([outcome], writable):
                return False
        return True

    def keep(self, outcomes: list[Outcome]) -> None:
        """Keep ``outcomes`` in the file, for the next worker to write."""
        path = self.app.settings.broadcast.outcomes_file
        try:
            total = keep(path, outcomes)
        except OSError as error:
            log.error(
                "%d outcomes could not be kept in %s (%s): those messages will be sent again",
                len(outcomes),
                path,
                error.strerror,
            )
            return
        log.warning("%d outcomes kept in %s until the database takes them", total, path)

    async def kept(self) -> bool:
        """Write what an earlier run kept in its file, once, before anything is claimed:
        its rows are still leased, so none of those messages goes out again. False when
        stopped before the database took them (the file stays)."""
        if self._kept_written:
            return True
        self._kept_written = await self._write_kept()
        return self._kept_written

    async def _write_kept(self) -> bool:
        path = self.app.settings.broadcast.outcomes_file
        try:
            kept = read_kept(path)
        except DamagedFile as error:
            log.error(
                "kept outcomes could not be read (%s); set aside as %s", error, set_aside(path)
            )
            return True
        if not kept:
            path.unlink(missing_ok=True)
            return True
        store = partial(record_outcomes, outcomes=kept, today=self.app.today(), only_leased=True)
        if not await self.write("kept outcomes", store):
            return False
        path.unlink(missing_ok=True)
        log.info("%d kept outcomes written", len(kept))
        return True

    async def write(
        self,
        what: str,
        store: Callable[[AsyncSession], Awaitable[None]],
        writable: asyncio.Event | None = None,
    ) -> bool:
        """Commit what ``store`` writes, waiting out a database that cannot take it now: a
        message sent but not recorded would be sent again once its lease runs out. While it
        waits, ``writable`` is cleared, so that sending stops too. Once stopped it tries for
        ``STOP_GRACE`` seconds more, then answers False: SIGTERM must end the process."""

        async def transaction() -> None:
            async with self.app.write_lock, self.app.sessions() as session, session.begin():
                await store(session)
            if writable is not None:
                writable.set()

        async def wait(pause: float) -> bool:
            if writable is not None:
                writable.clear()
            return await self._pause_unless_given_up(pause)

        try:
            await retry_unreachable(transaction, what=what, wait=wait)
        except Exception as error:
            if unreachable(error):
                return False
            raise
        return True

    async def _pause_unless_given_up(self, pause: float) -> bool:
        """Wait ``pause`` seconds, or less when stopped; False once stopped for longer than
        ``STOP_GRACE`` (one grace for all that is left to write: SIGTERM's 10 s are not
        per write)."""
        if self.stop.is_set():
            self._give_up_at = self._give_up_at or time.monotonic() + STOP_GRACE
            if time.monotonic() >= self._give_up_at:
                return False
            await asyncio.sleep(pause)
        else:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), pause)
        return True
