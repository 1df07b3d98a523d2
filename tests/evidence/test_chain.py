"""The hash chain on its own: each kind of edit is found and the entry named."""

from __future__ import annotations

import pytest

from wildtrace.evidence.chain import GENESIS, link_hash, seal, verify_chain


def _log(n: int) -> list[dict]:
    entries, prev = [], GENESIS
    for seq in range(1, n + 1):
        entry = seal({"seq": seq, "url": f"https://x.org/{seq}", "note": "象牙"}, prev)
        entries.append(entry)
        prev = entry["hash"]
    return entries


def _head(entries: list[dict]) -> tuple[int, str]:
    return entries[-1]["seq"], entries[-1]["hash"]


def test_intact_chain_has_no_problem() -> None:
    log = _log(5)
    assert verify_chain(log, _head(log)) == []
    assert log[0]["prev_hash"] == GENESIS and log[1]["prev_hash"] == log[0]["hash"]


def test_link_hash_depends_on_previous_hash_and_every_field() -> None:
    payload = {"seq": 1, "a": "b"}
    base = link_hash(GENESIS, payload)
    assert link_hash("1" * 64, payload) != base
    assert link_hash(GENESIS, {"seq": 1, "a": "c"}) != base
    assert link_hash(GENESIS, {"a": "b", "seq": 1}) == base  # key order does not matter


@pytest.mark.parametrize("kind", ["edited", "removed", "reordered", "truncated"])
def test_each_kind_of_tampering_is_named(kind: str) -> None:
    log = _log(6)
    head = _head(log)
    if kind == "edited":
        log[2] = {**log[2], "url": "https://x.org/other"}
        expect = (3, "edited")
    elif kind == "removed":
        del log[3]
        expect = (4, "removed")
    elif kind == "reordered":
        log[1], log[4] = log[4], log[1]
        expect = (2, "reordered")
    else:
        log = log[:4]
        expect = (5, "truncated")
    problems = verify_chain(log, head)
    assert expect in {(p.seq, p.kind) for p in problems}, problems
    assert all(str(p.seq) in p.message for p in problems)


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link() -> None:
    log = _log(4)
    forged = seal({k: v for k, v in log[1].items() if k not in ("prev_hash", "hash")} | {"url": "forged"},
                  log[1]["prev_hash"])
    log[1] = forged
    kinds = {(p.seq, p.kind) for p in verify_chain(log, _head(log))}
    assert (3, "relinked") in kinds
