"""Keys that survive a restart and are refused missing in production; logs a collector can read; liveness and
readiness for a load balancer."""

from __future__ import annotations

import json
import logging
import stat
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from wildtrace.api import create_app
from wildtrace.config import Settings
from wildtrace.keys import KeyMissing, installation_key, key_file
from wildtrace.log import JsonFormatter
from wildtrace.service import add_user
from wildtrace.store import Store


def test_development_makes_each_key_once_private_and_production_refuses_a_missing_one(tmp_path: Path) -> None:
    dev = Settings(data_dir=str(tmp_path / "data"))
    first = installation_key(dev, "session")
    assert installation_key(dev, "session") == first and installation_key(dev, "share") != first
    assert stat.S_IMODE(key_file(dev, "session").stat().st_mode) == 0o600
    prod = Settings(data_dir=str(tmp_path / "other"), environment="production")
    with pytest.raises(KeyMissing, match="WILDTRACE_SECRET_KEY_FILE"):
        installation_key(prod, "session")
    assert not key_file(prod, "session").exists()
    given = tmp_path / "session.key"
    given.write_text("k" * 40)
    assert installation_key(Settings(environment="production", secret_key_file=str(given)), "session") == b"k" * 40
    given.write_text("short")
    with pytest.raises(KeyMissing, match="shorter than 32"):
        installation_key(Settings(environment="production", secret_key_file=str(given)), "session")


def test_a_sign_in_survives_a_restart_of_the_workbench(store: Store, tmp_path: Path) -> None:
    settings = Settings(data_dir=str(tmp_path / "data"))
    add_user(store, "ana", "correct horse battery", "analyst")
    before = TestClient(create_app(store, settings))
    signed_in = before.post("/api/auth/login", json={"username": "ana", "password": "correct horse battery"})
    assert signed_in.status_code == 200
    after = TestClient(create_app(store, settings), cookies=before.cookies)  # a new process, the same key file
    assert after.get("/api/auth/me").status_code == 200
    stranger = TestClient(create_app(store, Settings(data_dir=str(tmp_path / "elsewhere"))), cookies=before.cookies)
    assert stranger.get("/api/auth/me").status_code == 401


def test_json_log_lines_carry_the_message_the_fields_and_access_details() -> None:
    record = logging.LogRecord("wildtrace.money", logging.WARNING, __file__, 1, "slow %s", ("stage",), None)
    record.payments = 12
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "slow stage" and line["level"] == "WARNING" and line["payments"] == 12
    assert line["pid"] > 0 and line["time"].endswith("+00:00")
    access = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5000", "GET", "/api/live", "1.1", 200), None)
    assert json.loads(JsonFormatter().format(access))["status"] == 200


def test_log_lines_go_to_the_stderr_of_the_moment_not_one_a_cli_runner_closed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Once a command run through click's CliRunner (which swaps stderr for a stream it then closes) has set
    up logging, a later record reaches the stderr of its time: no "--- Logging error ---" (it was printed
    after every money test that logged a typology turned off)."""
    from typer.testing import CliRunner

    from wildtrace.cli.main import app
    from wildtrace.log import LOGGER_NAME

    logger = logging.getLogger(LOGGER_NAME)
    monkeypatch.setattr(logger, "handlers", [])
    result = CliRunner().invoke(app, ["money", "alerts", "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 1 and logger.handlers
    logger.warning("after the runner")
    err = capsys.readouterr().err
    assert "after the runner" in err and "Logging error" not in err


def test_liveness_does_not_touch_the_store_and_readiness_checks_the_schema(store: Store, tmp_path: Path) -> None:
    client = TestClient(create_app(store, Settings(data_dir=str(tmp_path / "data"))))
    assert client.get("/api/live").json() == {"live": True}
    ready = client.get("/api/ready")
    assert ready.status_code == 200 and ready.json()["schema_version"] == store.schema_version()
    store.execute("DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)")
    behind = client.get("/api/ready")
    assert behind.status_code == 503 and "wildtrace migrate" in behind.json()["reason"]
