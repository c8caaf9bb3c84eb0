"""`python -m api` runs the `adviesspoor` command line."""

from api.cli.main import main

# Guarded: `serve --workers` starts its processes afresh, and they import this module again.
if __name__ == "__main__":
    raise SystemExit(main())
