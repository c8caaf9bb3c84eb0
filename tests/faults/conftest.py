"""Fault-proof fixtures: the PostgreSQL server to make databases on, skipped or failed as the
rest of the suite does (tests/conftest.py): skipped locally when unreachable, failed with CI set."""

import os

import pytest

from tests.faults.harness import postgres_url


@pytest.fixture(scope="session")
def postgres_base_url(postgres_unreachable: str | None) -> str:
    """The URL of the test server; each proof makes (and drops) a database of its own on it."""
    if postgres_unreachable is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI vereist PostgreSQL. {postgres_unreachable}", pytrace=False)
        pytest.skip(postgres_unreachable)
    return postgres_url()
