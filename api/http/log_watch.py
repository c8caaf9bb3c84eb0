"""What the server does for the log's integrity: check the last leaves before it starts, and sign
a checkpoint every N events and every M minutes while it runs.

Settings (environment, read when the server starts):
`ADVIESSPOOR_CHECKPOINT_EVENTS` (default 1000): a new checkpoint once the log grew by this many
events since the latest; `ADVIESSPOOR_CHECKPOINT_MINUTES` (default 60): a new one once the latest
is this old and the log grew at all; `ADVIESSPOOR_VERIFY_AT_START` (default 10000): how many of the
last events get their leaves recomputed before the server starts (0: none). Only municipalities
with a signing key (`adviesspoor keys create`) get automatic checkpoints.
"""

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from aiohttp import web

from api.http.pipeline import Services
from api.logging import get_logger
from events.store import StoreUrl
from ledger import AdviceLedger
from ledger.signing_keys import SigningKeys
from ledger.tree import Progress, TreeError
from projections.registry import municipalities

EVENTS_SETTING: Final = "ADVIESSPOOR_CHECKPOINT_EVENTS"
MINUTES_SETTING: Final = "ADVIESSPOOR_CHECKPOINT_MINUTES"
VERIFY_SETTING: Final = "ADVIESSPOOR_VERIFY_AT_START"
POLL_SECONDS: Final = 5.0

log = get_logger("api.log_watch")


@dataclass(frozen=True)
class Settings:
    every_events: int
    every_minutes: float
    verify_at_start: int


def _number(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        msg = f"{name}={raw!r} is geen geheel getal van 0 of meer."
        raise ValueError(msg)
    return int(raw)


def settings() -> Settings:
    """The settings from the environment; ValueError (a Dutch sentence) when one is unusable."""
    events = _number(EVENTS_SETTING, 1000)
    minutes = _number(MINUTES_SETTING, 60)
    if events < 1 or minutes < 1:
        msg = f"{EVENTS_SETTING} en {MINUTES_SETTING} zijn minstens 1."
        raise ValueError(msg)
    return Settings(events, minutes, _number(VERIFY_SETTING, 10_000))


def check_at_start(
    store: StoreUrl, count: int, progress: Callable[[str], Progress] | None = None
) -> list[tuple[str, int]]:
    """Bring every log's tree up to date, then recompute its last `count` leaves and check the
    latest checkpoint's root against the stored nodes; (municipality, size) per log.

    Raises TreeError with the municipality in its message when a log does not match.
    """
    checked = []
    for municipality in municipalities(store):
        try:
            ledger = AdviceLedger(
                store.location(municipality),
                tree_progress=progress(municipality) if progress else None,
            )
            try:
                size = ledger.integrity.check_recent(count)
            finally:
                ledger.close()
        except TreeError as error:
            raise TreeError(f"de log van gemeente {municipality} klopt niet: {error}") from None
        except Exception:
            if municipality in municipalities(store):
                raise
            continue  # removed while we looked (a test's schema, say): nothing to check
        checked.append((municipality, size))
    return checked


def sign_due(services: Services, keys: SigningKeys, every: Settings, now: datetime) -> list[str]:
    """Sign a checkpoint of every log with a key that grew enough, or long enough ago."""
    made: list[str] = []
    signing = keys.municipalities()
    if not signing:
        return made
    known = set(municipalities(services.ledgers.store))
    for municipality in signing:
        if municipality not in known:
            continue
        integrity = services.ledgers[municipality].integrity
        size, latest = integrity.size(), integrity.latest_checkpoint()
        grown = size - (latest.size if latest else 0)
        if grown <= 0:
            continue
        age = now - datetime.fromisoformat(latest.created) if latest else None
        if (
            grown >= every.every_events
            or age is None
            or age >= timedelta(minutes=every.every_minutes)
        ):
            key = keys.signer(municipality)
            if key is not None:
                stored, new = integrity.make_checkpoint(key)
                if new:
                    made.append(municipality)
                    log.info("checkpoint_signed", municipality=municipality, size=stored.size)
    return made


async def _watch(services: Services, every: Settings) -> None:
    keys = SigningKeys(services.ledgers.store)
    while True:
        try:
            await services.run(lambda: sign_due(services, keys, every, datetime.now(tz=UTC)))
        except Exception as error:  # the next round tries again; the server goes on
            log.warning("checkpoint_failed", error=type(error).__name__, detail=str(error))
        await asyncio.sleep(POLL_SECONDS)


def setup(app: web.Application, services: Services) -> None:
    """Run the checkpoint watcher while the app runs (settings read now)."""
    every = settings()

    async def lifetime(_app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(_watch(services, every))
        yield
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    app.cleanup_ctx.append(lifetime)
