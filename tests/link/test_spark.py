import pandas as pd
import pytest

from tests.link.test_identifiers import _ids
from wildtrace.link import LinkData, LinkOptions, link_accounts


def _letters(p: int) -> str:
    return "".join(chr(97 + (p * m) % 26) for m in (1, 7, 11, 3))


def _world() -> LinkData:
    rows, posts = [], []
    for p in range(30):
        for k in range(1 + p % 2):
            aid = f"{'wx' if k == 0 else 'qq'}:{_letters(p)}{'bak' if k else ''}"
            rows.append({"id": aid, "platform": aid.split(":")[0], "handle": aid.split(":")[1],
                         "display_name": f"店{chr(0x4e00 + p * 7)}{chr(0x4e00 + p * 13)}", "bio": f"精品 收藏 {p}",
                         "location": ["广州", "福州", "昆明"][p % 3]})
            posts += [{"account_id": aid, "text": "精品 手镯 !!", "local_hour": (p + i) % 24,
                       "price_per_gram": 20.0 + p} for i in range(4)]
    accounts = pd.DataFrame(rows)
    return LinkData(accounts=accounts, posts=pd.DataFrame(posts), identifiers=_ids([]).reindex(
        columns=["account_id", "kind", "value", "raw", "seen_in", "seen_id"]))


@pytest.mark.spark
def test_the_same_settings_link_the_same_on_spark_and_duckdb():
    from wildtrace.scale import spark_session

    data = _world()
    duck = link_accounts(data, LinkOptions())
    spark = link_accounts(data, LinkOptions(), spark=spark_session("local[2]"), engine="spark")
    assert duck.n_traders < len(data.accounts)
    assert spark.clusters.sort_index().equals(duck.clusters.sort_index())
    d = duck.edges[duck.edges["source"] == "splink"].set_index(["account_l", "account_r"])["match_weight"]
    s = spark.edges[spark.edges["source"] == "splink"].set_index(["account_l", "account_r"])["match_weight"]
    assert set(d.index) == set(s.index)
    assert (d.sort_index() - s.sort_index()).abs().max() < 0.5
