"""`python -m integrity FILE` for an auditor's standalone copy of this package (see verifier.py)."""

from .verifier import main

raise SystemExit(main(prog=f"python -m {__package__}"))
