"""The report on the simulator's world (seed 7, scale 0.2): posts ingested by the pipeline, verdicts from the
truth files (so the test measures the report, not screening), numbers checked against the truth."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from wildtrace.ingest import ingest_records
from wildtrace.model import Verdict
from wildtrace.report import ReportOptions, build_report
from wildtrace.store import Store, open_store

START = date(2025, 3, 3)  # the simulator's first Monday (+08:00); 16 weeks
NIGHT = {21, 22, 23, 0, 1, 2, 3, 4, 5}


def truth_verdicts(world: Path) -> list[Verdict]:
    truth = pd.read_csv(world / "truth" / "posts.csv", dtype=str, keep_default_na=False)
    out = []
    for r in truth.to_dict("records"):
        illegal = r["is_illegal"] == "1"
        out.append(Verdict(
            post_id=r["post_id"], score=1.0 if illegal else 0.0, tier="high" if illegal else "none",
            species=[r["species"]] if r["species"] else [], code_words=[w for w in r["code_words"].split(";") if w],
            extracted={"product_type": r["product_type"], "price_per_gram_cny": float(r["price_per_gram"])}
            if r["price_per_gram"] else {"product_type": r["product_type"]}))
    return out


@pytest.fixture(scope="module")
def sim_store(sim_world: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    folder = tmp_path_factory.mktemp("sim_report")
    store = open_store(str(folder / "w.duckdb"))
    for name, model in (("platforms.jsonl", "platform"), ("accounts.jsonl", "account"), ("posts.jsonl", "post")):
        ingest_records(store, sim_world / name, model, data_dir=folder / "data")
    store.put(truth_verdicts(sim_world))
    yield store
    store.close()


@pytest.fixture(scope="module")
def sim_report(sim_store: Store) -> dict:
    return build_report(sim_store, ReportOptions(START, START + timedelta(weeks=16, days=-1)))


def test_the_week_5_crackdown_and_the_recovery_are_found(sim_report: dict) -> None:
    changes = sim_report["sections"]["changes"]["changes"]
    drop = next(c for c in changes if c["direction"] == "drop")
    assert drop["week"] == 5 and drop["date"] == "2025-03-31"
    assert -0.6 < drop["change"] < -0.3
    assert drop["recovered_week"] is not None and 11 <= drop["recovered_week"] <= 15


def test_night_share_matches_the_posts_local_hours(sim_report: dict, sim_world: Path) -> None:
    truth = pd.read_csv(sim_world / "truth" / "posts.csv", dtype=str)
    illegal = set(truth.loc[truth["is_illegal"] == "1", "post_id"])
    hours = [datetime.fromisoformat(json.loads(line)["posted_at"]).hour
             for line in (sim_world / "posts.jsonl").read_text(encoding="utf-8").splitlines()
             if json.loads(line)["id"] in illegal]
    assert sim_report["sections"]["timing"]["night_share"] == pytest.approx(np.mean([h in NIGHT for h in hours]),
                                                                            abs=0.001)


def test_price_per_gram_per_type_is_the_truths(sim_report: dict, sim_world: Path) -> None:
    truth = pd.read_csv(sim_world / "truth" / "posts.csv")
    truth = truth[(truth["is_illegal"] == 1) & truth["price_per_gram"].notna()]
    rows = {r["product_type"]: r["cny_per_gram"] for r in sim_report["sections"]["products"]["types"]}
    for ptype, group in truth.groupby("product_type"):
        assert rows[ptype]["n"] == len(group)
        assert rows[ptype]["mean"] == pytest.approx(group["price_per_gram"].mean(), abs=0.01)
    assert rows["worked_carved"]["mean"] > 2 * rows["raw"]["mean"]


def test_code_words_introduced_later_are_new_in_a_report_that_starts_before_them(sim_store: Store,
                                                                                 sim_world: Path) -> None:
    words = pd.read_csv(sim_world / "truth" / "code_words.csv")
    since = 6
    report = build_report(sim_store, ReportOptions(START + timedelta(weeks=since - 1), START + timedelta(weeks=16)))
    seen = {w["term"]: w["new"] for w in report["sections"]["code_words"]["words"]}
    introduced = dict(zip(words["code_word"], words["introduced_week"], strict=True))
    later = [w for w in seen if introduced.get(w, 0) >= since]
    assert later and all(seen[w] for w in later)
    truth = pd.read_csv(sim_world / "truth" / "posts.csv", dtype=str, keep_default_na=False).set_index("post_id")
    used_before = set()
    for line in (sim_world / "posts.jsonl").read_text(encoding="utf-8").splitlines():
        post = json.loads(line)
        if datetime.fromisoformat(post["posted_at"]).date() < START + timedelta(weeks=since - 1):
            used_before.update(w for w in truth.at[post["id"], "code_words"].split(";") if w)
    assert used_before & set(seen) and not any(seen[w] for w in used_before & set(seen))
