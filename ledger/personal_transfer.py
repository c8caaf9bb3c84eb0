"""The key table moved with an export, never in plain: encrypted with a passphrase (scrypt and
AES-256-GCM), in a file of its own beside the export.

    {"formaat": "adviesspoor-sleutels", "versie": 1, "gemeente": "<slug>",
     "scrypt": {"n": 32768, "r": 8, "p": 1, "zout": "<base64>"}, "sleutels": "<base64>"}

`sleutels` is nonce ‖ AES-GCM(the JSON of `ledger.personal_keys.dump`), its associated data the
municipality. Without the file (or the passphrase) a restored log verifies, but its personal
texts read `[verwijderd]`.
"""

import base64
import json
import os
from typing import Any, Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

FORMAT: Final = "adviesspoor-sleutels"
SCRYPT: Final = {"n": 2**15, "r": 8, "p": 1}


class KeyFileError(ValueError):
    """Not a key file of this municipality, or the passphrase does not open it; Dutch message."""


def _key(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode())


def seal_keys(dump: dict[str, Any], municipality: str, passphrase: str) -> bytes:
    salt, nonce = os.urandom(16), os.urandom(12)
    key = _key(passphrase, salt, **SCRYPT)
    sealed = AESGCM(key).encrypt(nonce, json.dumps(dump).encode(), municipality.encode())
    document = {
        "formaat": FORMAT,
        "versie": 1,
        "gemeente": municipality,
        "scrypt": {**SCRYPT, "zout": base64.b64encode(salt).decode()},
        "sleutels": base64.b64encode(nonce + sealed).decode(),
    }
    return json.dumps(document).encode() + b"\n"


def open_keys(raw: bytes, municipality: str, passphrase: str) -> dict[str, Any]:
    try:
        document = json.loads(raw)
        if document["formaat"] != FORMAT or document["versie"] != 1:
            raise KeyError("formaat")
        params = document["scrypt"]
        salt = base64.b64decode(params["zout"])
        blob = base64.b64decode(document["sleutels"])
    except (ValueError, KeyError, TypeError):
        raise KeyFileError("dit is geen sleutelbestand van adviesspoor") from None
    if document["gemeente"] != municipality:
        msg = f"het sleutelbestand is van {document['gemeente']}, niet van {municipality}"
        raise KeyFileError(msg)
    key = _key(passphrase, salt, int(params["n"]), int(params["r"]), int(params["p"]))
    try:
        plain = AESGCM(key).decrypt(blob[:12], blob[12:], municipality.encode())
    except InvalidTag:
        raise KeyFileError("het wachtwoord opent het sleutelbestand niet") from None
    data: dict[str, Any] = json.loads(plain)
    return data
