"""Charts of the report (matplotlib, PNG), drawn from the report's data only, CJK labels rendered."""

from __future__ import annotations

import functools
import io
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from cycler import cycler
from matplotlib import font_manager

# matplotlib falls back along this list glyph by glyph: CJK first, then Latin, then Symbola for the symbols and
# emoji sellers write into code words (⭐, 🐘); Noto Color Emoji is a bitmap font matplotlib cannot draw.
CJK_FONTS = ["WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans CJK JP", "DejaVu Sans", "Symbola"]
NIGHT = {21, 22, 23, 0, 1, 2, 3, 4, 5}
STYLE: Any = {"axes.unicode_minus": False, "figure.dpi": 100, "axes.spines.top": False, "axes.spines.right": False,
         "font.size": 9}


PALETTE = ["#7f8c8d", "#d4a017", "#5d6d7e", "#a04000", "#117a65", "#6c3483"]  # after the brand's primary colour


@functools.cache
def _fonts() -> tuple[str, ...]:
    """The installed families of ``CJK_FONTS``, in order; fonts installed after matplotlib wrote its font cache
    (``scripts/system-deps.sh``) are added to it first. Only installed ones: matplotlib logs each missing one."""
    known = {f.name for f in font_manager.fontManager.ttflist}
    for path in font_manager.findSystemFonts() if set(CJK_FONTS) - known else []:
        try:
            name = font_manager.get_font(path).family_name
        except (OSError, RuntimeError):  # a file FreeType cannot read
            continue
        if name in CJK_FONTS and name not in known:
            font_manager.fontManager.addfont(path)
            known.add(name)
    return tuple(name for name in CJK_FONTS if name in known) or ("sans-serif",)


def _legend(ax: Any) -> None:
    """A legend when something was drawn with a label (an empty period draws nothing)."""
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7, ncol=3)


def _style(colours: dict[str, str]) -> Any:
    """The charts' style with the brand's primary colour first in every series."""
    return plt.rc_context({**STYLE, "font.family": list(_fonts()),
                           "axes.prop_cycle": cycler(color=[colours["primary"], *PALETTE])})


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    return buf.getvalue()


def _week_axis(ax: Any, weeks: list[dict[str, Any]]) -> None:
    """ISO week labels (every other one when crowded); partial weeks shaded and starred."""
    step = 1 if len(weeks) <= 12 else 2
    ax.set_xticks([w["week"] for w in weeks][::step])
    ax.set_xticklabels([w["iso"][5:] + ("*" if w["partial"] else "") for w in weeks][::step], fontsize=7)
    for w in weeks:
        if w["partial"]:
            ax.axvspan(w["week"] - 0.5, w["week"] + 0.5, color="#ddd", alpha=0.6, zorder=0, linewidth=0)
    ax.set_xlabel("ISO week (* partial: not part of any trend)")


def weekly_volume(report: dict[str, Any], colours: dict[str, str]) -> bytes:
    """Flagged ads per ISO week stacked by platform, unique items as a line, detected changes marked."""
    vol, changes = report["sections"]["volume"], report["sections"]["changes"]
    weeks = [w["week"] for w in vol["weeks"]]
    full = [w for w in vol["weeks"] if not w["partial"]]
    with _style(colours):
        fig, ax = plt.subplots(figsize=(8, 3.4))
        bottom = [0.0] * len(weeks)
        for platform in vol["platforms"]:
            values = [w["by_platform"].get(platform, 0) for w in vol["weeks"]]
            ax.bar(weeks, values, bottom=bottom, label=platform)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        ax.plot([w["week"] for w in full], [w["unique_items"] for w in full], color="black", marker=".",
                label="unique items")
        for c in changes["changes"]:
            ax.axvline(c["week"] - 0.5, color=colours["accent"], linestyle="--")
            ax.annotate(f"{c['direction']} {c['change']:+.0%}" if c["change"] is not None else c["direction"],
                        (c["week"] - 0.4, max(bottom or [1]) * 0.95), color=colours["accent"], fontsize=8)
        _week_axis(ax, vol["weeks"])
        ax.set_ylabel("flagged ads")
        _legend(ax)
        return _png(fig)


def weekly_breakdown(report: dict[str, Any], key: str, colours: dict[str, str], top: int = 6) -> bytes:
    """Weekly lines of the ``top`` most frequent values of ``by_species`` or ``by_tier``."""
    vol = report["sections"]["volume"]
    totals = vol["species"] if key == "by_species" else vol["tiers"]
    full = [w for w in vol["weeks"] if not w["partial"]]
    with _style(colours):
        fig, ax = plt.subplots(figsize=(8, 2.8))
        for name in list(totals)[:top]:
            ax.plot([w["week"] for w in full], [w[key].get(name, 0) for w in full], marker=".", label=name)
        _week_axis(ax, vol["weeks"])
        ax.set_ylabel("ads")
        _legend(ax)
        return _png(fig)


def prices(report: dict[str, Any], colours: dict[str, str]) -> bytes:
    """Price per gram (CNY) per product type: the box spans the interquartile range, the line is the median and
    the thick bar the median's 95% bootstrap interval (all within the observed prices: never below zero)."""
    rows = [r for r in report["sections"]["products"]["types"] if r["cny_per_gram"]["n"]]
    with _style(colours):
        fig, ax = plt.subplots(figsize=(6, 2.8))
        stats = [{"med": r["cny_per_gram"]["median"], "q1": r["cny_per_gram"]["p25"], "q3": r["cny_per_gram"]["p75"],
                  "whislo": r["cny_per_gram"]["p25"], "whishi": r["cny_per_gram"]["p75"], "fliers": [],
                  "label": f"{r['product_type']}\nn={r['cny_per_gram']['n']}"} for r in rows]
        ax.bxp(stats, showfliers=False, showcaps=False, widths=0.5, patch_artist=True,
               boxprops={"facecolor": "#e8eeec"}, medianprops={"color": colours["primary"]})
        for i, r in enumerate(rows, start=1):
            ax.plot([i, i], [r["cny_per_gram"]["ci_low"], r["cny_per_gram"]["ci_high"]], color=colours["primary"],
                    linewidth=3)
        ax.set_ylim(bottom=0)
        ax.set_ylabel("CNY per gram")
        ax.tick_params(axis="x", labelsize=7)
        return _png(fig)


def hours(report: dict[str, Any], colours: dict[str, str]) -> bytes:
    """Flagged ads by hour of posting (the poster's local time), night hours 21:00-06:00 darker."""
    timing = report["sections"]["timing"]
    with _style(colours):
        fig, ax = plt.subplots(figsize=(6, 2.6))
        ax.bar(range(24), timing["hour_histogram"],
               color=[colours["primary"] if h in NIGHT else "#b8c4c2" for h in range(24)])
        ax.set_xticks(range(0, 24, 3))
        ax.set_xlabel("local hour of posting")
        ax.set_ylabel("ads")
        return _png(fig)


def code_words(report: dict[str, Any], colours: dict[str, str], top: int = 15) -> bytes:
    """The most used code words (Chinese as written), new ones in red."""
    words = report["sections"]["code_words"]["words"][:top][::-1]
    with _style(colours):
        fig, ax = plt.subplots(figsize=(6, 0.6 + 0.22 * max(len(words), 1)))
        ax.barh([w["term"] for w in words], [w["posts"] for w in words],
                color=[colours["accent"] if w["new"] else colours["primary"] for w in words])
        ax.set_xlabel("posts")
        return _png(fig)


def all_charts(report: dict[str, Any], colours: dict[str, str]) -> dict[str, bytes]:
    """Every chart of the report by name, in the brand's ``colours`` (primary, accent, text)."""
    charts = {"volume": weekly_volume(report, colours), "species": weekly_breakdown(report, "by_species", colours),
              "hours": hours(report, colours)}
    if any(r["cny_per_gram"]["n"] for r in report["sections"]["products"]["types"]):
        charts["prices"] = prices(report, colours)
    if report["sections"]["code_words"]["words"]:
        charts["code_words"] = code_words(report, colours)
    return charts
