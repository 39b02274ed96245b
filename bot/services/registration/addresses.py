"""Email addresses are never stored: only a keyed hash of the normalized address.

The key is ``REGISTRATION_SECRET`` (HMAC-SHA256). Without the key a stolen database gives no
address back, not even by hashing a list of guessed addresses. Normalizing (Unicode NFKC,
surrounding space, case) makes ``Ana@Example.org `` and ``ana@example.org`` one registration.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass

from bot.errors import DomainError

MIN_SECRET_LENGTH = 16
EMAIL_MAX = 254
_EMAIL = re.compile(r"^[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[^@\s<>()\[\],;:\".]{2,}$")


@dataclass(frozen=True)
class RegistrationKey:
    """The HMAC key of the registration hashes."""

    secret: bytes

    def __repr__(self) -> str:  # never print the key
        return "RegistrationKey(***)"

    def hash(self, normalized: str) -> str:
        return hmac.new(self.secret, normalized.encode("utf-8"), hashlib.sha256).hexdigest()


def registration_key(secret: str | None) -> RegistrationKey:
    """The key made from ``REGISTRATION_SECRET``; a :class:`DomainError` for organizers when
    it is missing or too short to resist guessing."""
    if not secret:
        raise DomainError("registration.errors.no_secret")
    if len(secret) < MIN_SECRET_LENGTH:
        raise DomainError("registration.errors.short_secret", count=MIN_SECRET_LENGTH)
    return RegistrationKey(secret.encode("utf-8"))


def normalize_email(text: str) -> str | None:
    """The comparison form of an address, or None when ``text`` is not one."""
    value = unicodedata.normalize("NFKC", text).strip().strip("<>").strip().casefold()
    if not value or len(value) > EMAIL_MAX or not _EMAIL.match(value):
        return None
    return value


def email_hash(key: RegistrationKey, text: str) -> str | None:
    """The stored form of an address (hex HMAC), or None when ``text`` is not an address."""
    normalized = normalize_email(text)
    return None if normalized is None else key.hash(normalized)
