"""Whether the configured secret key is the one this database was written with."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import KeyCheck, Supporter

#: What the check value encrypts; any fixed number would do.
CHECKED_VALUE = 0


class Vault(Protocol):
    def encrypt_id(self, identifier: int) -> str: ...

    def decrypt_id(self, token: str) -> int: ...


async def check_secret_key(session: AsyncSession, vault: Vault) -> None:
    """Decrypt the database's check value (or, in a database from before it existed, a
    supporter's chat id), raising the vault's error if the key is not this database's;
    a database without one gets it now."""
    stored = await session.scalar(select(KeyCheck.token).limit(1))
    if stored is not None:
        vault.decrypt_id(stored)
        return
    sample = await session.scalar(select(Supporter.chat_id_enc).limit(1))
    if sample is not None:
        vault.decrypt_id(sample)
    session.add(KeyCheck(token=vault.encrypt_id(CHECKED_VALUE)))
