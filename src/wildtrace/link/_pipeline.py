"""Accounts to clusters: deterministic identifier links, then Splink on weak evidence, then components."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from wildtrace.link._blocking import MAX_BLOCK_ACCOUNTS
from wildtrace.link._components import components
from wildtrace.link._data import LinkData
from wildtrace.link._features import account_features
from wildtrace.link._identifiers import HubRules, find_hubs, identifier_edges, identifier_members, strong_identifiers
from wildtrace.link._images import PictureRule, image_identifiers
from wildtrace.link._mentions import bare_mentions
from wildtrace.link._probabilistic import predict_pairs
from wildtrace.log import get_logger

log = get_logger(__name__)
EDGE_COLUMNS = ["account_l", "account_r", "source", "match_weight", "match_probability", "reasons", "accepted"]
HELD = ("not linked: neither name, handle, handle digits, bio nor the very same picture file agree; posting hours, "
        "habits, prices, place and look-alike pictures are shared by a whole trade")


@dataclass(frozen=True)
class LinkOptions:
    """How accounts are linked. ``threshold``: Splink match probability at which a pair is linked;
    ``max_block_accounts``: the largest block of one name, handle or handle prefix Splink compares in full."""

    threshold: float = 0.95
    max_block_accounts: int = MAX_BLOCK_ACCOUNTS
    hubs: HubRules = field(default_factory=HubRules)
    pictures: PictureRule = field(default_factory=PictureRule)
    probabilistic: bool = True
    engine: str = "duckdb"


@dataclass
class LinkResult:
    """Edges (every considered link with its reasons), hub identifiers and the trader of each account."""

    edges: pd.DataFrame
    hubs: pd.DataFrame
    clusters: pd.Series  # account id -> trader id
    identifiers: pd.DataFrame

    @property
    def n_traders(self) -> int:
        return int(self.clusters.nunique())


def trader_id(smallest_account: str) -> str:
    """A stable trader id: derived from the smallest account id of the cluster."""
    return "T" + hashlib.sha256(smallest_account.encode()).hexdigest()[:10]


def deterministic_links(data: LinkData, options: LinkOptions) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(identifier edges, hubs with their accounts, strong identifier rows) for ``data``.

    Pictures are identifiers for hub detection (a stock photo beside each trader's own) but link nobody on
    their own: a shared picture is one Splink comparison (:func:`shared_pictures`). A messenger ID another account
    shows, written bare, counts as shown (:func:`bare_mentions`)."""
    images = image_identifiers(data.pictures, options.pictures)
    mentions = bare_mentions(data.identifiers, data.posts, data.accounts)
    ids = strong_identifiers(pd.concat([data.identifiers, *(f for f in (mentions, images) if not f.empty)],
                                       ignore_index=True))
    hubs = find_hubs(ids, options.hubs)
    hubs = hubs.merge(identifier_members(ids, hubs), on=["kind", "key"], how="left") if not hubs.empty else \
        hubs.assign(accounts=[])
    edges = identifier_edges(ids[ids["kind"] != "image_hash"], hubs)
    edges = edges.assign(source="identifier", match_weight=float("nan"), match_probability=float("nan"), accepted=True)
    return edges[EDGE_COLUMNS], hubs, ids


def shared_pictures(ids: pd.DataFrame, hubs: pd.DataFrame) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Per account, its same-picture groups and the SHA-256 of its pictures in them, hub pictures left out (the
    Splink ``pictures`` and ``picture_files`` features: the very same file weighs more than a near copy)."""
    images = ids[ids["kind"] == "image_hash"]
    if not hubs.empty:
        images = images[~images["key"].isin(set(hubs.loc[hubs["kind"] == "image_hash", "key"]))]
    groups = {str(a): sorted(set(g)) for a, g in images.groupby("account_id")["key"]}
    files = {str(a): sorted(set(g)) for a, g in images.dropna(subset=["raw"]).groupby("account_id")["raw"]}
    return groups, files


def splink_edges(pairs: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """Edges of the scored pairs (:func:`predict_pairs`): linked at or above ``threshold`` when something in the pair
    says who the account is (``identity``); a likely pair without it is kept, not linked, with the reason."""
    likely = pairs["match_probability"] >= threshold
    held = likely & ~pairs["identity"].astype(bool)
    if held.any():
        log.info("%d pairs at or above %.2f not linked: nothing in them says who the account is", int(held.sum()),
                 threshold)
    return pd.DataFrame({
        "account_l": pairs["account_l"], "account_r": pairs["account_r"], "source": "splink",
        "match_weight": pairs["match_weight"], "match_probability": pairs["match_probability"],
        "reasons": [[*r, HELD] if h else r for r, h in zip(pairs["evidence"], held, strict=True)],
        "accepted": likely & ~held,
    })


def link_accounts(data: LinkData, options: LinkOptions | None = None, spark: Any = None,
                  engine: str | None = None) -> LinkResult:
    """Link ``data.accounts`` into traders; ``engine`` ("duckdb" or "spark") overrides ``options.engine``."""
    options = options or LinkOptions()
    engine = engine or options.engine
    started = time.perf_counter()
    id_edges, hubs, ids = deterministic_links(data, options)
    log.info("identifier links and hubs in %.1f s", time.perf_counter() - started)
    frames = [id_edges]
    if options.probabilistic and len(data.accounts) >= 2:
        started = time.perf_counter()
        groups, files = shared_pictures(ids, hubs)
        features = account_features(data.accounts, data.posts, pictures=groups, picture_files=files)
        log.info("features of %d accounts in %.1f s", len(features), time.perf_counter() - started)
        pairs = predict_pairs(features, labels=id_edges[["account_l", "account_r"]], engine=engine, spark=spark,
                              min_probability=min(0.5, options.threshold),
                              max_block_accounts=options.max_block_accounts)
        frames.append(splink_edges(pairs, options.threshold))
    edges = pd.concat([f for f in frames if not f.empty], ignore_index=True) if any(
        not f.empty for f in frames) else pd.DataFrame(columns=EDGE_COLUMNS)
    edges = edges.drop_duplicates(["account_l", "account_r", "source"]).reset_index(drop=True)
    accepted = edges[edges["accepted"].astype(bool)]
    labels = components(data.accounts["id"], accepted["account_l"], accepted["account_r"])
    clusters = labels.map(trader_id).rename("trader_id")
    log.info("linked %d accounts into %d traders (%d identifier links, %d hubs, %d probabilistic links)",
             len(clusters), clusters.nunique(), len(id_edges), len(hubs), int(accepted["source"].eq("splink").sum()))
    return LinkResult(edges=edges, hubs=hubs, clusters=clusters, identifiers=ids)
