"""Posts week by week: illegal ads from traders (with the crackdown dip) and the benign majority."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from wildtrace.simulate._clock import WEEKS, at, week_of
from wildtrace.simulate._images import draw_image
from wildtrace.simulate._people import CRACKDOWN_WEEK, RECOVERY_WEEK, Account, Population
from wildtrace.simulate._text import per_gram_text, price_text, species_term, weight_text
from wildtrace.simulate._vocab import Vocabulary

ILLEGAL_PER_SCALE = 900
BENIGN_PER_SCALE = 2100
LANG_TAGS = {"zh": "zh-Hans", "zh_hant": "zh-Hant", "en": "en", "vi": "vi"}
NIGHT = (21, 22, 23, 0, 1, 2, 3, 4, 5)


def week_factor(week: int) -> float:
    """Ad volume relative to steady weeks: the week-5 crackdown cuts ~45%, recovery by week 13."""
    if week < CRACKDOWN_WEEK or week >= RECOVERY_WEEK:
        return 1.0
    return 0.55 + 0.45 * (week - CRACKDOWN_WEEK) / (RECOVERY_WEEK - CRACKDOWN_WEEK)


@dataclass
class Item:
    """One piece on offer; reposts show the same item with the same photo."""

    id: str
    account: Account
    species: str
    product_type: str
    grams: float
    price: float
    image: str = ""
    image_lines: list[str] = field(default_factory=list)


@dataclass
class SimPost:
    time: datetime
    account: Account
    text: str
    language: str
    media: list[str]
    deleted_at: datetime | None
    captured_at: datetime
    illegal: bool
    item: Item | None = None
    code_words: list[str] = field(default_factory=list)
    obfuscation: str = "none"
    image_only: bool = False
    kind: str = ""


def _hour(rng: random.Random, night_share: float) -> int:
    if rng.random() < night_share:
        return rng.choice(NIGHT)
    return rng.randrange(6, 21)


def _time(rng: random.Random, week: int, night_share: float) -> datetime:
    return at(week, rng.randrange(7), _hour(rng, night_share), rng.randrange(60)) + timedelta(seconds=rng.randrange(60))


def _language(rng: random.Random, options: list[str]) -> str:
    weights = {"zh": 0.72, "zh_hant": 0.12, "en": 0.11, "vi": 0.05}
    return rng.choices(options, [weights[o] for o in options])[0]


class PostMaker:
    """Writes every post of the world in time order, drawing images into ``out/media``."""

    def __init__(self, rng: random.Random, scale: float, vocab: Vocabulary, pop: Population, out: Path) -> None:
        self.rng, self.scale, self.v, self.pop, self.out = rng, scale, vocab, pop, out
        self.items: dict[str, list[Item]] = {}
        self.n_items = 0
        self.n_images = 0
        self.trader_accounts = [a for a in pop.accounts if a.person.kind == "trader"]
        self.benign_accounts = [a for a in pop.accounts if a.person.kind == "benign"]
        self.side_accounts = [a for a in self.trader_accounts if a.person.category in ("C", "D")]

    def weeks(self) -> Iterator[list[SimPost]]:
        total = sum(week_factor(w) for w in range(1, WEEKS + 1))
        for week in range(1, WEEKS + 1):
            n_illegal = round(ILLEGAL_PER_SCALE * self.scale / total * week_factor(week))
            n_benign = round(BENIGN_PER_SCALE * self.scale / WEEKS)
            posts = [p for p in (self._illegal(week) for _ in range(n_illegal)) if p is not None]
            posts += [self._benign(week) for _ in range(n_benign)]
            posts.sort(key=lambda p: (p.time, p.account.id))
            yield posts

    # -- illegal ads -------------------------------------------------------------------------------
    def _illegal(self, week: int) -> SimPost | None:
        rng = self.rng
        for _ in range(20):
            t = _time(rng, week, 0.82)
            active = [a for a in self.trader_accounts if a.active(t)]
            if active:
                break
        else:
            return None
        weights = [2.0 if a.is_backup else 1.0 for a in active]
        acc = rng.choices(active, weights)[0]
        prior = self.items.get(acc.id, [])
        item = rng.choice(prior) if prior and rng.random() < 0.22 else self._new_item(acc, week)
        lang = _language(rng, ["zh", "zh_hant", "en", "vi"])
        crackdown = week >= CRACKDOWN_WEEK
        obf = rng.choices(["none", "code_word", "pinyin", "initials", "split", "emoji_split", "traditional"],
                          [3, 5 if crackdown else 3, 1, 1, 1.5 if crackdown else 0.5, 1 if crackdown else 0.3,
                           0.5 if lang == "zh_hant" else 0])[0]
        if lang == "en" and obf in ("traditional",):
            obf = "none"
        term, words = species_term(rng, self.v.species[item.species], self.v, lang, week, obf)
        image_only = bool(item.image) and rng.random() < 0.35
        if image_only:
            text = rng.choice(["看图", "如图", "详情看图", "懂的私", "🈶", "see pic", "…", "🔥🔥", "老规矩 看图"])
        else:
            text = self._ad_text(lang, term, item)
        deleted = t + timedelta(hours=rng.uniform(1, 10)) if rng.random() < 0.4 else None
        return SimPost(t, acc, text, lang, [item.image] if item.image else [], deleted, self._captured(t, deleted),
                       True, item, words, obf, image_only)

    def _captured(self, t: datetime, deleted: datetime | None) -> datetime:
        c = t + timedelta(minutes=self.rng.randrange(5, 180))
        return min(c, deleted - timedelta(minutes=1)) if deleted else c

    def _new_item(self, acc: Account, week: int) -> Item:
        rng, p = self.rng, acc.person
        sp_id = rng.choices(p.species, [self.v.species[s].share for s in p.species])[0]
        sp = self.v.species[sp_id]
        wanted = {"raw_trader": ["raw"], "processor": ["semi_worked", "worked_uncarved"],
                  "wholesaler": ["worked_uncarved", "worked_carved", "semi_worked"]}.get(p.role, ["worked_carved",
                                                                                                   "worked_uncarved"])
        options = [t for t in wanted if t in sp.products] or list(sp.products)
        ptype = rng.choice(options)
        model = sp.products[ptype]
        lo, hi = model.grams
        grams = round(lo * (hi / lo) ** rng.random())
        ppg = max(model.mean * 0.15, rng.gauss(model.mean, model.sd))
        price = ppg * grams
        price = round(price, -2) if price > 2000 else round(price)
        self.n_items += 1
        item = Item(f"I{self.n_items:06d}", acc, sp_id, ptype, grams, float(price))
        if rng.random() < 0.5:
            self.n_images += 1
            item.image = f"media/item_{self.n_items:06d}.png"
            lang = rng.choice(["zh", "zh", "en"])
            term, _ = species_term(rng, sp, self.v, lang, week, rng.choice(["none", "code_word"]))
            noun = rng.choice(self.v.products[ptype][lang])
            item.image_lines = [f"{term} {noun}", f"{weight_text(rng, grams, lang)}  {price_text(rng, price, lang)}",
                                rng.choice([f"V {p.wechat}", f"Tel {p.phone}", f"微信 {p.wechat}"])]
            draw_image(rng, item.image_lines, self.out / item.image)
        self.items.setdefault(acc.id, []).append(item)
        return item

    def _ad_text(self, lang: str, term: str, item: Item) -> str:
        rng, v, p = self.rng, self.v, item.account.person
        s = v.slots
        noun = rng.choice(v.products[item.product_type][lang])
        sep = " " if lang in ("en", "vi") else ""
        head = rng.choice([f"{term}{sep}{noun}", f"{noun}（{term}）", f"{noun} {term}",
                           f"{term}料{noun}" if lang == "zh" else f"{term} {noun}"])
        price = (f"{rng.choice(s['price_label'][lang])} {price_text(rng, item.price, lang)}" if rng.random() < 0.75
                 else per_gram_text(rng, item.price / item.grams, lang))
        weight = f"{rng.choice(s['weight_label'][lang])}{sep or ' '}{weight_text(rng, item.grams, lang)}"
        contact = rng.choice(s["contact"][lang]).format(c=rng.choice([p.wechat, p.phone, p.wechat, f"Q{p.phone[3:]}"]))
        parts = [head, weight, price]
        for slot, prob in (("quality", 0.5), ("claim", 0.4), ("delivery", 0.4)):
            if rng.random() < prob:
                parts.insert(rng.randrange(1, len(parts) + 1), rng.choice(s[slot][lang]))
        if rng.random() < 0.6:
            parts.insert(0, rng.choice(s["opener"][lang]))
        if rng.random() < 0.7:
            parts.append(contact)
        if rng.random() < 0.5:
            parts.append(rng.choice(s["closer"][lang]))
        joiner = rng.choice([", ", " | ", "; ", " "] if lang in ("en", "vi") else ["，", " ", "。", "\n", "、", " ✨ "])
        text = joiner.join(parts)
        if rng.random() < 0.5:
            text = rng.choice(v.emoji) + text + "".join(rng.choices(v.emoji, k=rng.randrange(3)))
        return text

    # -- the benign majority -----------------------------------------------------------------------
    def _benign(self, week: int) -> SimPost:
        rng, v = self.rng, self.v
        t = _time(rng, week, 0.12)
        if self.side_accounts and rng.random() < 0.15:
            acc = rng.choice([a for a in self.side_accounts if a.active(t)] or self.benign_accounts)
            kind = v.benign[rng.choice(["legal_collector", "ordinary_shop"])]
        else:
            acc = rng.choice(self.benign_accounts)
            kinds = list(v.benign.values())
            kind = rng.choices(kinds, [k.weight for k in kinds])[0]
        lang = _language(rng, [lang for lang in kind.head if lang in ("zh", "en", "vi")])
        p = acc.person
        amount = rng.choice([19.9, 39, 68, 128, 299, 888, 1680, 3200, 12800]) * rng.uniform(0.8, 1.3)
        fill = {"price": price_text(rng, amount, lang),
                "contact": rng.choice([p.wechat, p.phone]), "kg": str(rng.choice([12, 45, 80, 150, 320, 1300]))}
        parts = [rng.choice(kind.head[lang])]
        bodies = kind.body.get(lang) or kind.body["zh"]
        parts += rng.sample(bodies, min(len(bodies), rng.randint(1, 3)))
        if kind.tail.get(lang) and rng.random() < 0.6:
            parts.append(rng.choice(kind.tail[lang]))
        joiner = rng.choice([", ", " "] if lang in ("en", "vi") else ["，", " ", "。", "！"])
        text = joiner.join(x.format(**fill) for x in parts)
        if rng.random() < 0.3:
            text += rng.choice(v.emoji)
        media: list[str] = []
        if rng.random() < 0.25:
            self.n_images += 1
            media = [f"media/benign_{self.n_images:06d}.png"]
            draw_image(rng, [parts[0], fill["price"]], self.out / media[0])
        deleted = t + timedelta(days=rng.uniform(1, 30)) if rng.random() < 0.02 else None
        return SimPost(t, acc, text, lang, media, deleted, self._captured(t, deleted), False, kind=kind.id)


def post_week(post: SimPost) -> int:
    return week_of(post.time)
