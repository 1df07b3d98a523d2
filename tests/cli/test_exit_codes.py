"""Every failing path of the ``wildtrace`` command, run as a real process: a non-zero exit status and one
line saying why on standard error, never a traceback (the CLI once dropped the status of ``evidence verify``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread

import pytest

from wildtrace.evidence import Evidence
from wildtrace.model import Post
from wildtrace.store import open_store


def wildtrace(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "WILDTRACE_DB": str(home / "w.duckdb"), "WILDTRACE_DATA_DIR": str(home / "data")}
    return subprocess.run([sys.executable, "-m", "wildtrace.cli.main", *args], capture_output=True, text=True,
                          env=env, cwd=home, timeout=300)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A store holding two captures; ``saved.html`` beside it."""
    with open_store(str(tmp_path / "w.duckdb")) as store:
        ev = Evidence(store, tmp_path / "data")
        store.add([Post(id=f"p{i}", platform="bazaar", text=f"post {i}") for i in (1, 2)])
        for i in (1, 2):
            ev.capture(f"https://bazaar.example/p/{i}", f"<p>page {i}</p>".encode(), "resource", post_id=f"p{i}")
    (tmp_path / "saved.html").write_text("<p>saved</p>")
    return tmp_path


@pytest.fixture
def dead_url() -> Iterator[str]:
    """A loopback URL that answers 503 every time."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(503)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/p/1"
    server.shutdown()
    server.server_close()


def _tamper(home: Path) -> None:
    log = home / "data" / "evidence" / "capture-log.jsonl"
    log.write_text(log.read_text().replace("/p/2", "/p/3"))


# (what, setup, arguments, words the reason must hold)
FAILURES = [
    ("verify a tampered log", _tamper, ["evidence", "verify"], "edited: entry 2"),
    ("export while tampered", _tamper, ["evidence", "export", "--post", "p2", "--out", "b"], "edited: entry 2"),
    ("anchor while tampered", _tamper, ["evidence", "anchor"], "nothing is anchored"),
    ("add to a case that does not exist", None, ["evidence", "add", "saved.html", "--case", "nope"], "no case 'nope'"),
    ("add what is neither URL nor file", None, ["evidence", "add", "missing.html"], "neither an http(s) URL"),
    ("export nothing", None, ["evidence", "export", "--out", "b"], "give --case ID or --post ID"),
    ("export an unknown post", None, ["evidence", "export", "--post", "p9", "--out", "b"], "no post 'p9'"),
    ("verify against a missing anchor", None, ["evidence", "verify", "--anchor", "none.json"], "none.json"),
    ("verify against a broken anchor", lambda h: (h / "a.json").write_text('{"seq": Infinity}'),
     ["evidence", "verify", "--anchor", "a.json"], "not an anchor file"),
    ("a key inside the evidence store", None, ["evidence", "keygen", "data/evidence/k.pem"], "outside the evidence"),
    ("verify a folder that is no bundle", None, ["evidence", "verify", "--bundle", "data"], "not an evidence bundle"),
    ("run an empty watchlist", None, ["watch", "run", "--once"], "the watchlist is empty"),
    ("remove an unwatched URL", None, ["watch", "remove", "https://x.example/p"], "not on the watchlist"),
    ("add an item that does not exist", None, ["case", "add", "case-none", "post:p1"], "no case 'case-none'"),
    ("ingest a missing file", None, ["ingest", "missing.jsonl"], "missing.jsonl"),
    ("a report with a bad date", None, ["report", "--from", "soon", "--to", "2026-01-01", "--out", "r.html"],
     "expected a date"),
    ("a SAR for an unknown subject", None, ["money", "sar", "wallet:none", "--out", "s.xml"], "wallet:none"),
    ("restore a folder that is no backup", None, ["restore", "data"], "data is not a backup"),
    ("an unknown command", None, ["nonsense"], "No such command"),
]


@pytest.mark.parametrize(("setup", "args", "reason"), [f[1:] for f in FAILURES], ids=[f[0] for f in FAILURES])
def test_failing_commands_exit_non_zero_with_one_line(home: Path, setup, args: list[str], reason: str) -> None:
    if setup is not None:
        setup(home)
    done = wildtrace(home, *args)
    assert done.returncode != 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert reason in done.stdout + done.stderr


def test_a_failing_watch_round_exits_non_zero(home: Path, dead_url: str) -> None:
    assert wildtrace(home, "watch", "add", dead_url).returncode == 0
    done = wildtrace(home, "watch", "run", "--once")
    assert done.returncode == 1 and "could not be checked" in done.stderr, done.stdout + done.stderr
    assert "HTTP 503" in done.stdout


def test_add_to_a_missing_case_writes_nothing_and_the_cli_creates_cases(home: Path) -> None:
    log = home / "data" / "evidence" / "capture-log.jsonl"
    before = log.read_bytes()
    assert wildtrace(home, "evidence", "add", "saved.html", "--case", "nope").returncode == 1
    assert log.read_bytes() == before  # refused before anything was written
    created = wildtrace(home, "case", "create", "bangles on bazaar", "--json")
    assert created.returncode == 0, created.stderr
    case_id = json.loads(created.stdout)["id"]
    added = wildtrace(home, "evidence", "add", "saved.html", "--case", case_id, "--json")
    assert added.returncode == 0, added.stderr
    listed = wildtrace(home, "case", "list", "--json")
    [case] = json.loads(listed.stdout)
    assert case["items"] == [f"capture:{json.loads(added.stdout)['sha256']}"]
    assert wildtrace(home, "evidence", "verify").returncode == 0


@pytest.mark.parametrize("args", [["ingest", "posts.jsonl"], ["money", "load", "transactions", "tx.csv"]],
                         ids=["ingest", "money load"])
def test_a_load_that_quarantines_records_finishes_and_exits_partial(home: Path, args: list[str]) -> None:
    (home / "posts.jsonl").write_text('{"id": "p9", "platform": "bazaar", "text": "fine"}\n{broken\n')
    (home / "tx.csv").write_text("id,payer,payee,amount,time\nt1,a,b,10,2026-01-01T00:00:00Z\nt2,a,b,ten,soon\n")
    done = wildtrace(home, *args)
    assert done.returncode == 3, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "quarantined 1" in done.stdout.replace("1 quarantined", "quarantined 1")
    assert any((home / "data" / "quarantine").rglob("*")), "the rejected record is kept"
    (home / "clean.jsonl").write_text('{"id": "p8", "platform": "bazaar", "text": "fine"}\n')
    assert wildtrace(home, "ingest", "clean.jsonl").returncode == 0  # nothing rejected: 0
