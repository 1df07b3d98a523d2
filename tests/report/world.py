"""A small labelled world written straight into a store, for report and share tests.

Weekly volume of flagged ads drops by ``drop`` from ``drop_week`` and comes back from ``rebound_week``;
a known share of ads is posted at night (local time); prices per gram follow the published means.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone

import numpy as np

from wildtrace.model import (
    Account,
    AccountIdentifier,
    MediaItem,
    PaymentAccount,
    Platform,
    Post,
    Seizure,
    Shipment,
    Transaction,
    Verdict,
    content_hash,
)
from wildtrace.store import Store

PRICES = {"raw": (9.1, 2.2), "semi_worked": (7.4, 3.4), "worked_uncarved": (32.2, 10.0), "worked_carved": (29.1, 7.9)}
NIGHT = [21, 22, 23, 0, 1, 2, 3, 4, 5]
DAY = [h for h in range(24) if h not in NIGHT]
VARIANTS = ("XY", "XY", "xy", "X.Y", "X Y")  # one code word as sellers write it


@dataclass
class World:
    start: date
    weeks: int
    drop_week: int
    rebound_week: int
    night_share: float
    items: int
    flagged: int
    prices: dict[str, list[float]] = field(default_factory=dict)
    sensitive: list[str] = field(default_factory=list)
    accounts: list[str] = field(default_factory=list)
    new_word: str = "牙白"
    new_word_week: int = 10
    seized_trader: str = "T00"  # a seizure's parcel was sent from this trader's phone; another seizure leads nowhere

    @property
    def end(self) -> date:
        return self.start + timedelta(days=7 * self.weeks - 1)


def make_world(store: Store, seed: int = 0, weeks: int = 20, base: int = 60, drop: float = 0.45,
               drop_week: int = 5, rebound_week: int = 13, night: float = 0.6, hostile: str = "") -> World:
    rng = np.random.default_rng(seed)
    start = date(2026, 3, 2)
    world = World(start, weeks, drop_week, rebound_week, 0.0, 0, 0)
    store.put([Platform(id="wechat", name="WeChat", kind="messenger"), Platform(id="xianyu", name="Xianyu",
                                                                                kind="marketplace")])
    accounts, identifiers = [], []
    traders = []
    for t in range(12):
        handles = [f"ivory_king{t:02d}{k}" for k in range(1 + t % 3)]
        phone = f"1381234{t:04d}"
        ids = []
        for k, h in enumerate(handles):
            platform = "wechat" if k % 2 == 0 else "xianyu"
            a = Account(id=Account.make_id(platform, h), platform=platform, handle=h, display_name=f"王{t}号 Wang{t}",
                        bio=f"微信: {h} 电话 {phone}",
                        first_seen=datetime.combine(start, datetime.min.time(), UTC) + timedelta(days=14 * k))
            accounts.append(a)
            ids.append(a.id)
            identifiers += [AccountIdentifier(account_id=a.id, kind="phone", value="+86" + phone, raw=phone,
                                              seen_in="profile"),
                            AccountIdentifier(account_id=a.id, kind="messenger_id", value=h, raw=h, seen_in="profile")]
            world.sensitive += [phone, h, f"王{t}号"]
        traders.append({"trader_id": f"T{t:02d}", "accounts": ids, "category": "ABCD"[t % 4]})
    store.put(accounts)
    store.put(identifiers)
    world.accounts = [a.id for a in accounts]
    posts, verdicts, media = [], [], []
    night_count = n_flagged = 0
    item_pool: list[tuple[str, int]] = []
    for w in range(weeks):
        level = 1.0 if w + 1 < drop_week or w + 1 >= rebound_week else 1 - drop
        for i in range(rng.poisson(base * level)):
            trader = traders[int(rng.integers(len(traders)))]
            account = trader["accounts"][int(rng.integers(len(trader["accounts"])))]
            is_night = rng.random() < night
            hour = int(rng.choice(NIGHT if is_night else DAY))
            tz = timezone(timedelta(hours=7 if i % 5 == 0 else 8))
            day = start + timedelta(days=7 * w + int(rng.integers(7)))
            posted = datetime(day.year, day.month, day.day, hour, int(rng.integers(60)), tzinfo=tz)
            if hour < 6:
                posted += timedelta(days=1) if posted.date() < start + timedelta(days=7 * w + 6) else timedelta()
            ptype = str(rng.choice(list(PRICES), p=[0.06, 0.04, 0.5, 0.4]))
            price = max(0.5, float(rng.normal(*PRICES[ptype])))
            world.prices.setdefault(ptype, []).append(price)
            if item_pool and rng.random() < 0.5:
                item = item_pool[int(rng.integers(len(item_pool)))]
            else:
                item = (f"{int(rng.integers(1 << 62)):016x}", len(item_pool))
                item_pool.append(item)
            pid = f"p{w:02d}{i:04d}"
            sha = content_hash(pid, "img")
            media.append(MediaItem(sha256=sha, phash=item[0], dhash=item[0], whash=item[0], size=1000))
            words = [VARIANTS[i % len(VARIANTS)], "象牙"] + (
                [world.new_word] if w + 1 >= world.new_word_week else []) + ([hostile] if hostile and i == 0 else [])
            text = f"{words[0]} 手镯 {price:.1f}元/克 加微信 {account.split(':')[1]}"
            deleted = posted + timedelta(hours=float(rng.exponential(6))) if rng.random() < 0.3 else None
            posts.append(Post(id=pid, platform=account.split(":")[0], account_id=account, text=text, media=[sha],
                              posted_at=posted, deleted_at=deleted, content_hash=content_hash(text)))
            verdicts.append(Verdict(post_id=pid, score=0.9, tier="high" if i % 3 else "medium",
                                    species=["elephant"] + (["pangolin"] if i % 7 == 0 else []),
                                    products=[ptype], code_words=words,
                                    extracted={"product_type": ptype, "price_per_gram_cny": round(price, 2)}))
            night_count += is_night
            n_flagged += 1
        for i in range(rng.poisson(base * 0.5)):
            day = start + timedelta(days=7 * w + int(rng.integers(7)))
            pid = f"n{w:02d}{i:04d}"
            posts.append(Post(id=pid, platform="xianyu", account_id=None, text="二手手机 便宜出",
                              posted_at=datetime(day.year, day.month, day.day, 12, tzinfo=timezone(timedelta(hours=8))),
                              content_hash=pid))
            verdicts.append(Verdict(post_id=pid, score=0.05, tier="none" if i % 2 else "low"))
    store.put(posts)
    store.put(verdicts)
    store.put(media)
    store.put([AccountIdentifier(account_id=accounts[i].id, kind=kind, value=prefix + f"62220212345678{i:02d}",
                                 raw=f"6222 0212 3456 78{i:02d}", seen_in="post")
               for i in range(5) for kind, prefix in (("payment_account", "bank:"), ("bank_card", ""))])
    store.put([Transaction(id=f"tx{i}", payer=f"wallet:buyer{i}", payee=f"bank:62220212345678{i:02d}", amount=3000.0,
                           time=datetime.combine(start, datetime.min.time(), UTC) + timedelta(days=i), memo="手镯")
               for i in range(5)])
    store.put([PaymentAccount(payment_account=f"bank:62220212345678{i:02d}", holder_name=f"李四{i} Li Si{i}",
                              holder_phone=f"1399876000{i}", bank="ICBC") for i in range(5)])
    world.sensitive += [f"62220212345678{i:02d}" for i in range(5)] + [f"buyer{i}" for i in range(5)]
    world.sensitive += [f"李四{i}" for i in range(5)] + [f"1399876000{i}" for i in range(5)]
    seized_on = start + timedelta(days=40)
    store.put([Shipment(waybill="SF1000200030", time=datetime.combine(seized_on, datetime.min.time(), UTC),
                        sender_name="张三", sender_phone="138 1234 0000", receiver_name="赵六",
                        receiver_phone="13900001111", address="广州市天河区", weight_g=350.0)])
    store.put([Seizure(id="sz1", date=seized_on, place="广州白云机场", agency="海关缉私局", species=["ivory"],
                       quantity_kg=0.35, waybill="SF1000200030", phones=["13900001111"], names=["赵六"]),
               Seizure(id="sz2", date=seized_on + timedelta(days=7), place="昆明", agency="森林公安",
                       species=["pangolin"], quantity_kg=2.0, phones=["13700002222"], names=["钱七"])])
    world.sensitive += ["张三", "赵六", "钱七", "广州", "昆明", "13900001111", "13700002222"]
    _link_tables(store, traders, accounts)
    world.night_share = night_count / n_flagged
    world.items = len(item_pool)
    world.flagged = n_flagged
    return world


def _link_tables(store: Store, traders: list[dict], accounts: list[Account]) -> None:
    """The linking stage's output for the world's traders (the last account of a 3-account trader is a backup)."""
    by_id = {a.id: a for a in accounts}
    members, rows, edges = [], [], []
    for t in traders:
        edges += [{"account_l": a, "account_r": b, "source": "identifier", "match_weight": None,
                   "match_probability": None, "reasons": json.dumps([f"shared photo of {t['trader_id']}"]),
                   "accepted": True} for a, b in zip(t["accounts"], t["accounts"][1:], strict=False)]
        for k, a in enumerate(t["accounts"]):
            members.append({"account_id": a, "trader_id": t["trader_id"], "is_backup": k == 2,
                            "appeared_at": by_id[a].first_seen, "after_block_of": t["accounts"][0] if k == 2 else None})
        rows.append({"trader_id": t["trader_id"], "n_accounts": len(t["accounts"]),
                     "platforms": json.dumps(sorted({by_id[a].platform for a in t["accounts"]})),
                     "category": t["category"], "status": "active", "n_posts": 0, "n_flagged": 0, "night_share": None,
                     "profile": "{}"})
    store.insert_rows("link_members", members, list(members[0]), ["account_id"])
    store.insert_rows("link_traders", rows, list(rows[0]), ["trader_id"])
    store.insert_rows("link_edges", edges, list(edges[0]), ["account_l", "account_r", "source"])
