"""Sealed texts: opened only with their subject's key and in their own field."""

from typing import Any


def test_a_sealed_text_opens_with_its_key_in_its_field_only() -> None:
    from events.sealing import ERASED, new_key, seal, subject_of, unseal

    key, other = new_key(), new_key()
    sealed = seal("Jantje Zwartkop", key, "body-1", "name")

    assert "Zwartkop" not in sealed
    assert subject_of(sealed) == "body-1"
    assert unseal(sealed, {"body-1": key}, "name") == "Jantje Zwartkop"
    assert unseal(sealed, {"body-1": key}, "title") == ERASED  # moved to another field
    assert unseal(sealed, {"body-1": other}, "name") == ERASED  # another key
    assert unseal(sealed, {"body-1": None}, "name") == ERASED  # forgotten
    assert unseal(sealed, {}, "name") == ERASED
    assert seal("Jantje Zwartkop", key, "body-1", "name") != sealed  # a fresh nonce each time


def test_texts_that_are_not_sealed_are_left_as_they_are() -> None:
    from events.sealing import MARK, reveal, subject_of

    odd = MARK + "v1.niet-verzegeld"
    state: dict[str, Any] = {"name": "WIJ-raad", "odd": odd, "n": 3, "none": None}

    assert subject_of(odd) is None
    assert reveal(dict(state), {}) == state


def test_reveal_opens_nested_texts_and_lists_by_their_path() -> None:
    from events.sealing import new_key, reveal, seal, subjects_in

    body, actor = new_key(), new_key()
    state = {
        "meta": {"actor": seal("Karin", actor, "a-1", "meta.actor"), "role": "secretariat"},
        "points": [seal("Een.", body, "b-1", "points"), seal("Twee.", body, "b-1", "points")],
        "title": seal("Titel", body, "b-1", "title"),
    }

    assert subjects_in(state) == {"a-1", "b-1"}
    assert reveal(state, {"a-1": actor, "b-1": None}) == {
        "meta": {"actor": "Karin", "role": "secretariat"},
        "points": ["[verwijderd]", "[verwijderd]"],
        "title": "[verwijderd]",
    }
