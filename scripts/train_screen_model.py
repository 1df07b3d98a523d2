"""Train the screening model shipped in the package, reproducibly.

Training data: the hand-written posts in ``scripts/screen_training/handwritten.csv`` plus posts
generated here from phrase banks written for this script (offers, code words, obfuscations the trade
uses, benign look-alikes and everyday sales), and Chinese offers whose name is written with a character
read like one of its own (:func:`heard_as`). Nothing comes from the simulator, which is kept for evaluation,
nor from the hand-written test sets. Usage::

    python scripts/train_screen_model.py [--n 4000] [--homophones 200] [--seed 7] [--out src/wildtrace/screen/model]
"""

from __future__ import annotations

import argparse
import csv
import random
from collections import defaultdict
from pathlib import Path

import opencc
from pypinyin import Style, lazy_pinyin

from wildtrace.lexicon import load_lexicon
from wildtrace.screen import Document, train_model
from wildtrace.screen._heard import Merger, load_hearing, readings
from wildtrace.screen._model import DEFAULT_THRESHOLDS

HERE = Path(__file__).parent

ZH_GOODS = {
    "象牙": ["手镯", "手串", "原牙", "牙片", "吊坠", "雕件", "筷子", "印章", "摆件", "佛珠", "把件", "边角料"],
    "犀角": ["杯", "整角", "角粉", "角片", "手串"],
    "穿山甲": ["甲片", "鳞片"],
    "盔犀鸟": ["头骨", "雕件", "吊坠"],
    "玳瑁": ["手镯", "梳子", "原料"],
    "虎骨": ["酒", "粉"],
    "熊胆": ["粉", "汁"],
}
ZH_CODES = {"XY": "象牙", "XJ": "犀角", "血料": "象牙", "果冻": "象牙", "白料": "象牙", "黄料": "象牙",
            "非洲料": "象牙",
            "白塑料": "象牙", "牛骨": "象牙", "黑料": "犀角", "红货": "盔犀鸟", "鹤顶红": "盔犀鸟", "山甲": "穿山甲"}
EN_GOODS = {
    "ivory": ["bangle", "beads", "tusk", "carving", "pendant", "chopsticks", "figurine", "netsuke", "offcuts", "seal"],
    "rhino horn": ["cup", "powder", "tip", "bracelet", "whole horn"],
    "pangolin": ["scales"],
    "hornbill": ["casque", "carving"],
    "tiger": ["bone", "claw", "teeth", "skin"],
    "hawksbill": ["shell bangle", "comb"],
}
EN_CODES = {"XY": "ivory", "XJ": "rhino horn", "jelly": "ivory", "blood material": "ivory",
            "white plastic": "ivory", "yellow material": "ivory", "african material": "ivory",
            "black material": "rhino horn",
            "red material": "hornbill", "ox bone": "ivory", "cow bone": "ivory", "xi jiao": "rhino horn"}
ZH_OPEN = ["出", "出售", "现货", "新到", "转让", "便宜出", "有货", "清仓", "一手货源", "", "", "到了一批"]
ZH_PRICE = ["{p}元", "克价{g}", "每克{g}元", "{p}包邮", "价格私聊", "一口价{p}", "¥{p}", "{w}万", "售价 ¥{p}",
            "到手{p}元",
            "{w}.{k}個W", "{g}米/克"]
ZH_WEIGHT = ["{n}克", "{n}g", "{k}斤", "{k}公斤", "重{n}克", "净重{n}g"]
ZH_CONTACT = ["微信{id}", "加微{id}", "vx:{id}", "私聊", "威信同号", "扣扣{qq}", "懂的来", "看图私聊", "朋友圈看货"]
ZH_EXTRA = ["顺丰包邮", "保密发货", "风声紧", "低调", "老客户优先", "带证", "老货", "清代", "禁令前", "有证书",
            "实物拍摄", ""]
EN_OPEN = ["for sale", "selling", "in stock", "new arrival", "wts", "available now", "", "genuine", "real"]
EN_PRICE = ["${p}", "{p} usd", "{g} usd per gram", "price on request", "obo {p}", "{p} rmb", "pm for price"]
EN_WEIGHT = ["{n}g", "{n} grams", "{k} kg", "{k}kg lot"]
EN_CONTACT = ["whatsapp {id}", "telegram @{id}", "dm me", "pm me", "wechat {id}", "message me", "inbox for details"]
EN_EXTRA = ["pre-ban", "with certificate", "antique", "discreet shipping", "ship worldwide", "serious buyers only",
            "mammoth", "old stock", "estate piece", ""]

ZH_BENIGN = [
    "象牙白{item} 新款 {p}元 包邮", "米白色{item} 闲置出 {p}", "{fake}象牙{item} 工艺品 {p}元",
    "仿象牙树脂{item} 不是真品",
    "钢琴{item} 转让 价格私聊", "{news}", "出二手{thing} {p}元 微信{id}", "{thing} 九成新 {p} 可小刀 同城面交",
    "象牙芒 一箱{k}斤 {p}元", "虎皮鹦鹉 {p}元一对", "牛角面包 现烤 {g}元", "骆驼骨{item} 批发 {p}",
    "牦牛骨{item} {p}元",
    "动物园的大象好可爱", "{news} 支持野生动物保护", "白色塑料{thing} {p}元", "龟苓膏 {g}元一碗",
    "今天去看了犀牛纪录片",
    "出租房 {p}元一月 联系电话", "代购化妆品 正品 微信{id}", "{fake}{item} 塑料 {p}元 包邮",
]
EN_BENIGN = [
    "ivory {cloth}, size {s}, {p} usd", "{cloth} in ivory, brand new", "ivory soap {k} bars",
    "piano with ivory keys, {p}",
    "ebony and ivory {thing_en}", "{fake_en} ivory {item_en}, costume jewellery, ${p}", "{news_en}",
    "selling my {thing_en}, ${p}, dm me", "{thing_en} for sale, {p} usd obo, whatsapp {id}", "ivory colour {cloth}",
    "tagua vegetable ivory {item_en}", "camel bone {item_en}, ${p}", "tiger balm {k} jars",
    "rhinoceros beetle larvae ${g}",
    "tortoise shell pattern sunglasses, acetate", "ivory tower thoughts on academia",
    "documentary on elephants tonight",
    "bone china {thing_en}, {p}", "ivory paint, {k} litres, {p}", "{fake_en} horn {item_en}, plastic, ${p}",
]
ZH_COLLECTABLE = ["和田玉", "翡翠", "琥珀蜜蜡", "菩提子", "老银饰", "铜香炉", "紫砂壶", "沉香", "南红玛瑙",
                  "黄花梨木", "瓷器",
                  "牛骨梳子", "牦牛角梳", "绿松石"]
ZH_SHOP = ["支持货到付款", "限时秒杀", "私信有优惠", "满百包邮", "团购价", "好评返现", "淘宝同款", "可验货",
           "实体店可看",
           "假一赔十", "顺丰包邮", "懂的来", "有证书", "带证书", "老货", "民国", "清代", "包浆自然", "雕工精细",
           "克价可谈"]
ZH_BENIGN += [
    "{coll}{item2} {shop} {shop} ¥{p}", "{coll}{item2}，{shop}，{shop}", "{coll} {item2}\n{shop}\n{p}元",
    "大象毛绒玩具 {shop} {p}元", "犀牛公仔 {shop}", "{museum}", "{campaign}", "{everyday} {shop} {shop} ¥{g}",
]
EN_COLLECTABLE = ["jade", "amber", "bodhi seed", "silver", "copper", "rosewood", "agate", "turquoise", "ox horn",
                  "cow bone", "yak bone", "porcelain", "bronze"]
EN_SHOP = ["cash on delivery", "free shipping over 100", "group price", "order now", "inspection welcome",
           "with certificate", "antique", "private collection", "hand carved", "dm for discount", "not ivory"]
EN_BENIGN += [
    "{coll_en} {item_en} {shop_en}, {shop_en}, ${p}", "{coll_en} {item_en} - {shop_en} - wx_{id}",
    "elephant plush toy, {shop_en}, ${g}", "{museum_en}", "{campaign_en}", "{everyday_en}, {shop_en}, ${g}",
]
VI_BENIGN = ["thanh lý {vi_thing}, giá {p}k, liên hệ zalo", "{vi_thing} giá rẻ, giao hàng toàn quốc",
             "vòng tay gỗ trầm hương, có giấy kiểm định, {p}k", "đồ chơi voi nhồi bông, {p}k, ship cod"]
VI_OFFER = ["thanh lý {subject} {vi_item}, {g} tệ/g, nặng {n}g, liên hệ {id}",
            "bán {subject} {vi_item} giá {p}, zalo {id}",
            "{subject} {vi_item} hàng thật, ship kín, inbox"]
VI_SUBJECT = ["ngà voi", "ngà", "sừng tê giác", "vảy tê tê", "xy", "XIANG YA"]
VI_ITEMS = ["vòng tay", "nhẫn", "mặt dây chuyền", "chuỗi hạt", "nguyên liệu", "tượng"]
VI_THINGS = ["điện thoại", "xe đạp", "tủ lạnh", "áo khoác", "giày"]
ZH_MUSEUM = ["故宫象牙雕刻展 讲解每天两场 学生半价", "博物馆馆藏象牙文物首次展出", "犀角杯特展 预约参观"]
ZH_CAMPAIGN = ["保护犀牛宣传周！转发扩散！没有买卖就没有杀害！", "拒绝象牙制品 保护野生动物 从我做起",
               "穿山甲保护日 举报非法交易电话12315"]
ZH_EVERYDAY = ["婴儿纸尿裤", "家常菜外卖", "家政保洁", "茶叶礼盒", "水果批发", "二手书"]
EN_MUSEUM = ["museum exhibition of historic ivory carvings opens sunday",
             "the rhino horn cup gallery reopens, book a visit"]
EN_CAMPAIGN = ["save the rhinos week - share and report illegal trade", "say no to ivory, protect elephants"]
EN_EVERYDAY = ["tea gift box", "baby diapers", "home cleaning service", "fresh fruit box", "used books"]
ZH_SEPARATORS = [" ", "，", "\n", "。", "～", "、", " | ", "✨"]
ZH_ITEMS2 = ["手镯", "手串", "吊坠", "摆件", "梳子", "印章", "耳钉", "戒指", "项链"]
ZH_ITEMS = ["连衣裙", "毛衣", "围巾", "手镯", "摆件", "手串", "吊坠", "沙发", "窗帘", "婚纱"]
ZH_THINGS = ["手机", "电脑", "自行车", "相机", "婴儿车", "冰箱", "茶具", "书桌", "收纳盒"]
ZH_FAKE = ["仿", "树脂", "亚克力", "高仿", "人造"]
ZH_NEWS = ["海关查获象牙制品{k}公斤 走私案告破", "警方查获穿山甲鳞片 嫌疑人被捕", "拒绝象牙 保护大象",
           "没收犀角制品 打击野生动物犯罪"]
EN_CLOTH = ["dress", "wedding gown", "scarf", "cardigan", "lace top", "curtains", "sofa", "blouse"]
EN_ITEMS = ["bangle", "beads", "pendant", "figurine", "bracelet"]
EN_THINGS = ["phone", "laptop", "bike", "camera", "sofa", "tea set", "guitar", "desk"]
EN_FAKE = ["resin", "faux", "plastic", "acrylic", "imitation"]
EN_NEWS = ["customs seized {k} tonnes of ivory, three arrested", "pangolin scales seizure at the port",
           "rangers confiscated rhino horn, anti-poaching unit praised", "ivory ban works, says conservation group"]
EMOJI = ["🐘", "💎", "🔥", "✨", "🙏", "·", "-", " ", "*", "/", "_", "|", "."]
HOMOGLYPH = str.maketrans("aeopcxy", "аеорсху")
LEET = str.maketrans("ioea", "10e4")


def _fill(rng: random.Random, template: str) -> str:
    return template.format(
        p=rng.choice([180, 350, 880, 1200, 2600, 4800, 9800, 16800]), g=rng.choice([8, 12, 25, 32, 45]),
        n=rng.choice([15, 38, 56, 120, 350, 880]), k=rng.choice([1, 2, 3, 5, 12]), w=rng.choice([1, 2, 3]),
        id=rng.choice(["xy_888", "ivory2023", "wx13800", "lucky66", "antiq_hk", "bai8899"]),
        qq=rng.choice(["865321447", "33219087"]), s=rng.choice([6, 8, 10, 12]),
        item=rng.choice(ZH_ITEMS), thing=rng.choice(ZH_THINGS), fake=rng.choice(ZH_FAKE),
        news=rng.choice(ZH_NEWS).format(k=rng.choice([1, 2, 3, 5])), cloth=rng.choice(EN_CLOTH),
        item_en=rng.choice(EN_ITEMS), thing_en=rng.choice(EN_THINGS), fake_en=rng.choice(EN_FAKE),
        news_en=rng.choice(EN_NEWS).format(k=rng.choice([1, 2, 3])), coll=rng.choice(ZH_COLLECTABLE),
        item2=rng.choice(ZH_ITEMS2), shop=rng.choice(ZH_SHOP), coll_en=rng.choice(EN_COLLECTABLE),
        shop_en=rng.choice(EN_SHOP), museum=rng.choice(ZH_MUSEUM), campaign=rng.choice(ZH_CAMPAIGN),
        everyday=rng.choice(ZH_EVERYDAY), museum_en=rng.choice(EN_MUSEUM), campaign_en=rng.choice(EN_CAMPAIGN),
        everyday_en=rng.choice(EN_EVERYDAY), vi_thing=rng.choice(VI_THINGS), vi_item=rng.choice(VI_ITEMS),
        subject=rng.choice(VI_SUBJECT),
    )


def _obfuscate_zh(rng: random.Random, name: str, t2s: opencc.OpenCC) -> str:
    way = rng.choice(["plain", "plain", "split", "traditional", "pinyin", "initials", "fullwidth"])
    if way == "split":
        return rng.choice(EMOJI).join(name)
    if way == "traditional":
        return t2s.convert(name)
    if way == "pinyin":
        return " ".join(lazy_pinyin(name)) if rng.random() < 0.5 else "".join(lazy_pinyin(name)).upper()
    if way == "initials" and len(name) == 2:
        return "".join(p[0] for p in lazy_pinyin(name, style=Style.NORMAL)).upper()
    if way == "fullwidth":
        return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in name)
    return name


def _obfuscate_en(rng: random.Random, name: str) -> str:
    way = rng.choice(["plain", "plain", "split", "leet", "homoglyph", "upper"])
    if way == "split":
        return rng.choice([" ", ".", "-", "*"]).join(name)
    if way == "leet":
        return name.translate(LEET)
    if way == "homoglyph":
        return name.translate(HOMOGLYPH)
    return name.upper() if way == "upper" else name


class Sounds:
    """The 3,755 most common characters (GB2312 level 1) by each of their toneless readings, and the
    near-homophone mergers of the screener's curated ``mergers.yaml`` (s/sh, n/l, an/ang...)."""

    def __init__(self) -> None:
        self.chars: dict[str, list[str]] = defaultdict(list)
        for high in range(0xB0, 0xD8):
            for low in range(0xA1, 0xFF):
                try:
                    ch = bytes([high, low]).decode("gb2312")
                except UnicodeDecodeError:
                    continue
                for syllable in readings(ch):
                    self.chars[syllable].append(ch)
        self.mergers: tuple[Merger, ...] = load_hearing().mergers


def heard_as(rng: random.Random, name: str, sounds: Sounds) -> str:
    """``name`` with one Chinese character swapped for a common character that can be read as it is read in the
    name (in any of its readings), or, one time in three, as that reading through a merger (穿三甲 for 穿山甲).
    A name without Chinese characters (XY) is returned as it is."""
    spots = [i for i, ch in enumerate(name) if "\u4e00" <= ch <= "\u9fff"]
    if not spots:
        return name
    i = rng.choice(spots)
    syllable = lazy_pinyin(name)[i]
    merged = [m.apply(syllable) for m in sounds.mergers if m.apply(syllable)]
    if merged and rng.random() < 1 / 3:
        syllable = rng.choice(merged)
    others = [ch for ch in sounds.chars.get(syllable, ()) if ch != name[i]]
    return name[:i] + rng.choice(others) + name[i + 1:] if others else name


def offer_zh(rng: random.Random, s2t: opencc.OpenCC, sounds: Sounds | None = None) -> str:
    """A Chinese offer; with ``sounds``, its species or code word written as a homophone (:func:`heard_as`)."""
    if rng.random() < 0.35:
        code, animal = rng.choice(list(ZH_CODES.items()))
        subject = heard_as(rng, code, sounds) if sounds else code
    else:
        animal = rng.choice(list(ZH_GOODS))
        subject = heard_as(rng, animal, sounds) if sounds else _obfuscate_zh(rng, animal, s2t)
    goods = rng.choice(ZH_GOODS[animal] + ZH_ITEMS2[-3:]) if animal == "象牙" else rng.choice(ZH_GOODS[animal])
    subject = f"【{subject}】" if rng.random() < 0.15 else subject
    parts = [rng.choice(ZH_OPEN), subject + goods, _fill(rng, rng.choice(ZH_WEIGHT)),
             _fill(rng, rng.choice(ZH_PRICE)), _fill(rng, rng.choice(ZH_CONTACT)), rng.choice(ZH_EXTRA)]
    parts = [p for p in parts if p and rng.random() > 0.25]
    return rng.choice(ZH_SEPARATORS).join(parts)


def offer_en(rng: random.Random) -> str:
    if rng.random() < 0.35:
        code, animal = rng.choice(list(EN_CODES.items()))
        subject = code
    else:
        animal = rng.choice(list(EN_GOODS))
        subject = _obfuscate_en(rng, animal)
    parts = [rng.choice(EN_OPEN), f"{subject} {rng.choice(EN_GOODS[animal])}", _fill(rng, rng.choice(EN_WEIGHT)),
             _fill(rng, rng.choice(EN_PRICE)), _fill(rng, rng.choice(EN_CONTACT)), rng.choice(EN_EXTRA)]
    parts = [p for p in parts if p and rng.random() > 0.15]
    return rng.choice([", ", " ", "\n", " | ", ". "]).join(parts)


def generate(n: int, seed: int) -> list[tuple[str, int]]:
    rng = random.Random(seed)
    s2t = opencc.OpenCC("s2t")
    rows = []
    for _ in range(n):
        r = rng.random()
        if r < 0.25:
            rows.append((offer_zh(rng, s2t), 1))
        elif r < 0.40:
            rows.append((offer_en(rng), 1))
        elif r < 0.45:
            rows.append((_fill(rng, rng.choice(VI_OFFER)), 1))
        elif r < 0.5:
            rows.append((_fill(rng, rng.choice(VI_BENIGN)), 0))
        elif r < 0.77:
            text = _fill(rng, rng.choice(ZH_BENIGN))
            rows.append((s2t.convert(text) if rng.random() < 0.2 else text, 0))
        else:
            rows.append((_fill(rng, rng.choice(EN_BENIGN)), 0))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=4000)
    parser.add_argument("--homophones", type=int, default=200, help="Chinese offers written with homophones")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", default=str(HERE.parent / "src" / "wildtrace" / "screen" / "model"))
    args = parser.parse_args()
    with (HERE / "screen_training" / "handwritten.csv").open(encoding="utf-8") as fh:
        hand = [(r["text"], int(r["label"])) for r in csv.DictReader(fh)]
    # the hand-written posts count three times; the homophone offers draw from a random stream of their own, so
    # the other generated posts are the same with or without them
    heard_rng, sounds, s2t = random.Random(f"{args.seed}-heard"), Sounds(), opencc.OpenCC("s2t")
    rows = hand * 3 + generate(args.n, args.seed) + [
        (offer_zh(heard_rng, s2t, sounds), 1) for _ in range(args.homophones)]
    # the shipped model keeps the fast path (hashed n-grams + lexicon), a fixed C and the tier cut-offs its
    # quality was measured at: the synthetic training posts say little about where real posts should cut
    model = train_model([Document(t) for t, _ in rows], [y for _, y in rows], load_lexicon(), embeddings=True,
                        feature_sets=["fast"], c=4.0, thresholds=dict(DEFAULT_THRESHOLDS),
                        version="wildtrace-screen-2", seed=args.seed, threads=2)
    model.info.update(training_data={"handwritten": len(hand), "generated": args.n, "homophone_offers": args.homophones,
                                     "seed": args.seed})
    print(f"saved {model.save(args.out)} ({len(rows)} posts)")


if __name__ == "__main__":
    main()
