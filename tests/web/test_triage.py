"""In headless Chromium, under the app's CSP, as each role that works them: review with a note, a correction and
undo; alert filters, bulk close with a reason and an alert promoted to a case with an attachment; the network
view expanded, filtered, searched, a path found, exported (PNG, GraphML) and saved to a case."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote
from xml.etree import ElementTree

import pytest

from tests.api.world import BACKUP_PHONE, PASSWORD, PHONE
from wildtrace.model import Alert, AlertStatus, AuditEvent, Case, Decision
from wildtrace.share import audience_for_role, audience_key, pseudonym

pytestmark = pytest.mark.browser
KEY = b"test-share-key"
ANALYST = audience_key(KEY, "analyst")
GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"


def sign_in(browser, base: str, user: str):  # type: ignore[no-untyped-def]
    """A page signed in as ``user`` (the app's CSP stays on: every script must be a vendored file)."""
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{base}/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#whoami")
    page.csp_errors = errors  # type: ignore[attr-defined]
    return page


def until(page, expression: str, seconds: float = 30) -> None:  # type: ignore[no-untyped-def]
    """Wait until ``expression`` is true in the page (``wait_for_function`` evaluates a string, which the CSP
    forbids; ``evaluate`` goes through the DevTools protocol)."""
    for _ in range(int(seconds * 10)):
        if page.evaluate(f"() => Boolean({expression})"):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"never true: {expression}")


def audited(store, action: str, actor: str) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    return store.find(AuditEvent, "action = ? AND actor = ?", [action, actor], order_by="seq")


@pytest.fixture(scope="module")
def alerts(served) -> list[str]:  # type: ignore[no-untyped-def]
    """Eight more alerts of three kinds, ages and scores, all on the world's subjects."""
    _, store, ids = served
    now = datetime.now(UTC)
    made = [Alert(id=f"al-{i + 2}", subject=ids["accounts"][i % 2], kind=("structuring", "fan_in", "cycle")[i % 3],
                  score=round(0.3 + i * 0.08, 2), reasons=[f"pattern {i}"], evidence=["tx1"],
                  created_at=now - timedelta(days=2 * i)) for i in range(8)]
    store.add(made)
    return [a.id for a in made]


# -- review ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["analyst", "investigator", "admin"])
def test_review_with_note_correction_and_undo(served, browser, shots: Path, role: str):  # type: ignore[no-untyped-def]
    base, store, _ = served
    page = sign_in(browser, base, role)
    page.goto(f"{base}/review?order=uncertain&around=0.9")
    assert "least sure" in page.inner_text("#mode-note")
    post_id = page.get_attribute("#post", "data-post-id")
    page.fill("#decision-note", f"{role}: sold as pangolin scales, not ivory")
    page.click("#correct summary")
    page.select_option("#correct-species", ["pangolin"])
    page.select_option("#correct-products", ["scales"])
    if role == "analyst":
        page.screenshot(path=shots / "workbench-review-correction.png", full_page=True)
    with page.expect_navigation():
        page.click("button[value=confirm]")
    decision = store.find(Decision, "decided_by = ? AND post_id = ?", [role, post_id])
    assert [(d.decision, d.note) for d in decision] == [("confirm", f"{role}: sold as pangolin scales, not ivory")]
    correction = store.query("SELECT species, products FROM wb_review_corrections WHERE decision_id = ?",
                             [decision[0].id])
    assert [(json.loads(r["species"]), json.loads(r["products"])) for r in correction] == [(["pangolin"], ["scales"])]
    assert page.get_attribute("#post", "data-post-id") != post_id  # the next post of the sample
    assert post_id in page.inner_text("#undo")

    with page.expect_navigation():
        page.keyboard.press("u")  # undo
    assert store.find(Decision, "decided_by = ? AND post_id = ?", [role, post_id]) == []
    assert store.query("SELECT 1 AS x FROM wb_review_corrections WHERE decision_id = ?", [decision[0].id]) == []
    undone = audited(store, "decision_undone", role)
    assert undone and undone[-1].object_id == post_id and undone[-1].detail["decision_id"] == decision[0].id
    assert audited(store, "decide", role)[-1].detail["correction"] == {"species": ["pangolin"], "products": ["scales"]}

    with page.expect_navigation():  # decide again, by keyboard, without a correction
        page.keyboard.press("d")
    page.goto(f"{base}/review/stats")
    row = page.locator(f"tr[data-reviewer={role}]")
    assert row.locator("td.undone").inner_text() == "1"
    if role == "analyst":
        page.screenshot(path=shots / "workbench-review-stats.png", full_page=True)
    assert not page.csp_errors  # type: ignore[attr-defined]
    page.context.close()


def test_partner_cannot_decide_or_undo(served, browser):  # type: ignore[no-untyped-def]
    base, store, _ = served
    page = sign_in(browser, base, "partner")
    page.goto(f"{base}/review?order=random&seed=x")
    assert page.locator("#decide").count() == 0 and page.locator("#undo").count() == 0
    any_decision = store.find(Decision, limit=1)
    if any_decision:
        token = page.get_attribute("meta[name=csrf-token]", "content")
        r = page.request.post(f"{base}/review/decisions/{any_decision[0].id}/undo",
                              form={"csrf_token": token, "back": "/review"})
        assert r.status == 403
    page.context.close()


# -- alerts and cases --------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["investigator", "analyst", "admin"])
def test_alert_filter_bulk_close_and_alert_to_case(served, browser, alerts, shots: Path, role: str
                                                   ):  # type: ignore[no-untyped-def]
    base, store, ids = served
    page = sign_in(browser, base, role)
    page.goto(f"{base}/alerts")
    page.select_option("select[name=kind]", "fan_in")
    page.fill("input[name=min_score]", "0.4")
    page.select_option("select[name=sort]", "score")
    page.check("input[name=asc]")
    with page.expect_navigation():
        page.click("#apply-filter")
    shown = page.eval_on_selector_all("tr[data-alert]", "rows => rows.map(r => r.dataset.alert)")
    fan_in = sorted((a for a in store.find(Alert, "kind = 'fan_in' AND score >= 0.4")), key=lambda a: a.score)
    assert shown == [a.id for a in fan_in] and len(shown) >= 2
    if role == "investigator":
        page.screenshot(path=shots / "workbench-alerts.png", full_page=True)

    # close the first two with a reason, in one go
    targets = shown[:2]
    for alert_id in targets:
        page.check(f"input[name=ids][value='{alert_id}']")
    page.select_option("#bulk-action", "close")
    with page.expect_navigation():
        page.click("#bulk-apply")  # no reason: refused, nothing changes
    assert "reason" in page.inner_text("#alert-error")
    assert all(store.get(Alert, a).status != AlertStatus.CLOSED for a in targets)
    page.goto(f"{base}/alerts?kind=fan_in&min_score=0.4&sort=score&asc=1")
    for alert_id in targets:
        page.check(f"input[name=ids][value='{alert_id}']")
    page.select_option("#bulk-action", "close")
    page.fill("input[name=reason]", f"false positive: refunds between relatives ({role})")
    with page.expect_navigation():
        page.click("#bulk-apply")
    assert "closed 2" in page.inner_text("#bulk-result")
    assert all(store.get(Alert, a).status == AlertStatus.CLOSED for a in targets)
    events = store.query("SELECT alert_id, reason FROM wb_alert_events WHERE actor = ? AND action = 'close'", [role])
    assert {(e["alert_id"], e["reason"]) for e in events} >= {
        (a, f"false positive: refunds between relatives ({role})") for a in targets}
    assert {e.object_id for e in audited(store, "alert_update", role)} >= set(targets)
    for alert_id in targets:  # history shows on the row
        assert "refunds between relatives" in page.locator(f"tr[data-alert='{alert_id}'] details").text_content()
    for alert_id in targets:  # closed alerts reopened for the next role's run
        store.put([store.get(Alert, alert_id).model_copy(update={"status": AlertStatus.OPEN})])

    # "my alerts": assign one to me, then the tab lists exactly mine
    page.goto(f"{base}/alerts?kind=cycle")
    mine = page.eval_on_selector_all("tr[data-alert]", "rows => rows.map(r => r.dataset.alert)")[0]
    page.check(f"input[name=ids][value='{mine}']")
    page.select_option("#bulk-action", "assign_me")
    with page.expect_navigation():
        page.click("#bulk-apply")
    with page.expect_navigation():
        page.click("#my-alerts")
    listed = page.eval_on_selector_all("tr[data-alert]", "rows => rows.map(r => r.dataset.alert)")
    assert mine in listed and all(store.get(Alert, a).assignee == role for a in listed)

    # alert to case: the case holds the alert, its subject and the transaction it cites
    page.goto(f"{base}/alerts?sort=age")
    with page.expect_navigation():
        page.click("tr[data-alert='al-2'] button.to-case")
    page.wait_for_selector("#case-title")
    case_id = page.url.rsplit("/", 1)[1]
    case = store.get(Case, case_id)
    assert case is not None and set(case.items) >= {"alert:al-2", f"account:{ids['accounts'][0]}", "transaction:tx1"}
    assert store.get(Alert, "al-2").status == AlertStatus.ESCALATED
    timeline = page.inner_text("#timeline")
    assert "promoted an alert" in timeline and "opened the case" in timeline
    content = page.content()
    if role == "analyst":  # the subject is shown by its pseudonym only
        assert ids["accounts"][0] not in content and pseudonym(ids["accounts"][0], ANALYST) in content
    assert PHONE not in content or role == "investigator"

    # a note and an attachment (an HTML file: stored as evidence, never rendered)
    page.fill("#add-note textarea[name=text]", f"{role} checked the refunds")
    with page.expect_navigation():
        page.click("#add-note button")
    hostile = b"<html><script>document.title='pwned'</script>receipt</html>"
    page.set_input_files("#add-attachment input[type=file]",
                         files=[{"name": "../../receipt.html", "mimeType": "text/html", "buffer": hostile}])
    page.fill("#add-attachment input[name=note]", "bank receipt")
    with page.expect_navigation():
        page.click("#add-attachment button")
    timeline = page.inner_text("#timeline")
    assert f"{role} checked the refunds" in timeline and "receipt.html" in timeline and "../" not in timeline
    row = store.query("SELECT sha256, mime, size FROM wb_case_attachments WHERE case_id = ?", [case_id])[0]
    assert row["size"] == len(hostile) and row["mime"] != "application/x-msdownload"
    link = page.locator("#timeline p.attachment a")
    if role in ("investigator", "admin"):
        with page.expect_download() as download:
            link.click()
        assert Path(download.value.path()).read_bytes() == hostile
        assert page.title() != "pwned"
        response = page.request.get(base + link.get_attribute("href"))
        assert response.headers["content-type"] == "application/octet-stream"
        assert response.headers["content-disposition"].startswith("attachment")
        if role == "investigator":
            page.screenshot(path=shots / "workbench-case-timeline.png", full_page=True)
    else:  # evidence: listed, not opened
        assert link.count() == 0
        attachment_id = store.query("SELECT attachment_id FROM wb_case_attachments WHERE case_id = ?",
                                    [case_id])[0]["attachment_id"]
        assert page.request.get(f"{base}/cases/{case_id}/attachments/{attachment_id}").status == 403
    for action in ("alert_to_case", "attachment_added", "case_note_added"):
        assert audited(store, action, role), action
    assert not page.csp_errors  # type: ignore[attr-defined]
    page.context.close()


def test_partner_reads_alerts_but_changes_nothing(served, browser, alerts):  # type: ignore[no-untyped-def]
    base, store, _ = served
    page = sign_in(browser, base, "partner")
    page.goto(f"{base}/alerts?sort=age")
    assert page.locator("tr[data-alert]").count() >= 5
    assert page.locator("input[name=ids]").count() == 0 and page.locator("button.to-case").count() == 0
    token = page.get_attribute("meta[name=csrf-token]", "content")
    before = store.get(Alert, alerts[0]).status
    r = page.request.post(f"{base}/alerts/bulk", form={"csrf_token": token, "ids": alerts[0], "action": "close",
                                                        "reason": "x", "back": "/alerts"})
    assert r.status == 403 and store.get(Alert, alerts[0]).status == before
    assert PHONE not in page.content() and BACKUP_PHONE not in page.content()
    page.context.close()


# -- network -----------------------------------------------------------------------------------------------
def _visible(page, what: str) -> int:  # type: ignore[no-untyped-def]
    return int(page.get_attribute("#graph", f"data-visible-{what}") or 0)


def _expand(page, node: str) -> None:  # type: ignore[no-untyped-def]
    """Click ``node``: the graph asks the API for its neighbours and draws them, then counts its nodes again.
    (Playwright's network events are not relied on: under load this Chromium's fetches sometimes raise none.)"""
    page.evaluate("""() => {
      document.getElementById('graph').removeAttribute('data-nodes');
      window.asked = [];
      if (!window.plainFetch) window.plainFetch = window.fetch;
      window.fetch = (url, options) => { window.asked.push(String(url)); return window.plainFetch(url, options); };
    }""")
    page.evaluate("id => wildtraceGraph.getElementById(id).emit('tap')", node)
    until(page, "document.getElementById('graph').dataset.nodes")
    assert page.evaluate("() => window.asked") == ["/api/network/" + quote(node, safe="")]
    assert "could not expand" not in page.inner_text("#net-status")


def _export_png(page) -> bytes:  # type: ignore[no-untyped-def]
    with page.expect_download() as png:
        page.click("#export-png")
    data = Path(png.value.path()).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return data


def test_network_as_investigator(served, browser, shots: Path):  # type: ignore[no-untyped-def]
    base, store, _ = served
    page = sign_in(browser, base, "investigator")
    page.goto(f"{base}/cases")
    page.fill("input[name=title]", "network save target")
    with page.expect_navigation():
        page.click("text=New case")
    target = page.url.rsplit("/", 1)[1]
    page.goto(f"{base}/network/trader:t-1")
    until(page, "Number(document.getElementById('graph').dataset.nodes || 0) >= 3")
    # expand an account (click), then search a waybill to add a parcel and find a path to it
    page.evaluate("() => wildtraceGraph.getElementById('account:wechat:ivory_king').emit('tap')")
    until(page, "wildtraceGraph.getElementById('ident:phone:" + PHONE + "').nonempty()")
    page.fill("#net-q", "SF100200300")
    page.click("#net-add button")
    until(page, "wildtraceGraph.getElementById('parcel:SF100200300').nonempty()")
    until(page, "wildtraceGraph.getElementById('parcel:SF100200300').connectedEdges().nonempty()")
    page.fill("#path-from", "trader:t-1")
    page.fill("#path-to", "parcel:SF100200300")
    page.click("#net-path button")
    until(page, "document.getElementById('graph').dataset.path")
    path = page.get_attribute("#graph", "data-path").split(" > ")
    assert path[0] == "trader:t-1" and path[-1] == "parcel:SF100200300" and f"ident:phone:{PHONE}" in path
    page.screenshot(path=shots / "workbench-network-path.png", full_page=True)

    # money edges carry amounts and dates; filters by kind and by time hide them
    page.fill("#net-q", "wallet:w-881")
    page.click("#net-add button")
    until(page, "wildtraceGraph.edges('[kind = \"payment\"]').nonempty()")
    money = page.evaluate("() => wildtraceGraph.edges('[kind = \"payment\"]')"
                          ".map(e => [e.data('money'), e.data('first')])")
    assert any(m.startswith("5,000") and f.startswith("2026-05-04") for m, f in money)
    edges = _visible(page, "edges")
    page.uncheck("#net-kinds input[value=identifier]")
    assert _visible(page, "edges") < edges
    page.check("#net-kinds input[value=identifier]")
    page.fill("#net-from", "2026-06-01")
    page.dispatch_event("#net-from", "change")
    assert page.evaluate("() => wildtraceGraph.edges('[kind = \"payment\"]').every(e => e.style('display') === 'none')")
    page.fill("#net-from", "")
    page.dispatch_event("#net-from", "change")
    assert _visible(page, "edges") == edges

    _export_png(page)
    with page.expect_download() as graphml:
        page.click("#export-graphml")
    tree = ElementTree.parse(graphml.value.path())
    node_ids = {n.get("id") for n in tree.iter(f"{GRAPHML}node")}
    assert {"trader:t-1", "parcel:SF100200300", f"ident:phone:{PHONE}"} <= node_ids
    assert len(node_ids) == _visible(page, "nodes")

    # save: the selected trader and parcel as items, the graph as an attachment
    page.evaluate("() => { wildtraceGraph.getElementById('trader:t-1').select(); "
                  "wildtraceGraph.getElementById('parcel:SF100200300').select(); }")
    page.select_option("#save-case", target)
    page.click("#net-save button")
    until(page, f"document.getElementById('graph').dataset.saved === '{target}'")
    assert set(store.get(Case, target).items) >= {"trader:t-1", "shipment:SF100200300"}
    saved = store.query("SELECT name, mime FROM wb_case_attachments WHERE case_id = ?", [target])
    assert saved and saved[0]["name"].endswith(".graphml")
    assert audited(store, "attachment_added", "investigator")

    # a path to a node not yet shown: the server walks the network and the chain is added
    page.goto(f"{base}/network/trader:t-1")
    until(page, "Number(document.getElementById('graph').dataset.nodes || 0) >= 3")
    page.fill("#path-from", "trader:t-1")
    page.fill("#path-to", "wallet:buyer-1")
    page.click("#net-path button")
    until(page, "document.getElementById('graph').dataset.path")
    assert page.get_attribute("#graph", "data-path").split(" > ")[-2:] == [
        "ident:payment_account:wallet:w-881", "ident:payment_account:wallet:buyer-1"]
    assert not page.csp_errors  # type: ignore[attr-defined]
    page.context.close()


def test_network_as_analyst_stays_pseudonymous(served, browser, shots: Path):  # type: ignore[no-untyped-def]
    base, _, ids = served
    page = sign_in(browser, base, "analyst")
    trader, account2 = pseudonym("t-1", ANALYST), pseudonym(ids["accounts"][1], ANALYST)
    page.goto(f"{base}/network/trader:{trader}")
    until(page, "Number(document.getElementById('graph').dataset.nodes || 0) >= 3")
    _expand(page, f"account:{pseudonym(ids['accounts'][0], ANALYST)}")
    page.fill("#net-q", PHONE)  # a real identifier names nothing for this role
    page.click("#net-add button")
    until(page, "document.getElementById('net-status').textContent.includes('nothing called')")
    page.fill("#net-q", f"account:{account2}")
    page.click("#net-add button")
    until(page, "document.getElementById('net-status').textContent.includes('added')")
    page.fill("#path-from", f"trader:{trader}")  # the path too, by pseudonyms
    page.fill("#path-to", f"account:{account2}")
    page.click("#net-path button")
    until(page, "document.getElementById('graph').dataset.path")
    assert page.get_attribute("#graph", "data-path") == f"trader:{trader} > account:{account2}"
    page.uncheck("#net-kinds input[value=link]")
    assert page.evaluate("() => wildtraceGraph.edges('[kind = \"link\"]').every(e => e.style('display') === 'none')")
    page.check("#net-kinds input[value=link]")
    with page.expect_download() as graphml:
        page.click("#export-graphml")
    text = Path(graphml.value.path()).read_text(encoding="utf-8")
    for secret in (PHONE, BACKUP_PHONE, ids["accounts"][0], ids["accounts"][1], "Wang"):
        assert secret not in text
    assert f"trader:{trader}" in text
    _export_png(page)
    page.screenshot(path=shots / "workbench-network-analyst.png", full_page=True)
    assert not page.csp_errors  # type: ignore[attr-defined]
    page.context.close()


@pytest.mark.parametrize("role", ["admin", "partner"])
def test_network_expand_filter_and_export(served, browser, role: str):  # type: ignore[no-untyped-def]
    """The admin sees what an investigator sees; a partner sees traders and accounts by pseudonym only, and its
    exports hold nothing more."""
    base, _, ids = served
    shown = (lambda v: v) if role == "admin" else (lambda v: pseudonym(v, audience_key(KEY, audience_for_role(role))))
    page = sign_in(browser, base, role)
    page.goto(f"{base}/network/trader:{shown('t-1')}")
    until(page, "Number(document.getElementById('graph').dataset.nodes || 0) >= 3")
    _expand(page, f"account:{shown(ids['accounts'][0])}")
    if role == "admin":
        until(page, f"wildtraceGraph.getElementById('ident:phone:{PHONE}').nonempty()")
    else:
        assert page.locator("#net-kinds input").count() == 2 and page.locator("#net-save").count() == 0
        assert page.evaluate("() => wildtraceGraph.nodes().every(n => ['trader', 'account'].includes(n.data('kind')))")
    edges = _visible(page, "edges")
    page.uncheck("#net-kinds input[value=link]")
    assert _visible(page, "edges") < edges
    page.check("#net-kinds input[value=link]")
    assert _visible(page, "edges") == edges
    _export_png(page)
    with page.expect_download() as graphml:
        page.click("#export-graphml")
    text = Path(graphml.value.path()).read_text(encoding="utf-8")
    nodes = {n.get("id") for n in ElementTree.fromstring(text).iter(f"{GRAPHML}node")}
    assert len(nodes) == _visible(page, "nodes") and f"trader:{shown('t-1')}" in nodes
    if role == "admin":
        assert f"ident:phone:{PHONE}" in nodes and f"account:{ids['accounts'][0]}" in nodes
    else:
        for secret in (PHONE, BACKUP_PHONE, "w-881", ids["accounts"][0], ids["accounts"][1], "Wang"):
            assert secret not in text, secret
    assert not page.csp_errors  # type: ignore[attr-defined]
    page.context.close()
