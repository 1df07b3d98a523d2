"""Serving the workbench for a team: every worker process builds the same app from the same settings.

``wildtrace serve`` resolves the settings once (flags, environment, config file), checks what production needs,
makes the development keys once, then hands the settings to uvicorn's workers through the environment, where
``app_from_environment`` (uvicorn's factory) reads them back.
"""

from __future__ import annotations

import os
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import fields

import anyio.to_thread
from fastapi import FastAPI

from wildtrace.api._app import create_app
from wildtrace.config import Settings, load_settings
from wildtrace.keys import KEYS, installation_key
from wildtrace.log import configure_logging

FACTORY = "wildtrace.api._server:app_from_environment"


def check_serving(settings: Settings, demo_users: bool = False) -> None:
    """Refuse what must not be served: production without its keys or with the demo users' known passwords,
    demo users off loopback. Makes the development keys once, before the workers start."""
    if demo_users and settings.environment == "production":
        raise ValueError("--demo-users has well-known passwords: not in production")
    if demo_users and settings.host not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError(f"--demo-users has well-known passwords: only on a loopback address, not {settings.host}")
    if settings.environment not in ("development", "production"):
        raise ValueError(f"environment {settings.environment!r}: use development or production")
    for name in KEYS:
        installation_key(settings, name)


def export_settings(settings: Settings) -> None:
    """Put ``settings`` into this process's environment, where the workers it starts read them."""
    for f in fields(Settings):
        os.environ[f"WILDTRACE_{f.name.upper()}"] = str(getattr(settings, f.name))


def app_from_environment() -> FastAPI:
    """The workbench of the settings in the environment: what each server worker runs. A DuckDB store is opened
    per request, so that several workers (and the command line) can share the file."""
    from wildtrace.store import open_store

    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    store = open_store(settings.db, hold=False, wait=10.0)
    app = create_app(store, settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.serve_threads
        # load the screening model now, in the background, not on the first real-time check
        threading.Thread(target=app.state.screener, daemon=True).start()
        yield
        store.close()

    app.router.lifespan_context = lifespan
    return app
