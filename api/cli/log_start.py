"""Before the server starts: every log's tree brought up to date and its last leaves checked."""

from api.cli.common import CommandError
from api.cli.log import FAILURES, failure, progress_bar
from api.http.log_watch import check_at_start, settings
from events.store import StoreUrl
from ledger.tree import Progress, TreeError


def verify_at_start(store: StoreUrl) -> None:
    """CommandError (a Dutch sentence; exit status 2 for a bad setting, 1 for a log that does not
    match or a store that fails) when the server must not start."""
    try:
        every = settings()
    except ValueError as error:
        raise CommandError(str(error), 2) from None
    bars = []

    def bar(municipality: str) -> Progress:
        bars.append(progress_bar(f"{municipality}: bladen berekenen"))
        return bars[-1]

    try:
        check_at_start(store, every.verify_at_start, bar)
    except TreeError as error:
        msg = (
            f"De server start niet: {error}. Controleer de hele log met "
            "adviesspoor verify --database."
        )
        raise CommandError(msg, 1) from None
    except FAILURES as error:
        raise CommandError(failure(error), 1) from None
    finally:
        for each in bars:
            each.end()
