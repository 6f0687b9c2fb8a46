"""Outcomes a stopping worker could not write, kept in a file until the database takes them.

A message sent whose outcome is lost is sent again once its lease runs out. When SIGTERM
comes while the database takes no writes (a failover, a full disk), the worker writes what
it knows here instead, and the next worker writes it to the database before it claims
anything. The file holds delivery ids, statuses and reasons: nothing about any person.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from storage.outbox import Outcome
from storage.statuses import DeliveryStatus


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
