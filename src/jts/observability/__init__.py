"""Logs, metrics and health."""

from jts.observability.logging import configure_logging

__all__ = ["configure_logging"]
