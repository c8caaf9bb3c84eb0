"""The verifiable history over HTTP: the latest signed checkpoint (public, to publish) and the
inclusion and consistency proofs of the log's Merkle tree (auditors only), from the ledger's own
store (ledger/log_integrity.py). Hashes are base64, as in a checkpoint; docs/verification.md says
how to check them."""

from base64 import b64encode
from collections.abc import Callable
from typing import Any, Final, TypeVar

from aiohttp import web

from api.middlewares import Call, Route, json_response
from api.problems import InvalidParam, ProblemError, invalid
from api.schemas import LARGEST_QUERY_INTEGER, MOMENT, NamedSchema, Schema, named
from events import Role
from events.store import SLUG
from ledger.integrity import read_checkpoint
from ledger.log_integrity import LogIntegrity, SizeError
from projections.registry import municipalities

T = TypeVar("T")
AUDITORS: Final = frozenset({Role.AUDITOR})
HASH: Final[Schema] = {
    "type": "string",
    "contentEncoding": "base64",
    "description": "Een SHA-256-hash van 32 bytes, in base64.",
    "examples": ["2twoSi79aj1pwZWo6KVMZAlisOkh5BV18x/GE3rpX2g="],
}
PATH: Final[Schema] = {
    "type": "array",
    "items": HASH,
    "description": "De hashes van het bewijs, in de volgorde van RFC 9162.",
}
SIZE: Final[Schema] = {"type": "integer", "minimum": 0, "description": "Aantal gebeurtenissen."}


def _integer(description: str, minimum: int, required: bool = False) -> Schema:
    schema: dict[str, Any] = {
        "type": "integer",
        "minimum": minimum,
        "maximum": LARGEST_QUERY_INTEGER,
        "description": description,
    }
    if required:
        schema["x-required"] = True
    return schema


def _object(name: str, properties: dict[str, Schema]) -> NamedSchema:
    return named(
        name,
        {
            "type": "object",
            "required": list(properties),
            "properties": properties,
            "additionalProperties": False,
        },
    )


CHECKPOINT: Final = _object(
    "Controlepunt",
    {
        "gemeente": {"type": "string"},
        "oorsprong": {"type": "string", "description": "De naam van de log in het controlepunt."},
        "grootte": SIZE,
        "wortel": {**HASH, "description": "De wortel van de boom van die grootte (base64)."},
        "controlepunt": {
            "type": "string",
            "description": "Het ondertekende controlepunt (C2SP signed note), precies zoals "
            "`adviesspoor verify --checkpoint` het leest.",
        },
        "gemaaktOp": MOMENT,
    },
)
INCLUSION: Final = _object(
    "Opnamebewijs",
    {
        "positie": {"type": "integer", "minimum": 1},
        "grootte": SIZE,
        "blad": {**HASH, "description": "De bladhash van de gebeurtenis (base64)."},
        "wortel": HASH,
        "bewijs": PATH,
    },
)
CONSISTENCY: Final = _object(
    "Consistentiebewijs",
    {
        "van": SIZE,
        "tot": SIZE,
        "wortelVan": HASH,
        "wortelTot": HASH,
        "bewijs": PATH,
    },
)


def _base64(value: bytes) -> str:
    return b64encode(value).decode()


async def _integrity(call: Call, municipality: str, work: Callable[[LogIntegrity], T]) -> T:
    ledgers = call.services.ledgers
    try:
        return await call.run(lambda: work(ledgers[municipality].integrity))
    except SizeError as error:
        raise invalid([InvalidParam(error.field, error.message)]) from None


async def latest_checkpoint(call: Call) -> web.Response:
    municipality = call.query.get("gemeente")
    if municipality is None:
        raise invalid([InvalidParam("gemeente", "Noem de gemeente, bijvoorbeeld groningen.")])
    known = await call.run(lambda: municipalities(call.services.ledgers.store))
    if municipality not in known:
        raise ProblemError(404, f"Er is geen log van gemeente '{municipality}'.")
    stored = await _integrity(call, municipality, LogIntegrity.latest_checkpoint)
    if stored is None:
        raise ProblemError(404, f"Gemeente {municipality} heeft nog geen controlepunt.")
    return json_response(
        {
            "gemeente": municipality,
            "oorsprong": read_checkpoint(stored.note).origin,
            "grootte": stored.size,
            "wortel": _base64(stored.root),
            "controlepunt": stored.note,
            "gemaaktOp": stored.created,
        }
    )


async def inclusion_proof(call: Call) -> web.Response:
    position, size = call.query.get("positie"), call.query.get("grootte")
    if position is None:
        raise invalid([InvalidParam("positie", "Noem de positie van de gebeurtenis.")])
    proof = await _integrity(
        call, call.caller.municipality, lambda log: log.inclusion(position, size)
    )
    return json_response(
        {
            "positie": proof.position,
            "grootte": proof.size,
            "blad": _base64(proof.leaf_hash),
            "wortel": _base64(proof.root),
            "bewijs": [_base64(value) for value in proof.path],
        }
    )


async def consistency_proof(call: Call) -> web.Response:
    old, new = call.query.get("van"), call.query.get("tot")
    if old is None:
        raise invalid([InvalidParam("van", "Noem de oudere grootte van de boom.")])
    proof = await _integrity(call, call.caller.municipality, lambda log: log.consistency(old, new))
    return json_response(
        {
            "van": proof.old_size,
            "tot": proof.new_size,
            "wortelVan": _base64(proof.old_root),
            "wortelTot": _base64(proof.new_root),
            "bewijs": [_base64(value) for value in proof.path],
        }
    )


ROUTES: Final = [
    Route(
        "GET",
        "/controlepunten/laatste",
        latest_checkpoint,
        operation_id="haalLaatsteControlepunt",
        summary="Het laatste ondertekende controlepunt van de log van een gemeente",
        tag="controlepunten",
        roles=None,
        query={
            "gemeente": {
                "type": "string",
                "pattern": f"^{SLUG.pattern}$",
                "description": "De gemeente (slug), bijvoorbeeld groningen. Verplicht.",
                "x-required": True,
            }
        },
        response=CHECKPOINT,
        errors=frozenset({404}),
        description="Openbaar, zonder token: om op de site van de gemeente te publiceren en met "
        "`adviesspoor verify --checkpoint` te gebruiken. 404 als de gemeente geen log of nog "
        "geen controlepunt heeft.",
    ),
    Route(
        "GET",
        "/bewijzen/opname",
        inclusion_proof,
        operation_id="haalOpnamebewijs",
        summary="Het bewijs dat een gebeurtenis in de boom van een grootte zit (RFC 9162 §2.1.3)",
        tag="bewijzen",
        roles=AUDITORS,
        query={
            "positie": _integer("De positie van de gebeurtenis (verplicht).", 1, required=True),
            "grootte": _integer("De grootte van de boom (standaard: de huidige).", 1),
        },
        response=INCLUSION,
        description="Het audit path van blad positie − 1 in de boom van `grootte` "
        "gebeurtenissen; 400 als de positie of grootte buiten de boom valt.",
    ),
    Route(
        "GET",
        "/bewijzen/consistentie",
        consistency_proof,
        operation_id="haalConsistentiebewijs",
        summary="Het bewijs dat de boom van grootte van een begin is van die van grootte tot "
        "(RFC 9162 §2.1.4)",
        tag="bewijzen",
        roles=AUDITORS,
        query={
            "van": _integer("De oudere grootte (verplicht).", 0, required=True),
            "tot": _integer("De nieuwere grootte (standaard: de huidige).", 0),
        },
        response=CONSISTENCY,
        description="Met twee controlepunten: bewijst dat de log tussen die twee alleen "
        "gegroeid is. 400 als van > tot of tot groter dan de boom.",
    ),
]
