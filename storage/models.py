"""Typed SQLAlchemy 2 models: what the bot stores, and nothing more.

No names, usernames, phone numbers or message texts of supporters appear here. Platform ids
are kept only encrypted (``*_enc``) and found through a keyed hash (``user_hash``); see
``storage/crypto.py``. Per-person rows about a UA (deliveries, reports) are deleted after its
deadline and a grace period; ``ActionTotal`` keeps the anonymous counts that are reported.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.statuses import DeliveryStatus, UpdateStatus

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Supporter(Base):
    """A person who talks to the bot, identified only through encrypted ids."""

    __tablename__ = "supporters"
    __table_args__ = (
        UniqueConstraint("platform", "user_hash"),
        # The audience in id order: counted before publishing (138 ms at a million on
        # SQLite without it, 34 ms with it) and queued a batch at a time.
        Index("ix_supporters_audience", "subscribed", "active", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    user_hash: Mapped[str] = mapped_column(String(64))
    user_id_enc: Mapped[str] = mapped_column(Text)
    chat_id_enc: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    subscribed: Mapped[bool] = mapped_column(Boolean, default=False)
    reminders_on: Mapped[bool] = mapped_column(Boolean, default=True)
    discreet: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    role: Mapped[str] = mapped_column(String(16), default="supporter")
    created_on: Mapped[date] = mapped_column(Date)


class UACase(Base):
    """One Urgent Action number (``72/24``) with all its updates."""

    __tablename__ = "ua_cases"
    #: Ids are never reused on SQLite either: a button naming a deleted draft's id must
    #: not act on the next draft stored.
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: As the document writes it ("047/24"); None while a draft's document named no number.
    number: Mapped[str | None] = mapped_column(String(16), unique=True, default=None)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)

    updates: Mapped[list[UAUpdate]] = relationship(
        back_populates="case", order_by="UAUpdate.ordinal", lazy="raise"
    )


class UAUpdate(Base):
    """One numbered update of a case; its deadline and letter apply from its publication on."""

    __tablename__ = "ua_updates"
    __table_args__ = (UniqueConstraint("case_id", "ordinal"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ua_cases.id", ondelete="CASCADE"))
    ordinal: Mapped[int] = mapped_column(Integer)
    index_code: Mapped[str | None] = mapped_column(String(32), default=None)
    country: Mapped[str | None] = mapped_column(String(64), default=None)
    issue_date: Mapped[date | None] = mapped_column(Date, default=None)
    #: None only on a draft whose document named none: publishing needs it.
    deadline: Mapped[date | None] = mapped_column(Date, default=None)
    preferred_language: Mapped[str | None] = mapped_column(String(8), default=None)
    previous_link: Mapped[str | None] = mapped_column(Text, default=None)
    status: Mapped[str] = mapped_column(String(16), default=UpdateStatus.DRAFT)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    #: The fields the reader took from elsewhere ("country": "assumed", from the AI index)
    #: or found doubtful; a field corrected in chat loses its mark.
    field_marks: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)

    case: Mapped[UACase] = relationship(back_populates="updates", lazy="raise")
    texts: Mapped[list[UAText]] = relationship(
        back_populates="update", lazy="selectin", cascade="all, delete-orphan"
    )

    @property
    def due(self) -> date:
        """The deadline of an update that has one: every published update (publishing
        needs it); a draft's may still be missing."""
        if self.deadline is None:
            raise ValueError(f"UA update {self.id} has no deadline yet")
        return self.deadline

    @property
    def ua_number(self) -> str:
        """The UA number of an update whose case has one: every published update."""
        if self.case.number is None:
            raise ValueError(f"UA update {self.id} has no UA number yet")
        return self.case.number


class UAText(Base):
    """The words of an update in one language (targets and CC included: titles translate)."""

    __tablename__ = "ua_texts"
    __table_args__ = (UniqueConstraint("update_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(ForeignKey("ua_updates.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text, default="")
    salutation: Mapped[str] = mapped_column(Text, default="")
    letter: Mapped[str] = mapped_column(Text, default="")
    additional_info: Mapped[str] = mapped_column(Text, default="")
    name_pronoun: Mapped[str] = mapped_column(Text, default="")
    targets: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    cc: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    update: Mapped[UAUpdate] = relationship(back_populates="texts", lazy="raise")


class UARevision(Base):
    """A document received for an update already published: the change it would make,
    kept until an organiser applies or drops it, since a live UA is never overwritten
    silently (a re-sent document would undo a deadline moved with /deadline)."""

    __tablename__ = "ua_revisions"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(ForeignKey("ua_updates.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(8))
    draft: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PendingInput(Base):
    """What an organiser's next plain message is for: the parts of a long UA pasted after
    /newua (Telegram splits text over 4,096 characters), or a draft field to correct.

    One row per person at most; it holds UA text, never a supporter's words, and goes
    when used, replaced or an hour old."""

    __tablename__ = "pending_inputs"

    id: Mapped[int] = mapped_column(primary_key=True)
    supporter_id: Mapped[int] = mapped_column(
        ForeignKey("supporters.id", ondelete="CASCADE"), unique=True
    )
    purpose: Mapped[str] = mapped_column(String(64))
    parts: Mapped[list[list[Any]]] = mapped_column(JSON, default=list)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ActionReport(Base):
    """That one supporter did one kind of action on one update; deleted after the grace period.

    Only the day is kept, not the time: the per-day chart needs no more.
    """

    __tablename__ = "action_reports"
    __table_args__ = (UniqueConstraint("supporter_id", "update_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    supporter_id: Mapped[int] = mapped_column(ForeignKey("supporters.id", ondelete="CASCADE"))
    update_id: Mapped[int] = mapped_column(ForeignKey("ua_updates.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    reported_on: Mapped[date] = mapped_column(Date)


class ActionTotal(Base):
    """Anonymous count of actions per update, kind and day: what is reported to officials."""

    __tablename__ = "action_totals"
    __table_args__ = (UniqueConstraint("update_id", "kind", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(ForeignKey("ua_updates.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    day: Mapped[date] = mapped_column(Date)
    count: Mapped[int] = mapped_column(Integer, default=0)


class Delivery(Base):
    """One message owed to one supporter: the transactional outbox of broadcasts/reminders."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("supporter_id", "update_id", "kind", "offset_key"),
        # The claim reads the next rows of one status in the order it sends them, and stops
        # at its batch: without it, every pending row was read and sorted (632 ms at 1M).
        Index("ix_deliveries_due", "status", "priority", "id"),
        # A broadcast's progress counts its own rows only, every 3 s, not the whole table.
        Index("ix_deliveries_progress", "update_id", "kind", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supporter_id: Mapped[int] = mapped_column(ForeignKey("supporters.id", ondelete="CASCADE"))
    update_id: Mapped[int] = mapped_column(ForeignKey("ua_updates.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    offset_key: Mapped[str] = mapped_column(String(16), default="")
    priority: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    error: Mapped[str | None] = mapped_column(String(200), default=None)


class ChannelPost(Base):
    """A published UA owed to a public channel named in the config: an outbox row like a
    delivery, addressed to a channel rather than a person, so it holds no personal data."""

    __tablename__ = "channel_posts"
    __table_args__ = (UniqueConstraint("update_id", "chat"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(ForeignKey("ua_updates.id", ondelete="CASCADE"))
    chat: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    error: Mapped[str | None] = mapped_column(String(200), default=None)


class Broadcast(Base):
    """The sending of one update to its subscribers, with the organiser's progress message."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(
        ForeignKey("ua_updates.id", ondelete="CASCADE"), unique=True
    )
    requested_by: Mapped[int | None] = mapped_column(
        ForeignKey("supporters.id", ondelete="SET NULL"), default=None
    )
    total: Mapped[int] = mapped_column(Integer, default=0)
    progress_message_id: Mapped[int | None] = mapped_column(Integer, default=None)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    #: An admin chose Telegram's paid broadcast (0.1 Star a message, up to 1,000 a second)
    #: for the announcement; reminders always go at the free rate.
    paid: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Telegram refused a paid message for lack of Stars: the rest went at the free rate,
    #: and the organiser's progress message says so.
    stars_ran_out: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The last subscriber (by id) queued so far, while more are left to queue in batches;
    #: None once every subscriber is queued.
    queued_through: Mapped[int | None] = mapped_column(Integer, default=None)


class ReminderRequest(Base):
    """A person asked to be reminded of one update ("Not yet"), subscribed or not. As little
    as a report holds, and purged with the number's reports."""

    __tablename__ = "reminder_requests"
    __table_args__ = (UniqueConstraint("supporter_id", "update_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    supporter_id: Mapped[int] = mapped_column(ForeignKey("supporters.id", ondelete="CASCADE"))
    update_id: Mapped[int] = mapped_column(ForeignKey("ua_updates.id", ondelete="CASCADE"))


class ReminderRun(Base):
    """A reminder job that has fired: rebuilding the jobs after a restart skips it."""

    __tablename__ = "reminder_runs"
    __table_args__ = (UniqueConstraint("update_id", "offset_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(ForeignKey("ua_updates.id", ondelete="CASCADE"))
    offset_key: Mapped[str] = mapped_column(String(16))
    fired_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AuditEntry(Base):
    """A privileged command and its outcome: who (``actor``) did what (``command``) to whom
    (``target``). People are keyed pseudonyms (``IdentityVault.audit_pseudonym``), not row
    links, so the entry survives /forget and names a configured admin who has no row;
    entries from before pseudonyms have an empty actor."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: When it happened; for refusals counted together, the latest of them.
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(String(16), index=True)
    target: Mapped[str | None] = mapped_column(String(16), index=True, default=None)
    command: Mapped[str] = mapped_column(String(32))
    #: done, refused (no role) or failed (allowed, but it could not be done: see reason).
    outcome: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[str] = mapped_column(String(200), default="")
    #: How many times it happened: refusals of one command to one person in one day are
    #: one entry (300 of a stranger's pushed a real /grant out of /audit).
    times: Mapped[int] = mapped_column(Integer, default=1)


class AudienceWeek(Base):
    """How many people subscribed, unsubscribed, blocked the bot or erased themselves in one
    week (starting Monday): anonymous counts, kept when the people are gone, because a
    trend is what organisers need and no one's own history is."""

    __tablename__ = "audience_weeks"
    __table_args__ = (UniqueConstraint("week", "event"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    week: Mapped[date] = mapped_column(Date)
    event: Mapped[str] = mapped_column(String(16))
    count: Mapped[int] = mapped_column(Integer, default=0)


class KeyCheck(Base):
    """A known value encrypted with ``security.secret_key`` when the database was first
    used: at start-up, failing to decrypt it means the key is not this database's (lost or
    changed), which must stop the bot before it tells old supporters it knows nothing of
    them or fails every delivery."""

    __tablename__ = "key_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(Text)


class HandledEvent(Base):
    """Events already handled (Telegram's update ids), so a redelivered one changes nothing."""

    __tablename__ = "handled_events"
    __table_args__ = (UniqueConstraint("platform", "event_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    event_key: Mapped[str] = mapped_column(String(64))
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SendBudget(Base):
    """Telegram's bulk limit as all processes of one bot spend it (PostgreSQL): when the
    next message may leave, and until when a 429 stops every process. One row."""

    __tablename__ = "send_budget"

    id: Mapped[int] = mapped_column(primary_key=True)
    next_slot: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    paused_until: Mapped[datetime] = mapped_column(DateTime(timezone=True))
