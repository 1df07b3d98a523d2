"""The installation's secret keys: the session signing key of the workbench and the pseudonym key of exports.

A key comes from its setting (``WILDTRACE_SECRET_KEY``, ``WILDTRACE_SHARE_KEY``), else from a file named by a
setting (``WILDTRACE_SECRET_KEY_FILE``, ``WILDTRACE_SHARE_KEY_FILE``), else from ``<data_dir>/<name>.key``.
In development that file is made once (readable by its owner only), so that sign-ins survive a restart and
every worker signs alike; in production nothing is made and a missing key is an error that says what to do.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from wildtrace.config import Settings

KEYS = {"session": "secret_key", "share": "share_key"}  # key name -> its setting


class KeyMissing(LookupError):
    """A key that production needs is not configured."""


def key_file(settings: Settings, name: str) -> Path:
    """Where key ``name`` is read from when its setting is empty."""
    named = getattr(settings, f"{KEYS[name]}_file")
    return Path(named) if named else settings.data_path / f"{name}.key"


def write_key(path: Path, value: str | None = None) -> str:
    """Write a key file (a new random key unless ``value``), readable by its owner only; return the key."""
    value = value or secrets.token_hex(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text(value + "\n", encoding="ascii")
    return value


def installation_key(settings: Settings, name: str) -> bytes:
    """Key ``name`` ("session" or "share") of this installation; see the module's docstring for the order."""
    given = getattr(settings, KEYS[name])
    if given:
        return str(given).encode()
    path = key_file(settings, name)
    if path.is_file():
        text = path.read_text(encoding="ascii").strip()
        if len(text) < 32:
            raise KeyMissing(f"the {name} key in {path} is shorter than 32 characters: make a new one with "
                             "`wildtrace keys init`")
        return text.encode()
    if settings.environment == "production":
        raise KeyMissing(f"no {name} key: set WILDTRACE_{KEYS[name].upper()}_FILE to a key file (make one with "
                         f"`wildtrace keys init`) or WILDTRACE_{KEYS[name].upper()}")
    return write_key(path).encode()
