"""Before a server or a projection worker starts with shards: no municipality may have a log in a
database that is not its shard (docs/scaling.md). Such a log is what a process given another
`ADVIESSPOOR_SHARDS` (an older one, or none) leaves behind: a second log of one municipality."""

from api.cli.common import CommandError, describe
from events.store import StoreUrl
from projections.registry import municipalities


def misplaced_logs(store: StoreUrl) -> list[str]:
    """One Dutch phrase per log found outside its municipality's shard; none without shards."""
    if not store.shards:
        return []
    found = []
    for database in store.databases():
        for municipality in municipalities(database):
            home = store.home(municipality)
            if home != database:
                found.append(
                    f"gemeente {municipality} heeft een log in {describe(database)}, maar hoort "
                    f"volgens ADVIESSPOOR_SHARDS in {describe(home)}"
                )
    return found


def check_shards(store: StoreUrl, what: str) -> None:
    """CommandError (exit status 1) when a log lies outside its shard; `what` names who stops."""
    misplaced = misplaced_logs(store)
    if misplaced:
        msg = (
            f"{what} start niet: {'; '.join(misplaced)}. Verplaats die log (adviesspoor export en "
            "import) of verwijder hem, of pas ADVIESSPOOR_SHARDS aan; zie docs/scaling.md."
        )
        raise CommandError(msg, 1)
