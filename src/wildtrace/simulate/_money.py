"""Payments and parcels: sales that follow advertised prices, layering in the networks, benign bulk."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise

from wildtrace.simulate._clock import START, WEEKS
from wildtrace.simulate._people import Person, Population
from wildtrace.simulate._posts import Item
from wildtrace.simulate._vocab import Vocabulary

BENIGN_TX_PER_SCALE = 27000
COURIERS = ("SF Express", "ZTO", "YTO", "STO", "Yunda", "EMS", "JD Logistics")
TRADE_MEMOS = ("货款", "工艺品", "茶叶", "手镯", "尾款", "定金", "", "", "摆件", "红包")
BENIGN_MEMOS = ("房租", "工资", "午饭", "水果", "AA", "话费", "货款", "学费", "", "", "红包", "快递费", "奶茶")
DECLARED = ("工艺品", "茶叶", "衣服", "饰品", "文具", "日用品", "玩具", "样品")
BENIGN_DECLARED = ("衣服", "书", "手机壳", "零食", "化妆品", "鞋", "茶叶", "数码配件", "日用品")


@dataclass
class Tx:
    id: str
    time: datetime
    payer: str
    payee: str
    amount: float
    channel: str
    memo: str
    is_trade: bool
    typology: str


@dataclass
class Parcel:
    waybill: str
    time: datetime
    sender_name: str
    sender_phone: str
    receiver_name: str
    receiver_phone: str
    address: str
    declared_contents: str
    weight_g: float
    courier: str
    picked_up_by: str
    is_trade: bool
    pattern: str
    species: str = ""


def _pay(rng: random.Random, p: Person) -> tuple[str, str]:
    return (p.wallet, "wallet") if rng.random() < 0.65 else (p.bank, "bank_transfer")


class Ledger:
    """Collects transactions and parcels; ids are given in time order when written."""

    def __init__(self, rng: random.Random, vocab: Vocabulary, pop: Population) -> None:
        self.rng, self.v, self.pop = rng, vocab, pop
        self.txs: list[Tx] = []
        self.parcels: list[Parcel] = []
        self.buyers = pop.of_kind("buyer")
        self.networks: dict[str, list[Person]] = {}
        for p in pop.traders:
            self.networks.setdefault(p.network_id, []).append(p)

    def tx(self, t: datetime, payer: Person, payee: Person, amount: float, trade: bool, typology: str,
           memo: str | None = None) -> None:
        src, channel = _pay(self.rng, payer)
        dst = payee.wallet if channel == "wallet" else payee.bank
        memos = TRADE_MEMOS if trade else BENIGN_MEMOS
        self.txs.append(Tx("", t, src, dst, round(amount, 2), channel, self.rng.choice(memos) if memo is None else memo,
                           trade, typology))

    def sale(self, item: Item, posted: datetime) -> None:
        """A buyer pays roughly the advertised price (sometimes in two parts) and the seller ships."""
        rng = self.rng
        seller = item.account.person
        buyer = rng.choice(self.buyers)
        t = posted + timedelta(hours=rng.uniform(2, 96))
        amount = item.price * rng.uniform(0.85, 1.0)
        if rng.random() < 0.25:
            first = round(amount * rng.uniform(0.2, 0.5), -1)
            self.tx(t, buyer, seller, first, True, "sale", "定金")
            self.tx(t + timedelta(hours=rng.uniform(1, 30)), buyer, seller, amount - first, True, "sale", "尾款")
        else:
            self.tx(t, buyer, seller, amount, True, "sale")
        self.ship(t + timedelta(hours=rng.uniform(3, 48)), seller, buyer, item.grams, item.species)

    def ship(self, t: datetime, sender: Person, receiver: Person, grams: float, species: str) -> None:
        rng, v = self.rng, self.v
        fake = rng.random() < 0.8
        sender_name = rng.choice(v.family_names) + rng.choice(["先生", "女士", "生", "姐"]) if fake else sender.name
        receiver_name = rng.choice(v.family_names) + rng.choice(v.given_names) if rng.random() < 0.6 else receiver.name
        third = rng.random() < 0.3
        picked = rng.choice(v.family_names) + rng.choice(v.given_names) + "（代取）" if third else ""
        pattern = "third_party_pickup" if third else "false_name" if fake else "direct"
        self.parcels.append(Parcel("", t, sender_name, sender.phone, receiver_name, receiver.phone,
                                   f"{receiver.city}{rng.choice(v.districts)}{rng.randrange(1, 300)}号",
                                   rng.choice(DECLARED), round(grams * rng.uniform(1.1, 1.6) + 50, 0),
                                   rng.choice(COURIERS), picked, True, pattern, species))

    def layering(self) -> None:
        """Inside each network: supply purchases upstream, fan-in to the collector, pass-through, cycles."""
        rng = self.rng
        for members in self.networks.values():
            by_role: dict[str, list[Person]] = {}
            for m in members:
                by_role.setdefault(m.role, []).append(m)
            collector = (by_role.get("wholesaler") or by_role.get("raw_trader") or members)[0]
            agents = by_role.get("agent", [])
            for week in range(1, WEEKS + 1):
                base = START + timedelta(weeks=week - 1)
                # supply: each step buys from the one upstream
                chain = [by_role.get(r, [None])[0] for r in ("raw_trader", "processor", "wholesaler")]
                for up, down in pairwise(chain):
                    if up and down and rng.random() < 0.6:
                        self.tx(base + timedelta(hours=rng.uniform(0, 160)), down, up, rng.uniform(8000, 90000), True,
                                "supply")
                for m in members:
                    if m is collector or rng.random() > 0.5:
                        continue
                    t = base + timedelta(hours=rng.uniform(0, 160))
                    amount = rng.uniform(2000, 30000)
                    if agents and m not in agents and rng.random() < 0.4:
                        agent = rng.choice(agents)
                        self.tx(t, m, agent, amount, True, "pass_through")
                        self.tx(t + timedelta(minutes=rng.uniform(5, 240)), agent, collector, amount * 0.98, True,
                                "pass_through")
                    else:
                        self.tx(t, m, collector, amount, True, "fan_in")
                if len(members) >= 3 and rng.random() < 0.3:
                    ring = rng.sample(members, 3)
                    t = base + timedelta(hours=rng.uniform(0, 150))
                    amount = rng.uniform(10000, 50000)
                    for i in range(3):
                        self.tx(t + timedelta(hours=i * rng.uniform(1, 6)), ring[i], ring[(i + 1) % 3],
                                amount * (1 - 0.01 * i), True, "cycle")

    def benign(self, scale: float) -> None:
        """Everyday payments in bulk: shops paid by many, salaries, rent, friends; traders live too."""
        rng = self.rng
        people = self.pop.people
        shops = [p for p in people if p.kind == "benign"][: max(3, len(people) // 20)]
        n = round(BENIGN_TX_PER_SCALE * scale)
        span = WEEKS * 7 * 24 * 3600
        for _ in range(n):
            t = START + timedelta(seconds=rng.randrange(span))
            r = rng.random()
            if r < 0.5:
                self.tx(t, rng.choice(people), rng.choice(shops), rng.uniform(5, 400), False, "benign_bulk", "")
            elif r < 0.6:
                salary = rng.uniform(3000, 12000)
                self.tx(t, rng.choice(shops), rng.choice(people), salary, False, "benign_bulk", "工资")
            else:
                a, b = rng.sample(people, 2)
                self.tx(t, a, b, rng.choice([rng.uniform(10, 500), rng.uniform(500, 20000)]), False, "benign")
        for _ in range(round(n / 10)):
            a, b = rng.sample(people, 2)
            self.parcels.append(Parcel("", START + timedelta(seconds=rng.randrange(span)), a.name, a.phone, b.name,
                                       b.phone, f"{b.city}{rng.choice(self.v.districts)}{rng.randrange(1, 300)}号",
                                       rng.choice(BENIGN_DECLARED), float(rng.randrange(100, 5000)),
                                       rng.choice(COURIERS), "", False, "benign"))
