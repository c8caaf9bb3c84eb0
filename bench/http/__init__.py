"""`python -m bench.http`: the HTTP API under load (see bench/http/run.py)."""
