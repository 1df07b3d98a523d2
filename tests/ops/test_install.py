"""As an IT person installs it: build the wheel, install it into a fresh virtual environment (from the local
package cache, no network), check it with ``doctor``, run a small pipeline on PostgreSQL, and serve with two
workers in production: a sign-in made on one worker holds on the other, and after a restart."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.postgres


SLOW = 60.0
"""Seconds an answer may take: a worker's first requests load the app's modules, slow on a busy machine."""


def _run(*cmd: str | Path, env: dict[str, str] | None = None, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, env=env, timeout=timeout)
    assert done.returncode == 0, f"{cmd}: {done.stderr[-2000:]}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``wildtrace`` command of a fresh virtual environment with the built wheel and its postgres extra."""
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not installed (make install brings it)")
    where = tmp_path_factory.mktemp("install")
    _run(uv, "build", "--wheel", "--sdist", "--offline", "--out-dir", where / "dist", ROOT)
    wheel = next((where / "dist").glob("wildtrace-*.whl"))
    assert next((where / "dist").glob("wildtrace-*.tar.gz")).stat().st_size > 0
    _run(sys.executable, "-m", "venv", where / "venv")
    _run(uv, "pip", "install", "--offline", "--python", where / "venv" / "bin" / "python", f"{wheel}[postgres]")
    return where / "venv" / "bin" / "wildtrace"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _serving(wildtrace: Path, env: dict[str, str], port: int, log: Path) -> Iterator[None]:
    with log.open("a") as out:
        server = subprocess.Popen([str(wildtrace), "serve", "--workers", "2", "--port", str(port)], env=env,
                                  stdout=out, stderr=out, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/ready", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None, log.read_text()[-2000:]
            time.sleep(0.5)
        else:
            pytest.fail("the workbench did not become ready: " + log.read_text()[-2000:])
        yield
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)


def test_a_wheel_installs_checks_runs_and_serves_two_workers_sharing_sign_ins(
        installed: Path, postgres_url: str, tmp_path: Path, sim_world: Path) -> None:
    import psycopg

    name = f"i_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_url, autocommit=True) as con:
        con.execute(f"CREATE DATABASE {name}")  # type: ignore[arg-type]
    env = {"PATH": f"{installed.parent}:/usr/bin:/bin", "HOME": str(tmp_path),
           "WILDTRACE_DB": postgres_url.rsplit("/", 1)[0] + f"/{name}", "WILDTRACE_DATA_DIR": str(tmp_path / "data"),
           "WILDTRACE_ENVIRONMENT": "production", "WILDTRACE_LOG_FORMAT": "json"}
    refused = subprocess.run([str(installed), "serve"], env=env, capture_output=True, text=True, timeout=300)
    assert refused.returncode == 1 and "no session key" in refused.stderr
    _run(installed, "keys", "init", env=env)
    _run(installed, "users", "add", "ana", "--role", "investigator", "--password", "correct horse battery", env=env)
    checks = json.loads(_run(installed, "doctor", "--json", env=env).stdout)
    assert {c["name"]: c["ok"] for c in checks}["store"] and all(c["ok"] for c in checks if c["needed"])
    _run(installed, "ingest", sim_world / "accounts.jsonl", "-m", "account", env=env)
    _run(installed, "ingest", sim_world / "posts.jsonl", "-m", "post", env=env)
    screened = json.loads(_run(installed, "screen", "--no-ocr", "--json", env=env).stdout)
    assert screened["screened"] > 0 and screened["tiers"]["high"] > 0

    port, log = _free_port(), tmp_path / "serve.log"
    with _serving(installed, env, port, log):
        login = httpx.post(f"http://127.0.0.1:{port}/api/auth/login", timeout=SLOW,
                           json={"username": "ana", "password": "correct horse battery"})
        assert login.status_code == 200
        cookies = dict(login.cookies)
        answers = [httpx.get(f"http://127.0.0.1:{port}/api/auth/me", cookies=cookies, timeout=SLOW).status_code
                   for _ in range(40)]
        assert answers == [200] * 40
    records = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    served_by = {r["pid"] for r in records if r.get("path") == "/api/auth/me" and r.get("status") == 200}
    assert len(served_by) == 2, "both workers answered with the same sign-in"
    with _serving(installed, env, port, log):
        assert httpx.get(f"http://127.0.0.1:{port}/api/auth/me", cookies=cookies, timeout=SLOW).status_code == 200
