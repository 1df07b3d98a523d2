"""Workbench latency and throughput: a real uvicorn in a subprocess, HTTP clients on loopback.

``make bench`` runs ``BENCHMARKS``: requests/s of the review queue and the network endpoint with 4 concurrent
clients on growing stores, against the health endpoint in the same run (the baseline). For the full table
(p50/p95 per endpoint, 1/16/50 clients, growing stores):

    .venv/bin/python bench/bench_workbench.py [--sizes 2000 8000] [--requests 200] [--think 1.0]

A client sends its next request when the answer to the last one came (``--think 0``: 50 clients keep 50
requests in flight), or, with ``--think T``, after a pause drawn uniformly between T/2 and 3T/2 seconds, as a
user does between clicks (Locust's ``between`` wait): 50 such clients are 50 concurrent users.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import contextlib

from bench.harness import Benchmark

CLIENTS = 4
REQUESTS = 400


def build_store(path: Path, n_posts: int) -> dict[str, Any]:
    """A store with ``n_posts`` screened posts, 10 posts per account, 3 accounts per trader (linked), a phone
    per account shared within its trader, a payment per account; an admin with an API token."""
    from wildtrace.model import Account, AccountIdentifier, Platform, Post, Span, Transaction, Verdict
    from wildtrace.service import add_user, create_token
    from wildtrace.store import open_store

    store = open_store(str(path))
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    n_accounts = max(3, n_posts // 10)
    entities: list[Any] = [Platform(id="wechat", name="WeChat", kind="messenger")]
    members, traders, edges = [], [], []
    for a in range(n_accounts):
        aid, trader = f"wechat:acct{a}", f"t-{a // 3}"
        phone = f"139{a // 3:08d}"
        entities += [Account(id=aid, platform="wechat", handle=f"acct{a}", display_name=f"Name {a}"),
                     AccountIdentifier(account_id=aid, kind="phone", value=phone, raw=phone, seen_in="post",
                                       seen_id=f"{aid}/p"),
                     AccountIdentifier(account_id=aid, kind="payment_account", value=f"wallet:{a}",
                                       raw=f"wallet:{a}", seen_in="payment", seen_id=f"tx{a}"),
                     Transaction(id=f"tx{a}", time=t0, payer=f"wallet:buyer{a % 50}", payee=f"wallet:{a}",
                                 amount=1000.0 + a)]
        members.append({"account_id": aid, "trader_id": trader, "is_backup": a % 3 == 2, "appeared_at": t0,
                        "after_block_of": None})
        if a % 3:
            edges.append({"account_l": f"wechat:acct{a - 1}", "account_r": aid, "source": "identifier",
                          "match_weight": None, "match_probability": None,
                          "reasons": json.dumps([f"shared phone {phone}"]), "accepted": True})
        if a % 3 == 0:
            profile = {"trader_id": trader, "accounts": [{"account_id": f"wechat:acct{a + i}", "is_backup": i == 2}
                                                         for i in range(3)]}
            traders.append({"trader_id": trader, "n_accounts": 3, "platforms": '["wechat"]', "category": "A",
                            "status": "active", "n_posts": 30, "n_flagged": 10, "night_share": 0.5,
                            "profile": json.dumps(profile)})
    for i in range(n_posts):
        text = f"出售XY手镯 象牙 第{i}件 价格{3000 + i % 997}元 微信 seller{i % 500}"
        pid = f"wechat:acct{i % n_accounts}/p{i}"
        score = (i * 7919 % 1000) / 1000
        entities += [Post(id=pid, platform="wechat", account_id=f"wechat:acct{i % n_accounts}", text=text,
                          posted_at=t0 + timedelta(minutes=i)),
                     Verdict(post_id=pid, score=score, tier="high" if score >= .8 else "medium" if score >= .5
                             else "low", species=["elephant"], code_words=["XY = ivory"],
                             spans=[Span(start=2, end=4, text="XY", term="xy", category="code_word",
                                         meaning="ivory")])]
    store.add(entities)
    store.insert_rows("link_members", members, list(members[0]), ["account_id"])
    store.insert_rows("link_traders", traders, list(traders[0]), ["trader_id"])
    store.insert_rows("link_edges", edges, list(edges[0]), ["account_l", "account_r", "source"])
    add_user(store, "bench", "bench-password", "admin")
    token = create_token(store, "bench", "bench")
    store.close()
    return {"token": token, "post": "wechat:acct1/p1", "trader": "t-0"}


def start_server(db: Path) -> tuple[subprocess.Popen, str]:
    """``wildtrace serve`` on a free loopback port (killed after 15 minutes at the latest)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = ["timeout", "900", sys.executable, "-m", "wildtrace.cli.main", "serve", "--db", str(db),
           "--port", str(port)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                            env={**os.environ, "WILDTRACE_LOG_LEVEL": "WARNING"})
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    stop_server(proc.pid)
    raise RuntimeError("the workbench did not start")


def server_cpu(pid: int) -> float:
    """CPU seconds used so far by the server started as session ``pid`` (all its processes): a cost per request
    that other jobs on a shared machine do not inflate the way they inflate latency."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[3]) == pid:  # the session id (after the state, parent and process group)
                total += int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def stop_server(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGTERM)


def load(base: str, token: str, method: str, path: str, body: dict | None, clients: int,
         requests: int, think: float = 0.0) -> dict[str, float]:
    """``requests`` requests spread over ``clients`` concurrent clients, each pausing ``think`` seconds on average
    between two requests: p50/p95 latency (ms) and requests/s."""
    headers = {"Authorization": f"Bearer {token}"}

    def worker(n: int) -> list[float]:
        times = []
        pause = random.Random(n)
        with httpx.Client(base_url=base, headers=headers, timeout=180) as client:
            for i in range(n):
                if think > 0 and i:
                    time.sleep(pause.uniform(think / 2, 3 * think / 2))
                start = time.perf_counter()
                r = client.request(method, path, json=body)
                times.append(time.perf_counter() - start)
                if r.status_code >= 400:
                    raise RuntimeError(f"{method} {path}: {r.status_code} {r.text[:200]}")
        return times

    per = [requests // clients + (1 if i < requests % clients else 0) for i in range(clients)]
    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        times = sorted(t for ts in pool.map(worker, per) for t in ts)
    wall = time.perf_counter() - start
    return {"p50_ms": 1000 * times[len(times) // 2], "p95_ms": 1000 * times[int(len(times) * 0.95) - 1],
            "rps": len(times) / wall}


def endpoints(ids: dict[str, Any]) -> list[tuple[str, str, str, dict | None]]:
    return [
        ("health (baseline)", "GET", "/api/health", None),
        ("review queue", "GET", "/api/queue?limit=50", None),
        ("post explained", "GET", f"/api/posts/{ids['post']}", None),
        ("network depth 2", "GET", f"/api/network/trader:{ids['trader']}?depth=2", None),
        ("check post (text)", "POST", "/api/check/post", {"text": "出售XY手镯 象牙 价格5000元 微信 seller12"}),
        ("check payment", "POST", "/api/check/payment", {"payer": "wallet:x", "payee": "wallet:7"}),
        ("check shipment", "POST", "/api/check/shipment", {"sender_phone": "13900000002",
                                                           "receiver_phone": "13800000000"}),
    ]


def warm(base: str, token: str) -> None:
    """Wait until the server has loaded its screening model (in the background from its start, it would
    otherwise share the CPU with the first measurements)."""
    load(base, token, "POST", "/api/check/post", {"text": "warm-up"}, 1, 1)


# -- the harness's contract: the server starts in prepare (not timed) and stops after the baseline -----------
def _prepare(n: int, workdir: Path) -> dict:
    ids = build_store(workdir / "wildtrace.duckdb", n)
    proc, base = start_server(workdir / "wildtrace.duckdb")
    warm(base, ids["token"])
    return {**ids, "base": base, "pid": proc.pid}


def _run(path: str) -> Any:
    def run(ctx: dict) -> int:
        target = path.format(**ctx)
        load(ctx["base"], ctx["token"], "GET", target, None, CLIENTS, REQUESTS)
        return REQUESTS
    return run


def _baseline(ctx: dict) -> int:
    try:
        load(ctx["base"], ctx["token"], "GET", "/api/health", None, CLIENTS, REQUESTS)
    finally:
        stop_server(ctx["pid"])
    return REQUESTS


BENCHMARKS = [
    Benchmark(name="workbench_queue", unit="requests", sizes=[2000, 4000, 8000], quick_sizes=[200],
              prepare=_prepare, run=_run("/api/queue?limit=50"), baseline=_baseline,
              baseline_name="GET /api/health", notes=f"{CLIENTS} concurrent clients, {REQUESTS} requests"),
    Benchmark(name="workbench_network", unit="requests", sizes=[2000, 4000, 8000], quick_sizes=[200],
              prepare=_prepare, run=_run("/api/network/trader:{trader}?depth=2"), baseline=_baseline,
              baseline_name="GET /api/health", notes=f"{CLIENTS} concurrent clients, {REQUESTS} requests"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 8000])
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 16, 50])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--think", type=float, default=0.0, help="mean seconds a client pauses between requests")
    parser.add_argument("--only", nargs="+", default=None, help="endpoints whose name contains one of these")
    args = parser.parse_args()
    print(f"think time {args.think:g} s; load average {os.getloadavg()[0]:.1f} at the start")
    print("| posts | endpoint | clients | p50 ms | p95 ms | requests/s | server CPU ms/request | load average |\n"
          "|---:|---|---:|---:|---:|---:|---:|---:|")
    for n in args.sizes:
        with tempfile.TemporaryDirectory(prefix="wt-bench-") as tmp:
            db = Path(tmp) / "wildtrace.duckdb"
            ids = build_store(db, n)
            proc, base = start_server(db)
            try:
                warm(base, ids["token"])
                for name, method, path, body in endpoints(ids):
                    if args.only and not any(word in name for word in args.only):
                        continue
                    load(base, ids["token"], method, path, body, 4, 20)  # warm up
                    for clients in args.clients:
                        cpu = server_cpu(proc.pid)
                        r = load(base, ids["token"], method, path, body, clients, args.requests, args.think)
                        cpu = 1000 * (server_cpu(proc.pid) - cpu) / args.requests
                        print(f"| {n:,} | {name} | {clients} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} "
                              f"| {r['rps']:.0f} | {cpu:.1f} | {os.getloadavg()[0]:.1f} |", flush=True)
            finally:
                stop_server(proc.pid)


if __name__ == "__main__":
    main()
