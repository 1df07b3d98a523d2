"""Same picture or look-alike: several perceptual hashes must agree, or the bytes be identical.

Product photos on plain grounds often agree on one hash (a 64-bit pHash within a few bits), so one hash
alone links strangers. A picture is the same picture when its SHA-256 is the same, or when its pHash,
dHash and wHash are each within their distance (:class:`PictureRule`): re-encoded, resized and slightly
cropped copies keep all three close, different items photographed alike do not.

Same pictures are grouped without chaining (complete linkage): a picture joins a group only when it is the same
picture as every member, so a copy of a copy of a look-alike does not pull strangers' photos into one group.

Candidates are found on pHash by band splitting: hashes are split into ``distance + 1`` bands; by the
pigeonhole principle two hashes within the distance agree exactly on at least one band, so only hashes
sharing a band are compared.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pandas as pd

from wildtrace.log import get_logger

log = get_logger(__name__)
MAX_BUCKET = 500
PICTURE_COLUMNS = ["account_id", "sha256", "phash", "dhash", "whash", "seen_id"]


@dataclass(frozen=True)
class PictureRule:
    """Largest Hamming distance (bits of 64) at which each hash still says "same picture"."""

    phash: int = 10
    dhash: int = 12
    whash: int = 10


def _bits(value: object) -> int | None:
    try:
        return int(str(value), 16)
    except (TypeError, ValueError):
        return None


def _close_pairs(values: dict[str, int], distance: int, width: int = 64) -> list[tuple[str, str]]:
    """Pairs of keys whose hashes are within ``distance`` bits (found through band buckets)."""
    pairs: set[tuple[str, str]] = set()
    if distance <= 0 or len(values) < 2:
        return []
    bands = distance + 1
    step = -(-width // bands)
    for band in range(bands):
        shift, mask = band * step, (1 << step) - 1
        buckets: dict[int, list[str]] = defaultdict(list)
        for key, bits in values.items():
            buckets[(bits >> shift) & mask].append(key)
        for members in buckets.values():
            if len(members) > MAX_BUCKET:
                log.warning("skipped a band bucket of %d image hashes (too uniform to compare)", len(members))
                continue
            for i, a in enumerate(members):
                for c in members[i + 1:]:
                    if (values[a] ^ values[c]).bit_count() <= distance:
                        pairs.add((a, c) if a < c else (c, a))
    return sorted(pairs)


def same_picture(a: dict, b: dict, rule: PictureRule = PictureRule()) -> bool:
    """Whether two pictures (dicts with ``sha256``, ``phash``, ``dhash``, ``whash``) are the same picture."""
    if a.get("sha256") and a.get("sha256") == b.get("sha256"):
        return True
    for name in ("phash", "dhash", "whash"):
        x, y = _bits(a.get(name)), _bits(b.get(name))
        if x is None or y is None or (x ^ y).bit_count() > getattr(rule, name):
            return False
    return True


def _distance(a: dict, b: dict) -> int:
    return sum(((_bits(a.get(n)) or 0) ^ (_bits(b.get(n)) or 0)).bit_count() for n in ("phash", "dhash", "whash"))


def _cliques(keys: list[str], pairs: list[tuple[str, str]], closeness: dict[tuple[str, str], int]) -> dict[str, str]:
    """Complete-linkage groups: pairs merged closest first, two groups only when every cross pair is in ``pairs``.
    Each key maps to the smallest key of its group."""
    matched = set(pairs)
    group = {k: k for k in keys}
    members = {k: [k] for k in keys}
    for a, b in sorted(pairs, key=lambda p: (closeness[p], p)):
        ga, gb = group[a], group[b]
        if ga == gb or not all((min(x, y), max(x, y)) in matched for x in members[ga] for y in members[gb]):
            continue
        keep, drop = (ga, gb) if len(members[ga]) >= len(members[gb]) else (gb, ga)
        for k in members[drop]:
            group[k] = keep
        members[keep] += members.pop(drop)
    smallest = {g: min(ms) for g, ms in members.items()}
    return {k: smallest[group[k]] for k in keys}


def picture_groups(pictures: pd.DataFrame, rule: PictureRule = PictureRule()) -> dict[str, str]:
    """Map each picture's SHA-256 to the smallest SHA-256 of its same-picture group: every two pictures of a group
    are the same picture (no chaining through look-alikes)."""
    table = pictures.dropna(subset=["sha256"]).drop_duplicates("sha256")
    records = {str(r["sha256"]): r for r in table.to_dict("records")}
    values = {sha: b for sha, r in records.items() if (b := _bits(r.get("phash"))) is not None}
    pairs = [(a, b) for a, b in _close_pairs(values, rule.phash) if same_picture(records[a], records[b], rule)]
    return _cliques(list(records), pairs, {(a, b): _distance(records[a], records[b]) for a, b in pairs})


def image_identifiers(seen: pd.DataFrame, rule: PictureRule = PictureRule()) -> pd.DataFrame:
    """Identifier rows (kind ``image_hash``) from rows of :data:`PICTURE_COLUMNS`: the value is the picture's
    same-picture group, the raw value its SHA-256."""
    cols = ["account_id", "kind", "value", "raw", "seen_in", "seen_id"]
    seen = seen.dropna(subset=["sha256"])
    if seen.empty:
        return pd.DataFrame(columns=cols)
    canon = picture_groups(seen, rule)
    out = seen.assign(raw=seen["sha256"].astype(str), kind="image_hash", seen_in="image")
    return out.assign(value=out["raw"].map(canon)).dropna(subset=["value"])[cols]
