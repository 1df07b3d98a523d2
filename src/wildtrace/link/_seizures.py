"""Seizures in the network: the phones and names a seizure record names, and the phones of the seized parcel's
waybill, lead to the accounts that show them and so to their traders.

A phone leads to a trader when exactly one trader's accounts show it; a name when exactly one trader's accounts
are displayed under it (folded: NFKC, lower case, simplified). Names are weak (couriers see false names), so the
way each link was made is kept with it.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from wildtrace.link._identifiers import match_key
from wildtrace.link._vocab import fold

SEIZURE_COLUMNS = ["id", "date", "place", "agency", "species", "quantity_kg", "waybill", "phones", "names"]


def _listed(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value else []
    return [str(v) for v in value] if isinstance(value, list | tuple) else []


def seizure_links(seizures: pd.DataFrame, shipments: pd.DataFrame, phone_owner: dict[tuple[str, str], str],
                  accounts: pd.DataFrame, clusters: dict[str, str]) -> list[dict[str, Any]]:
    """One row per (seizure, trader): the seizure's fields, ``trader`` and ``via`` (how it leads there: "phone X
    named in the seizure", "sender/receiver phone X of waybill W", "name N")."""
    if seizures.empty:
        return []
    parcels = {str(s["waybill"]): s for s in shipments.to_dict("records")} if not shipments.empty else {}
    named: dict[str, set[str]] = {}
    for acc, name in zip(accounts["id"], accounts.get("display_name", pd.Series(dtype=object)), strict=False):
        if isinstance(name, str) and name.strip() and acc in clusters:
            named.setdefault(fold(name).strip(), set()).add(clusters[acc])
    rows: list[dict[str, Any]] = []
    for z in seizures.to_dict("records"):
        via: dict[str, list[str]] = {}
        clues = [(phone, f"phone {phone} named in the seizure") for phone in _listed(z.get("phones"))]
        parcel = parcels.get(str(z.get("waybill")))
        if parcel is not None:
            clues += [(parcel.get(f"{side}_phone"), f"{side} phone {parcel.get(f'{side}_phone')} of waybill "
                       f"{z['waybill']}") for side in ("sender", "receiver")]
        for phone, how in clues:
            trader = phone_owner.get(("phone", match_key("phone", phone))) if phone else None
            if trader:
                via.setdefault(trader, []).append(how)
        for name in _listed(z.get("names")):
            owners = named.get(fold(name).strip(), set())
            if len(owners) == 1:
                via.setdefault(next(iter(owners)), []).append(f"name {name}")
        fields = {k: z.get(k) for k in SEIZURE_COLUMNS}
        rows += [{**fields, "trader": trader, "via": sorted(set(how))} for trader, how in sorted(via.items())]
    return rows
