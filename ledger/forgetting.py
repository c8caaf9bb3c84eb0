"""The forgetting of one data subject's personal data, recorded as a fact of its own."""

from typing import Any

from eventsourcing.domain import Aggregate

from events import Meta
from events.personal import PersonalDataForgotten
from events.vocabulary import SubjectKind


class Forgetting(Aggregate):
    """Whose data was forgotten (by whom and when: the event's meta and moment)."""

    @classmethod
    def record(cls, meta: Meta, kind: SubjectKind, subject: str) -> "Forgetting":
        return cls._create(PersonalDataForgotten, meta=meta, subject_kind=kind, subject=subject)

    def apply(self, event: Any) -> None:
        if isinstance(event, PersonalDataForgotten):
            self.subject_kind, self.subject = event.subject_kind, event.subject
