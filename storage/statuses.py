"""The words kept in status columns, as enums shared by storage, the worker and the views:
a misspelt status is an AttributeError at import, not a row no query ever finds. They are
``StrEnum``s, stored and compared as the plain words older rows hold."""

from __future__ import annotations

from enum import StrEnum


class UpdateStatus(StrEnum):
    """A UA update: a draft until published; superseded when a newer update is published."""

    DRAFT = "draft"
    PUBLISHED = "published"
    SUPERSEDED = "superseded"


class DeliveryStatus(StrEnum):
    """A message in the outbox (a UA, a reminder or a channel post)."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    BLOCKED = "blocked"
    FAILED = "failed"
    #: The UA closed, was replaced or its deadline passed before the message went out.
    EXPIRED = "expired"
    #: The broadcast was cancelled before the message went out.
    CANCELLED = "cancelled"


class AuditOutcome(StrEnum):
    DONE = "done"
    REFUSED = "refused"
    #: Allowed, but it could not be done; the entry's reason says why.
    FAILED = "failed"


class Role(StrEnum):
    """What a person may do, each role all that the roles before it may."""

    SUPPORTER = "supporter"
    ORGANISER = "organiser"
    ADMIN = "admin"

    @classmethod
    def stored(cls, word: str) -> Role:
        """The role a row holds; any other word (none is written) is a supporter's."""
        try:
            return cls(word)
        except ValueError:
            return cls.SUPPORTER

    def may_do(self, least: Role) -> bool:
        """Whether this role may do what ``least`` may."""
        order = list(Role)
        return order.index(self) >= order.index(least)


#: The roles an admin gives and takes back: who may do an organiser's work.
STAFF = (Role.ORGANISER, Role.ADMIN)
#: Who may do an admin's work.
ADMINS = (Role.ADMIN,)
