"""Extraction throughput: ``extract_fields`` and ``identifiers`` over posts written in many notations.

Baseline (same texts, same run): one bare ``re.findall`` of numbers with a unit or currency, the least any
price/weight reader must do; the ratio shows what the full reading (currencies, Chinese numerals, per-gram,
contacts with phonenumbers, vocabularies) costs on top of it.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

from bench.harness import Benchmark

_HEADS = [
    "出售象牙手镯", "XY摆件", "原牙 整根", "犀角杯", "ivory bangle", "vòng tay ngà voi", "老料 手串", "光身牌 非洲料",
    "Raw tusk", "穿山甲片", "雕件 观音", "毛坯 料片",
]
_PRICES = [
    "{p}元", "¥{p}", "RMB {p}", "{k}k", "{w}w", "{w}万", "US$ {u}", "价格 {p}", "{g}元/克", "克价{g}", "每克{g}元",
    "{p}块", "giá {v}.000đ", "{t}tr5", "价格面议",
]
_WEIGHTS = ["重{n}克", "{n}g", "净重 {n} g", "{j}斤", "{l}两", "{kg}公斤", "{n} grams", "weight {n}g"]
_CONTACTS = [
    "微信: ivory_{i}", "vx {phone}", "电话 {a} {b} {c}", "QQ {qq}", "TG: @horn_{i}", "WhatsApp +84 912 {i:03d} 678",
    "加V lao_wang{i}", "支付宝: {phone}", "一三八一二三四五六七八", "mail: shop{i}@163.com",
]
_TAILS = [
    "顺丰包邮", "面交 瑞丽", "有证 老货", "支付宝转账", "USDT only", "pre-ban with certificate", "东兴自提", "先到先得",
]


def _post(rng: random.Random) -> str:
    fill = {"p": rng.randrange(300, 90000), "k": rng.randrange(1, 90), "w": rng.randrange(1, 9),
            "u": rng.randrange(50, 9000), "g": rng.randrange(5, 40), "v": rng.randrange(100, 9000),
            "t": rng.randrange(1, 9), "n": rng.randrange(5, 3000),
            "j": rng.randrange(1, 9), "l": rng.randrange(1, 9), "kg": rng.randrange(1, 9), "i": rng.randrange(1000),
            "phone": f"13{rng.randrange(10**9):09d}", "a": "138", "b": f"{rng.randrange(10**4):04d}",
            "c": f"{rng.randrange(10**4):04d}", "qq": rng.randrange(10**5, 10**10)}
    parts = [rng.choice(_HEADS), rng.choice(_WEIGHTS), rng.choice(_PRICES), rng.choice(_CONTACTS), rng.choice(_TAILS)]
    return rng.choice(["，", " ", "\n", " | "]).join(p.format(**fill) for p in parts)


def prepare(n: int, workdir: Path) -> dict:
    rng = random.Random(20261201)
    path = workdir / "posts.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for _ in range(n):
            fh.write(json.dumps({"text": _post(rng)}, ensure_ascii=False) + "\n")
    return {"path": str(path), "bytes": path.stat().st_size}


def _texts(ctx: dict) -> list[str]:
    with open(ctx["path"], encoding="utf-8") as fh:
        return [json.loads(line)["text"] for line in fh]


def _warm(ctx: dict, phase: str) -> None:
    """Start-up, untimed: imports, vocabularies and phone metadata loaded by one reading of a sample post."""
    if phase == "run":
        from wildtrace.extract import extract_fields, identifiers

        sample = _post(random.Random(0))
        extract_fields(sample)
        identifiers(sample)


def run_fields(ctx: dict) -> int:
    from wildtrace.extract import extract_fields

    texts = _texts(ctx)
    for text in texts:
        extract_fields(text)
    return len(texts)


def run_identifiers(ctx: dict) -> int:
    from wildtrace.extract import identifiers

    texts = _texts(ctx)
    for text in texts:
        identifiers(text)
    return len(texts)


_BARE = re.compile(r"\d+(?:\.\d+)?\s?(?:元|块|克|g|kg|斤|两|k|w|万|¥)")


def bare_findall(ctx: dict) -> int:
    texts = _texts(ctx)
    for text in texts:
        _BARE.findall(text)
    return len(texts)


BENCHMARKS = [
    Benchmark("extract_fields", "posts", [2000, 4000, 8000], prepare, run_fields, bare_findall, "bare regex findall",
              notes="every field of a post: prices, weights, per-gram, contacts, methods, claims, place",
              quick_sizes=[200], setup=_warm),
    Benchmark("extract_identifiers", "posts", [2000, 4000, 8000], prepare, run_identifiers, bare_findall,
              "bare regex findall", notes="contact and payment identifiers only (what extract_store writes)",
              quick_sizes=[200], setup=_warm),
]
