"""Linkage of synthetic accounts: identifier graph + Splink (DuckDB) against the identifier pass alone.

Synthetic persons hold 1-3 accounts (a main account and backups with a marked handle), share a phone or
wallet between some of their accounts, post a few times at person-typical hours, and a few courier
numbers appear on many traders' accounts (hubs). ``WILDTRACE_BENCH_FULL=1`` adds the 1M-account size.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pandas as pd

from bench.harness import Benchmark
from wildtrace.link import LinkData, LinkOptions, link_accounts

SYLLABLES = ["long", "hu", "xiang", "ya", "jin", "yu", "bao", "zhu", "wang", "li", "ming", "hua", "tian", "shan",
             "fu", "gui", "an", "kang", "le", "xin", "cheng", "da", "hai", "yun", "feng", "lin", "zhen", "mei"]
CITIES = [f"city{i}" for i in range(300)]
COURIERS = ["95311", "95338", "95546", "95543"]


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(3))


def synthetic_accounts(n: int, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(accounts, posts, identifiers) for about ``n`` accounts, each account tagged with its person."""
    rng = random.Random(seed)
    accounts, posts, ids = [], [], []
    person = 0
    while len(accounts) < n:
        person += 1
        name, city, hours = _name(rng), rng.choice(CITIES), rng.sample(range(24), 2)
        phone = f"13{rng.randrange(10**9):09d}"
        wallet = f"wallet:w{person}"
        for k in range(rng.choice([1, 1, 1, 2, 2, 3])):
            aid = f"p{rng.choice(['wx', 'qq', 'wb'])}:{name}{rng.randrange(100)}{'bak' if k else ''}_{person}_{k}"
            accounts.append({"id": aid, "platform": aid.split(":")[0], "handle": f"{name}{'_bak' * k}",
                             "display_name": name if rng.random() < 0.8 else _name(rng), "bio": f"{city} {name}",
                             "location": city, "person": person})
            posts += [{"account_id": aid, "text": f"{name} 精品 !!", "local_hour": rng.choice(hours),
                       "price_per_gram": rng.gauss(30, 8)} for _ in range(3)]
            if rng.random() < 0.5:
                ids.append({"account_id": aid, "kind": "phone", "value": phone})
            if rng.random() < 0.3:
                ids.append({"account_id": aid, "kind": "payment_account", "value": wallet})
            if rng.random() < 0.05:
                ids.append({"account_id": aid, "kind": "phone", "value": rng.choice(COURIERS)})
    idf = pd.DataFrame(ids).assign(raw=lambda d: d["value"], seen_in="post", seen_id="")
    return pd.DataFrame(accounts[:n]), pd.DataFrame(posts), idf


def prepare(n: int, workdir: Path) -> dict:
    accounts, posts, ids = synthetic_accounts(n)
    keep = set(accounts["id"])
    paths = {}
    for name, frame in (("accounts", accounts), ("posts", posts[posts["account_id"].isin(keep)]),
                        ("identifiers", ids[ids["account_id"].isin(keep)])):
        paths[name] = str(workdir / f"{name}.parquet")
        frame.to_parquet(paths[name])
    return paths


def _data(ctx: dict) -> LinkData:
    return LinkData(accounts=pd.read_parquet(ctx["accounts"]), posts=pd.read_parquet(ctx["posts"]),
                    identifiers=pd.read_parquet(ctx["identifiers"]))


def run(ctx: dict) -> int:
    data = _data(ctx)
    link_accounts(data)
    return len(data.accounts)


def baseline(ctx: dict) -> int:
    data = _data(ctx)
    link_accounts(data, LinkOptions(probabilistic=False))
    return len(data.accounts)


SIZES = [25_000, 50_000, 100_000] + ([1_000_000] if os.environ.get("WILDTRACE_BENCH_FULL") else [])

BENCHMARKS = [
    Benchmark(
        name="link_accounts", unit="accounts", sizes=SIZES, quick_sizes=[5_000, 10_000, 20_000],
        prepare=prepare, run=run, baseline=baseline, baseline_name="identifier graph + connected components only",
        notes="identifier graph with hub protection + Splink 5 on DuckDB (u by random sampling, m from identifier "
              "links) + connected components",
    ),
]
