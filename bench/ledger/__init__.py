"""`python -m bench.ledger`: the write side and reading the log (see bench/ledger/run.py).

One module per part: `common.py` (the workload's words, figures, the report), `raw.py` (the raw
driver baselines), `workload.py` (advices submitted and answered), `measure.py` (the figures),
`run.py` (per store, and the command line). Other benches take the workload from here."""

from bench.ledger.common import (
    ACTOR,
    DEFAULT_POSTGRES_URL,
    EVENTS_PER_ADVICE,
    OUTCOMES,
    RESPONSE,
    SYNCHRONOUS,
    load,
)
from bench.ledger.raw import PostgresWriter, SqliteWriter
from bench.ledger.workload import register_body, run_commands, submitted_on

__all__ = [
    "ACTOR",
    "DEFAULT_POSTGRES_URL",
    "EVENTS_PER_ADVICE",
    "OUTCOMES",
    "RESPONSE",
    "SYNCHRONOUS",
    "PostgresWriter",
    "SqliteWriter",
    "load",
    "register_body",
    "run_commands",
    "submitted_on",
]
