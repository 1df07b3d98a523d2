"""The simulated world: every file of the layout, parseable into the model, deterministic per seed."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from PIL import Image

from wildtrace.model import Account, Platform, Post, Shipment, Transaction
from wildtrace.simulate import simulate

LAYOUT = {
    "manifest.json": None,
    "platforms.jsonl": None,
    "accounts.jsonl": None,
    "posts.jsonl": None,
    "posts_export.csv": None,
    "posts_export.mapping.json": None,
    "transactions.csv": ["id", "time", "payer", "payee", "amount", "currency", "channel", "memo"],
    "shipments.jsonl": None,
    "seizures.jsonl": None,
    "payment_accounts.csv": ["payment_account", "holder_name", "holder_phone", "bank"],
    "truth/posts.csv": ["post_id", "account_id", "person_id", "is_illegal", "species", "product_type", "code_words",
                        "price_cny", "weight_g", "price_per_gram", "obfuscation", "image_only", "language"],
    "truth/accounts.csv": ["account_id", "person_id", "is_trader", "category", "role", "is_backup", "backup_of",
                           "blocked_at", "network_id"],
    "truth/payment_accounts.csv": ["payment_account", "person_id", "is_illicit", "role"],
    "truth/transactions.csv": ["id", "is_trade", "typology"],
    "truth/shipments.csv": ["waybill", "is_trade", "pattern"],
    "truth/network.csv": ["network_id", "person_id", "role"],
    "truth/code_words.csv": ["code_word", "meaning", "introduced_week"],
    "truth/labels.csv": ["post_id", "text", "label", "species", "product_type", "account_id", "person_id", "images"],
    "truth/people.csv": ["person_id", "name", "phone", "wechat", "wallet", "bank"],
}


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_every_file_of_the_layout_is_written_with_its_columns(sim_world: Path) -> None:
    for name, columns in LAYOUT.items():
        path = sim_world / name
        assert path.is_file(), name
        if columns:
            with path.open(encoding="utf-8", newline="") as f:
                assert next(csv.reader(f)) == columns, name
    assert list((sim_world / "html").glob("*.html"))
    assert list((sim_world / "media").glob("*.png"))


def test_records_load_into_the_model(sim_world: Path) -> None:
    platforms = [Platform(**r) for r in _jsonl(sim_world / "platforms.jsonl")]
    accounts = [Account(**r) for r in _jsonl(sim_world / "accounts.jsonl")]
    posts = [Post(**r) for r in _jsonl(sim_world / "posts.jsonl")]
    assert {p.kind for p in platforms} >= {"messenger", "marketplace", "forum", "video"}
    account_ids = {a.id for a in accounts}
    assert all(p.account_id in account_ids for p in posts)
    assert all(p.posted_at is not None and p.posted_at.utcoffset() is not None for p in posts)
    for p in posts:
        for m in p.media:
            assert (sim_world / m).is_file()
    txs = [Transaction(**r) for r in _csv(sim_world / "transactions.csv")]
    assert all(t.payer.startswith(("wallet:", "bank:")) for t in txs)
    ships = [Shipment(**r) for r in _jsonl(sim_world / "shipments.jsonl")]
    assert ships


def test_manifest_hashes_every_file(sim_world: Path) -> None:
    manifest = json.loads((sim_world / "manifest.json").read_text())
    written = {p.relative_to(sim_world).as_posix() for p in sim_world.rglob("*") if p.is_file()}
    assert set(manifest["files"]) == written - {"manifest.json"}
    assert manifest["counts"]["posts"] == len(_jsonl(sim_world / "posts.jsonl"))


def test_same_seed_same_bytes_other_seed_other_world(tmp_path: Path) -> None:
    a = simulate(3, 0.05, tmp_path / "a")
    b = simulate(3, 0.05, tmp_path / "b")
    c = simulate(4, 0.05, tmp_path / "c")
    assert a.files == b.files
    assert a.files["posts.jsonl"] != c.files["posts.jsonl"]


def test_images_are_readable_pngs(sim_world: Path) -> None:
    for path in sorted((sim_world / "media").glob("*.png"))[:20]:
        with Image.open(path) as img:
            img.verify()


def test_described_layout_is_what_a_world_holds(sim_world: Path) -> None:
    from wildtrace.simulate import LAYOUT

    for name in LAYOUT:
        assert (sim_world / name.rstrip("/")).exists(), name
    top = {p.name + ("/" if p.is_dir() else "") for p in sim_world.iterdir()}
    truth = {f"truth/{p.name}" for p in (sim_world / "truth").iterdir()}
    assert (top - {"truth/"}) | truth == set(LAYOUT)
