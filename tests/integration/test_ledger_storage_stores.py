"""What the stores guarantee: state after a restart, a log per municipality, durable settings."""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder

from events import BodyKind, Deviation, Outcome, Verdict
from events.store import StoreUrl
from ledger import Actor, AdviceLedger, Ledgers
from tests.integration.actors import administrator
from tests.integration.ledger_support import answer, ask, promise, submit


def state_of(aggregate: Aggregate) -> dict[str, Any]:
    """Everything an aggregate knows, except events still waiting to be saved."""
    return {k: v for k, v in vars(aggregate).items() if k != "_pending_events"}


def test_a_restarted_process_reconstructs_identical_state(
    ledgers: Ledgers,
    open_ledgers: Callable[[], Ledgers],
    municipality: str,
    office: Actor,
    member: Actor,
    body_id: UUID,
    dossier_id: UUID,
    advice_id: UUID,
    submitted_on: date,
    today: date,
) -> None:
    ledger = ledgers[municipality]
    short_term = ledger.register_body(
        administrator(), name="Stadadviseert", kind=BodyKind.ADVISORY_COUNCIL, response_term_days=30
    )
    request = ask(
        ledger, office, dossier_id, short_term.id, submitted_on, today + timedelta(days=5)
    )
    asked = submit(
        ledger,
        office,
        short_term.id,
        today,
        title="Gevraagd",
        solicited=True,
        points=["a", "b"],
        request_id=request.id,
    )
    answer(ledger, office, advice_id, submitted_on, outcome=Outcome.DEFERRED, text="Later.")
    answer(
        ledger,
        office,
        advice_id,
        today,
        outcome=Outcome.PARTIALLY_FOLLOWED,
        text="Deels.",
        reasons="Geld.",
    )
    answer(ledger, office, advice_id, today, point=2, consequence="Aangepast.")
    ledger.move_due_date(
        office, advice_id=advice_id, new_due_on=today + timedelta(days=60), reason="Zomerreces."
    )
    promise_id = uuid4()
    promise(ledger, office, advice_id, today, point=2, promise_id=promise_id)
    ledger.fulfil_promise(
        office, advice_id=advice_id, promise_id=promise_id, fulfilled_on=today, note="Verschenen."
    )
    ledger.give_rejoinder(
        member, advice_id=advice_id, verdict=Verdict.NOT_SATISFIED, text="Punt 1 te mager."
    )
    ledger.withdraw_advice(office, advice_id=asked.id, reason="Achterhaald.")
    decision = ledger.take_decision(
        office,
        dossier_id=dossier_id,
        title="Besluit",
        decided_on=today,
        advice_ids=[advice_id, asked.id],
        reference=None,
        deviations=[Deviation(advice_id, 3, "Nee.")],
    )
    ids = [body_id, short_term.id, dossier_id, request.id, asked.id, advice_id, decision.id]
    before = {i: state_of(ledger.repository.get(i)) for i in ids}
    last = ledger.last_position()

    ledgers.close_all()
    restarted = open_ledgers()[municipality]

    assert {i: state_of(restarted.repository.get(i)) for i in ids} == before
    assert restarted.last_position() == last
    assert before[advice_id]["points"][0].responses[0].outcome is Outcome.DEFERRED


def test_each_municipality_keeps_its_own_log(
    ledger: AdviceLedger, other_ledger: AdviceLedger, advice_id: UUID
) -> None:
    assert ledger.last_position() > 0

    assert other_ledger.last_position() == 0
    assert not other_ledger.exists(advice_id)
    assert ledger.exists(advice_id)


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_sqlite_event_store_writes_ahead_and_syncs_fully(ledger: AdviceLedger) -> None:
    recorder = ledger.recorder
    assert isinstance(recorder, SQLiteApplicationRecorder)

    with recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute("PRAGMA journal_mode")
        journal_mode = cursor.fetchone()[0]
        cursor.execute("PRAGMA synchronous")
        synchronous = cursor.fetchone()[0]

    assert (journal_mode, synchronous) == ("wal", 2)


@pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)
@pytest.mark.postgres
def test_postgres_event_store_commits_synchronously(ledger: AdviceLedger) -> None:
    recorder = ledger.recorder
    assert isinstance(recorder, PostgresApplicationRecorder)

    with recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute("SHOW synchronous_commit")
        row = cursor.fetchone()

    assert row is not None
    assert list(row.values()) == ["on"]


def test_each_store_parameter_really_writes_to_its_backend(
    store_url: StoreUrl, ledger: AdviceLedger
) -> None:
    recorders = {"sqlite": SQLiteApplicationRecorder, "postgresql": PostgresApplicationRecorder}

    recorder = ledger.recorder

    assert isinstance(recorder, recorders[store_url.backend])


@pytest.mark.postgres
def test_a_password_with_a_space_and_a_quote_reaches_the_server_whole(
    postgres_unreachable: str | None,
) -> None:
    import os
    import secrets
    from dataclasses import replace

    import psycopg
    from psycopg import sql

    from projections import ReadModel
    from tests.conftest import _postgres_url

    if postgres_unreachable is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI vereist PostgreSQL. {postgres_unreachable}", pytrace=False)
        pytest.skip(postgres_unreachable)
    given = StoreUrl.parse(_postgres_url())
    assert given.server is not None
    # The test server trusts local connections, so any password is accepted: what is tested is
    # that every connection string built from it still parses (the hand-made one broke here).
    store = replace(given, server=replace(given.server, password="met spatie en 'quote'"))
    municipality = "t" + secrets.token_hex(4)
    ledgers = Ledgers(store)
    try:
        ledgers[municipality].register_body(
            administrator(), name="WIJ-raad", kind=BodyKind.CLIENT_COUNCIL
        )
        model = ReadModel(store.location(municipality))
        try:
            assert model.ensure_current() == 1
        finally:
            model.close()
    finally:
        ledgers.close_all()
        with psycopg.connect(given.server.conninfo(), autocommit=True) as conn:
            schema = store.location(municipality).schema
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
