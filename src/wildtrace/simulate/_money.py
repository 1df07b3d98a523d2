"""Payments and parcels: sales that follow advertised prices, layering in the networks, benign bulk.

Everything is kept per week and written when a week can no longer change (a sale follows its ad
within days), so memory stays bounded by a couple of weeks of activity at any scale.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path

from wildtrace.simulate._clock import START, week_of
from wildtrace.simulate._output import Csv, Jsonl
from wildtrace.simulate._people import Person, Population
from wildtrace.simulate._posts import Item
from wildtrace.simulate._vocab import Vocabulary

BENIGN_TX_PER_SCALE = 27000
SALE_SHARE = 0.55
SEIZED_SHARE = 0.06
COURIERS = {"SF Express": "SF", "ZTO": "ZT", "YTO": "YT", "STO": "ST", "Yunda": "YD", "EMS": "EM", "JD Logistics": "JD"}
TRADE_MEMOS = ("货款", "工艺品", "茶叶", "手镯", "尾款", "定金", "", "", "摆件", "红包", "代购", "还款")
BENIGN_MEMOS = ("房租", "工资", "午饭", "水果", "AA", "话费", "货款", "学费", "", "", "红包", "快递费", "奶茶", "还款")
DECLARED = ("工艺品", "茶叶", "衣服", "饰品", "文具", "日用品", "玩具", "样品", "树脂工艺品", "牛骨制品")
BENIGN_DECLARED = ("衣服", "书", "手机壳", "零食", "化妆品", "鞋", "茶叶", "数码配件", "日用品", "工艺品", "饰品")
AGENCIES = ("海关缉私局", "森林公安", "市公安局", "市场监管局")


@dataclass
class Tx:
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


class Ledger:
    """Transactions and parcels of the world, written week by week in time order with sequential ids."""

    def __init__(self, rng: random.Random, vocab: Vocabulary, pop: Population, scale: float, out: Path) -> None:
        self.rng, self.v, self.pop, self.scale = rng, vocab, pop, scale
        self.txs: dict[int, list[Tx]] = {}
        self.parcels: dict[int, list[Parcel]] = {}
        self.buyers = pop.of_kind("buyer")
        self.people = pop.people
        self.shops = pop.of_kind("benign")[: max(3, len(pop.people) // 20)]
        self.networks: dict[str, list[Person]] = {}
        for p in pop.traders:
            self.networks.setdefault(p.network_id, []).append(p)
        self.tx_out = Csv(out / "transactions.csv",
                          ["id", "time", "payer", "payee", "amount", "currency", "channel", "memo"])
        self.tx_truth = Csv(out / "truth" / "transactions.csv", ["id", "is_trade", "typology"])
        self.ship_out = Jsonl(out / "shipments.jsonl")
        self.ship_truth = Csv(out / "truth" / "shipments.csv", ["waybill", "is_trade", "pattern"])
        self.seizures = Jsonl(out / "seizures.jsonl")
        self.n_trade = 0

    # -- events ------------------------------------------------------------------------------------
    def tx(self, t: datetime, payer: Person, payee: Person, amount: float, trade: bool, typology: str,
           memo: str | None = None) -> None:
        wallet = self.rng.random() < 0.65
        memos = TRADE_MEMOS if trade else BENIGN_MEMOS
        self.txs.setdefault(week_of(t), []).append(Tx(
            t, payer.wallet if wallet else payer.bank, payee.wallet if wallet else payee.bank, round(amount, 2),
            "wallet" if wallet else "bank_transfer", self.rng.choice(memos) if memo is None else memo, trade, typology))

    def maybe_sale(self, item: Item, posted: datetime) -> None:
        """Some ads sell: a buyer pays about the advertised price (sometimes deposit + rest), the seller ships."""
        rng = self.rng
        if rng.random() >= SALE_SHARE:
            return
        seller, buyer = item.account.person, rng.choice(self.buyers)
        t = posted + timedelta(hours=rng.uniform(2, 96))
        amount = item.price * rng.uniform(0.85, 1.0)
        if rng.random() < 0.25:
            first = round(amount * rng.uniform(0.2, 0.5), -1)
            self.tx(t, buyer, seller, first, True, "sale", "定金")
            self.tx(t + timedelta(hours=rng.uniform(1, 30)), buyer, seller, amount - first, True, "sale", "尾款")
        else:
            self.tx(t, buyer, seller, amount, True, "sale")
        self._ship(t + timedelta(hours=rng.uniform(3, 48)), seller, buyer, item.grams, item.species)

    def _ship(self, t: datetime, sender: Person, receiver: Person, grams: float, species: str) -> None:
        """A trade parcel: false sender name but the real phone; sometimes a third party picks it up."""
        rng, v = self.rng, self.v
        fake = rng.random() < 0.8
        alias = rng.choice(v.family_names) + rng.choice(["先生", "女士", "生", "姐", "老板"])
        sender_name = alias if fake else sender.name
        receiver_name = rng.choice(v.family_names) + rng.choice(v.given_names) if rng.random() < 0.6 else receiver.name
        third = rng.random() < 0.3
        picked = rng.choice(v.family_names) + rng.choice(v.given_names) + rng.choice(["（代取）", "", "（驿站代收）"]) \
            if third else ""
        pattern = "third_party_pickup" if third else "false_name" if fake else "direct"
        self.parcels.setdefault(week_of(t), []).append(Parcel(
            t, sender_name, sender.phone, receiver_name, receiver.phone,
            f"{receiver.city}{rng.choice(v.districts)}{rng.randrange(1, 300)}号", rng.choice(DECLARED),
            round(grams * rng.uniform(1.1, 1.6) + 50, 0), rng.choice(list(COURIERS)), picked, True, pattern, species))

    def _layering(self, week: int) -> None:
        """Inside each network: supply purchases upstream, fan-in to the collector, pass-through agents, cycles."""
        rng = self.rng
        base = START + timedelta(weeks=week - 1)
        for members in self.networks.values():
            by_role: dict[str, list[Person]] = {}
            for m in members:
                by_role.setdefault(m.role, []).append(m)
            collector = (by_role.get("wholesaler") or by_role.get("raw_trader") or members)[0]
            agents = by_role.get("agent", [])
            chain = [by_role[r][0] for r in ("raw_trader", "processor", "wholesaler") if r in by_role]
            for up, down in pairwise(chain):
                if rng.random() < 0.6:
                    self.tx(base + timedelta(hours=rng.uniform(0, 160)), down, up, rng.uniform(8000, 90000), True,
                            "supply")
            for m in members:
                if m is collector or m in agents or rng.random() > 0.5:
                    continue
                t = base + timedelta(hours=rng.uniform(0, 160))
                amount = rng.uniform(2000, 30000)
                if agents and rng.random() < 0.4:
                    agent = rng.choice(agents)
                    self.tx(t, m, agent, amount, True, "pass_through")
                    later = t + timedelta(minutes=rng.uniform(5, 240))
                    self.tx(later, agent, collector, amount * rng.uniform(0.95, 0.99), True, "pass_through")
                else:
                    self.tx(t, m, collector, amount, True, "fan_in")
            if len(members) >= 3 and rng.random() < 0.3:
                ring = rng.sample(members, 3)
                t = base + timedelta(hours=rng.uniform(0, 140))
                amount = rng.uniform(10000, 50000)
                for i in range(3):
                    self.tx(t + timedelta(hours=i * rng.uniform(1, 6)), ring[i], ring[(i + 1) % 3],
                            amount * (1 - 0.01 * i), True, "cycle")

    def _benign(self, week: int, weeks: int) -> None:
        """Everyday payments in bulk (shops paid by many, salaries, friends; traders live too) and parcels."""
        rng, people, shops = self.rng, self.people, self.shops
        n = round(BENIGN_TX_PER_SCALE * self.scale / weeks)
        base = START + timedelta(weeks=week - 1)
        for _ in range(n):
            t = base + timedelta(seconds=rng.randrange(7 * 24 * 3600))
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
            third = rng.random() < 0.15
            sender = a.name if rng.random() < 0.8 else a.name[0] + "先生"
            address = f"{b.city}{rng.choice(self.v.districts)}{rng.randrange(1, 300)}号"
            self.parcels.setdefault(week, []).append(Parcel(
                base + timedelta(seconds=rng.randrange(7 * 24 * 3600)), sender, a.phone, b.name, b.phone, address,
                rng.choice(BENIGN_DECLARED), float(rng.randrange(100, 5000)), rng.choice(list(COURIERS)),
                rng.choice(self.v.family_names) + rng.choice(self.v.given_names) if third else "", False, "benign"))

    # -- writing -----------------------------------------------------------------------------------
    def close_week(self, week: int, weeks: int) -> None:
        """Add the week's layering and benign activity, then write the week in time order."""
        if week <= weeks:
            self._layering(week)
            self._benign(week, weeks)
        for t in sorted(self.txs.pop(week, []), key=lambda t: (t.time, t.payer, t.payee, t.amount)):
            tid = f"T{self.tx_out.rows + 1:09d}"
            self.tx_out.row([tid, t.time.isoformat(), t.payer, t.payee, f"{t.amount:.2f}", "CNY", t.channel, t.memo])
            self.tx_truth.row([tid, int(t.is_trade), t.typology])
            self.n_trade += t.is_trade
        for p in sorted(self.parcels.pop(week, []), key=lambda p: (p.time, p.sender_phone)):
            n = self.ship_out.rows + 1
            waybill = f"{COURIERS[p.courier]}{(n * 982451653 + 7_000_000_000) % 10**12:012d}"
            self.ship_out.write({
                "waybill": waybill, "time": p.time.isoformat(), "sender_name": p.sender_name,
                "sender_phone": p.sender_phone, "receiver_name": p.receiver_name, "receiver_phone": p.receiver_phone,
                "address": p.address, "declared_contents": p.declared_contents, "weight_g": p.weight_g,
                "courier": p.courier, "picked_up_by": p.picked_up_by or None})
            self.ship_truth.row([waybill, int(p.is_trade), p.pattern])
            if p.is_trade and self.rng.random() < SEIZED_SHARE:
                self.seizures.write({
                    "date": (p.time + timedelta(days=self.rng.randint(1, 3))).date().isoformat(),
                    "place": p.address[:2], "agency": self.rng.choice(AGENCIES), "species": p.species,
                    "quantity_kg": round(p.weight_g / 1000, 3), "waybill": waybill,
                    "phones": [p.sender_phone, p.receiver_phone], "names": [p.sender_name, p.receiver_name]})

    def close(self) -> dict[str, int]:
        """Write what is left (sales spilling past the last week) and close the files."""
        for week in sorted(set(self.txs) | set(self.parcels)):
            self.close_week(week, 0)
        for f in (self.tx_out, self.tx_truth, self.ship_out, self.ship_truth, self.seizures):
            f.close()
        return {"transactions": self.tx_out.rows, "trade_transactions": self.n_trade, "shipments": self.ship_out.rows,
                "seizures": self.seizures.rows}
