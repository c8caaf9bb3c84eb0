"""The verifiable history over HTTP: the latest signed checkpoint (public, to publish) and the
inclusion and consistency proofs of the log's Merkle tree (auditors only), from the ledger's own
store (ledger/log_integrity.py). Hashes are base64, as in a checkpoint; docs/verification.md says
how to check them. Each runs whole on a worker thread (see pipeline.py)."""

from base64 import b64encode
from collections.abc import Callable
from typing import Annotated, Final, TypeVar

from aiohttp import web
from pydantic import Field, StringConstraints

from api.http.fields import (
    LARGEST_QUERY_INTEGER,
    Answer,
    Count,
    Moment,
    Omittable,
    Position,
    Request,
)
from api.http.pipeline import Call, Route, json_response
from api.http.problems import InvalidParam, ProblemError, invalid
from events.store import SLUG
from ledger.integrity import read_checkpoint
from ledger.log_integrity import LogIntegrity, SizeError
from ledger.rules import LOG_READING_ROLES
from projections.registry import municipalities

T = TypeVar("T")
Hash = Annotated[
    str,
    Field(
        description="Een SHA-256-hash van 32 bytes, in base64.",
        json_schema_extra={
            "contentEncoding": "base64",
            "examples": ["2twoSi79aj1pwZWo6KVMZAlisOkh5BV18x/GE3rpX2g="],
        },
    ),
]
Path = Annotated[
    list[Hash], Field(description="De hashes van het bewijs, in de volgorde van RFC 9162.")
]
Size = Annotated[int, Field(ge=0, le=LARGEST_QUERY_INTEGER, description="Aantal gebeurtenissen.")]
Slug = Annotated[
    str,
    StringConstraints(pattern=f"^{SLUG.pattern}$"),
    Field(description="De gemeente (slug), bijvoorbeeld groningen."),
]


class CheckpointQuery(Request):
    gemeente: Slug


class InclusionQuery(Request):
    positie: Annotated[
        int, Field(ge=1, le=LARGEST_QUERY_INTEGER, description="De positie van de gebeurtenis.")
    ]
    grootte: Omittable[
        Annotated[
            int,
            Field(
                ge=1,
                le=LARGEST_QUERY_INTEGER,
                description="De grootte van de boom (standaard: nu).",
            ),
        ]
    ] = None


class ConsistencyQuery(Request):
    van: Annotated[Size, Field(description="De oudere grootte.")]
    tot: Omittable[Annotated[Size, Field(description="De nieuwere grootte (standaard: nu).")]] = (
        None
    )


class Controlepunt(Answer):
    gemeente: str
    oorsprong: str = Field(description="De naam van de log in het controlepunt.")
    grootte: Count
    wortel: Hash
    controlepunt: str = Field(
        description="Het ondertekende controlepunt (C2SP signed note), precies zoals "
        "`adviesspoor verify --checkpoint` het leest."
    )
    gemaakt_op: Moment


class Opnamebewijs(Answer):
    positie: Position
    grootte: Count
    blad: Hash
    wortel: Hash
    bewijs: Path


class Consistentiebewijs(Answer):
    van: Count
    tot: Count
    wortel_van: Hash
    wortel_tot: Hash
    bewijs: Path


def _base64(value: bytes) -> str:
    return b64encode(value).decode()


def _integrity(call: Call, municipality: str, work: Callable[[LogIntegrity], T]) -> T:
    try:
        return work(call.services.ledgers[municipality].integrity)
    except SizeError as error:
        raise invalid([InvalidParam(error.field, error.message)]) from None


def latest_checkpoint(call: Call) -> web.Response:
    municipality = call.query_as(CheckpointQuery).gemeente
    if municipality not in municipalities(call.services.ledgers.store):
        raise ProblemError(404, f"Er is geen log van gemeente '{municipality}'.")
    stored = _integrity(call, municipality, LogIntegrity.latest_checkpoint)
    if stored is None:
        raise ProblemError(404, f"Gemeente {municipality} heeft nog geen controlepunt.")
    answer = Controlepunt(
        gemeente=municipality,
        oorsprong=read_checkpoint(stored.note).origin,
        grootte=stored.size,
        wortel=_base64(stored.root),
        controlepunt=stored.note,
        gemaakt_op=stored.created,
    )
    return json_response(answer)


def inclusion_proof(call: Call) -> web.Response:
    query = call.query_as(InclusionQuery)
    proof = _integrity(
        call, call.caller.municipality, lambda log: log.inclusion(query.positie, query.grootte)
    )
    answer = Opnamebewijs(
        positie=proof.position,
        grootte=proof.size,
        blad=_base64(proof.leaf_hash),
        wortel=_base64(proof.root),
        bewijs=[_base64(value) for value in proof.path],
    )
    return json_response(answer)


def consistency_proof(call: Call) -> web.Response:
    query = call.query_as(ConsistencyQuery)
    proof = _integrity(
        call, call.caller.municipality, lambda log: log.consistency(query.van, query.tot)
    )
    answer = Consistentiebewijs(
        van=proof.old_size,
        tot=proof.new_size,
        wortel_van=_base64(proof.old_root),
        wortel_tot=_base64(proof.new_root),
        bewijs=[_base64(value) for value in proof.path],
    )
    return json_response(answer)


ROUTES: Final = [
    Route(
        "GET",
        "/controlepunten/laatste",
        operation_id="haalLaatsteControlepunt",
        summary="Het laatste ondertekende controlepunt van de log van een gemeente",
        tag="controlepunten",
        roles=None,
        work=latest_checkpoint,
        query=CheckpointQuery,
        response=Controlepunt,
        errors=frozenset({404}),
        description="Openbaar, zonder token: om op de site van de gemeente te publiceren en met "
        "`adviesspoor verify --checkpoint` te gebruiken. 404 als de gemeente geen log of nog "
        "geen controlepunt heeft.",
    ),
    Route(
        "GET",
        "/bewijzen/opname",
        operation_id="haalOpnamebewijs",
        summary="Het bewijs dat een gebeurtenis in de boom van een grootte zit (RFC 9162 §2.1.3)",
        tag="bewijzen",
        roles=LOG_READING_ROLES,
        work=inclusion_proof,
        query=InclusionQuery,
        response=Opnamebewijs,
        description="Het audit path van blad positie − 1 in de boom van `grootte` "
        "gebeurtenissen; 400 als de positie of grootte buiten de boom valt.",
    ),
    Route(
        "GET",
        "/bewijzen/consistentie",
        operation_id="haalConsistentiebewijs",
        summary="Het bewijs dat de boom van grootte van een begin is van die van grootte tot "
        "(RFC 9162 §2.1.4)",
        tag="bewijzen",
        roles=LOG_READING_ROLES,
        work=consistency_proof,
        query=ConsistencyQuery,
        response=Consistentiebewijs,
        description="Met twee controlepunten: bewijst dat de log tussen die twee alleen "
        "gegroeid is. 400 als van > tot of tot groter dan de boom.",
    ),
]
