"""Fixtures: a store with benign traffic, and a flagged seller as the screening and extraction stages leave it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.money.factory import benign_shipments, benign_transactions
from wildtrace import model as m
from wildtrace.store import Store, open_store

BENIGN_TX = 3000
BENIGN_PARCELS = 400


@pytest.fixture(scope="session")
def benign_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store file with benign traffic, built once and copied for each test."""
    path = tmp_path_factory.mktemp("money") / "benign.duckdb"
    with open_store(str(path)) as s:
        s.add(benign_transactions(BENIGN_TX))
        s.add(benign_shipments(BENIGN_PARCELS))
    return path


@pytest.fixture
def benign_store(benign_file: Path, tmp_path: Path) -> Iterator[Store]:
    path = tmp_path / "wildtrace.duckdb"
    shutil.copy(benign_file, path)
    s = open_store(str(path))
    yield s
    s.close()


def add_flagged_seller(store: Store, account: str = "wechat:xy_88", pay: str = "wallet:sellerpay",
                       phone: str = "+8613711112222", price: float = 3000.0, tier: m.Tier = m.Tier.HIGH) -> None:
    """A post screened ``tier`` with an advertised price, and the seller's payment account and phone."""
    t = datetime(2025, 3, 10, 22, tzinfo=UTC)
    post = m.Post(id=f"post-{account}", platform="wechat", account_id=account, text="出XY手镯 3000元", posted_at=t,
                  content_hash="c" * 64)
    store.add([post, m.Verdict(post_id=post.id, score=0.95, tier=tier, extracted={"price": price, "currency": "CNY"}),
               m.AccountIdentifier(account_id=account, kind=m.IdentifierKind.PAYMENT_ACCOUNT,
                                   value=pay.removeprefix("wallet:"), raw=pay, seen_id=post.id),
               m.AccountIdentifier(account_id=account, kind=m.IdentifierKind.PHONE, value=phone, raw=phone,
                                   seen_id=post.id)])
