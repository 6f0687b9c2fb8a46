"""Privacy by construction: what a leaked database file, log or export could reveal."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, inspect, select, text

from bot.config import Settings
from bot.privacy import configure_logging, purge
from bot.runner import run_bot
from storage.crypto import SecretKeyError, generate_secret_key
from storage.models import ActionReport, ActionTotal, AuditEntry, Delivery
from tests.conftest import ADMIN_ID, START, fixture_bytes, publish_fixture, subscribe_many
from tests.fake_bot_api import FakeBotAPI
from tests.live import free_port, without_settings
from tests.test_telegram import running, says

PERSON = 7319046652  # distinctive, so finding it anywhere is no accident
SIGNATURE = "Zoraida Quintero-Blanco"
FREE_TEXT = "mi hermano sigue detenido en El Helicoide"


async def walk_and_report(person, number: str = "45/26") -> None:
    await person.open_step(number, 5)
    await person.press_data(person.buttons()[0].data)  # "I sent a letter", in any language


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_database_file_alone_yields_no_telegram_id_name_or_text(
    app, chat, settings
) -> None:
    await publish_fixture(chat)
    person = chat(PERSON, "es")
    await person.send("/start")
    await person.send("/subscribe")
    await person.send(FREE_TEXT)
    await person.send(f"/sign 45/26 {SIGNATURE}")
    await walk_and_report(person)
    await app.engine.dispose()  # everything on disk (WAL included)
    database = Path(settings.database.url.removeprefix("sqlite+aiosqlite:///"))
    stored = b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))
    for secret in (str(PERSON), SIGNATURE, FREE_TEXT, "Zoraida"):
        assert secret.encode() not in stored, secret


async def test_logs_of_a_whole_journey_carry_no_id_text_or_token(database_url) -> None:
    api = FakeBotAPI(token="7777777:AAHkQs9d-LongSecretTokenValue_123")
    await api.start()
    stream = io.StringIO()
    configure_logging(logging.INFO, [api.token], stream)
    try:
        async with running(api, database_url, "aiogram"):
            await api.user_uploads(ADMIN_ID, "ua.txt", fixture_bytes("ua-en-two-targets.txt"))
            await says(api, ADMIN_ID, 1)
            await api.user_presses(ADMIN_ID, api.last(ADMIN_ID), "Publish")
            await says(api, ADMIN_ID, 2)
            await api.user_presses(ADMIN_ID, api.last(ADMIN_ID), "Yes, send it")
            await says(api, ADMIN_ID, 3)
            await api.user_sends(PERSON, "/start", language="es")
            await says(api, PERSON, 1)
            await api.user_sends(PERSON, FREE_TEXT, language="es")
            await says(api, PERSON, 2)
            await api.user_sends(PERSON, f"/sign 45/26 {SIGNATURE}", language="es")
            await api.wait_for(PERSON, 5)
            logging.getLogger("httpx").info("HTTP Request: POST %s/bot%s/x", "u", api.token)
    finally:
        await api.stop()
        configure_logging(logging.WARNING, [])
    # Without each line's time stamp: no id should have to be chosen around it.
    logs = re.sub(r"(?m)^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} ", "", stream.getvalue())
    assert "handled /start from" in logs  # there are logs, just nothing that identifies
    for secret in (str(PERSON), str(ADMIN_ID), FREE_TEXT, SIGNATURE, api.token, "LAND DEFENDERS"):
        assert secret not in logs, secret


async def test_who_acted_is_forgotten_after_the_grace_period(app, chat, clock) -> None:
    await publish_fixture(chat)
    for user in (601, 602):
        await walk_and_report(chat(user))
    clock.set(START.replace(month=7, day=15) + timedelta(days=29))
    await purge(app)
    async with app.sessions() as session:
        assert len((await session.scalars(select(ActionReport))).all()) == 2
    clock.advance(timedelta(days=2))
    purged = await purge(app)
    assert purged.reports == 2
    async with app.sessions() as session:
        assert (await session.scalars(select(ActionReport))).all() == []
        assert (await session.scalars(select(Delivery))).all() == []
        totals = (await session.scalars(select(ActionTotal))).all()
        assert sum(t.count for t in totals if t.kind == "people") == 2
    admin = chat(ADMIN_ID)
    await admin.send("/stats 45/26")
    assert "2 people acted" in admin.text


async def test_an_expired_outbox_is_purged_in_short_transactions(
    app, chat, clock, monkeypatch
) -> None:
    """A million deliveries in one DELETE held SQLite's writer (and its event loop) 8 s."""
    await subscribe_many(app, 23)
    await publish_fixture(chat)
    monkeypatch.setattr("bot.privacy.DELIVERIES_PER_BATCH", 5)
    commits = []
    event.listen(app.engine.sync_engine, "commit", lambda _connection: commits.append(1))
    clock.set(START.replace(month=7, day=15) + timedelta(days=31))
    purged = await purge(app)
    assert purged.deliveries == 23
    assert len(commits) == 1 + 5  # reports and update ids, then 5 + 5 + 5 + 5 + 3
    async with app.sessions() as session:
        assert (await session.scalars(select(Delivery))).all() == []


async def test_forget_reaches_every_table(app, chat) -> None:
    await publish_fixture(chat)
    person = chat(603)
    await person.send("/subscribe")
    await walk_and_report(person)
    await person.send("/grant 603 admin")  # refused, and audited under a pseudonym
    await person.send("/forget")
    await person.press("Yes, erase me")
    async with app.sessions() as session:
        audit = (await session.scalars(select(AuditEntry))).all()
        pseudonym = app.vault.audit_pseudonym("telegram", 603)
        assert [e.outcome for e in audit if e.actor == pseudonym] == ["refused"]  # kept
        tables = await session.run_sync(
            lambda sync: {
                name: [
                    fk["constrained_columns"][0]
                    for fk in inspect(sync.connection()).get_foreign_keys(name)
                    if fk["referred_table"] == "supporters"
                ]
                for name in inspect(sync.connection()).get_table_names()
            }
        )
        supporter_ids = (await session.execute(text("SELECT id FROM supporters"))).scalars().all()
        for table, columns in tables.items():
            for column in columns:
                rows = await session.execute(
                    text(
                        f"SELECT count(*) FROM {table} WHERE {column} IS NOT NULL "
                        f"AND {column} NOT IN ({','.join(map(str, supporter_ids)) or 'NULL'})"
                    )
                )
                assert rows.scalar() == 0, f"{table}.{column} still points at a forgotten person"
        totals = (await session.scalars(select(ActionTotal))).all()
        assert sum(t.count for t in totals if t.kind == "letter") == 1


async def test_export_and_stats_show_counts_never_who(app, chat) -> None:
    await publish_fixture(chat)
    for user in (604, 605, 606):
        await walk_and_report(chat(user))
    admin = chat(ADMIN_ID)
    await admin.send("/export 45.26")
    [csv_file] = admin.files
    assert csv_file.filename == "ua-45-26-actions.csv"
    lines = csv_file.content.decode().splitlines()
    assert lines[0] == "ua_number,update,kind,day,count"
    assert "45/26,1,letter,2026-06-01,3" in lines
    assert "45/26,1,people,2026-06-01,3" in lines
    for user in ("604", "605", "606"):
        assert user not in csv_file.content.decode()
    await admin.send("/stats 45/26")
    assert "604" not in admin.text
    supporter = chat(607)
    await supporter.send("/export 45/26")
    assert supporter.files == []


async def test_discreet_mode_is_offered_at_start(chat) -> None:
    person = chat(608)
    await person.send("/start")
    await person.press("Discreet mode")
    assert "Discreet mode is on" in person.text
    await person.send("/mydata")
    assert "• discreet mode: yes" in person.text


def test_run_refuses_without_a_key(tmp_path) -> None:
    from tests.test_cli import uabot

    result = uabot("run", env={"UABOT_TELEGRAM_TOKEN": "1:x"}, cwd=tmp_path)
    assert result.returncode == 2 and "uabot keygen" in result.stderr


async def test_run_refuses_a_key_that_is_not_the_databases(database_url) -> None:
    """The bot never starts half-configured: a malformed key stops it at once."""
    settings = Settings.model_validate(
        {
            "database": {"url": database_url},
            "telegram": {"token": "1:x"},
            "security": {"secret_key": "not-a-key"},
        }
    )
    with pytest.raises(SecretKeyError):
        await run_bot(settings, stop=asyncio.Event())


def test_a_token_inside_a_traceback_is_masked() -> None:
    stream = io.StringIO()
    configure_logging(logging.INFO, ["an-operator-secret"], stream)
    try:
        try:
            raise RuntimeError(
                "500, url='https://api.telegram.org/file/bot123456789:AAHkQs9dLongSecretToken_"
                "Value/documents/file_1.pdf' an-operator-secret"
            )
        except RuntimeError:
            logging.getLogger("uabot.test").exception("download failed")
    finally:
        configure_logging(logging.WARNING, [])
    logs = stream.getvalue()
    assert "Traceback" in logs and "[token]" in logs and "[secret]" in logs
    assert "AAHkQs9d" not in logs and "an-operator-secret" not in logs


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_forget_leaves_no_trace_in_the_running_database_s_files(app, chat, settings) -> None:
    person = chat(PERSON)
    await person.send("/subscribe")
    async with app.sessions() as session:
        row = (
            await session.execute(
                text("SELECT user_hash, user_id_enc, chat_id_enc FROM supporters")
            )
        ).one()
    await person.send("/forget")
    await person.press_data(person.buttons()[0].data)  # "Yes, erase me"
    assert "I no longer hold anything about you" in person.text
    database = Path(settings.database.url.removeprefix("sqlite+aiosqlite:///"))
    # The bot is still running: its write-ahead log is on disk beside the database.
    stored = b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))
    for trace in row:
        assert trace.encode() not in stored, trace


async def test_mydata_names_a_configured_admin_s_real_role(chat) -> None:
    admin = chat(ADMIN_ID)
    await admin.send("/start")
    await admin.send("/mydata")
    assert "• role: admin" in admin.text


async def test_mydata_owns_up_to_the_audit_entries_forget_keeps(chat) -> None:
    curious = chat(7_303_331)
    await curious.send("/mydata")
    assert curious.text == "I hold nothing about you."
    await curious.send("/team")  # refused, and audited
    await curious.send("/audit")
    await curious.send("/mydata")
    assert "2 entries in the log of privileged commands name you, under a pseudonym" in (
        curious.text
    )
    await curious.send("/subscribe")
    await curious.send("/forget")
    await curious.press("Yes, erase me")
    await curious.send("/mydata")
    assert "• 2 entries in the log" in curious.text and "subscribed" not in curious.text


def test_json_logs_are_one_masked_object_a_line_at_the_configured_level() -> None:
    stream = io.StringIO()
    settings = Settings.model_validate(
        {
            "telegram": {"token": "123456789:AAHkQs9dLongSecretToken_Value"},
            "database": {"url": "postgresql+asyncpg://uabot:pa55-w0rd-s3cret@db/uabot"},
            "logging": {"format": "json", "level": "WARNING"},
        }
    )
    configure_logging(settings.logging.level, settings.secrets(), stream, as_json=True)
    try:
        logging.getLogger("uabot.test").info("not at WARNING: left out")
        try:
            raise ConnectionError('to db as uabot:pa55-w0rd-s3cret failed, "quoted"')
        except ConnectionError:
            logging.getLogger("uabot.test").exception("lost %s", settings.telegram.token)
    finally:
        configure_logging(logging.WARNING, [])
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["level"] == "ERROR" and entry["logger"] == "uabot.test"
    assert entry["message"] == "lost [token]"
    assert "Traceback" in entry["exception"] and "[secret]" in entry["exception"]
    assert "pa55-w0rd" not in lines[0] and "AAHkQs9d" not in lines[0]


def test_uabot_run_says_in_two_lines_that_telegram_cannot_be_reached(tmp_path) -> None:
    token = "123456789:AAHkQs9dLongSecretToken_Value"
    environment = without_settings(
        {
            "UABOT_DATABASE__URL": f"sqlite+aiosqlite:///{tmp_path / 'run.db'}",
            "UABOT_TELEGRAM__TOKEN": token,
            "UABOT_TELEGRAM__API_BASE_URL": f"http://127.0.0.1:{free_port()}",
            "UABOT_SECURITY__SECRET_KEY": generate_secret_key(),
            "UABOT_LOGGING__LEVEL": "WARNING",
        }
    )
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("uabot run: Telegram's Bot API did not answer at start-up")
    assert "Traceback" not in result.stderr and "AAHkQs9d" not in result.stderr
