"""Settings, declared once: name, default, environment variable and help.

Precedence: command-line flag > environment variable > config file > default. The config file is
TOML, found at ``--config``, ``$WILDTRACE_CONFIG`` or ``./wildtrace.toml``. The same declarations feed
``wildtrace config`` and the README's settings table (a test fails when one is undocumented).
"""

from __future__ import annotations

import os
import tempfile
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any


def _setting(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    """Every WildTrace setting. Environment variable: ``WILDTRACE_`` + upper-case name."""

    db: str = _setting("wildtrace.duckdb", "Store: a DuckDB file path or a postgresql:// URL.")
    store_wait: float = _setting(30.0, "Seconds a command waits for a DuckDB store that another process (the "
                                       "workbench) is using before it gives up.")
    data_dir: str = _setting(".wildtrace", "Evidence store, quarantine files and caches.")
    cache_dir: str = _setting("", "Caches that every store and run share (the pictures' OCR text and hashes, by "
                                  "content hash); empty: $XDG_CACHE_HOME/wildtrace, else ~/.cache/wildtrace.")
    ocr_workers: int = _setting(0, "Processes that read pictures (OCR); 0 means one per core.")
    collector: str = _setting("wildtrace", "Name recorded as the collector of every capture.")
    log_level: str = _setting("INFO", "Logging level: DEBUG, INFO, WARNING or ERROR.")
    model: str = _setting("", "Screening model directory; empty means the model shipped in the package.")
    scope: str = _setting("", "Screening scope: illegal (offers of the illegal trade) or regulated (every offer of a "
                              "regulated product: antique, pre-ban and mammoth ivory, auction lots, carvings, "
                              "trophies); empty means the model's own, else illegal.")
    host: str = _setting("127.0.0.1", "Address the workbench listens on.")
    port: int = _setting(8000, "Port the workbench listens on.")
    serve_threads: int = _setting(40, "Threads of each workbench worker process for requests.")
    environment: str = _setting("development", "development or production: production refuses to start without "
                                               "its keys and with the demo users.")
    secret_key: str = _setting("", "Session signing key of the workbench; empty: read from secret_key_file.")
    secret_key_file: str = _setting("", "File holding the session signing key; empty: <data_dir>/session.key "
                                        "(made once in development, required in production).")
    log_format: str = _setting("text", "Log lines as text for people or json for a log collector.")
    lexicon: str = _setting("", "Analysts' lexicon layer (YAML); empty means <data_dir>/lexicon.yaml.")
    link_engine: str = _setting("duckdb", "Linkage backend for Splink: duckdb or spark.")
    link_threshold: float = _setting(0.95, "Splink match probability at which two accounts are linked.")
    link_hub_max_accounts: int = _setting(8, "An identifier shared by more accounts is a hub and links nobody.")
    link_block_max_accounts: int = _setting(
        20, "A name, handle or handle prefix shared by more accounts is compared only within one location.")
    link_hub_min_groups: int = _setting(3, "An identifier joining this many separately identified groups is a hub.")
    link_phash_distance: int = _setting(
        10, "Pictures within this pHash distance may be one (dHash and wHash must agree too).")
    link_memory_limit: str = _setting("", "DuckDB memory limit of Splink's linkage (e.g. 4GB), past which it spills to "
                                          "<system temp>/wildtrace-spill; empty means a sixth of RAM.")
    money_memory_limit: str = _setting("", "DuckDB memory limit of the money stage (e.g. 4GB), past which it spills "
                                           "to disk; empty means a quarter of RAM.")
    money_spill_dir: str = _setting("", "Where the money stage spills; empty: DuckDB's folder beside a store file, "
                                        "else <system temp>/wildtrace-spill.")
    redaction_policy: str = _setting("", "Redaction policy (YAML); empty means the policy shipped in the package.")
    trusted_proxies: str = _setting("", "Reverse proxies (addresses or networks, comma-separated) whose "
                                        "X-Forwarded-For and X-Forwarded-Proto the workbench believes; empty: none.")
    share_key: str = _setting("", "Key from which each audience's pseudonym key is derived (exports, reports, "
                                  "workbench); empty: read from share_key_file.")
    share_key_file: str = _setting("", "File holding the pseudonym key; empty: <data_dir>/share.key (made once in "
                                       "development, required in production).")

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir)

    @property
    def picture_cache(self) -> Path:
        """Where the pictures' OCR text and hashes are cached."""
        if self.cache_dir:
            return Path(self.cache_dir) / "pictures"
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return Path(base) / "wildtrace" / "pictures"

    @property
    def lexicon_path(self) -> Path:
        return Path(self.lexicon) if self.lexicon else self.data_path / "lexicon.yaml"


def share_of_ram(fraction: float) -> str:
    """``fraction`` of this machine's memory as a DuckDB memory limit (``"3900MB"``)."""
    return f"{int(os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') * fraction) >> 20}MB"


def spill_dir() -> Path:
    """Where DuckDB spills when no store folder or setting says: ``<system temp>/wildtrace-spill``."""
    return Path(tempfile.gettempdir()) / "wildtrace-spill"


def describe() -> list[tuple[str, str, Any, str]]:
    """(name, environment variable, default, help) for every setting."""
    return [(f.name, f"WILDTRACE_{f.name.upper()}", f.default, f.metadata["help"]) for f in fields(Settings)]


def load_settings(config_file: str | Path | None = None, **overrides: Any) -> Settings:
    """Build settings from defaults, the config file, the environment and explicit overrides."""
    values: dict[str, Any] = {}
    path = Path(config_file or os.environ.get("WILDTRACE_CONFIG", "wildtrace.toml"))
    if path.is_file():
        with path.open("rb") as fh:
            values.update(tomllib.load(fh).get("wildtrace", {}))
    for f in fields(Settings):
        env = os.environ.get(f"WILDTRACE_{f.name.upper()}")
        if env is not None:
            values[f.name] = env
    values.update({k: v for k, v in overrides.items() if v is not None})
    unknown = set(values) - {f.name for f in fields(Settings)}
    if unknown:
        raise ValueError(f"unknown setting(s) in {path}: {', '.join(sorted(unknown))}")
    types: dict[str, Any] = {f.name: type(f.default) for f in fields(Settings)}
    return Settings(**{k: types[k](v) for k, v in values.items()})
