"""Pages for people (issue 10): server-rendered Dutch pages on the same ledger commands and read
models as the JSON API, styled with NL Design System CSS, without any script. Their routes join
the app through `setup_pages` (api/http/app.py)."""

from api.pages.setup import setup_pages

__all__ = ["setup_pages"]
