"""The request body of every POST, declared once: its Dutch fields and their rules (which give the
OpenAPI schema and the 400s), and the ledger command it asks for, with keyword arguments."""

from dataclasses import dataclass
from typing import Annotated, ClassVar
from uuid import UUID, uuid4

from pydantic import Field

from api.http.fields import Date, Id, LongText, Omittable, PointNumber, Reference, Request, Text
from api.http.words import DutchIn
from api.vocabulary import BODY_KINDS, OUTCOMES, VERDICTS
from events import BodyKind, Deviation, Outcome, Verdict
from ledger import Actor, AdviceLedger, Recorded
from ledger.bodies import DEFAULT_RESPONSE_TERM_DAYS

BodyKindWord = Annotated[BodyKind, DutchIn(BODY_KINDS)]
# `openstaand` is derived, never recorded: a reactie names one of the other outcomes.
RecordableOutcome = Annotated[
    Outcome,
    DutchIn(OUTCOMES, tuple(OUTCOMES.dutch(o) for o in Outcome if o is not Outcome.PENDING)),
]
# A deviation answers its point: not followed (the default) or partially followed.
DeviationOutcome = Annotated[
    Outcome, DutchIn(OUTCOMES, (OUTCOMES.dutch(Outcome.NOT_FOLLOWED), "deels_overgenomen"))
]
VerdictWord = Annotated[Verdict, DutchIn(VERDICTS)]


@dataclass(frozen=True)
class Target:
    """What the path names and the headers ask: the advice, a promise of it, its version."""

    actor: Actor
    advice_id: UUID | None = None
    promise_id: UUID | None = None
    expected_version: int | None = None

    @property
    def advice(self) -> UUID:
        assert self.advice_id is not None, "a route under /adviezen/{id}"
        return self.advice_id


class Command(Request):
    """A request body that records one fact through one ledger command."""

    # Where the ledger's word for a field is not the one API_FIELDS gives (api/http/problems.py).
    LEDGER_FIELDS: ClassVar[dict[str, str]] = {}

    def record(self, ledger: AdviceLedger, target: Target) -> Recorded:
        raise NotImplementedError


class NieuwAdviesorgaan(Command):
    naam: Text
    soort: BodyKindWord = Field(
        description="Soort adviesorgaan (`clientenraad`: een cliëntenraad)."
    )
    reactietermijn_dagen: int = Field(DEFAULT_RESPONSE_TERM_DAYS, ge=1, le=366)

    def record(self, ledger: AdviceLedger, target: Target) -> Recorded:
        return ledger.register_body(
            target.actor,
            name=self.naam,
            kind=self.soort,
            response_term_days=self.reactietermijn_dagen,
        )


class NieuwDossier(Command):
    titel: Text
    geopend_op: Date
    kenmerk: Omittable[Reference] = None
    portefeuillehouder: Omittable[Text] = None

    def record(self, ledger: AdviceLedger, target: Target) -> Recorded:
        return ledger.open_dossier(
            target.actor,
            title=self.titel,
            opened_on=self.geopend_op,
            reference=self.kenmerk,
            portfolio_holder=self.portefeuillehouder,
        )


class NieuweAdviesaanvraag(Command):
    dossier: Id
    adviesorgaan: Id
    vraag: LongText
    aangevraagd_op: Date
    uiterlijk_op: Date

    def record(self, ledger: AdviceLedger, target: Target) -> Recorded:
        return ledger.request_advice(
            target.actor,
            dossier_id=UUID(self.dossier),
            body_id=UUID(self.adviesorgaan),
            question=self.vraag,
            requested_on=self.aangevraagd_op,
            due_on=self.uiterlijk_op,
        )


class NieuwPunt(Request):
    tekst: LongText


class NieuwAdvies(Command):
    adviesorgaan: Id
    titel: Text
    uitgebracht_op: Date
    gevraagd: bool
    punten: list[NieuwPunt] = Field(min_length=1, max_length=1000)
    dossier: Omittable[Id] = None
    adviesaanvraag: Omittable[Id] = None
    kenmerk: Omittable[Reference] = None

    def record(self, ledger: AdviceLedger, target: Target) -> Recorded:
        return ledger.submit_advice(
            target.actor,
            body_id=UUID(self.adviesorgaan),
            title=self.titel,
            submitted_on=self.uitgebracht_op,
            solicited=self.gevraagd,
            points=[point.tekst for point in self.punten],
            dossier_id=UUID(self.dossier) if self.dossier else None,
            request_id=UUID(self.adviesaanvraag) if self.adviesaanvraag else None,
            reference=self.kenmerk,
        )


class NieuweReactie(Command):
    LEDGER_FIELDS: ClassVar[dict[str, str]] = {"text": "reactie"}

    punt: PointNumber
    uitkomst: RecordableOutcome
    reactie: LongText
    gegeven_op: Date
    motivering: Omittable[LongText] = None
    consequentie: Omittable[LongText] = None
    besluit: Omittable[Text] = None

    def record(self, ledger: AdviceLedger, target: Target) -> Recorded:
        return ledger.record_response(
            target.actor,
            advice_id=target.advice,
            point=self.punt,
            outcome=self.uitkomst,
            text=self.reactie,
            given_on=self.gegeven_op,
            reasons=self.motivering,
            consequence=self.consequentie,
            decision=self.besluit,
            expected_version=target.expected_version,
        )


class NieuweToezegging(Command):
    punt: PointNumber
    omschrijving: LongText
    uiterlijk_op: Date

    def record(self, ledger: AdviceLedger, target: Target) -> Recorded:
        return ledger.promise_follow_up(
            target.actor,
            advice_id=target.advice,
            point=self.punt,
            description=self.omschrijving,
            due_on=self.uiterlijk_op,
            promise_id=uuid4(),
            expected_version=target.expected_version,
        )


class NieuweNakoming(Command):
    nagekomen_op: Date
    toelichting: LongText

    def record(self, ledger: AdviceLedger, target: Target) -> Recorded:
        assert target.promise_id is not None, "a route with {toezeggingId}"
        return ledger.fulfil_promise(
            target.actor,
            advice_id=target.advice,
            promise_id=target.promise_id,
            fulfilled_on=self.nagekomen_op,
            note=self.toelichting,
            expected_version=target.expected_version,
        )


class NieuwWederwoord(Command):
    oordeel: VerdictWord
    tekst: LongText
    punt: Omittable[PointNumber] = None
    gegeven_op: Omittable[Date] = Field(
        None, description="Wanneer het adviesorgaan het wederwoord gaf (standaard vandaag)."
    )

    def record(self, ledger: AdviceLedger, target: Target) -> Recorded:
        return ledger.give_rejoinder(
            target.actor,
            advice_id=target.advice,
            verdict=self.oordeel,
            text=self.tekst,
            point=self.punt,
            given_on=self.gegeven_op,
            expected_version=target.expected_version,
        )


class NieuweTermijnwijziging(Command):
    nieuwe_datum: Date
    reden: LongText
    ingangsdatum: Omittable[Date] = Field(
        None, description="Vanaf deze datum geldt de nieuwe datum (standaard vandaag)."
    )

    def record(self, ledger: AdviceLedger, target: Target) -> Recorded:
        return ledger.move_due_date(
            target.actor,
            advice_id=target.advice,
            new_due_on=self.nieuwe_datum,
            reason=self.reden,
            effective_on=self.ingangsdatum,
            expected_version=target.expected_version,
        )


class NieuweIntrekking(Command):
    reden: LongText

    def record(self, ledger: AdviceLedger, target: Target) -> Recorded:
        return ledger.withdraw_advice(
            target.actor,
            advice_id=target.advice,
            reason=self.reden,
            expected_version=target.expected_version,
        )


class NieuweAfwijking(Request):
    advies: Id
    punt: PointNumber
    motivering: LongText
    uitkomst: DeviationOutcome = Field(
        Outcome.NOT_FOLLOWED, json_schema_extra={"default": OUTCOMES.dutch(Outcome.NOT_FOLLOWED)}
    )

    def deviation(self) -> Deviation:
        return Deviation(UUID(self.advies), self.punt, self.motivering, self.uitkomst)


class NieuwBesluit(Command):
    dossier: Id
    titel: Text
    besluitdatum: Date
    adviezen: list[Id] = Field(max_length=1000)
    kenmerk: Omittable[Reference] = None
    afwijkingen: list[NieuweAfwijking] = Field(default_factory=list, max_length=10000)

    def record(self, ledger: AdviceLedger, target: Target) -> Recorded:
        return ledger.take_decision(
            target.actor,
            dossier_id=UUID(self.dossier),
            title=self.titel,
            decided_on=self.besluitdatum,
            advice_ids=[UUID(advice) for advice in self.adviezen],
            reference=self.kenmerk,
            deviations=[item.deviation() for item in self.afwijkingen],
        )
