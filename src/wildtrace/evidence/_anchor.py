"""Anchors: the head of the capture log (sequence number and hash) written down outside the store, signed
with an Ed25519 key that is kept outside it too. A log checked against an anchor must still hold the
anchored entry unchanged and nothing after it: a rewritten chain or an entry appended since is caught
even when the forger recomputed every hash and the store's rows with them.

    wildtrace evidence keygen ~/keys/anchor.pem          # private key (0600) and anchor.pem.pub
    wildtrace evidence anchor --key ~/keys/anchor.pem --out ~/anchors/2026-03-14.json
    wildtrace evidence verify --anchor ~/anchors/2026-03-14.json --public-key ~/keys/anchor.pem.pub
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from wildtrace.evidence._log import is_sha256
from wildtrace.evidence.chain import ChainProblem, canonical


@dataclass(frozen=True)
class Anchor:
    """The head of the log at ``anchored_at``; ``signature`` (hex) is over the other fields but the key."""

    seq: int
    hash: str
    anchored_at: str
    collector: str
    public_key: str | None = None
    signature: str | None = None

    def signed_bytes(self) -> bytes:
        return canonical({"seq": self.seq, "hash": self.hash, "anchored_at": self.anchored_at,
                          "collector": self.collector})

    def to_json(self) -> str:
        return json.dumps({k: v for k, v in asdict(self).items() if v is not None}, indent=2) + "\n"

    @classmethod
    def read(cls, path: str | Path) -> Anchor:
        """An anchor file, checked field by field (``ValueError`` naming the file and the field)."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"), parse_constant=_refuse)
        except (ValueError, RecursionError) as exc:
            raise ValueError(f"{path}: not an anchor file (not JSON: {str(exc).split(':')[0]})") from None
        if not isinstance(data, dict):
            raise ValueError(f"{path}: not an anchor file (not a JSON object)")
        seq = data.get("seq")
        if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
            raise ValueError(f"{path}: field 'seq' is not a positive integer")
        if not is_sha256(data.get("hash")):
            raise ValueError(f"{path}: field 'hash' is not a SHA-256")
        if not isinstance(data.get("collector"), str):
            raise ValueError(f"{path}: field 'collector' is missing")
        try:
            datetime.fromisoformat(data["anchored_at"])
        except (KeyError, TypeError, ValueError):
            raise ValueError(f"{path}: field 'anchored_at' is not an ISO 8601 time") from None
        for key, size in (("public_key", 64), ("signature", 128)):
            value = data.get(key)
            if value is not None and not (isinstance(value, str) and len(value) == size and _is_hex(value)):
                raise ValueError(f"{path}: field {key!r} is not {size} hex digits")
        if (data.get("public_key") is None) != (data.get("signature") is None):
            raise ValueError(f"{path}: a signed anchor needs both 'public_key' and 'signature'")
        return cls(seq, data["hash"], data["anchored_at"], data["collector"], data.get("public_key"),
                   data.get("signature"))


def _refuse(constant: str) -> None:
    raise ValueError(f"{constant} is not a JSON number")


def _is_hex(value: str) -> bool:
    return all(c in "0123456789abcdef" for c in value)


def head_anchor(entries: Sequence[Mapping[str, Any]], collector: str) -> Anchor:
    """An unsigned anchor of the last entry of ``entries`` (a log that verifies)."""
    if not entries:
        raise ValueError("the capture log is empty: nothing to anchor")
    last = max(entries, key=lambda e: int(e["seq"]))
    return Anchor(int(last["seq"]), str(last["hash"]), datetime.now(UTC).isoformat(timespec="seconds"), collector)


def outside(path: str | Path, store_dir: str | Path, what: str) -> Path:
    """``path``, refused when it lies inside ``store_dir``: a key or anchor kept with the evidence proves nothing."""
    resolved, inside = Path(path).resolve(), Path(store_dir).resolve()
    if resolved == inside or inside in resolved.parents:
        raise ValueError(f"{path}: keep the {what} outside the evidence store ({store_dir})")
    return Path(path)


def new_signing_key(path: str | Path) -> tuple[Path, str]:
    """Write a new Ed25519 private key to ``path`` (PEM, readable by its owner only) and its public key (hex)
    to ``path.pub``; return the public key file and the key."""
    path = Path(path)
    if path.exists():
        raise ValueError(f"{path}: already exists (a signing key is never overwritten)")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    public = _public_hex(key.public_key())
    pub = path.with_name(path.name + ".pub")
    pub.write_text(public + "\n", encoding="ascii")
    return pub, public


def _public_hex(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def sign_anchor(anchor: Anchor, private_key: str | Path) -> Anchor:
    """``anchor`` signed with the Ed25519 private key in the PEM file ``private_key``."""
    try:
        key = serialization.load_pem_private_key(Path(private_key).read_bytes(), password=None)
    except ValueError:
        raise ValueError(f"{private_key}: not a PEM private key without a passphrase") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{private_key}: not an Ed25519 key")
    return replace(anchor, public_key=_public_hex(key.public_key()), signature=key.sign(anchor.signed_bytes()).hex())


def read_public_key(path: str | Path) -> bytes:
    """The 32 bytes of an Ed25519 public key written by :func:`new_signing_key` (hex)."""
    text = Path(path).read_text(encoding="ascii", errors="replace").strip()
    if len(text) != 64 or not _is_hex(text):
        raise ValueError(f"{path}: not an Ed25519 public key (64 hex digits)")
    return bytes.fromhex(text)


def _signature_problem(anchor: Anchor, trusted_key: bytes | None) -> str | None:
    if anchor.signature is None or anchor.public_key is None:
        return "the anchor is not signed, and a public key was given to check it" if trusted_key else None
    if trusted_key is not None and bytes.fromhex(anchor.public_key) != trusted_key:
        return "the anchor was signed with another key than the one given"
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(anchor.public_key)).verify(
            bytes.fromhex(anchor.signature), anchor.signed_bytes())
    except (InvalidSignature, ValueError):
        return "the anchor's signature does not match its content (the anchor was edited)"
    return None


def check_anchor(entries: Sequence[Mapping[str, Any]], anchor: Anchor,
                 trusted_key: bytes | None = None) -> list[ChainProblem]:
    """Problems of ``entries`` against ``anchor``: a bad signature, the anchored entry gone or changed,
    entries after it."""
    problems = []
    if (reason := _signature_problem(anchor, trusted_key)) is not None:
        problems.append(ChainProblem(anchor.seq, "anchor_signature", reason))
    by_seq = {int(e["seq"]): e for e in entries}
    at = by_seq.get(anchor.seq)
    if at is None:
        problems.append(ChainProblem(anchor.seq, "anchor_missing", f"entry {anchor.seq}, the head anchored at "
                                     f"{anchor.anchored_at}, is not in the log"))
    elif at.get("hash") != anchor.hash:
        problems.append(ChainProblem(anchor.seq, "anchor_mismatch", f"entry {anchor.seq} differs from the head "
                                     f"anchored at {anchor.anchored_at}: the chain was rewritten"))
    later = sorted(seq for seq in by_seq if seq > anchor.seq)
    if later:
        span = f"entry {later[0]}" if len(later) == 1 else f"entries {later[0]} to {later[-1]}"
        problems.append(ChainProblem(later[0], "after_anchor", f"{span} came after the head anchored at "
                                     f"{anchor.anchored_at} (anchor again once they are checked as yours)"))
    return problems
