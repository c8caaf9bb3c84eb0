"""Where a municipality's log lives: the naming shared by the writer and the readers; no I/O.

One setting, `ADVIESSPOOR_DATABASE_URL`, picks the store: `sqlite:///<directory>` (a file per
municipality in that directory) or `postgresql://user[:password]@host[:port]/db` (a schema per
municipality). The ledger writes through these names and the projections read through them.

On PostgreSQL the municipalities may be spread over several databases (shards, `ADVIESSPOOR_SHARDS`,
read by api/settings.py): a municipality named there lives in its shard's database, every other
one in the database of `ADVIESSPOOR_DATABASE_URL`, which also keeps what is not a municipality's
(tokens, signing keys). `StoreUrl.location` is the one place that choice is made
(docs/scaling.md).
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit

from psycopg.conninfo import make_conninfo

DEFAULT_DATABASE_URL = "sqlite:///./data"
# The schema of what is kept beside every municipality's log on PostgreSQL: tokens and the key
# tables of personal data (written by the ledger, read by the views).
SHARED_SCHEMA = "adviesspoor"
# Matched whole (`fullmatch`): with `$` a trailing newline would pass, and name another schema.
SLUG = re.compile(r"[a-z][a-z0-9-]{0,40}")
LEDGER_NAME = "AdviceLedger"
SQLITE_EVENTS_TABLE = "stored_events"
POSTGRES_EVENTS_TABLE = LEDGER_NAME.lower() + "_events"


class StoreUrlError(ValueError):
    """The database setting cannot be understood."""


def check_municipality(slug: str) -> str:
    """Municipality slugs name files and schemas, so they are kept to a safe alphabet."""
    if not SLUG.fullmatch(slug):
        msg = f"Ongeldige gemeente '{slug}': gebruik kleine letters, cijfers en '-'."
        raise StoreUrlError(msg)
    return slug


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    dbname: str
    user: str
    password: str
    # Connections each municipality's ledger (and views) keep in the library's pool, and how many
    # more while busy: with four kept open, a few servers holding a dozen municipalities used up
    # PostgreSQL's connections (docs/reliability.md).
    pool_size: int = 1
    max_overflow: int = 4

    def conninfo(self) -> str:
        """libpq's connection string, quoted by psycopg: a password with a space or a quote in
        it stays one value."""
        password = {"password": self.password} if self.password else {}
        return make_conninfo(
            "", host=self.host, port=self.port, dbname=self.dbname, user=self.user, **password
        )


@dataclass(frozen=True)
class LogLocation:
    """One municipality's event log and its read-side store."""

    municipality: str
    backend: Literal["sqlite", "postgresql"]
    directory: Path | None
    server: PostgresServer | None
    # Views being rebuilt live apart (their own file or schema) until they replace the current
    # ones whole, so a rebuild that fails leaves the current views serving.
    rebuilding: bool = False

    @property
    def events_file(self) -> Path:
        assert self.directory is not None
        return self.directory / f"{self.municipality}.events.sqlite"

    @property
    def views_file(self) -> Path:
        assert self.directory is not None
        part = "views-herbouw" if self.rebuilding else "views"
        return self.directory / f"{self.municipality}.{part}.sqlite"

    @property
    def views_schema(self) -> str:
        # No slug gives a schema name starting with "herbouw_": theirs all start "gemeente_".
        return "herbouw_" + self.schema if self.rebuilding else self.schema

    @property
    def keys_file(self) -> Path:
        """The key table of personal data (SQLite): beside the events, never in them."""
        assert self.directory is not None
        return self.directory / f"{self.municipality}.keys.sqlite"

    @property
    def schema(self) -> str:
        return "gemeente_" + self.municipality.replace("-", "_")

    @property
    def events_table(self) -> str:
        return SQLITE_EVENTS_TABLE if self.backend == "sqlite" else POSTGRES_EVENTS_TABLE


@dataclass(frozen=True)
class StoreUrl:
    """The parsed database setting: the default store, and the shards (municipality → the store
    its log lives in, each a `StoreUrl` without shards of its own) when there are any."""

    url: str
    backend: Literal["sqlite", "postgresql"]
    directory: Path | None = None
    server: PostgresServer | None = None
    shards: tuple[tuple[str, "StoreUrl"], ...] = ()

    @classmethod
    def parse(cls, url: str, pool_size: int = 1, max_overflow: int = 4) -> "StoreUrl":
        if url.startswith("sqlite:///"):
            directory = url.removeprefix("sqlite:///")
            if not directory:
                msg = "Geef bij sqlite:/// een map op, bijvoorbeeld sqlite:///./data."
                raise StoreUrlError(msg)
            return cls(url, "sqlite", directory=Path(directory))
        if url.startswith(("postgresql://", "postgres://")):
            parts = urlsplit(url)
            dbname = parts.path.lstrip("/")
            if not parts.hostname or not dbname:
                msg = "Gebruik postgresql://gebruiker@host:poort/database."
                raise StoreUrlError(msg)
            server = PostgresServer(
                host=parts.hostname,
                port=parts.port or 5432,
                dbname=dbname,
                user=unquote(parts.username or "postgres"),
                password=unquote(parts.password or ""),
                pool_size=pool_size,
                max_overflow=max_overflow,
            )
            return cls(url, "postgresql", server=server)
        msg = f"Onbekende database-instelling '{url}': gebruik sqlite:/// of postgresql://."
        raise StoreUrlError(msg)

    def with_shards(self, named: Iterable[tuple[str, str]], setting: str) -> "StoreUrl":
        """This store as the default, with each named municipality's log in the database of its
        URL. Shards are PostgreSQL databases, and so must the default be: it keeps the tokens
        and signing keys of every municipality. `setting` names the setting in messages."""
        pairs = list(named)
        if not pairs:
            return self.plain
        if self.server is None:
            msg = (
                f"{setting} kan alleen met PostgreSQL: zet ADVIESSPOOR_DATABASE_URL op "
                "postgresql://gebruiker@host:poort/database."
            )
            raise StoreUrlError(msg)
        databases = [self.plain]
        shards: list[tuple[str, StoreUrl]] = []
        for municipality, url in pairs:
            try:
                store = StoreUrl.parse(url, self.server.pool_size, self.server.max_overflow)
            except StoreUrlError as error:
                raise StoreUrlError(f"{setting}, gemeente {municipality}: {error}") from None
            if store.server is None:
                msg = (
                    f"{setting}, gemeente {municipality}: een shard is een postgresql://-database."
                )
                raise StoreUrlError(msg)
            # The same database under another spelling of its URL is one shard, not two.
            same = next((known for known in databases if known.server == store.server), None)
            if same is None:
                databases.append(store)
                same = store
            shards.append((municipality, same))
        return replace(self, shards=tuple(shards))

    @property
    def plain(self) -> "StoreUrl":
        """The default store alone, without the shards."""
        return replace(self, shards=()) if self.shards else self

    def home(self, municipality: str) -> "StoreUrl":
        """The store (without shards) that holds this municipality's log."""
        for name, store in self.shards:
            if name == municipality:
                return store
        return self.plain

    def databases(self) -> list["StoreUrl"]:
        """Every store logs live in: the default first, then each shard once."""
        found = [self.plain]
        for _, store in self.shards:
            if store not in found:
                found.append(store)
        return found

    def location(self, municipality: str) -> LogLocation:
        """Where the municipality's log and views live: in its shard, or the default store."""
        check_municipality(municipality)
        home = self.home(municipality)
        return LogLocation(municipality, home.backend, home.directory, home.server)


def library_settings(
    location: LogLocation, sqlite_file: Path | None = None, schema: str | None = None
) -> dict[str, str]:
    """The `eventsourcing` persistence settings for one store of a municipality: the given SQLite
    file, or the municipality's PostgreSQL schema (or `schema`). Shared by the ledger and the
    read models."""
    if location.backend == "sqlite":
        assert sqlite_file is not None, "a SQLite store needs its file"
        # The library switches on WAL and leaves `synchronous` at SQLite's FULL: durable commits.
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(sqlite_file),
            "SQLITE_LOCK_TIMEOUT": "10",
        }
    server = location.server
    assert server is not None
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": server.dbname,
        "POSTGRES_HOST": server.host,
        "POSTGRES_PORT": str(server.port),
        "POSTGRES_USER": server.user,
        "POSTGRES_PASSWORD": server.password,
        "POSTGRES_SCHEMA": schema or location.schema,
        "POSTGRES_POOL_SIZE": str(server.pool_size),
        "POSTGRES_MAX_OVERFLOW": str(server.max_overflow),
        "POSTGRES_LOCK_TIMEOUT": "10",
    }
