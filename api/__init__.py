"""The edges to the world: HTTP API, pages and the `adviesspoor` command line."""
