"""The one configured logger of WildTrace: lines for people, or JSON objects for a log collector."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

LOGGER_NAME = "wildtrace"
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "color_message"}
_ACCESS_FIELDS = ("client", "method", "path", "http_version", "status")


def get_logger(name: str | None = None) -> logging.Logger:
    """A child of the ``wildtrace`` logger, e.g. ``get_logger(__name__)``."""
    if name is None or name == LOGGER_NAME:
        return logging.getLogger(LOGGER_NAME)
    return logging.getLogger(name if name.startswith(LOGGER_NAME + ".") else f"{LOGGER_NAME}.{name}")


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, the record's extra fields; a web server's
    access records also get client, method, path, http_version and status as fields."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
                               "level": record.levelname, "logger": record.name, "pid": record.process,
                               "message": record.getMessage()}
        if record.name == "uvicorn.access" and isinstance(record.args, tuple) and len(record.args) == 5:
            out.update(zip(_ACCESS_FIELDS, record.args, strict=True))
        out.update({k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")})
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def formatter(fmt: str = "text") -> logging.Formatter:
    """The formatter of log format ``fmt`` ("text" or "json")."""
    if fmt == "json":
        return JsonFormatter()
    if fmt != "text":
        raise ValueError(f"log format {fmt!r}: use text or json")
    return logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A handler writing to whatever ``sys.stderr`` is when a record comes, not the stream it was when the
    handler was made: a caller that swaps stderr for a while (click's CliRunner, which closes its stream
    afterwards) would otherwise leave the handler writing to a closed file ("--- Logging error ---")."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        """The stream is always the current stderr."""


def configure_logging(level: str = "INFO", fmt: str = "text") -> None:
    """Send WildTrace's log records to stderr (as it is at each record) at ``level`` in format ``fmt``;
    idempotent."""
    logger = logging.getLogger(LOGGER_NAME)
    logger.setLevel(level.upper())
    if not logger.handlers:
        logger.addHandler(StderrHandler())
    for handler in logger.handlers:
        handler.setFormatter(formatter(fmt))
    logger.propagate = False


def server_log_config(level: str, fmt: str) -> dict[str, Any]:
    """uvicorn's ``log_config``: its own and its access records in the same format as WildTrace's."""
    factory = {"()": "wildtrace.log.formatter", "fmt": fmt}
    return {
        "version": 1, "disable_existing_loggers": False,
        "formatters": {"wildtrace": factory},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "wildtrace"}},
        "loggers": {name: {"handlers": ["stderr"], "level": level.upper(), "propagate": False}
                    for name in ("uvicorn", "uvicorn.error", "uvicorn.access")},
    }
