"""The log's signing keys (Ed25519, one per municipality), kept outside the event store.

Where: with `ADVIESSPOOR_KEY_DIR` set, the file `<dir>/<municipality>.signing.key` on either store;
otherwise, for SQLite, that file in the data directory, and for PostgreSQL a row of the table
`adviesspoor.signing_keys`. A key file is created with mode 0600 and never overwritten. The key
text is the C2SP signed-note private key `PRIVATE+KEY+<name>+<id>+<base64>`; its name is the log's
origin (`adviesspoor.nl/<municipality>`), the public key is derived from it.
"""

import os
from pathlib import Path
from typing import Final

import psycopg

from events.store import StoreUrl, check_municipality
from ledger.integrity import SignerKey, VerifierKey
from ledger.log_integrity import origin_of

KEY_DIR_SETTING: Final = "ADVIESSPOOR_KEY_DIR"
SUFFIX: Final = ".signing.key"
SCHEMA: Final = "adviesspoor"
_TABLE: Final = (
    f"CREATE TABLE IF NOT EXISTS {SCHEMA}.signing_keys (municipality TEXT PRIMARY KEY, "
    "private_key TEXT NOT NULL, created TIMESTAMPTZ NOT NULL DEFAULT now())"
)


class KeyExistsError(Exception):
    """The municipality has a signing key already; it is never replaced silently."""


class SigningKeys:
    """Create and read the signing keys of a store's municipalities."""

    def __init__(self, store: StoreUrl, key_dir: Path | None = None) -> None:
        self.store = store
        setting = os.environ.get(KEY_DIR_SETTING)
        self.key_dir = key_dir or (Path(setting) if setting else store.directory)
        self._prepared = False

    def where(self, municipality: str) -> str:
        """Where the key of a municipality is kept, for people to read."""
        if self.key_dir is not None:
            return str(self._file(municipality))
        return f"de tabel {SCHEMA}.signing_keys (gemeente {municipality})"

    def create(self, municipality: str) -> VerifierKey:
        """A new key for the municipality's log; KeyExistsError when it has one."""
        signer = SignerKey.generate(origin_of(check_municipality(municipality)))
        if self.key_dir is not None:
            path = self._file(municipality)
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                raise KeyExistsError(str(path)) from None
            with os.fdopen(handle, "w", encoding="ascii") as file:
                file.write(signer.text() + "\n")
            return signer.verifier()
        with self._postgres() as conn:
            cursor = conn.execute(
                f"INSERT INTO {SCHEMA}.signing_keys (municipality, private_key) VALUES (%s, %s) "  # noqa: S608 - a constant schema
                "ON CONFLICT (municipality) DO NOTHING",
                (municipality, signer.text()),
            )
            if cursor.rowcount != 1:
                raise KeyExistsError(self.where(municipality))
        return signer.verifier()

    def signer(self, municipality: str) -> SignerKey | None:
        """The municipality's private key, or None when it has none."""
        check_municipality(municipality)
        if self.key_dir is not None:
            try:
                text = self._file(municipality).read_text(encoding="ascii")
            except FileNotFoundError:
                return None
            return SignerKey.parse(text)
        with self._postgres() as conn:
            row = conn.execute(
                f"SELECT private_key FROM {SCHEMA}.signing_keys WHERE municipality = %s",  # noqa: S608 - a constant schema
                (municipality,),
            ).fetchone()
        return SignerKey.parse(row[0]) if row else None

    def public(self, municipality: str) -> VerifierKey | None:
        signer = self.signer(municipality)
        return signer.verifier() if signer else None

    def municipalities(self) -> list[str]:
        """The municipalities that have a signing key."""
        if self.key_dir is not None:
            if not self.key_dir.is_dir():
                return []
            names = (path.name.removesuffix(SUFFIX) for path in self.key_dir.glob("*" + SUFFIX))
            return sorted(names)
        with self._postgres() as conn:
            rows = conn.execute(f"SELECT municipality FROM {SCHEMA}.signing_keys").fetchall()  # noqa: S608 - a constant schema
        return sorted(row[0] for row in rows)

    def _file(self, municipality: str) -> Path:
        assert self.key_dir is not None
        return self.key_dir / f"{check_municipality(municipality)}{SUFFIX}"

    def _postgres(self) -> psycopg.Connection[tuple[str, ...]]:
        server = self.store.server
        assert server is not None
        conn: psycopg.Connection[tuple[str, ...]] = psycopg.connect(
            server.conninfo(), autocommit=True
        )
        if not self._prepared:
            with conn.transaction():
                # Two processes creating the schema or table at once would collide in the
                # catalog; the edge store (api/edge_store.py) creates the schema under this lock.
                conn.execute("SELECT pg_advisory_xact_lock(hashtext('adviesspoor.edge_store'))")
                conn.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
                conn.execute(_TABLE)
            self._prepared = True
        return conn
