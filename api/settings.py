"""The knobs of the edges, in one place, read once from the environment when a command starts.

| setting | environment | default |
|---|---|---|
| the store | `ADVIESSPOOR_DATABASE_URL` | `sqlite:///./data` |
| shards: municipalities whose log is in another database | `ADVIESSPOOR_SHARDS` | none |
| server processes (`serve --workers`) | `ADVIESSPOOR_WORKERS` | the number of CPUs |
| worker threads per process (each with its own read connections) | `ADVIESSPOOR_THREADS` | 4 |
| read-your-writes wait before a 503 | `ADVIESSPOOR_READ_WAIT_SECONDS` | 5 |
| graceful stop after SIGTERM | `ADVIESSPOOR_SHUTDOWN_SECONDS` | 30 |
| largest request body | `ADVIESSPOOR_MAX_BODY` | 1 MiB |
| PostgreSQL pool per municipality | `ADVIESSPOOR_POOL_SIZE`, `ADVIESSPOOR_MAX_OVERFLOW` | 1, 4 |
| answers kept per process (answer_cache.py; 0: none) | `ADVIESSPOOR_ANSWER_CACHE` | 4096 |

`ADVIESSPOOR_SHARDS` is `gemeente=postgresql://…` pairs, separated by commas or new lines (a comma
in a password is written `%2C`), or `@<file>` with such pairs, one a line, `#` starting a comment
line. A municipality named there keeps its log (schema `gemeente_<slug>`, views, key table of
personal data) in that database; every other one in the `ADVIESSPOOR_DATABASE_URL` database, which
must then be PostgreSQL too and also keeps the tokens and signing keys. Every process (servers,
`adviesspoor project`, every command) must be given the same value (docs/scaling.md).
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from events.store import DEFAULT_DATABASE_URL, StoreUrl, StoreUrlError, check_municipality

DATABASE_URL_SETTING: Final = "ADVIESSPOOR_DATABASE_URL"
SHARDS_SETTING: Final = "ADVIESSPOOR_SHARDS"
MEBIBYTE: Final = 1024 * 1024


def parse_shards(raw: str) -> tuple[tuple[str, str], ...]:
    """The (municipality, database URL) pairs of `ADVIESSPOOR_SHARDS`; StoreUrlError, in Dutch,
    when the value cannot be understood. The URLs themselves are checked by `StoreUrl`."""
    text = raw.strip()
    source = SHARDS_SETTING
    if text.startswith("@"):
        path = Path(text.removeprefix("@").strip())
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            reason = getattr(error, "strerror", None) or str(error)
            msg = f"{SHARDS_SETTING}: het bestand {path} is niet te lezen ({reason})."
            raise StoreUrlError(msg) from None
        source = f"{SHARDS_SETTING} ({path})"
    lines = (line.strip() for line in text.splitlines())
    entries = [
        entry.strip()
        for line in lines
        if line and not line.startswith("#")
        for entry in line.split(",")
        if entry.strip()
    ]
    pairs: dict[str, str] = {}
    for entry in entries:
        municipality, equals, url = (part.strip() for part in entry.partition("="))
        if not equals or not municipality or not url:
            msg = (
                f"{source}: '{entry}' is geen paar gemeente=database; schrijf bijvoorbeeld "
                "groningen=postgresql://gebruiker@host:5432/shard1."
            )
            raise StoreUrlError(msg)
        try:
            check_municipality(municipality)
        except StoreUrlError as error:
            raise StoreUrlError(f"{source}: {error}") from None
        if municipality in pairs:
            msg = f"{source}: de gemeente {municipality} staat er meer dan eens in."
            raise StoreUrlError(msg)
        pairs[municipality] = url
    return tuple(pairs.items())


@dataclass(frozen=True)
class Settings:
    """What the server and the command line are tuned by."""

    database_url: str = DEFAULT_DATABASE_URL
    shards: tuple[tuple[str, str], ...] = ()
    workers: int = 1
    threads: int = 4
    read_wait_seconds: float = 5.0
    shutdown_seconds: float = 30.0
    max_body: int = MEBIBYTE
    pool_size: int = 1
    max_overflow: int = 4
    answer_cache: int = 4096

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if environ is None else environ

        def number(name: str, default: float, kind: type[int] | type[float] = int) -> float:
            raw = env.get(f"ADVIESSPOOR_{name}")
            if not raw:
                return default
            try:
                value = kind(raw)
            except ValueError:
                msg = f"ADVIESSPOOR_{name}='{raw}' is geen getal."
                raise StoreUrlError(msg) from None
            if value <= 0:
                raise StoreUrlError(f"ADVIESSPOOR_{name} moet groter dan 0 zijn.")
            return value

        settings = cls(
            database_url=env.get(DATABASE_URL_SETTING) or DEFAULT_DATABASE_URL,
            shards=parse_shards(env.get(SHARDS_SETTING) or ""),
            workers=int(number("WORKERS", os.cpu_count() or 1)),
            threads=int(number("THREADS", 4)),
            read_wait_seconds=number("READ_WAIT_SECONDS", 5.0, float),
            shutdown_seconds=number("SHUTDOWN_SECONDS", 30.0, float),
            max_body=int(number("MAX_BODY", MEBIBYTE)),
            pool_size=int(number("POOL_SIZE", 1)),
            max_overflow=int(number("MAX_OVERFLOW", 4)),
            answer_cache=int(env.get("ADVIESSPOOR_ANSWER_CACHE") or 4096),
        )
        if settings.shards:
            # Shards are checked whole at start (their URLs, a PostgreSQL default), not on the
            # first request for a municipality that lives in one.
            _ = settings.store
        return settings

    @property
    def store(self) -> StoreUrl:
        """The store the database setting names, with its shards (`StoreUrlError` when it names
        none, or a shard is not a PostgreSQL database)."""
        default = StoreUrl.parse(self.database_url, self.pool_size, self.max_overflow)
        return default.with_shards(self.shards, SHARDS_SETTING)
