"""Identifiers at rest: encrypted, found by keyed hash, useless without the key."""

from __future__ import annotations

import pytest

from storage.crypto import IdentityVault, SecretKeyError, generate_secret_key


def test_round_trip_and_lookup_hash() -> None:
    vault = IdentityVault(generate_secret_key())
    token = vault.encrypt_id(123456789)
    assert "123456789" not in token
    assert vault.decrypt_id(token) == 123456789
    assert vault.lookup_hash("telegram", 1) == vault.lookup_hash("telegram", 1)
    assert vault.lookup_hash("telegram", 1) != vault.lookup_hash("telegram", 2)
    assert len(vault.log_tag("telegram", 1)) == 10


def test_another_key_cannot_read_or_find() -> None:
    one, other = IdentityVault(generate_secret_key()), IdentityVault(generate_secret_key())
    with pytest.raises(SecretKeyError, match="not the key"):
        other.decrypt_id(one.encrypt_id(42))
    assert one.lookup_hash("telegram", 42) != other.lookup_hash("telegram", 42)


@pytest.mark.parametrize("key", ["", "short", "!" * 44, "QUJD"])
def test_malformed_keys_are_refused_with_the_fix(key: str) -> None:
    with pytest.raises(SecretKeyError, match="uabot keygen"):
        IdentityVault(key)
