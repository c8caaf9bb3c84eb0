"""The demo data (data.json, sources in SOURCES.md): its records (records.py), read and checked
(reading.py), and put into a municipality's ledger through its commands (loader.py)."""

from api.demo.reading import DATA_FILE, read_demo
from api.demo.records import (
    Advice,
    Body,
    Decision,
    DemoError,
    Deviation,
    Dossier,
    Municipality,
    Promise,
    Response,
)

__all__ = [
    "DATA_FILE",
    "Advice",
    "Body",
    "Decision",
    "DemoError",
    "Deviation",
    "Dossier",
    "Municipality",
    "Promise",
    "Response",
    "read_demo",
]
