"""Admin commands: grant and revoke roles, see the team and the audit log."""

from __future__ import annotations

from bot.contract import Reply, Text, texts
from handlers.context import Context, whole_number
from handlers.supporters import ROLE_LABELS
from storage.audit import latest
from storage.supporters import find_by_role, find_supporter, set_role

ADMINS = ("admin",)
#: Telegram user ids have up to 52 significant bits.
TELEGRAM_IDS = 2**52
GRANTABLE = ("organiser", "admin")


async def grant(ctx: Context) -> list[Reply]:
    """/grant <telegram user id> organiser|admin"""
    args = ctx.incoming.args
    if not await ctx.authorise("grant", ADMINS, detail=" ".join(args[1:2])):
        return [ctx.refusal()]
    if (
        len(args) != 2
        or whole_number(args[0], TELEGRAM_IDS) is None
        or args[1].lower() not in GRANTABLE
    ):
        return [Text(ctx._("Write /grant followed by a Telegram user id and organiser or admin."))]
    user_id, role = int(args[0]), args[1].lower()
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
    if not await ctx.authorise("revoke", ADMINS):
        return [ctx.refusal()]
    if len(args) != 1 or whole_number(args[0], TELEGRAM_IDS) is None:
        return [Text(ctx._("Write /revoke followed by a Telegram user id."))]
    user_id = int(args[0])
    user_hash = ctx.app.vault.lookup_hash(ctx.incoming.platform, user_id)
    supporter = await find_supporter(ctx.session, ctx.incoming.platform, user_hash)
    if supporter is None or supporter.role == "supporter":
        return [Text(ctx._("{user} has no role to revoke.").format(user=user_id))]
    supporter.role = "supporter"
    note, role = "", "supporter"
    if user_id in ctx.app.settings.bot.admins:
        note = "\n" + ctx._("They stay admin while bot.admins in the configuration lists them.")
        role = "admin"
    return [
        Text(ctx._("Done: {user} is a supporter again.").format(user=user_id) + note),
        ctx.menu_for(user_id, role, supporter.language),
    ]


async def team(ctx: Context) -> list[Reply]:
    if not await ctx.authorise("team", ADMINS):
        return [ctx.refusal()]
    members = await find_by_role(ctx.session, ctx.incoming.platform, GRANTABLE)
    vault = ctx.app.vault
    lines = [ctx._("Organisers and admins:")]
    listed = set()
    for member in members:
        user_id = vault.decrypt_id(member.user_id_enc)
        listed.add(user_id)
        lines.append(f"• {user_id} – {ctx._(ROLE_LABELS[member.role])}")
    for user_id in ctx.app.settings.bot.admins:
        if user_id not in listed:
            lines.append(
                f"• {user_id} – {ctx._(ROLE_LABELS['admin'])} ({ctx._('from the configuration')})"
            )
    return texts("\n".join(lines))


async def audit(ctx: Context) -> list[Reply]:
    if not await ctx.authorise("audit", ADMINS):
        return [ctx.refusal()]
    entries = await latest(ctx.session, 20)
    lines = [ctx._("Latest privileged commands (newest first):")]
    for entry in entries:
        outcome = ctx._("allowed") if entry.allowed else ctx._("refused")
        actor = f"#{entry.actor_id}" if entry.actor_id else ctx._("unregistered person")
        stamp = entry.at.strftime("%Y-%m-%d %H:%M")
        lines.append(f"{stamp} · /{entry.command} · {outcome} · {actor} {entry.detail}".rstrip())
    return texts("\n".join(lines))


COMMANDS = {"grant": grant, "revoke": revoke, "team": team, "audit": audit}
