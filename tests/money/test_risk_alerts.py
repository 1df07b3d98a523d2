"""Risk flows from flagged sellers through payments and KYC phones with decay, explained; alerts keep
their analyst state across runs; SAR drafts cite the evidence."""

from __future__ import annotations

import json
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tests.money.conftest import add_flagged_seller
from tests.money.factory import tx
from wildtrace import model as m
from wildtrace.cli.main import app
from wildtrace.money import EVIDENCE_SHOWN, alert_evidence, analyse, draft_sar, sar_xml, save, set_alert, write_sar
from wildtrace.store import Store


@pytest.fixture
def chain(benign_store: Store) -> Store:
    """seller <- buyer (3 payments); buyer's KYC phone is also behind a second account that pays a mule."""
    add_flagged_seller(benign_store)
    benign_store.add([tx(f"ch{i}", i * 30, "wallet:buyer", "wallet:sellerpay", 2950.0) for i in range(3)]
                     + [m.PaymentAccount(payment_account="wallet:buyer", holder_name="王五",
                                         holder_phone="13900990099"),
                        m.PaymentAccount(payment_account="bank:6222333344445555", holder_name="王小五",
                                         holder_phone="13900990099"),
                        tx("side", 100, "bank:6222333344445555", "wallet:far", 7000.0)])
    return benign_store


def test_risk_decays_along_the_path_and_explains_it(chain: Store) -> None:
    risk = analyse(chain).risk.set_index("subject")
    seller, buyer = risk.loc["wallet:sellerpay"], risk.loc["wallet:buyer"]
    twin = risk.loc["bank:6222333344445555"]
    assert seller["score"] > buyer["network_score"] > twin["network_score"] > 0
    assert any(r.startswith("network:") and "KYC phone" in r and "wallet:buyer" in r for r in twin["reasons"])
    assert "wallet:p0" not in risk.index or risk.loc["wallet:p0", "score"] < 0.6


def test_buyers_and_partners_of_a_flagged_seller_are_exposure_not_alerts(benign_store: Store) -> None:
    """A buyer paying once, or a partner paying ten times, is exposed (ranked, with reasons) but not
    alerted on that alone: exposure is capped below the threshold; a regular partner with something it did
    itself (here a cycle through it) is."""
    from tests.money.factory import PLANTS

    add_flagged_seller(benign_store)
    benign_store.add([tx("once", 10, "wallet:buyer1", "wallet:sellerpay", 2950.0)]
                     + [tx(f"reg{i}", 20 + i * 40, "wallet:partner", "wallet:sellerpay", 800.0) for i in range(10)]
                     + PLANTS["cycle"][0]
                     + [tx(f"ra{i}", 30 + i * 50, "wallet:ra", "wallet:sellerpay", 1200.0) for i in range(4)])
    result = analyse(benign_store)
    risk = result.risk.set_index("subject")
    alerted = {a.subject for a in result.alerts}
    for who in ("wallet:buyer1", "wallet:partner"):
        assert "flagged_counterparty" in risk.loc[who, "typologies"]
        assert any(r.startswith("flagged_counterparty:") for r in risk.loc[who, "reasons"])
        assert risk.loc[who, "network_score"] <= 0.5 and who not in alerted, risk.loc[who].to_dict()
    assert risk.loc["wallet:partner", "score"] > risk.loc["wallet:buyer1", "score"] > 0
    assert "wallet:sellerpay" in alerted
    assert "wallet:ra" in alerted and {"cycle", "flagged_counterparty"} <= set(risk.loc["wallet:ra", "typologies"])


def test_network_risk_does_not_come_back_to_its_origin(chain: Store) -> None:
    """The seller's own hit reaching it again through its KYC phone, or through a buyer whose only
    risk is having paid it, is not exposure: nothing else near it is flagged, so it has none."""
    chain.add([m.PaymentAccount(payment_account="wallet:sellerpay", holder_name="赵六", holder_phone="13800001111"),
               tx("back", 500, "wallet:sellerpay", "wallet:buyer", 100.0)])
    risk = analyse(chain).risk.set_index("subject")
    seller = risk.loc["wallet:sellerpay"]
    assert seller["network_score"] == 0 and not any(r.startswith("network: ") for r in seller["reasons"])
    phone = risk.loc["phone:13800001111"]  # the seller's phone is one KYC hop from it, and says so
    assert phone["network_score"] > 0
    assert any(r.startswith("network: 1 hop(s) from wallet:sellerpay ") for r in phone["reasons"])


def test_a_pattern_reaches_its_accounts_through_the_pattern_not_again_through_its_payments(
        benign_store: Store) -> None:
    """Every account on a cycle carries the cycle itself (strong enough to seed, were it not a pattern);
    the cycle does not also seed network risk that would come back to its own accounts over the payments
    that form it, so each scores the cycle once."""
    from tests.money.factory import PLANTS
    from wildtrace.money import RiskParams

    benign_store.add(PLANTS["cycle"][0])
    result = analyse(benign_store)
    risk = result.risk.set_index("subject")
    cycle = result.hits[result.hits["typology"] == "cycle"].set_index("subject")
    for a in PLANTS["cycle"][1]:
        assert cycle.loc[a, "score"] >= RiskParams().min_seed
        assert risk.loc[a, "network_score"] == 0 and risk.loc[a, "score"] == cycle.loc[a, "score"], risk.loc[a]


def test_hubs_do_not_pass_risk_on(chain: Store) -> None:
    chain.add([tx(f"hub{i}", 200 + i, f"wallet:q{i}", "wallet:sellerpay", 10.0) for i in range(60)]
              + [tx("via-hub", 300, "wallet:sellerpay", "wallet:beyond", 10.0)])
    chain.add([tx("after-hub", 400, "wallet:beyond", "wallet:further", 10.0)])
    risk = analyse(chain).risk.set_index("subject")
    assert "wallet:beyond" in risk.index  # a hub's own neighbour still receives risk
    assert "wallet:further" not in risk.index  # but the hub does not pass it on


def test_alerts_keep_status_and_assignee(chain: Store) -> None:
    first = analyse(chain)
    save(chain, first)
    alert = next(a for a in first.alerts if a.subject == "wallet:sellerpay")
    assert alert.reasons and alert.evidence
    changed = set_alert(chain, alert.id, assignee="ana")
    assert changed.status == "assigned"
    save(chain, analyse(chain))
    again = chain.get(m.Alert, alert.id)
    assert (again.status, again.assignee) == ("assigned", "ana")
    with pytest.raises(ValueError, match=r"'nonsense' \(use open, assigned, escalated, closed\)"):
        set_alert(chain, alert.id, status="nonsense")


def test_sar_cites_transactions_and_posts_by_hash(chain: Store, tmp_path) -> None:
    save(chain, analyse(chain))
    draft = draft_sar(chain, "wallet:sellerpay")
    assert {t["id"] for t in draft.transactions} >= {"ch0", "ch1", "ch2"}
    assert all(len(t["sha256"]) == 64 for t in draft.transactions)
    assert [p["id"] for p in draft.posts] == ["post-wechat:xy_88"] and draft.posts[0]["content_hash"] == "c" * 64
    root = ET.fromstring(sar_xml(draft))
    assert root.findtext("report_code") == "STR"
    assert {e.findtext("transactionnumber") for e in root.iter("transaction")} >= {"ch0", "ch1", "ch2"}
    assert "flagged_counterparty" in {e.text for e in root.iter("indicator")}
    paths = write_sar(draft, tmp_path)
    assert json.loads(paths[1].read_text())["subject"] == "wallet:sellerpay"
    with pytest.raises(KeyError, match="no alert"):
        draft_sar(chain, "wallet:nobody")


def test_sar_html_escapes_hostile_memo(chain: Store, tmp_path) -> None:
    chain.add([m.Transaction(id="evil", time=tx("x", 1, "a", "b", 1).time, payer="wallet:buyer",
                             payee="wallet:sellerpay", amount=2950.0, memo="<script>alert(1)</script>")])
    save(chain, analyse(chain))
    html = write_sar(draft_sar(chain, "wallet:sellerpay"), tmp_path)[2].read_text()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_runs_and_saves_on_every_backend(backend_store: Store) -> None:
    from tests.money.factory import PLANTS, benign_transactions

    backend_store.add(PLANTS["cycle"][0] + benign_transactions(300)  # a ledger's span for the windows
                      + [m.Seizure(waybill="W1", phones=["13900990099"], names=["王五"])])
    result = analyse(backend_store)
    assert {"wallet:ra", "wallet:rb", "wallet:rc"} <= set(result.hits["subject"])
    save(backend_store, result)
    assert backend_store.query("SELECT count(*) AS n FROM money_hits")[0]["n"] == len(result.hits)


def test_pattern_membership_is_association_capped_with_exposure() -> None:
    """A member of a pattern is associated with what the pattern's subject did, as a flagged seller's partner
    is with the seller: membership and exposure together stay under the cap, so a partner of a flagged
    seller who is also a member of strong patterns is not alerted on that alone; the pattern's subject is
    scored on what it did, and a member without exposure is ranked by its memberships."""
    from wildtrace.money import combine

    hits = pd.DataFrame({"typology": ["fan_in", "bipartite"], "subject": ["hub", "p1"], "subject_kind": "account",
                         "score": [0.35, 0.35], "reason": "r", "evidence": [["t1"], ["t2"]],
                         "members": [["hub", "m", "n"], ["p1", "m"]], "exposure": False, "member_score": 0.35})
    network = pd.DataFrame({"subject": ["m"], "network_score": [0.5], "path": ["1 hop(s) from seller"]})
    risk = combine(hits, network).set_index("subject")
    assert risk.loc["m", "score"] == 0.5 and risk.loc["m", "typology_score"] == 0
    assert any(r.startswith("fan_in: member of the fan_in pattern of hub") for r in risk.loc["m", "reasons"])
    assert risk.loc["hub", "typology_score"] == 0.35 and risk.loc["n", "score"] == 0.35


def test_a_big_sellers_alert_keeps_every_payment_and_its_sar_lists_them_all_with_totals(benign_store: Store,
                                                                                        tmp_path: Path) -> None:
    """73 payments to a flagged seller (more than a screen's first page): the alert cites all of them, its row
    keeps the first page and the count, and the SAR draft lists every one with the totals."""
    add_flagged_seller(benign_store)
    paid = [tx(f"big{i:02d}", i * 5, f"wallet:buyer{i % 9}", "wallet:sellerpay", 100.0 + i) for i in range(70)]
    paid += [tx(f"out{i}", 400 + i, "wallet:sellerpay", "wallet:supplier", 1000.0) for i in range(3)]
    benign_store.add(paid)
    result = analyse(benign_store)
    save(benign_store, result)
    alert = next(a for a in result.alerts if a.subject == "wallet:sellerpay")
    assert {t.id for t in paid} <= set(alert.evidence)
    stored = benign_store.get(m.Alert, alert.id)
    assert stored is not None and len(stored.evidence) == EVIDENCE_SHOWN < stored.evidence_count == len(alert.evidence)
    assert alert_evidence(benign_store, stored) == alert.evidence
    assert alert_evidence(benign_store, stored, offset=50, limit=10) == alert.evidence[50:60]
    draft = draft_sar(benign_store, "wallet:sellerpay")
    assert {t["id"] for t in draft.transactions} >= {t.id for t in paid}
    assert draft.alert["evidence"] == alert.evidence
    cny = next(t for t in draft.totals if t["currency"] == "CNY")
    assert cny["received"] == pytest.approx(sum(100.0 + i for i in range(70)))
    assert cny["paid"] == pytest.approx(3000.0) and cny["transactions"] == len(draft.transactions)
    root = ET.fromstring(sar_xml(draft))
    assert {e.findtext("transactionnumber") for e in root.iter("transaction")} >= {t.id for t in paid}
    set_alert(benign_store, alert.id, assignee="ana")  # a status change keeps the count and every item
    assert alert_evidence(benign_store, benign_store.get(m.Alert, alert.id)) == alert.evidence
    benign_store.close()
    shown = CliRunner().invoke(app, ["money", "alert", alert.id, "--db", str(tmp_path / "wildtrace.duckdb"), "--json"])
    assert shown.exit_code == 0 and json.loads(shown.stdout)["evidence"] == alert.evidence


@pytest.mark.filterwarnings("error::FutureWarning")
def test_typologies_without_pattern_hits_score_without_pandas_future_warnings(benign_store: Store) -> None:
    """Run as with ``-W error::FutureWarning``: a subset of typologies whose hits are no patterns (nothing for
    members to inherit) once warned from pandas (concatenating an empty members table, downcasting the
    exposure column in ``fillna``). The scores are the hits' own: no member rows, no exposure."""
    from tests.money.factory import PLANTS

    benign_store.add(PLANTS["new_account_velocity"][0])
    result = analyse(benign_store, typologies=["new_account_velocity"])
    assert list(result.hits["typology"]) == ["new_account_velocity"]
    risk = result.risk.set_index("subject")
    assert risk.loc["wallet:fresh", "score"] == result.hits["score"].iloc[0]
    assert risk.loc["wallet:fresh", "network_score"] == 0


def test_exposure_flags_read_missing_values_as_not_exposure() -> None:
    from wildtrace.money._registry import exposure_flags

    hits = pd.DataFrame({"exposure": pd.Series([True, None, False, float("nan")], dtype=object)})
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        assert exposure_flags(hits).tolist() == [True, False, False, False]
    assert exposure_flags(pd.DataFrame({"subject": ["a"]})).tolist() == [False]
