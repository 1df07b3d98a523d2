"""The SQL behind every figure of the report, as pure functions returning strings.

Each figure of the report names the query (by key of :data:`QUERIES`) and the function that turned its
rows into the figure, and the report's appendix prints the SQL, so every number can be traced.
"""

from __future__ import annotations


def posts_in_period() -> str:
    """Posts made in [from, to) with their screening verdict (one row per post)."""
    return (
        "SELECT p.id, p.platform, p.account_id, p.posted_at, p.posted_at_tz, p.deleted_at, p.media, "
        "p.content_hash, v.tier, v.species, v.products, v.code_words, v.extracted "
        "FROM posts p LEFT JOIN verdicts v ON v.post_id = p.id "
        "WHERE p.posted_at >= ? AND p.posted_at < ?"
    )


def media_hashes() -> str:
    """Perceptual hashes of the images (to count unique items, not reposts)."""
    return "SELECT sha256, phash FROM media"


def code_words_before() -> str:
    """Code words of posts made before the period (to mark the period's new ones)."""
    return (
        "SELECT v.code_words FROM verdicts v JOIN posts p ON p.id = v.post_id "
        "WHERE p.posted_at < ? AND v.code_words <> '[]'"
    )


def accounts_of_period() -> str:
    """Accounts that posted in the period, with when they were first seen."""
    return (
        "SELECT a.id, a.platform, a.status, a.first_seen, min(p.posted_at) AS first_post "
        "FROM accounts a JOIN posts p ON p.account_id = a.id "
        "GROUP BY a.id, a.platform, a.status, a.first_seen"
    )


def trader_members() -> str:
    """Accounts of traders found by linking, with trader category and backup flags (link stage)."""
    return (
        "SELECT m.account_id, m.trader_id, m.is_backup, m.appeared_at, t.category, t.status, t.n_accounts, "
        "t.platforms FROM link_members m JOIN link_traders t ON t.trader_id = m.trader_id"
    )


def weekly_counts_sql() -> str:
    """The bare SQL aggregation (benchmark baseline): posts per week, platform and tier."""
    return (
        "SELECT date_trunc('week', p.posted_at) AS week, p.platform, coalesce(v.tier, 'unscreened') AS tier, "
        "count(*) AS n FROM posts p LEFT JOIN verdicts v ON v.post_id = p.id "
        "WHERE p.posted_at >= ? AND p.posted_at < ? GROUP BY 1, 2, 3"
    )


QUERIES = {
    "posts_in_period": posts_in_period,
    "media_hashes": media_hashes,
    "code_words_before": code_words_before,
    "accounts_of_period": accounts_of_period,
    "trader_members": trader_members,
}

