"""A contact written only in a post without an account (a tip, a capture, an export without an author) has an
identifier page like any other, for every role: its value for roles shown values, its pseudonym for the others,
each link on the post's page opens and lists the post; a post arriving later resolves too."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import unquote

import pytest

from tests.api.world import PASSWORD
from wildtrace.extract import extract_fields
from wildtrace.model import Post, Verdict
from wildtrace.service import add_user
from wildtrace.share import audience_for_role, audience_key, pseudonym

ROLES = ("admin", "investigator", "analyst", "partner", "platform")
TEXT = "出售象牙手镯 价格8000元 加微信 tipseller99 电话 136 0000 1234 钱包 wallet:w-tip7 顺丰"
LINK = re.compile(r'href="(/identifiers/[^"]+)"')


def _unowned_post(store, post_id: str, text: str) -> None:  # type: ignore[no-untyped-def]
    """A post with no account, screened and extracted as the pipeline would (the extraction stage's reading)."""
    store.add([Post(id=post_id, platform="wechat", text=text, posted_at=datetime.now(UTC), source="capture")])
    store.put([Verdict(post_id=post_id, score=0.95, tier="high", species=["elephant"],
                       extracted=extract_fields(text), screened_at=datetime.now(UTC))])


@pytest.fixture
def unowned(world, login):  # type: ignore[no-untyped-def]
    store, _ = world
    add_user(store, "platform", PASSWORD, "platform")
    _unowned_post(store, "capture-1", TEXT)
    return store


@pytest.mark.parametrize("role", ROLES)
def test_every_identifier_of_a_post_without_an_account_opens_its_page(unowned, login, role: str) -> None:
    client = login(role)
    page = client.get("/posts/capture-1")
    assert page.status_code == 200
    links = sorted(set(LINK.findall(page.text)))
    audience = audience_for_role(role)
    if audience == "partner":  # its audience drops contacts and payment accounts: nothing to follow
        assert links == [] and "tipseller99" not in page.text
        return
    refs = {unquote(link.removeprefix("/identifiers/")) for link in links}
    wanted = {("messenger_id", "wechat:tipseller99"), ("phone", "+8613600001234"),
              ("payment_account", "wallet:w-tip7")}
    shown = {(k, v if audience == "investigator" else pseudonym(v, audience_key(b"test-share-key", audience)))
             for k, v in wanted}
    assert {f"{k}:{v}" for k, v in shown} <= refs, refs
    for ref in sorted(refs):
        opened = client.get(f"/api/identifiers/{ref}")
        assert opened.status_code == 200, (role, ref)
        assert "capture-1" in [p["id"] for p in opened.json()["posts"]], (role, ref)
        assert client.get(f"/identifiers/{ref}").status_code == 200


def test_a_post_without_an_account_added_later_resolves_too(unowned, login) -> None:
    analyst = login("analyst")
    key = audience_key(b"test-share-key", "analyst")
    phone = f"phone:{pseudonym('+8613600001234', key)}"
    assert analyst.get(f"/api/identifiers/{phone}").status_code == 200  # the pseudonyms are indexed now
    _unowned_post(unowned, "tip-2", "象牙 联系 QQ 88776655 或 电话 13799990000")
    new = login("investigator").get("/api/identifiers/phone:+8613799990000")  # read at once, though read lately
    assert new.status_code == 200 and [p["id"] for p in new.json()["posts"]] == ["tip-2"]
    later = f"phone:{pseudonym('+8613799990000', key)}"
    assert later.removeprefix("phone:") in analyst.get("/posts/tip-2").text
    found = analyst.get(f"/api/identifiers/{later}")
    assert found.status_code == 200 and [p["id"] for p in found.json()["posts"]] == ["tip-2"]
    assert analyst.get("/api/identifiers/phone:h:0000000000000000").status_code == 404  # still no guessing
    assert analyst.get("/api/identifiers/phone:+8613799990000").status_code == 404  # nor naming the value


def test_an_investigator_finds_a_spaced_phone_of_a_post_without_an_account(unowned, login) -> None:
    """The page of the phone as normalised lists the post that wrote it with spaces (a text search for the
    digits alone would not find it)."""
    found = login("investigator").get("/api/identifiers/phone:+8613600001234").json()
    assert [p["id"] for p in found["posts"]] == ["capture-1"]
