"""The valid requests hostile ones start from, and the hostile values they are mutated with."""

from typing import Any

from tests.faults.client import amsterdam_day

# Raw JSON values, put in place of a placeholder string after the body is serialised.
RAW_VALUES: dict[str, bytes] = {
    "lone surrogate": b'"\\ud800 los"',
    "lone low surrogate": b'"\\udfff"',
    "400 digits": b"1" + b"0" * 400,
    "5000 digits": b"9" * 5000,
    "23 digits": b"9" * 23,
    "1e400": b"1e400",
    "1.0": b"1.0",
    "-0": b"-0",
    "NaN": b"NaN",
    "invalid UTF-8": b'"\xff\xfe"',
    "overlong UTF-8": b'"\xc0\xaf"',
    "deep array": b"[" * 2000 + b"]" * 2000,
}
TEXTS = [
    "",
    " ",
    "\u200b",
    "\u200b\u200d\ufeff",
    "\u0000",
    "a\u0000b",
    "\u001b[2J\u001b]0;pwned\u0007",
    "regel\r\nX-Injected: 1",
    "\u2028\u2029",
    "\ud7ff\ue000",
    "²",
    "１２",
    "x" * 25_000,
]
OTHER_VALUES: list[Any] = [
    0,
    -1,
    1.5,
    True,
    False,
    None,
    [],
    {},
    [1],
    {"a": 1},
    2**63,
    -(2**63) - 1,
]
LAST_EVENT_IDS = ["²".encode(), b"9" * 23, b"9" * 5000, b"1", b"-1", "１".encode(), b"1e3", b" 1"]
DATES = [
    "2024-02-30",
    "2024-2-3",
    "9999-12-31",
    "0000-01-01",
    "2024-01-01T00:00:00Z",
    "２０２４-01-01",
]


def promise() -> dict[str, Any]:
    return {"punt": 1, "omschrijving": "Er komt een brochure.", "uiterlijkOp": amsterdam_day(30)}


def valid_bodies(ids: dict[str, str]) -> dict[str, dict[str, Any]]:
    """A valid body for every POST, by path template."""
    body, advice = ids.get("adviesorgaan", ""), ids.get("advies", "")
    return {
        "/adviesorganen": {"naam": "Raad", "soort": "adviesraad", "reactietermijnDagen": 42},
        "/dossiers": {"titel": "Dossier", "geopendOp": amsterdam_day(-5), "kenmerk": "K1"},
        "/adviezen": {
            "adviesorgaan": body,
            "titel": "Advies",
            "uitgebrachtOp": amsterdam_day(-10),
            "gevraagd": False,
            "punten": [{"tekst": "Punt 1"}, {"tekst": "Punt 2"}, {"tekst": "Punt 3"}],
        },
        "/adviezen/{advies}/reacties": {
            "punt": 1,
            "uitkomst": "niet_overgenomen",
            "reactie": "Nee.",
            "motivering": "Omdat.",
            "gegevenOp": amsterdam_day(-1),
        },
        "/adviezen/{advies}/toezeggingen": promise(),
        "/adviezen/{advies}/toezeggingen/{toezegging}/nakoming": {
            "nagekomenOp": amsterdam_day(-1),
            "toelichting": "Gedaan.",
        },
        "/adviezen/{advies}/termijnwijzigingen": {
            "nieuweDatum": amsterdam_day(60),
            "reden": "Zomer.",
        },
        "/adviezen/{advies}/wederwoorden": {"punt": 1, "oordeel": "tevreden", "tekst": "Dank."},
        "/besluiten": {
            "dossier": ids.get("dossier", ""),
            "titel": "Besluit",
            "besluitdatum": amsterdam_day(-1),
            "adviezen": [advice],
            "afwijkingen": [
                {"advies": advice, "punt": n, "motivering": "Anders."} for n in (1, 2, 3)
            ],
        },
    }


# (method, path template, role, query keys it knows)
OPERATIONS: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("POST", "/adviesorganen", "beheerder", ()),
    ("POST", "/dossiers", "secretariaat", ()),
    ("POST", "/adviezen", "secretariaat", ()),
    ("POST", "/adviezen/{advies}/reacties", "secretariaat", ()),
    ("POST", "/adviezen/{advies}/toezeggingen", "secretariaat", ()),
    ("POST", "/adviezen/{advies}/toezeggingen/{toezegging}/nakoming", "secretariaat", ()),
    ("POST", "/adviezen/{advies}/termijnwijzigingen", "secretariaat", ()),
    ("POST", "/adviezen/{advies}/wederwoorden", "lid", ()),
    ("POST", "/besluiten", "secretariaat", ()),
    ("GET", "/adviezen/{advies}", "secretariaat", ("peildatum", "vastgelegdTot")),
    (
        "GET",
        "/adviezen",
        "lid",
        ("adviesorgaan", "dossier", "status", "verlopen", "pagina", "paginaGrootte"),
    ),
    ("GET", "/adviezen/{advies}/historie", "auditor", ("vastgelegdTot",)),
    ("GET", "/volglijst", "secretariaat", ("adviesorgaan", "peildatum")),
    ("GET", "/statistieken", "secretariaat", ("adviesorgaan", "jaar", "peildatum")),
    ("GET", "/dossiers/{dossier}", "secretariaat", ("peildatum",)),
    ("GET", "/adviesorganen/{adviesorgaan}", "lid", ()),
    ("GET", "/besluiten", "secretariaat", ("pagina", "paginaGrootte")),
    ("GET", "/gebeurtenissen", "auditor", ("vanaf", "limiet", "vastgelegdTot")),
    ("GET", "/gebeurtenissen/stroom", "auditor", ("vanaf",)),
]
