"""Constants of the money stage that import nothing, so the CLI can build its options without the stage."""

from __future__ import annotations

ALERT_THRESHOLD = 0.6
"""Default alert threshold on the total risk score, set from how the score is built, not fitted to any
labelled file. Exposure (network risk, payments with a flagged seller) is capped at 0.5
(``RiskParams.exposure_cap``: one hop from a certain seed), so exposure alone, however strong, stays below
it; exposure plus one hit of 0.2 on what the account did reaches it, as do two independent typologies
or a strong one (a price match, a flagged seller's own advertised account). On the simulated world
(seed 7 checked, seed 11 reported; docs/money.md) it keeps recall 1.00 at precision 0.65 / 0.71."""

KIND_NAMES = ("transactions", "shipments", "seizures", "payment-accounts")
"""What ``load_records`` loads; ``KINDS`` maps each to its entity model."""

WATCHLIST = "watchlist"
"""The typology of watchlist matches: run with the ledger's typologies when the store holds a watchlist."""
WATCHLIST_DOC = ("A payment account's holder (KYC), a waybill phone with every name its parcels carry, or a payment "
                 "endpoint that matches an entity of a loaded watchlist (FollowTheMoney): identifiers exactly, names "
                 "across scripts and transliterations. Needs a store (money watchlist load).")
