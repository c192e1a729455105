"""Encryption at rest of interface credentials (MultiFernet over FIELD_ENCRYPTION_KEYS).

Decrypting with keys that do not fit is an error: the ciphertext is never handed back as text.
"""

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from . import registry


class CredentialDecryptionError(Exception):
    """The stored credential cannot be read with the configured keys."""


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS is empty: set one or more Fernet keys (comma-separated)."
        )
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS holds a value that is not a Fernet key "
            "(32 url-safe base64-encoded bytes)."
        ) from exc


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    registry.remember(plaintext)
    return fernet().encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    try:
        plaintext = fernet().decrypt(ciphertext.encode()).decode()
    except InvalidToken as exc:
        raise CredentialDecryptionError(
            "The stored credential cannot be decrypted with FIELD_ENCRYPTION_KEYS: "
            "the key it was written with is missing."
        ) from exc
    registry.remember(plaintext)
    return plaintext


def rotate(ciphertext: str) -> str:
    """Re-encrypt under the first (newest) key; raises if no configured key can read it."""
    try:
        return fernet().rotate(ciphertext.encode()).decode()
    except InvalidToken as exc:
        raise CredentialDecryptionError(
            "A stored credential cannot be decrypted with any key of FIELD_ENCRYPTION_KEYS."
        ) from exc
