"""`Idempotency-Key` on POST: the first 2xx answer is answered again for every equal repeat.

Scoped per token, method and path. The key is stored by the ledger in the same transaction as the
command's event (`AdviceLedger.once`), so a repeat finds it after a restart and after a crash at
any moment; the answer is rebuilt from the stored event (`api.http.recorded`), byte for byte the
first one. An equal JSON body (same values, key order aside) answers again and records nothing;
another body under the same key is 409. Errors are not kept, so a repeat after an error tries
again.
"""

import hashlib
import re
from typing import Any, Final

import orjson

from api.http.problems import InvalidParam, ProblemError, invalid
from ledger import IdempotencyKey, KeyRecord

HEADER: Final = "Idempotency-Key"
MAX_KEY_LENGTH: Final = 255
# Printable ASCII (as a structured-field string): a header aiohttp decoded from other bytes
# carries surrogate escapes, which no store can hold.
_KEY: Final = re.compile(r"[\x20-\x7e]+")


def request_hash(body: Any) -> str:
    """Equal JSON bodies hash alike, whatever the order of their keys or their whitespace."""
    return hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()


def key_for(token_id: str, method: str, path: str, key: str, body: Any) -> IdempotencyKey:
    """The ledger's key for this request: 400 for a key of the wrong length."""
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not _KEY.fullmatch(key):
        reason = (
            f"Een Idempotency-Key heeft 1 tot {MAX_KEY_LENGTH} zichtbare ASCII-tekens "
            "(letters, cijfers, leestekens of spaties)."
        )
        raise invalid([InvalidParam(HEADER, reason)])
    scope = hashlib.sha256("\0".join((token_id, method, path, key)).encode()).hexdigest()
    return IdempotencyKey(scope, request_hash(body))


def check_same_request(key: IdempotencyKey, found: KeyRecord) -> None:
    """A stored key answers again only for the same request; another body is 409."""
    if found.request_hash != key.request_hash:
        msg = "Deze Idempotency-Key is al gebruikt voor een verzoek met een andere inhoud."
        raise ProblemError(409, msg)
