"""What every benchmark prints about where it ran: the machine, the versions, the file system."""

import os
import platform
import sqlite3
from importlib import metadata
from pathlib import Path

import psycopg


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> str:
    """CPUs, platform and the versions the figures depend on (psycopg's binding included)."""
    versions = ", ".join(
        f"{name} {metadata.version(name)}" for name in ("eventsourcing", "orjson", "psycopg")
    )
    versions += f" (libpq {psycopg.pq.version()}, {psycopg.pq.__impl__} binding)"
    return (
        f"{os.cpu_count()} CPUs ({cpu_model()}), {platform.platform()}, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, {versions}"
    )


def filesystem(path: Path) -> str:
    """The mount type under a path: fsync on tmpfs costs nothing, so it changes every figure."""
    try:
        mounts = [line.split()[1:3] for line in Path("/proc/mounts").read_text().splitlines()]
    except OSError:
        return "filesystem unknown"
    resolved = str(path.resolve())
    found = [m for m in mounts if resolved == m[0] or resolved.startswith(m[0].rstrip("/") + "/")]
    return max(found, key=lambda m: len(m[0]))[1] if found else "filesystem unknown"
