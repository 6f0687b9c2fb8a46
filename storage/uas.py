"""Queries about Urgent Actions: cases (a UA number) and their numbered updates."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import date, datetime

from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, joinedload, selectinload

from storage.models import UACase, UARevision, UAText, UAUpdate
from storage.statuses import UpdateStatus
from uareader.document import UADraft
from uareader.numbers import UANumber


async def find_case(session: AsyncSession, number: str) -> UACase | None:
    return await session.scalar(
        select(UACase)
        .where(UACase.number.in_(UANumber.stored(number).spellings()))
        .order_by(UACase.id)
        .limit(1)
        .options(selectinload(UACase.updates))
    )


class LiveUpdateError(Exception):
    """The document is for an update already published: it must be applied knowingly."""


async def case_for(session: AsyncSession, number: str | None) -> UACase:
    """The case of ``number``, made when there is none (a draft without a number gets its
    own case, numbered later)."""
    case = await find_case(session, number) if number else None
    if case is None:
        case = UACase(number=number)
        session.add(case)
        await session.flush()
    return case


async def next_ordinal(session: AsyncSession, case_id: int) -> int:
    """The ordinal after the case's highest (1 for a new case)."""
    highest = await session.scalar(
        select(func.max(UAUpdate.ordinal)).where(UAUpdate.case_id == case_id)
    )
    return (highest or 0) + 1


async def find_update(session: AsyncSession, case_id: int, ordinal: int) -> UAUpdate | None:
    return await session.scalar(
        select(UAUpdate)
        .where(UAUpdate.case_id == case_id, UAUpdate.ordinal == ordinal)
        .options(selectinload(UAUpdate.texts))
    )


async def add_language(
    session: AsyncSession, update: UAUpdate, draft: UADraft, language: str
) -> UAUpdate:
    """Add (or replace) ``update``'s ``language`` version, leaving its own fields alone: a
    second language's version does not move its deadline or index."""
    _apply(update, draft, language, text_only=True)
    await session.flush()
    return await get_update(session, update.id)  # type: ignore[return-value]


async def add_revision(
    session: AsyncSession, update: UAUpdate, draft: UADraft, language: str, now: datetime
) -> UARevision:
    """Keep a document for a live update, to show and apply only when asked."""
    revision = UARevision(
        update_id=update.id, language=language, draft=draft.to_json(), created_at=now
    )
    session.add(revision)
    await session.flush()
    return revision


async def save_draft(
    session: AsyncSession,
    draft: UADraft,
    language: str,
    *,
    case: UACase | None = None,
    ordinal: int | None = None,
) -> UAUpdate:
    """Store a parsed document as the ``language`` version of its case's numbered update.

    The same UA number and ordinal in another language becomes that update's other
    version; importing the same language again replaces that version (a corrected text).
    An update already published is not touched here: see
    ``handlers.operations.import_document``.
    """
    if case is None:
        case = await case_for(session, draft.ua_number)
    if ordinal is None:
        ordinal = draft.update_ordinal or await next_ordinal(session, case.id)
    update = await find_update(session, case.id, ordinal)
    if update is not None and update.status != UpdateStatus.DRAFT:
        raise LiveUpdateError(f"update {ordinal} of UA {case.number} is already published")
    if update is None:
        update = UAUpdate(case_id=case.id, ordinal=ordinal, status=UpdateStatus.DRAFT, texts=[])
        session.add(update)
    _apply(update, draft, language)
    await session.flush()
    return await get_update(session, update.id)  # type: ignore[return-value]


def _apply(update: UAUpdate, draft: UADraft, language: str, text_only: bool = False) -> None:
    """Write a document's fields on an update and its ``language`` text; fields the
    document lacks keep what the update had. ``text_only`` leaves the update's own fields
    (deadline, index, ...) alone: a second language's version does not move them."""
    if not text_only:
        _apply_update_fields(update, draft)
    _apply_text(update, draft, language)


def _apply_update_fields(update: UAUpdate, draft: UADraft) -> None:
    if draft.country or (draft.marks.get("country") and not update.country):
        marks = {**(update.field_marks or {}), "country": draft.marks.get("country", "")}
        update.field_marks = {name: mark for name, mark in marks.items() if mark}
    update.deadline = draft.deadline or update.deadline
    update.index_code = draft.index or update.index_code
    update.country = draft.country or update.country
    update.issue_date = draft.issue_date or update.issue_date
    update.preferred_language = draft.preferred_language or update.preferred_language
    update.previous_link = draft.previous_link or update.previous_link


def _apply_text(update: UAUpdate, draft: UADraft, language: str) -> None:
    text = next((t for t in update.texts if t.language == language), None)
    if text is None:
        text = UAText(language=language)
        update.texts.append(text)
    text.title = draft.title or text.title or ""
    for name in ("summary", "salutation", "letter", "additional_info", "name_pronoun"):
        setattr(text, name, getattr(draft, name) or getattr(text, name) or "")
    if draft.targets or text.targets is None:
        text.targets = [asdict(contact) for contact in draft.targets]
    if draft.cc or text.cc is None:
        text.cc = [asdict(contact) for contact in draft.cc]


def text_in(update: UAUpdate, language: str) -> UAText:
    """The update's version in ``language``, made when it has none yet (an organiser typing
    the Spanish title of an English-only UA): it starts with the same recipients and copies,
    which are one list for every language."""
    text = next((t for t in update.texts if t.language == language), None)
    if text is None:
        other = update.texts[0] if update.texts else None
        text = UAText(
            language=language,
            title="",
            summary="",
            salutation="",
            letter="",
            additional_info="",
            name_pronoun="",
            targets=[dict(contact) for contact in other.targets] if other else [],
            cc=[dict(contact) for contact in other.cc] if other else [],
        )
        update.texts.append(text)
    return text


async def get_revision(session: AsyncSession, revision_id: int) -> UARevision | None:
    return await session.get(UARevision, revision_id)


async def apply_revision(
    session: AsyncSession, revision: UARevision, keep: tuple[str, ...] = ()
) -> UAUpdate:
    """Make the live update say what the revised document says, except the fields named
    in ``keep``, then forget the revision."""
    update = await get_update(session, revision.update_id)
    assert update is not None  # the revision is deleted with its update
    draft = UADraft.from_json(revision.draft)
    for name in keep:
        setattr(draft, name, None)
    _apply(update, draft, revision.language)
    await session.delete(revision)
    await session.flush()
    return await get_update(session, update.id)  # type: ignore[return-value]


async def drop_revision(session: AsyncSession, revision: UARevision) -> None:
    await session.delete(revision)
    await session.flush()


async def renumber(session: AsyncSession, update: UAUpdate, number: str) -> UAUpdate | None:
    """Give a draft its UA number: it joins that number's case (created if new). None when
    that case already has an update with the draft's ordinal."""
    target = await find_case(session, number)
    old_case_id = update.case_id
    if target is not None and target.id == old_case_id:
        return update
    if target is None:
        siblings = await session.scalar(
            select(func.count()).select_from(UAUpdate).where(UAUpdate.case_id == old_case_id)
        )
        if siblings == 1:
            update.case.number = number
            await session.flush()
            return await get_update(session, update.id)
        target = await case_for(session, number)
    elif await find_update(session, target.id, update.ordinal) is not None:
        return None
    update.case_id = target.id
    await session.flush()
    await _drop_case_if_empty(session, old_case_id)
    return await get_update(session, update.id)


async def set_ordinal(session: AsyncSession, update: UAUpdate, ordinal: int) -> bool:
    """Correct which update of its case a draft is; False when that ordinal is taken."""
    if ordinal == update.ordinal:
        return True
    if await find_update(session, update.case_id, ordinal) is not None:
        return False
    update.ordinal = ordinal
    await session.flush()
    return True


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
    moved, a UA closed); in this process, sessions of ``session_class`` clear the cache when
    a transaction that changed a UA commits, whoever changed it (a handler, the CLI, a
    revision). The updates are loaded whole (case and texts) and only read, so they outlive
    their session.
    """

    def __init__(self, ttl: float = 5.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.clock = clock
        self._entries: dict[int, tuple[float, UAUpdate]] = {}

    def clear(self) -> None:
        self._entries.clear()

    def session_class(self) -> type[Session]:
        """A session class whose commits clear this cache when they changed a UA."""
        cache = self

        class ClearsUpdateCache(Session):
            pass

        @event.listens_for(ClearsUpdateCache, "before_flush")
        def note_changes(session: Session, _context: object, _instances: object) -> None:
            touched = (*session.new, *session.dirty, *session.deleted)
            if any(isinstance(row, UACase | UAUpdate | UAText) for row in touched):
                session.info["ua_changed"] = True

        @event.listens_for(ClearsUpdateCache, "after_commit")
        def clear_if_changed(session: Session) -> None:
            if session.info.pop("ua_changed", False):
                cache.clear()

        @event.listens_for(ClearsUpdateCache, "after_rollback")
        def forget_changes(session: Session) -> None:
            session.info.pop("ua_changed", None)

        return ClearsUpdateCache

    async def get(self, session: AsyncSession, update_id: int) -> UAUpdate | None:
        now = self.clock()
        entry = self._entries.get(update_id)
        if entry is not None and now - entry[0] < self.ttl:
            return entry[1]
        update = await get_update(session, update_id)
        if update is not None and update.status != UpdateStatus.DRAFT:
            # Detached at once, its case and texts with it: a rollback of this session
            # (a failed report) would otherwise expire the cached object, and everyone
            # opening the UA would get an apology until the entry aged out.
            session.expunge(update.case)
            session.expunge(update)
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
        .where(UACase.number.in_(UANumber.stored(number).spellings()))
        .options(joinedload(UAUpdate.case), selectinload(UAUpdate.texts))
        .order_by(UAUpdate.ordinal.desc())
        .limit(1)
    )
    if published_only:
        query = query.where(UAUpdate.status == UpdateStatus.PUBLISHED)
    return await session.scalar(query)


async def current_update(session: AsyncSession, number: str) -> UAUpdate | None:
    """The update people act on now (the live one), else the newest draft: what a change
    of deadline or a closing is about. A draft waiting beside a live update is not."""
    return await latest_update(session, number) or await latest_update(
        session, number, published_only=False
    )


async def open_updates(session: AsyncSession, today: date) -> list[UAUpdate]:
    """The current update of every open case, the newest published first."""
    return list(
        await session.scalars(
            select(UAUpdate)
            .join(UACase)
            .where(
                UAUpdate.status == UpdateStatus.PUBLISHED,
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
            .order_by(UACase.number.is_(None), UACase.number, UAUpdate.ordinal)
        )
    )


async def publish_update(session: AsyncSession, update: UAUpdate, now: datetime) -> None:
    """Make ``update`` the live one of its case; earlier updates are superseded by it, and
    a closed case is open again."""
    earlier = await session.scalars(
        select(UAUpdate).where(
            UAUpdate.case_id == update.case_id,
            UAUpdate.ordinal < update.ordinal,
            UAUpdate.status == UpdateStatus.PUBLISHED,
        )
    )
    for previous in earlier:
        previous.status = UpdateStatus.SUPERSEDED
    update.status = UpdateStatus.PUBLISHED
    update.published_at = now
    case = await session.get(UACase, update.case_id)
    if case is not None:
        case.closed_at = None  # a new update of a closed UA asks for action again
    await session.flush()


async def close_case(session: AsyncSession, case: UACase, now: datetime) -> None:
    case.closed_at = now
    await session.flush()


async def discard_draft(session: AsyncSession, update: UAUpdate) -> bool:
    """Delete an update never published; its case goes too when nothing else is left."""
    if update.status != UpdateStatus.DRAFT:
        return False
    case_id = update.case_id
    await session.delete(update)
    await session.flush()
    await _drop_case_if_empty(session, case_id)
    return True


async def _drop_case_if_empty(session: AsyncSession, case_id: int) -> None:
    remaining = await session.scalar(
        select(func.count()).select_from(UAUpdate).where(UAUpdate.case_id == case_id)
    )
    if not remaining:
        case = await session.get(UACase, case_id)
        if case is not None:
            await session.delete(case)
    await session.flush()
