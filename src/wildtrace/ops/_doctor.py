"""``wildtrace doctor``: is this installation ready to work? One line per check, with what to do when not."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from wildtrace.config import Settings
from wildtrace.keys import KEYS, installation_key, key_file


@dataclass(frozen=True)
class Check:
    """One check: its name, whether it passed, what was found or what to do; ``needed`` failures fail doctor."""

    name: str
    ok: bool
    detail: str
    needed: bool = True


def _store(settings: Settings) -> Check:
    from wildtrace.store import open_store, store_exists

    if not store_exists(settings.db):
        return Check("store", False, f"no store at {settings.db}: set WILDTRACE_DB, or make one with "
                                     "`wildtrace ingest` / `wildtrace users add`")
    try:
        with open_store(settings.db, migrate=False, wait=min(settings.store_wait, 5.0)) as store:
            pending, have = store.pending_migrations(), store.schema_version()
    except Exception as exc:  # any failure to reach the store is the finding
        return Check("store", False, f"{settings.db} does not answer: {exc}")
    if pending:
        return Check("store", False, f"{settings.db} lacks {len(pending)} migrations of this release: run "
                                     "`wildtrace migrate`")
    return Check("store", True, f"{settings.db} answers, schema {have}, migrated")


def _writable(settings: Settings) -> Check:
    folder = settings.data_path
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder):
            pass
    except OSError as exc:
        return Check("data folder", False, f"{folder} is not writable ({exc.strerror}): fix its owner or set "
                                           "WILDTRACE_DATA_DIR")
    return Check("data folder", True, f"{folder.resolve()} is writable (evidence, quarantine, lexicon layer)")


def _key(settings: Settings, name: str) -> Check:
    given = bool(getattr(settings, KEYS[name]))
    path = key_file(settings, name)
    if not given and not path.is_file():
        if settings.environment == "production":
            return Check(f"{name} key", False, f"missing: make one with `wildtrace keys init` or set "
                                               f"WILDTRACE_{KEYS[name].upper()}_FILE")
        return Check(f"{name} key", True, f"will be made in {path} on first use (development)")
    try:
        installation_key(settings, name)
    except LookupError as exc:
        return Check(f"{name} key", False, str(exc))
    if not given and path.stat().st_mode & 0o077:
        return Check(f"{name} key", False, f"{path} is readable by others: chmod 600 {path}")
    return Check(f"{name} key", True, "from the environment" if given else f"in {path}")


def _ocr() -> Check:
    if importlib.util.find_spec("rapidocr_onnxruntime") is None:
        return Check("OCR", False, "not installed: text inside pictures is not read; pip install 'wildtrace[ocr]'",
                     needed=False)
    return Check("OCR", True, "RapidOCR (PP-OCRv4 Chinese/English) with its models")


def _fonts() -> Check:
    if not shutil.which("fc-list"):
        return Check("fonts", False, "fontconfig is missing: install fontconfig and fonts-wqy-microhei",
                     needed=False)
    families = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True).stdout.lower()
    missing = [pkg for word, pkg in (("wenquanyi", "fonts-wqy-microhei"), ("emoji", "fonts-noto-color-emoji"),
                                     ("symbola", "fonts-symbola")) if word not in families]
    if missing:
        return Check("fonts", False, f"reports and pages lack fonts: install {' '.join(missing)}", needed=False)
    return Check("fonts", True, "CJK, emoji and chart symbol fonts for pages and PDF reports")


def _java() -> Check:
    if importlib.util.find_spec("pyspark") is None:
        return Check("Spark", True, "not installed (optional: pip install 'wildtrace[spark]')", needed=False)
    java = shutil.which("java") or (Path(os.environ["JAVA_HOME"]) / "bin" / "java" if "JAVA_HOME" in os.environ
                                    else None)
    if not java:
        return Check("Spark", False, "pyspark is installed but Java is not: install openjdk-17-jre-headless",
                     needed=False)
    return Check("Spark", True, f"pyspark with Java at {java}")


def doctor(settings: Settings) -> list[Check]:
    """Every check of the installation of ``settings``."""
    return [_store(settings), _writable(settings), *(_key(settings, name) for name in KEYS), _ocr(), _fonts(),
            _java()]
