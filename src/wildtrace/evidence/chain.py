"""Hash chains for append-only logs (the capture log here; the workbench's audit log reuses it).

Each entry carries ``prev_hash`` (the ``hash`` of the entry before; :data:`GENESIS` for the first)
and ``hash = link_hash(prev_hash, payload)``, where the payload is the entry without those two keys.
Editing an entry changes its hash; removing or reordering entries breaks the sequence numbers and
the links; cutting the end off is caught by comparing with a head kept elsewhere (the store).

>>> first = {"seq": 1, "action": "capture"}
>>> h1 = link_hash(GENESIS, first)
>>> entries = [{**first, "prev_hash": GENESIS, "hash": h1}]
>>> verify_chain(entries)
[]
>>> entries[0]["action"] = "deleted"
>>> [p.kind for p in verify_chain(entries)]
['edited']
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


def canonical(payload: Mapping[str, Any]) -> bytes:
    """The bytes that are hashed: sorted keys, no spaces, UTF-8."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def link_hash(prev_hash: str, payload: Mapping[str, Any]) -> str:
    """SHA-256 binding ``payload`` to the entry before it."""
    return hashlib.sha256(prev_hash.encode("ascii") + b"\n" + canonical(payload)).hexdigest()


def entry_payload(entry: Mapping[str, Any], prev_key: str = "prev_hash", hash_key: str = "hash") -> dict[str, Any]:
    return {k: v for k, v in entry.items() if k not in (prev_key, hash_key)}


def seal(payload: Mapping[str, Any], prev_hash: str, prev_key: str = "prev_hash",
         hash_key: str = "hash") -> dict[str, Any]:
    """``payload`` with its ``prev_hash`` and ``hash`` added: the entry to append."""
    return {**payload, prev_key: prev_hash, hash_key: link_hash(prev_hash, payload)}


@dataclass(frozen=True)
class ChainProblem:
    """One finding of :func:`verify_chain`: which entry, what kind (edited, removed, reordered,
    duplicated, relinked, truncated) and a sentence for the analyst."""

    seq: int
    kind: str
    message: str


def verify_chain(entries: Sequence[Mapping[str, Any]], head: tuple[int, str] | None = None,
                 seq_key: str = "seq", prev_key: str = "prev_hash", hash_key: str = "hash") -> list[ChainProblem]:
    """Every problem in ``entries`` (in file order, sequence numbers from 1).

    ``head`` is the (seq, hash) of the last entry as recorded elsewhere; without it a cut-off end
    cannot be told from a log that simply ends there.
    """
    problems: list[ChainProblem] = []
    seqs = [int(e[seq_key]) for e in entries]
    for pos in range(1, len(seqs)):
        if seqs[pos] < seqs[pos - 1]:
            problems.append(ChainProblem(seqs[pos], "reordered",
                                         f"entry {seqs[pos]} is at position {pos + 1}, after entry {seqs[pos - 1]}"))
    seen: set[int] = set()
    expected, prev_hash = 1, GENESIS
    for entry in sorted(entries, key=lambda e: int(e[seq_key])):
        seq = int(entry[seq_key])
        if seq in seen:
            problems.append(ChainProblem(seq, "duplicated", f"entry {seq} appears more than once"))
            continue
        seen.add(seq)
        if seq > expected:
            gap = f"{expected}" if seq == expected + 1 else f"{expected} to {seq - 1}"
            problems.append(ChainProblem(expected, "removed", f"entry {gap} removed (entry {seq} follows "
                                         f"entry {expected - 1})"))
        if link_hash(str(entry.get(prev_key, "")), entry_payload(entry, prev_key, hash_key)) != entry.get(hash_key):
            problems.append(ChainProblem(seq, "edited", f"entry {seq} was edited: its content does not match "
                                         "its hash"))
        elif seq == expected and entry.get(prev_key) != prev_hash:
            problems.append(ChainProblem(seq, "relinked", f"entry {seq} does not link to entry {seq - 1}: "
                                         "one of them was rewritten"))
        expected, prev_hash = seq + 1, str(entry.get(hash_key))
    last = expected - 1
    if head is not None:
        head_seq, head_hash = head
        if head_seq > last:
            gap = f"{last + 1}" if head_seq == last + 1 else f"{last + 1} to {head_seq}"
            problems.append(ChainProblem(last + 1, "truncated", f"log truncated: entry {gap} missing at the end "
                                         f"(the store records {head_seq} entries)"))
        elif head_seq == last and prev_hash != head_hash:
            problems.append(ChainProblem(last, "edited", f"entry {last} differs from the head the store recorded"))
    return problems
