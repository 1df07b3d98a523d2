"""A real uvicorn serving the workbench over a small world, for the browser tests."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from argon2 import PasswordHasher

from tests.api.conftest import KeywordScreener
from tests.api.world import build_world
from wildtrace.api import create_app
from wildtrace.config import Settings
from wildtrace.service import _users
from wildtrace.store import Store, open_store

CHROMIUM = "/usr/bin/chromium"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Store, dict]]:
    """(base URL, store, world ids) of a workbench running in this process on a free loopback port."""
    mp = pytest.MonkeyPatch()
    mp.setattr(_users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    store = open_store(str(tmp_path_factory.mktemp("web") / "wildtrace.duckdb"))
    ids = build_world(store)
    port = free_port()
    ids["data_dir"] = str(tmp_path_factory.mktemp("web-data"))  # the workbench's evidence store is under it
    settings = Settings(secret_key="browser-test", share_key="test-share-key", data_dir=ids["data_dir"])
    config = uvicorn.Config(create_app(store, settings, screener=KeywordScreener()), host="127.0.0.1", port=port,
                            log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", store, ids
    server.should_exit = True
    thread.join(10)
    store.close()
    mp.undo()


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (scripts/system-deps.sh installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync"])
        yield b
        b.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: ``$WILDTRACE_SCREENSHOTS`` or a temporary folder."""
    where = os.environ.get("WILDTRACE_SCREENSHOTS")
    path = Path(where) if where else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path
