"""`Idempotency-Key` on POST: the first 2xx answer is kept and replayed for every equal repeat.

Scoped per token, method and path. An equal JSON body (same values, key order aside) replays the
stored answer and records nothing; another body under the same key is 409. Errors are not kept,
so a repeat after an error tries again. The records are durable: a restart changes nothing.
"""

import hashlib
from collections.abc import Awaitable, Callable
from typing import Any, Final, TypeVar

import orjson
from aiohttp import web

from api.edge_store import Claim, EdgeStore, StoredResponse
from api.problems import InvalidParam, ProblemError, invalid

HEADER: Final = "Idempotency-Key"
MAX_KEY_LENGTH: Final = 255

T = TypeVar("T")
Run = Callable[[Callable[[], T]], Awaitable[T]]


def request_hash(body: Any) -> str:
    """Equal JSON bodies hash alike, whatever the order of their keys or their whitespace."""
    return hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()


def scope(token_id: str, method: str, path: str, key: str) -> str:
    return hashlib.sha256("\0".join((token_id, method, path, key)).encode()).hexdigest()


def check_key(key: str) -> None:
    if not 1 <= len(key) <= MAX_KEY_LENGTH:
        reason = f"Een Idempotency-Key heeft 1 tot {MAX_KEY_LENGTH} tekens."
        raise invalid([InvalidParam(HEADER, reason)])


def replay(stored: StoredResponse) -> web.Response:
    headers = {"Location": stored.location} if stored.location else None
    return web.Response(
        status=stored.status, body=stored.body, content_type="application/json", headers=headers
    )


async def once(
    store: EdgeStore,
    run: Run[Any],
    key_scope: str,
    body: Any,
    produce: Callable[[], Awaitable[web.Response]],
) -> web.Response:
    """The answer to a POST with an Idempotency-Key: produced once, replayed after that."""
    fingerprint = request_hash(body)
    claim, stored = await run(lambda: store.claim(key_scope, fingerprint))
    if claim is Claim.MISMATCH:
        msg = "Deze Idempotency-Key is al gebruikt voor een verzoek met een andere inhoud."
        raise ProblemError(409, msg)
    if claim is Claim.IN_PROGRESS:
        msg = "Een verzoek met deze Idempotency-Key is nog in behandeling; probeer het zo opnieuw."
        raise ProblemError(409, msg)
    if claim is Claim.REPLAY:
        assert stored is not None
        return replay(stored)
    try:
        response = await produce()
    except BaseException:
        await run(lambda: store.release(key_scope))
        raise
    if 200 <= response.status < 300 and isinstance(response.body, bytes):
        kept = StoredResponse(response.status, response.headers.get("Location"), response.body)
        await run(lambda: store.complete(key_scope, kept))
    else:
        await run(lambda: store.release(key_scope))
    return response
