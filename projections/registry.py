"""One read model per municipality, opened on first use; and which municipalities a store holds."""

import threading

import psycopg

from events.store import StoreUrl
from projections.read_model import ReadModel

_EVENTS_SUFFIX = ".events.sqlite"


def municipalities(store: StoreUrl) -> list[str]:
    """Every municipality with a log in this store (in every database it is sharded over), by
    name; a log left in a database that is not the municipality's shard is not counted."""
    if store.shards:
        found = {m for db in store.databases() for m in municipalities(db) if store.home(m) == db}
        return sorted(found)
    if store.backend == "sqlite":
        assert store.directory is not None
        if not store.directory.exists():
            return []
        return sorted(
            path.name.removesuffix(_EVENTS_SUFFIX)
            for path in store.directory.glob(f"*{_EVENTS_SUFFIX}")
        )
    assert store.server is not None
    with psycopg.connect(store.server.conninfo(), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT table_schema FROM information_schema.tables "
            "WHERE table_schema LIKE 'gemeente\\_%%' AND table_name = 'adviceledger_events'"
        ).fetchall()
    # Slugs never contain "_", so the schema name maps back without ambiguity.
    return sorted(row[0].removeprefix("gemeente_").replace("_", "-") for row in rows)


class ReadModels:
    """The read models of every municipality in one store."""

    def __init__(self, store: StoreUrl) -> None:
        self.store = store
        self._models: dict[str, ReadModel] = {}
        self._lock = threading.Lock()

    def __getitem__(self, municipality: str) -> ReadModel:
        model = self._models.get(municipality)  # every request asks: no lock once it is there
        if model is not None:
            return model
        with self._lock:
            model = self._models.get(municipality)
            if model is None:
                model = ReadModel(self.store.location(municipality))
                self._models[municipality] = model
            return model

    def municipalities(self) -> list[str]:
        return municipalities(self.store)

    def close_all(self) -> None:
        with self._lock:
            for model in self._models.values():
                model.close()
            self._models.clear()
