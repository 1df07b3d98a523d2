"""Property tests from the OpenAPI document (schemathesis): whatever a client sends, no server error."""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from argon2 import PasswordHasher
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from tests.api.conftest import KeywordScreener
from tests.api.world import build_world
from wildtrace.api import create_app
from wildtrace.config import Settings
from wildtrace.service import _users, create_token
from wildtrace.store import open_store


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    mp = pytest.MonkeyPatch()
    mp.setattr(_users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    store = open_store(str(Path(tmp_path_factory.mktemp("fuzz")) / "wildtrace.duckdb"))
    build_world(store)
    app = create_app(store, Settings(secret_key="fuzz", share_key="test-share-key",
                                     data_dir=str(tmp_path_factory.mktemp("fuzz-data"))), screener=KeywordScreener())
    app.state.token = create_token(store, "admin", "fuzz")
    yield app
    store.close()
    mp.undo()


def test_no_server_error(fuzz_app):  # type: ignore[no-untyped-def]
    """Every operation of the OpenAPI document, with generated input, as the admin (who may call them all)."""
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", fuzz_app)
    headers = {"Authorization": f"Bearer {fuzz_app.state.token}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25

    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def call(case):  # type: ignore[no-untyped-def]
            case.call_and_validate(headers=headers, checks=[not_a_server_error], timeout=300)

        call()
