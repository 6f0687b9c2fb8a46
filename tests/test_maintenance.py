"""Backups of a running SQLite database, and re-keying the database under a new key."""

from __future__ import annotations

import io

import pytest

from bot.app import build_app
from bot.config import Settings
from bot.dispatcher import Dispatcher
from bot.maintenance import rotate
from storage import rotation
from storage.backup import BackupError, backup_sqlite
from storage.crypto import IdentityVault, SecretKeyError, generate_secret_key
from storage.keycheck import UnfinishedRotation
from storage.rotation import rotate_key
from tests.conftest import ADMIN_ID, Chat, publish_fixture
from tests.live import running, says
from tests.test_cli import uabot_here

PEOPLE = [7_306_601 + n for n in range(5)]


async def _people_subscribe(chat) -> None:
    for person in PEOPLE:
        await chat(person).send("/subscribe")


async def test_a_backup_of_the_running_database_restores_everything(
    app, chat, settings, secret_key, tmp_path
) -> None:
    if app.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL is backed up with pg_dump")
    await publish_fixture(chat)
    await _people_subscribe(chat)
    copy = tmp_path / "copy.db"
    assert backup_sqlite(settings.database.url, copy) > 0  # the bot still running
    with pytest.raises(BackupError, match="exists already"):
        backup_sqlite(settings.database.url, copy)
    restored = Settings.model_validate(
        {**settings.model_dump(), "database": {"url": f"sqlite+aiosqlite:///{copy}"}}
    )
    again = await build_app(restored, secret_key=secret_key)
    try:
        person = Chat(Dispatcher(again), PEOPLE[0])
        await person.send("/mydata")
        assert "• subscribed: yes" in person.text
        await Chat(Dispatcher(again), ADMIN_ID).send("/stats")
    finally:
        await again.close()
    assert not copy.with_name("copy.db.partial").exists()


def test_backup_refuses_postgresql_and_says_what_to_use(tmp_path) -> None:
    with pytest.raises(BackupError, match="pg_dump"):
        backup_sqlite("postgresql+asyncpg://u@host/db", tmp_path / "x.db")


def test_uabot_backup_copies_the_configured_database(tmp_path) -> None:
    env = {"UABOT_DATABASE__URL": f"sqlite+aiosqlite:///{tmp_path / 'live.db'}"}
    assert uabot_here("migrate", env=env, cwd=tmp_path).returncode == 0
    made = uabot_here("backup", str(tmp_path / "nightly.db"), env=env, cwd=tmp_path)
    assert made.returncode == 0 and "backed up to" in made.stdout, made.stderr
    again = uabot_here("backup", str(tmp_path / "nightly.db"), env=env, cwd=tmp_path)
    assert again.returncode == 2 and "exists already: give a new file name" in again.stderr


async def test_rotating_the_key_rekeys_everyone_and_can_resume(
    app, chat, settings, secret_key, monkeypatch
) -> None:
    await publish_fixture(chat)
    await _people_subscribe(chat)
    await chat(ADMIN_ID).send(f"/grant {PEOPLE[1]} organiser")
    await app.close()  # the bot is stopped for a rotation
    new_key = generate_secret_key()
    old, new = IdentityVault(secret_key), IdentityVault(new_key)

    def stop_after_first_batch(_so_far: rotation.Rotation) -> None:
        raise KeyboardInterrupt  # the operator's Ctrl-C, halfway

    monkeypatch.setattr(rotation, "BATCH", 2)
    with pytest.raises(KeyboardInterrupt):
        await rotate_key(app.sessions, old, new, progress=stop_after_first_batch)
    for key in (secret_key, new_key):  # rows under two keys: the bot refuses to start
        with pytest.raises(UnfinishedRotation, match="run `uabot rotate-key` again"):
            await build_app(settings, secret_key=key)
    done = await rotate_key(app.sessions, old, new, configured_admins=[("telegram", ADMIN_ID)])
    assert done.already_done == 2 and done.supporters == len(PEOPLE) + 1 - 2
    with pytest.raises(SecretKeyError):
        await build_app(settings, secret_key=secret_key)
    rekeyed = await build_app(settings, secret_key=new_key)
    try:
        person = Chat(Dispatcher(rekeyed), PEOPLE[0])
        await person.send("/mydata")
        assert "• subscribed: yes" in person.text
        admin = Chat(Dispatcher(rekeyed), ADMIN_ID)
        await admin.send(f"/audit {PEOPLE[1]}")
        assert f"/grant · done · {ADMIN_ID} → {PEOPLE[1]} · organiser" in admin.text
    finally:
        await rekeyed.close()


async def test_the_key_is_not_rotated_under_a_running_bot(api, database_url) -> None:
    """A bot still running would write people under the old key: a second row for someone
    known, and a row neither key opens at the next rotation. Refused while it runs, on
    either database; done once it has stopped."""
    out = io.StringIO()
    async with running(api, database_url, "aiogram") as settings:
        await api.user_sends(PEOPLE[0], "/start")
        assert "Welcome!" in await says(api, PEOPLE[0], 1)
        new_key = generate_secret_key()
        assert await rotate(settings, new_key, out) == 2
    assert "Every stored id" not in out.getvalue()
    assert await rotate(settings, new_key, out) == 0
    assert "Every stored id is now under the new key" in out.getvalue()
    rekeyed = await build_app(settings, secret_key=new_key)  # the refused try changed nothing
    await rekeyed.close()


@pytest.mark.slow
def test_uabot_rotate_key_takes_the_new_key_from_a_file(tmp_path) -> None:
    old_key, new_key = generate_secret_key(), generate_secret_key()
    env = {
        "UABOT_DATABASE__URL": f"sqlite+aiosqlite:///{tmp_path / 'k.db'}",
        "UABOT_SECURITY__SECRET_KEY": old_key,
    }
    assert uabot_here("migrate", env=env, cwd=tmp_path).returncode == 0
    assert uabot_here("ua", "list", env=env, cwd=tmp_path).returncode == 0  # writes the key check
    missing = uabot_here("rotate-key", env=env, cwd=tmp_path)
    assert missing.returncode == 2 and "--new-key-file FILE" in missing.stderr
    key_file = tmp_path / "new.key"
    unreadable = uabot_here("rotate-key", "--new-key-file", str(key_file), env=env, cwd=tmp_path)
    assert unreadable.returncode == 2
    assert f"cannot read the new key from {key_file}: No such file" in unreadable.stderr
    key_file.write_text(new_key + "\n", encoding="utf-8")
    rotated = uabot_here("rotate-key", "--new-key-file", str(key_file), env=env, cwd=tmp_path)
    assert rotated.returncode == 0 and "Every stored id is now under the new key" in rotated.stdout
    assert uabot_here("ua", "list", env=env, cwd=tmp_path).returncode == 2  # the old key is done
    env["UABOT_SECURITY__SECRET_KEY"] = new_key
    assert uabot_here("ua", "list", env=env, cwd=tmp_path).returncode == 0
