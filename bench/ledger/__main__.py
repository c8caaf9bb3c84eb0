"""`python -m bench.ledger` runs the write-side and log-read bench."""

from bench.ledger.run import main

if __name__ == "__main__":
    raise SystemExit(main())
