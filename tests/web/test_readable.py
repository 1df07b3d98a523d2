"""Pages made for reading: every page as every role renders no Python or JSON structure (no ``{'``, ``[{``,
``['``), a post reads as a fact sheet with its explanation in words, and a trader page shows identifiers, link
reasons, money and a posting-hours chart."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from tests.api.conftest import KeywordScreener
from tests.api.test_roles import ROUTES
from tests.api.world import BACKUP_PHONE, PASSWORD, PHONE, build_world
from wildtrace.api import create_app
from wildtrace.config import Settings
from wildtrace.model import Alert, Span, Verdict
from wildtrace.screen._features import LEXICON_FEATURES
from wildtrace.service import _users, add_user, create_case, feature_words
from wildtrace.share import audience_for_role, audience_key, pseudonym
from wildtrace.store import Store, open_store

KEY = "readable-key"
ROLES = ("admin", "investigator", "analyst", "partner", "platform")
# A dict or list written out by Python (str() of a structure), escaped or not, or JSON of a list of records.
REPR = re.compile(r"\{'|\{&#39;|\[\{|\['|\[&#39;|\[\(|\{&#34;|\{\"")
TEXT = "出售山甲片 正品 20g 价格3000元 微信 lotus_9911 顺丰包邮"
EXTRACTED = {
    "prices": [{"amount": 3000.0, "amount_max": None, "currency": "CNY", "per": None, "raw": "3000元"}],
    "price": 3000.0, "currency": "CNY", "price_max": None, "price_negotiable": False, "weight_g": 20.0,
    "price_per_gram_cny": 150.0, "price_per_gram_usd": 21.13, "rates_date": "2026-11-30",
    "product_type": "scales", "product_types": ["scales"],
    "species": [{"name": "pangolin", "cites_appendix": "I"}],
    "contacts": [{"kind": "messenger_id", "raw": "lotus_9911", "value": "wechat:lotus_9911", "span": [28, 38]}],
    "payment_methods": ["alipay"], "delivery_methods": ["courier"], "legality_claims": [], "locations": [],
}


@pytest.fixture(scope="module")
def readable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Store, dict]]:
    mp = pytest.MonkeyPatch()
    mp.setattr(_users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    folder = tmp_path_factory.mktemp("readable")
    store = open_store(str(folder / "w.duckdb"))
    ids = build_world(store)
    add_user(store, "platform", PASSWORD, "platform")
    post = ids["posts"][2]
    store.execute("UPDATE posts SET text = ? WHERE id = ?", [TEXT, post])
    start = TEXT.index("山甲")
    store.put([Verdict(post_id=post, score=0.97, tier="high", species=["pangolin"], products=["scales"],
                       spans=[Span(start=start, end=start + 2, text="山甲", term="山甲", category="code_word",
                                   meaning="pangolin")],
                       features=[("lexicon:code_word+trade", 2.4), ("lexicon:trade:price", 1.1),
                                 ("lexicon:trade:weight", 0.9), ("ngram:甲片", 0.3), ("lexicon:benign", -0.5)],
                       extracted=EXTRACTED, screened_at=datetime.now(UTC))])
    store.insert_rows("account_identifiers", [{"account_id": "wechat:ivory_king", "kind": "messenger_id",
                                               "value": "wechat:lotus_9911", "raw": "lotus_9911", "seen_in": "post",
                                               "seen_id": post}],
                      ["account_id", "kind", "value", "raw", "seen_in", "seen_id"],
                      ["account_id", "kind", "value", "seen_in", "seen_id"])
    profile = json.loads(store.query("SELECT profile FROM link_traders WHERE trader_id = 't-1'")[0]["profile"])
    profile.update(hour_histogram=[3, 2, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4, 5],
                   timeline=[{"week": "2026-W18", "posts": 3, "flagged": 2}, {"week": "2026-W19", "posts": 5,
                                                                            "flagged": 5}])
    store.execute("UPDATE link_traders SET profile = ? WHERE trader_id = 't-1'", [json.dumps(profile)])
    app = create_app(store, Settings(secret_key="s", share_key=KEY, data_dir=str(folder / "data")),
                     screener=KeywordScreener())
    ids["pangolin_post"] = post
    store.put([Alert(id="al-2", subject="wallet:w-881", subject_kind="payment_account", kind="fan_in", score=0.7,
                     reasons=["12 payers in 3 days"], created_at=datetime.now(UTC))])
    ids["case"] = create_case(store, "every kind of item", "investigator", [
        f"post:{post}", "account:wechat:ivory_king", "trader:t-1", "transaction:tx1", "shipment:SF100200300",
        "alert:al-1"]).id
    yield TestClient(app), store, ids
    store.close()
    mp.undo()


def _client(readable: tuple, role: str) -> TestClient:
    client, _, _ = readable
    fresh = TestClient(client.app)
    assert fresh.post("/api/auth/login", json={"username": role, "password": PASSWORD}).status_code == 200
    return fresh


def _h(role: str, value: str) -> str:
    audience = audience_for_role(role)
    return value if audience == "investigator" else pseudonym(value, audience_key(KEY.encode(), audience))


def _every_page(readable: tuple, role: str, client: TestClient | None = None) -> Iterator[tuple[str, str]]:
    """(URL, HTML) of every page of the app's route table the role may open, with the world's ids as it names
    them (search: a word and an identifier)."""
    _, _, ids = readable
    client = client or _client(readable, role)
    values = {"post_id": ids["pangolin_post"], "trader_id": _h(role, "t-1"),
              "account_id": _h(role, "wechat:ivory_king"),
              "subject": f"trader:{_h(role, 't-1')}", "alert_id": "al-1", "case_id": ids["case"], "sha256": "ab" * 32,
              "username": "analyst", "ident": f"phone:{_h(role, PHONE)}"}
    pages = [p for m, p, _ in ROUTES if m == "GET" and not p.startswith(("/api", "/static"))]
    assert {"/posts/{post_id:path}", "/traders/{trader_id:path}", "/identifiers/{ident:path}", "/search"} <= set(pages)
    read = 0
    for path in pages:
        for name, value in values.items():
            path = path.replace("{" + name + ":path}", value).replace("{" + name + "}", value)
        for url in (path, f"{path}?q=象牙", f"{path}?q={_h(role, PHONE)}") if path == "/search" else (path,):
            response = client.get(url)
            assert response.status_code < 500, url
            if response.status_code == 200:
                read += 1
                yield url, response.text
    assert read >= 8


@pytest.mark.parametrize("role", ROLES)
def test_no_page_shows_a_python_or_json_structure(readable: tuple, role: str) -> None:
    for url, html in _every_page(readable, role):
        found = REPR.search(html)
        assert found is None, f"{url} as {role} shows {html[found.start() - 60:found.end() + 60]!r}"


class _Texts(HTMLParser):
    """Each text of a page with the elements around it, as (tag, attributes) from the outside in."""

    VOID = frozenset({"area", "br", "col", "hr", "img", "input", "link", "meta", "source", "wbr"})

    def __init__(self) -> None:
        super().__init__()
        self.open: list[tuple[str, dict[str, str]]] = []
        self.texts: list[tuple[str, list[tuple[str, dict[str, str]]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.open.append((tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        while self.open and self.open.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        self.texts.append((data, list(self.open)))


# Where a value is named but not to be followed: the page's own title and heading, the search box's echo of the
# query, a case item's reference (the next cell links it), the text of a link to a post or of a search.
NAMING = ("title", "h1", "#search-total", "td.ref", "a[/posts/", "a[/search")


def _naming(around: list[tuple[str, dict[str, str]]]) -> bool:
    marks = set()
    for tag, attrs in around:
        marks |= {tag, f"#{attrs.get('id')}", *(f"{tag}.{c}" for c in attrs.get("class", "").split())}
        if tag == "a":
            marks.add(f"a[{attrs.get('href', '')[:7]}")
    return bool(marks & set(NAMING))


@pytest.mark.parametrize("role", ROLES)
def test_every_identifier_on_every_page_is_a_link_to_its_page(readable: tuple, role: str) -> None:
    """As the role is shown them: the values to a role that sees them (in a post's text, an OCR text, a bio, a
    note, an excerpt too), the pseudonyms to the others; a pseudonym of an account or trader links to its page."""
    if audience_for_role(role) == "investigator":
        shown = re.compile("|".join(re.escape(v) for v in (PHONE, BACKUP_PHONE, "13500001111", "ivory_king88",
                                                           "lotus_9911", "wallet:w-881", "wallet:buyer-1",
                                                           "SF100200300")))
        pages = ("/identifiers/",)
    else:
        shown, pages = re.compile(r"h:[0-9a-f]{16}"), ("/identifiers/", "/accounts/", "/traders/")
    client, followed = _client(readable, role), set()
    for url, html in _every_page(readable, role, client):
        texts = _Texts()
        texts.feed(html)
        for text, around in texts.texts:
            if not shown.search(text) or _naming(around):
                continue
            links = [attrs.get("href", "") for tag, attrs in around if tag == "a"]
            assert links and links[-1].startswith(pages), f"{url} as {role}: {text.strip()[:120]!r} is no link"
            followed.add(links[-1])
    assert len(followed) >= 3
    for link in sorted(followed):  # and each link opens its page
        assert client.get(link).status_code == 200, f"{link} as {role}"


def test_a_post_reads_as_a_fact_sheet_with_its_explanation_in_words(readable: tuple) -> None:
    page = _client(readable, "investigator").get(f"/posts/{readable[2]['pangolin_post']}").text
    assert "Why flagged:</b> code word 山甲 for pangolin; puts a code word and trade words together; gives a price; " \
           "gives a weight; its wording resembles past trade posts." in page
    assert "claims the goods are legal" not in page  # a feature that pulled the score down is not a reason
    start = page.index('id="fact-sheet"')
    sheet = re.sub(r"<[^>]+>", " ", page[start:page.index("</table>", start)])
    words = " ".join(sheet.split())
    for fact in ("species pangolin CITES I", "product scales", "price 3,000.00 CNY", "weight 20 g",
                 "price per gram 150.00 CNY/g (21.13 USD/g, rates of 2026-11-30)",
                 "contacts messenger id wechat:lotus_9911", "payment alipay", "delivery courier"):
        assert fact in words, fact
    assert 'href="/identifiers/messenger_id%3Awechat%3Alotus_9911"' in page
    assert 'href="/traders/t-1"' in page and 'href="/traders/t-1#money"' in page
    assert '<mark class="cat-code_word"' in page


def test_an_analyst_sees_the_contact_as_a_pseudonym_that_opens_its_page(readable: tuple) -> None:
    analyst = _client(readable, "analyst")
    page = analyst.get(f"/posts/{readable[2]['pangolin_post']}").text
    shown = pseudonym("wechat:lotus_9911", audience_key(KEY.encode(), "analyst"))
    assert "lotus_9911" not in page and f"messenger id {shown}" in " ".join(re.sub(r"<[^>]+>", " ", page).split())
    ident = analyst.get(f"/identifiers/messenger_id:{shown}")
    assert ident.status_code == 200 and "lotus_9911" not in ident.text
    assert readable[2]["pangolin_post"] in ident.text


def test_a_trader_page_shows_identifiers_link_reasons_money_and_hours(readable: tuple) -> None:
    page = _client(readable, "investigator").get("/traders/t-1").text
    idents = page[page.index('id="trader-identifiers"'):]
    assert f'href="/identifiers/phone%3A{PHONE}"' in idents and "wallet:w-881" in idents
    accounts = page[page.index('id="trader-accounts"'):]
    assert f"shared phone <a class=\"ident ident-phone\" href=\"/identifiers/phone%3A{PHONE}\"" in accounts
    money = " ".join(re.sub(r"<[^>]+>", " ", page[page.index('id="trader-money"'):]).split())
    assert "in 5,000.00 CNY in 1 payment out nothing" in money
    assert "wallet:buyer-1 paid the trader 1 5,000.00 CNY" in money
    assert page.count('class="bar-day"') + page.count('class="bar-night"') == 24


def test_every_lexicon_feature_is_explained_in_words() -> None:
    words, ngrams = feature_words()
    assert set(LEXICON_FEATURES) <= set(words), set(LEXICON_FEATURES) - set(words)
    assert ngrams


def test_the_explanations_file_is_checked_on_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import wildtrace.service._facts as facts

    bad = tmp_path / "service"
    (bad / "data").mkdir(parents=True)
    (bad / "data" / "explanations.yaml").write_text("version: 1\nfeatures: {species: ''}\nngrams: x\n")
    monkeypatch.setattr(facts.resources, "files", lambda _: bad)
    facts.feature_words.cache_clear()
    try:
        with pytest.raises(ValueError, match=r"features.species: the words must be a non-empty text"):
            facts.feature_words()
    finally:
        facts.feature_words.cache_clear()


def test_an_alert_on_a_wallet_links_to_the_wallet_s_page(readable: tuple) -> None:
    investigator = _client(readable, "investigator").get("/alerts").text
    assert 'href="/identifiers/payment_account%3Awallet%3Aw-881"' in investigator
    analyst = _client(readable, "analyst")
    shown = pseudonym("wallet:w-881", audience_key(KEY.encode(), "analyst"))
    assert f'href="/identifiers/payment_account%3A{shown.replace(":", "%3A")}"' in analyst.get("/alerts").text
    page = analyst.get(f"/identifiers/payment_account:{shown}")
    assert page.status_code == 200 and "w-881" not in page.text and "5,000.00 CNY" in page.text


@pytest.mark.parametrize("role", ["investigator", "analyst"])
def test_an_account_links_the_post_where_it_wrote_an_identifier(readable: tuple, role: str) -> None:
    client = _client(readable, role)
    page = client.get(f"/accounts/{_h(role, 'wechat:ivory_king')}").text
    table = page[page.index('id="account-identifiers"'):page.index("</table>", page.index('id="account-identifiers"'))]
    post = "wechat:ivory_king/p0"  # where its phone was read
    assert f'post <a href="/posts/{post.replace(":", "%3A")}">{post}</a>' in table
    assert client.get(f"/posts/{post}").status_code == 200


def test_the_sar_draft_links_its_identifiers_to_their_pages(readable: tuple) -> None:
    """The SAR draft page (a workbench page, styled, no inline style) links the subject's wallet, the payers and
    payees, the parcels' waybills and phones and the cited posts; only roles shown people may open it."""
    client = _client(readable, "investigator")
    page = client.get("/alerts/al-2/sar")
    assert page.status_code == 200 and "Why suspicious" in page.text and "<style" not in page.text
    subject = page.text[page.text.index('id="sar-subject"'):]
    assert subject.split("</p>")[0].count('href="/identifiers/payment_account%3Awallet%3Aw-881"') == 1
    table = page.text[page.text.index('id="sar-transactions"'):].split("</table>")[0]
    for wallet in ("wallet:buyer-1", "wallet:w-881"):
        link = "/identifiers/" + quote(f"payment_account:{wallet}", safe="/")
        assert f'href="{link}"' in table
        assert client.get(link).status_code == 200
    assert "<td>wallet:" not in table  # no wallet left as bare text
    for role in ("analyst", "partner", "platform"):
        assert _client(readable, role).get("/alerts/al-2/sar").status_code == 403


def test_a_post_shows_where_it_was_seen_escaped_and_redacted_for_a_partner(readable: tuple) -> None:
    _, store, ids = readable
    post = ids["posts"][0]
    venue, origin = "<script>alert(1)</script> 象牙群 🐘 +84 912 345 678", "Ivory <b>HK</b>"
    store.execute("UPDATE posts SET venue = ?, forwarded_from = ?, reply_to = ? WHERE id = ?",
                  [venue, origin, ids["pangolin_post"], post])
    try:
        page = _client(readable, "investigator").get(f"/posts/{post}").text
        assert f"in {escape(venue, quote=False)}</span>" in page and "<script>alert(1)" not in page
        assert f"forwarded from {escape(origin, quote=False)}" in page
        assert f'reply to <a href="/posts/{quote(ids["pangolin_post"], safe="/")}">' in page
        shared = _client(readable, "partner").get(f"/posts/{post}").text  # through the one redaction path
        assert "象牙群" in shared and "912 345 678" not in shared
        assert "Ivory" not in shared  # whom it was forwarded from is a person's name: dropped for a partner
    finally:
        store.execute("UPDATE posts SET venue = NULL, forwarded_from = NULL, reply_to = NULL WHERE id = ?", [post])
