"""Near-identical pictures as identifiers: perceptual hashes within a Hamming distance share one key.

Hashes are split into ``distance + 1`` bands; by the pigeonhole principle two hashes within the
distance agree exactly on at least one band, so only hashes sharing a band are compared.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from wildtrace.link._components import components
from wildtrace.log import get_logger

log = get_logger(__name__)
MAX_BUCKET = 500


def _bits(phash: str) -> int | None:
    try:
        return int(phash, 16)
    except (TypeError, ValueError):
        return None


def phash_groups(hashes: list[str], distance: int, width: int = 64) -> dict[str, str]:
    """Map each hash to the smallest hash of its near-duplicate group (within ``distance`` bits, chained)."""
    values = {h: b for h in set(hashes) if (b := _bits(h)) is not None}
    if not values:
        return {}
    left: list[str] = []
    right: list[str] = []
    if distance > 0 and len(values) > 1:
        bands = distance + 1
        step = -(-width // bands)
        for band in range(bands):
            shift, mask = band * step, (1 << step) - 1
            buckets: dict[int, list[str]] = defaultdict(list)
            for h, b in values.items():
                buckets[(b >> shift) & mask].append(h)
            for members in buckets.values():
                if len(members) > MAX_BUCKET:
                    log.warning("skipped a band bucket of %d image hashes (too uniform to compare)", len(members))
                    continue
                for i, a in enumerate(members):
                    for c in members[i + 1:]:
                        if (values[a] ^ values[c]).bit_count() <= distance:
                            left.append(a)
                            right.append(c)
    groups = components(pd.Series(list(values), dtype=object), pd.Series(left, dtype=object),
                        pd.Series(right, dtype=object))
    return {str(h): str(g) for h, g in groups.items()}


def image_identifiers(seen: pd.DataFrame, distance: int) -> pd.DataFrame:
    """Identifier rows (kind ``image_hash``) from (account_id, phash, seen_id), near-duplicates sharing a value."""
    cols = ["account_id", "kind", "value", "raw", "seen_in", "seen_id"]
    seen = seen.dropna(subset=["phash"])
    if seen.empty:
        return pd.DataFrame(columns=cols)
    canon = phash_groups(seen["phash"].astype(str).str.lower().tolist(), distance)
    out = seen.assign(raw=seen["phash"].astype(str).str.lower())
    out = out.assign(value=out["raw"].map(canon), kind="image_hash", seen_in="image").dropna(subset=["value"])
    return out[cols]
