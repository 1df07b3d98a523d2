"""One pseudonym per account, identifier and trader for a redacted audience: the account of a post shows the same
pseudonym on the post's page, its own page, in the network, in an alert and in the FtM and STIX exports for that
audience, whichever of its names (id ``platform:handle`` or handle) a place starts from; a phone on a parcel is the
phone read in a post; and each pseudonym shown leads to its page. Each audience has its own pseudonyms (its own key,
derived from the share key): a partner's and the analysts' views do not join on them."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.api.world import BACKUP_PHONE, PHONE
from wildtrace.share import ExportOptions, audience_key, export, pseudonym
from wildtrace.store import Store

KEY = b"test-share-key"
A1, A2 = "wechat:ivory_king", "wechat:ivory_king2"
# Every thing of the world with every name it goes by in the store.
THINGS = {
    "account 1": [A1, "ivory_king"],
    "account 2": [A2, "ivory_king2"],
    "trader": ["t-1"],
    "phone": [PHONE, f"+86{PHONE}"],
    "backup phone": [BACKUP_PHONE, f"+86{BACKUP_PHONE}"],
    "messenger id": ["wechat:ivory_king88", "ivory_king88"],
    "wallet": ["wallet:w-881", "w-881"],
}
_PSEUDONYM = re.compile(r"h:[0-9a-f]{16}")
OTHER = {"analyst": "partner", "partner": "public"}  # an audience whose pseudonyms another must not be shown


def _names(key: bytes) -> dict[str, tuple[str, str]]:
    """Each pseudonym any name of a thing could have (raw, E.164 or canonical) under ``key`` -> (thing, name)."""
    out = {}
    for thing, names in THINGS.items():
        for name in names:
            for cls in (None, "contact"):
                out[pseudonym(name, key, cls)] = (thing, name)
    return out


def _places(store: Store, client: TestClient, audience: str, tmp_path: Path) -> dict[str, str]:
    key = audience_key(KEY, audience)
    post, shown = f"{A1}/p0", pseudonym(A1, key)
    pages = {"post page": f"/posts/{post}", "post (API)": f"/api/posts/{post}", "account page": f"/accounts/{shown}",
             "account (API)": f"/api/accounts/{shown}", "network": f"/api/network/account:{shown}",
             "alerts": "/api/alerts", "alerts page": "/alerts", "trader page": f"/traders/{pseudonym('t-1', key)}"}
    out = {}
    for place, path in pages.items():
        r = client.get(path)
        assert r.status_code == 200, (place, r.text)
        out[place] = r.text
    for fmt in ("ftm", "stix"):
        path = tmp_path / f"{audience}.{fmt}"
        export(store, fmt, path, ExportOptions(audience=audience, tiers=()), KEY)
        out[f"{fmt} export"] = path.read_text(encoding="utf-8")
    return out


@pytest.mark.parametrize(("role", "audience"), [("analyst", "analyst"), ("partner", "partner")])
def test_one_thing_one_pseudonym_everywhere(world: tuple[Store, dict], login: Callable[[str], TestClient],
                                           tmp_path: Path, role: str, audience: str) -> None:
    names, others = _names(audience_key(KEY, audience)), _names(audience_key(KEY, OTHER[audience]))
    places = _places(world[0], login(role), audience, tmp_path)
    joined = {p for text in places.values() for p in _PSEUDONYM.findall(text) if p in others}
    assert not joined, f"{audience} is shown pseudonyms of the {OTHER[audience]} audience: {sorted(joined)}"
    seen: dict[str, dict[str, set[str]]] = {}  # thing -> pseudonym -> places
    for place, text in places.items():
        for p in set(_PSEUDONYM.findall(text)):
            if p in names:
                seen.setdefault(names[p][0], {}).setdefault(p, set()).add(place)
    for thing, shown in seen.items():
        assert len(shown) == 1, f"{audience}: {thing} has {len(shown)} pseudonyms: " + "; ".join(
            f"{p} ({names[p][1]}) in {sorted(where)}" for p, where in shown.items())
    account = pseudonym(A1, audience_key(KEY, audience))
    assert seen["account 1"] == {account: set(places)}, "the account is in every place under its one pseudonym"
    if audience == "analyst":  # a partner is shown no contacts
        assert "phone" in seen and "messenger id" in seen


def test_a_pseudonym_shown_leads_to_its_page(world: tuple[Store, dict], login: Callable[[str], TestClient]) -> None:
    """The trader's phone (read in a post as +86..., written on a parcel as 139...) has one pseudonym, and it opens
    the phone's page with the post and the parcel, sent from the same pseudonym; the handle's pseudonym opens the
    account."""
    analyst, key = login("analyst"), audience_key(KEY, "analyst")
    phone = pseudonym(f"+86{PHONE}", key)
    trader_page = analyst.get(f"/traders/{pseudonym('t-1', key)}").text
    assert f"phone%3A{phone.replace(':', '%3A')}" in trader_page and pseudonym(PHONE, key) not in trader_page
    found = analyst.get(f"/api/identifiers/phone:{phone}").json()
    assert [(s["waybill"], s["sender_phone"]) for s in found["parcels"]] == [("SF100200300", phone)]
    assert f"{A1}/p0" in {p["id"] for p in found["posts"]}
    handle = analyst.get(f"/api/posts/{A1}/p0").json()["account"]["handle"]
    assert handle == pseudonym(A1, key) and analyst.get(f"/api/accounts/{handle}").status_code == 200


def test_an_audit_event_names_an_identifier_by_its_own_pseudonym(world: tuple[Store, dict],
                                                                  login: Callable[[str], TestClient]) -> None:
    """A view of the phone's page is audited as ``phone:+86...``; an analyst reads it (API and page) as
    ``phone:<the phone's pseudonym>``, the one that opens the phone's page, not as a pseudonym of the pair."""
    analyst, key = login("analyst"), audience_key(KEY, "analyst")
    phone = pseudonym(f"+86{PHONE}", key, "contact")
    assert analyst.get(f"/api/identifiers/phone:{phone}").status_code == 200
    events = analyst.get("/api/audit", params={"object_kind": "identifier", "limit": 500}).json()["items"]
    named = {e["object_id"] for e in events}
    assert f"phone:{phone}" in named, named
    assert pseudonym(f"phone:+86{PHONE}", key) not in named and not any(PHONE in n for n in named)
    page = analyst.get("/audit").text
    assert f"phone%3A{phone.replace(':', '%3A')}" in page and pseudonym(f"phone:+86{PHONE}", key) not in page
    assert PHONE not in page


def test_a_redacted_role_filters_the_audit_log_by_the_pseudonym_it_is_shown(
        world: tuple[Store, dict], login: Callable[[str], TestClient]) -> None:
    """Filtering by a pseudonym finds the events on its object; filtering by a store value finds nothing (it would
    tell the value's pseudonym: the events come back showing it)."""
    analyst, key = login("analyst"), audience_key(KEY, "analyst")
    phone, trader = pseudonym(f"+86{PHONE}", key, "contact"), pseudonym("t-1", key)
    assert analyst.get(f"/api/identifiers/phone:{phone}").status_code == 200
    assert analyst.get(f"/api/traders/{trader}").status_code == 200

    def named(**params: str) -> set[str]:
        items = analyst.get("/api/audit", params={**params, "limit": 500}).json()["items"]
        return {f"{e['object_kind']} {e.get('object_id')}" for e in items}

    for kind in ("identifier", None):
        given = {"object_kind": kind} if kind else {}
        assert named(**given, object_id=f"phone:{phone}") == {f"identifier phone:{phone}"}
        assert named(**given, object_id=f"phone:+86{PHONE}") == set()
    assert named(object_kind="trader", object_id=trader) == {f"trader {trader}"}
    assert named(object_id="t-1") == set() and named(object_kind="trader", object_id="t-1") == set()
    investigator = login("investigator")  # sees values: filters by the stored one
    stored = {e["object_id"] for e in investigator.get("/api/audit", params={"object_kind": "identifier"}).json()[
        "items"] if PHONE in e["object_id"]}
    assert len(stored) == 1
    found = investigator.get("/api/audit", params={"object_id": min(stored)}).json()["items"]
    assert found and {e["object_id"] for e in found} == stored
