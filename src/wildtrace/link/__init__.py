"""Linking: from accounts to traders and networks.

Strong shared identifiers link accounts deterministically (hub identifiers kept but not used), Splink
links them probabilistically on weaker evidence, clusters become traders with profiles, and traders,
buyers, suppliers, money and parcels become a network.

>>> from wildtrace.link import HubRules
>>> HubRules().max_accounts
8
"""

from wildtrace.link._data import LinkData, load_link_data
from wildtrace.link._evaluate import read_truth, score_linkage
from wildtrace.link._features import account_features
from wildtrace.link._identifiers import HubRules, find_hubs, match_key
from wildtrace.link._images import PictureRule, phash_groups, picture_groups, same_picture
from wildtrace.link._network import analyse_network, build_network, chain_role
from wildtrace.link._persist import (
    explain_link,
    list_hubs,
    list_traders,
    load_network,
    load_profile,
    run_link,
    stored_clusters,
    top_traders,
)
from wildtrace.link._pipeline import LinkOptions, LinkResult, deterministic_links, link_accounts
from wildtrace.link._traders import trader_profile, trader_profiles

__all__ = [
    "HubRules",
    "LinkData",
    "LinkOptions",
    "LinkResult",
    "PictureRule",
    "account_features",
    "analyse_network",
    "build_network",
    "chain_role",
    "deterministic_links",
    "explain_link",
    "find_hubs",
    "link_accounts",
    "list_hubs",
    "list_traders",
    "load_link_data",
    "load_network",
    "load_profile",
    "match_key",
    "phash_groups",
    "picture_groups",
    "read_truth",
    "run_link",
    "same_picture",
    "score_linkage",
    "stored_clusters",
    "top_traders",
    "trader_profile",
    "trader_profiles",
]
