"""The `adviesspoor` command line: one module per command group, `main` in `api.cli.main`."""
