"""Who is in the world: traders in networks, buyers, a benign majority; their accounts and money accounts."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from wildtrace.simulate._clock import START, WEEKS, at
from wildtrace.simulate._vocab import Vocabulary

# Published shares of trader categories (TRAFFIC 2015): A ivory only, B ivory + other endangered species,
# C collectables incl. ivory, D other business incl. ivory.
CATEGORY_SHARES = {"A": 0.138, "B": 0.414, "C": 0.207, "D": 0.241}
# One network's chain, upstream first; larger networks add retailers and agents.
CHAIN = ("raw_trader", "processor", "wholesaler", "retailer", "agent", "retailer", "retailer", "agent", "retailer")
PLATFORMS = (
    ("chatfeed", "ChatFeed Moments", "messenger", "https://chatfeed.example"),
    ("bazaar", "Bazaar second-hand market", "marketplace", "https://bazaar.example"),
    ("antiqueforum", "Antique Collectors Forum", "forum", "https://antiqueforum.example"),
    ("clipsnap", "ClipSnap short videos", "video", "https://clipsnap.example"),
)
BANKS = ("ICBC", "CCB", "ABC", "BOC", "CMB", "PSBC")
CRACKDOWN_WEEK = 5
RECOVERY_WEEK = 13
BLOCKED_SHARE = 0.45
LANGUAGE_SHARES = {"zh": 0.70, "zh_hant": 0.14, "en": 0.10, "vi": 0.06}


@dataclass
class Account:
    id: str
    platform: str
    handle: str
    person: Person
    display_name: str
    bio: str
    first_seen: datetime
    is_backup: bool = False
    backup_of: Account | None = None
    blocked_at: datetime | None = None
    shared: str = ""  # what a backup shares with its original: phone, wallet or photo

    def active(self, t: datetime) -> bool:
        return t >= self.first_seen and (self.blocked_at is None or t < self.blocked_at)

    def active_in_week(self, week: int) -> bool:
        return self.first_seen < at(week + 1, 0, 0) and (self.blocked_at is None or self.blocked_at > at(week, 0, 0))


@dataclass
class Person:
    """Someone in the world; traders also have a writing style of their own."""

    id: str
    name: str
    phone: str
    wechat: str
    city: str
    kind: str  # trader, buyer, benign
    category: str = ""
    role: str = ""
    network_id: str = ""
    species: tuple[str, ...] = ()
    wallet: str = ""
    bank: str = ""
    bank_name: str = ""
    language: str = "zh"
    joiner: str = "，"
    emoji_rate: float = 0.3
    activity: float = 1.0
    accounts: list[Account] = field(default_factory=list)


@dataclass
class Population:
    people: list[Person]
    accounts: list[Account]

    @property
    def traders(self) -> list[Person]:
        return [p for p in self.people if p.kind == "trader"]

    def of_kind(self, kind: str) -> list[Person]:
        return [p for p in self.people if p.kind == kind]


def largest_remainder(n: int, shares: dict[str, float]) -> list[str]:
    """``n`` labels in the given shares, as exactly as whole numbers allow."""
    raw = {k: n * v / sum(shares.values()) for k, v in shares.items()}
    counts = {k: int(v) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: raw[k] - counts[k], reverse=True)[: n - sum(counts.values())]:
        counts[k] += 1
    return [k for k in shares for _ in range(counts[k])]


def _phone(rng: random.Random, used: set[str]) -> str:
    while True:
        p = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
        if p not in used:
            used.add(p)
            return p


def _species_for(rng: random.Random, category: str, v: Vocabulary) -> tuple[str, ...]:
    others = [s for s in v.species if s != "ivory"]
    if category == "B":
        return ("ivory", *rng.sample(others, rng.randint(1, 3)))
    return ("ivory",)


def _networks(rng: random.Random, n: int) -> list[tuple[str, str]]:
    """(network id, role) for ``n`` traders: networks of five or more people along the whole chain."""
    sizes = [5] * max(1, min(n // 5, round(n / 6.5)))
    for _ in range(n - sum(sizes)):
        sizes[rng.randrange(len(sizes))] += 1
    return [(f"N{net:03d}", CHAIN[i] if i < len(CHAIN) else "retailer")
            for net, size in enumerate(sizes, 1) for i in range(size)]


def build_population(rng: random.Random, scale: float, v: Vocabulary) -> Population:
    """Traders (categories, chain roles, networks), buyers and benign people, each with accounts."""
    n_traders = max(10, round(60 * scale))
    phones: set[str] = set()
    handles: set[str] = set()
    people: list[Person] = []

    def person(kind: str) -> Person:
        wechat = _unique(rng, handles, lambda: f"{rng.choice(v.handles)}{rng.randrange(100, 99999)}")
        p = Person(f"P{len(people) + 1:06d}", rng.choice(v.family_names) + rng.choice(v.given_names),
                   _phone(rng, phones), wechat, rng.choice(v.cities), kind)
        p.wechat = "wx_" + p.wechat if rng.random() < 0.5 else p.wechat
        p.wallet = f"wallet:{rng.randrange(10**10):010d}"
        p.bank_name = rng.choice(BANKS)
        p.bank = f"bank:62{rng.choice('0125')}{rng.randrange(10**13):013d}"
        p.language = rng.choices(list(LANGUAGE_SHARES), list(LANGUAGE_SHARES.values()))[0]
        latin = p.language in ("en", "vi")
        p.joiner = rng.choice([", ", " | ", "; ", " "] if latin else ["，", " ", "。", "\n", "、", "～"])
        p.emoji_rate = rng.choice([0.0, 0.2, 0.5, 0.9])
        p.activity = rng.lognormvariate(0, 0.6)
        people.append(p)
        return p

    cats = largest_remainder(n_traders, CATEGORY_SHARES)
    rng.shuffle(cats)
    for cat, (net, role) in zip(cats, _networks(rng, n_traders), strict=True):
        p = person("trader")
        p.category, p.network_id, p.role, p.species = cat, net, role, _species_for(rng, cat, v)
    for kind, n in (("buyer", max(10, round(150 * scale))), ("benign", max(30, round(400 * scale)))):
        for _ in range(n):
            person(kind)
    accounts: list[Account] = []
    for p in people:
        if p.kind == "buyer":
            continue
        platforms = ["chatfeed"] if p.kind == "trader" else [rng.choice([x[0] for x in PLATFORMS])]
        if rng.random() < (0.5 if p.kind == "trader" else 0.15):
            platforms.append(rng.choice([x[0] for x in PLATFORMS if x[0] not in platforms]))
        for plat in platforms:
            accounts.append(_account(rng, v, p, plat, START - timedelta(days=rng.randrange(30, 900)), handles))
    _crackdown(rng, v, accounts, handles)
    return Population(people, accounts)


def _unique(rng: random.Random, used: set[str], make: object) -> str:
    while True:
        value = make()  # type: ignore[operator]
        if value not in used:
            used.add(value)
            return str(value)


def _account(rng: random.Random, v: Vocabulary, p: Person, platform: str, first_seen: datetime, used: set[str],
             handle: str | None = None) -> Account:
    handle = handle or _unique(rng, used, lambda: f"{rng.choice(v.handles)}{rng.choice(['', '_', '.'])}"
                                                 f"{rng.randrange(10, 99999)}")
    display = rng.choice([p.name[0] + rng.choice(["老板", "先生", "姐", "哥", "记", "总"]),
                          rng.choice(v.handles).title(),
                          p.city + rng.choice(["收藏", "工艺", "精品", "小店", "轩", "阁", "堂"])])
    bio = ""
    if p.kind == "trader" or rng.random() < 0.4:
        bio = rng.choice([f"V: {p.wechat}", f"☎ {p.phone}", f"微信 {p.wechat} 电话 {p.phone}", f"{p.city} 诚信经营",
                          f"{p.city} | {p.wechat}", ""])
    acc = Account(f"{platform}:{handle}", platform, handle, p, display, bio, first_seen)
    p.accounts.append(acc)
    return acc


def _crackdown(rng: random.Random, v: Vocabulary, accounts: list[Account], used: set[str]) -> None:
    """Week 5: a share of messenger trader accounts is blocked; by week 13 their owners open backups.

    A backup shares the original's phone, payment account or photos; photo backups repost an original's
    picture (see the post maker), and fall back to the phone if the original never posted one.
    """
    originals = [a for a in accounts if a.person.kind == "trader" and a.platform == "chatfeed"]
    for a in originals:
        if rng.random() >= BLOCKED_SHARE:
            continue
        a.blocked_at = at(CRACKDOWN_WEEK, rng.randrange(0, 4), rng.randrange(0, 24), rng.randrange(60))
        week = rng.randint(CRACKDOWN_WEEK + 2, min(RECOVERY_WEEK, WEEKS))
        opened = at(week, rng.randrange(7), rng.randrange(24), rng.randrange(60))
        handle = _unique(rng, used, lambda a=a: a.handle + rng.choice(["2", "_bak", "_new", "88", "_备用", "666"]))
        backup = _account(rng, v, a.person, a.platform, opened, used, handle=handle)
        backup.is_backup, backup.backup_of = True, a
        share_identifier(backup, rng.choice(["phone", "wallet", "photo"]))
        accounts.append(backup)


def share_identifier(backup: Account, shared: str) -> None:
    """Make ``backup`` and its original show what they share (a photo is shown by reposting it)."""
    p, original = backup.person, backup.backup_of
    wallet = p.wallet.split(":", 1)[1]
    backup.shared = shared
    backup.bio = {"phone": f"备用号 ☎ {p.phone}", "wallet": f"新号 收款 {wallet}",
                  "photo": "原号被封 这是备用号"}[shared]
    if original is not None and shared == "phone" and p.phone not in original.bio:
        original.bio = f"{original.bio} ☎ {p.phone}".strip()
    if original is not None and shared == "wallet" and wallet not in original.bio:
        original.bio = f"{original.bio} 收款 {wallet}".strip()
