"""`python -m bench.projections`: the read side's figures (see bench/projections/run.py).

`rebuild_vs_raw(events, quick=False)`: rebuild time over the raw read + decode pass of the same
log in the same run, for a `make bench` runner."""

from bench.projections.rebuilds import rebuild_vs_raw

__all__ = ["rebuild_vs_raw"]
