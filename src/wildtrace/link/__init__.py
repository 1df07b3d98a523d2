"""Linking: from accounts to traders and networks.

Strong shared identifiers link accounts deterministically (hub identifiers kept but not used), Splink
links them probabilistically on weaker evidence, clusters become traders with profiles, and traders,
buyers, suppliers, money and parcels become a network.

>>> from wildtrace.link import HubRules
>>> HubRules().max_accounts
8
"""

from wildtrace.link._data import LinkData, load_link_data
from wildtrace.link._evaluate import earner_ranks, read_truth, score_linkage, score_traders
from wildtrace.link._features import account_features
from wildtrace.link._identifiers import HubRules, find_hubs, match_key
from wildtrace.link._images import PictureRule, picture_groups, same_picture
from wildtrace.link._network import analyse_network, build_network, trader_communities
from wildtrace.link._persist import (
    evaluate_link,
    explain_link,
    list_hubs,
    list_traders,
    load_network,
    load_profile,
    run_link,
    stored_clusters,
    top_traders,
)
from wildtrace.link._picture_set import PicturePair, judge_pictures, picture_pairs, score_picture_set
from wildtrace.link._pipeline import LinkOptions, LinkResult, deterministic_links, link_accounts
from wildtrace.link._roles import ROLES, RoleRules, chain_roles, default_role_rules, load_role_rules
from wildtrace.link._traders import trader_profile, trader_profiles

__all__ = [
    "ROLES",
    "HubRules",
    "LinkData",
    "LinkOptions",
    "LinkResult",
    "PicturePair",
    "PictureRule",
    "RoleRules",
    "account_features",
    "analyse_network",
    "build_network",
    "chain_roles",
    "default_role_rules",
    "deterministic_links",
    "earner_ranks",
    "evaluate_link",
    "explain_link",
    "find_hubs",
    "judge_pictures",
    "link_accounts",
    "list_hubs",
    "list_traders",
    "load_link_data",
    "load_network",
    "load_profile",
    "load_role_rules",
    "match_key",
    "picture_groups",
    "picture_pairs",
    "read_truth",
    "run_link",
    "same_picture",
    "score_linkage",
    "score_picture_set",
    "score_traders",
    "stored_clusters",
    "top_traders",
    "trader_communities",
    "trader_profile",
    "trader_profiles",
]
