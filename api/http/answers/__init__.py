"""Every answer of a GET, declared once: read from the view's English record (each field's
`validation_alias`), written under the contract's Dutch name, and published as its schema.

By what they answer: `records` (bodies, dossiers, requests, decisions), `advice` (one advice and
its parts), `views` (the board, the points, the statistics, the history and the log); `common`
holds what they share. Routes read them as one table: `from api.http import answers as A`.
"""

from api.http.answers.advice import (
    Advies,
    Intrekking,
    Punt,
    Reactie,
    Termijnwijziging,
    Toezegging,
    Wederwoord,
)
from api.http.answers.common import PerUitkomst
from api.http.answers.records import (
    Adviesaanvraag,
    Adviesorgaan,
    Afwijking,
    Besluit,
    Dossier,
    DossierAdvies,
    Dossieroverzicht,
)
from api.http.answers.views import (
    SUMMARY_FIELDS,
    Actor,
    Gebeurtenis,
    HistorieItem,
    PuntItem,
    Statistieken,
    Statistiekrij,
    ToezeggingKort,
    VolglijstItem,
)

__all__ = [
    "SUMMARY_FIELDS",
    "Actor",
    "Advies",
    "Adviesaanvraag",
    "Adviesorgaan",
    "Afwijking",
    "Besluit",
    "Dossier",
    "DossierAdvies",
    "Dossieroverzicht",
    "Gebeurtenis",
    "HistorieItem",
    "Intrekking",
    "PerUitkomst",
    "Punt",
    "PuntItem",
    "Reactie",
    "Statistieken",
    "Statistiekrij",
    "Termijnwijziging",
    "Toezegging",
    "ToezeggingKort",
    "VolglijstItem",
    "Wederwoord",
]
