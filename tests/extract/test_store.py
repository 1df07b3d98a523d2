"""``extract_store`` writes AccountIdentifier rows for posts, images and profiles, once."""

from __future__ import annotations

from wildtrace.extract import extract_store
from wildtrace.model import Account, AccountIdentifier, MediaItem, Post
from wildtrace.store import Store


def _world(store: Store) -> None:
    store.add([
        Account(id="wechat:xy_88", platform="wechat", handle="xy_88", display_name="象牙 老王",
                bio="微信: lao_wang88 电话 139 8765 4321"),
        Account(id="wechat:quiet", platform="wechat", handle="quiet", bio="collector of stamps"),
        MediaItem(sha256="a" * 64, ocr_text="支付宝: wang@163.com QQ 12345678"),
        MediaItem(sha256="b" * 64),
        Post(id="p1", platform="wechat", account_id="wechat:xy_88", text="出XY手镯 5000元 电话13812345678",
             media=["a" * 64, "b" * 64, "c" * 64]),
        Post(id="p2", platform="wechat", account_id=None, text="电话 13700001111"),
    ])


def test_identifiers_of_posts_images_and_profiles(backend_store: Store) -> None:
    store = backend_store  # DuckDB and PostgreSQL
    _world(store)
    counts = extract_store(store)
    assert counts["posts"] == 2 and counts["posts_without_account"] == 1 and counts["images"] == 1
    rows = {(r.seen_in, r.seen_id, r.kind, r.value) for r in store.find(AccountIdentifier)}
    assert rows == {
        ("post", "p1", "phone", "+8613812345678"),
        ("image", "a" * 64, "payment_account", "wallet:wang@163.com"),
        ("image", "a" * 64, "email", "wang@163.com"),
        ("image", "a" * 64, "qq", "12345678"),
        ("profile", "wechat:xy_88", "messenger_id", "wechat:lao_wang88"),
        ("profile", "wechat:xy_88", "phone", "+8613987654321"),
    }
    assert {r.account_id for r in store.find(AccountIdentifier)} == {"wechat:xy_88"}


def test_second_run_adds_nothing(backend_store: Store) -> None:
    store = backend_store
    _world(store)
    first = extract_store(store, page=1)
    second = extract_store(store, page=1)
    assert first["new"] == first["identifiers"] == 6
    assert second["new"] == 0 and second["identifiers"] == 6
    assert store.count(AccountIdentifier) == 6
