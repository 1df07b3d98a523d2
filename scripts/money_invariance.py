"""Metamorphic check of the money stage on a labelled ledger folder (AMLGentex's layout: transactions.parquet,
accounts.csv, patterns.csv): each rewrite of the ledger (amount units, time forms and scales, hashed account ids,
shuffled rows, extra and renamed columns) against the original, unsupervised and with --cv the learned model.

    python scripts/money_invariance.py /work/shared/data/aml/amlgentex-small1k [--cv 5] [--only a,b] [--json]
"""

from __future__ import annotations

import argparse
import json
import logging

from wildtrace.money import LEDGER_REWRITES, invariance_report


def _table(report: dict) -> str:
    base = report["original"]
    types = [k for k in base["recall"] if k != "all"] + ["all"]
    head = ["transform", "AP", "dAP", *(["learned AP", "d"] if "learned_ap" in base else []), *types,
            "hits lost / new", "rescored", "max change", "unit, span, time of day"]
    rows = [["original", f"{base['average_precision']:.4f}", "",
             *([f"{base['learned_ap']:.4f}", ""] if "learned_ap" in base else []),
             *(f"{base['recall'].get(t, 0):.2f}" for t in types), "", "", "", ""]]
    for name, r in report["transforms"].items():
        lost = ", ".join(f"{k} {v}" for k, v in r["hits_lost"].items()) or "0"
        new = ", ".join(f"{k} {v}" for k, v in r["hits_new"].items()) or "0"
        rows.append([name + ("" if r["exact"] else " (not exact)"), f"{r['average_precision']:.4f}",
                     f"{r['delta_ap']:+.4f}",
                     *([f"{r['learned_ap']:.4f}", f"{r['delta_learned_ap']:+.4f}"] if "learned_ap" in r else []),
                     *(f"{r['recall'].get(t, 0):.2f}" for t in types), f"{lost} / {new}",
                     str(r["accounts_rescored"]), f"{r['max_score_change']:.4f}",
                     f"{r['unit']}, {r['span']}, {r['time_of_day']}"])
    return "\n".join("| " + " | ".join(r) + " |" for r in [head, ["---"] * len(head), *rows])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("ledger", help="folder with transactions.parquet, accounts.csv and patterns.csv")
    parser.add_argument("--cv", type=int, default=0, help="also cross-validate the learned model in this many folds")
    parser.add_argument("--only", default="", help=f"comma-separated transforms of: {', '.join(LEDGER_REWRITES)}")
    parser.add_argument("--work", default=None, help="folder for the variants while they run (default: temp)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args()
    logging.getLogger("wildtrace").setLevel(logging.WARNING)
    report = invariance_report(args.ledger, [n for n in args.only.split(",") if n] or None, args.cv, args.work)
    print(json.dumps(report, indent=1) if args.json else _table(report))


if __name__ == "__main__":
    main()
