import sys

import duckdb
import pandas as pd
import pytest

from wildtrace.link import LinkData, LinkOptions, link_accounts
from wildtrace.link._mentions import bare_mentions


def _data(texts: dict[str, str], shown: dict[str, str]) -> LinkData:
    """Accounts posting ``texts`` (account -> one post) and showing ``shown`` (account -> messenger ID) in profile."""
    names = sorted(set(texts) | set(shown))
    accounts = pd.DataFrame({"id": names, "platform": [a.split(":")[0] for a in names], "handle": names,
                             "display_name": names, "bio": "", "location": None})
    posts = pd.DataFrame({"id": [f"{a}/p1" for a in texts], "account_id": list(texts), "text": list(texts.values()),
                          "local_hour": 12, "price_per_gram": None})
    ids = pd.DataFrame({"account_id": list(shown), "kind": "messenger_id", "value": list(shown.values()),
                        "raw": list(shown.values()), "seen_in": "profile", "seen_id": list(shown)})
    return LinkData(accounts=accounts, posts=posts, identifiers=ids)


def test_an_id_another_account_shows_written_bare_links_the_two():
    data = _data({"wx:b": "Cow bone beads 17 CNY PINE8817🔥", "wx:c": "rtx3080 pine88170 xpine8817 pine881"},
                 {"qq:a": "wechat:pine8817"})
    found = bare_mentions(data.identifiers, data.posts, data.accounts)
    assert found[["account_id", "value", "raw", "seen_in", "seen_id"]].values.tolist() == [
        ["wx:b", "wechat:pine8817", "pine8817", "post", "wx:b/p1"]]
    edges = link_accounts(data, LinkOptions(probabilistic=False)).edges
    assert [(a, b) for a, b in zip(edges["account_l"], edges["account_r"], strict=True)] == [("qq:a", "wx:b")]
    assert edges["reasons"].iloc[0] == ["shared messenger_id wechat:pine8817"]


def test_short_or_letter_only_ids_are_not_looked_for():
    data = _data({"wx:b": "call 8817 or jasmine today", "wx:c": "bob12 here"},
                 {"qq:a": "wechat:jasmine", "qq:d": "wechat:bob12"})
    assert bare_mentions(data.identifiers, data.posts, data.accounts).empty


def test_an_id_written_bare_by_many_accounts_is_a_hub_and_links_nobody():
    data = _data({f"wx:{i}": "ask for prices lotus2024" for i in range(10)},
                 {"qq:a": "wechat:lotus2024"})
    result = link_accounts(data, LinkOptions(probabilistic=False))
    assert result.edges.empty
    assert result.hubs["key"].tolist() == ["lotus2024"]


def test_without_messenger_ids_nothing_is_looked_for():
    data = _data({"wx:b": "pine8817"}, {})
    assert bare_mentions(data.identifiers.astype(object), data.posts, data.accounts).empty


def test_accounts_without_any_identifier_still_link_on_weak_evidence_only():
    data = _data({"wx:b": "hello"}, {})
    data.identifiers = data.identifiers.iloc[0:0]
    result = link_accounts(data, LinkOptions(probabilistic=False))
    assert result.edges.empty and result.n_traders == 1


def test_linking_closes_every_duckdb_connection_it_opens(monkeypatch):
    opened: list[tuple[str, duckdb.DuckDBPyConnection]] = []
    connect = duckdb.connect

    def spy(*args, **kwargs):
        con = connect(*args, **kwargs)
        opened.append((sys._getframe(1).f_globals["__name__"], con))
        return con

    monkeypatch.setattr(duckdb, "connect", spy)
    data = _data({"wx:b": "Cow bone beads 17 CNY pine8817", "wx:c": "hello"}, {"qq:a": "wechat:pine8817"})
    link_accounts(data)
    callers = [caller for caller, _ in opened]
    assert sum(c.startswith("wildtrace.") for c in callers) >= 3  # bare mentions, identifier edges, Splink's input
    assert any(c.startswith("splink.") for c in callers)  # the scratch connection Splink's DatabaseAPI opens itself
    for _, con in opened:
        with pytest.raises(duckdb.ConnectionException):
            con.execute("SELECT 1")
