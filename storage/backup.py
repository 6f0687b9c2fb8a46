"""A consistent copy of a running SQLite database, for backups.

Copying the file of a database in WAL mode while the bot runs can catch it mid-write and
leaves out what is still in the write-ahead log; SQLite's online backup API copies a
consistent snapshot, WAL included, while the bot goes on. PostgreSQL has its own tools
(``pg_dump``), which docs/operations.md gives.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(Exception):
    """The backup cannot be made; the message says why and what to do instead."""


def sqlite_path(url: str) -> Path:
    """The file of a SQLite database URL; BackupError for any other database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        raise BackupError(
            "uabot backup copies SQLite databases; back PostgreSQL up with pg_dump "
            "(docs/operations.md, 'Backups', gives the command)"
        )
    if not parsed.database or parsed.database == ":memory:":
        raise BackupError("this SQLite database lives in memory: there is no file to back up")
    return Path(parsed.database)


def backup_sqlite(url: str, destination: Path) -> int:
    """Copy the database at ``url`` to ``destination`` (which must not exist yet); returns
    the size of the copy in bytes."""
    source = sqlite_path(url)
    if not source.exists():
        raise BackupError(f"there is no database at {source}")
    if destination.exists():
        raise BackupError(f"{destination} exists already: give a new file name")
    if not destination.parent.is_dir():
        raise BackupError(f"{destination.parent} is not a folder")
    _copy(source, destination)
    return destination.stat().st_size


def _copy(source: Path, destination: Path) -> None:
    partial = destination.with_name(destination.name + ".partial")
    reader = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    writer = sqlite3.connect(partial)
    try:
        # Pages in steps, so the running bot's writers wait for at most a step at a time.
        reader.backup(writer, pages=1024, sleep=0.01)
        writer.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    finally:
        writer.close()
        reader.close()
    partial.rename(destination)  # a backup that stopped halfway never has the final name
