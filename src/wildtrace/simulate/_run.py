"""``simulate(seed, scale, out)``: play out the trade week by week and write the world with its truth."""

from __future__ import annotations

import json
import random
import shutil
from datetime import datetime
from pathlib import Path

from wildtrace.simulate._clock import START, WEEKS
from wildtrace.simulate._money import Ledger
from wildtrace.simulate._output import Csv, Jsonl, Manifest, saved_page, sha256_files
from wildtrace.simulate._people import PLATFORMS, Population, build_population
from wildtrace.simulate._posts import LANG_TAGS, PostMaker, SimPost
from wildtrace.simulate._vocab import vocabulary

GENERATOR = "wildtrace-simulate/2"
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
LAYOUT = {
    "manifest.json": "seed, scale, counts and the SHA-256 of every other file",
    "platforms.jsonl": "Platform records",
    "accounts.jsonl": "Account records (bio may carry a messenger ID, phone or payment account)",
    "posts.jsonl": "Post records; media = picture paths relative to the world folder",
    "posts_export.csv": "the forum's posts in a foreign CSV layout",
    "posts_export.mapping.json": "the ingest column mapping for posts_export.csv",
    "html/": "the marketplace's posts as saved web pages",
    "media/": "pictures with the item, price and contact drawn inside",
    "transactions.csv": "payments: id,time,payer,payee,amount,currency,channel,memo",
    "shipments.jsonl": "courier waybills (false names, real phones, third-party pick-ups)",
    "seizures.jsonl": "seizures of trade parcels: date,place,agency,species,quantity_kg,waybill,phones,names",
    "payment_accounts.csv": "the KYC view: payment_account,holder_name,holder_phone,bank",
    "truth/posts.csv": "which posts are illegal trade, of what, how hidden",
    "truth/labels.csv": "post_id,text,label,species,product_type,account_id,person_id,images for wildtrace eval",
    "truth/accounts.csv": "person behind each account, category, role, backups, blocks, network",
    "truth/payment_accounts.csv": "person behind each payment account and whether it is illicit",
    "truth/transactions.csv": "which payments are trade and their typology",
    "truth/shipments.csv": "which parcels are trade and their pattern",
    "truth/network.csv": "network membership and chain roles",
    "truth/code_words.csv": "code words, their meaning and the week they appear",
    "truth/images.csv": "the text drawn in each picture",
    "truth/people.csv": "person_id,name,phone,wechat,wallet,bank: every person's contacts (what redaction must hide)",
}
"""Every file (or folder) a world holds, with what it is: for ``--describe`` and the docs."""


def html_budget(scale: float) -> int:
    """How many saved pages a world writes at most (one file each)."""
    return min(5000, max(50, round(1500 * scale)))


def _iso(t: datetime | None) -> str | None:
    return None if t is None else t.isoformat()


def simulate(seed: int, scale: float, out: Path) -> Manifest:
    """Write a seeded world of the online wildlife trade, with ground truth, to ``out``.

    The same seed and scale give byte-identical files; ``scale=1`` is about 60 traders, 3,000 posts
    and 30,000 transactions. Files this function writes are replaced; others in ``out`` are left alone.
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
    ledger = Ledger(random.Random(f"{seed}:money"), vocab, pop, scale, out)
    counts = _write_posts(out, PostMaker(random.Random(f"{seed}:posts"), scale, vocab, pop, out), ledger, scale)
    counts |= ledger.close()
    _write_platforms(out)
    _write_accounts(out, pop)
    _write_code_words(out)
    counts |= {"platforms": len(PLATFORMS), "accounts": len(pop.accounts), "people": len(pop.people),
               "traders": len(pop.traders), "backup_accounts": sum(a.is_backup for a in pop.accounts)}
    manifest = Manifest(seed=seed, scale=scale, generator=GENERATOR, start=START.isoformat(), weeks=WEEKS,
                        counts=dict(sorted(counts.items())), files=sha256_files(out, _written(out)))
    (out / "manifest.json").write_text(json.dumps(manifest.model_dump(), ensure_ascii=False, indent=2) + "\n",
                                       encoding="utf-8")
    return manifest


def _written(out: Path) -> list[Path]:
    files = [out / name for name in LAYOUT if "/" not in name and name != "manifest.json"]
    for sub in ("media", "html", "truth"):
        files += (out / sub).iterdir()
    return files


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
    for a in pop.accounts:
        p = a.person
        f.write({"id": a.id, "platform": a.platform, "handle": a.handle, "display_name": a.display_name,
                 "bio": a.bio or None, "location": p.city, "status": "blocked" if a.blocked_at else "active",
                 "status_changed_at": _iso(a.blocked_at), "first_seen": _iso(a.first_seen)})
        t.row([a.id, p.id, int(p.kind == "trader"), p.category, p.role, int(a.is_backup),
               a.backup_of.id if a.backup_of else "", _iso(a.blocked_at), p.network_id])
    net = Csv(out / "truth" / "network.csv", ["network_id", "person_id", "role"])
    for p in pop.traders:
        net.row([p.network_id, p.id, p.role])
    pay = Csv(out / "payment_accounts.csv", ["payment_account", "holder_name", "holder_phone", "bank"])
    tpay = Csv(out / "truth" / "payment_accounts.csv", ["payment_account", "person_id", "is_illicit", "role"])
    people = Csv(out / "truth" / "people.csv", ["person_id", "name", "phone", "wechat", "wallet", "bank"])
    for p in pop.people:
        people.row([p.id, p.name, p.phone, p.wechat, p.wallet, p.bank])
        for acct in (p.wallet, p.bank):
            pay.row([acct, p.name, p.phone, p.bank_name if acct.startswith("bank:") else ""])
            tpay.row([acct, p.id, int(p.kind == "trader"), p.role or p.kind])
    for c in (f, t, net, pay, tpay, people):
        c.close()


def _write_posts(out: Path, maker: PostMaker, ledger: Ledger, scale: float) -> dict[str, int]:
    posts = Jsonl(out / "posts.jsonl")
    truth = Csv(out / "truth" / "posts.csv",
                ["post_id", "account_id", "person_id", "is_illegal", "species", "product_type", "code_words",
                 "price_cny", "weight_g", "price_per_gram", "obfuscation", "image_only", "language"])
    labels = Csv(out / "truth" / "labels.csv",
                 ["post_id", "text", "label", "species", "product_type", "account_id", "person_id", "images"])
    fields: dict[str, str] = EXPORT_MAPPING["fields"]  # type: ignore[assignment]
    export = Csv(out / "posts_export.csv", list(fields.values()))
    (out / "posts_export.mapping.json").write_text(json.dumps(EXPORT_MAPPING, ensure_ascii=False, indent=2) + "\n",
                                                   encoding="utf-8")
    (out / "html").mkdir(exist_ok=True)
    n_html, illegal, pages = 0, 0, html_budget(scale)
    urls = {pid: url for pid, _, _, url in PLATFORMS}
    site = {pid: name for pid, name, _, _ in PLATFORMS}[HTML_PLATFORM]
    for week, week_posts in enumerate(maker.weeks(), 1):
        for sp in week_posts:
            record = _post_record(sp, f"post-{posts.rows + 1:08d}", urls[sp.account.platform])
            posts.write(record)
            _truth_rows(sp, record, truth, labels)
            illegal += sp.illegal
            if sp.account.platform == EXPORT_PLATFORM:
                export.row([record["id"], record["account_id"], record["text"],
                            sp.time.strftime("%Y/%m/%d %H:%M:%S"), "|".join(sp.media), record["url"]])
            if sp.account.platform == HTML_PLATFORM and n_html < pages:
                n_html += 1
                (out / "html" / f"{record['id']}.html").write_text(
                    saved_page(record, site, sp.account.display_name), encoding="utf-8")
            if sp.illegal and sp.item is not None:
                ledger.maybe_sale(sp.item, sp.time)
        ledger.close_week(week - 1, WEEKS)
    ledger.close_week(WEEKS, WEEKS)
    for c in (posts, truth, labels, export):
        c.close()
    return {"posts": posts.rows, "illegal_posts": illegal, "images": maker.n_images, "html_pages": n_html,
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
               f"{item.price:.10g}" if item else "", f"{item.grams:.10g}" if item else "",
               round(item.price / item.grams, 3) if item else "", sp.obfuscation if sp.illegal else "none",
               int(sp.image_only), LANG_TAGS[sp.language]])
    labels.row([record["id"], sp.text, int(sp.illegal), species, ptype, sp.account.id, person, ";".join(sp.media)])


def _write_code_words(out: Path) -> None:
    f = Csv(out / "truth" / "code_words.csv", ["code_word", "meaning", "introduced_week"])
    for sp in vocabulary().species.values():
        for c in sp.code_words:
            f.row([c.word, c.meaning, c.week])
    f.close()
