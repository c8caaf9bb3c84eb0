"""The proofs over HTTP: the public checkpoint, and inclusion and consistency proofs that the
library's own verifiers (what an auditor runs) accept."""

from base64 import b64decode
from typing import Any

from tests.e2e.conftest import Api, invalid_names, problem_of


def _make_checkpoint(api: Api) -> tuple[str, str]:
    """Sign the current tree with a fresh key; (the note, the public key)."""
    from api.http.app import SERVICES
    from ledger.integrity import SignerKey

    integrity = api.app[SERVICES].ledgers[api.municipality].integrity
    key = SignerKey.generate(integrity.origin)
    stored, _ = integrity.make_checkpoint(key)
    return stored.note, key.verifier().text()


def _stored_leaves(api: Api) -> list[bytes]:
    """Every leaf hash, recomputed from the stored events (not read from the tree)."""
    from api.http.app import SERVICES
    from ledger.tree import leaf_hash

    integrity = api.app[SERVICES].ledgers[api.municipality].integrity
    with integrity.transaction(False) as sql:
        return [leaf_hash(row) for row in sql.events(0, 10_000)]


async def _json(api: Api, path: str, token: str | None) -> dict[str, Any]:
    response = await api.get(path, token)
    body: dict[str, Any] = await response.json()
    assert response.status == 200, body
    return body


async def test_the_latest_checkpoint_is_public_and_verifies_with_the_logs_key(api: Api) -> None:
    from ledger.integrity import open_checkpoint

    body_id = await api.new_body()
    path = f"/controlepunten/laatste?gemeente={api.municipality}"
    await problem_of(await api.get(path), 404)
    await api.new_advice(body_id, answered=1)
    note, public_key = _make_checkpoint(api)

    answer = await _json(api, path, token=None)

    checkpoint, _ = open_checkpoint(answer["controlepunt"], [public_key])
    assert answer["controlepunt"] == note
    assert answer["grootte"] == checkpoint.size == 3
    assert b64decode(answer["wortel"]) == checkpoint.root
    assert answer["oorsprong"] == f"adviesspoor.nl/{api.municipality}"


async def test_a_checkpoint_of_an_unknown_municipality_is_404_and_one_must_be_named(
    api: Api,
) -> None:
    await problem_of(await api.get("/controlepunten/laatste?gemeente=nergenshuizen"), 404)
    problem = await problem_of(await api.get("/controlepunten/laatste"), 400)
    assert invalid_names(problem) == ["gemeente"]


async def test_every_inclusion_proof_verifies_against_the_signed_root(api: Api) -> None:
    from ledger.integrity import open_checkpoint, verify_inclusion

    body_id = await api.new_body()
    await api.new_advice(body_id, answered=2)
    await api.new_body("Wmo-platform")
    note, public_key = _make_checkpoint(api)
    checkpoint, _ = open_checkpoint(note, [public_key])
    leaves = _stored_leaves(api)
    auditor = api.as_("auditor")

    for position in range(1, checkpoint.size + 1):
        proof = await _json(
            api, f"/bewijzen/opname?positie={position}&grootte={checkpoint.size}", auditor
        )
        assert b64decode(proof["blad"]) == leaves[position - 1]
        assert b64decode(proof["wortel"]) == checkpoint.root
        path = [b64decode(value) for value in proof["bewijs"]]
        verify_inclusion(position - 1, checkpoint.size, leaves[position - 1], path, checkpoint.root)


async def test_a_consistency_proof_links_two_signed_checkpoints(api: Api) -> None:
    from api.http.app import SERVICES
    from ledger.integrity import SignerKey, check_consistency, open_checkpoint

    body_id = await api.new_body()
    old_note, public_key = _make_checkpoint(api)
    await api.new_advice(body_id, answered=2)
    await api.new_dossier()
    integrity = api.app[SERVICES].ledgers[api.municipality].integrity
    old, _ = open_checkpoint(old_note, [public_key])
    key = SignerKey.generate(integrity.origin)
    new, _ = open_checkpoint(integrity.make_checkpoint(key)[0].note, [key.verifier()])

    proof = await _json(
        api, f"/bewijzen/consistentie?van={old.size}&tot={new.size}", api.as_("auditor")
    )

    assert (proof["van"], proof["tot"]) == (1, 5)
    assert b64decode(proof["wortelVan"]) == old.root
    check_consistency(old, new, [b64decode(value) for value in proof["bewijs"]])


async def test_proofs_beyond_the_tree_are_invalid_input_naming_the_field(api: Api) -> None:
    await api.new_body()
    auditor = api.as_("auditor")

    beyond = await problem_of(await api.get("/bewijzen/opname?positie=2", auditor), 400)
    too_large = await problem_of(
        await api.get("/bewijzen/opname?positie=1&grootte=9", auditor), 400
    )
    backwards = await problem_of(await api.get("/bewijzen/consistentie?van=2&tot=1", auditor), 400)
    missing = await problem_of(await api.get("/bewijzen/consistentie", auditor), 400)

    assert invalid_names(beyond) == ["positie"]
    assert invalid_names(too_large) == ["grootte"]
    assert invalid_names(backwards) == ["van"]
    assert invalid_names(missing) == ["van"]
