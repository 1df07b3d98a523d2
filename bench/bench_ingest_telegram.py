"""Telegram export ingest: a Telegram Desktop ``result.json`` streamed with ijson, each message validated and
converted per record (ids, accounts, epoch times, quarantine), committed in chunks with a checkpoint, against
``json.load`` of the same file (the whole export in memory, nothing checked or stored)."""

from __future__ import annotations

import json
import random
from pathlib import Path

from bench.bench_ingest import setup  # imports, untimed
from bench.harness import Benchmark

_WORDS = ["新到", "XY", "手镯", "老料", "克价28", "私聊", "顺丰", "Bán", "sừng", "giá tốt", "hàng mới", "ivory", "tusk",
          "pre-ban", "DM", "好的", "🐘"]


def prepare(n: int, workdir: Path) -> dict:
    """``n`` messages of one supergroup as Telegram Desktop writes them (indented JSON, text as strings and a
    phone entity, 300 senders): 2% service messages (pins), 1% with a text that is a number (quarantined)."""
    rng = random.Random(n)
    path = workdir / "result.json"
    with path.open("w", encoding="utf-8") as fh:
        fh.write('{\n "name": "bench",\n "type": "private_supergroup",\n "id": 777,\n "messages": [\n')
        for i in range(1, n + 1):
            stamp = {"date": "2026-03-05T20:14:03", "date_unixtime": str(1772712843 + i)}
            if i % 50 == 0:
                message = {"id": i, "type": "service", **stamp, "actor": "A", "actor_id": "user1",
                           "action": "pin_message", "message_id": i - 1, "text": "", "text_entities": []}
            else:
                words = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(5, 40)))
                text: object = i if i % 100 == 1 else [f"{words} ", {"type": "phone",
                                                                     "text": f"+84 912 {i % 1000:03d} {i % 997:03d}"}]
                message = {"id": i, "type": "message", **stamp, "from": f"U{i % 300}", "from_id": f"user{i % 300}",
                           "text": text, "text_entities": []}
            fh.write(("," if i > 1 else "") + json.dumps(message, ensure_ascii=False, indent=1) + "\n")
        fh.write(" ]\n}\n")
    return {"path": str(path), "bytes": path.stat().st_size, "workdir": str(workdir)}


def run(ctx: dict) -> int:
    from wildtrace.ingest import ingest_records
    from wildtrace.store import open_store

    workdir = Path(ctx["workdir"])
    with open_store(str(workdir / "wildtrace.duckdb")) as store:
        result = ingest_records(store, ctx["path"], "post", data_dir=workdir / "data")
    return result.read + sum(result.skipped.values())


def baseline(ctx: dict) -> int:
    """The whole export loaded by ``json.load``, its messages counted."""
    with open(ctx["path"], encoding="utf-8") as fh:
        return len(json.load(fh)["messages"])


BENCHMARKS = [
    Benchmark(
        name="ingest_telegram_export",
        unit="messages",
        sizes=[25_000, 50_000, 100_000],
        quick_sizes=[2_000, 4_000, 8_000],
        prepare=prepare,
        run=run,
        baseline=baseline,
        baseline_name="json.load (whole file, no validation)",
        setup=setup,
        notes="ijson stream, per-record validation and conversion, senders as accounts, 2% service messages "
              "skipped, 1% quarantined, 5,000-message chunks committed with a checkpoint",
    ),
]
