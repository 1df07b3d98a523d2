"""The SQL behind every figure of the report, as pure functions returning strings.

Each figure and each summary sentence names the queries (keys of :data:`QUERIES`) and the function that turned
their rows into the figure; the queries are written to a file beside the report (``<report>.queries.sql``), not
into the published report, so every number can be traced without printing SQL to the reader.
"""

from __future__ import annotations

from typing import Any


def source(function: str, *queries: str, library: str | None = None) -> dict[str, Any]:
    """What a figure or sentence came from: the function that computed it (dotted name), the queries it read
    (keys of :data:`QUERIES`) and the library call it made, if any."""
    return {"function": function, "queries": list(queries), "library": library}


def posts_in_period() -> str:
    """Posts made in [from, to) with their screening verdict (one row per post)."""
    return (
        "SELECT p.id, p.platform, p.account_id, p.posted_at, p.posted_at_tz, p.deleted_at, p.captured_at, p.media, "
        "p.content_hash, v.tier, v.species, v.products, v.code_words, v.extracted, v.model_version "
        "FROM posts p LEFT JOIN verdicts v ON v.post_id = p.id "
        "WHERE p.posted_at >= ? AND p.posted_at < ?"
    )


def media_hashes() -> str:
    """Content and perceptual hashes of the images (to count unique items, not reposts)."""
    return "SELECT sha256, phash, dhash, whash FROM media"


def post_history() -> str:
    """Every post up to the period's end: account, time, tier and code words (first seen, new or returning)."""
    return (
        "SELECT p.account_id, p.posted_at, v.tier AS flagged_tier, v.code_words "
        "FROM posts p LEFT JOIN verdicts v ON v.post_id = p.id WHERE p.posted_at < ?"
    )


def monitoring_span() -> str:
    """When monitoring began and ended: the first and last post the store holds."""
    return "SELECT min(posted_at) AS first_post, max(posted_at) AS last_post FROM posts"


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


def review_decisions() -> str:
    """Analysts' latest review decision on each post, with the post's screening tier (measurement error)."""
    return (
        "SELECT d.post_id, d.decision, d.decided_at, v.tier FROM decisions d "
        "LEFT JOIN verdicts v ON v.post_id = d.post_id ORDER BY d.post_id, d.decided_at"
    )


def sources_watched() -> str:
    """Per platform watched: posts, accounts, captures and deletions in [from, to)."""
    return (
        "SELECT pl.id, pl.name, pl.kind, count(p.id) AS posts, count(DISTINCT p.account_id) AS accounts, "
        "count(p.captured_at) AS captured, count(p.deleted_at) AS deleted, min(p.posted_at) AS first_post, "
        "max(p.posted_at) AS last_post FROM platforms pl "
        "LEFT JOIN posts p ON p.platform = pl.id AND p.posted_at >= ? AND p.posted_at < ? "
        "GROUP BY pl.id, pl.name, pl.kind"
    )


def captures_of_period() -> str:
    """Evidence captures of the period's posts (WARC records; ``removed`` when the watch found the post gone)."""
    return (
        "SELECT c.post_id, c.captured_at, c.removed, c.kind, c.version_of FROM captures c "
        "JOIN posts p ON p.id = c.post_id WHERE p.posted_at >= ? AND p.posted_at < ?"
    )


def watched_posts() -> str:
    """Posts of the period on the watchlist (re-captured on a schedule): when watching began, last check."""
    return (
        "SELECT w.post_id, w.added_at, w.last_checked_at, w.gone FROM watchlist w "
        "JOIN posts p ON p.id = w.post_id WHERE p.posted_at >= ? AND p.posted_at < ?"
    )


def seizures_of_period() -> str:
    """Seizures dated in the period, with the phones of the seized parcel's waybill when the store has it."""
    return (
        "SELECT z.id, z.date, z.agency, z.species, z.quantity_kg, z.phones, s.sender_phone, s.receiver_phone "
        "FROM seizures z LEFT JOIN shipments s ON s.waybill = z.waybill WHERE z.date >= ? AND z.date <= ?"
    )


def phone_identifiers() -> str:
    """Phone numbers seen on accounts (profiles, posts, pictures): to tie a seizure to online sellers."""
    return "SELECT account_id, value FROM account_identifiers WHERE kind = 'phone'"


def trade_flows() -> str:
    """Payments and parcels of the period (the network of who paid and who shipped to whom)."""
    return (
        "SELECT 'payment' AS flow, t.time, t.payer AS source, t.payee AS target, t.amount FROM transactions t "
        "WHERE t.time >= ? AND t.time < ? UNION ALL "
        "SELECT 'parcel', s.time, s.sender_phone, s.receiver_phone, s.weight_g FROM shipments s "
        "WHERE s.time >= ? AND s.time < ?"
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
    "post_history": post_history,
    "monitoring_span": monitoring_span,
    "accounts_of_period": accounts_of_period,
    "trader_members": trader_members,
    "review_decisions": review_decisions,
    "sources_watched": sources_watched,
    "captures_of_period": captures_of_period,
    "watched_posts": watched_posts,
    "seizures_of_period": seizures_of_period,
    "phone_identifiers": phone_identifiers,
    "trade_flows": trade_flows,
}
