import pandas as pd

from wildtrace.link._features import account_features
from wildtrace.link._pipeline import HELD, splink_edges
from wildtrace.link._probabilistic import predict_pairs


def _features() -> pd.DataFrame:
    """Sixty ordinary accounts posting at all hours, each with its own habit, price and picture, and four busy sellers
    posting alike at night (the same emoji, sign-off and price, look-alike pictures): two strangers in two cities,
    and one person's account and its backup."""
    accounts, posts, pictures, files = [], [], {}, {}
    for i in range(60):
        aid = f"{'wx' if i % 2 else 'qq'}:p{i}"
        handle = "".join(chr(97 + (i * k + 3) % 26) for k in (1, 7, 11, 5)) + str(i * 7919 % 100000)
        accounts.append({"id": aid, "platform": aid[:2], "handle": handle,
                         "display_name": chr(0x4E00 + 37 * i) + chr(0x5E00 + 11 * i), "bio": "",
                         "location": f"city{i % 7}"})
        posts += [{"account_id": aid, "text": f"今天{k} {'🌸🍵🐟🎉☀'[i % 5]}", "local_hour": (i + 5 * k) % 24,
                   "price_per_gram": 2.0 + i} for k in range(3)]
        pictures[aid], files[aid] = [f"own{i}"], [f"sha-own{i}"]
    sellers = {"qq:a": ("jadeart", "玉艺", "广州"), "wx:b": ("oldcarvings", "老雕", "深圳"),
               "wx:c": ("ivoryking88", "象牙王", "厦门"), "wx:c2": ("ivoryking88_bak", "象牙王备用", "厦门")}
    for aid, (handle, name, city) in sellers.items():
        accounts.append({"id": aid, "platform": aid[:2], "handle": handle, "display_name": name, "bio": "",
                         "location": city})
        posts += [{"account_id": aid, "text": f"🔥好货{k}!! 私聊🙏", "local_hour": 22 + k % 2, "price_per_gram": 30.0}
                  for k in range(10)]
        pictures[aid] = ["group1", "group2"]
        files[aid] = [f"sha-{aid}-1", f"sha-{aid}-2"]  # look-alikes, never the same file
    return account_features(pd.DataFrame(accounts), pd.DataFrame(posts), pictures=pictures, picture_files=files)


def test_alike_behaviour_without_anything_saying_who_does_not_link():
    pairs = predict_pairs(_features(), min_probability=0.5)
    edges = splink_edges(pairs, threshold=0.95).set_index(["account_l", "account_r"])
    strangers = edges.loc[("qq:a", "wx:b")]
    assert strangers["match_probability"] >= 0.95  # hours, habits, prices and pictures add up as if independent
    assert not strangers["accepted"] and strangers["reasons"][-1] == HELD
    backup = edges.loc[("wx:c", "wx:c2")]  # the same behaviour and the same handle and name: linked
    assert backup["accepted"] and HELD not in backup["reasons"]
    assert {r["comparison"] for r in backup["reasons"]} >= {"name", "handle_stem"}
