"""Storage on SQLite and PostgreSQL: migrations both ways, round trips, idempotent counting."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, text

from bot.app import build_app
from storage.crypto import SecretKeyError, generate_secret_key
from storage.database import TAKEOVER_PAUSE, create_engine, downgrade, leadership, upgrade
from storage.models import ActionTotal, Base, Supporter
from storage.privacy import purge_expired
from storage.reports import (
    PEOPLE,
    PEOPLE_ON_NUMBER,
    people_on_case,
    record_report,
    totals_by_update,
    undo_report,
)
from storage.supporters import add_supporter, find_supporter, forget_supporter
from storage.uas import (
    UpdateCache,
    find_case,
    get_update,
    latest_update,
    publish_update,
    save_draft,
)
from tests.conftest import (
    ADMIN_ID,
    FIXTURES,
    START,
    NotATestDatabase,
    publish_fixture,
    reset_postgres,
)
from uareader.document import parse_text

TABLES = {
    "supporters",
    "ua_cases",
    "ua_updates",
    "ua_texts",
    "action_reports",
    "action_totals",
    "deliveries",
    "audit_log",
    "handled_events",
    "broadcasts",
    "reminder_runs",
    "channel_posts",
    "ua_revisions",
    "pending_inputs",
    "key_checks",
}


async def table_names(engine) -> set[str]:
    async with engine.connect() as connection:
        return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))


async def test_migrations_upgrade_an_empty_database_and_downgrade_again(
    empty_database_url,
) -> None:
    engine = create_engine(empty_database_url)
    try:
        await upgrade(engine)
        assert await table_names(engine) >= TABLES
        await downgrade(engine, "base")
        assert not TABLES & await table_names(engine)
        await upgrade(engine)
        assert await table_names(engine) >= TABLES
    finally:
        await engine.dispose()


async def test_migrations_build_exactly_the_schema_the_models_describe(database_url) -> None:
    engine = create_engine(database_url)
    try:
        await upgrade(engine)
        async with engine.connect() as connection:
            differences = await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
            )
        assert differences == []
    finally:
        await engine.dispose()


async def test_audit_entries_from_before_pseudonyms_keep_their_outcome(
    empty_database_url,
) -> None:
    engine = create_engine(empty_database_url)
    try:
        await upgrade(engine, "0008")
        async with engine.begin() as connection:
            for allowed in (True, False):
                await connection.execute(
                    text(
                        "INSERT INTO audit_log (at, actor_id, command, allowed, detail) "
                        "VALUES (:at, NULL, 'grant', :allowed, '')"
                    ),
                    {"at": datetime(2026, 1, 5, tzinfo=UTC), "allowed": allowed},
                )
        await upgrade(engine)
        async with engine.connect() as connection:
            rows = await connection.execute(
                text("SELECT actor, target, outcome, reason FROM audit_log ORDER BY id")
            )
            assert [tuple(row) for row in rows] == [
                ("", None, "done", ""),
                ("", None, "refused", ""),
            ]
        await downgrade(engine, "0008")
        async with engine.connect() as connection:
            allowed = await connection.execute(text("SELECT allowed FROM audit_log ORDER BY id"))
            assert [bool(value) for value in allowed.scalars()] == [True, False]
    finally:
        await engine.dispose()


async def test_sqlite_runs_in_wal_mode(tmp_path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'wal.db'}")
    async with engine.connect() as connection:
        mode = await connection.exec_driver_sql("PRAGMA journal_mode")
        assert mode.scalar() == "wal"
    await engine.dispose()


async def _supporter(session, app, user_id: int) -> Supporter:
    return await add_supporter(
        session,
        platform="telegram",
        user_hash=app.vault.lookup_hash("telegram", user_id),
        user_id_enc=app.vault.encrypt_id(user_id),
        chat_id_enc=app.vault.encrypt_id(user_id),
        language="es",
        today=date(2026, 6, 1),
    )


async def test_supporter_round_trip_through_encrypted_ids(app) -> None:
    async with app.sessions() as session, session.begin():
        await _supporter(session, app, 4242)
    async with app.sessions() as session:
        found = await find_supporter(session, "telegram", app.vault.lookup_hash("telegram", 4242))
        assert found is not None and found.language == "es"
        assert app.vault.decrypt_id(found.chat_id_enc) == 4242
        assert "4242" not in found.user_id_enc + found.user_hash


async def test_a_new_supporter_changed_in_its_own_transaction_keeps_the_change(app) -> None:
    """A new row is written by a Core INSERT and handed to the session as if read: a
    handler that then subscribes the person must have that change written too."""
    user_hash = app.vault.lookup_hash("telegram", 5151)
    async with app.sessions() as session, session.begin():
        supporter = await _supporter(session, app, 5151)
        assert await find_supporter(session, "telegram", user_hash) is supporter
        supporter.subscribed = True
        supporter.language = "en"
    async with app.sessions() as session:
        found = await find_supporter(session, "telegram", user_hash)
        assert found is not None and found.id == supporter.id
        assert (found.subscribed, found.language, found.role) == (True, "en", "supporter")
        assert found.created_on == date(2026, 6, 1) and found.reminders_on and found.active


async def test_two_languages_make_one_update_and_a_case_keeps_its_history(app) -> None:
    english = parse_text((FIXTURES / "ua-en-two-targets.txt").read_text())
    spanish = parse_text((FIXTURES / "ua-es-two-targets.txt").read_text())
    second = parse_text((FIXTURES / "ua-en-second-update.txt").read_text())
    async with app.sessions() as session, session.begin():
        first = await save_draft(session, english, "en")
        again = await save_draft(session, spanish, "es")
        assert first.id == again.id
        assert {t.language for t in again.texts} == {"en", "es"}
        await publish_update(session, again, START)
        newer = await save_draft(session, second, "en")
        await publish_update(session, newer, START)
    async with app.sessions() as session:
        case = await find_case(session, "45/26")
        assert [u.ordinal for u in case.updates] == [1, 2]
        assert [u.status for u in case.updates] == ["superseded", "published"]
        current = await latest_update(session, "45/26")
        assert current.deadline == date(2026, 9, 30)
        spanish_text = next(t for t in case.updates[0].texts if t.language == "es")
        assert spanish_text.targets[1]["social"] == "@MinInteriorAR"


async def test_counting_is_idempotent_and_survives_forgetting(app) -> None:
    draft = parse_text((FIXTURES / "ua-en-two-targets.txt").read_text())
    async with app.sessions() as session, session.begin():
        update = await save_draft(session, draft, "en")
        one, two = await _supporter(session, app, 1), await _supporter(session, app, 2)
        day = date(2026, 6, 2)
        assert await record_report(session, one.id, update.id, "letter", day)
        assert not await record_report(session, one.id, update.id, "letter", day)
        assert await record_report(session, one.id, update.id, "email", day)
        assert await record_report(session, two.id, update.id, "letter", day)
        assert await undo_report(session, two.id, update.id, "letter")
        assert not await undo_report(session, two.id, update.id, "letter")
        assert await record_report(session, two.id, update.id, "social", day)
        await forget_supporter(session, one, START.date())
    async with app.sessions() as session:
        totals = await totals_by_update(session, update.case_id)
        assert totals == {1: {"letter": 1, "email": 1, "social": 1, PEOPLE: 2, PEOPLE_ON_NUMBER: 2}}
        rows = (await session.scalars(select(ActionTotal))).all()
        assert all(row.count >= 0 for row in rows)


async def _two_updates(app):
    """UA 45/26 with its first update superseded by a second, both stored."""
    first = parse_text((FIXTURES / "ua-en-two-targets.txt").read_text(encoding="utf-8"))
    second = parse_text((FIXTURES / "ua-en-second-update.txt").read_text(encoding="utf-8"))
    async with app.sessions() as session, session.begin():
        one = await save_draft(session, first, "en")
        await publish_update(session, one, START)
        two = await save_draft(session, second, "en")
        await publish_update(session, two, START)
        return one.id, two.id, one.case_id


async def test_a_person_counts_once_per_number_even_reporting_on_two_updates_at_once(
    app,
) -> None:
    first, second, case_id = await _two_updates(app)
    async with app.sessions() as session, session.begin():
        people = [(await _supporter(session, app, 700 + n)).id for n in range(20)]
        person_id = people[0]
    day = date(2026, 6, 2)

    async def report(person: int, update_id: int) -> None:  # as the dispatcher runs one
        async with app.write_lock, app.sessions() as session, session.begin():
            await record_report(session, person, update_id, "letter", day)

    # Twenty people, each on both updates at the same moment (two taps, two processes).
    await asyncio.gather(*(report(p, u) for p in people for u in (first, second)))
    async with app.sessions() as session:
        assert await people_on_case(session, case_id) == 20
        totals = await totals_by_update(session, case_id)
        assert totals[1][PEOPLE] == totals[2][PEOPLE] == 20  # per update, they count there
    async with app.sessions() as session, session.begin():
        for person in people[1:]:
            for update_id in (first, second):
                await undo_report(session, person, update_id, "letter")
    async with app.sessions() as session, session.begin():
        assert await undo_report(session, person_id, first, "letter")
    async with app.sessions() as session:
        assert await people_on_case(session, case_id) == 1  # still acted on the second
    async with app.sessions() as session, session.begin():
        assert await undo_report(session, person_id, second, "letter")
    async with app.sessions() as session:
        assert await people_on_case(session, case_id) == 0


async def test_a_number_s_reports_are_purged_only_once_the_whole_number_is_over(app) -> None:
    first, second, case_id = await _two_updates(app)
    async with app.sessions() as session, session.begin():
        person_id = (await _supporter(session, app, 8)).id
        await record_report(session, person_id, first, "letter", date(2026, 6, 2))
        deadlines = {u.id: u.deadline for u in (await find_case(session, "45/26")).updates}
    between = max(deadlines.values())  # the first update is over, the second still open
    async with app.sessions() as session, session.begin():
        purged = await purge_expired(session, between, START)
    assert purged.reports == 0, "the second update is open: the first's reports stay"
    async with app.sessions() as session, session.begin():
        # Acting on the second update now does not make the person new to the number.
        await record_report(session, person_id, second, "email", date(2026, 6, 3))
    async with app.sessions() as session:
        assert await people_on_case(session, case_id) == 1
    after = max(deadlines.values()) + timedelta(days=1)
    async with app.sessions() as session, session.begin():
        purged = await purge_expired(session, after, START)
    assert purged.reports == 2
    async with app.sessions() as session:
        assert await people_on_case(session, case_id) == 1, "totals outlive the reports"


async def test_the_update_cache_rereads_after_its_ttl_and_never_holds_drafts(app) -> None:
    seconds = [0.0]
    cache = UpdateCache(ttl=5, clock=lambda: seconds[0])
    draft = parse_text((FIXTURES / "ua-en-two-targets.txt").read_text(encoding="utf-8"))
    async with app.sessions() as session, session.begin():
        update = await save_draft(session, draft, "en")
    async with app.sessions() as session:
        assert (await cache.get(session, update.id)).status == "draft"  # not kept
    async with app.sessions() as session, session.begin():
        await publish_update(session, await get_update(session, update.id), START)
    async with app.sessions() as session:
        assert (await cache.get(session, update.id)).deadline == date(2026, 7, 15)
    async with app.sessions() as session, session.begin():  # as another process would
        stored = await latest_update(session, "45/26")
        stored.deadline = date(2026, 9, 1)
    async with app.sessions() as session:
        assert (await cache.get(session, update.id)).deadline == date(2026, 7, 15)
        seconds[0] = 5.1
        assert (await cache.get(session, update.id)).deadline == date(2026, 9, 1)


async def test_a_commit_that_changes_a_ua_clears_the_apps_cache_at_once(app, chat) -> None:
    """Whoever changes a UA in this process (here as the CLI would, in a session of its
    own, without any staff command), the walkthrough shows the change at the next step."""
    app.ua_cache.clock = lambda: 0.0  # the cache never ages: only the commit can clear it
    await publish_fixture(chat)
    reader = chat(7_307_701)
    await reader.open_step("45/26", 1)
    assert "July 15, 2026" in reader.text
    async with app.sessions() as session:  # a read-only transaction clears nothing
        await latest_update(session, "45/26")
    async with app.sessions() as session, session.begin():
        (await latest_update(session, "45/26")).deadline = date(2026, 9, 1)
    await reader.open_step("45/26", 1)
    assert "September 1, 2026" in reader.text


async def test_a_ua_closed_by_an_organiser_is_closed_at_the_next_step(chat) -> None:
    await publish_fixture(chat)
    reader = chat(120)
    await reader.open_step("45/26", 1)
    await chat(ADMIN_ID).send("/close 45/26")
    await reader.press("Next")
    assert "UA 45/26 is closed: thank you for caring." in reader.text


async def test_a_database_refuses_a_key_it_was_not_written_with(settings) -> None:
    key = generate_secret_key()
    for _ in range(2):  # the same key, start after start
        app = await build_app(settings, secret_key=key)
        await app.close()
    with pytest.raises(SecretKeyError, match="not the key this database was written with"):
        await build_app(settings, secret_key=generate_secret_key())


async def test_the_tests_refuse_to_empty_a_database_not_named_for_tests() -> None:
    with pytest.raises(NotATestDatabase, match="its name must contain 'test'"):
        await reset_postgres("postgresql+asyncpg://postgres@127.0.0.1:5432/uabot")


async def test_a_leader_waits_only_where_another_process_may_have_led(app) -> None:
    """On PostgreSQL a lock just taken may have been another process's a moment ago, so its
    new leader waits for that one to notice and stop; an SQLite database has one process,
    whose worker starts at once (it waited 4 s on every start before)."""
    async with leadership(app.engine) as held:
        assert held is not None and not held.lost.is_set()
        postgresql = app.engine.dialect.name == "postgresql"
        assert held.takeover_pause == (TAKEOVER_PAUSE if postgresql else 0.0)
