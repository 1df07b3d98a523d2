"""Screening throughput: fast path and full path (embeddings + OCR), against a bare Aho-Corasick scan.

The corpus is a firehose: mostly everyday posts (sales of phones and clothes, chat, news), some
benign look-alikes (ivory dresses, piano keys, seizures in the news) and a few offers of wildlife
products written the ways traders write them. Posts are streamed from a JSON Lines file, so peak
memory must stay flat as the corpus grows.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.harness import Benchmark

EVERYDAY = [
    "出闲置{thing} 九成新 {p}元 微信联系", "今天天气真好 带孩子去公园玩了一下午", "周末聚餐 这家火锅店味道不错 人均{p}",
    "转让{thing} 同城自提 价格私聊", "新款{cloth} 到货 {p}元包邮", "公司招聘 销售 月薪{p} 有意者联系",
    "selling my {thing_en}, {p} usd, dm me", "great day at the beach with friends",
    "new {cloth_en} in stock, {p} dollars",
    "looking for a flatmate, {p} per month", "who wants to join the football match on sunday?",
    "送外卖的小哥好辛苦 给个好评", "求推荐 好用的{thing} 预算{p}", "happy birthday mum! love you",
]
LOOKALIKE = [
    "象牙白{cloth} 新款 {p}元", "ivory {cloth_en}, size 8, {p} usd", "钢琴转让 琴键完好 {p}",
    "ebony and ivory on vinyl",
    "海关查获象牙制品 走私案告破", "树脂仿象牙摆件 工艺品 {p}元", "customs seized rhino horn at the airport",
]
OFFER = [
    "出 象🐘牙 手镯 {g}克 克价{q} 微信私聊", "XY手串 {g}g 一口价{p} 顺丰包邮", "犀角杯 老件 价格私聊 风声紧",
    "1v0ry bangle {g}g, {q} usd per gram, whatsapp", "血料吊坠 出 懂的来", "pangolin scales {g}kg, courier, dm",
    "xiang ya 原料 按斤出", "出售象牙手鐲 實物拍攝 價格私聊",
]
THINGS = ["手机", "电脑", "自行车", "相机", "沙发", "冰箱"]
THINGS_EN = ["phone", "laptop", "bike", "camera", "sofa", "guitar"]
CLOTHES = ["连衣裙", "毛衣", "围巾", "外套"]
CLOTHES_EN = ["dress", "scarf", "cardigan", "jacket"]


def _post(rng: random.Random) -> str:
    r = rng.random()
    bank = OFFER if r < 0.03 else LOOKALIKE if r < 0.1 else EVERYDAY
    return rng.choice(bank).format(
        p=rng.choice([50, 180, 880, 2600]), g=rng.choice([12, 38, 120]), q=rng.choice([9, 28, 32]),
        thing=rng.choice(THINGS), thing_en=rng.choice(THINGS_EN), cloth=rng.choice(CLOTHES),
        cloth_en=rng.choice(CLOTHES_EN))


def _prepare(n: int, workdir: Path, images: int = 0) -> dict:
    rng = random.Random(n)
    path = workdir / "posts.jsonl"
    size = 0
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            line = json.dumps({"id": f"p{i}", "text": _post(rng)}, ensure_ascii=False) + "\n"
            size += len(line.encode())
            fh.write(line)
    image_paths = []
    if images:
        from PIL import Image, ImageDraw, ImageFont

        for i in range(images):
            img = Image.new("RGB", (640, 110), "white")
            ImageDraw.Draw(img).text((10, 30), f"ivory bangle {500 + i} usd wechat ivory{i}", fill="black",
                                     font=ImageFont.load_default(size=28))
            image_paths.append(str(workdir / f"img{i}.png"))
            img.save(image_paths[-1])
    return {"posts": str(path), "bytes": size, "images": image_paths, "cache": str(workdir / "ocr")}


def _texts(ctx: dict) -> Iterator[str]:
    with open(ctx["posts"], encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)["text"]


def _setup(ctx: dict, phase: str, full: bool = False) -> Any:
    """Start-up, untimed: the screener (model, lexicon, folding tables) or the bare scan's automaton."""
    if phase == "run":
        from wildtrace.screen import ImageReader, Screener

        return Screener.load(full=full), ImageReader(ctx["cache"])
    import ahocorasick

    from wildtrace.lexicon import load_lexicon

    auto = ahocorasick.Automaton()
    for term in load_lexicon().terms:
        for name in term.all_names():
            auto.add_word(name, name)
    auto.make_automaton()
    return auto


def bare_scan(ctx: dict) -> int:
    """Baseline: one Aho-Corasick automaton of every lexicon name, scanned over the raw text."""
    auto = ctx["state"]
    n = 0
    for text in _texts(ctx):
        for _ in auto.iter(text):
            pass
        n += 1
    return n


def fast_path(ctx: dict) -> int:
    """Every post screened, and what a ranking reads of each verdict: score, tier and what it names."""
    screener, _ = ctx["state"]
    n = named = 0
    for r in screener.screen_texts(_texts(ctx)):
        n += 1
        named += r.tier != "none" and bool(r.species or r.products or r.code_words)
    ctx["named"] = named
    return n


def full_path(ctx: dict) -> int:
    """Embeddings for candidates, and OCR of one image per 100 posts (cache emptied: every image is read)."""
    from wildtrace.screen import Document

    screener, reader = ctx["state"]
    images = ctx["images"]

    def docs() -> Iterator[Document]:
        for i, text in enumerate(_texts(ctx)):
            if images and i % 100 == 0:
                entry = reader.read(images[(i // 100) % len(images)])
                yield Document(text, [(entry["sha256"], entry["text"] or "")], n_images=1)
            else:
                yield Document(text)

    return sum(1 for _ in screener.screen_documents(docs()))


BENCHMARKS = [
    Benchmark(name="screen_fast", unit="posts", sizes=[62_500, 250_000, 1_000_000], prepare=_prepare, run=fast_path,
              baseline=bare_scan, baseline_name="bare Aho-Corasick scan", quick_sizes=[2_000], setup=_setup,
              notes="lexicon matching on normalised streams + linear model over hashed n-grams, explanations"),
    Benchmark(name="screen_full", unit="posts", sizes=[1_000, 2_000],
              prepare=lambda n, w: _prepare(n, w, images=max(1, n // 100)), run=full_path,
              baseline=bare_scan, baseline_name="bare Aho-Corasick scan", quick_sizes=[200],
              setup=lambda ctx, phase: _setup(ctx, phase, full=True),
              notes="fast path + USE embeddings for candidates + OCR of one image per 100 posts"),
]
