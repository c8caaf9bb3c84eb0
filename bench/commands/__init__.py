"""`python -m bench.commands`: one command's CPU against the length of its history (issue 12).

One module per part: `grow.py` (the command, the advices, the measurement), `stores.py` (SQLite
without fsync, PostgreSQL), `run.py` (the report and the command line). `command_cpu_us(history,
store, quick)`: the warm median CPU µs of one length, for any other runner."""

from bench.commands.run import command_cpu_us

__all__ = ["command_cpu_us"]
