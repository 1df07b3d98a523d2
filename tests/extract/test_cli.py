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


def test_eval_extract_native_prices_and_sets(tmp_path: Path) -> None:
    """A truth CSV with a provenance comment, prices as written (price, currency), set columns, and the posts'
    text in the same file."""
    data = tmp_path / "posts.csv"
    data.write_text(
        "# provenance: written for this test\n"
        "post_id,text,price,currency,weight_g,price_per_gram,prices,contacts,payment,delivery\n"
        "a,手镯 重50克 5000元 微信 ivory_king88 顺丰,5000,CNY,50,100,5000 CNY,messenger_id wechat:ivory_king88,,"
        "sf_express\n"
        "b,bangle $100 paypal,100,USD,,,100 USD,,paypal,\n"
        "c,tusk 2kg,,,2000,,,,,\n", encoding="utf-8")
    result = runner.invoke(app, ["eval", "extract", "--truth", str(data), "--posts", str(data), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["posts"] == 3
    assert report["price"]["accuracy"] == 1.0 and report["currency"]["accuracy"] == 1.0
    assert report["prices"] == {"n": 2, "coverage": 1.0, "accuracy": 1.0, "precision": 1.0, "recall": 1.0,
                                "spurious": 0}
    assert report["contacts"]["n"] == 1 and report["contacts"]["accuracy"] == 1.0
    assert report["payment"]["accuracy"] == 1.0 and report["delivery"]["accuracy"] == 1.0


def test_eval_extract_names_the_bad_record(tmp_path: Path) -> None:
    data = tmp_path / "posts.csv"
    data.write_text("post_id,text,price,currency,weight_g,price_per_gram\nx1,5000 zorkmids,5000,ZMK,,\n",
                    encoding="utf-8")
    result = runner.invoke(app, ["eval", "extract", "--truth", str(data), "--posts", str(data)])
    assert result.exit_code != 0
    assert "truth x1: field 'currency'" in str(result.exception)
