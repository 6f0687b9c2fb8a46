"""Encryption of platform identifiers at rest, and keyed hashes to look them up.

A copy of the database alone must not reveal who a supporter is. Telegram ids are stored
encrypted (Fernet: AES-128-CBC with an HMAC) under a key that lives in the configuration,
never in the database; rows are found by an HMAC-SHA256 of the id, which cannot be reversed
without the key. Two independent sub-keys are derived from the one secret with HKDF, so the
operator keeps a single value secret.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class SecretKeyError(ValueError):
    """The configured secret key is missing or malformed."""


def generate_secret_key() -> str:
    """Return 32 random bytes in URL-safe base64: the form ``uabot keygen`` prints."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")


def _decode_key(secret_key: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(secret_key.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raw = b""
    if len(raw) != 32:
        raise SecretKeyError(
            "security.secret_key must be 32 random bytes in URL-safe base64; "
            "make one with `uabot keygen`"
        )
    return raw


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(master)


class IdentityVault:
    """Encrypts, decrypts and hashes platform identifiers with keys derived from one secret."""

    def __init__(self, secret_key: str) -> None:
        master = _decode_key(secret_key)
        self._fernet = Fernet(base64.urlsafe_b64encode(_derive(master, b"uabot identifiers")))
        self._lookup_key = _derive(master, b"uabot lookup")
        self._log_key = _derive(master, b"uabot logs")
        self._audit_key = _derive(master, b"uabot audit")

    def encrypt_id(self, identifier: int) -> str:
        return self._fernet.encrypt(str(identifier).encode("ascii")).decode("ascii")

    def decrypt_id(self, token: str) -> int:
        try:
            return int(self._fernet.decrypt(token.encode("ascii")))
        except InvalidToken as error:
            raise SecretKeyError(
                "a stored identifier cannot be decrypted: security.secret_key is not the key "
                "this database was written with; configure the key it was written with (a "
                "lost key cannot be recovered: the supporters would have to subscribe again)"
            ) from error

    def try_decrypt_id(self, token: str) -> int | None:
        """The identifier, or None when ``token`` was not encrypted under this key."""
        try:
            return int(self._fernet.decrypt(token.encode("ascii")))
        except InvalidToken:
            return None

    def lookup_hash(self, platform: str, identifier: int) -> str:
        """The keyed hash under which a person's row is stored and found."""
        message = f"{platform}:{identifier}".encode()
        return hmac.new(self._lookup_key, message, hashlib.sha256).hexdigest()

    def log_tag(self, platform: str, identifier: int) -> str:
        """A short keyed hash that lets logs follow one person without revealing them."""
        message = f"{platform}:{identifier}".encode()
        return hmac.new(self._log_key, message, hashlib.sha256).hexdigest()[:10]

    def audit_pseudonym(self, platform: str, identifier: int) -> str:
        """The keyed pseudonym of a person in the audit log: always the same for the same
        person (also after /forget, so nobody can erase their trail), under a key of its
        own so it matches neither the lookup hashes nor the log tags. 64 bits: no two of
        the few thousand people an audit ever names collide by chance."""
        message = f"{platform}:{identifier}".encode()
        return hmac.new(self._audit_key, message, hashlib.sha256).hexdigest()[:16]
