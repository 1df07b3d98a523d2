import math

import pandas as pd

from wildtrace.link import account_features


def _account(aid: str, *, name: str = "象牙龍", handle: str = "ivory_king_bak", bio: str | None = None,
             location: str | None = "廣州市") -> dict:
    return {"id": aid, "platform": aid.split(":")[0], "handle": handle, "display_name": name, "bio": bio,
            "location": location}


def _posts(aid: str, texts: list[str | None], hours: list[int | None], prices: list[float | None]) -> list[dict]:
    return [{"account_id": aid, "text": t, "local_hour": h, "price_per_gram": p}
            for t, h, p in zip(texts, hours, prices, strict=True)]


def _features() -> pd.DataFrame:
    accounts = [_account("wx:a", bio="备用号 老店 ivory 13812345678"), _account("qq:b", name="Jade 88", handle="jade88",
                                                                              bio=None, location=None)]
    accounts += [_account(f"wb:{i}", name=f"n{i}", handle=f"h{i}", bio="备用号") for i in range(3)]
    posts = _posts("wx:a", ["好货!!🐘", "新到!!🐘", None, "再来 老地方见"], [22, 22, 23, None],
                   [30.0, 50.0, float("nan"), -5.0])
    posts += _posts("qq:b", ["hi", "ho"], [9, 10], [None, 1e9])
    posts += _posts("nobody", ["!!🐘", "!!🐘"], [1, 1], [3.0, 3.0])  # posts of an unknown account are ignored
    return account_features(pd.DataFrame(accounts), pd.DataFrame(posts)).set_index("unique_id")


def test_names_handles_and_places_are_folded():
    f = _features()
    assert f.loc["wx:a", "name"] == "象牙龙" and f.loc["wx:a", "handle_stem"] == "ivoryking"
    assert f.loc["qq:b", "name"] == "jade" and f.loc["qq:b", "handle_stem"] == "jade88"
    assert f.loc["wx:a", "location"] == "广州" and f.loc["qq:b", "location"] is None


def test_habits_count_only_when_repeated_across_posts():
    style = list(_features().loc["wx:a", "style"])
    assert style == ["e:🐘", "h:double_bang", "p:!"]
    assert pd.isna(_features().loc["qq:b", "style"])


def test_hour_profile_needs_three_timed_posts_and_sums_to_one():
    f = _features()
    hours = list(f.loc["wx:a", "hours"])
    assert len(hours) == 24 and math.isclose(sum(hours), 1.0, abs_tol=1e-3)
    assert hours[22] == round(2 / 3, 4) and hours[23] == round(1 / 3, 4)
    assert pd.isna(f.loc["qq:b", "hours"])


def test_price_band_is_the_median_of_positive_prices_on_a_ratio_scale():
    f = _features()
    assert f.loc["wx:a", "price_band"] == str(round(math.log(40.0) / math.log(1.5)))
    assert f.loc["wx:a", "price_band"] != f.loc["qq:b", "price_band"]


def test_bio_tokens_drop_contacts_and_boilerplate_many_accounts_copy():
    f = _features()
    tokens = list(f.loc["wx:a", "bio_tokens"])
    assert "ivory" in tokens and "老店" in tokens
    assert "备用" not in tokens and not any(t.isdigit() for t in tokens)
    assert pd.isna(f.loc["qq:b", "bio_tokens"]) and pd.isna(f.loc["wb:0", "bio_tokens"])


def test_a_marker_beginning_with_a_name_character_is_read_in_the_light_of_the_other_names():
    def names(given: dict[str, str]) -> dict[str, str]:
        accounts = pd.DataFrame([_account(aid, name=name) for aid, name in given.items()])
        f = account_features(accounts, pd.DataFrame(_posts("wx:1", ["hi"], [9], [None]))).set_index("unique_id")
        return f["name"].to_dict()

    # 王小新号: Wang Xiaoxin's account beside an account named 王小新, Wang Xiao's new one (新号) beside 王小
    assert names({"wx:1": "王小新", "wx:2": "王小新号"}) == {"wx:1": "王小新", "wx:2": "王小新"}
    assert names({"wx:1": "王小", "wx:2": "王小新号"}) == {"wx:1": "王小", "wx:2": "王小"}
    assert names({"wx:1": "王小", "wx:2": "王小新", "wx:3": "王小新号"})["wx:3"] == "王小"  # both known: the marker
    assert names({"wx:1": "李四", "wx:2": "王小新号", "wx:3": "张小备用"}) == {"wx:1": "李四", "wx:2": "王小",
                                                                           "wx:3": "张小"}  # no context: as before
    assert names({"wx:1": "张小备", "wx:2": "张小备用", "wx:3": "象牙王备用"}) == {"wx:1": "张小备", "wx:2": "张小备",
                                                                               "wx:3": "象牙王"}


def test_a_backup_word_that_is_also_a_name_counts_only_written_apart():
    names = {"wx:1": "王小新", "wx:2": "刘备", "wx:3": "Wang Xin", "wx:4": "象牙王 新", "wx:5": "象牙王（备）",
             "wx:6": "象牙王备用"}
    accounts = pd.DataFrame([_account(aid, name=name) for aid, name in names.items()])
    f = account_features(accounts, pd.DataFrame(_posts("wx:1", ["hi"], [9], [None]))).set_index("unique_id")
    assert f["name"].to_dict() == {"wx:1": "王小新", "wx:2": "刘备", "wx:3": "wangxin", "wx:4": "象牙王",
                                   "wx:5": "象牙王", "wx:6": "象牙王"}
