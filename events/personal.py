"""Events about personal data: that a data subject's data was forgotten (never the data itself)."""

from events.base import LedgerCreated
from events.vocabulary import SubjectKind


class PersonalDataForgotten(LedgerCreated):
    """The key of a data subject was destroyed: its names and texts read `[verwijderd]` from now
    on. `subject` is the body's id, or the opaque id of an actor (never the actor's name)."""

    subject_kind: SubjectKind
    subject: str
