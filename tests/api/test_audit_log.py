"""The audit log's group commit: events recorded while a write is under way are written together, each
``record`` returns its own stored event, the chain holds, and a writer that lost the next ``seq`` to another
one tries again on the new head (on both store backends)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from wildtrace.evidence.chain import GENESIS, link_hash
from wildtrace.model import AuditEvent
from wildtrace.service import audit_events, record, verify_audit
from wildtrace.service._audit import _waiting, _writing
from wildtrace.store import Store, to_row


def _until(condition: Any, what: str) -> None:
    deadline = time.monotonic() + 60
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.01)


def test_views_recorded_together_are_written_as_one_batch(backend_store: Store, monkeypatch) -> None:
    store, writes = backend_store, []
    insert_rows = store.insert_rows

    def spy(table: str, rows: list[dict[str, Any]], *args: Any) -> int:
        writes.append(len(rows))
        if len(writes) == 1:  # hold the first write until the other threads have recorded theirs
            _until(lambda: len(_waiting.get(id(store), [])) == 19, "19 events waiting")
        return insert_rows(table, rows, *args)

    monkeypatch.setattr(store, "insert_rows", spy)
    returned: dict[int, AuditEvent] = {}

    def view(n: int) -> None:
        returned[n] = record(store, f"user{n}", "view", "post", f"p{n}", {"n": n})

    first = threading.Thread(target=view, args=(0,))
    first.start()
    _until(lambda: bool(writes), "the first write")
    others = [threading.Thread(target=view, args=(n,)) for n in range(1, 20)]
    for thread in others:
        thread.start()
    for thread in [first, *others]:
        thread.join()
    assert writes == [1, 19]  # two writes for twenty events
    stored = {e.seq: e for e in audit_events(store, limit=100)}
    assert sorted(stored) == list(range(1, 21)) and verify_audit(store)["ok"]
    assert {returned[n].seq for n in range(20)} == set(stored)
    for n, event in returned.items():  # each caller got its own event, as stored
        assert stored[event.seq].hash == event.hash and event.actor == f"user{n}" and event.detail == {"n": n}


def test_a_writer_that_lost_the_next_seq_tries_again_on_the_new_head(backend_store: Store, monkeypatch) -> None:
    store = backend_store
    insert_rows = store.insert_rows
    rival = AuditEvent(seq=1, occurred_at=datetime.now(UTC), actor="other-process", action="export",
                       prev_hash=GENESIS)
    rival.hash = link_hash(GENESIS, rival.model_dump(mode="json", exclude={"hash", "prev_hash"}))
    raced: list[bool] = []

    def spy(table: str, rows: list[dict[str, Any]], cols: Any, key: Any) -> int:
        if not raced:  # another writer stores seq 1 between this batch's read of the head and its insert
            raced.append(True)
            rival_writer = threading.Thread(target=insert_rows, args=(table, [to_row(rival)], cols, key))
            rival_writer.start()
            rival_writer.join()
        return insert_rows(table, rows, cols, key)

    monkeypatch.setattr(store, "insert_rows", spy)
    mine = record(store, "analyst", "view", "post", "p1")
    assert mine.seq == 2 and mine.prev_hash == rival.hash
    assert [e.actor for e in audit_events(store)] == ["analyst", "other-process"] and verify_audit(store)["ok"]



def test_an_event_that_cannot_be_stored_fails_alone(store: Store, monkeypatch) -> None:
    hold, insert_rows = threading.Event(), store.insert_rows

    def held(*args: Any) -> int:
        hold.wait()
        return insert_rows(*args)

    monkeypatch.setattr(store, "insert_rows", held)
    first = threading.Thread(target=record, args=(store, "u1", "view"))
    first.start()
    _until(lambda: id(store) in _writing, "a write under way")
    later = threading.Thread(target=record, args=(store, "u2", "view"))
    later.start()
    _until(lambda: len(_waiting.get(id(store), [])) == 1, "one event waiting")
    with pytest.raises(ValueError):  # refused at once in its caller, never in the batch of the others
        record(store, "u3", "view", "post", "p3", {"when": object()})
    hold.set()
    first.join()
    later.join()
    assert [e.actor for e in audit_events(store)] == ["u2", "u1"] and verify_audit(store)["ok"]
