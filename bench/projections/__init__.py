"""`python -m bench.projections`: the read side's figures (see bench/projections/run.py)."""
