"""What one aggregate cannot know of the others, read from the log by event type: which advice was
given on which dossier, and which points of which advice a decision answered (its deviations).

The rules stay in the aggregates; the ledger hands them these facts, as it hands a decision the
advice it lists. The index reads only the two event types it needs, and only what was recorded
since it last looked.
"""

from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.utils import get_topic

from events import AdviceSubmitted, DecisionTaken

_PAGE = 1000


@dataclass(frozen=True)
class DecidedPoint:
    """A point of an advice answered by a decision's deviation."""

    decision_id: UUID
    point: int


class LedgerIndex:
    """Advice per dossier and decided points per advice, kept current from the log."""

    def __init__(self, recorder: Any) -> None:
        self._recorder = recorder
        self._topics = (get_topic(AdviceSubmitted), get_topic(DecisionTaken))
        self._position = 0
        self._advice_on: defaultdict[UUID, list[UUID]] = defaultdict(list)
        self._decided: defaultdict[UUID, list[DecidedPoint]] = defaultdict(list)

    def advice_on(self, dossier_id: UUID) -> list[UUID]:
        """Every advice recorded on the dossier, in log order (withdrawn ones included)."""
        self._catch_up()
        return list(self._advice_on.get(dossier_id, ()))

    def decided_points(self, advice_id: UUID) -> frozenset[int]:
        """The points of the advice that a decision's deviation answered."""
        self._catch_up()
        return frozenset(item.point for item in self._decided.get(advice_id, ()))

    def _catch_up(self) -> None:
        while True:
            page = self._recorder.select_notifications(
                self._position + 1, _PAGE, topics=self._topics
            )
            for notification in page:
                self._add(notification.topic, UUID(str(notification.originator_id)), notification)
                self._position = max(self._position, notification.id)
            if len(page) < _PAGE:
                return

    def _add(self, topic: str, aggregate_id: UUID, notification: Any) -> None:
        state = orjson.loads(notification.state)
        if topic == self._topics[0]:
            if state.get("dossier_id"):
                self._advice_on[UUID(state["dossier_id"])].append(aggregate_id)
            return
        for deviation in state["deviations"]:
            self._decided[UUID(deviation["advice_id"])].append(
                DecidedPoint(aggregate_id, int(deviation["point"]))
            )
