"""`python -m bench.projections` runs the read-side bench."""

from bench.projections.run import main

if __name__ == "__main__":
    raise SystemExit(main())
