"""Words whose folded or everyday sense is not the trade's: a Vietnamese name typed without its diacritics (bán,
sell, folds to the English "ban"), the auction word "lot" (not "a lot"), and a reporting word inside a seller's
legality claim ("ban ivory" in "pre-ban ivory"). Sentences written for these tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from wildtrace.lexicon import add_term, load_lexicon
from wildtrace.screen import Normalised, Screener
from wildtrace.screen._match import Matcher


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(load_lexicon())


def ids(matcher: Matcher, text: str) -> set[str]:
    return {h.term.id for h in matcher.match(Normalised.of(text))}


@pytest.mark.parametrize(("text", "not_there"), [
    ("Campaigners want lawmakers to ban rhino horn in medicine.", "sale"),  # bán (sell)
    ("Ray-Ban tortoiseshell frames, barely worn.", "sale"),
    ("Netsuke of carved ivory, pre-ban, with its old receipt.", "sale"),
    ("We can ban the sale of tiger bone wine tomorrow.", "sale"),  # cần bán (need to sell)
    ("The defense rested its case on Monday, said the ivory dealer's lawyer.", "tusk"),  # défense (tusk)
    ("The choir sung carols beside the rhino enclosure.", "horn"),  # sừng (horn)
    ("Je te laisse le bracelet en ivoire, c'est un cadeau.", "sale"),  # tệ
])
def test_a_folded_name_does_not_count_in_another_language(matcher: Matcher, text: str, not_there: str) -> None:
    assert not_there not in ids(matcher, text)


@pytest.mark.parametrize(("text", "there"), [
    ("can ban nga voi nguyen chiec, gia re, lh zalo", {"sale", "elephant"}),
    ("ban vong tay nga voi that, giao hang toan quoc", {"sale", "elephant", "bangle"}),
    ("Bán sừng tê giác, giá rẻ", {"sale", "rhinoceros"}),
    ("defense d'elephant sculptee, a vendre, envoi possible", {"elephant", "carving", "sale"}),
])
def test_a_folded_name_counts_in_its_own_language(matcher: Matcher, text: str, there: set[str]) -> None:
    assert ids(matcher, text) >= there


def test_a_folded_name_keeps_its_span_and_says_how_it_was_written(matcher: Matcher) -> None:
    post = "can ban nga voi nguyen chiec, lh zalo"
    hit = next(h for h in matcher.match(Normalised.of(post)) if h.term.id == "elephant")
    assert (post[hit.start:hit.end], hit.name, hit.via) == ("nga voi", "ngà voi", "variant")


def test_a_bare_vietnamese_word_in_a_text_typed_with_diacritics_is_another_word(matcher: Matcher) -> None:
    # "Ban quản lý" is a management board; the seller's "bán" carries its accent in such a text
    assert "sale" not in ids(matcher, "Ban quản lý khu bảo tồn đã thu giữ hai chiếc ngà voi.")
    assert "sale" in ids(matcher, "Bán hai chiếc ngà voi, liên hệ zalo.")


@pytest.mark.parametrize("text", [
    "Thanks a lot, the ivory earrings arrived safely!",
    "I have a lot of questions about mammoth ivory.",
    "We get asked this a lot: is antique ivory legal to sell?",
])
def test_lot_in_its_everyday_sense_is_no_auction(matcher: Matcher, text: str) -> None:
    assert "auction" not in ids(matcher, text)


@pytest.mark.parametrize("text", [
    "Lot 17: carved ivory netsuke of a rat, Meiji period.",
    "LOT #204 - tortoiseshell tea caddy, estimate on request",
    "Lot No. 9, a pair of ivory chopsticks",
    "Three netsuke, £30 the lot.",
    "Vente du 12 mai, lot n° 48 : défense sculptée",
])
def test_lot_in_its_auction_sense_is_an_auction(matcher: Matcher, text: str) -> None:
    assert "auction" in ids(matcher, text)


def test_an_analysts_name_with_a_number_slot_matches_only_before_a_number(tmp_path: Path) -> None:
    add_term(tmp_path / "l.yaml", "trade", {"en": ["stall #"]}, term_id="market_stall", category="market")
    matcher = Matcher(load_lexicon(tmp_path / "l.yaml"))
    assert "market_stall" in ids(matcher, "Find us at stall 14, ivory combs on the left")
    assert "market_stall" not in ids(matcher, "The engine may stall in the cold")
    assert "market_stall" not in ids(matcher, "stall14 is closed")


def test_an_offer_that_says_thanks_a_lot_is_not_taken_for_an_auction() -> None:
    screener = Screener.load(scope="illegal")
    verdict = screener.screen_text("Real ivory bangle 52g, 400 usd, whatsapp me. Thanks a lot for looking!")
    assert verdict.tier in ("high", "medium"), verdict.decided_by
    assert not verdict.decided_by.startswith("open regulated market")


def reporting(matcher: Matcher, text: str) -> set[str]:
    return {text[h.start:h.end] for h in matcher.match(Normalised.of(text)) if h.term.reports()}


@pytest.mark.parametrize("text", [
    "Pre-ban ivory bracelet from a 1970s collection, dated receipt, £350, DM me.",
    "pre ban ivory chopsticks, ten pairs, lovely old set",
    "Antique PRE-BAN IVORY letter opener, see photos",
    "象牙手串，禁令前老货，成色好",
    "禁令前的老象牙挂件，有意者详谈",
])
def test_a_reporting_word_inside_a_legality_claim_is_the_claims(matcher: Matcher, text: str) -> None:
    # the campaigns' "ban ivory" (#BanIvory spelled apart) and 禁令 (ban) share their word with the seller's
    # "pre-ban" and 禁令前: the claim keeps it
    assert "pre_ban" in ids(matcher, text)
    assert reporting(matcher, text) == set()


@pytest.mark.parametrize(("text", "words"), [
    ("Ban ivory now! Sign the petition.", {"Ban ivory", "petition"}),
    ("#BanIvory #WorldElephantDay", {"BanIvory"}),
    ("政府宣布象牙禁令，明年生效", {"禁令"}),
    ("Is pre-ban ivory legal? The ban on ivory sales has exemptions.", {"The ban", "ban on ivory"}),
])
def test_a_reporting_word_of_its_own_still_counts(matcher: Matcher, text: str, words: set[str]) -> None:
    assert reporting(matcher, text) >= words


def test_a_pre_ban_offer_is_not_taken_out_as_reporting() -> None:
    verdict = Screener.load(scope="regulated").screen_text("象牙手串，禁令前老货，成色好")
    assert verdict.tier in ("high", "medium"), verdict.decided_by
    assert not verdict.decided_by.startswith("reporting")
