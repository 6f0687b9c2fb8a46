"""What a handler receives: the update, the database session, the person and their language.

Handlers get everything through this object and return ``Reply`` values, so they hold no
SQL (they call ``storage`` functions) and no platform calls (channels send the replies).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.commands import COMMANDS
from handlers.contract import Button, Incoming, Menu, Reply, Text
from handlers.i18n import Translator, language_from_hint
from handlers.services import Services
from handlers.uaview import ua_phrase
from storage.audit import record as record_audit
from storage.models import AuditEntry, Supporter, UAUpdate
from storage.statuses import AuditOutcome, Role
from storage.supporters import add_supporter, find_supporter
from uareader.document import UADocumentError, UADraft


def whole_number(text: str, most: int = 10**9) -> int | None:
    """``text`` as a whole number from 0 to ``most``, or None. Only ASCII digits count:
    "²".isdigit() is true in Python but int("²") fails, and a 5,000-digit id would cost
    time and overflow the database's integers."""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(most)):
        return None
    number = int(text)
    return number if number <= most else None


@dataclass(frozen=True)
class PastedRead:
    """A paste as it was when read, and the draft read from it or why it is none."""

    text: str
    result: UADraft | UADocumentError


@dataclass
class Context:
    app: Services
    session: AsyncSession
    incoming: Incoming
    supporter: Supporter | None
    tr: Translator
    #: An organiser's document as read before the transaction (in a process of its own),
    #: or why it could not be: what the document handler uses.
    document_read: UADraft | UADocumentError | None = None
    #: The UA text an organiser pasted, read before the transaction in a process of its
    #: own at their /done (``bot.dispatcher``), with what came of it.
    pasted_read: PastedRead | None = None
    #: What to do once this update's transaction has committed (never inside it).
    after_commit: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    #: The audit entry of this update's privileged command, once authorised or refused.
    audit_entry: AuditEntry | None = None

    @classmethod
    async def load(cls, app: Services, session: AsyncSession, incoming: Incoming) -> Context:
        user_hash = app.vault.lookup_hash(incoming.platform, incoming.user_id)
        supporter = await find_supporter(session, incoming.platform, user_hash)
        return cls.of(app, session, incoming, supporter)

    @classmethod
    def of(
        cls,
        app: Services,
        session: AsyncSession,
        incoming: Incoming,
        supporter: Supporter | None,
    ) -> Context:
        """The context of a person whose row (or its absence) has already been read."""
        language = (
            supporter.language
            if supporter
            else language_from_hint(incoming.language_hint, app.settings.bot.default_language)
        )
        return cls(app, session, incoming, supporter, app.catalogs.get(language))

    def _(self, message: str) -> str:
        return self.tr.gettext(message)

    @property
    def now(self) -> datetime:
        return self.app.clock.now()

    @property
    def today(self) -> date:
        """Today in the bot's configured time zone: deadlines are calendar days there."""
        return self.app.today()

    @property
    def role(self) -> Role:
        """Admins listed in the configuration are admins whatever the database says."""
        if self.incoming.user_id in self.app.settings.bot.admins:
            return Role.ADMIN
        return Role.stored(self.supporter.role) if self.supporter else Role.SUPPORTER

    async def ensure_supporter(self) -> Supporter:
        """The person's row, created on first need with the least data that works."""
        if self.supporter is None:
            vault = self.app.vault
            self.supporter = await add_supporter(
                self.session,
                platform=self.incoming.platform,
                user_hash=vault.lookup_hash(self.incoming.platform, self.incoming.user_id),
                user_id_enc=vault.encrypt_id(self.incoming.user_id),
                chat_id_enc=vault.encrypt_id(self.incoming.chat_id),
                language=self.tr.language,
                today=self.today,
            )
        return self.supporter

    async def authorise(
        self, command: str, roles: tuple[Role, ...], detail: str = "", target: int | None = None
    ) -> bool:
        """Whether the person may run a privileged command; every answer is audited.

        Actor and ``target`` (a person the command is about) are kept as keyed pseudonyms,
        never ids, and independently of their rows: the trail outlives a /forget, and a
        configured admin who never sent /start is recognised. The detail (what the command
        was about) is kept for allowed commands only, without control characters: what
        someone without the role typed is none of our business. A handler that then cannot
        do what was asked says so with ``failed``."""
        allowed = self.role in roles
        vault, platform = self.app.vault, self.incoming.platform
        self.audit_entry = await record_audit(
            self.session,
            actor=vault.audit_pseudonym(platform, self.incoming.user_id),
            target=vault.audit_pseudonym(platform, target) if target is not None else None,
            command=command,
            outcome=AuditOutcome.DONE if allowed else AuditOutcome.REFUSED,
            at=self.now,
            detail="".join(c for c in detail if c.isprintable()) if allowed else "",
        )
        return allowed

    def audit_about(self, update: UAUpdate) -> None:
        """Name in the audit the UA a button was about, once it is loaded: the button carries
        a row id, which an admin reading /audit would take for the UA's place in its case."""
        if self.audit_entry is not None and self.audit_entry.outcome == AuditOutcome.DONE:
            self.audit_entry.detail = str(ua_phrase(update.case.number, update.ordinal))

    def failed(
        self, reason: str, message: str, buttons: tuple[tuple[Button, ...], ...] = ()
    ) -> list[Reply]:
        """The answer to an allowed command that could not be done, the audit saying why
        (``reason``: a few English words for the log, not shown to the person)."""
        if self.audit_entry is not None:
            self.audit_entry.outcome = AuditOutcome.FAILED
            self.audit_entry.reason = reason[:64]
        return [Text(message, buttons=buttons)]

    def menu_for(self, chat_id: int, role: Role, language: str) -> Menu:
        """The command menu a person with ``role`` should now see in their chat."""
        return COMMANDS.menu_for(self.app.catalogs, chat_id, role, language)

    def refusal(self) -> Text:
        """The same polite answer for every refused command: it reveals nothing."""
        return Text(self._("Sorry, that is not something I can do for you."))

    def use_language(self, language: str) -> None:
        self.tr = self.app.catalogs.get(language)
