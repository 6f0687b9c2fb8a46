"""Queries about Urgent Actions: cases (a UA number) and their numbered updates."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from bot.uadoc import UADraft
from storage.models import UACase, UAText, UAUpdate


async def find_case(session: AsyncSession, number: str) -> UACase | None:
    return await session.scalar(
        select(UACase).where(UACase.number == number).options(selectinload(UACase.updates))
    )


async def save_draft(session: AsyncSession, draft: UADraft, language: str) -> UAUpdate:
    """Store a parsed document as the ``language`` version of its case's numbered update.

    The same UA number and ordinal in another language becomes that update's other
    version; importing the same language again replaces that version (a corrected text).
    """
    case = await find_case(session, draft.ua_number)
    if case is None:
        case = UACase(number=draft.ua_number)
        session.add(case)
        await session.flush()
    update = await session.scalar(
        select(UAUpdate)
        .where(UAUpdate.case_id == case.id, UAUpdate.ordinal == draft.update_ordinal)
        .options(selectinload(UAUpdate.texts))
    )
    if update is None:
        update = UAUpdate(case_id=case.id, ordinal=draft.update_ordinal, status="draft", texts=[])
        session.add(update)
    update.deadline = draft.deadline
    update.index_code = draft.index or update.index_code
    update.country = draft.country or update.country
    update.issue_date = draft.issue_date or update.issue_date
    update.preferred_language = draft.preferred_language or update.preferred_language
    update.previous_link = draft.previous_link or update.previous_link
    text = next((t for t in update.texts if t.language == language), None)
    if text is None:
        text = UAText(language=language)
        update.texts.append(text)
    text.title = draft.title
    text.summary = draft.summary
    text.salutation = draft.salutation
    text.letter = draft.letter
    text.additional_info = draft.additional_info
    text.name_pronoun = draft.name_pronoun
    text.targets = [asdict(contact) for contact in draft.targets]
    text.cc = [asdict(contact) for contact in draft.cc]
    await session.flush()
    return await get_update(session, update.id)  # type: ignore[return-value]


async def get_update(session: AsyncSession, update_id: int) -> UAUpdate | None:
    return await session.scalar(
        select(UAUpdate)
        .where(UAUpdate.id == update_id)
        .options(joinedload(UAUpdate.case), selectinload(UAUpdate.texts))
        .execution_options(populate_existing=True)
    )


class UpdateCache:
    """Published updates as last read, for the walkthrough: every step a supporter opens
    reads the same UA, and reloading its texts each time was most of a step's cost.

    An entry lives ``ttl`` seconds, since another process may change the UA (a deadline
    moved, a UA closed); this process clears the cache whenever staff run a command. The
    updates are loaded whole (case and texts) and only read, so they outlive their session.
    """

    def __init__(self, ttl: float = 5.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.clock = clock
        self._entries: dict[int, tuple[float, UAUpdate]] = {}

    def clear(self) -> None:
        self._entries.clear()

    async def get(self, session: AsyncSession, update_id: int) -> UAUpdate | None:
        now = self.clock()
        entry = self._entries.get(update_id)
        if entry is not None and now - entry[0] < self.ttl:
            return entry[1]
        update = await get_update(session, update_id)
        if update is not None and update.status != "draft":
            if len(self._entries) > 1_000:
                self._entries.clear()
            self._entries[update_id] = (now, update)
        return update


async def latest_update(
    session: AsyncSession, number: str, published_only: bool = True
) -> UAUpdate | None:
    """The newest update of a UA number: the one whose letter and deadline apply now."""
    query = (
        select(UAUpdate)
        .join(UACase)
        .where(UACase.number == number)
        .options(joinedload(UAUpdate.case), selectinload(UAUpdate.texts))
        .order_by(UAUpdate.ordinal.desc())
        .limit(1)
    )
    if published_only:
        query = query.where(UAUpdate.status == "published")
    return await session.scalar(query)


async def open_updates(session: AsyncSession, today: date) -> list[UAUpdate]:
    """The current update of every open case, the newest published first."""
    return list(
        await session.scalars(
            select(UAUpdate)
            .join(UACase)
            .where(
                UAUpdate.status == "published",
                UAUpdate.deadline >= today,
                UACase.closed_at.is_(None),
            )
            .options(joinedload(UAUpdate.case), selectinload(UAUpdate.texts))
            .order_by(UAUpdate.published_at.desc(), UAUpdate.id.desc())
        )
    )


async def all_updates(session: AsyncSession) -> list[UAUpdate]:
    """Every stored update with its case, for listings."""
    return list(
        await session.scalars(
            select(UAUpdate)
            .join(UACase)
            .options(joinedload(UAUpdate.case), selectinload(UAUpdate.texts))
            .order_by(UACase.number, UAUpdate.ordinal)
        )
    )


async def publish_update(session: AsyncSession, update: UAUpdate, now: datetime) -> None:
    """Make ``update`` the live one of its case; earlier updates are superseded by it."""
    earlier = await session.scalars(
        select(UAUpdate).where(
            UAUpdate.case_id == update.case_id,
            UAUpdate.ordinal < update.ordinal,
            UAUpdate.status == "published",
        )
    )
    for previous in earlier:
        previous.status = "superseded"
    update.status = "published"
    update.published_at = now
    await session.flush()


async def close_case(session: AsyncSession, case: UACase, now: datetime) -> None:
    case.closed_at = now
    await session.flush()


async def discard_draft(session: AsyncSession, update: UAUpdate) -> bool:
    """Delete an update never published; its case goes too when nothing else is left."""
    if update.status != "draft":
        return False
    case_id = update.case_id
    await session.delete(update)
    await session.flush()
    remaining = await session.scalar(
        select(func.count()).select_from(UAUpdate).where(UAUpdate.case_id == case_id)
    )
    if not remaining:
        case = await session.get(UACase, case_id)
        if case is not None:
            await session.delete(case)
    await session.flush()
    return True
