"""The scheduled purge, and logging that never carries ids, texts or the token."""

from __future__ import annotations

import json
import logging
import re
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TextIO

from bot.app import App
from storage.audit import forget_before
from storage.privacy import DELIVERIES_PER_BATCH, Purged, purge_expired, purge_expired_deliveries

log = logging.getLogger("uabot.privacy")
#: Telegram re-sends an unanswered update for about a day; ids older than this can go.
SEEN_UPDATES_KEPT = timedelta(days=3)
PURGE_EVERY_HOURS = 6
#: Libraries whose INFO logs name the request URL (with the bot token) or update contents.
NOISY_LOGGERS = (
    "httpx",
    "httpcore",
    "aiogram.event",
    "aiogram.dispatcher",
    "telegram",
    "apscheduler",
)
_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}")


async def purge(app: App) -> Purged:
    """Once a UA's deadline plus ``security.purge_grace_days`` has passed, only its totals
    remain: who acted and who received it are deleted."""
    now = app.clock.now()
    today = app.today()
    cutoff = today - timedelta(days=app.settings.security.purge_grace_days)
    audit_kept = timedelta(days=app.settings.security.audit_retention_days)
    async with app.write_lock, app.sessions() as session, session.begin():
        purged = await purge_expired(session, cutoff, now - SEEN_UPDATES_KEPT)
        audited = await forget_before(session, now - audit_kept)
    deleted = batch = DELIVERIES_PER_BATCH
    while deleted == batch:  # each batch a short transaction: others write in between
        async with app.write_lock, app.sessions() as session, session.begin():
            deleted = await purge_expired_deliveries(session, cutoff, batch)
        purged = replace(purged, deliveries=purged.deliveries + deleted)
    log.info(
        "purged %d reports and %d deliveries of expired UAs, %d old update ids, "
        "%d audit entries past their retention",
        purged.reports,
        purged.deliveries,
        purged.update_ids,
        audited,
    )
    return purged


def redact(text: str, secrets: list[str]) -> str:
    """``text`` with anything shaped like a bot token, and each of ``secrets``, masked."""
    text = _TOKEN.sub("[token]", text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[secret]")
    return text


class RedactingFormatter(logging.Formatter):
    """Last line of defence: a bot token or other secret that reaches a log line is masked,
    in the message and in a traceback alike (an aiohttp error names the file URL, which
    holds the token)."""

    def __init__(self, fmt: str, secrets: list[str]) -> None:
        super().__init__(fmt)
        self.secrets = [secret for secret in secrets if secret]

    def redact(self, text: str) -> str:
        return redact(text, self.secrets)

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))


class JSONFormatter(RedactingFormatter):
    """One JSON object a line, for a log collector; masked like the text lines, field by
    field (a secret is replaced before JSON escapes it out of recognition)."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__("%(message)s", secrets)

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": self.redact(record.getMessage()),
        }
        if record.exc_info:
            entry["exception"] = self.redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(
    level: int | str, secrets: list[str], stream: TextIO | None = None, *, as_json: bool = False
) -> None:
    """Log to ``stream`` (stderr) with secrets masked and chatty libraries held to warnings:
    text lines, or JSON lines with ``as_json``."""
    handler = logging.StreamHandler(stream or sys.stderr)
    secrets = [secret for secret in secrets if secret]
    handler.setFormatter(
        JSONFormatter(secrets)
        if as_json
        else RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets)
    )
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
    quiet = max(logging.getLevelName(level) if isinstance(level, str) else level, logging.WARNING)
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(quiet)
