"""Constants of the money stage that import nothing, so the CLI can build its options without the stage."""

from __future__ import annotations

ALERT_THRESHOLD = 0.6
"""Default alert threshold on the total risk score. One strong tie alone (a neighbour of a seized phone or
a flagged seller: risk 1 x decay 0.5) stays below it; an alert needs a strong typology (price match,
flagged seller's own account) or two independent signals. Set from the weights and the decay, not fitted
to any labelled file."""

KIND_NAMES = ("transactions", "shipments", "seizures", "payment-accounts")
"""What ``load_records`` loads; ``KINDS`` maps each to its entity model."""
