"""`python -m api` runs the `adviesspoor` command line."""

from api.cli.main import main

raise SystemExit(main())
