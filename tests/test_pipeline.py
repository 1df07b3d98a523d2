"""The main job end to end on a small simulated world: every step runs and leaves its output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb


def test_demo_runs_every_step_and_a_rerun_adds_nothing(tmp_path: Path) -> None:
    def demo() -> dict:
        done = subprocess.run([sys.executable, "-m", "wildtrace.cli.main", "demo", "--out", str(tmp_path),
                               "--scale", "0.05", "--no-serve", "--json"], capture_output=True, text=True,
                              timeout=1200)
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout.splitlines()[-1])

    first = demo()
    assert [s["step"] for s in first["steps"]] == ["simulate", "ingest", "capture", "screen", "extract", "link",
                                                   "money", "report", "share"]
    for name in ("report.html", "report.pdf", "export-partner.ftm.jsonl", "export-platform.stix.json"):
        assert (tmp_path / name).stat().st_size > 0, name
    with duckdb.connect(first["store"], read_only=True) as db:
        posts, verdicts, accounts = db.execute("SELECT (SELECT count(*) FROM posts), (SELECT count(*) FROM verdicts), "
                                               "(SELECT count(*) FROM accounts)").fetchone()
    assert posts > 0 and verdicts == posts
    assert f"{posts + accounts} indexed for search" in first["steps"][1]["summary"]  # not at the first search
    with duckdb.connect(first["store"], read_only=True) as db:
        uncaptured = db.execute("SELECT count(*) FROM posts WHERE id NOT IN (SELECT post_id FROM captures "
                                "WHERE kind = 'response' AND post_id IS NOT NULL)").fetchone()[0]
    assert uncaptured == 0  # every post's page is preserved
    again = demo()
    assert again["steps"][1]["summary"].startswith("0 records")  # ingest is idempotent
    assert again["steps"][2]["summary"].startswith("0 post pages")  # nothing captured twice
    assert again["steps"][3]["summary"].startswith("0 posts")  # nothing left to screen
    env = {**os.environ, "WILDTRACE_DB": first["store"], "WILDTRACE_DATA_DIR": str(tmp_path / ".wildtrace")}
    verified = subprocess.run([sys.executable, "-m", "wildtrace.cli.main", "evidence", "verify"], env=env,
                              capture_output=True, text=True, timeout=600)
    assert verified.returncode == 0 and verified.stdout.startswith("ok:"), verified.stdout + verified.stderr
    _custody_is_cited(Path(first["store"]), tmp_path / ".wildtrace")


def _custody_is_cited(db: Path, data_dir: Path) -> None:
    """SAR drafts cite the capture of each post they name; a case bundle carries its post's page and pictures."""
    import io
    import zipfile

    from wildtrace.evidence import Evidence
    from wildtrace.model import Capture, Post
    from wildtrace.money import draft_sar
    from wildtrace.service import create_case, export_bundle
    from wildtrace.store import open_store

    with open_store(str(db)) as st:
        subjects = [r["subject"] for r in st.query("SELECT DISTINCT subject FROM alerts ORDER BY subject")]
        cited = [p for subject in subjects for p in draft_sar(st, subject).posts]
        assert cited and all(p["capture_sha256"] for p in cited)
        post = st.find(Post, "len(media) > 0", order_by="id", limit=1)[0]
        page = st.find(Capture, "post_id = ? AND kind = 'response'", (post.id,))[0]
        pictures = [c for sha in post.media for c in st.find(Capture, "payload_sha256 = ?", (sha,))]
        assert pictures
        case = create_case(st, "custody", "tester", [f"post:{post.id}"])
        bundle = export_bundle(st, case.id, "tester", Evidence(st, data_dir))
    with zipfile.ZipFile(io.BytesIO(bundle)) as zf:
        names = set(zf.namelist())
    assert {f"warc/{c.sha256}.warc.gz" for c in [page, *pictures]} <= names


def test_the_report_period_is_in_the_reports_zone_not_utc(tmp_path: Path) -> None:
    """A post at 17:00 UTC on 1 March is on 2 March in +08:00: the period starts there, not a day early."""
    from datetime import UTC, date, datetime, timedelta, timezone

    from wildtrace.model import Post
    from wildtrace.pipeline import _period
    from wildtrace.store import open_store

    with open_store(str(tmp_path / "w.duckdb")) as store:
        store.add([Post(id="a", platform="forum", text="x", posted_at=datetime(2026, 3, 1, 17, tzinfo=UTC)),
                   Post(id="b", platform="forum", text="y", posted_at=datetime(2026, 3, 8, 15, tzinfo=UTC))])
        assert _period(store, timezone(timedelta(hours=8))) == (date(2026, 3, 2), date(2026, 3, 8))
        assert _period(store, UTC) == (date(2026, 3, 1), date(2026, 3, 8))
