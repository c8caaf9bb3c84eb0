"""`python -m api` runs the `adviesspoor` command line."""

from api.cli import main

raise SystemExit(main())
