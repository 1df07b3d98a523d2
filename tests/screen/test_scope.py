"""Scope (issue 17): illegal offers only, or every offer of a regulated product; the verdict names the rule.

The regulated-scope set (``data/regulated_heldout.csv``, 154 posts written by hand for this issue: auction lots,
dealers, estate sales, carvers, mammoth ivory and Southeast Asian classifieds against news, campaigns, policy,
museums, look-alikes and auctions of other things) is kept out of training.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from wildtrace.cli.main import app
from wildtrace.lexicon import load_lexicon
from wildtrace.model import Post
from wildtrace.screen import Screener, ScreenModel, metrics, screen_store
from wildtrace.store import Store

REGULATED = Path(__file__).parent / "data" / "regulated_heldout.csv"
MARKET = Path(__file__).parent / "data" / "market_posts.csv"  # 514 posts of the open market, news and campaigns
REPORTING = {"news", "policy", "campaign"}
SALES = {"auction_lot", "dealer", "estate_sale", "mammoth", "carver", "classifieds_sea"}
NOT_OFFERS = {"news", "campaign", "policy", "museum", "education"}
F1_FLOOR = 0.9  # measured 0.972 under --scope regulated (0.551 under illegal; 0.329 before issue 17)


@pytest.fixture(scope="module", params=["illegal", "regulated"])
def scored(request: pytest.FixtureRequest) -> tuple[str, pd.DataFrame]:
    frame = pd.read_csv(REGULATED)
    results = list(Screener.load(scope=request.param).screen_texts(frame["text"].tolist()))
    frame["flagged"] = [r.tier in ("high", "medium") for r in results]
    frame["decided_by"] = [r.decided_by for r in results]
    return request.param, frame


def test_the_set_is_big_enough_and_mixed() -> None:
    frame = pd.read_csv(REGULATED)
    assert len(frame) >= 150 and 0.35 < frame["label"].mean() < 0.65
    assert set(frame["language"]) >= {"en", "fr", "de"}


def test_regulated_scope_flags_the_open_market_and_not_news(scored: tuple[str, pd.DataFrame]) -> None:
    scope, frame = scored
    m = metrics(frame["label"].tolist(), frame["flagged"].tolist())
    news = frame[frame["category"].isin(NOT_OFFERS)]
    assert not news["flagged"].any(), news[news["flagged"]]["text"].tolist()  # in neither scope
    if scope == "regulated":
        assert m["f1"] >= F1_FLOOR, m
        sales = frame[frame["category"].isin(SALES)]
        assert sales.groupby("category")["flagged"].mean().min() >= 0.75
    else:  # auction lots of antiques are the regulated market, not the illegal trade
        lots = frame[frame["category"] == "auction_lot"]
        assert lots["flagged"].mean() < 0.2
        lowered = lots[lots["decided_by"].str.startswith("open regulated market")]
        assert len(lowered) >= 2 and not lowered["flagged"].any()  # the model flagged them; the rule took them out


def test_the_verdict_names_the_rule(scored: tuple[str, pd.DataFrame]) -> None:
    scope, frame = scored
    raised = frame[frame["decided_by"].str.startswith("regulated offer")]
    lowered = frame[frame["decided_by"].str.startswith("open regulated market")]
    if scope == "regulated":
        assert len(raised) >= 8 and raised["flagged"].all() and lowered.empty
        assert raised["decided_by"].str.contains(r"names .*(?:ivory|Elfenbein|ivoire)", case=False).any()
    else:
        assert raised.empty and not lowered["flagged"].any()
    by_model = frame[frame["decided_by"].str.startswith("model: score")]
    context = frame[frame["decided_by"].str.startswith("reporting, policy or campaign")]
    assert len(by_model) + len(raised) + len(lowered) + len(context) == len(frame)


def test_reporting_policy_and_campaigns_stay_out_of_the_regulated_scope() -> None:
    """Issue 17: under --scope regulated, posts about ivory bans, seizures and campaigns that give no way to buy
    are out, and the verdict says why (measured: F1 0.840, 2 of 92 such posts flagged; 0.582 and 28 before)."""
    frame = pd.read_csv(MARKET)
    results = list(Screener.load(scope="regulated").screen_texts(frame["text"].tolist()))
    frame["flagged"] = [r.tier in ("high", "medium") for r in results]
    frame["decided_by"] = [r.decided_by for r in results]
    assert metrics(frame["label"].tolist(), frame["flagged"].tolist())["f1"] >= 0.8
    reporting = frame[frame["category"].isin(REPORTING)]
    assert len(reporting) >= 90 and reporting["flagged"].mean() <= 0.05
    out = reporting[reporting["decided_by"].str.startswith("reporting, policy or campaign")]
    assert len(out) >= 3 and not out["flagged"].any()  # the model flagged these; the rule took them out
    assert out["decided_by"].str.contains("no way to buy").all()


def test_reporting_with_no_way_to_buy_is_out_under_the_illegal_scope_too() -> None:
    """News of a seizure is no offer of the illegal trade either: hand-written posts the model flags (the shipped
    model reads no Vietnamese or Malay enforcement words), out under scope illegal with the rule named; a seller
    who writes the same words and a way to buy, or a code word, stays in."""
    screener = Screener.load(scope="illegal")
    for text in ("Công an Quảng Ninh bắt giữ xe tải chở 2 tấn vảy tê tê và ngà voi",
                 "Kastam rampas 80 kg gading gajah dan sisik tenggiling di Port Klang"):
        out = screener.screen_text(text)
        assert out.tier not in ("high", "medium"), out.decided_by
        assert out.decided_by.startswith("reporting, policy or campaign") and "scope illegal" in out.decided_by
        assert float(out.decided_by.rsplit("model score ", 1)[1].rstrip(")")) >= 0.5  # the model had flagged it
    for text in ("Công an hỏi cũng không sợ, ngà voi nguyên cây 8kg, giá tốt, liên hệ zalo",
                 "风声紧 公安查得严 血料手镯 懂的来"):
        assert screener.screen_text(text).tier in ("high", "medium"), text


def test_a_sale_that_cites_the_law_is_still_a_sale() -> None:
    screener = Screener.load(scope="regulated")
    sale = screener.screen_text("Victorian carved ivory brooch, Ivory Act exemption registered. £75, DM, UK postage")
    news = screener.screen_text("Customs seized 40 carved ivory brooches at Heathrow; two dealers were arrested.")
    assert sale.tier in ("high", "medium") and news.tier not in ("high", "medium")


def test_scope_is_a_per_model_choice_and_is_checked() -> None:
    model = ScreenModel.load()
    model.info = {**model.info, "scope": "regulated"}
    lot = "Lot 230 - 'Pre-ban' antique ivory chess set, Indian, c.1880. Estimate 300-500 USD. Shipping within the EU."
    own = Screener(load_lexicon(), model).screen_text(lot)
    assert own.tier in ("high", "medium") and own.model_version.endswith("+regulated")
    illegal = Screener(load_lexicon(), model, scope="illegal").screen_text(lot)
    assert illegal.tier not in ("high", "medium") and illegal.decided_by.startswith("open regulated market")
    with pytest.raises(ValueError, match="scope must be one of illegal, regulated, got 'legal'"):
        Screener.load(scope="legal")


def test_the_store_keeps_the_rule(store: Store) -> None:
    store.add([Post(id="p1", platform="web", account_id="a", text="Just listed: antique ivory netsuke, DM for price")])
    screen_store(store, Screener.load(scope="regulated"))
    row = store.query("SELECT decided_by, model_version FROM verdicts WHERE post_id = 'p1'")[0]
    assert row["decided_by"].startswith(("regulated offer", "model: score"))
    assert row["model_version"].endswith("+regulated")


def test_cli_scope_option_and_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WILDTRACE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    args = ["eval", "--labels", str(REGULATED), "--text-col", "text", "--label-col", "label", "--json"]
    runner = CliRunner()
    regulated = json.loads(runner.invoke(app, [*args, "--scope", "regulated"], catch_exceptions=False).stdout)
    monkeypatch.setenv("WILDTRACE_SCOPE", "regulated")
    by_setting = json.loads(runner.invoke(app, args, catch_exceptions=False).stdout)
    illegal = json.loads(runner.invoke(app, [*args, "--scope", "illegal"], catch_exceptions=False).stdout)
    assert regulated == by_setting and regulated["f1"] > illegal["f1"]
    bad = runner.invoke(app, [*args, "--scope", "everything"])
    assert bad.exit_code != 0 and "scope must be one of" in str(bad.exception)


def test_a_species_name_that_is_a_part_is_read_as_that_part_by_the_open_market_rule() -> None:
    """犀角 (rhino horn), 虎骨 (tiger bone), 熊胆 (bear bile) name a part with no product word beside them
    (species.yaml ``parts``): at auction they stay flagged under scope illegal, with the reason, while a carved horn
    cup is still a worked item the rule takes out. Hand-written posts; the model flags all of them."""
    screener = Screener.load(scope="illegal")
    for text, part in (("拍卖 Lot 12：犀角 800克，禁令前老货，有证书，估价30万，欢迎竞拍", "犀角"),
                       ("Lot 33: tiger bone, 1.1 kg, old stock. Estimate on request. Bids close Sunday", "tiger bone"),
                       ("豹骨 一公斤 拍卖 老货 Lot 8", "豹骨")):
        kept = screener.screen_text(text)
        assert kept.tier in ("high", "medium"), kept.decided_by
        assert f"raw product or part ({part})" in kept.decided_by and "no lawful open market" in kept.decided_by
    cup = screener.screen_text("拍卖 Lot 3：清代犀角杯 雕工精美 有证书 估价20万 欢迎竞拍")
    assert cup.tier not in ("high", "medium") and cup.decided_by.startswith("open regulated market"), cup.decided_by


def test_the_open_market_rule_does_not_clear_raw_ivory_or_parts_of_appendix_i_species() -> None:
    """A lawful open market (auction houses, antique exemptions) exists only for worked items: a raw tusk or
    pangolin scales offered "pre-ban with certificate" stays flagged under scope illegal, with the reason, while a
    carved antique at auction is still taken out. Hand-written posts; the model flags all of them."""
    screener = Screener.load(scope="illegal")
    claimed = screener.screen_text("Raw ivory tusk 3.4kg and pangolin scales available, pre-ban with certificate. "
                                   "DM @ivory_trader_hk or see our catalogue")  # "catalogue" is an auction word
    raw_lot = screener.screen_text("Lot 45: raw elephant ivory tusk, 12 kg, pre-ban with certificate. Estimate "
                                   "€8,000-12,000. Bidding opens Monday, shipping worldwide.")
    scales_lot = screener.screen_text("Lot 31: pangolin scales, 2kg, pre-ban stock with certificate. Estimate $900. "
                                      "Bidding closes Sunday, see our catalogue.")
    for kept in (claimed, raw_lot, scales_lot):
        assert kept.tier in ("high", "medium"), kept.decided_by
        assert "no lawful open market" in kept.decided_by and "Appendix I" in kept.decided_by
    assert "tusk" in claimed.decided_by and "scales" in claimed.decided_by
    carved = [screener.screen_text(t) for t in (
        "Lot 88: antique carved ivory figure of a Guanyin, Qing dynasty, 18cm. Estimate £1,500-2,000. Online "
        "bidding, worldwide shipping.",
        "Lot 9: antique carved ivory tusk with a procession of elephants, Meiji period. Estimate £2,000-3,000. "
        "Bidding online.")]  # a carved tusk is a worked item
    for lowered in carved:
        assert lowered.tier not in ("high", "medium") and lowered.decided_by.startswith("open regulated market")
        assert float(lowered.decided_by.rsplit("model score ", 1)[1].rstrip(")")) >= 0.5  # the model had flagged it
    regulated = Screener.load(scope="regulated")
    assert all(regulated.screen_text(t).tier in ("high", "medium") for t in (
        "Raw ivory tusk 3.4kg and pangolin scales available, pre-ban with certificate. DM @ivory_trader_hk or see our "
        "catalogue", "Lot 88: antique carved ivory figure of a Guanyin, Qing dynasty, 18cm. Estimate £1,500-2,000."))
