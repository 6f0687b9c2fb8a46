"""Faults of the app's own database for the outbox tests, each as the driver reports it."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator

from sqlalchemy import event, make_url, text
from sqlalchemy.exc import OperationalError

from bot.app import App
from storage.database import create_engine
from tests.conftest import POSTGRES_URL


class DatabaseFaults:
    """Faults of the app's own database, each as the driver reports it."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.refusing = False
        #: Outcome writes still to refuse, one by one: a write that fails once.
        self.refuse_next = 0
        self.refusals = 0

    @contextlib.contextmanager
    def watching(self) -> Iterator[DatabaseFaults]:
        engine = self.app.engine.sync_engine
        event.listen(engine, "before_cursor_execute", self._refuse)
        try:
            yield self
        finally:
            event.remove(engine, "before_cursor_execute", self._refuse)

    def _refuse(self, conn, cursor, statement, parameters, context, executemany) -> None:
        """Outcome writes (the only ones to set a delivery's next attempt) refused while
        ``refusing``."""
        outcome = statement.startswith("UPDATE deliveries") and "next_attempt_at" in statement
        if outcome and (self.refusing or self.refuse_next > 0):
            self.refuse_next = max(0, self.refuse_next - 1)
            self.refusals += 1
            raise OperationalError(statement, parameters, Exception("database or disk is full"))

    @contextlib.asynccontextmanager
    async def read_only(self) -> AsyncIterator[None]:
        """PostgreSQL as in a failover: every connection dropped, new ones read-only until it
        is over (SQLSTATE 25006 on every write), then dropped again. SQLite: its own error
        for a read-only file on every outcome write."""
        if self.app.engine.dialect.name != "postgresql":
            self.refusing = True
            try:
                yield
            finally:
                self.refusing = False
            return
        assert POSTGRES_URL
        name = make_url(POSTGRES_URL).database
        admin = create_engine(POSTGRES_URL)

        async def run(*statements: str) -> None:
            async with admin.connect() as connection:
                connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
                for statement in statements:
                    await connection.execute(text(statement))

        drop_others = (
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        )
        try:
            await run(
                f'ALTER DATABASE "{name}" SET default_transaction_read_only = on', drop_others
            )
            yield
        finally:
            await run(f'ALTER DATABASE "{name}" RESET default_transaction_read_only', drop_others)
            await admin.dispose()
