"""Benign payment and parcel traffic, and planted patterns, for the money tests."""

from __future__ import annotations

import csv
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from wildtrace.model import Shipment, Transaction

START = datetime(2025, 3, 3, tzinfo=UTC)
DAYS = 60


def benign_transactions(n: int, seed: int = 1, people: int = 400) -> list[Transaction]:
    """Everyday payments: small purchases at shops, salaries paid out over the month, payments between friends."""
    rng = random.Random(seed)
    shops = [f"wallet:shop{i}" for i in range(max(3, people // 40))]
    folk = [f"wallet:p{i}" for i in range(people)]
    out = []
    for i in range(n):
        t = START + timedelta(seconds=rng.randrange(DAYS * 86400))
        r = rng.random()
        if r < 0.5:
            payer, payee, amount = rng.choice(folk), rng.choice(shops), rng.uniform(5, 400)
        elif r < 0.6:
            payer, payee, amount = rng.choice(shops), rng.choice(folk), rng.uniform(3000, 12000)
        else:
            payer, payee = rng.sample(folk, 2)
            amount = rng.choice([rng.uniform(10, 500), rng.uniform(500, 20000)])
        out.append(Transaction(id=f"b{i}", time=t, payer=payer, payee=payee, amount=round(amount, 2)))
    return out


def benign_shipments(n: int, seed: int = 1, people: int = 400) -> list[Shipment]:
    rng = random.Random(seed)
    contents = [("衣服", 300, 2500), ("书", 200, 1500), ("零食", 200, 3000), ("化妆品", 50, 800), ("鞋", 500, 2000)]
    out = []
    for i in range(n):
        a, b = rng.sample(range(people), 2)
        what, lo, hi = rng.choice(contents)
        out.append(Shipment(waybill=f"BW{i:06d}", time=START + timedelta(seconds=rng.randrange(DAYS * 86400)),
                            sender_name=f"name{a}", sender_phone=f"139{a:08d}", receiver_name=f"name{b}",
                            receiver_phone=f"139{b:08d}", declared_contents=what, weight_g=float(rng.randint(lo, hi))))
    return out


def tx(id_: str, hours: float, payer: str, payee: str, amount: float) -> Transaction:
    return Transaction(id=id_, time=START + timedelta(days=20, hours=hours), payer=payer, payee=payee, amount=amount)


PLANTS: dict[str, tuple[list[Transaction], set[str]]] = {
    # pattern typologies judge size against the ledger: here shops take 15-25 one-off payers a week
    "fan_in": ([tx(f"fi{i}", i * 2, f"wallet:buyer{i}", "wallet:collector", 5000 + 37 * i) for i in range(30)],
               {"wallet:collector"}),
    "fan_out": ([tx(f"fo{i}", i * 3, "wallet:boss", f"wallet:poacher{i}", 4000 + 11 * i) for i in range(12)],
                {"wallet:boss"}),
    "gather_scatter": ([tx(f"gi{i}", i, f"wallet:g_in{i}", "wallet:hub", 3000) for i in range(12)]
                       + [tx(f"go{i}", 20 + i, "wallet:hub", f"wallet:g_out{i}", 2500) for i in range(12)],
                       {"wallet:hub"}),
    "scatter_gather": ([tx(f"sg{i}", i, "wallet:origin", f"wallet:mule{i}", 9000) for i in range(4)]
                       + [tx(f"sh{i}", 8 + i, f"wallet:mule{i}", "wallet:sink", 8700) for i in range(4)],
                       {"wallet:origin"}),
    "bipartite": ([tx(f"bp{i}{j}", i + j, f"wallet:layer_a{i}", f"wallet:layer_b{j}", 3000 + 10 * i + j)
                   for i in range(3) for j in range(3)],
                  {"wallet:layer_a0", "wallet:layer_a1", "wallet:layer_a2"}),  # each payer of the block
    "cycle": ([tx("c1", 0, "wallet:ra", "wallet:rb", 30000), tx("c2", 5, "wallet:rb", "wallet:rc", 29500),
               tx("c3", 9, "wallet:rc", "wallet:ra", 29000)], {"wallet:ra", "wallet:rb", "wallet:rc"}),
    "pass_through": ([t for i in range(3)
                      for t in (tx(f"pi{i}", 24 * i, f"wallet:src{i}", "wallet:transit", 12000),
                                tx(f"po{i}", 24 * i + 2, "wallet:transit", f"wallet:dst{i}", 11800))],
                     {"wallet:transit"}),
    "structuring": ([tx(f"st{i}", 10 * i, "wallet:smurf", f"wallet:sx{i}", 49000 + 100 * i) for i in range(4)],
                    {"wallet:smurf"}),
    "night_cluster": ([Transaction(id=f"nt{i}", time=START + timedelta(days=i, hours=23, minutes=5 * i),
                                   payer="wallet:owl", payee=f"wallet:p{i}", amount=800.0) for i in range(8)],
                      {"wallet:owl"}),
    "new_account_velocity": ([tx(f"nv{i}", 30 * 24 + 5 * i, "wallet:fresh", f"wallet:p{i % 6}", 2000)
                              for i in range(12)],
                             {"wallet:fresh"}),
}


def labelled_ledger(seed: int = 3, people: int = 240, steps: int = 60, rings: int = 10
                    ) -> tuple[list[dict], list[dict], list[dict]]:
    """A ledger in integer steps with its truth, shaped like a bank's: payments (id, payer, payee, amount,
    step, is_sar), account labels (account, is_sar) and pattern membership (pattern_id, account, is_main).

    Everyone buys at shops and pays friends; a few busy people pay many; ``rings`` laundering rings of 4-6
    ordinary-looking members each move money of ordinary size among themselves: the leader splits a sum
    among the members, who pass most of it on to the next member within a step or two (layering)."""
    rng = random.Random(seed)
    accounts = [str(i) for i in range(people)]
    shops = accounts[:8]
    busy = set(rng.sample(accounts[8:], 12))
    payments: list[dict] = []

    def pay(payer: str, payee: str, amount: float, step: int, sar: int = 0) -> None:
        payments.append({"id": f"t{len(payments)}", "payer": payer, "payee": payee, "amount": round(amount, 2),
                         "step": step, "is_sar": sar})

    for step in range(steps):
        for a in accounts[8:]:
            for _ in range(rng.choice([0, 1, 1, 2]) + (4 if a in busy else 0)):
                if rng.random() < 0.6:
                    pay(a, rng.choice(shops), rng.uniform(5, 300), step)
                else:
                    pay(a, rng.choice(accounts[8:]), rng.uniform(50, 900), step)
    members = rng.sample([a for a in accounts[8:] if a not in busy], rings * 5)
    patterns: list[dict] = []
    for r in range(rings):
        ring = members[r * 5:(r + 1) * 5] + ([rng.choice(members)] if r % 3 == 0 else [])
        ring = list(dict.fromkeys(ring))
        patterns += [{"pattern_id": r, "account": a, "is_main": i == 0} for i, a in enumerate(ring)]
        for _ in range(6):
            start = rng.randrange(steps - 4)
            total = rng.uniform(400, 900)
            for i, m in enumerate(ring[1:], start=1):
                part = total / (len(ring) - 1)
                pay(ring[0], m, part, start, 1)
                nxt = ring[(i % (len(ring) - 1)) + 1]
                pay(m, nxt, part * rng.uniform(0.9, 0.98), start + rng.choice([0, 1]), 1)
    sar = {p["account"] for p in patterns}
    labels = [{"account": a, "is_sar": int(a in sar)} for a in accounts]
    return payments, labels, patterns


def write_csv(path: Path, rows: list[dict]) -> Path:
    """``rows`` as a CSV file at ``path`` (columns from the first row)."""
    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path
