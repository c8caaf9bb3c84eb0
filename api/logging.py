"""Structured logs: one JSON object per line on stderr (structlog); tokens are never logged."""

import asyncio
import atexit
import logging
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, BinaryIO, Final, TextIO

import orjson
import structlog
from structlog.typing import FilteringBoundLogger
from typeguard import typeguard_ignore


def _dumps(event: Any, **_options: Any) -> str:
    return orjson.dumps(event, default=str).decode()


def configure_logging(stream: TextIO | None = None, *, fast: bool = False) -> None:
    """JSON lines with an ISO 8601 UTC timestamp and the level; exceptions as structured data.

    `fast` (a server): bytes straight from orjson to stderr, and loggers cached on first use, so a
    request's line costs a few microseconds (structlog's own advice for speed). Tests capture logs
    by reconfiguring, which cached loggers would not see, so they leave it off.
    """
    global _request_line
    if fast:
        out = _buffered_stderr()
        _request_line = _writer(out)
        structlog.configure(
            processors=[*_processors(), structlog.processors.JSONRenderer(serializer=_bytes)],
            wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
            logger_factory=structlog.BytesLoggerFactory(file=out),
            cache_logger_on_first_use=True,
        )
        return
    _request_line = None
    structlog.configure(
        processors=[*_processors(), structlog.processors.JSONRenderer(serializer=_dumps)],
        logger_factory=structlog.PrintLoggerFactory(file=stream or sys.stderr),
        cache_logger_on_first_use=False,
    )


def _buffered_stderr() -> BinaryIO:
    """Stderr's file with a buffer of its own: `sys.stderr.buffer` is the unbuffered file itself
    under `PYTHONUNBUFFERED` (or `-u`), a `write` system call per line. Flushed at exit; every
    structlog line flushes it too, so lines stay in order (see `_writer`)."""
    try:
        descriptor = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is both
        return sys.stderr.buffer
    out = open(descriptor, "wb", buffering=1 << 16, closefd=False)  # noqa: SIM115 - kept open
    atexit.register(out.flush)
    return out


def _processors() -> list[Any]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        # Frame locals would carry request headers, the Bearer token among them: never shown.
        structlog.processors.ExceptionRenderer(
            structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
        ),
    ]


def _bytes(event: Any, **_options: Any) -> bytes:
    return orjson.dumps(event, default=str)


# One line per request (see request_line); None: through structlog, as every other line.
_request_line: Callable[[dict[str, Any]], None] | None = None
_LINE_OPTIONS: Final = orjson.OPT_UTC_Z | orjson.OPT_APPEND_NEWLINE


# How long a served request's line may wait in the buffer (see `_writer`).
FLUSH_SECONDS: Final = 0.2


def _writer(out: BinaryIO) -> Callable[[dict[str, Any]], None]:
    """Request lines into `out`'s buffer: one flush (a `write` system call) per request was a
    tenth of a cached GET's CPU. A line of a request answered below 400 reaches the file when the
    buffer fills, when any other line is logged (structlog flushes each of its lines, in order
    after these), or `FLUSH_SECONDS` after it was written, whichever comes first; a line of an
    error answer at once. A process killed outright loses at most that fraction of a second of
    successful requests' lines; nothing else is kept in them (the log of events is the record)."""
    pending = False

    def flush() -> None:
        nonlocal pending
        pending = False
        out.flush()

    def write(fields: dict[str, Any]) -> None:
        nonlocal pending
        fields["event"], fields["level"], fields["timestamp"] = "request", "info", datetime.now(UTC)
        out.write(orjson.dumps(fields, default=str, option=_LINE_OPTIONS))
        if fields.get("status", 500) >= 400:
            flush()
        elif not pending:
            try:
                asyncio.get_running_loop().call_later(FLUSH_SECONDS, flush)
            except RuntimeError:  # no event loop here: nothing would flush it later
                out.flush()
                return
            pending = True

    return write


def request_line(fields: dict[str, Any]) -> None:
    """The one line of each request: `fields` (which carry the request's context themselves).

    A server (`fast`) writes it as the very JSON structlog would (the same keys, the level and
    a UTC timestamp) in one orjson call, without structlog's processor chain: a quarter of the
    CPU of a cached answer went to that chain. Otherwise it goes through structlog, so a test
    that captures logs sees it.
    """
    if _request_line is not None:
        _request_line(fields)
    else:
        get_logger("api").info("request", **fields)


def ensure_logging() -> None:
    """Configure once, unless someone (a test capturing logs, say) already did."""
    if not structlog.is_configured():
        configure_logging()


# structlog hands out a lazy proxy that behaves as, but is not declared as, the protocol.
@typeguard_ignore
def get_logger(name: str) -> FilteringBoundLogger:
    logger: FilteringBoundLogger = structlog.get_logger(name)
    return logger
