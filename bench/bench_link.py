"""Linkage of synthetic accounts: identifier graph + Splink (DuckDB) against the identifier pass alone.

Synthetic persons hold 1-3 accounts (a main account and backups with a marked handle), share a phone or
wallet between some of their accounts, post a few times at person-typical hours, and a few courier
numbers appear on many traders' accounts (hubs). Names are drawn as a population's are (common surnames and
given names shared by many, most full names rare) and handles as people pick them (a name, initials or a word,
mostly with digits). ``WILDTRACE_BENCH_FULL=1`` adds the 1M-account size.

``python -m bench.bench_link 100000``: how many persons share a name or a handle in the workload, and how well
linking finds its persons (pairwise and B-cubed against the workload's own ``person`` column).
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

import pandas as pd

from bench.harness import Benchmark
from wildtrace.link import LinkData, LinkOptions, link_accounts, score_linkage

# Names as a Chinese population writes them in pinyin: 85% of persons take one of the commonest surnames in proportion
# to their approximate shares (the Ministry of Public Security's name reports: 王 7.1%, 李 7.0%, 张 6.8%...; pinyin
# merges 徐 and 许), 15% one of a tail spread evenly, then one or two given-name syllables drawn by how common they
# are (Zipf). Common full names (wangwei, zhangmin) are held by hundreds of persons at 1M, so the name blocks still
# overflow the cap; most full names are rare.
SURNAMES = {"wang": 7.1, "li": 7.0, "zhang": 6.8, "liu": 5.2, "chen": 4.5, "yang": 3.3, "huang": 2.4, "zhao": 2.0,
            "wu": 2.0, "zhou": 1.9, "xu": 2.3, "sun": 1.5, "ma": 1.3, "zhu": 1.3, "hu": 1.2, "guo": 1.2, "he": 1.1,
            "lin": 1.0, "gao": 1.0, "luo": 0.9, "zheng": 0.9, "liang": 0.8, "xie": 0.7, "song": 0.6, "tang": 0.6,
            "han": 0.6, "feng": 0.6, "deng": 0.6, "cao": 0.5, "peng": 0.5, "zeng": 0.5, "xiao": 0.5, "tian": 0.5,
            "dong": 0.5, "yuan": 0.5, "pan": 0.5, "yu": 0.9, "jiang": 0.8, "cai": 0.4, "du": 0.4, "ye": 0.4,
            "cheng": 0.4, "wei": 0.4, "su": 0.4, "lu": 0.8, "ding": 0.3, "ren": 0.3, "shen": 0.3, "yao": 0.3}
TAIL_SURNAMES = ("jin", "cui", "fan", "fang", "shi", "liao", "jia", "xia", "fu", "zou", "xiong", "meng", "qin", "bai",
                 "yan", "qiu", "hou", "kong", "tao", "mao", "hao", "gu", "gong", "shao", "wan", "qian", "yin", "long",
                 "duan", "lei", "yi", "chang", "qiao", "lai", "wen", "pang", "lan", "zhan", "guan", "mo", "ke",
                 "zhuang", "ni", "niu", "shang", "an", "qi", "geng", "hua", "tong")
GIVEN = ("wei", "min", "jing", "li", "qiang", "lei", "jun", "yang", "yong", "yan", "jie", "juan", "tao", "ming",
         "chao", "xiu", "xia", "ping", "gang", "hua", "hui", "ying", "bin", "hong", "yu", "lin", "fang", "na", "dan",
         "hao", "kai", "jian", "feng", "bo", "peng", "hai", "ning", "tian", "rui", "xuan", "zi", "han", "yi", "chen",
         "xi", "yue", "meng", "qian", "ting", "lu", "shu", "jia", "yun", "long", "fei", "cheng", "liang", "zhi", "guo",
         "qing", "wen", "dong", "bing", "kun", "song", "mei", "lan", "zhen", "zhong", "de", "xiang", "shan", "fu",
         "gui", "an", "kang", "le", "da", "zhu", "bao", "jin", "yao", "xue", "hang", "ze", "shuang", "rong", "ling",
         "cui", "jiao", "qin", "sheng", "quan", "zhe", "huan", "lian", "ran", "yuan", "xun", "miao")
GIVEN_WEIGHTS = [1 / (rank + 3) for rank in range(len(GIVEN))]
# Handles: a person's own choice, unique on its platform; mostly letters and digits (a name with a birth year or other
# digits, the name's initials, or a word), so strangers with the same name rarely share one.
WORDS = ("lotus", "jade", "amber", "pine", "star", "moon", "lucky", "golden", "dragon", "phoenix", "cloud", "river",
         "happy", "sunny", "panda", "rose", "lily", "angel", "king", "ocean", "crane", "tiger", "maple", "silver",
         "bamboo", "orchid", "pearl", "coral", "lantern", "spring", "autumn", "winter", "summer", "sky", "snow",
         "rain", "wind", "forest", "stone", "ink", "tea", "silk", "zen", "fortune", "treasure", "antique", "art",
         "shop", "home", "life", "love", "dream", "hope", "smile", "sweet", "cool", "boss", "baby", "mr", "miss")
CITIES = [f"city{i}" for i in range(300)]
COURIERS = ["95311", "95338", "95546", "95543"]


def _name(rng: random.Random) -> list[str]:
    """A full name's pinyin syllables (surname, then given name), drawn by how common each is."""
    if rng.random() < 0.15:
        surname = rng.choice(TAIL_SURNAMES)
    else:
        surname = rng.choices(list(SURNAMES), list(SURNAMES.values()))[0]
    return [surname, *rng.choices(GIVEN, GIVEN_WEIGHTS, k=rng.choice([1, 2, 2, 2, 2, 2]))]


def _handle(rng: random.Random, name: list[str]) -> str:
    """A handle a person named ``name`` picks: the name or its initials with digits (a birth year or others), or a
    word with digits."""
    style = rng.random()
    if style < 0.5:
        return "".join(name) + (str(rng.randint(1960, 2005)) if rng.random() < 0.4 else str(rng.randrange(10, 10**5)))
    if style < 0.7:
        return "".join(s[0] for s in name) + str(rng.randrange(100, 10**6))
    return rng.choice(WORDS) + rng.choice(["", "_", "."]) + str(rng.randrange(10, 10**5))


def synthetic_accounts(n: int, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(accounts, posts, identifiers) for about ``n`` accounts, each account tagged with its person."""
    rng = random.Random(seed)
    accounts, posts, ids = [], [], []
    person = 0
    while len(accounts) < n:
        person += 1
        syllables, city, hours = _name(rng), rng.choice(CITIES), rng.sample(range(24), 2)
        name, handle = "".join(syllables), _handle(rng, syllables)
        phone = f"13{rng.randrange(10**9):09d}"
        wallet = f"wallet:w{person}"
        for k in range(rng.choice([1, 1, 1, 2, 2, 3])):
            aid = f"p{rng.choice(['wx', 'qq', 'wb'])}:{handle}{'bak' if k else ''}_{person}_{k}"
            accounts.append({"id": aid, "platform": aid.split(":")[0], "handle": f"{handle}{'_bak' * k}",
                             "display_name": name if rng.random() < 0.8 else "".join(_name(rng)),
                             "bio": f"{city} {name}", "location": city, "person": person})
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


def quality(n: int) -> dict:
    """Name and handle sharing in the workload of ``n`` accounts, and linkage quality against its persons."""
    accounts, posts, ids = synthetic_accounts(n)
    shared = {}
    for column in ("display_name", "handle"):
        persons = accounts.groupby(column)["person"].nunique()
        shared[column] = {"values": len(persons), "held_by_several_persons": int((persons > 1).sum()),
                          "most_persons": int(persons.max())}
    data = LinkData(accounts=accounts.drop(columns="person"), posts=posts[posts["account_id"].isin(accounts["id"])],
                    identifiers=ids[ids["account_id"].isin(accounts["id"])])
    truth = pd.DataFrame({"account_id": accounts["id"], "person_id": accounts["person"].astype(str)})
    scored = score_linkage(link_accounts(data).clusters.to_dict(), truth)
    return {"accounts": n, "persons": int(accounts["person"].nunique()), **shared,
            "pairwise": scored["pairwise"], "bcubed": scored["bcubed"]}


if __name__ == "__main__":
    for size in sys.argv[1:] or ["100000"]:
        print(quality(int(size)))
