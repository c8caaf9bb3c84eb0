"""Structured logs: one JSON object per line on stderr (structlog); tokens are never logged."""

import sys
from typing import Any, TextIO

import orjson
import structlog
from structlog.typing import FilteringBoundLogger
from typeguard import typeguard_ignore


def _dumps(event: Any, **_options: Any) -> str:
    return orjson.dumps(event, default=str).decode()


def configure_logging(stream: TextIO | None = None) -> None:
    """JSON lines with an ISO 8601 UTC timestamp and the level; exceptions as structured data."""
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            # Frame locals would carry request headers, the Bearer token among them: never shown.
            structlog.processors.ExceptionRenderer(
                structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
            ),
            structlog.processors.JSONRenderer(serializer=_dumps),
        ],
        logger_factory=structlog.PrintLoggerFactory(file=stream or sys.stderr),
        cache_logger_on_first_use=False,
    )


def ensure_logging() -> None:
    """Configure once, unless someone (a test capturing logs, say) already did."""
    if not structlog.is_configured():
        configure_logging()


# structlog hands out a lazy proxy that behaves as, but is not declared as, the protocol.
@typeguard_ignore
def get_logger(name: str) -> FilteringBoundLogger:
    logger: FilteringBoundLogger = structlog.get_logger(name)
    return logger
