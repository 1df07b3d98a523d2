"""Posts week by week: illegal ads from traders (with the crackdown dip) and the benign majority."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import accumulate
from pathlib import Path

from wildtrace.simulate._clock import WEEKS, at
from wildtrace.simulate._images import draw_image
from wildtrace.simulate._output import Csv
from wildtrace.simulate._people import CRACKDOWN_WEEK, RECOVERY_WEEK, Account, Person, Population, share_identifier
from wildtrace.simulate._text import (
    card_text,
    handle_text,
    per_gram_text,
    phone_text,
    price_text,
    species_term,
    weight_text,
)
from wildtrace.simulate._vocab import Vocabulary

ILLEGAL_PER_SCALE = 900
BENIGN_PER_SCALE = 2100
LANG_TAGS = {"zh": "zh-Hans", "zh_hant": "zh-Hant", "en": "en", "vi": "vi"}
NIGHT = (21, 22, 23, 0, 1, 2, 3, 4, 5)
ILLEGAL_NIGHT_SHARE = 0.82
BENIGN_NIGHT_SHARE = 0.12
REPOST_SHARE = 0.22
DELETED_SHARE = 0.4
ITEMS_KEPT = 30
# What each step of the chain offers; worked ivory is about 90% of the monitored market.
PRODUCTS_BY_ROLE = {
    "raw_trader": {"raw": 0.8, "semi_worked": 0.2},
    "processor": {"semi_worked": 0.2, "worked_uncarved": 0.8},
    "wholesaler": {"semi_worked": 0.1, "worked_uncarved": 0.45, "worked_carved": 0.45},
    "retailer": {"worked_uncarved": 0.45, "worked_carved": 0.55},
    "agent": {"worked_uncarved": 0.4, "worked_carved": 0.6},
}
# What a trader of category C or D mostly sells besides ivory (its own line) and what it sells now and then.
SIDE_LINES = {"C": ("legal_collector", "ordinary_shop"), "D": ("ordinary_shop", "legal_collector")}
OWN_LINE_SHARE = 0.85
# A trader of category B deals in its other species regularly: together they are this share of its new items (the
# published categories come from what traders were seen offering; by market shares alone a trader of ivory and tiger
# bone offered tiger in 6% of its items, and some B traders never showed their other line at all).
OTHER_SPECIES_SHARE = 0.4
# Upstream traders advertise less: raw material mostly changes hands offline.
ADS_BY_ROLE = {"raw_trader": 0.2, "processor": 0.6, "wholesaler": 1.0, "retailer": 1.0, "agent": 1.0}


def week_factor(week: int) -> float:
    """Ad volume relative to steady weeks: the week-5 crackdown cuts ~45%, back to normal by week 13."""
    if week < CRACKDOWN_WEEK or week >= RECOVERY_WEEK:
        return 1.0
    return 0.55 + 0.45 * (week - CRACKDOWN_WEEK) / (RECOVERY_WEEK - CRACKDOWN_WEEK)


def image_budget(scale: float) -> int:
    """How many pictures a world draws at most, so large scales stay bounded in time and disk."""
    return min(20000, max(300, round(2500 * scale)))


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
    code_words: list[str] = field(default_factory=list)


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


def _time(rng: random.Random, week: int, night_share: float) -> datetime:
    hour = rng.choice(NIGHT) if rng.random() < night_share else rng.randrange(6, 21)
    return at(week, rng.randrange(7), hour, rng.randrange(60)) + timedelta(seconds=rng.randrange(60))


class PostMaker:
    """Makes every post of the world, week by week in time order, drawing images into ``out/media``."""

    def __init__(self, rng: random.Random, scale: float, vocab: Vocabulary, pop: Population, out: Path) -> None:
        self.rng, self.scale, self.v, self.pop, self.out = rng, scale, vocab, pop, out
        self.items: dict[str, list[Item]] = {}  # by person: a trader reposts across accounts
        self.n_items = 0
        self.n_images = 0
        self.budget = image_budget(scale)
        self.photo_shown: set[str] = set()  # photo backups that reposted an original's photo
        self.trader_accounts = [a for a in pop.accounts if a.person.kind == "trader"]
        self.benign_accounts = [a for a in pop.accounts if a.person.kind == "benign"]
        self.side_accounts = [a for a in self.trader_accounts if a.person.category in ("C", "D")]
        self.image_truth = Csv(out / "truth" / "images.csv", ["image", "text", "is_illegal"])

    def weeks(self) -> Iterator[list[SimPost]]:
        """The posts of each week, sorted by time."""
        total = sum(week_factor(w) for w in range(1, WEEKS + 1))
        for week in range(1, WEEKS + 1):
            traders = [a for a in self.trader_accounts if a.active_in_week(week)]
            cum_weights = list(accumulate(a.person.activity * ADS_BY_ROLE[a.person.role] * (2.0 if a.is_backup else 1.0)
                                          for a in traders))
            side = [a for a in self.side_accounts if a.active_in_week(week)]
            noise = self.rng.uniform(0.94, 1.06)  # weeks are never quite alike
            n_illegal = round(ILLEGAL_PER_SCALE * self.scale / total * week_factor(week) * noise)
            n_benign = round(BENIGN_PER_SCALE * self.scale / WEEKS)
            posts = [p for p in (self._illegal(week, traders, cum_weights) for _ in range(n_illegal)) if p is not None]
            posts += [self._benign(week, side) for _ in range(n_benign)]
            posts.sort(key=lambda p: (p.time, p.account.id))
            yield posts
        for acc in self.trader_accounts:
            if acc.shared == "photo" and acc.id not in self.photo_shown:
                share_identifier(acc, "phone")
        self.image_truth.close()

    def _draw(self, image: str, lines: list[str], illegal: bool) -> None:
        draw_image(self.rng, lines, self.out / image)
        self.image_truth.row([image, " | ".join(lines), int(illegal)])

    def _captured(self, t: datetime, deleted: datetime | None) -> datetime:
        c = t + timedelta(minutes=self.rng.randrange(5, 180))
        return min(c, deleted - timedelta(minutes=1)) if deleted else c

    def _language(self, p: Person) -> str:
        return p.language if self.rng.random() < 0.85 else self.rng.choice(["zh", "zh", "zh_hant", "en", "vi"])

    # -- illegal ads -------------------------------------------------------------------------------
    def _illegal(self, week: int, traders: list[Account], cum_weights: list[float]) -> SimPost | None:
        rng = self.rng
        if not traders:
            return None
        for _ in range(30):
            acc, t = rng.choices(traders, cum_weights=cum_weights)[0], _time(rng, week, ILLEGAL_NIGHT_SHARE)
            if acc.active(t):
                break
        else:
            return None
        item = self._photo_of_original(acc) or self._pick_item(acc, week)
        lang = self._language(acc.person)
        obf = self._obfuscation(week, lang)
        term, words = species_term(rng, self.v.species[item.species], self.v, lang, week, obf)
        image_only = bool(item.image) and rng.random() < 0.35
        if image_only:
            text = rng.choice(self.v.slots["image_only"][lang])
            words, obf = list(item.code_words), "image"
        else:
            text = self._ad_text(lang, term, item, acc.person)
        deleted = t + timedelta(hours=rng.uniform(1, 10)) if rng.random() < DELETED_SHARE else None
        return SimPost(t, acc, text, lang, [item.image] if item.image else [], deleted, self._captured(t, deleted),
                       True, item, words, obf, image_only)

    def _photo_of_original(self, acc: Account) -> Item | None:
        if acc.shared != "photo" or acc.id in self.photo_shown or acc.backup_of is None:
            return None
        shown = [i for i in self.items.get(acc.person.id, []) if i.image and i.account is acc.backup_of]
        if not shown:
            return None
        self.photo_shown.add(acc.id)
        return self.rng.choice(shown)

    def _pick_item(self, acc: Account, week: int) -> Item:
        prior = self.items.get(acc.person.id, [])
        if prior and self.rng.random() < REPOST_SHARE:
            return self.rng.choice(prior)
        item = self._new_item(acc, week)
        self.items[acc.person.id] = [*prior[-(ITEMS_KEPT - 1):], item]
        return item

    def _obfuscation(self, week: int, lang: str) -> str:
        """After the crackdown traders hide more: more code words, split characters and homophones."""
        hiding = 1.0 if week < CRACKDOWN_WEEK else 1.8
        options = {"none": 3.0, "code_word": 3.0 * hiding, "pinyin": 0.8, "initials": 0.8, "split": 0.6 * hiding,
                   "emoji_split": 0.4 * hiding, "homophone": 0.5 * hiding,
                   "traditional": 0.6 if lang == "zh_hant" else 0.0}
        return self.rng.choices(list(options), list(options.values()))[0]

    def _species_weights(self, p: Person) -> list[float]:
        """Ivory, and any other species the trader deals in sharing ``OTHER_SPECIES_SHARE`` by market share."""
        others = sum(self.v.species[s].share for s in p.species if s != "ivory")
        if not others or "ivory" not in p.species:
            return [self.v.species[s].share for s in p.species]
        return [1 - OTHER_SPECIES_SHARE if s == "ivory" else OTHER_SPECIES_SHARE * self.v.species[s].share / others
                for s in p.species]

    def _new_item(self, acc: Account, week: int) -> Item:
        rng, p = self.rng, acc.person
        sp_id = rng.choices(p.species, self._species_weights(p))[0]
        sp = self.v.species[sp_id]
        wanted = {t: w for t, w in PRODUCTS_BY_ROLE[p.role].items() if t in sp.products}
        wanted = wanted or dict.fromkeys(sp.products, 1.0)
        ptype = rng.choices(list(wanted), list(wanted.values()))[0]
        model = sp.products[ptype]
        lo, hi = model.grams
        grams = round(lo * (hi / lo) ** rng.random())
        ppg = max(model.mean * 0.15, rng.gauss(model.mean, model.sd))
        price = ppg * grams
        self.n_items += 1
        item = Item(f"I{self.n_items:06d}", acc, sp_id, ptype, grams, float(round(price, -2) if price > 2000 else
                                                                             round(price)))
        if rng.random() < 0.5 and self.n_images < self.budget:
            self.n_images += 1
            item.image = f"media/item_{self.n_items:06d}.png"
            lang = "en" if p.language == "en" else "zh"
            term, item.code_words = species_term(rng, sp, self.v, lang, week, rng.choice(["none", "code_word"]))
            noun = rng.choice(self.v.products[ptype][lang])
            item.image_lines = [f"{term} {noun}",
                                f"{weight_text(rng, grams, lang)}  {price_text(rng, item.price, lang)}",
                                rng.choice([f"V {p.wechat}", f"Tel {p.phone}", f"微信 {p.wechat}", f"☎ {p.phone}"])]
            self._draw(item.image, item.image_lines, True)
        return item

    def _ad_text(self, lang: str, term: str, item: Item, p: Person) -> str:
        rng, v = self.rng, self.v
        s = v.slots
        noun = rng.choice(v.products[item.product_type][lang])
        sep = " " if lang in ("en", "vi") else ""
        head = rng.choice([f"{term}{sep}{noun}", f"{noun}（{term}）", f"{noun} {term}", f"【{term}】{noun}",
                           f"{term}料{noun}" if lang == "zh" else f"{term} - {noun}"])
        if rng.random() < 0.8:
            price = f"{rng.choice(s['price_label'][lang])}{sep or rng.choice(['', ' ', '：'])}" \
                    f"{price_text(rng, item.price, lang)}"
        else:
            price = per_gram_text(rng, item.price / item.grams, lang)
        label = rng.choice(s["weight_label"][lang])
        weight = f"{label}{sep or rng.choice(['', ' '])}{weight_text(rng, item.grams, lang)}"
        parts = [head, weight, price] if rng.random() < 0.7 else [head, price, weight]
        fill = {"n": str(rng.randint(1, 30)), "s": str(rng.choice([4, 6, 8, 10, 12, 14, 18, 25, 32, 56, 58, 60])),
                "c": card_text(rng, rng.choice([p.wallet, p.bank]))}
        for slot, prob in (("quality", 0.55), ("claim", 0.4), ("size", 0.25), ("stock", 0.2), ("delivery", 0.4),
                           ("pay", 0.12)):
            if rng.random() < prob:
                parts.insert(rng.randrange(1, len(parts) + 1), rng.choice(s[slot][lang]).format(**fill))
        if rng.random() < 0.6:
            parts.insert(0, rng.choice(s["opener"][lang]))
        if rng.random() < 0.75:
            if rng.random() < 0.35:
                contact = rng.choice(s["phone_contact"][lang]).format(c=phone_text(rng, p.phone))
            else:
                contact = rng.choice(s["contact"][lang]).format(c=handle_text(rng, p.wechat))
            parts.append(contact)
        if rng.random() < 0.5:
            parts.append(rng.choice(s["closer"][lang]))
        joiner = p.joiner if lang == p.language else (" " if lang in ("en", "vi") else "，")
        text = joiner.join(parts)
        if rng.random() < p.emoji_rate:
            text = rng.choice(v.emoji) + text + "".join(rng.choices(v.emoji, k=rng.randrange(3)))
        return text

    # -- the benign majority -----------------------------------------------------------------------
    def _benign(self, week: int, side: list[Account]) -> SimPost:
        rng, v = self.rng, self.v
        t = _time(rng, week, BENIGN_NIGHT_SHARE)
        trader = rng.choice(side) if side and rng.random() < 0.15 else None
        if trader is not None and trader.active(t):  # C traders deal in collectables, D traders in other goods
            acc = trader
            own, other = SIDE_LINES[trader.person.category]
            kind = v.benign[own if rng.random() < OWN_LINE_SHARE else other]
        else:
            acc = rng.choice(self.benign_accounts)
            kinds = list(v.benign.values())
            kind = rng.choices(kinds, [k.weight for k in kinds])[0]
        p = acc.person
        langs = list(kind.head)
        lang = p.language if p.language in langs and rng.random() < 0.8 else rng.choice(langs)
        amount = rng.choice([9.9, 19.9, 39, 68, 128, 299, 888, 1680, 3200, 12800]) * rng.uniform(0.8, 1.3)
        amount = float(f"{amount:.2g}")  # shops price in round numbers
        fill = {"price": price_text(rng, amount, lang),
                "contact": rng.choice([p.wechat, phone_text(rng, p.phone)]),
                "kg": str(rng.choice([12, 45, 80, 150, 320, 545, 1300]))}
        parts = [rng.choice(kind.head[lang])]
        bodies = kind.body.get(lang) or kind.body["zh"]
        parts += rng.sample(bodies, min(len(bodies), rng.randint(1, 3)))
        tails = kind.tail.get(lang)
        if tails and rng.random() < 0.6:
            parts.append(rng.choice(tails))
        joiner = rng.choice([", ", " ", " - "] if lang in ("en", "vi") else ["，", " ", "。", "！", "\n"])
        text = joiner.join(x.format(**fill) for x in parts)
        if rng.random() < 0.3:
            text += rng.choice(v.emoji)
        media: list[str] = []
        if rng.random() < 0.25 and self.n_images < self.budget:
            self.n_images += 1
            media = [f"media/benign_{self.n_images:06d}.png"]
            self._draw(media[0], [parts[0], fill["price"]], False)
        deleted = t + timedelta(days=rng.uniform(1, 30)) if rng.random() < 0.02 else None
        return SimPost(t, acc, text, lang, media, deleted, self._captured(t, deleted), False, kind=kind.id)
