"""Personal data at rest: a database dump alone must not reveal phone numbers or citizen IDs.

Values are encrypted with Fernet (AES-CBC + HMAC) under QRTRACE_FIELD_KEYS; the first key
encrypts, every key decrypts, so a new key can be prepended and old rows re-encrypted at leisure.
Encrypted values cannot be searched, so each searchable value also gets a keyed `lookup_hash`.
"""

import functools
import hashlib
import hmac
from typing import Any

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Lookup, Transform
from django.dispatch import receiver

_LOOKUP_HASH_CHARS = 40  # 160 bits: collisions are out of reach, and the index stays small


@functools.cache
def _fernet() -> MultiFernet:
    keys = settings.QRTRACE_FIELD_KEYS
    if not keys:
        raise ImproperlyConfigured("QRTRACE_FIELD_KEYS must hold at least one Fernet key.")
    return MultiFernet([Fernet(key) for key in keys])


@receiver(setting_changed)
def _forget_keys(*, setting: str, **kwargs: Any) -> None:
    # Tests swap keys with override_settings; a cached MultiFernet would keep the old ones.
    if setting == "QRTRACE_FIELD_KEYS":
        _fernet.cache_clear()


def encrypt(value: str) -> str:
    """Encrypt under the newest key; equal values give different tokens."""
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    """Decrypt with any configured key; raises cryptography.fernet.InvalidToken otherwise."""
    return _fernet().decrypt(token.encode()).decode()


def reencrypt(token: str) -> str:
    """Re-encrypt under the newest key, so older keys can be removed after a rotation."""
    return _fernet().rotate(token.encode()).decode()


def lookup_hash(kind: str, value: str) -> str:
    """Keyed hash to find a record by an encrypted value (hash the *normalised* value).

    Keyed, because a plain hash of a 9-digit phone number is reversed by trying them all. The
    kind is mixed in so a phone number and a citizen ID with the same digits do not collide.
    """
    if "\x00" in kind:
        # The separator must not occur in the kind, or ("a\0b", "c") and ("a", "b\0c") would collide.
        raise ValueError("lookup_hash kind must not contain NUL.")
    message = f"{kind}\x00{value}".encode()
    digest = hmac.new(settings.QRTRACE_LOOKUP_KEY, message, hashlib.sha256).hexdigest()
    return digest[:_LOOKUP_HASH_CHARS]


class EncryptedTextField(models.TextField):
    """Text stored encrypted; Python code sees the plaintext.

    The ciphertext is randomised, so the database cannot compare values: every lookup except
    `isnull` is refused (a filter on the plaintext would silently match nothing). Search through
    a separate `lookup_hash` column instead.
    """

    description = "Text encrypted at rest"

    def get_prep_value(self, value: Any) -> str | None:
        value = super().get_prep_value(value)
        if value is None:
            return None
        return encrypt(value)

    def from_db_value(
        self, value: str | None, expression: Any, connection: BaseDatabaseWrapper
    ) -> str | None:
        if value is None:
            return None
        return decrypt(value)

    def get_lookup(self, lookup_name: str) -> type[Lookup] | None:
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)

    def get_transform(self, lookup_name: str) -> type[Transform] | None:
        return None
