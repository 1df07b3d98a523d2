"""Fixtures: a small world on each store backend, the app over it, and signed-in clients per role."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from tests.api.world import PASSWORD, build_world
from wildtrace.api import create_app
from wildtrace.config import Settings
from wildtrace.model import Span, Verdict
from wildtrace.service import _recent, _users
from wildtrace.store import Store

WORDS = {"XY": "ivory", "象牙": "ivory", "犀角": "rhino horn"}


@dataclass
class KeywordResult:
    score: float
    tier: str
    spans: list[Span]
    species: list[str] = field(default_factory=list)
    code_words: list[str] = field(default_factory=list)

    def to_verdict(self, post_id: str) -> Verdict:
        return Verdict(post_id=post_id, score=self.score, tier=self.tier, spans=self.spans, code_words=self.code_words)


class KeywordScreener:
    """A stand-in for the screening stage (not on main yet) in these tests: high when a listed code word occurs."""

    def screen_text(self, text: str) -> KeywordResult:
        spans = [Span(start=i, end=i + len(w), text=w, term=w, category="code_word", meaning=m)
                 for w, m in WORDS.items() if (i := text.find(w)) >= 0]
        return KeywordResult(0.9 if spans else 0.05, "high" if spans else "none", spans,
                             code_words=[f"{s.text} = {s.meaning}" for s in spans])


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 at its lowest cost in tests (the default costs about a second per hash on a busy CI box)."""
    monkeypatch.setattr(_users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """A hand-moved clock for the kept sign-ins (``service._recent``): ``clock[0] += s`` lets ``s`` seconds pass."""
    now = [1000.0]
    for recent in (_recent.TOKENS, _recent.SESSIONS):
        monkeypatch.setattr(recent, "clock", lambda: now[0])
    return now


@pytest.fixture
def world(backend_store: Store) -> tuple[Store, dict]:
    return backend_store, build_world(backend_store)


@pytest.fixture
def app(world: tuple[Store, dict], tmp_path: Path):  # type: ignore[no-untyped-def]
    settings = Settings(secret_key="test-secret", share_key="test-share-key", data_dir=str(tmp_path / "data"))
    return create_app(world[0], settings, screener=KeywordScreener())


@pytest.fixture
def login(app) -> Iterator[Callable[[str], TestClient]]:  # type: ignore[no-untyped-def]
    """``login(role)``: a client signed in as that role's user, sending its CSRF token on writes."""
    clients: list[TestClient] = []

    def make(role: str) -> TestClient:
        client = TestClient(app)
        clients.append(client)
        r = client.post("/api/auth/login", json={"username": role, "password": PASSWORD})
        assert r.status_code == 200, r.text
        client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        return client

    yield make
    for c in clients:
        c.close()
