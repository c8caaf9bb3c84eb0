"""`python -m bench.http` runs the HTTP bench."""

from bench.http.run import main

if __name__ == "__main__":
    raise SystemExit(main())
