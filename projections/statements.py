"""How the views' writers talk to either database: the cursor they need, `executemany` that
skips an empty batch, and rows found by a list of ids."""

from collections.abc import Sequence
from typing import Any, Protocol

from projections.tables import Row, ViewTables


class Cursor(Protocol):
    def execute(self, query: Any, params: Any = ..., /) -> Any: ...
    def executemany(self, query: Any, params_seq: Any, /) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def fetchone(self) -> Any: ...


def many(cursor: Cursor, statement: str, rows: list[Any]) -> None:
    """`executemany`, unless there is nothing to do: a catch-up has mostly nothing for most
    statements, and an empty `executemany` still prepares and runs its statement."""
    if rows:
        cursor.executemany(statement, rows)


def rows_of(tables: ViewTables, cursor: Cursor, select: str, ids: Sequence[str]) -> list[Row]:
    """The rows a `select` (with `{marks}` for the ids) finds for these documents."""
    found: list[Row] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        # Only "?" marks are interpolated; the ids travel as parameters.
        cursor.execute(tables.sql(select.replace("{marks}", ",".join("?" * len(chunk)))), chunk)
        found.extend(tuple(row) for row in cursor.fetchall())
    return found
