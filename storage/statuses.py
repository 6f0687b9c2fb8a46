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
