"""``wildtrace case close``: the workbench's close from the shell, audited, its reason kept as a note; a closed
case becomes a case study without ``--force``."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_exit_codes import wildtrace
from wildtrace.model import Post
from wildtrace.service import audit_events, case_notes, verify_audit
from wildtrace.store import open_store


def test_close_a_case_audited_with_its_reason_then_its_case_study_needs_no_force(tmp_path: Path) -> None:
    with open_store(str(tmp_path / "w.duckdb")) as store:
        store.add([Post(id="p1", platform="bazaar", text="ivory bangle")])
    case_id = json.loads(wildtrace(tmp_path, "case", "create", "bangles", "--item", "post:p1", "--json").stdout)["id"]
    still_open = wildtrace(tmp_path, "case-study", case_id)
    assert still_open.returncode == 1 and "is open" in still_open.stderr, still_open.stderr

    closed = wildtrace(tmp_path, "case", "close", case_id, "--reason", "seller arrested", "--by", "ana", "--json")
    assert closed.returncode == 0, closed.stderr
    assert json.loads(closed.stdout)["status"] == "closed"
    assert wildtrace(tmp_path, "case-study", case_id, "--format", "json").returncode == 0
    with open_store(str(tmp_path / "w.duckdb"), create=False) as store:
        [event] = [e for e in audit_events(store, limit=100) if e.action == "case_status"]
        assert (event.actor, event.object_kind, event.object_id) == ("ana", "case", case_id)
        assert event.detail["status"] == "closed" and event.detail["reason"] == "seller arrested"
        assert [(n["author"], n["text"]) for n in case_notes(store, case_id)] == [("ana", "Closed: seller arrested")]
        assert verify_audit(store)["ok"]

    again = wildtrace(tmp_path, "case", "close", case_id, "--reason", "twice")
    assert again.returncode == 1 and "already closed" in again.stderr, again.stderr
    for args, says in ((["nope", "--reason", "x"], "no case 'nope'"), ([case_id, "--reason", " "], "--reason")):
        refused = wildtrace(tmp_path, "case", "close", *args)
        assert refused.returncode == 1 and says in refused.stderr and "Traceback" not in refused.stderr
