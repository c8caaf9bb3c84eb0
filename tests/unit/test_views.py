"""The views at a business date, from folded documents: a besluit's afwijkingen answer points,
wederwoorden per point, the due date in force, late answers, the board, figures and search."""

from datetime import date
from itertools import count
from typing import Any

from projections import answers, fold, search, views
from projections.records import AdviceStatus, AdviceView

ADVICE, BODY, DECISION, DECISION_2 = "a-1", "b-1", "d-1", "d-2"
POSITIONS = count(1)


class Log:
    """A tiny log folded into documents, as the read model does."""

    def __init__(self) -> None:
        self.docs: dict[str, dict[str, Any]] = {}
        self.apply(BODY, "AdvisoryBodyRegistered", name="WIJ-raad", kind="client_council")
        self.docs[BODY]["response_term_days"] = 42

    def apply(self, record: str, event_type: str, **state: Any) -> None:
        version = {"DueDateMoved": 2, "RejoinderGiven": 2, "DecisionTaken": 2}.get(event_type)
        full = {"timestamp": "2025-01-01T10:00:00+00:00", "response_term_days": 42, **state}
        if version:
            full["class_version"] = version
        position = next(POSITIONS)
        self.docs[record] = fold.apply(self.docs.get(record), position, record, event_type, full)

    def submit(self, points: int = 3, on: str = "2025-01-01") -> None:
        self.apply(
            ADVICE,
            "AdviceSubmitted",
            body_id=BODY,
            title="Advies over mantelzorgers",
            submitted_on=on,
            solicited=True,
            points=[f"Punt {n} over mantelzorg" for n in range(1, points + 1)],
            dossier_id=None,
            request_id=None,
            reference=None,
            due_on="2025-02-12",
        )

    def respond(self, point: int, outcome: str = "followed", on: str = "2025-01-20") -> None:
        reasons = "Te duur." if outcome in ("not_followed", "partially_followed") else None
        self.apply(
            ADVICE,
            "ResponseRecorded",
            point=point,
            outcome=outcome,
            text="Reactie.",
            reasons=reasons,
            consequence=None,
            given_on=on,
            decision=None,
        )

    def decide(self, record: str, *points: int, outcome: str = "not_followed") -> None:
        self.apply(
            record,
            "DecisionTaken",
            dossier_id="x",
            title="Besluit",
            decided_on="2025-02-01",
            reference=None,
            advice_ids=[ADVICE],
            deviations=[
                {"advice_id": ADVICE, "point": p, "reasons": "Anders.", "outcome": outcome}
                for p in points
            ],
        )

    def rejoin(self, point: int | None, verdict: str = "satisfied") -> None:
        self.apply(
            ADVICE,
            "RejoinderGiven",
            point=point,
            verdict=verdict,
            text="Wederwoord.",
            given_on="2025-02-02",
            on_behalf=False,
        )

    def move(self, new_due_on: str, effective_on: str) -> None:
        self.apply(
            ADVICE,
            "DueDateMoved",
            previous_due_on="2025-02-12",
            new_due_on=new_due_on,
            reason="Uitstel.",
            effective_on=effective_on,
        )

    def view(self, on: str = "2025-03-01") -> "AdviceView":
        ctx = answers.context(self.docs.values())
        return views.advice_view(self.docs[ADVICE], date.fromisoformat(on), ctx)


def test_an_afwijking_answers_its_point_with_the_besluit_as_answer() -> None:
    log = Log()
    log.submit()
    log.respond(1)
    log.decide(DECISION, 2, 3, outcome="partially_followed")

    view = log.view()

    second = view["points"][1]
    assert (second["outcome"], second["reasons"], second["answered_on"], second["decision"]) == (
        "partially_followed",
        "Anders.",
        "2025-02-01",
        DECISION,
    )
    assert view["status"] == "answered"
    assert view["decisions"] == [DECISION]
    assert not view["overdue"]


def test_a_later_reactie_replaces_an_afwijking_and_an_afwijking_replaces_a_reactie() -> None:
    log = Log()
    log.submit()
    log.respond(1)
    log.decide(DECISION, 1, 2)
    log.respond(2, "followed", on="2025-02-05")

    points = log.view()["points"]

    assert [p["outcome"] for p in points[:2]] == ["not_followed", "followed"]
    assert points[0]["decision"] == DECISION
    assert points[1]["decision"] is None


def test_a_general_wederwoord_never_overwrites_a_points_own() -> None:
    log = Log()
    log.submit()
    log.respond(1)
    log.respond(2)
    log.rejoin(1, "not_satisfied")
    log.rejoin(None, "satisfied")

    points = log.view()["points"]

    first, second = points[0]["rejoinder"], points[1]["rejoinder"]
    assert first is not None
    assert second is not None
    assert first["verdict"] == "not_satisfied"
    assert [r["verdict"] for r in points[0]["rejoinders"]] == ["not_satisfied"]
    assert second["verdict"] == "satisfied"
    assert points[2]["rejoinders"] == []  # not answered when the general one came


def test_an_ontevreden_wederwoord_stays_on_the_board_until_a_newer_reactie() -> None:
    log = Log()
    log.submit(points=1)
    log.respond(1)
    log.rejoin(1, "not_satisfied")
    before = views.follow_up_board([log.view()])
    log.respond(1, "followed", on="2025-02-10")
    after = views.follow_up_board([log.view()])

    assert ("rejoinder_unsatisfied") in [i["reason"] for i in before]
    assert "rejoinder_unsatisfied" not in [i["reason"] for i in after]
    assert "response_without_rejoinder" in [i["reason"] for i in after]


def test_a_late_extension_never_erases_that_a_point_was_overdue_before_it() -> None:
    log = Log()
    log.submit(points=1)
    log.move("2025-04-01", effective_on="2025-03-01")

    before = log.view(on="2025-02-20")
    from_then = log.view(on="2025-03-01")

    assert (before["due_on"], before["overdue"]) == ("2025-02-12", True)
    assert (from_then["due_on"], from_then["overdue"]) == ("2025-04-01", False)


def test_an_answer_after_the_due_date_then_in_force_is_late() -> None:
    log = Log()
    log.submit(points=2)
    log.respond(1, on="2025-02-20")  # after 12 February, before the extension took effect
    log.move("2025-04-01", effective_on="2025-03-01")
    log.respond(2, on="2025-03-05")  # after 12 February, but the extension holds then

    points = log.view(on="2025-03-10")["points"]
    figures = views.statistics([log.view(on="2025-03-10")])

    assert [p["late"] for p in points] == [True, False]
    assert figures["late"] == 1


def test_ties_between_term_changes_of_one_day_go_to_the_later_recorded() -> None:
    log = Log()
    log.submit(points=1)
    log.move("2025-04-01", effective_on="2025-02-01")
    log.move("2025-03-01", effective_on="2025-02-01")

    assert log.view(on="2025-02-01")["due_on"] == "2025-03-01"


def test_the_median_is_a_number_with_one_decimal_at_most() -> None:
    assert views.median([40, 45, 50]) == 45
    assert isinstance(views.median([44, 46]), int)
    assert views.median([44, 45]) == 44.5
    assert views.median([]) is None


def test_the_table_has_a_row_per_body_and_year_sorted_by_name_then_year() -> None:
    def advice(body: str, name: str, year: int) -> AdviceView:
        return AdviceView(
            id=f"{body}-{year}",
            body_id=body,
            body_name=name,
            dossier_id=None,
            dossier_title=None,
            request_id=None,
            title="Advies",
            reference=None,
            submitted_on=f"{year}-05-01",
            solicited=False,
            status=AdviceStatus.OPEN,
            due_on=f"{year}-06-12",
            original_due_on=f"{year}-06-12",
            due_date_moves=[],
            overdue=False,
            withdrawal=None,
            decisions=[],
            version=1,
            created_at=f"{year}-05-01T10:00:00.000000Z",
            updated_at=f"{year}-05-01T10:00:00.000000Z",
            points=[],
        )

    rows = views.statistics_table(
        [
            advice("z", "Wmo-platform", 2014),
            advice("w", "WIJ-raad", 2016),
            advice("w", "WIJ-raad", 2013),
            advice("z", "Wmo-platform", 2013),
        ],
        first_year=2013,
        last_year=2014,
    )

    assert [(r["body_name"], r["year"]) for r in rows] == [
        ("WIJ-raad", 2013),
        ("Wmo-platform", 2013),
        ("Wmo-platform", 2014),
    ]


def test_dutch_search_finds_word_forms() -> None:
    log = Log()
    log.submit(points=2)
    log.decide(DECISION_2, 2)
    docs = list(log.docs.values())

    assert search.matching("mantelzorger", docs) == {(ADVICE, 1), (ADVICE, 2)}
    assert search.matching("Mantelzorgers punt 2", docs) == {(ADVICE, 2)}
    assert search.matching("anders", docs) == {(ADVICE, 2)}
    assert search.matching("wachtlijst", docs) == set()
    assert search.fts_query("Mantelzorgers!") == '"mantelzorger"'
