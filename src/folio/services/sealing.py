"""Secrets Folio must give back to itself (an account's SMTP password), sealed at rest.

A sealed value is `sealed:v1:` + base64url(nonce || AES-256-GCM ciphertext and tag). The
key is derived from the server secret (`FOLIO_SECRET`) and a purpose with HMAC-SHA256, and
the ciphertext is bound to its owner (associated data, e.g. the account's uuid), so a
value copied to another row does not open there. A database dump alone does not reveal
the secret; rotating `FOLIO_SECRET` makes sealed values unreadable (they must be set
again), as it already invalidates API keys. A value without the prefix was stored before
sealing existed and is read as it is until it is next saved (ADR 14).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "sealed:v1:"
_NONCE = 12


class SealBroken(Exception):
    """A sealed value that this server's secret cannot open (rotated secret, copied or
    altered value)."""


class Sealer:
    """Seals and opens values for one purpose under the server secret."""

    def __init__(self, secret: str, purpose: str) -> None:
        key = hmac.new(secret.encode(), b"folio/seal/" + purpose.encode(),
                       hashlib.sha256).digest()
        self._aead = AESGCM(key)

    def seal(self, plaintext: str, owner: str) -> str:
        nonce = os.urandom(_NONCE)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), owner.encode())
        return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()

    def open(self, stored: str, owner: str) -> str:
        """The plaintext of a sealed value; a value stored before sealing as it is."""
        if not stored.startswith(PREFIX):
            return stored
        try:
            raw = base64.b64decode(stored[len(PREFIX):].encode(), altchars=b"-_",
                                   validate=True)
            opened = self._aead.decrypt(raw[:_NONCE], raw[_NONCE:], owner.encode())
        except (InvalidTag, ValueError) as exc:  # binascii.Error is a ValueError
            raise SealBroken("the sealed value cannot be opened with this server's "
                             "secret") from exc
        return opened.decode()


def smtp_password_sealer(secret: str) -> Sealer:
    return Sealer(secret, "smtp-password")
