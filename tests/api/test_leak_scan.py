"""The leak scan: on a simulated world whose posts use every obfuscation the simulator knows, every endpoint of the
workbench as every role and every export format for every audience shows 0 identifiers that the role or audience
may not see. The identifiers come from the simulator's truth (people, accounts) and its KYC and waybill files, not
from the store, and are searched for in a folded form (full-width and Chinese numerals read as digits, separators
dropped), so "m o u n t a i n 9 7 5 0" in an answer counts as the handle."""

from __future__ import annotations

import csv
import io
import itertools
import json
import random
import unicodedata
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.api.conftest import KeywordScreener
from tests.api.test_roles import ROUTES
from tests.report.test_simulated import truth_verdicts
from wildtrace.api import create_app
from wildtrace.config import Settings
from wildtrace.extract import extract_store
from wildtrace.ingest import ingest_records
from wildtrace.link import run_link
from wildtrace.model import Verdict
from wildtrace.money import analyse, load_records, save
from wildtrace.report import ReportOptions, build_report
from wildtrace.service import _users, add_user, create_token
from wildtrace.share import (
    ExportOptions,
    audience_for_role,
    audience_key,
    case_study,
    export,
    load_policy,
    pseudonym,
    store_redactor,
)
from wildtrace.simulate import simulate
from wildtrace.simulate._text import OBFUSCATIONS, card_text, handle_text, phone_text, species_term
from wildtrace.simulate._vocab import vocabulary
from wildtrace.store import Store, open_store

KEY = "leak-scan-key"
PASSWORD = "leak scan password"
ROLES = ("admin", "investigator", "analyst", "partner", "platform")
AUDIENCES = ("public", "partner", "platform", "analyst")
_CN = {c: str(i) for digits in ("零一二三四五六七八九", "〇壹贰叁肆伍陆柒捌玖") for i, c in enumerate(digits)}
_CN |= {"幺": "1", "两": "2"}

pytestmark = pytest.mark.slow


def fold(text: str) -> str:
    """Letters and digits only, full-width folded, Chinese numerals as digits, lower case."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(_CN.get(c, c) for c in text if c.isalnum())


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def truth_identifiers(world: Path) -> list[tuple[str, str]]:
    """(value, policy class) of every identifier of the world's people, accounts, KYC records and waybills."""
    out: list[tuple[str, str]] = []
    for p in _rows(world / "truth" / "people.csv"):
        out += [(p["phone"], "contact"), (p["wechat"], "contact"), (p["name"], "private_name")]
        out += [(p[k].split(":", 1)[1], "payment") for k in ("wallet", "bank")]
    for a in _rows(world / "truth" / "accounts.csv"):
        out += [(a["account_id"], "account_ref"), (a["account_id"].split(":", 1)[1], "account_ref")]
    for k in _rows(world / "payment_accounts.csv"):
        out += [(k["holder_name"], "private_name"), (k["holder_phone"], "contact")]
    for line in (world / "shipments.jsonl").read_text(encoding="utf-8").splitlines():
        s = json.loads(line)
        out += [(s[k], "private_name") for k in ("sender_name", "receiver_name", "picked_up_by") if s.get(k)]
        out += [(s[k], "contact") for k in ("sender_phone", "receiver_phone") if s.get(k)]
    return sorted({(v, c) for v, c in out if v})


def obfuscated_posts(world: Path, out: Path) -> int:
    """Posts by the world's traders that write their phone, handle, wallet and card in every form the simulator
    writes them, after every contact cue it uses, with the species hidden in every way it hides it."""
    v = vocabulary()
    rng = random.Random(15)
    accounts = {a["person_id"]: a["account_id"] for a in _rows(world / "truth" / "accounts.csv")
                if a["is_trader"] == "1"}
    species = list(v.species.values())
    lines, n = [], 0
    for person in _rows(world / "truth" / "people.csv"):
        account = accounts.get(person["person_id"])
        if account is None:
            continue
        phones = sorted({phone_text(rng, person["phone"]) for _ in range(80)})
        handles = sorted({handle_text(rng, person["wechat"]) for _ in range(80)})
        cards = sorted({card_text(rng, person[k]) for k in ("wallet", "bank") for _ in range(20)})
        for i, written in enumerate(phones + handles + cards):
            lang = ("zh", "en", "zh_hant", "vi")[i % 4]
            slot = "phone_contact" if written in phones else "contact"
            cue = v.slots[slot][lang][i % len(v.slots[slot][lang])]
            term, _ = species_term(rng, species[i % len(species)], v, lang if lang != "vi" else "zh", 20,
                                   OBFUSCATIONS[i % len(OBFUSCATIONS)])
            n += 1
            lines.append(json.dumps({
                "id": f"obf-{n:05d}", "platform": account.split(":", 1)[0], "account_id": account,
                "text": f"{term} 手镯 约120g 价格8800元 2025-04-0{1 + i % 9} {cue.format(c=written)} 收款 {written}"
                        if written in cards else f"{term} 手镯 约120g 价格8800元 {cue.format(c=written)}",
                "posted_at": (datetime(2025, 4, 1, 22) + timedelta(hours=n)).isoformat() + "+08:00"},
                ensure_ascii=False))
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return n


@pytest.fixture(scope="module")
def scan_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FastAPI, Store, Path, dict[str, Any]]]:
    folder = tmp_path_factory.mktemp("leak")
    world = folder / "world"
    simulate(seed=7, scale=0.2, out=world)
    n_obf = obfuscated_posts(world, world / "obfuscated.jsonl")
    store = open_store(str(folder / "w.duckdb"))
    data = folder / "data"
    for name, model in (("platforms.jsonl", "platform"), ("accounts.jsonl", "account"), ("posts.jsonl", "post"),
                        ("obfuscated.jsonl", "post")):
        ingest_records(store, world / name, model, data_dir=data)
    for kind, name in (("transactions", "transactions.csv"), ("shipments", "shipments.jsonl"),
                       ("seizures", "seizures.jsonl"), ("payment-accounts", "payment_accounts.csv")):
        load_records(store, kind, world / name, data_dir=data)
    store.put(truth_verdicts(world) + [Verdict(post_id=f"obf-{i:05d}", score=0.95, tier="high")
                                       for i in range(1, n_obf + 1)])
    extract_store(store)
    run_link(store)
    save(store, analyse(store))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        for role in ROLES:
            add_user(store, role, PASSWORD, role)
    app = create_app(store, Settings(secret_key="s", share_key=KEY, data_dir=str(data)), screener=KeywordScreener())
    app.state.tokens = {role: create_token(store, role) for role in ROLES}
    traders = [r["trader_id"] for r in store.query("SELECT trader_id FROM link_traders ORDER BY n_flagged DESC, "
                                                   "trader_id LIMIT 15")]
    accounts = [r["account_id"] for r in store.query(
        "SELECT account_id FROM link_members WHERE trader_id IN (SELECT trader_id FROM link_traders WHERE n_flagged "
        "> 0) ORDER BY account_id LIMIT 25")]
    posts = [r["id"] for r in store.query("SELECT id FROM posts WHERE id LIKE 'obf-%' OR id IN (SELECT post_id FROM "
                                          "verdicts WHERE tier = 'high') ORDER BY id LIMIT 400")]
    alerts = [r["id"] for r in store.query("SELECT id FROM alerts ORDER BY score DESC LIMIT 5")]
    inv = TestClient(app, headers={"Authorization": f"Bearer {app.state.tokens['investigator']}"})
    items = [f"post:{p}" for p in posts[:5]] + [f"account:{a}" for a in accounts[:3]] + [f"trader:{traders[0]}"] + [
        f"alert:{a}" for a in alerts[:2]] + [f"shipment:{r['waybill']}" for r in store.query(
            "SELECT waybill FROM shipments ORDER BY waybill LIMIT 2")]
    case = inv.post("/api/cases", json={"title": "network of the top trader", "items": items}).json()["id"]
    inv.put(f"/api/cases/{case}/visibility", json={"team": ["analyst"], "roles": []})
    text = store.query("SELECT text FROM posts WHERE id = ?", [posts[0]])[0]["text"]
    inv.post(f"/api/cases/{case}/notes", json={"text": f"seen again: {text}"})
    attachment = inv.post(f"/api/cases/{case}/attachments", files={"file": (f"{text[:60]}.txt", text)},
                          data={"note": f"screenshot of {text}"}).json()["attachment_id"]
    inv.post("/api/alerts/bulk", json={"ids": alerts[:2], "action": "close", "reason": f"same seller as {text}"})
    inv.post(f"/api/posts/{posts[1]}/decisions", json={"decision": "confirm", "note": f"also in {text}"})
    idents = [(r["kind"], r["value"]) for r in store.query(
        "SELECT DISTINCT i.kind, i.value FROM account_identifiers i JOIN link_members m ON m.account_id = i.account_id "
        "WHERE m.trader_id IN (SELECT trader_id FROM link_traders WHERE n_flagged > 0) ORDER BY i.kind, i.value "
        "LIMIT 12")]
    ids = {"traders": traders, "accounts": accounts, "posts": posts, "alerts": alerts, "case": case, "idents": idents,
           "attachment": attachment, "identifiers": truth_identifiers(world), "n_obfuscated": n_obf}
    yield app, store, folder, ids
    store.close()


def forbidden(audience: str, identifiers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(folded value, value) of the identifiers ``audience`` may not see (long enough to be searched for)."""
    actions = load_policy().audience(audience).actions
    out = []
    for value, cls in identifiers:
        key = fold(value)
        if actions[cls] != "keep" and (len(key) >= 5 or (len(key) >= 2 and not key.isascii())):
            out.append((key, value))
    return out


def leaks(shown: str, banned: list[tuple[str, str]]) -> list[str]:
    folded = fold(shown)
    return sorted({value for key, value in banned if key in folded})


def _shown(response: Any) -> str:
    if response.headers.get("content-type", "").startswith("application/zip"):
        with zipfile.ZipFile(io.BytesIO(response.content)) as zf:
            return "\n".join(zf.read(n).decode("utf-8", "replace") for n in zf.namelist())
    return response.text


def _requests(ids: dict[str, Any], role: str) -> Iterator[tuple[str, str, dict[str, Any] | None]]:
    """Every GET route of the app's route table, once per value of its path parameters, and the checks."""
    def h(value: str) -> str:
        audience = audience_for_role(role)
        return value if audience == "investigator" else pseudonym(value, audience_key(KEY.encode(), audience))

    values = {"post_id": ids["posts"], "trader_id": [h(t) for t in ids["traders"]],
              "account_id": [h(a) for a in ids["accounts"]], "case_id": [ids["case"]],
              "subject": [f"trader:{h(t)}" for t in ids["traders"][:5]], "alert_id": ids["alerts"],
              "sha256": ["0" * 64], "username": ["analyst"], "attachment_id": [ids["attachment"]],
              "ident": [f"{kind}:{h(value)}" for kind, value in ids["idents"]]}
    for method, path, route in ROUTES:
        if method != "GET" or path == "/api/openapi.json":
            continue
        params = [p.name for p in route.dependant.path_params]
        assert all(p in values for p in params), f"add scan values for {path}"
        for combination in itertools.product(*(values[p] for p in params)):
            concrete = path
            for name, value in zip(params, combination, strict=True):
                concrete = concrete.replace("{" + name + ":path}", value).replace("{" + name + "}", value)
            if path == "/api/network-path":  # paths from the top traders to accounts (through phones, wallets...)
                for trader, account in zip(ids["traders"][:3], ids["accounts"][:3], strict=True):
                    yield method, f"{path}?{urlencode({'source': f'trader:{h(trader)}', 'target': h(account)})}", None
                continue
            yield method, concrete + ("?depth=2" if "/network/" in path else "?limit=500" if path.endswith(
                ("/queue", "/alerts", "/traders", "/decisions", "/audit")) else ""), None
    for _, value in ids["idents"][:6]:  # searching for a value, or its pseudonym, shows no other value
        for q in (value, h(value)):
            yield "GET", f"/api/search?q={quote(q)}", None
            yield "GET", f"/search?q={quote(q)}", None
    yield "GET", "/search?q=" + quote("手镯"), None
    texts = [p for p in ids["posts"] if p.startswith("obf-")]
    for text in texts[:40]:
        yield "POST", "/api/check/post", {"text": text}




@pytest.mark.parametrize("role", ROLES)
def test_no_endpoint_shows_a_role_an_identifier_it_may_not_see(scan_world: tuple, role: str) -> None:
    app, store, _, ids = scan_world
    banned = forbidden(audience_for_role(role), ids["identifiers"])
    assert role in ("admin", "investigator") or len(banned) > 500
    client = TestClient(app, headers={"Authorization": f"Bearer {app.state.tokens[role]}"})
    found: dict[str, list[str]] = {}
    ok = 0
    for method, path, body in _requests(ids, role):
        if body is not None and path == "/api/check/post":
            body = {"text": store.query("SELECT text FROM posts WHERE id = ?", [body["text"]])[0]["text"]}
        response = client.request(method, path, json=body)
        assert response.status_code < 500, (path, response.text[:300])
        ok += response.status_code == 200
        hit = leaks(_shown(response), banned)
        if hit:
            found[path] = hit
    assert not found, f"{role} sees {sum(map(len, found.values()))} identifiers: {dict(list(found.items())[:5])}"
    assert ok > 100, "the scan must read answers, not refusals"


def test_the_scan_would_see_a_leak(scan_world: tuple) -> None:
    """The investigator's answers do show the identifiers (so the scan is not blind), obfuscated ones included."""
    app, _, _, ids = scan_world
    client = TestClient(app, headers={"Authorization": f"Bearer {app.state.tokens['investigator']}"})
    shown = "".join(client.get(f"/api/posts/{p}").text for p in ids["posts"] if p.startswith("obf-"))
    everything = forbidden("public", ids["identifiers"])
    assert len(leaks(shown, everything)) > 50
    assert ids["n_obfuscated"] > 100


@pytest.mark.parametrize("audience", AUDIENCES)
def test_no_export_report_or_case_study_shows_an_audience_what_it_may_not_see(scan_world: tuple, audience: str,
                                                                            tmp_path: Path) -> None:
    _, store, _, ids = scan_world
    key = KEY.encode()
    banned = forbidden(audience, ids["identifiers"])
    outputs: dict[str, str] = {}
    for fmt in ("ftm", "stix", "csv"):
        out = tmp_path / f"{audience}.{fmt}"
        export(store, fmt, out, ExportOptions(audience=audience, tiers=()), key)
        outputs[fmt] = "\n".join(p.read_text(encoding="utf-8-sig") for p in sorted(out.glob("*.csv"))) \
            if out.is_dir() else out.read_text(encoding="utf-8")
    start = date(2025, 3, 3)
    outputs["report"] = json.dumps(build_report(store, ReportOptions(start, start + timedelta(weeks=16),
                                                                     audience=audience), key), ensure_ascii=False)
    outputs["case_study"] = json.dumps(case_study(store, ids["case"], store_redactor(store, audience, key),
                                                  force=True), ensure_ascii=False, default=str)
    assert len(outputs["csv"]) > 10_000
    found = {name: hit for name, text in outputs.items() if (hit := leaks(text, banned))}
    assert not found, f"{audience}: {found}"
