"""Re-keying the database: every stored id re-encrypted and every lookup hash and audit
pseudonym recomputed under a new secret key, in one pass that can be resumed.

A rotation marks itself by a second key check row (the new key's) from its first step to
its last: the bot refuses to start while both are there, since rows under two keys would
make it fail people half the time. Each batch of supporters commits on its own; a row that
the new key already opens was done by an earlier run, so running again after a crash or a
Ctrl-C picks up where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.database import affected
from storage.keycheck import CHECKED_VALUE
from storage.models import AuditEntry, KeyCheck, Supporter

#: Supporters re-keyed per transaction: short transactions, progress that survives a stop.
BATCH = 500


class Vault(Protocol):
    def encrypt_id(self, identifier: int) -> str: ...

    def try_decrypt_id(self, token: str) -> int | None: ...

    def lookup_hash(self, platform: str, identifier: int) -> str: ...

    def audit_pseudonym(self, platform: str, identifier: int) -> str: ...


class RotationError(Exception):
    """The database cannot be re-keyed with these keys; the message says why."""


@dataclass
class Rotation:
    supporters: int = 0
    already_done: int = 0
    audit_entries: int = 0


async def rotate_key(
    sessions: async_sessionmaker[AsyncSession],
    old: Vault,
    new: Vault,
    *,
    configured_admins: Iterable[tuple[str, int]] = (),
    progress: Callable[[Rotation], None] = lambda _: None,
) -> Rotation:
    """Re-key everything from ``old`` to ``new``. ``configured_admins`` (platform, user id):
    people the audit may name who have no row, whose pseudonyms are re-keyed too."""
    async with sessions() as session, session.begin():
        await _mark_started(session, old, new)
    done = Rotation()
    after = 0
    while True:
        async with sessions() as session, session.begin():
            rows = list(
                await session.scalars(
                    select(Supporter)
                    .where(Supporter.id > after)
                    .order_by(Supporter.id)
                    .limit(BATCH)
                )
            )
            for supporter in rows:
                await _rekey(session, supporter, old, new, done)
        if not rows:
            break
        after = rows[-1].id
        progress(done)
    async with sessions() as session, session.begin():
        for platform, user_id in configured_admins:
            done.audit_entries += await _rename_in_audit(
                session,
                old.audit_pseudonym(platform, user_id),
                new.audit_pseudonym(platform, user_id),
            )
        await _mark_finished(session, new)
    return done


async def _mark_started(session: AsyncSession, old: Vault, new: Vault) -> None:
    tokens = list(await session.scalars(select(KeyCheck.token)))
    if any(new.try_decrypt_id(token) is not None for token in tokens):
        return  # an earlier run started: resume it
    if not tokens or old.try_decrypt_id(tokens[0]) is None:
        raise RotationError(
            "security.secret_key does not open this database: configure the key it is "
            "written with as the old key"
        )
    session.add(KeyCheck(token=new.encrypt_id(CHECKED_VALUE)))


async def _mark_finished(session: AsyncSession, new: Vault) -> None:
    for check in list(await session.scalars(select(KeyCheck))):
        if new.try_decrypt_id(check.token) is None:
            await session.delete(check)


async def _rekey(
    session: AsyncSession, supporter: Supporter, old: Vault, new: Vault, done: Rotation
) -> None:
    if new.try_decrypt_id(supporter.user_id_enc) is not None:
        done.already_done += 1
        return
    user_id = old.try_decrypt_id(supporter.user_id_enc)
    chat_id = old.try_decrypt_id(supporter.chat_id_enc)
    if user_id is None or chat_id is None:
        raise RotationError(
            f"supporter row {supporter.id} opens with neither key: this database was written "
            "under a third key, or is damaged"
        )
    supporter.user_id_enc = new.encrypt_id(user_id)
    supporter.chat_id_enc = new.encrypt_id(chat_id)
    supporter.user_hash = new.lookup_hash(supporter.platform, user_id)
    done.supporters += 1
    done.audit_entries += await _rename_in_audit(
        session,
        old.audit_pseudonym(supporter.platform, user_id),
        new.audit_pseudonym(supporter.platform, user_id),
    )


async def _rename_in_audit(session: AsyncSession, before: str, after: str) -> int:
    renamed = 0
    for column in (AuditEntry.actor, AuditEntry.target):
        result = await session.execute(
            update(AuditEntry).where(column == before).values({column.key: after})
        )
        renamed += affected(result)
    return renamed
