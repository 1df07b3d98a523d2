"""The summary a reader can quote: the period's key numbers as sentences written from the report's data, each
with its change and uncertainty, and each traced to the section, function and queries it came from.

Changes compare the first and the last full weeks of the period (partial weeks never count); an interval that
holds "no change" is said as such, and a count too small to tell is said to be too small.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

PRICE_MIN_ADS = 5  # a product type's price is summarised from at least this many priced ads
NAMES = {"raw": "raw ivory", "semi_worked": "semi-worked ivory", "worked_uncarved": "worked, uncarved ivory",
         "worked_carved": "worked, carved ivory", "unknown": "ads of unknown product type"}


def _pct(x: float | None, signed: bool = False) -> str:
    if x is None:
        return "—"
    return f"{x:+.0%}" if signed else f"{x:.0%}"


def _num(x: float | int | None) -> str:
    if x is None:
        return "—"
    return f"{x:,.0f}" if abs(x) >= 100 or float(x).is_integer() else f"{x:,.1f}"


def _change(c: dict[str, Any], what: str = "") -> str:
    """A change (:func:`wildtrace.report._stats.rate_change` or ``median_change``) in words, with its interval."""
    if c["verdict"] == "too few to tell":
        return f"too few{what} to tell whether it changed"
    interval = f"95% interval {_pct(c['ci_low'], True)} to {_pct(c['ci_high'], True)}"
    if c["verdict"] == "no clear change":
        return f"no clear change ({_pct(c['change'], True)}, {interval})"
    return f"it {c['verdict']} {_pct(abs(c['change']))} ({interval})"


def _volume(r: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    v, p = r["sections"]["volume"], r["period"]
    c = v["change"]
    span = (f" Weekly flagged ads went from {_num(c['per_week_before'])} in {_weeks(v['early_weeks'])} to "
            f"{_num(c['per_week_after'])} in {_weeks(v['late_weeks'])}: {_change(c, ' ads')}."
            if v["early_weeks"] else "")
    return (f"From {p['from']} to {p['to']} ({p['full_weeks']} full ISO weeks), screening flagged "
            f"{_num(v['flagged'])} of {_num(v['posts'])} posts as wildlife-trade ads, showing "
            f"{_num(v['unique_items'])} unique items (reposts of one picture counted once).{span}",
            {"flagged": v["flagged"], "posts": v["posts"], "unique_items": v["unique_items"], "change": c["change"]})


def _weeks(isos: list[str]) -> str:
    return isos[0] if len(isos) == 1 else f"{isos[0]}–{isos[-1][5:]}"


def _measurement(r: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    m = r["sections"]["measurement"]
    p, rc, est = m["precision"], m["recall"], m["illegal_ads"]
    if est["estimate"] is None:
        return None
    origin = (f"measured on {m['origin']['reviewed']} review decisions" if m["origin"]["kind"] == "reviews" else
              f"from the screener's last evaluation ({m['origin']['measured']})")
    return (f"Screening is right {_pct(p['share'])} of the time (95% interval "
            f"{_pct(p['ci_low'])}–{_pct(p['ci_high'])}) and finds {_pct(rc['share'])} of illegal ads "
            f"({_pct(rc['ci_low'])}–{_pct(rc['ci_high'])}), {origin}: the "
            f"{_num(m['flagged'])} flagged ads stand for about {_num(est['estimate'])} illegal ads in the period "
            f"(between {_num(est['low'])} and {_num(est['high'])}).",
            {"precision": p["share"], "recall": rc["share"], "estimate": est["estimate"], "low": est["low"],
             "high": est["high"]})


def _platform_names(r: dict[str, Any]) -> dict[str, str]:
    return {p["platform"]: p["name"] for p in r["sections"]["sources"]["platforms"]}


def _breakdown(r: dict[str, Any], key: str, what: str, names: Callable[[str], str | None] = str
               ) -> tuple[str, dict[str, Any]] | None:
    rows = r["sections"]["volume"][key]
    if not rows:
        return None
    def name(x: dict[str, Any]) -> str:
        return names(x["name"]) or x["name"]

    top = ", ".join(f"{name(x)} {_pct(x['share'])} ({_num(x['ads'])})" for x in rows[:3])
    moved = [x for x in rows if x["change"]["verdict"] in ("rose", "fell")]
    tail = (" Between the first and the last weeks " + "; ".join(f"{name(x)}: {_change(x['change'])}"
                                                                 for x in moved[:2]) + "."
            if moved else " None of them changed clearly between the first and the last weeks.")
    return (f"By {what}, flagged ads were {top}.{tail}",
            {x["name"]: {"ads": x["ads"], "share": x["share"]} for x in rows[:3]})


def _prices(r: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    rows = [t for t in r["sections"]["products"]["types"]
            if t["cny_per_gram"]["n"] >= PRICE_MIN_ADS and t["product_type"] != "unknown"]
    if not rows:
        return None
    parts = []
    for t in rows:
        c = t["cny_per_gram"]
        moved = t["change"]["verdict"] in ("rose", "fell")
        trend = f"; {_change(t['change'])} from the first to the second half" if moved else ""
        parts.append(f"{NAMES.get(t['product_type'], t['product_type'])} {_num(c['median'])} CNY/g (IQR "
                     f"{_num(c['p25'])}–{_num(c['p75'])}, median's 95% interval "
                     f"{_num(c['ci_low'])}–{_num(c['ci_high'])}, {c['n']} ads{trend})")
    return ("Median asking prices per gram: " + "; ".join(parts) + ".",
            {t["product_type"]: {k: t["cny_per_gram"][k] for k in ("median", "p25", "p75", "n")} for t in rows})


def _traders(r: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    t = r["sections"]["traders"]
    unit = t["unit"] + "s"
    since = (f"first seen since {t['new_since']}, after the first weeks of monitoring" if t["baseline"]
             else "first seen in this period")
    backups = (f" {t['backup_accounts']} backup accounts of {t['traders_with_backups']} traders appeared after a "
               "block." if t.get("available") and t["backup_accounts"] else "")
    return (f"{_num(t['active'])} {unit} posted flagged ads: {_num(t['new'])} new ({since}) and "
            f"{_num(t['returning'])} returning.{backups}",
            {"active": t["active"], "new": t["new"], "returning": t["returning"]})


def _night(r: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    n = r["sections"]["timing"]["night"]
    if not n["n"]:
        return None
    return (f"{_pct(n['share'])} of flagged ads were posted between 21:00 and 06:00 in the poster's local time, when "
            f"review is thin (95% interval {_pct(n['ci_low'])}–{_pct(n['ci_high'])}, {_num(n['n'])} ads).",
            {"night_share": n["share"], "n": n["n"]})


def _changes(r: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    ch = r["sections"]["changes"]
    if ch["changes"]:
        parts = []
        for c in ch["changes"]:
            back = f", back to the earlier level in {c['recovered_iso']}" if c.get("recovered_iso") else (
                ", not back to the earlier level by the period's end" if c["direction"] == "drop" else "")
            p = f", p = {c['p_value']:.2f}" if c["p_value"] is not None else ""
            parts.append(f"a {c['direction']} of {_pct(abs(c['change'] or 0))} in {c['iso']} (week of {c['date']}: "
                         f"{_num(c['before_mean'])} to {_num(c['after_mean'])} ads a week{p}){back}")
        return "Weekly volume changed: " + "; ".join(parts) + ".", {"changes": [
            {"iso": c["iso"], "direction": c["direction"], "change": c["change"]} for c in ch["changes"]]}
    if ch["can_tell"]:
        return (f"Weekly volume did not change by more than {_pct(ch['min_change'])}; a drop of "
                f"{_pct(ch['detectable_drop'])} would have been seen 4 times in 5.", {"changes": []})
    drop = ch["detectable_drop"]
    size = f"only a drop of {_pct(drop)} or more" if drop else "not even a drop of 80%"
    return (f"Too thin to tell whether weekly volume changed: with {_num(ch['mean_per_week'])} flagged ads a week over "
            f"{ch['full_weeks']} full weeks, {size} would have been seen 4 times in 5.", {"changes": []})


def _deletions(r: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    d = r["sections"]["deletions"]
    if not d["flagged"]:
        return None
    if d.get("watch_deleted"):
        lo, hi = d["at_least_hours"], d["at_most_hours"]
        return (f"Of {d['watched']} flagged ads watched, {d['watch_deleted']} ({_pct(d['watch_share']['share'])}) were "
                f"deleted, half of them within {_num(lo['median'])}–{_num(hi['median'])} hours of posting (between "
                "the last capture showing the ad and the one finding it gone).",
                {"watched": d["watched"], "deleted": d["watch_deleted"], "median_hours": [lo["median"], hi["median"]]})
    h = d["recorded_hours"]
    speed = f", half of them within {_num(h['median'])} hours of posting" if h["n"] else ""
    return (f"{_num(d['deleted'])} flagged ads ({_pct(d['deleted_share']['share'])}) were deleted{speed} (deletion "
            "times as recorded with the posts; no watch timeline covers the period).",
            {"deleted": d["deleted"], "median_hours": h["median"]})


def _code_words(r: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    c = r["sections"]["code_words"]
    if not c["words"]:
        return None
    top = ", ".join(f"“{w['term']}” ({w['posts']})" for w in c["words"][:3])
    new = [w["term"] for w in c["words"] if w["new"]]
    new_text = (f"{len(new)} are new since {c['new_since']}: " + ", ".join(f"“{w}”" for w in new[:5])
                + ("…" if len(new) > 5 else "") + "." if new else f"none is new since {c['new_since']}.")
    return (f"Sellers used {len(c['words'])} code words ({c['variants_folded']} spellings folded together), most "
            f"often {top}; {new_text}", {"words": len(c["words"]), "new": len(new)})


def _networks(r: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    n = r["sections"]["networks"]
    if not n.get("available") or not n["networks"]:
        return None
    big = n["networks"][0]
    top = next((x for x in n["receivers"] if x["kind"] == "trader"), None)
    who = (f" The trader who received the most, {top['who']}, took in CNY {_num(top['received'])}." if top else "")
    return (f"The largest trader network of the period linked {big['traders']} traders with {big['buyers']} buyers and "
            f"{big['suppliers']} suppliers through {_num(big['payments'])} payments and {_num(big['parcels'])} parcels "
            f"(CNY {_num(big['money_to_traders'])} paid to its traders).{who}",
            {"traders": big["traders"], "money_to_traders": big["money_to_traders"]})


def _seizures(r: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    z = r["sections"]["seizures"]
    if not z["n"]:
        return None
    active = len({s["seller"] for row in z["rows"] for s in row["sellers"] if s["posted_in_period"]})
    return (f"{z['n']} seizures ({_num(z['kg'])} kg) were dated in the period; {z['linked']} of them lead back to "
            f"{z['sellers']} online sellers through a phone on the seller's account, {active} of whom posted flagged "
            "ads in the period.", {"seizures": z["n"], "linked": z["linked"], "sellers": z["sellers"]})


WRITERS: tuple[tuple[str, Callable[[dict[str, Any]], tuple[str, dict[str, Any]] | None]], ...] = (
    ("volume", _volume), ("measurement", _measurement),
    ("volume", lambda r: _breakdown(r, "by_platform", "platform", _platform_names(r).get)),
    ("volume", lambda r: _breakdown(r, "by_species", "species", lambda sp: sp.replace("_", " "))),
    ("volume", lambda r: _breakdown(r, "by_product_type", "product type", lambda t: NAMES.get(t, t))),
    ("products", _prices), ("traders", _traders), ("timing", _night), ("changes", _changes),
    ("deletions", _deletions), ("code_words", _code_words), ("networks", _networks), ("seizures", _seizures),
)


def summary(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The summary's sentences: ``id`` (S1, S2...), ``text``, the ``numbers`` in it, the ``section`` it summarises
    and the ``source`` (function and queries) behind it."""
    out: list[dict[str, Any]] = []
    for section, write in WRITERS:
        written = write(report)
        if written is None:
            continue
        text, numbers = written
        out.append({"id": f"S{len(out) + 1}", "text": text, "numbers": numbers, "section": section,
                    "source": report["sections"][section]["source"]})
    return out
