"""Admin commands: grant and revoke roles, see the team and the audit log."""

from __future__ import annotations

from handlers.context import Context, whole_number
from handlers.contract import Reply, Text, texts
from handlers.supporters import ROLE_LABELS
from storage.audit import latest
from storage.models import AuditEntry
from storage.statuses import ADMINS, STAFF, AuditOutcome, Role
from storage.supporters import find_by_role, find_supporter, set_role
from uareader.phrases import N_

#: Telegram user ids have up to 52 significant bits.
TELEGRAM_IDS = 2**52


async def grant(ctx: Context) -> list[Reply]:
    """/grant <telegram user id> organiser|admin"""
    args = ctx.incoming.args
    user_id = whole_number(args[0], TELEGRAM_IDS) if args else None
    if not await ctx.authorise("grant", ADMINS, detail=" ".join(args[1:2]), target=user_id):
        return [ctx.refusal()]
    if len(args) != 2 or user_id is None or args[1].lower() not in STAFF:
        return ctx.failed(
            "usage", ctx._("Write /grant followed by a Telegram user id and organiser or admin.")
        )
    role = Role(args[1].lower())
    vault = ctx.app.vault
    member = await set_role(
        ctx.session,
        platform=ctx.incoming.platform,
        user_hash=vault.lookup_hash(ctx.incoming.platform, user_id),
        make_row={
            "user_id_enc": vault.encrypt_id(user_id),
            "chat_id_enc": vault.encrypt_id(user_id),
            "language": ctx.app.settings.bot.default_language,
        },
        role=role,
        today=ctx.today,
    )
    return [
        Text(
            ctx._("Done: {user} is now {role}.").format(user=user_id, role=ctx._(ROLE_LABELS[role]))
        ),
        ctx.menu_for(user_id, role, member.language),
    ]


async def revoke(ctx: Context) -> list[Reply]:
    """/revoke <telegram user id>: back to supporter."""
    args = ctx.incoming.args
    user_id = whole_number(args[0], TELEGRAM_IDS) if args else None
    if not await ctx.authorise("revoke", ADMINS, target=user_id):
        return [ctx.refusal()]
    if len(args) != 1 or user_id is None:
        return ctx.failed("usage", ctx._("Write /revoke followed by a Telegram user id."))
    user_hash = ctx.app.vault.lookup_hash(ctx.incoming.platform, user_id)
    supporter = await find_supporter(ctx.session, ctx.incoming.platform, user_hash)
    if supporter is None or supporter.role == Role.SUPPORTER:
        if user_id in ctx.app.settings.bot.admins:
            return ctx.failed(
                "role from configuration",
                ctx._(
                    "{user} is admin because bot.admins in the configuration lists them: "
                    "take them out of it there and restart the bot."
                ).format(user=user_id),
            )
        return ctx.failed("no role", ctx._("{user} has no role to revoke.").format(user=user_id))
    supporter.role = Role.SUPPORTER
    note, role = "", Role.SUPPORTER
    if user_id in ctx.app.settings.bot.admins:
        note = "\n" + ctx._("They stay admin while bot.admins in the configuration lists them.")
        role = Role.ADMIN
    return [
        Text(ctx._("Done: {user} is a supporter again.").format(user=user_id) + note),
        ctx.menu_for(user_id, role, supporter.language),
    ]


async def team(ctx: Context) -> list[Reply]:
    if not await ctx.authorise("team", ADMINS):
        return [ctx.refusal()]
    members = await find_by_role(ctx.session, ctx.incoming.platform, STAFF)
    vault = ctx.app.vault
    lines = [ctx._("Organisers and admins:")]
    listed = set()
    for member in members:
        user_id = vault.decrypt_id(member.user_id_enc)
        listed.add(user_id)
        lines.append(f"• {user_id} – {ctx._(ROLE_LABELS[Role.stored(member.role)])}")
    for user_id in ctx.app.settings.bot.admins:
        if user_id not in listed:
            lines.append(
                ctx._("• {user} – {role} (from the configuration)").format(
                    user=user_id, role=ctx._(ROLE_LABELS[Role.ADMIN])
                )
            )
    return texts("\n".join(lines))


async def audit(ctx: Context) -> list[Reply]:
    """/audit [<user id>]: the latest privileged commands, or those by or about one person."""
    args = ctx.incoming.args
    person = whole_number(args[0], TELEGRAM_IDS) if len(args) == 1 else None
    if not await ctx.authorise("audit", ADMINS, target=person):
        return [ctx.refusal()]
    if args and person is None:
        return ctx.failed("usage", ctx._("Write /audit, or /audit followed by a Telegram user id."))
    vault, platform = ctx.app.vault, ctx.incoming.platform
    pseudonym = vault.audit_pseudonym(platform, person) if person is not None else None
    entries = await latest(ctx.session, AUDIT_LINES, pseudonym)
    names = await _known_people(ctx)
    if person is not None:
        names[vault.audit_pseudonym(platform, person)] = str(person)
    if person is None:
        lines = [ctx._("Latest privileged commands (newest first):")]
    else:
        lines = [
            ctx._("Privileged commands by or about {user} (newest first):").format(user=person)
        ]
    if not entries:
        lines.append(ctx._("None yet."))
    for entry in entries:
        lines.append(_audit_line(ctx, entry, names))
    return texts("\n".join(lines))


#: Entries /audit shows: the newest, enough to follow a day's work on a phone screen.
AUDIT_LINES = 30


async def _known_people(ctx: Context) -> dict[str, str]:
    """Pseudonym -> user id of everyone staff would recognise: organisers, admins and the
    configured admins. Anyone else stays a pseudonym."""
    vault, platform = ctx.app.vault, ctx.incoming.platform
    user_ids = {
        vault.decrypt_id(m.user_id_enc) for m in await find_by_role(ctx.session, platform, STAFF)
    }
    user_ids |= set(ctx.app.settings.bot.admins)
    return {vault.audit_pseudonym(platform, user_id): str(user_id) for user_id in user_ids}


def _audit_line(ctx: Context, entry: AuditEntry, names: dict[str, str]) -> str:
    def who(pseudonym: str) -> str:
        if not pseudonym:
            return ctx._("someone (before pseudonyms)")
        return names.get(pseudonym) or ctx._("person {tag}").format(tag=pseudonym[:8])

    outcome = ctx._(OUTCOME_LABELS.get(entry.outcome, entry.outcome))
    if entry.reason:
        outcome += f" ({entry.reason})"
    if entry.times > 1:
        outcome += f" ×{ctx.tr.number(entry.times)}"  # the stamp is the last of them
    subject = who(entry.actor) + (f" → {who(entry.target)}" if entry.target else "")
    stamp = entry.at.strftime("%Y-%m-%d %H:%M")
    detail = f" · {entry.detail}" if entry.detail else ""
    return f"{stamp} · {_action(ctx, entry.command)} · {outcome} · {subject}{detail}"


def _action(ctx: Context, command: str) -> str:
    """What was done, as the person saw it: a command as typed, a button by its label."""
    if command in BUTTON_ACTIONS:
        return ctx._("“{button}” pressed").format(button=ctx._(BUTTON_ACTIONS[command]))
    if command in OTHER_ACTIONS:
        return ctx._(OTHER_ACTIONS[command])
    return f"/{command}"


#: Privileged actions taken by a button, audited under a name of their own.
BUTTON_ACTIONS: dict[str, str] = {
    "publish": N_("Publish"),
    "fix": N_("Correct a field"),
    "preview": N_("See it as supporters will"),
    "apply": N_("Apply these changes"),
    "keep": N_("Keep it as it is"),
}
OTHER_ACTIONS: dict[str, str] = {
    "document": N_("a file sent"),
    "set": N_("a field chosen to correct"),
    "addlang": N_("another language's version asked for"),
}


OUTCOME_LABELS: dict[str, str] = {
    AuditOutcome.DONE: N_("done"),
    AuditOutcome.REFUSED: N_("refused"),
    AuditOutcome.FAILED: N_("failed"),
}
