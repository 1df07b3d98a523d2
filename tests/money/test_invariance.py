"""Scale and time-unit invariance: the same ledger with amounts x100, or with times as epoch seconds or ISO
dates instead of integer steps, gets the same hits and the same ranking (nothing absolute is assumed)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from wildtrace.money import analyse, open_frame

BASE = datetime(2023, 1, 1, tzinfo=UTC)


def _ledger(seed: int = 5, people: int = 300, steps: int = 90) -> pd.DataFrame:
    """Recurring everyday payments and purchases in integer steps (days), with laundering-like patterns
    over one-off relationships planted in a few windows."""
    rng = random.Random(seed)
    rows = []
    pairs = [(rng.randrange(people), rng.randrange(people)) for _ in range(600)]
    for step in range(steps):
        for a, b in rng.sample(pairs, 40):
            if a != b:
                rows.append((step, f"a{a}", f"a{b}", round(rng.uniform(50, 900), 2)))
        for _ in range(15):
            rows.append((step, f"a{rng.randrange(people)}", f"shop{rng.randrange(5)}", round(rng.uniform(5, 120), 2)))
    for k, start in enumerate((20, 50)):
        hub = f"m{k}_hub"
        rows += [(start + i % 6, f"m{k}_in{i}", hub, round(rng.uniform(300, 900), 2)) for i in range(24)]
        rows += [(start + 3 + i % 6, hub, f"m{k}_out{i}", round(rng.uniform(300, 900), 2)) for i in range(10)]
        rows += [(start + i, f"m{k}_p{i % 3}", f"m{k}_q{i // 3}", round(rng.uniform(300, 900), 2)) for i in range(9)]
        ring = [f"m{k}_r{i}" for i in range(4)]
        rows += [(start + i, ring[i], ring[(i + 1) % 4], 5000.0 - 40 * i) for i in range(4)]
    out = pd.DataFrame(rows, columns=["step", "payer", "payee", "amount"])
    out.insert(0, "id", [f"t{i}" for i in range(len(out))])
    return out


def _ranking(path: Path, columns: dict[str, str]) -> tuple[list[tuple[str, float]], set[tuple[str, str]]]:
    result = analyse(transactions=path, columns=columns)
    ranking = sorted(zip(result.risk["subject"], result.risk["score"], strict=True), key=lambda r: (-r[1], r[0]))
    return ranking, {(h.typology, h.subject) for h in result.hits.itertuples()}


@pytest.fixture(scope="module")
def ledgers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("invariance")
    base = _ledger()
    days = [BASE + timedelta(days=int(s)) for s in base["step"]]
    variants = {
        "steps": base,
        "cents": base.assign(amount=base["amount"] * 100),
        "epoch": base.assign(step=[int(d.timestamp()) for d in days]),
        "dates": base.assign(step=[d.date().isoformat() for d in days]),
    }
    paths = {}
    for name, frame in variants.items():
        paths[name] = folder / f"{name}.csv"
        frame.rename(columns={"step": "time"}).to_csv(paths[name], index=False)
    return paths


def test_the_profile_names_the_unit_it_inferred(ledgers: dict[str, Path]) -> None:
    kinds = {}
    for name in ("steps", "epoch", "dates"):
        frame = open_frame(transactions=ledgers[name])
        kinds[name] = (frame.profile.time_kind, frame.profile.unit, frame.profile.time_of_day)
        frame.close()
    assert kinds == {"steps": ("step", "step", False), "epoch": ("epoch", "day", False),
                     "dates": ("timestamp", "day", False)}


def test_same_ranking_in_cents_epoch_seconds_and_dates(ledgers: dict[str, Path]) -> None:
    ranking, hits = _ranking(ledgers["steps"], {})
    assert {t for t, _ in hits} >= {"fan_in", "fan_out", "gather_scatter", "bipartite", "cycle"}
    assert {"m0_hub", "m1_hub"} <= {s for s, _ in ranking[:20]}
    for name in ("cents", "epoch", "dates"):
        other_ranking, other_hits = _ranking(ledgers[name], {})
        assert other_hits == hits, name
        assert other_ranking == ranking, name


def test_each_time_form_reads_the_same_alone_or_mixed(tmp_path: Path) -> None:
    """A ledger of one time form is parsed only as that form, a mixed one as each; either way a time means the
    same instant and local hour (epoch seconds, an ISO time with its offset, a date, an integer step of an hour)."""
    times = {"e": "1700000000", "o": "2023-11-14T22:13:20+08:00", "d": "2023-11-15", "s": "5"}
    expected = {"e": (1700000000, 22), "o": (int(datetime(2023, 11, 14, 14, 13, 20, tzinfo=UTC).timestamp()), 22),
                "d": (int(datetime(2023, 11, 15, tzinfo=UTC).timestamp()), 0), "s": (946684800 + 5 * 3600, 5)}

    def read(name: str, keys: list[str]) -> dict[str, tuple[int, int]]:
        path = tmp_path / f"{name}.csv"
        pd.DataFrame({"id": keys, "time": [times[k] for k in keys], "payer": "a", "payee": "b",
                      "amount": 1.0}).to_csv(path, index=False)
        frame = open_frame(transactions=path)
        try:
            return {i: (t, h) for i, t, h in frame.con.execute("SELECT id, t, local_hour FROM mx_tx").fetchall()}
        finally:
            frame.close()

    assert read("mixed", list(times)) == expected
    assert read("text", ["o", "d"]) == {k: expected[k] for k in ("o", "d")}
    assert read("epoch", ["e"]) == {"e": expected["e"]}
    assert read("steps", ["s"]) == {"s": expected["s"]}
