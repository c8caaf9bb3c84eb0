"""What the read-side bench shares: sizes, names, the texts of the generated log."""

from pathlib import Path

from events import Outcome, Role
from ledger import (
    Actor,
)

GENERATOR = "projections-log-v1"  # bump when the generated mix changes: old caches are rebuilt
MUNICIPALITY = "bench"
DEFAULT_EVENTS = {"sqlite": 1_000_000, "postgresql": 200_000}
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
OUT = Path(__file__).resolve().parents[1] / "out" / "projections"
IN_FLIGHT = 400  # advices being worked on at once, so the events of one advice spread out
INSERT_BATCH = 20_000  # events per insert transaction while generating
# The library's PostgreSQL insert pipelines one statement per event; a batch of 20,000 hung
# (server waiting in ClientRead, client in poll), 4,000 did not.
POSTGRES_BATCH = 2_000
BODIES = 24
TIME_TRAVEL_SAMPLES = 50
OFFICE = Actor("secretariaat", Role.SECRETARIAT, "bench-generator")

POINT_TEXTS = (
    "Betrek cliënten vanaf het begin bij de uitvoeringsagenda en leg vast hoe hun inbreng "
    "terugkomt in de besluiten van het college.",
    "Zorg dat de wachttijd voor een keukentafelgesprek niet langer is dan vier weken en "
    "rapporteer die wachttijd elk kwartaal aan de raad.",
    "Maak de brochure over de eigen bijdrage begrijpelijk op taalniveau B1 en test haar met "
    "inwoners voordat zij wordt verspreid.",
    "Geef wijkteams een vast aanspreekpunt voor mantelzorgers en maak dat aanspreekpunt bekend "
    "via huisartsen, scholen en buurthuizen.",
    "Onderzoek of de regeling voor minimahuishoudens ook openstaat voor werkende armen met een "
    "inkomen tot 130 procent van het sociaal minimum.",
    "Leg in het beleidsplan vast hoe de gemeente de effecten meet en bespreek de uitkomsten "
    "jaarlijks met de adviesraad.",
)
RESPONSE_TEXTS = (
    "Het college neemt dit punt over en werkt het uit in de uitvoeringsagenda van het voorjaar; "
    "de adviesraad wordt bij de uitwerking betrokken.",
    "Het college neemt dit punt gedeeltelijk over: de wachttijd wordt gemeten, maar een harde "
    "norm van vier weken is met de huidige bezetting niet haalbaar.",
    "Het college neemt dit punt niet over, omdat de landelijke regeling hierin al voorziet en "
    "een gemeentelijke aanvulling tot dubbele loketten leidt.",
    "Het college komt op dit punt terug na de evaluatie van de pilot in de wijk, naar "
    "verwachting in het derde kwartaal.",
    "Het college neemt kennis van dit punt en betrekt het bij de herijking van het beleid in "
    "de volgende raadsperiode.",
)
RESPONSE = "Het college neemt dit punt mee in de uitvoering."
REASONS = (
    "De kosten passen niet binnen de begroting en de raad heeft de middelen voor dit jaar al "
    "verdeeld; het college heeft de belangen gewogen en kiest voor de bestaande aanpak."
)
OUTCOMES = (
    Outcome.FOLLOWED,
    Outcome.FOLLOWED,
    Outcome.PARTIALLY_FOLLOWED,
    Outcome.NOT_FOLLOWED,
    Outcome.DEFERRED,
    Outcome.NOTED,
)


# Reporting --------------------------------------------------------------------------------------


def row(label: str, figure: str, baseline: str, ratio: float | None) -> None:
    shown = f"{ratio:6.2f}x" if ratio is not None else ""
    print(f"    {label:<44} {figure:>22}  | {baseline:<34} {shown}")


def mib(size: float) -> str:
    return f"{size / 2**20:,.0f} MiB"
