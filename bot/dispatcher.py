"""Runs one event through the handlers inside one database transaction.

This is the only place that commits: a handler's effects are all written, or none are. An
event seen before (same platform event id) is skipped, so Telegram redelivering it
changes nothing. While the database is unreachable the event waits and is tried again, so
a database restart loses no action. A handler error is logged without any message text and
the person gets a short apology in their language; the bot keeps running.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from sqlalchemy.exc import IntegrityError

from bot.app import App
from handlers.context import Context, PastedRead
from handlers.contract import Incoming, Reply
from handlers.drafts import PASTED_NAME, pasted_so_far
from handlers.i18n import Translator
from handlers.notices import apology, private_chats_only, unread_notice
from handlers.router import route
from storage.database import retry_unreachable
from storage.statuses import STAFF
from storage.supporters import claim_event
from uareader.document import UADocumentError, UADraft

#: Times an event's transaction is tried again after losing a race on a unique key; each
#: retry finds what the winner wrote, so one is enough unless a third party keeps racing.
RACES_RETRIED = 2

log = logging.getLogger("uabot.dispatcher")

#: How long an event waits for an unreachable database (a restart, a failover) before the
#: person gets an apology; the transaction is simply run again once the database is back.
DATABASE_PATIENCE = 30.0


def _kind(incoming: Incoming) -> str:
    """What sort of event this is, for logs: never its text."""
    if incoming.command:
        return f"/{incoming.command[:24]}"
    if incoming.callback_data:
        return "button:" + incoming.callback_data.split(":", 1)[0][:12]
    if incoming.document:
        return "document"
    return "text"


#: Documents fetched at once: each may take up to 10 MB of memory while it is read.
CONCURRENT_DOWNLOADS = 2


class Dispatcher:
    def __init__(self, app: App) -> None:
        self.app = app
        self.downloads = asyncio.Semaphore(CONCURRENT_DOWNLOADS)

    async def may_send_documents(self, incoming: Incoming) -> bool:
        """Whether the sender is staff, asked before their file is fetched: only organisers'
        documents are read, and a stranger's upload must cost nothing."""

        async def role() -> str:
            async with self.app.sessions() as session:
                return (await Context.load(self.app, session, incoming)).role

        checked = await retry_unreachable(role, give_up_after=DATABASE_PATIENCE, what="a role")
        return checked in STAFF

    async def _read_document(self, incoming: Incoming) -> UADraft | UADocumentError | None:
        """An organiser's document, read before the transaction opens: reading may take
        seconds and is done in a process of its own, while events go on. A stranger's is
        never read."""
        document = incoming.document
        if document is None or not document.content:
            return None
        if not await self.may_send_documents(incoming):
            return None
        try:
            return await self.app.documents.read(document.filename, document.content)
        except UADocumentError as error:
            return error

    async def _read_pasted(self, incoming: Incoming) -> PastedRead | None:
        """The UA text an organiser pasted since /newua, read at their /done before the
        transaction opens and in a process of its own, as a file is: read inside it, a
        crafted paste held the write lock, and every other person's event, for seconds.
        Only someone with a paste waiting (an organiser: only they can start one) has
        anything read."""
        if incoming.command != "done":
            return None

        async def waiting() -> str | None:
            async with self.app.sessions() as session:
                ctx = await Context.load(self.app, session, incoming)
                if ctx.supporter is None or ctx.role not in STAFF:
                    return None
                return await pasted_so_far(session, ctx.supporter.id, ctx.now)

        text = await retry_unreachable(waiting, give_up_after=DATABASE_PATIENCE, what="a paste")
        if not text:
            return None
        try:
            return PastedRead(text, await self.app.documents.read(PASTED_NAME, text.encode()))
        except UADocumentError as error:
            return PastedRead(text, error)

    async def handle(self, incoming: Incoming) -> list[Reply]:
        """The replies to ``incoming``, its effects committed; counted by outcome."""
        outcome, replies = await self._handle(incoming)
        self.app.metrics.updates.labels(outcome).inc()
        return replies

    async def _handle(self, incoming: Incoming) -> tuple[str, list[Reply]]:
        started = time.perf_counter()
        tag = self.app.vault.log_tag(incoming.platform, incoming.user_id)
        if not incoming.private_chat:
            return "group", await self._group_answer(incoming)

        after_commit: list[Callable[[], Awaitable[None]]] = []
        document_read = await self._read_document(incoming)
        pasted_read = await self._read_pasted(incoming)

        async def transaction() -> tuple[str, list[Reply]]:
            after_commit.clear()
            async with self.app.write_lock, self.app.sessions() as session, session.begin():
                if not incoming.event_key:
                    ctx = await Context.load(self.app, session, incoming)
                else:
                    new, supporter = await claim_event(
                        session,
                        platform=incoming.platform,
                        event_key=incoming.event_key,
                        seen_at=self.app.clock.now(),
                        user_hash=self.app.vault.lookup_hash(incoming.platform, incoming.user_id),
                    )
                    if not new:
                        log.info("skipped redelivered event from %s", tag)
                        return "duplicate", []
                    ctx = Context.of(self.app, session, incoming, supporter)
                ctx.after_commit = after_commit
                ctx.document_read = document_read
                ctx.pasted_read = pasted_read
                return "ok", await route(ctx)

        async def transaction_after_races() -> tuple[str, list[Reply]]:
            """The transaction, again after a unique key another process wrote first: a
            redelivery of this event (the retry finds it handled and says so), or this
            person's first row written by their other event (the retry finds the row and
            goes on; taken for a duplicate, 12 of 30 such answers were once lost)."""
            for _ in range(RACES_RETRIED):
                try:
                    return await transaction()
                except IntegrityError:
                    log.info("event from %s met a concurrent write; trying again", tag)
            return await transaction()

        try:
            outcome, replies = await retry_unreachable(
                transaction_after_races, give_up_after=DATABASE_PATIENCE, what="an event"
            )
        except Exception:
            log.exception("handler failed on %s from %s", _kind(incoming), tag)
            return "error", [await self._apology(incoming)]
        if outcome == "duplicate":  # logged as skipped; nothing was handled
            return outcome, replies
        for action in after_commit:
            try:
                await action()
            except Exception:  # the event is done; what follows it must not undo its answer
                log.exception("an action after %s from %s failed", _kind(incoming), tag)
        log.info(
            "handled %s from %s in %.1f ms",
            _kind(incoming),
            tag,
            (time.perf_counter() - started) * 1000,
        )
        return outcome, replies

    async def _their_translator(self, incoming: Incoming) -> Translator:
        """The person's language, or the default one when it cannot be read."""
        try:
            async with self.app.sessions() as session:
                return (await Context.load(self.app, session, incoming)).tr
        except Exception:
            return self.app.catalogs.get(self.app.settings.bot.default_language)

    async def _apology(self, incoming: Incoming) -> Reply:
        return apology(await self._their_translator(incoming))

    async def unread_notice(self, incoming: Incoming, unread: int) -> Reply:
        """See ``handlers.notices.unread_notice``."""
        return unread_notice(await self._their_translator(incoming), unread)

    async def _group_answer(self, incoming: Incoming) -> list[Reply]:
        """In groups the bot answers commands only, once, pointing to a private chat."""
        if incoming.command is None:
            return []
        return [private_chats_only(self.app.catalogs.get(self.app.settings.bot.default_language))]
