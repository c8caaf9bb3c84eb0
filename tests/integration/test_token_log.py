"""Who could act when: making and revoking a token is recorded in the municipality's log, covered
by the tree like every other event, and never with the token's secret."""

from events import BodyKind
from events.store import StoreUrl
from ledger import AdviceLedger
from projections.log import LogReader
from tests.integration.actors import administrator
from tests.integration.cli_support import Run


def _log(ledger: AdviceLedger) -> list[tuple[int, str, str, dict[str, object], bytes]]:
    """(position, type, record, state with its personal texts opened, stored bytes)."""
    reader = LogReader(ledger.location)
    try:
        rows = reader.read(0, 1000)
        stored = [state for *_, state in reader.raw(0, 1000)]
    finally:
        reader.close()
    return [
        (row.position, row.type, row.aggregate_id, row.state, state)
        for row, state in zip(rows, stored, strict=True)
    ]


def _token_id(adviesspoor: Run, name: str) -> str:
    listing = adviesspoor("token", "list").out.splitlines()[1:]
    return next(line.split("\t")[0] for line in listing if line.split("\t")[4] == name)


def test_making_and_revoking_a_token_are_events_of_the_municipality_without_the_secret(
    adviesspoor: Run, ledger: AdviceLedger
) -> None:
    body = ledger.register_body(administrator(), name="WIJ-raad", kind=BodyKind.CLIENT_COUNCIL).id
    municipality = ledger.municipality

    made = adviesspoor(
        "token", "create", "--gemeente", municipality, "--rol", "lid",
        "--adviesorgaan", str(body), "--naam", "Secretaris WIJ-raad",
    )  # fmt: skip
    token_id = _token_id(adviesspoor, "Secretaris WIJ-raad")
    revoked = adviesspoor("token", "revoke", token_id)

    assert made.code == 0, made.err
    assert revoked.code == 0, revoked.err
    secret = made.out.strip()
    events = _log(ledger)
    assert [(p, t) for p, t, *_ in events] == [
        (1, "AdvisoryBodyRegistered"),
        (2, "TokenIssued"),
        (3, "TokenRevoked"),
    ]
    _, _, record, issued, _ = events[1]
    assert record.replace("-", "") == token_id.replace("-", "")
    assert (issued["role"], issued["body_id"], issued["name"]) == (
        "member",
        str(body),
        "Secretaris WIJ-raad",
    )
    assert issued["meta"]["role"] == "system"  # type: ignore[index]
    assert str(issued["meta"]["actor"]).startswith("opdrachtregel (")  # type: ignore[index]
    assert events[2][2] == record
    assert not any(secret.encode() in stored for *_, stored in events)
    # The token's name is an actor's name: stored sealed, like every actor's name.
    assert not any(b"Secretaris" in stored for *_, stored in events)
    assert adviesspoor("verify", "--database", "--gemeente", municipality).code == 0


def test_revoking_a_token_made_before_tokens_were_logged_records_its_issue_first(
    adviesspoor: Run, ledger: AdviceLedger, store_url: StoreUrl
) -> None:
    from api.edge_store import EdgeStore
    from events import Role

    ledger.register_body(administrator(), name="Stadadviseert", kind=BodyKind.ADVISORY_COUNCIL)
    edge = EdgeStore(store_url)
    try:
        edge.prepare()
        record, _ = edge.create_token(ledger.municipality, Role.AUDITOR, None, "accountant")
    finally:
        edge.close()

    revoked = adviesspoor("token", "revoke", record.id)

    assert revoked.code == 0, revoked.err
    events = _log(ledger)
    assert [t for _, t, *_ in events] == ["AdvisoryBodyRegistered", "TokenIssued", "TokenRevoked"]
    issued = events[1][3]
    assert issued["name"] == "accountant"
    # When it was made, as the edge store knew it: before it was recorded.
    assert str(issued["issued_at"]) < str(issued["timestamp"])


def test_a_token_event_reads_in_the_contracts_words(adviesspoor: Run, ledger: AdviceLedger) -> None:
    from api.http.answers import Gebeurtenis
    from api.http.events import log_event

    adviesspoor("token", "create", "--gemeente", ledger.municipality, "--rol", "auditor")
    reader = LogReader(ledger.location)
    try:
        (row,) = reader.read(0, 10)
    finally:
        reader.close()

    item = Gebeurtenis.model_validate(log_event(row)).model_dump(by_alias=True, mode="json")

    assert item["type"] == "TokenUitgegeven"
    assert item["gegevens"]["rol"] == "auditor"
    assert item["gegevens"]["naam"] == "auditor"
    assert item["gegevens"]["adviesorgaan"] is None
    assert item["gegevens"]["uitgegevenOp"].endswith("Z")
