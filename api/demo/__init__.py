"""The demo data (data.json, sources in SOURCES.md): its records (records.py), read and checked
(reading.py), and put into a municipality's ledger through its commands (loader.py)."""

from api.demo.reading import read_demo
from api.demo.records import DemoError, Municipality

__all__ = ["DemoError", "Municipality", "read_demo"]
