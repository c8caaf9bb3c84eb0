"""Time travel equals replay: at every prefix of a random history, the views as recorded up to
that moment equal the views a projection had when it had processed exactly that prefix, and agree
with the aggregates the ledger rebuilds from the same events."""

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.actors import administrator

if TYPE_CHECKING:
    from events.store import StoreUrl

Command = tuple[Any, ...]

OUTCOME_NAMES = ["followed", "partially_followed", "not_followed", "deferred", "noted"]

commands = st.lists(
    st.one_of(
        st.tuples(st.just("submit"), st.integers(1, 3), st.integers(0, 90), st.booleans()),
        st.tuples(
            st.just("respond"),
            st.integers(0, 3),
            st.integers(1, 3),
            st.sampled_from(OUTCOME_NAMES),
            st.integers(-5, 60),
            st.booleans(),
        ),
        st.tuples(st.just("move"), st.integers(0, 3), st.integers(-30, 30), st.integers(0, 60)),
        st.tuples(st.just("promise"), st.integers(0, 3), st.integers(1, 3), st.integers(0, 60)),
        st.tuples(st.just("fulfil"), st.integers(0, 3), st.integers(0, 2)),
        st.tuples(
            st.just("rejoin"),
            st.integers(0, 3),
            st.one_of(st.none(), st.integers(1, 3)),
            st.booleans(),
            st.booleans(),
        ),
        st.tuples(st.just("withdraw"), st.integers(0, 3)),
        st.tuples(st.just("decide"), st.integers(0, 60), st.booleans(), st.integers(0, 3)),
    ),
    min_size=1,
    max_size=16,
)


def _decide(
    ledger: Any, office: Any, dossier_id: UUID, on_dossier: list[UUID], today: date, args: Any
) -> None:
    """A decision on the dossier listing its advice, deviating from every pending point, and
    (sometimes) from one answered point too, which its deviation then answers anew."""
    from events import Deviation, Outcome

    days_ago, partly, extra = args
    listed = [a for a in on_dossier if not ledger.get_advice(a).withdrawn]
    outcome = Outcome.PARTIALLY_FOLLOWED if partly else Outcome.NOT_FOLLOWED
    deviations = [
        Deviation(a, n, "Anders besloten.", outcome)
        for a in listed
        for n in ledger.get_advice(a).pending_points(ledger.decided_points(a))
    ]
    if listed and extra:
        target = listed[extra % len(listed)]
        answered = ledger.get_advice(target).answered_points()
        if answered:
            deviations.append(Deviation(target, answered[0], "Toch niet.", outcome))
    ledger.take_decision(
        office,
        dossier_id=dossier_id,
        title="Besluit",
        decided_on=today - timedelta(days=days_ago),
        advice_ids=listed,
        deviations=deviations,
    )


def _run(
    ledger: Any, body_id: UUID, member: Any, office: Any, today: date, script: list[Command]
) -> list[UUID]:
    """Play the script through the ledger; refused commands record nothing and are skipped."""
    from events import Outcome, Verdict
    from ledger import LedgerError

    dossier_id = ledger.open_dossier(office, title="Nota", opened_on=today - timedelta(days=120)).id
    advice: list[UUID] = []
    on_dossier: list[UUID] = []
    promises: dict[UUID, list[UUID]] = {}
    for command in script:
        kind, *args = command
        if kind not in ("submit", "decide") and not advice:
            continue
        target: Any = advice[args[0] % len(advice)] if kind not in ("submit", "decide") else None
        try:
            if kind == "submit":
                points = [f"Punt {n}" for n in range(1, args[0] + 1)]
                recorded = ledger.submit_advice(
                    office,
                    body_id=body_id,
                    title="Advies over mantelzorgers",
                    submitted_on=today - timedelta(days=args[1]),
                    solicited=True,
                    points=points,
                    dossier_id=dossier_id if args[2] else None,
                )
                advice.append(recorded.id)
                if args[2]:
                    on_dossier.append(recorded.id)
            elif kind == "respond":
                _, point, outcome, offset, with_reasons = args
                submitted = ledger.get_advice(target).submitted_on
                ledger.record_response(
                    office,
                    advice_id=target,
                    point=point,
                    outcome=Outcome(outcome),
                    text="Reactie op de mantelzorg",
                    given_on=min(submitted + timedelta(days=offset), today),
                    reasons="Omdat het zo is." if with_reasons else None,
                )
            elif kind == "move":
                found = ledger.get_advice(target)
                effective = min(found.submitted_on + timedelta(days=args[2]), today)
                ledger.move_due_date(
                    office,
                    advice_id=target,
                    new_due_on=found.due_on_at(effective) + timedelta(days=args[1]),
                    reason="Uitstel",
                    effective_on=effective,
                )
            elif kind == "promise":
                submitted = ledger.get_advice(target).submitted_on
                recorded = ledger.promise_follow_up(
                    office,
                    advice_id=target,
                    point=args[1],
                    description="Toezegging",
                    due_on=submitted + timedelta(days=args[2]),
                )
                known = set(promises.setdefault(target, []))
                new = [p for p in ledger.get_advice(target).promises if p not in known]
                promises[target].extend(new)
            elif kind == "fulfil":
                own = promises.get(target, [])
                if own:
                    ledger.fulfil_promise(
                        office,
                        advice_id=target,
                        promise_id=own[args[1] % len(own)],
                        fulfilled_on=today,
                        note="Gedaan",
                    )
            elif kind == "rejoin":
                _, point, satisfied, by_office = args
                ledger.give_rejoinder(
                    office if by_office else member,
                    advice_id=target,
                    verdict=Verdict.SATISFIED if satisfied else Verdict.NOT_SATISFIED,
                    text="Dank",
                    point=point,
                )
            elif kind == "withdraw":
                ledger.withdraw_advice(member, advice_id=target, reason="Niet meer nodig")
            elif kind == "decide":
                _decide(ledger, office, dossier_id, on_dossier, today, args)
        except LedgerError:
            continue
    return advice


def _aggregate_summary(advice: Any, decided: frozenset[int], today: date) -> dict[str, Any]:
    answered = set(advice.answered_points(decided))
    return {
        "due_on": advice.due_on_at(today).isoformat(),
        "withdrawn": advice.withdrawn,
        "answered": [p.number in answered for p in advice.points],
        "responses": [len(p.responses) for p in advice.points],
        "fulfilled": sorted(
            (str(k), p.fulfilled_on.isoformat() if p.fulfilled_on else None)
            for k, p in advice.promises.items()
        ),
    }


def _view_summary(view: dict[str, Any]) -> dict[str, Any]:
    promises = [p for point in view["points"] for p in point["promises"]]
    return {
        "due_on": view["due_on"],
        "withdrawn": view["status"] == "withdrawn",
        "answered": [p["outcome"] != "pending" for p in view["points"]],
        "responses": [len(p["responses"]) for p in view["points"]],
        "fulfilled": sorted((p["id"], p["fulfilled_on"]) for p in promises),
    }


def _views(model: Any, body_id: str, today: date, advice_ids: list[UUID], upto: Any) -> Any:
    return {
        "advice": {str(a): model.advice(str(a), today, upto=upto) for a in advice_ids},
        "board": model.follow_up_board(body_id, today, upto=upto),
        "municipality board": model.follow_up_board(None, today, upto=upto),
        "stats": model.statistics(today, upto=upto),
        "table": model.statistics_table(today, upto=upto),
        "points": list(model.points(today, upto=upto)),
        "decisions": model.decisions(upto=upto),
        "found": model.search("mantelzorger", upto=upto),
    }


def _check_history(
    store_url: "StoreUrl", municipality: str, today: date, script: list[Command]
) -> None:
    from events import BodyKind, Role
    from ledger import Actor, Ledgers
    from projections import ReadModels
    from projections.fold import moment

    ledgers = Ledgers(store_url, today=lambda: today)
    models = ReadModels(store_url)
    try:
        ledger = ledgers[municipality]
        office = Actor("secretariaat", Role.SECRETARIAT, "req")
        body = ledger.register_body(
            administrator(),
            name="Wmo-platform",
            kind=BodyKind.ADVISORY_COUNCIL,
            response_term_days=30,
        )
        member = Actor("lid", Role.MEMBER, "req", body.id)
        advice_ids = _run(ledger, body.id, member, office, today, script)
        model = models[municipality]
        log = model.log.read(0, 10_000)

        # Walk the log one event at a time, as a projection stopped after every event would.
        snapshots: dict[int, dict[str, Any]] = {}
        for row in log:
            assert model.catch_up(upto=row.position) == row.position
            snapshots[row.position] = _views(model, str(body.id), today, advice_ids, None)

        for row in log:
            at = model.position_at(moment(row.state["timestamp"]))
            assert at == row.position
            travelled = _views(model, str(body.id), today, advice_ids, at)
            assert travelled == snapshots[row.position]
            for advice_id in advice_ids:
                version = sum(
                    1 for r in log if r.aggregate_id == str(advice_id) and r.position <= at
                )
                view = travelled["advice"][str(advice_id)]
                if version == 0:
                    assert view is None
                    continue
                replayed = ledger.get_advice(advice_id, version=version)
                decided = frozenset(
                    d["point"]
                    for r in log
                    if r.type == "DecisionTaken" and r.position <= at
                    for d in r.state["deviations"]
                    if d["advice_id"] == str(advice_id)
                )
                assert _view_summary(view) == _aggregate_summary(replayed, decided, today)
    finally:
        models.close_all()
        ledgers.close_all()


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(script=commands)
def test_views_recorded_up_to_any_moment_equal_a_replay_of_that_prefix(
    store_url: "StoreUrl", new_municipality: Any, today: date, script: list[Command]
) -> None:
    _check_history(store_url, new_municipality(), today, script)
