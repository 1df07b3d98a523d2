"""Charts of the report (matplotlib, PNG), drawn from the report's data only, CJK labels rendered."""

from __future__ import annotations

import io
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator

CJK_FONTS = ["WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans CJK JP", "DejaVu Sans"]
NIGHT = {21, 22, 23, 0, 1, 2, 3, 4, 5}
STYLE: Any = {"font.family": "sans-serif", "font.sans-serif": CJK_FONTS, "axes.unicode_minus": False,
         "figure.dpi": 100, "axes.spines.top": False, "axes.spines.right": False, "font.size": 9}


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    return buf.getvalue()


def weekly_volume(report: dict[str, Any]) -> bytes:
    """Flagged ads per week stacked by platform, unique items as a line, detected changes marked."""
    vol, changes = report["sections"]["volume"], report["sections"]["changes"]
    weeks = [w["week"] for w in vol["weeks"]]
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(8, 3.4))
        bottom = [0.0] * len(weeks)
        for platform in vol["platforms"]:
            values = [w["by_platform"].get(platform, 0) for w in vol["weeks"]]
            ax.bar(weeks, values, bottom=bottom, label=platform)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        ax.plot(weeks, [w["unique_items"] for w in vol["weeks"]], color="black", marker=".", label="unique items")
        for c in changes["changes"]:
            ax.axvline(c["week"] - 0.5, color="crimson", linestyle="--")
            ax.annotate(f"{c['direction']} {c['change']:+.0%}" if c["change"] is not None else c["direction"],
                        (c["week"] - 0.4, max(bottom or [1]) * 0.95), color="crimson", fontsize=8)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("week")
        ax.set_ylabel("flagged ads")
        ax.legend(fontsize=7, ncol=3)
        return _png(fig)


def weekly_breakdown(report: dict[str, Any], key: str, top: int = 6) -> bytes:
    """Weekly lines of the ``top`` most frequent values of ``by_species`` or ``by_tier``."""
    vol = report["sections"]["volume"]
    totals = vol["species"] if key == "by_species" else vol["tiers"]
    weeks = [w["week"] for w in vol["weeks"]]
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(8, 2.8))
        for name in list(totals)[:top]:
            ax.plot(weeks, [w[key].get(name, 0) for w in vol["weeks"]], marker=".", label=name)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("week")
        ax.set_ylabel("ads")
        ax.legend(fontsize=7, ncol=3)
        return _png(fig)


def prices(report: dict[str, Any]) -> bytes:
    """Price per gram (CNY, mean +- sd) per product type, with the number of priced ads."""
    rows = [r for r in report["sections"]["products"]["types"] if r["cny_per_gram"]["n"]]
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(6, 2.8))
        names = [r["product_type"] for r in rows]
        ax.bar(names, [r["cny_per_gram"]["mean"] for r in rows], yerr=[r["cny_per_gram"]["sd"] for r in rows],
               capsize=4, color="#4a7")
        for i, r in enumerate(rows):
            ax.annotate(f"n={r['cny_per_gram']['n']}", (i, 0), ha="center", va="bottom", fontsize=7)
        ax.set_ylabel("CNY per gram")
        return _png(fig)


def hours(report: dict[str, Any]) -> bytes:
    """Flagged ads by hour of posting (the poster's local time), night hours 21:00-06:00 darker."""
    timing = report["sections"]["timing"]
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(6, 2.6))
        ax.bar(range(24), timing["hour_histogram"], color=["#334" if h in NIGHT else "#9ab" for h in range(24)])
        ax.set_xticks(range(0, 24, 3))
        ax.set_xlabel("local hour of posting")
        ax.set_ylabel("ads")
        return _png(fig)


def code_words(report: dict[str, Any], top: int = 15) -> bytes:
    """The most used code words (Chinese as written), new ones in red."""
    words = report["sections"]["code_words"]["words"][:top][::-1]
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(6, 0.6 + 0.22 * max(len(words), 1)))
        ax.barh([w["term"] for w in words], [w["posts"] for w in words],
                color=["crimson" if w["new"] else "#678" for w in words])
        ax.set_xlabel("posts")
        return _png(fig)


def all_charts(report: dict[str, Any]) -> dict[str, bytes]:
    """Every chart of the report by name."""
    charts = {"volume": weekly_volume(report), "tiers": weekly_breakdown(report, "by_tier"),
              "species": weekly_breakdown(report, "by_species"), "hours": hours(report)}
    if any(r["cny_per_gram"]["n"] for r in report["sections"]["products"]["types"]):
        charts["prices"] = prices(report)
    if report["sections"]["code_words"]["words"]:
        charts["code_words"] = code_words(report)
    return charts
