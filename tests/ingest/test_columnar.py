"""The columnar path stores what the per-record path stores, row for row, and quarantines the same records
with the same reasons; and it does take the plain records itself."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.ingest.conftest import post
from tests.ingest.test_hostile import CASES, TX_HEADER, _row
from wildtrace.ingest import Mapping, ingest_records, post_hash, read_quarantine
from wildtrace.ingest._columnar import Columnar
from wildtrace.ingest._lines import Lines, scan_lines
from wildtrace.ingest._readers import RawRecord, read_jsonl
from wildtrace.model import Account, Entity, Post, Transaction
from wildtrace.store import Store, open_store, to_row

POSTS: list[Any] = [
    post(1), post(2, posted_at="2026-03-14T23:30:00Z"), post(3, posted_at="2026-03-14 23:30:00-05:00"),
    post(4, posted_at="2026-03-14T23:30:00.5+05:45"), post(5, posted_at="2026-03-14T23:30:00.000+08:00"),
    post(6, posted_at="2026-03-14T23:30:00.123456+08:00"), post(7, text='quote " back \\ slash / 🐘 \u2028'),
    post(8, text="tab\tnew\nline\r\x08\x0c"), post(9, text="ctrl \x01 \x1f \x7f"), post(10, url="https://x.org/10"),
    {k: v for k, v in post(11).items() if k != "id"}, {k: v for k, v in post(12).items() if k != "posted_at"},
    post(13, media=[]), post(14, language="zh", source="elsewhere.csv"), post(15, extra_column=1, other=[1, 2]),
    post(16, posted_at=1773500000), post(17, posted_at="1773500000"), post(18, account_id=None),
    post(19, text=""), {"id": "p20", "platform": "wechat"}, post(21, id=21), post(1), post(1, text="edited"),
    post(22, posted_at="2026-03-14T23:30+08:00"), post(23, captured_at="2026-03-15T01:00:00+08:00"),
    post(24, venue="象牙 收藏 🐘", forwarded_from="Ivory HK", reply_to="p1"), post(25, venue=12), post(26, venue=""),
    {k: v for k, v in post(11, venue="a group").items() if k != "id"},  # post 11 seen in a group: the same post
]
RAW_POSTS = ['{"id": "t1", "platform": "x", "text": "trailing", }', '{"id": "t2", "platform": "x", "n": nan}',
             '{"id": "d1", "platform": "x", "text": "a", "text": "b"}', '  ', '', '{"id": "u1", "platform": "x", '
             '"text": "\\u8c61\\u7259 \\ud83d\\udc18"}', '{"id": "s1", "platform": "x", "text": "a\\/b"}',
             '{"id": "n1", "platform": "x", "deep": ' + "[" * 950 + "]" * 950 + "}",
             # what the bulk reader cannot see for itself: a null or a key given twice, spacing, escapes
             '{"id": "b1", "platform": "x", "platform": null}', '{"id": "b2", "platform": null, "platform": "x"}',
             '{"id": "b3", "platform": "x", "extra" : 1}', '{"id": "b4", "platform": "x", "text": "a\\": 1}',
             '{"id": "b5", "platform": "x", "text": "say \\"hi\\": ok"}', '{"id": "b6", "plat\\u0066orm": "x"}',
             '{"id": "b7", "platform": "x", "u": -inf}', '{"id": "b8", "platform": "x", "u": {"v": NaN}}',
             '{"id": "b9", "platform": "x" }', '{"id": "b17", "platform": "x",}', '{"id": "b10", "platform": "x",\t}',
             '{"id": "b11", "platform": "x"}\r',
             '{"id": "b12", "platform": "x", "text": "a\\\\": 1}', '{"id": "b13", "platform":"x","url":null}',
             '{"id": "b14", "platform": "x"} {"id": "b15", "platform": "x"}', '{}', '{"id": "b16"}']
ACCOUNTS = [{"id": "wechat:a", "platform": "wechat", "handle": "a", "status": "blocked",
             "status_changed_at": "2026-01-01T00:00:00+08:00"}, {"platform": "wechat", "handle": "b", "bio": "卖"},
            {"platform": "weibo", "handle": "c", "status": "ACTIVE"}, {"id": "x:d", "platform": "x", "handle": "d",
                                                                       "first_seen": "2026-05-01T10:00:00-03:30"}]
TRANSACTIONS = [{"id": "t1", "payer": "a", "payee": "b", "amount": 12}, {"id": "t2", "payer": "a", "payee": "b",
                                                                        "amount": "12.50", "step": 7},
                {"id": "t3", "payer": "a", "payee": "b", "amount": 1e5, "step": "8", "currency": "USD"},
                {"id": "t4", "payer": "a", "payee": "b", "amount": 0.1, "step": 12.0},
                {"id": "t5", "payer": "a", "payee": "b", "amount": -0.0}, {"id": "t6", "payer": "a", "payee": "b",
                                                                          "amount": True}]


def _lines(records: list[Any]) -> bytes:
    return b"".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)).encode() + b"\n"
                    for r in records)


def _both(tmp_path: Path, name: str, data: bytes, model: str, **options: Any) -> tuple[Any, Any]:
    """Ingest the same file on both paths, each into its own store; return (columnar, per-record)."""
    out = []
    for columnar in (True, False):
        folder = tmp_path / ("columnar" if columnar else "per-record")
        folder.mkdir()
        (folder / name).write_bytes(data)
        with open_store(str(folder / "db.duckdb")) as store:
            result = ingest_records(store, folder / name, model, data_dir=folder / "d", columnar=columnar,
                                    **options)
            rows = {e.key(): _comparable(e) for m in (Post, Account, Transaction) for e in store.find(m)}
            quarantined = [(e["line"], e["reason"].split(":", 2)[-1].replace(str(folder), "<folder>")) for e in
                           read_quarantine(result.quarantine_path)] if result.quarantine_path else []
            out.append((rows, quarantined, (result.read, result.added, result.duplicates, result.versions,
                                            result.quarantined), result.ignored_columns))
    return out[0], out[1]


def _comparable(entity: Entity) -> dict[str, Any]:
    row = to_row(entity)
    if row.get("source"):
        row["source"] = Path(row["source"]).name
    return row


@pytest.mark.parametrize(("name", "model", "records", "options"), [
    ("posts.jsonl", "post", POSTS + RAW_POSTS + [c.line.decode("utf-8", "replace") for c in CASES
                                                 if c.model == "post" and c.fmt == "jsonl"], {}),
    ("posts.jsonl", "post", POSTS, {"mapping": Mapping(fields={"account_id": "user.handle", "text": "body"},
                                                       defaults={"language": "zh", "platform": "weibo"})}),
    ("accounts.jsonl", "account", ACCOUNTS + [c.line.decode() for c in CASES if c.model == "account"], {}),
    ("tx.jsonl", "transaction", TRANSACTIONS + [c.line.decode() for c in CASES
                                                if c.model == "transaction" and c.fmt == "jsonl"], {}),
])
def test_jsonl_paths_agree(tmp_path: Path, name: str, model: str, records: list[Any], options: Any) -> None:
    if "mapping" in options:
        records = [{**{k: v for k, v in r.items() if k not in ("account_id", "text", "platform")},
                    "user": {"handle": r.get("account_id")}, "body": r.get("text")} for r in records]
    columnar, per_record = _both(tmp_path, name, _lines(records), model, chunk_size=7, **options)
    assert columnar == per_record


def test_csv_paths_agree(tmp_path: Path) -> None:
    rows = [TX_HEADER.encode(), _row(id="c1"), _row(id="c2", amount="0.25", step="3"), _row(id="c3", step="x"),
            _row(id="c4", time="2026-03-14T10:00:00Z", currency=""), _row(id="c5", memo='"multi\nline, cell"'),
            *[c.line for c in CASES if c.fmt == "csv"]]
    columnar, per_record = _both(tmp_path, "tx.csv", b"\n".join(rows) + b"\n", "transaction", chunk_size=5)
    assert columnar == per_record


def test_each_tier_takes_its_lines(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Plain lines are read by DuckDB's bulk reader; a line with a null or another key by the line-by-line
    SQL; a broken line (the bulk reader read no key of it) per record."""
    source = tmp_path / "p.jsonl"
    source.write_bytes(_lines([post(i) for i in range(300)] + [post(300, url=None), post(301, extra_column=1),
                                                                "{broken"]))
    line_by_line: list[list[int]] = []
    per_record: list[list[int]] = []
    stage, records = Columnar._stage_line_by_line, Lines.records

    def spy_stage(self: Columnar, con: Any, lines: Lines, numbers: Any, *args: Any) -> Any:
        line_by_line.append(numbers.tolist())
        return stage(self, con, lines, numbers, *args)

    def spy_records(self: Lines, numbers: list[int]) -> list[RawRecord]:
        per_record.append(numbers)
        return records(self, numbers)

    monkeypatch.setattr(Columnar, "_stage_line_by_line", spy_stage)
    monkeypatch.setattr(Lines, "records", spy_records)
    result = ingest_records(store, source, data_dir=tmp_path / "d", chunk_size=100)
    assert line_by_line == [[301, 302]]
    assert [n for numbers in per_record for n in numbers] == [303]
    assert (result.added, result.quarantined, result.ignored_columns) == (302, 1, {"extra_column": 1})
    stored = store.get(Post, "p7")
    assert stored is not None and stored.content_hash == post_hash(stored) and stored.source == str(source)


def test_csv_headers_are_data_not_sql(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Header names that look like the columnar path's own columns, quote or differ only by case."""
    header = 'id,platform,text,Text,lineno,ok,"a""b","x""); DROP TABLE posts; --",line_ok'
    rows = [header, 'h1,forum,lower,UPPER,7,no,q,z,1', 'h2,forum,,only upper,8,,,,', 'h3,forum,plain,,,,,,']
    with caplog.at_level("WARNING", logger="wildtrace"):
        columnar, per_record = _both(tmp_path, "posts.csv", "\n".join(rows).encode() + b"\n", "post")
    assert "could not stage" not in caplog.text  # DuckDB took the chunk itself
    assert columnar == per_record
    rows_stored = columnar[0]
    assert rows_stored[("h1",)]["text"] == "lower" and rows_stored[("h2",)]["text"] == ""
    assert columnar[2][:2] == (3, 3) and set(columnar[3]) == {"Text", "lineno", "ok", 'a"b',
                                                              'x"); DROP TABLE posts; --', "line_ok"}


@pytest.mark.parametrize("block", [16, 1 << 25])
def test_the_scan_finds_the_records_the_per_record_reader_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 block: int) -> None:
    """Line numbers, blank lines, CRLF, a line longer than the scan's buffer, no newline at the end."""
    monkeypatch.setattr("wildtrace.ingest._lines._BLOCK", block)
    source = tmp_path / "p.jsonl"
    source.write_bytes(b'{"a": 1}\r\n\n  \t\n\x0b\n{"b": "' + b"x" * 100 + b'"}\n{broken\n\n[1]\r\n{"c": 3}')
    lines = scan_lines(source)
    assert lines.records(lines.numbers.tolist()) == list(read_jsonl(source))
    assert lines.numbers.tolist() == [1, 5, 6, 8, 9] and lines.keys.tolist() == [1, 1, 0, 0, 1]


def test_a_bulk_reader_that_sees_other_rows_than_the_scan_is_not_trusted(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """Should read_json ever yield other rows than the file has record lines, the file goes line by line."""
    bulk = Columnar._bulk_sql

    def twice(self: Columnar, path: Path, source: str) -> str | None:
        sql = bulk(self, path, source)
        assert sql is not None
        start = sql.index("read_json(")
        call = sql[start:sql.index(") AS t(") + 1]
        return sql.replace(call, f"(SELECT * FROM {call} UNION ALL SELECT * FROM {call})", 1)

    monkeypatch.setattr(Columnar, "_bulk_sql", twice)
    with caplog.at_level("WARNING", logger="wildtrace"):
        columnar, per_record = _both(tmp_path, "posts.jsonl", _lines(POSTS + RAW_POSTS), "post", chunk_size=7)
    assert "reading it line by line" in caplog.text
    assert columnar == per_record


def test_the_columnar_path_does_not_import_pandas(tmp_path: Path) -> None:
    """pyarrow imports pandas (seconds of start-up) when handed a Python list; the columnar path builds its
    Arrow arrays from buffers instead."""
    (tmp_path / "p.jsonl").write_bytes(_lines([post(1), post(2, url=None), "{broken"]))
    (tmp_path / "t.csv").write_text(TX_HEADER + "\n" + _row(id="c1").decode() + "\n", encoding="utf-8")
    script = ("import sys\nfrom wildtrace.ingest import ingest_records\nfrom wildtrace.store import open_store\n"
              f"with open_store({str(tmp_path / 'db.duckdb')!r}) as store:\n"
              f"    ingest_records(store, {str(tmp_path / 'p.jsonl')!r}, 'post', data_dir={str(tmp_path)!r})\n"
              f"    ingest_records(store, {str(tmp_path / 't.csv')!r}, 'transaction', data_dir={str(tmp_path)!r})\n"
              "print('pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_venue_is_stored_on_both_paths_and_leaves_the_id_and_hash_alone(tmp_path: Path) -> None:
    """JSON Lines and CSV with a ``venue`` key: stored on either path; the post's id (its content hash) is the
    one it has without venue, forwarding or reply."""
    plain = {"platform": "telegram", "text": "象牙手镯", "posted_at": "2026-03-14T23:30:00+08:00"}
    seen = {**plain, "venue": "象牙 收藏 🐘", "forwarded_from": "Ivory HK", "reply_to": "telegram:1:2"}
    csv = ("platform,text,posted_at,venue,forwarded_from,reply_to\n" + ",".join(seen.values()) + "\n").encode()
    for name, data in (("posts.jsonl", _lines([seen])), ("posts.csv", csv)):
        (tmp_path / name).mkdir()
        columnar, per_record = _both(tmp_path / name, name, data, "post")
        assert columnar == per_record
        (row,) = columnar[0].values()
        assert (row["venue"], row["forwarded_from"], row["reply_to"]) == ("象牙 收藏 🐘", "Ivory HK", "telegram:1:2")
        assert row["content_hash"] == post_hash(plain) and row["id"] == post_hash(plain)[:32]
