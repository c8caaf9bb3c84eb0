"""Patterns match whole strings: a trailing newline is never part of a name, id or number."""

import pytest


@pytest.mark.parametrize("slug", ["groningen\n", "groningen\n\n", "\ngroningen", "gronin\ngen"])
def test_a_municipality_with_a_newline_is_refused(slug: str) -> None:
    from events.store import StoreUrl, StoreUrlError

    with pytest.raises(StoreUrlError, match="Ongeldige gemeente"):
        StoreUrl.parse("sqlite:///./data").location(slug)


def test_a_proper_municipality_slug_names_its_own_schema_and_file() -> None:
    from events.store import StoreUrl

    location = StoreUrl.parse("postgresql://u@h/db").location("midden-groningen")

    assert location.schema == "gemeente_midden_groningen"


@pytest.mark.parametrize("given", ["abc\n", "a" * 129, "spatie erin", "nieuw\nregel"])
def test_a_request_id_that_is_not_wholly_sensible_is_replaced(given: str) -> None:
    from api.http.middleware import _REQUEST_ID

    assert _REQUEST_ID.fullmatch(given) is None


@pytest.mark.parametrize("given", ['"3"\n', '"²"', '"٣"', '"' + "9" * 19 + '"'])
def test_an_if_match_that_is_not_wholly_a_version_does_not_match(given: str) -> None:
    from api.http.pipeline import _ETAG

    assert _ETAG.fullmatch(given) is None
