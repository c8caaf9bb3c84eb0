"""The closed word lists of the domain, in English code words (see GLOSSARY.md)."""

from enum import StrEnum


class Outcome(StrEnum):
    """What the college did with one advice point; `pending` is never recorded, only derived."""

    PENDING = "pending"
    FOLLOWED = "followed"
    PARTIALLY_FOLLOWED = "partially_followed"
    NOT_FOLLOWED = "not_followed"
    DEFERRED = "deferred"
    NOTED = "noted"

    @property
    def needs_reasons(self) -> bool:
        """Awb 3:50: deviating from advice must be motivated."""
        return self in (Outcome.NOT_FOLLOWED, Outcome.PARTIALLY_FOLLOWED)


class BodyKind(StrEnum):
    """What sort of advisory body gives the advice."""

    ADVISORY_COUNCIL = "advisory_council"
    CLIENT_COUNCIL = "client_council"
    COUNCIL_COMMITTEE = "council_committee"
    ORGANISATION = "organisation"
    RESIDENT = "resident"
    MEETING = "meeting"
    OTHER = "other"


class Role(StrEnum):
    """Who acts: the role a token carries."""

    ADMINISTRATOR = "administrator"
    SECRETARIAT = "secretariat"
    MEMBER = "member"
    AUDITOR = "auditor"
    SYSTEM = "system"


class Verdict(StrEnum):
    """The advising body's judgement of a response (wederwoord)."""

    SATISFIED = "satisfied"
    NOT_SATISFIED = "not_satisfied"


class SubjectKind(StrEnum):
    """Whose personal data: a resident (a body of kind `resident`), or an actor (a name)."""

    BODY = "body"
    ACTOR = "actor"
