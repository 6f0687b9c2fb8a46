"""Whether the configured secret key is the one this database was written with."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import KeyCheck, Supporter

#: What the check value encrypts; any fixed number would do.
CHECKED_VALUE = 0


class UnfinishedRotation(Exception):
    """Rows are under two keys: ``uabot rotate-key`` stopped before its end."""


class Vault(Protocol):
    def encrypt_id(self, identifier: int) -> str: ...

    def decrypt_id(self, token: str) -> int: ...


async def check_secret_key(session: AsyncSession, vault: Vault) -> None:
    """Decrypt the database's check value (or, in a database from before it existed, a
    supporter's chat id), raising the vault's error if the key is not this database's;
    a database without one gets it now."""
    tokens = list(await session.scalars(select(KeyCheck.token)))
    if len(tokens) > 1:
        raise UnfinishedRotation(
            "a key rotation was started and not finished: run `uabot rotate-key` again with "
            "the same old and new keys before starting the bot"
        )
    if tokens:
        vault.decrypt_id(tokens[0])
        return
    sample = await session.scalar(select(Supporter.chat_id_enc).limit(1))
    if sample is not None:
        vault.decrypt_id(sample)
    session.add(KeyCheck(token=vault.encrypt_id(CHECKED_VALUE)))
