"""The outbox's queries read only the rows they need: their plans, on SQLite and PostgreSQL.

A claim that reads and sorts every pending row, or a progress count that scans the whole
table, costs nothing at 100 rows and most of the database's time at a million; so each is
checked by the database's own plan, on a table shaped like a busy one (20 UA updates, most
of their rows sent, the rest pending).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from sqlalchemy import event, insert, text

from storage.models import Delivery
from storage.outbox import claim_due, delivery_counts
from storage.uas import save_draft
from tests.conftest import START, fixture_bytes, subscribe_many
from uareader.document import parse_text

UPDATES = 20
PER_UPDATE = 1_000


async def busy_outbox(app) -> list[int]:
    """20 updates with 1,000 deliveries each, one in ten pending; the updates' ids."""
    supporters = await subscribe_many(app, 50)
    template = fixture_bytes("ua-en-two-targets.txt").decode()
    async with app.sessions() as session, session.begin():
        updates = [
            (await save_draft(session, parse_text(template.replace("45/26", f"{n}/26")), "en")).id
            for n in range(1, UPDATES + 1)
        ]
        rows = [
            {
                "supporter_id": 1 + n % len(supporters),
                "update_id": update_id,
                "kind": "ua",
                "offset_key": str(n),
                "priority": 1,
                "status": "pending" if n % 10 == 0 else "sent",
                "attempts": 0,
            }
            for update_id in updates
            for n in range(PER_UPDATE)
        ]
        await session.execute(insert(Delivery), rows)
    async with app.engine.connect() as connection:
        await connection.execute(text("ANALYZE"))
        await connection.commit()
    return updates


async def plans_of(app, query: Callable[..., Awaitable[object]]) -> list[str]:
    """The database's plan of each SELECT that ``query`` runs, as text."""
    statements: list[tuple[str, object]] = []

    def seen(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    engine = app.engine.sync_engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        async with app.sessions() as session, session.begin():
            await query(session)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    postgres = app.engine.dialect.name == "postgresql"
    explain = "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
    plans = []
    async with app.engine.connect() as connection:
        for statement, parameters in statements:
            result = await connection.exec_driver_sql(explain + statement, parameters)
            plans.append("\n".join(" ".join(map(str, row)) for row in result))
    return plans


async def test_the_claim_walks_its_index_in_order_and_sorts_nothing(app) -> None:
    await busy_outbox(app)
    claim = lambda session: claim_due(session, START, timedelta(minutes=2), 200)  # noqa: E731
    plans = await plans_of(app, claim)
    walks = [plan for plan in plans if "ix_deliveries_due" in plan]
    assert len(walks) == 2, plans  # pending rows, and rows whose lease ran out
    for plan in walks:
        assert "Sort" not in plan and "TEMP B-TREE" not in plan, plan


async def test_the_progress_count_reads_its_broadcast_s_rows_only(app) -> None:
    updates = await busy_outbox(app)
    plans = await plans_of(app, lambda session: delivery_counts(session, updates[3]))
    [plan] = plans
    assert "ix_deliveries_progress" in plan, plan
    assert "Seq Scan" not in plan and "SCAN " not in plan, plan  # a search, not a scan
