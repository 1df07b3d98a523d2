"""Who is in the world: traders in networks, buyers, a benign majority; their accounts and money accounts."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from wildtrace.simulate._clock import START, at
from wildtrace.simulate._vocab import Vocabulary

# Published shares of trader categories (TRAFFIC 2015): A ivory only, B ivory + other endangered species,
# C collectables incl. ivory, D other business incl. ivory.
CATEGORY_SHARES = {"A": 0.138, "B": 0.414, "C": 0.207, "D": 0.241}
# One network's chain, upstream first; longer networks add retailers and agents.
CHAIN = ("raw_trader", "processor", "wholesaler", "retailer", "agent", "retailer", "retailer", "agent")
PLATFORMS = (
    ("chatfeed", "ChatFeed Moments", "messenger", "https://chatfeed.example"),
    ("bazaar", "Bazaar second-hand market", "marketplace", "https://bazaar.example"),
    ("antiqueforum", "Antique Collectors Forum", "forum", "https://antiqueforum.example"),
    ("clipsnap", "ClipSnap short videos", "video", "https://clipsnap.example"),
)
BANKS = ("ICBC", "CCB", "ABC", "BOC", "CMB", "PSBC")
CRACKDOWN_WEEK = 5
RECOVERY_WEEK = 13


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
    backup_of: str = ""
    blocked_at: datetime | None = None
    shared: str = ""  # what a backup shares with its original: phone, wallet or photo

    def active(self, t: datetime) -> bool:
        return t >= self.first_seen and (self.blocked_at is None or t < self.blocked_at)


@dataclass
class Person:
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
    accounts: list[Account] = field(default_factory=list)


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


def _name(rng: random.Random, v: Vocabulary) -> str:
    return rng.choice(v.family_names) + rng.choice(v.given_names)


def _species_for(rng: random.Random, category: str, v: Vocabulary) -> tuple[str, ...]:
    others = [s for s in v.species if s != "ivory"]
    if category == "B":
        return ("ivory", *rng.sample(others, rng.randint(1, 3)))
    return ("ivory",)


@dataclass
class Population:
    people: list[Person]
    accounts: list[Account]

    @property
    def traders(self) -> list[Person]:
        return [p for p in self.people if p.kind == "trader"]

    def of_kind(self, kind: str) -> list[Person]:
        return [p for p in self.people if p.kind == kind]


def build_population(rng: random.Random, scale: float, v: Vocabulary) -> Population:
    """Traders (categories, chain roles, networks), buyers and benign people, each with accounts."""
    n_traders = max(8, round(60 * scale))
    n_buyers = max(10, round(150 * scale))
    n_benign = max(30, round(400 * scale))
    phones: set[str] = set()
    people: list[Person] = []
    cats = largest_remainder(n_traders, CATEGORY_SHARES)
    rng.shuffle(cats)
    for i, cat in enumerate(cats):
        net = i // 6
        people.append(Person(f"P{len(people) + 1:05d}", _name(rng, v), _phone(rng, phones),
                             f"wx_{rng.choice(v.handles)}{rng.randrange(100, 9999)}", rng.choice(v.cities), "trader",
                             category=cat, role=CHAIN[i % 6] if i % 6 < len(CHAIN) else "retailer",
                             network_id=f"N{net + 1:03d}", species=_species_for(rng, cat, v)))
    for kind, n in (("buyer", n_buyers), ("benign", n_benign)):
        for _ in range(n):
            people.append(Person(f"P{len(people) + 1:05d}", _name(rng, v), _phone(rng, phones),
                                 f"wx_{rng.choice(v.handles)}{rng.randrange(100, 99999)}", rng.choice(v.cities), kind))
    for p in people:
        p.wallet = f"wallet:{rng.randrange(10**10):010d}"
        p.bank = f"bank:62{rng.choice('0125')}{rng.randrange(10**13):013d}"
    accounts: list[Account] = []
    for p in people:
        if p.kind == "buyer":
            continue
        platforms = ["chatfeed"] if p.kind == "trader" else [rng.choice([x[0] for x in PLATFORMS])]
        if p.kind == "trader" and rng.random() < 0.5:
            platforms.append(rng.choice(["bazaar", "antiqueforum", "clipsnap"]))
        for plat in platforms:
            accounts.append(_account(rng, v, p, plat, START - timedelta(days=rng.randrange(30, 900))))
    _crackdown(rng, v, [a for a in accounts if a.person.kind == "trader"], accounts)
    return Population(people, accounts)


def _account(rng: random.Random, v: Vocabulary, p: Person, platform: str, first_seen: datetime,
             handle: str | None = None) -> Account:
    handle = handle or f"{rng.choice(v.handles)}{rng.choice(['', '_', '.'])}{rng.randrange(10, 99999)}"
    display = rng.choice([p.name[0] + rng.choice(["老板", "先生", "姐", "哥", "记"]), rng.choice(v.handles).title(),
                          p.city + rng.choice(["收藏", "工艺", "精品", "小店", "轩"])])
    bio = ""
    if p.kind == "trader" or rng.random() < 0.4:
        bio = rng.choice([f"V: {p.wechat}", f"☎ {p.phone}", f"微信 {p.wechat} 电话 {p.phone}", f"{p.city} 诚信经营"])
    acc = Account(f"{platform}:{handle}", platform, handle, p, display, bio, first_seen)
    p.accounts.append(acc)
    return acc


def _crackdown(rng: random.Random, v: Vocabulary, trader_accounts: list[Account], accounts: list[Account]) -> None:
    """Week 5: a share of trader accounts is blocked; by week 13 their owners open backup accounts."""
    blocked = [a for a in trader_accounts if a.platform == "chatfeed" and rng.random() < 0.45]
    for a in blocked:
        a.blocked_at = at(CRACKDOWN_WEEK, rng.randrange(0, 4), rng.randrange(0, 24), rng.randrange(60))
        week = rng.randint(7, RECOVERY_WEEK)
        shared = rng.choice(["phone", "wallet", "photo"])
        opened = at(week, rng.randrange(7), rng.randrange(24), rng.randrange(60))
        backup = _account(rng, v, a.person, a.platform, opened,
                          handle=a.handle + rng.choice(["2", "_bak", "_new", "88", "备用"]))
        backup.is_backup, backup.backup_of, backup.shared = True, a.id, shared
        if shared == "phone":
            backup.bio = f"备用号 ☎ {a.person.phone}"
        elif shared == "wallet":
            backup.bio = f"新号 收款 {a.person.wallet}"
        else:
            backup.bio = "原号被封 这是备用号"
        accounts.append(backup)
