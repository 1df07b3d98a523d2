"""Keys at rest in a backup: AES-256-GCM under a key derived from a passphrase with scrypt."""

from __future__ import annotations

import base64
import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

SCRYPT = {"n": 2**15, "r": 8, "p": 1}


def _derive(passphrase: str, salt: bytes) -> bytes:
    return Scrypt(salt=salt, length=32, **SCRYPT).derive(passphrase.encode())


def seal(values: dict[str, str], passphrase: str) -> dict[str, str]:
    """``values`` encrypted under ``passphrase``: a JSON-ready document (salt, nonce, ciphertext)."""
    if len(passphrase) < 12:
        raise ValueError("the backup passphrase must be at least 12 characters")
    salt, nonce = os.urandom(16), os.urandom(12)
    sealed = AESGCM(_derive(passphrase, salt)).encrypt(nonce, json.dumps(values).encode(), b"wildtrace-keys")
    return {"cipher": "AES-256-GCM", "kdf": "scrypt", **{k: base64.b64encode(v).decode() for k, v in
                                                          (("salt", salt), ("nonce", nonce), ("sealed", sealed))}}


def unseal(document: dict[str, str], passphrase: str) -> dict[str, str]:
    """The values sealed in ``document``; a wrong passphrase or an altered document is a ValueError."""
    salt, nonce, sealed = (base64.b64decode(document[k]) for k in ("salt", "nonce", "sealed"))
    try:
        plain = AESGCM(_derive(passphrase, salt)).decrypt(nonce, sealed, b"wildtrace-keys")
    except InvalidTag:
        raise ValueError("the keys of this backup do not open with that passphrase (or were altered)") from None
    values: dict[str, str] = json.loads(plain)
    return values
