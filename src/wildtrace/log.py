"""The one configured logger of WildTrace."""

from __future__ import annotations

import logging

LOGGER_NAME = "wildtrace"


def get_logger(name: str | None = None) -> logging.Logger:
    """A child of the ``wildtrace`` logger, e.g. ``get_logger(__name__)``."""
    if name is None or name == LOGGER_NAME:
        return logging.getLogger(LOGGER_NAME)
    return logging.getLogger(name if name.startswith(LOGGER_NAME + ".") else f"{LOGGER_NAME}.{name}")


def configure_logging(level: str = "INFO") -> None:
    """Send WildTrace's log records to stderr at ``level``; idempotent."""
    logger = logging.getLogger(LOGGER_NAME)
    logger.setLevel(level.upper())
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
    logger.propagate = False
