"""`python -m bench.commands` runs the command bench."""

from bench.commands.run import main

if __name__ == "__main__":
    raise SystemExit(main())
