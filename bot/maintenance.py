"""The operator's maintenance commands: ``uabot backup`` and ``uabot rotate-key``."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TextIO

from bot.config import Settings
from storage.backup import BackupError, backup_sqlite
from storage.crypto import IdentityVault, SecretKeyError
from storage.database import SchemaError, check_schema, create_engine, create_session_factory
from storage.presence import BotServing, no_bot_serving
from storage.rotation import Rotation, RotationError, rotate_key

EXIT_USAGE = 2

ROTATED = """\
Every stored id is now under the new key ({rows} supporters re-keyed, {skipped} done by an
earlier run, {audit} audit entries renamed). Put the new key in security.secret_key (or
UABOT_SECURITY__SECRET_KEY) before starting the bot: the old key no longer opens this
database. Keep a copy of the new key; a lost key cannot be recovered."""


def backup(settings: Settings, destination: Path, out: TextIO) -> int:
    """``uabot backup PATH``: a consistent copy of the SQLite database, the bot running or not."""
    try:
        size = backup_sqlite(settings.database.url, destination)
    except (BackupError, OSError) as error:
        print(f"uabot backup: {error}", file=sys.stderr)
        return EXIT_USAGE
    print(f"backed up to {destination} ({size:,} bytes)", file=out)
    return 0


def read_new_key(new_key_file: Path | None) -> str | None:
    """The new key from a file (the safe way: no shell history) or UABOT_NEW_SECRET_KEY."""
    if new_key_file is not None:
        return new_key_file.read_text(encoding="utf-8").strip()
    return os.environ.get("UABOT_NEW_SECRET_KEY")


async def rotate(settings: Settings, new_key: str | None, out: TextIO) -> int:
    """``uabot rotate-key``: re-key the database from security.secret_key to the new key.
    The bot must be stopped: it refuses to start until the rotation has finished."""
    if not new_key:
        print(
            "uabot rotate-key: give the new key in a file (--new-key-file FILE) or in "
            "UABOT_NEW_SECRET_KEY; make one with `uabot keygen`",
            file=sys.stderr,
        )
        return EXIT_USAGE
    assert settings.security.secret_key
    try:
        old, new = IdentityVault(settings.security.secret_key), IdentityVault(new_key)
    except SecretKeyError as error:
        print(f"uabot rotate-key: {error}", file=sys.stderr)
        return EXIT_USAGE
    engine = create_engine(settings.database.url)
    try:
        await check_schema(engine)
        async with no_bot_serving(engine):
            done = await rotate_key(
                create_session_factory(engine),
                old,
                new,
                configured_admins=[("telegram", user_id) for user_id in settings.bot.admins],
                progress=lambda so_far: _progress(so_far, out),
            )
    except BotServing as error:
        print(
            f"uabot rotate-key: {error}: stop it first (e.g. systemctl stop uabot), then run "
            "rotate-key again; nothing was changed",
            file=sys.stderr,
        )
        return EXIT_USAGE
    except (SchemaError, RotationError) as error:
        print(f"uabot rotate-key: {error}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        await engine.dispose()
    rows, skipped, audit = done.supporters, done.already_done, done.audit_entries
    print(ROTATED.format(rows=rows, skipped=skipped, audit=audit), file=out)
    return 0


def _progress(so_far: Rotation, out: TextIO) -> None:
    print(f"re-keyed {so_far.supporters + so_far.already_done} supporters…", file=out)
