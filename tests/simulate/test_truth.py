"""The simulated world has the published shapes, and its ground truth is consistent with what it shows."""

from __future__ import annotations

import csv
import json
import re
import statistics
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest

from wildtrace.simulate._vocab import vocabulary

PUBLISHED_CATEGORIES = {"A": 0.138, "B": 0.414, "C": 0.207, "D": 0.241}
START = datetime.fromisoformat("2025-03-03T00:00:00+08:00")


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _week(iso: str) -> int:
    return (datetime.fromisoformat(iso) - START).days // 7 + 1


@pytest.fixture(scope="module")
def world(sim_world: Path) -> dict:
    posts = _jsonl(sim_world / "posts.jsonl")
    truth = {r["post_id"]: r for r in _csv(sim_world / "truth" / "posts.csv")}
    return {"posts": posts, "truth": truth, "accounts": {a["id"]: a for a in _jsonl(sim_world / "accounts.jsonl")},
            "account_truth": {r["account_id"]: r for r in _csv(sim_world / "truth" / "accounts.csv")},
            "illegal": [p for p in posts if truth[p["id"]]["is_illegal"] == "1"],
            "benign": [p for p in posts if truth[p["id"]]["is_illegal"] == "0"]}


def test_trader_categories_follow_the_published_shares(world: dict) -> None:
    people = {r["person_id"]: r["category"] for r in world["account_truth"].values() if r["is_trader"] == "1"}
    shares = Counter(people.values())
    for cat, share in PUBLISHED_CATEGORIES.items():
        assert abs(shares[cat] / len(people) - share) <= 1 / len(people), (cat, shares)


def test_c_traders_mostly_sell_collectables_and_d_traders_other_goods(world: dict) -> None:
    heads = {kind: {h for texts in vocabulary().benign[kind].head.values() for h in texts}
             for kind in ("legal_collector", "ordinary_shop")}
    lines: dict[str, Counter[str]] = defaultdict(Counter)
    for post in world["benign"]:
        category = world["account_truth"][post["account_id"]]["category"]
        if category:
            assert category in ("C", "D"), post["id"]  # only C and D traders post legal goods
            kinds = [k for k, hs in heads.items() if any(post["text"].startswith(h) for h in hs)]
            assert len(kinds) == 1, post["text"]
            lines[category][kinds[0]] += 1
    for category, own in (("C", "legal_collector"), ("D", "ordinary_shop")):
        assert lines[category][own] / sum(lines[category].values()) >= 0.65, dict(lines)  # 85% drawn
        assert lines[category][own] < sum(lines[category].values())  # a side line now and then


def test_b_traders_offer_their_other_species(world: dict) -> None:
    ads = Counter((world["account_truth"][p["account_id"]]["person_id"], world["truth"][p["id"]]["species"] != "ivory")
                  for p in world["illegal"] if world["account_truth"][p["account_id"]]["category"] == "B")
    persons = {person for person, _ in ads}
    other = sum(n for (_, o), n in ads.items() if o)
    assert 0.2 <= other / sum(ads.values()) <= 0.6, ads  # 40% of their new items
    assert sum(ads[(person, True)] > 0 for person in persons) >= 0.8 * len(persons), ads


def test_every_chain_role_and_network_is_present(sim_world: Path) -> None:
    network = _csv(sim_world / "truth" / "network.csv")
    assert {r["role"] for r in network} == {"raw_trader", "processor", "wholesaler", "retailer", "agent"}
    assert len({r["network_id"] for r in network}) >= 2


def test_ivory_prices_per_gram_follow_the_published_means(sim_world: Path) -> None:
    rows = [r for r in _csv(sim_world / "truth" / "posts.csv") if r["species"] == "ivory"]
    items = {(r["person_id"], r["price_cny"], r["weight_g"]): (r["product_type"], float(r["price_per_gram"]))
             for r in rows}
    by_type: dict[str, list[float]] = defaultdict(list)
    for ptype, ppg in items.values():
        by_type[ptype].append(ppg)
    published = vocabulary().species["ivory"].products
    for ptype, values in by_type.items():
        if len(values) < 5:
            continue
        model = published[ptype]
        tolerance = 4 * model.sd / len(values) ** 0.5 + 0.05 * model.mean
        assert abs(statistics.fmean(values) - model.mean) < tolerance, (ptype, statistics.fmean(values), len(values))
    worked = sum(len(v) for t, v in by_type.items() if t.startswith("worked"))
    assert worked / sum(len(v) for v in by_type.values()) > 0.75  # worked ivory is ~90% of the market


def test_crackdown_in_week_5_and_recovery_by_week_13(world: dict) -> None:
    weeks = Counter(_week(p["posted_at"]) for p in world["illegal"])
    steady = statistics.fmean(weeks[w] for w in range(1, 5))
    assert 0.45 <= weeks[5] / steady <= 0.65
    assert statistics.fmean(weeks[w] for w in range(13, 17)) / steady >= 0.85
    benign = Counter(_week(p["posted_at"]) for p in world["benign"])
    assert benign[5] / statistics.fmean(benign[w] for w in range(1, 5)) > 0.85  # the benign world goes on


def test_illegal_posts_come_at_night_and_are_often_deleted(world: dict) -> None:
    def night(p: dict) -> bool:
        hour = datetime.fromisoformat(p["posted_at"]).hour
        return hour >= 21 or hour < 6

    assert sum(map(night, world["illegal"])) / len(world["illegal"]) > 0.7
    assert sum(map(night, world["benign"])) / len(world["benign"]) < 0.3
    deleted = [p for p in world["illegal"] if p["deleted_at"]]
    assert len(deleted) / len(world["illegal"]) > 0.25
    for p in deleted:
        gap = datetime.fromisoformat(p["deleted_at"]) - datetime.fromisoformat(p["posted_at"])
        assert timedelta(0) < gap <= timedelta(hours=12)
        assert p["captured_at"] < p["deleted_at"]


def test_benign_majority_defeats_naive_keyword_search(world: dict) -> None:
    assert len(world["benign"]) / len(world["posts"]) > 0.6
    names = ("象牙", "ivory", "犀牛角", "穿山甲")
    hits = [p for p in world["posts"] if any(n in p["text"].lower() for n in names)]
    benign_hits = [p for p in hits if world["truth"][p["id"]]["is_illegal"] == "0"]
    assert len(benign_hits) / len(hits) > 0.3  # many keyword hits are fashion, soap, museums, news...
    missed = [p for p in world["illegal"] if not any(n in p["text"].lower() for n in names)]
    assert len(missed) / len(world["illegal"]) > 0.4  # ...and many ads never name the species


def test_code_words_appear_only_from_their_week(world: dict, sim_world: Path) -> None:
    introduced = {r["code_word"]: int(r["introduced_week"]) for r in _csv(sim_world / "truth" / "code_words.csv")}
    late = {w: k for w, k in introduced.items() if k > 1}
    seen_late = set()
    for p in world["illegal"]:
        week = _week(p["posted_at"])
        words = [w for w in world["truth"][p["id"]]["code_words"].split(";") if w]
        for w in words:
            assert introduced[w] <= week, (p["id"], w)
        for w, k in late.items():
            if w in p["text"]:
                assert k <= week, (p["id"], w)
                seen_late.add(w)
    assert seen_late, "no code word introduced mid-run was used"


def test_obfuscations_and_languages_vary(world: dict) -> None:
    kinds = Counter(world["truth"][p["id"]]["obfuscation"] for p in world["illegal"])
    assert {"none", "code_word", "image"} <= set(kinds)
    assert len(kinds) >= 6
    langs = Counter(p["language"] for p in world["posts"])
    assert {"zh-Hans", "zh-Hant", "en", "vi"} <= set(langs)


def test_two_ads_rarely_share_their_text(world: dict) -> None:
    texts = [p["text"] for p in world["illegal"] if world["truth"][p["id"]]["image_only"] == "0"]
    assert len(set(texts)) / len(texts) > 0.98


def test_blocked_accounts_stop_and_backups_share_an_identifier(world: dict) -> None:
    accounts, truth = world["accounts"], world["account_truth"]
    posts_by: dict[str, list[dict]] = defaultdict(list)
    for p in world["posts"]:
        posts_by[p["account_id"]].append(p)

    def identifiers(account_id: str) -> set[str]:
        texts = [accounts[account_id]["bio"] or ""] + [p["text"] for p in posts_by[account_id]]
        found = {m for t in texts for m in re.findall(r"\d{10,19}", t)}
        return found | {m for p in posts_by[account_id] for m in p["media"]}

    backups = [r for r in truth.values() if r["is_backup"] == "1"]
    assert backups
    for b in backups:
        original = truth[b["backup_of"]]
        assert original["person_id"] == b["person_id"]
        assert original["blocked_at"], b
        assert identifiers(b["account_id"]) & identifiers(original["account_id"]), b
        assert all(p["posted_at"] >= accounts[b["account_id"]]["first_seen"] for p in posts_by[b["account_id"]])
    for r in truth.values():
        if r["blocked_at"]:
            blocked = datetime.fromisoformat(r["blocked_at"])
            assert all(datetime.fromisoformat(p["posted_at"]) < blocked for p in posts_by[r["account_id"]])
            assert _week(r["blocked_at"]) == 5


def test_labels_file_matches_the_posts(world: dict, sim_world: Path) -> None:
    labels = {r["post_id"]: r for r in _csv(sim_world / "truth" / "labels.csv")}
    assert len(labels) == len(world["posts"])
    for p in world["posts"]:
        row = labels[p["id"]]
        assert row["text"] == p["text"]
        assert row["label"] == world["truth"][p["id"]]["is_illegal"]
        assert row["images"].split(";") == (p["media"] or [""])


def test_money_follows_trade_and_layering(sim_world: Path) -> None:
    txs = _csv(sim_world / "transactions.csv")
    truth = {r["id"]: r for r in _csv(sim_world / "truth" / "transactions.csv")}
    kyc = {r["payment_account"] for r in _csv(sim_world / "payment_accounts.csv")}
    assert all(t["payer"] in kyc and t["payee"] in kyc for t in txs)
    times = [datetime.fromisoformat(t["time"]) for t in txs]
    assert all(a <= b for a, b in pairwise(times))  # ids follow time
    typologies = Counter(truth[t["id"]]["typology"] for t in txs)
    assert {"sale", "supply", "fan_in", "pass_through", "cycle", "benign", "benign_bulk"} <= set(typologies)
    trade = sum(r["is_trade"] == "1" for r in truth.values())
    assert trade / len(txs) < 0.2  # trade payments hide in a benign bulk
    illicit = {r["payment_account"] for r in _csv(sim_world / "truth" / "payment_accounts.csv")
               if r["is_illicit"] == "1"}
    for t in txs:
        if truth[t["id"]]["typology"] == "sale":
            assert t["payee"] in illicit


def test_parcels_use_false_names_but_real_phones(sim_world: Path) -> None:
    ships = {s["waybill"]: s for s in _jsonl(sim_world / "shipments.jsonl")}
    truth = {r["waybill"]: r for r in _csv(sim_world / "truth" / "shipments.csv")}
    kyc = {r["holder_phone"]: r["holder_name"] for r in _csv(sim_world / "payment_accounts.csv")}
    trade = [ships[w] for w, r in truth.items() if r["is_trade"] == "1"]
    assert trade and len(trade) < len(ships) / 2
    assert all(s["sender_phone"] in kyc for s in trade)
    false_names = sum(s["sender_name"] != kyc[s["sender_phone"]] for s in trade)
    assert false_names / len(trade) > 0.6
    patterns = Counter(truth[s["waybill"]]["pattern"] for s in trade)
    assert patterns["third_party_pickup"] > 0
    for seizure in _jsonl(sim_world / "seizures.jsonl"):
        assert truth[seizure["waybill"]]["is_trade"] == "1"
        assert seizure["phones"][0] == ships[seizure["waybill"]]["sender_phone"]


def test_foreign_export_and_saved_pages_carry_the_same_posts(world: dict, sim_world: Path) -> None:
    mapping = json.loads((sim_world / "posts_export.mapping.json").read_text(encoding="utf-8"))
    by_id = {p["id"]: p for p in world["posts"]}
    rows = _csv(sim_world / "posts_export.csv")
    assert rows
    for r in rows:
        post = by_id[r[mapping["fields"]["id"]]]
        assert r[mapping["fields"]["text"]] == post["text"]
        naive = datetime.strptime(r[mapping["fields"]["posted_at"]], mapping["formats"]["posted_at"])
        assert naive.replace(tzinfo=datetime.fromisoformat(post["posted_at"]).tzinfo).isoformat() == post["posted_at"]
    for page in sorted((sim_world / "html").glob("*.html"))[:20]:
        html = page.read_text(encoding="utf-8")
        post = by_id[page.stem]
        assert f'content="{post["account_id"]}"' in html and post["posted_at"] in html
