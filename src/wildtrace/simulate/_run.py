"""``simulate(seed, scale, out)``: play out the trade week by week and write the world with its truth."""

from __future__ import annotations

import json
import random
import shutil
from datetime import timedelta
from pathlib import Path

from wildtrace.simulate._clock import START, WEEKS
from wildtrace.simulate._money import Ledger
from wildtrace.simulate._output import Csv, Jsonl, Manifest, saved_page, sha256_files
from wildtrace.simulate._people import PLATFORMS, Population, build_population
from wildtrace.simulate._posts import LANG_TAGS, PostMaker, SimPost
from wildtrace.simulate._vocab import vocabulary

GENERATOR = "wildtrace-simulate/1"
AGENCIES = ("海关缉私局", "森林公安", "市公安局", "市场监管局")
EXPORT_PLATFORM = "antiqueforum"
HTML_PLATFORM = "bazaar"
EXPORT_MAPPING = {
    "fields": {"id": "帖子编号", "account_id": "发帖人", "text": "正文", "posted_at": "发布时间", "media": "图片",
               "url": "链接"},
    "defaults": {"platform": EXPORT_PLATFORM, "source": "posts_export.csv"},
    "formats": {"posted_at": "%Y/%m/%d %H:%M:%S"},
    "timezone": "+08:00",
    "list_separator": "|",
}


def _iso(t: object) -> str | None:
    return None if t is None else t.isoformat()  # type: ignore[attr-defined]


def simulate(seed: int, scale: float, out: Path) -> Manifest:
    """Write a seeded world of the online wildlife trade, with ground truth, to ``out``.

    The same seed and scale give byte-identical files; ``scale=1`` is about 60 traders, 3,000 posts
    and 30,000 transactions.
    """
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    out = Path(out)
    for sub in ("media", "html", "truth"):
        if (out / sub).exists():
            shutil.rmtree(out / sub)
    out.mkdir(parents=True, exist_ok=True)
    vocab = vocabulary()
    pop = build_population(random.Random(f"{seed}:people"), scale, vocab)
    _write_platforms(out)
    _write_accounts(out, pop)
    ledger = Ledger(random.Random(f"{seed}:money"), vocab, pop)
    counts = _write_posts(out, PostMaker(random.Random(f"{seed}:posts"), scale, vocab, pop, out), ledger,
                          random.Random(f"{seed}:sales"))
    ledger.layering()
    ledger.benign(scale)
    counts |= _write_money(out, ledger, pop, random.Random(f"{seed}:seizures"))
    _write_code_words(out)
    counts |= {"platforms": len(PLATFORMS), "accounts": len(pop.accounts), "people": len(pop.people),
               "traders": len(pop.traders)}
    manifest = Manifest(seed=seed, scale=scale, generator=GENERATOR, start=START.isoformat(), weeks=WEEKS,
                        counts=dict(sorted(counts.items())), files=sha256_files(out))
    (out / "manifest.json").write_text(json.dumps(manifest.model_dump(), ensure_ascii=False, indent=2) + "\n",
                                       encoding="utf-8")
    return manifest


def _write_platforms(out: Path) -> None:
    f = Jsonl(out / "platforms.jsonl")
    for pid, name, kind, url in PLATFORMS:
        f.write({"id": pid, "name": name, "kind": kind, "url": url})
    f.close()


def _write_accounts(out: Path, pop: Population) -> None:
    f = Jsonl(out / "accounts.jsonl")
    t = Csv(out / "truth" / "accounts.csv",
            ["account_id", "person_id", "is_trader", "category", "role", "is_backup", "backup_of", "blocked_at",
             "network_id"])
    net = Csv(out / "truth" / "network.csv", ["network_id", "person_id", "role"])
    for a in pop.accounts:
        p = a.person
        f.write({"id": a.id, "platform": a.platform, "handle": a.handle, "display_name": a.display_name,
                 "bio": a.bio or None, "location": p.city, "status": "blocked" if a.blocked_at else "active",
                 "status_changed_at": _iso(a.blocked_at), "first_seen": _iso(a.first_seen)})
        t.row([a.id, p.id, int(p.kind == "trader"), p.category, p.role, int(a.is_backup), a.backup_of,
               _iso(a.blocked_at), p.network_id])
    for p in pop.traders:
        net.row([p.network_id, p.id, p.role])
    pay = Csv(out / "payment_accounts.csv", ["payment_account", "holder_name", "holder_phone", "bank"])
    tpay = Csv(out / "truth" / "payment_accounts.csv", ["payment_account", "person_id", "is_illicit", "role"])
    banks = ("ICBC", "CCB", "ABC", "BOC", "CMB", "PSBC")
    for i, p in enumerate(pop.people):
        for acct in (p.wallet, p.bank):
            pay.row([acct, p.name, p.phone, "" if acct.startswith("wallet:") else banks[i % len(banks)]])
            tpay.row([acct, p.id, int(p.kind == "trader"), p.role or p.kind])
    for c in (f, t, net, pay, tpay):
        c.close()


def _write_posts(out: Path, maker: PostMaker, ledger: Ledger, rng: random.Random) -> dict[str, int]:
    posts = Jsonl(out / "posts.jsonl")
    truth = Csv(out / "truth" / "posts.csv",
                ["post_id", "account_id", "person_id", "is_illegal", "species", "product_type", "code_words",
                 "price_cny", "weight_g", "price_per_gram", "obfuscation", "image_only", "language"])
    labels = Csv(out / "truth" / "labels.csv",
                 ["post_id", "text", "label", "species", "product_type", "account_id", "person_id", "images"])
    export = Csv(out / "posts_export.csv", list(EXPORT_MAPPING["fields"].values()))  # type: ignore[union-attr]
    (out / "posts_export.mapping.json").write_text(json.dumps(EXPORT_MAPPING, ensure_ascii=False, indent=2) + "\n",
                                                   encoding="utf-8")
    (out / "html").mkdir(exist_ok=True)
    n, n_html, illegal = 0, 0, 0
    urls = {pid: url for pid, _, _, url in PLATFORMS}
    names = {pid: name for pid, name, _, _ in PLATFORMS}
    for week_posts in maker.weeks():
        for sp in week_posts:
            n += 1
            record = _post_record(sp, f"post-{n:07d}", urls[sp.account.platform])
            posts.write(record)
            _truth_rows(sp, record, truth, labels)
            illegal += sp.illegal
            if sp.account.platform == EXPORT_PLATFORM:
                export.row([record["id"], record["account_id"], record["text"],
                            sp.time.strftime("%Y/%m/%d %H:%M:%S"), "|".join(record["media"]), record["url"]])
            if sp.account.platform == HTML_PLATFORM:
                n_html += 1
                (out / "html" / f"{record['id']}.html").write_text(
                    saved_page(record, names[HTML_PLATFORM], sp.account.display_name), encoding="utf-8")
            if sp.illegal and sp.item is not None and rng.random() < 0.55:
                ledger.sale(sp.item, sp.time)
    for c in (posts, truth, labels, export):
        c.close()
    return {"posts": n, "illegal_posts": illegal, "images": maker.n_images, "html_pages": n_html,
            "export_rows": export.rows}


def _post_record(sp: SimPost, post_id: str, base_url: str) -> dict[str, object]:
    return {"id": post_id, "platform": sp.account.platform, "account_id": sp.account.id, "text": sp.text,
            "media": sp.media, "posted_at": _iso(sp.time), "captured_at": _iso(sp.captured_at),
            "deleted_at": _iso(sp.deleted_at), "url": f"{base_url}/p/{post_id}", "source": "simulate",
            "language": LANG_TAGS[sp.language]}


def _truth_rows(sp: SimPost, record: dict[str, object], truth: Csv, labels: Csv) -> None:
    item = sp.item if sp.illegal else None
    species = item.species if item else ""
    ptype = item.product_type if item else "none"
    person = sp.account.person.id
    truth.row([record["id"], sp.account.id, person, int(sp.illegal), species, ptype, ";".join(sp.code_words),
               item.price if item else "", item.grams if item else "",
               round(item.price / item.grams, 3) if item else "", sp.obfuscation if sp.illegal else "none",
               int(sp.image_only), LANG_TAGS[sp.language]])
    labels.row([record["id"], sp.text, int(sp.illegal), species, ptype, sp.account.id, person, ";".join(sp.media)])


def _write_money(out: Path, ledger: Ledger, pop: Population, rng: random.Random) -> dict[str, int]:
    tx = Csv(out / "transactions.csv", ["id", "time", "payer", "payee", "amount", "currency", "channel", "memo"])
    ttx = Csv(out / "truth" / "transactions.csv", ["id", "is_trade", "typology"])
    for i, t in enumerate(sorted(ledger.txs, key=lambda t: (t.time, t.payer, t.payee, t.amount)), 1):
        tid = f"T{i:08d}"
        tx.row([tid, _iso(t.time), t.payer, t.payee, f"{t.amount:.2f}", "CNY", t.channel, t.memo])
        ttx.row([tid, int(t.is_trade), t.typology])
    ship = Jsonl(out / "shipments.jsonl")
    tship = Csv(out / "truth" / "shipments.csv", ["waybill", "is_trade", "pattern"])
    seize = Jsonl(out / "seizures.jsonl")
    for i, p in enumerate(sorted(ledger.parcels, key=lambda p: (p.time, p.sender_phone)), 1):
        wb = f"{p.courier[:2].upper()}{7_000_000_000 + i * 7919 % 1_000_000_000:010d}"
        ship.write({"waybill": wb, "time": _iso(p.time), "sender_name": p.sender_name, "sender_phone": p.sender_phone,
                    "receiver_name": p.receiver_name, "receiver_phone": p.receiver_phone, "address": p.address,
                    "declared_contents": p.declared_contents, "weight_g": p.weight_g, "courier": p.courier,
                    "picked_up_by": p.picked_up_by or None})
        tship.row([wb, int(p.is_trade), p.pattern])
        if p.is_trade and rng.random() < 0.06:
            seize.write({"date": (p.time.date() + timedelta(days=rng.randint(1, 3))).isoformat(),
                         "place": p.address[:2], "agency": rng.choice(AGENCIES), "species": p.species,
                         "quantity_kg": round(p.weight_g / 1000, 3), "waybill": wb,
                         "phones": [p.sender_phone, p.receiver_phone], "names": [p.sender_name, p.receiver_name]})
    for c in (tx, ttx, ship, tship, seize):
        c.close()
    return {"transactions": tx.rows, "trade_transactions": sum(t.is_trade for t in ledger.txs),
            "shipments": ship.rows, "seizures": seize.rows}


def _write_code_words(out: Path) -> None:
    f = Csv(out / "truth" / "code_words.csv", ["code_word", "meaning", "introduced_week"])
    for sp in vocabulary().species.values():
        for c in sp.code_words:
            f.row([c.word, c.meaning, c.week])
    f.close()

