"""The knobs of the edges, in one place, read once from the environment when a command starts.

| setting | environment | default |
|---|---|---|
| the store | `ADVIESSPOOR_DATABASE_URL` | `sqlite:///./data` |
| server processes (`serve --workers`) | `ADVIESSPOOR_WORKERS` | the number of CPUs |
| worker threads per process (each with its own read connections) | `ADVIESSPOOR_THREADS` | 4 |
| read-your-writes wait before a 503 | `ADVIESSPOOR_READ_WAIT_SECONDS` | 5 |
| graceful stop after SIGTERM | `ADVIESSPOOR_SHUTDOWN_SECONDS` | 30 |
| largest request body | `ADVIESSPOOR_MAX_BODY` | 1 MiB |
| PostgreSQL pool per municipality | `ADVIESSPOOR_POOL_SIZE`, `ADVIESSPOOR_MAX_OVERFLOW` | 4, 4 |
| answers kept per process (answer_cache.py; 0: none) | `ADVIESSPOOR_ANSWER_CACHE` | 4096 |
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from events.store import DEFAULT_DATABASE_URL, StoreUrl, StoreUrlError

DATABASE_URL_SETTING: Final = "ADVIESSPOOR_DATABASE_URL"
MEBIBYTE: Final = 1024 * 1024


@dataclass(frozen=True)
class Settings:
    """What the server and the command line are tuned by."""

    database_url: str = DEFAULT_DATABASE_URL
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

        return cls(
            database_url=env.get(DATABASE_URL_SETTING) or DEFAULT_DATABASE_URL,
            workers=int(number("WORKERS", os.cpu_count() or 1)),
            threads=int(number("THREADS", 4)),
            read_wait_seconds=number("READ_WAIT_SECONDS", 5.0, float),
            shutdown_seconds=number("SHUTDOWN_SECONDS", 30.0, float),
            max_body=int(number("MAX_BODY", MEBIBYTE)),
            pool_size=int(number("POOL_SIZE", 1)),
            max_overflow=int(number("MAX_OVERFLOW", 4)),
            answer_cache=int(env.get("ADVIESSPOOR_ANSWER_CACHE") or 4096),
        )

    @property
    def store(self) -> StoreUrl:
        """The store the database setting names (`StoreUrlError` when it names none)."""
        return StoreUrl.parse(self.database_url, self.pool_size, self.max_overflow)
