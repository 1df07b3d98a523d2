"""The ``wildtrace extract`` and ``wildtrace eval extract`` commands."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from wildtrace.cli.main import app
from wildtrace.model import AccountIdentifier, Post
from wildtrace.store import open_store

runner = CliRunner()


def test_extract_one_text() -> None:
    result = runner.invoke(app, ["extract", "象牙手镯 重50克 5000元 vx: ivory_88", "--json"])
    assert result.exit_code == 0, result.output
    fields = json.loads(result.stdout)
    assert (fields["price"], fields["weight_g"], fields["price_per_gram_cny"]) == (5000, 50, 100)


def test_extract_over_the_store(tmp_path: Path) -> None:
    db = str(tmp_path / "w.duckdb")
    with open_store(db) as s:
        s.add([Post(id="p1", platform="x", account_id="x:a", text="电话 13812345678")])
    result = runner.invoke(app, ["extract", "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["new"] == 1
    with open_store(db) as s:
        assert [r.value for r in s.find(AccountIdentifier)] == ["+8613812345678"]


def test_eval_extract(tmp_path: Path) -> None:
    posts = tmp_path / "posts.jsonl"
    posts.write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in [
        {"id": "a", "text": "手镯 重50克 5000元"},
        {"id": "b", "text": "原牙 2斤 9000元"},
        {"id": "c", "text": "收藏 价格私聊"},
    ]), encoding="utf-8")
    truth = tmp_path / "posts.csv"
    rows = "post_id,price_cny,weight_g,price_per_gram\na,5000,50,100\nb,9000,900,10\nc,,,\n"
    truth.write_text(rows, encoding="utf-8")
    result = runner.invoke(app, ["eval", "extract", "--truth", str(truth), "--posts", str(posts), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["price"] == {"n": 2, "coverage": 1.0, "accuracy": 1.0, "precision": 1.0, "spurious": 0}
    assert report["weight"]["accuracy"] == 0.5 and report["price_per_gram"]["accuracy"] == 0.5
    assert report["misses"][0]["post_id"] == "b"
