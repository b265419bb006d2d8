"""Secrets at rest: MultiFernet over the keys in FIELD_ENCRYPTION_KEYS.

The first key encrypts; every key decrypts, so a new key can be put first and the old
ones kept until `manage.py rotate_keys` has re-encrypted everything under the new one.
Decryption never falls back to returning ciphertext: a value no key opens raises
SecretUnreadable with a sentence saying what to check (AWX does the same).
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from console import redaction
from vendors.core.errors import SecretUnreadable


@lru_cache(maxsize=4)
def _multifernet(keys: tuple[str, ...]) -> MultiFernet:
    fernets = []
    for position, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key.strip()))
        except (ValueError, TypeError):
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEYS entry {position} is not a valid Fernet key "
                "(32 url-safe base64-encoded bytes; make one with `manage.py generate_encryption_key`)."
            ) from None
    return MultiFernet(fernets)


def multifernet() -> MultiFernet:
    return _multifernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    redaction.register(plaintext)
    return multifernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str, *, what: str) -> str:
    try:
        plaintext = multifernet().decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        raise SecretUnreadable(
            f"{what} cannot be decrypted with any key in FIELD_ENCRYPTION_KEYS; "
            "was the key that encrypted it removed? Restore it or set the secret again."
        ) from None
    redaction.register(plaintext)
    return plaintext


def rotate(token: str, *, what: str) -> str:
    try:
        return multifernet().rotate(token.encode()).decode()
    except (InvalidToken, ValueError):
        raise SecretUnreadable(f"{what} cannot be decrypted with any key in FIELD_ENCRYPTION_KEYS.") from None
