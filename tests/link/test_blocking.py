import duckdb
import pandas as pd

from wildtrace.link._blocking import BLOCK_COLUMNS, blocking_query
from wildtrace.link._features import account_features
from wildtrace.link._probabilistic import predict_pairs


def _features(rows: list[tuple[str | None, str | None, str | None]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["name", "handle_stem", "location"]).rename_axis("row").reset_index()


def blocking_keys(features: pd.DataFrame, max_accounts: int) -> pd.DataFrame:
    return duckdb.sql(f"SELECT * FROM ({blocking_query('features', max_accounts)}) ORDER BY row").df()[
        list(BLOCK_COLUMNS)].astype(object).where(lambda d: d.notna(), None)


def test_keys_are_the_plain_values_while_blocks_are_small():
    f = _features([("jade", "jadeking", "广州"), ("jade", "jadeking", "深圳"), ("amber", "amberhouse", "广州")])
    keys = blocking_keys(f, max_accounts=2)
    assert keys["block_name"].tolist() == ["jade", "jade", "amber"]
    assert keys["block_handle"].tolist() == ["jadeking", "jadeking", "amberhouse"]
    assert keys["block_prefix"].tolist() == ["jad|广州", "jad|深圳", "amb|广州"]


def test_a_common_name_is_compared_only_within_one_location_and_a_full_block_is_left_out():
    f = _features([("jade", f"h{i}", city) for i, city in enumerate(["广州", "广州", "深圳", "深圳", "深圳", None])])
    keys = blocking_keys(f, max_accounts=2)
    assert keys["block_name"].tolist() == ["jade|广州", "jade|广州", None, None, None, None]


def test_an_over_full_prefix_block_is_left_out_and_missing_values_block_nothing():
    f = _features([("a", "starlight", "广州"), ("b", "starfish", "广州"), ("c", "stardust", "广州"),
                   ("d", None, "广州"), (None, "moon", None)])
    keys = blocking_keys(f, max_accounts=2)
    assert keys["block_prefix"].tolist() == [None, None, None, None, None]
    assert keys["block_name"].tolist() == ["a", "b", "c", "d", None]
    assert keys["block_handle"].tolist() == ["starlight", "starfish", "stardust", None, "moon"]


def _crowd(n_strangers: int) -> pd.DataFrame:
    """Features of two accounts of one person (same name and city, different handles) among strangers of that name
    elsewhere."""
    accounts, posts = [], []
    for i in range(n_strangers + 2):
        aid = f"{'wx' if i % 2 else 'qq'}:{i}"
        city = "广州" if i < 2 else f"city{i}"
        accounts.append({"id": aid, "platform": aid[:2], "handle": ["ivorydragon", "xiangyalong"][i] if i < 2 else
                         f"s{i}x", "display_name": "象牙龙", "bio": "", "location": city})
        posts += [{"account_id": aid, "text": "好货", "local_hour": 22, "price_per_gram": 30.0} for _ in range(3)]
    return account_features(pd.DataFrame(accounts), pd.DataFrame(posts))


def test_a_common_name_still_pairs_the_same_persons_accounts_in_one_city():
    features = _crowd(40)
    scored = predict_pairs(features, min_probability=0.0, max_block_accounts=10)
    assert list(zip(scored["account_l"], scored["account_r"], strict=True)) == [("qq:0", "wx:1")]
    everyone = predict_pairs(features, min_probability=0.0, max_block_accounts=100)
    assert len(everyone) == 42 * 41 // 2
