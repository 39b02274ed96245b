"""Helpers shared by the team, lft and teamadmin sandbox tests (no tests here).

Everything reads the real database through the bot's own session factory and the teams
service, and describes members by their sandbox handle.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.i18n import catalogs
from bot.models import AuditEntry
from bot.models.teams import Invitation, JoinRequest, LftProfile
from bot.services import teams
from cogs.teams.views import rules_of
from sandbox.harness import MemberSpec, Sandbox, StepOutcome

PARTICIPANT = ("participant",)
SYNC_TIMEOUT = 10.0


def members(*handles: str, **specs: MemberSpec) -> dict[str, tuple[str, ...] | MemberSpec]:
    """Participants by handle, plus members with a specific spec."""
    found: dict[str, tuple[str, ...] | MemberSpec] = {handle: PARTICIPANT for handle in handles}
    found.update(specs)
    return found


def uid(sandbox: Sandbox, handle: str) -> int:
    return sandbox.discord.user_id(handle)


def ok(outcome: StepOutcome) -> StepOutcome:
    """The step raised nothing unexpected and every interaction was answered."""
    assert outcome.errors == [], outcome.errors
    return outcome


def reply_text(outcome: StepOutcome, index: int = -1) -> str:
    """The content of a reply (default: the last one), embeds' titles and descriptions included."""
    reply = outcome.replies[index]
    parts = [reply.get("content") or ""]
    for embed in reply.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        parts += [f"{f['name']}: {f['value']}" for f in embed.get("fields") or []]
    return "\n".join(parts)


def of_type(outcome: StepOutcome, *types: str) -> list[dict[str, Any]]:
    return [effect for effect in outcome.effects if effect["type"] in types]


def messages(outcome: StepOutcome, channel: str | None = None) -> list[dict[str, Any]]:
    found = of_type(outcome, "message", "message_edited")
    return [m for m in found if channel is None or m["channel"] == channel]


def assert_no_pings(outcome: StepOutcome, allowed: set[str] = frozenset()) -> None:  # type: ignore[assignment]
    """No message of the step pings everyone, a role, or anyone outside ``allowed``."""
    for effect in messages(outcome):
        mentions = effect.get("mentions") or {}
        assert mentions.get("everyone") is False, effect
        assert mentions.get("roles") == [], effect
        assert set(mentions.get("users") or ()) <= allowed, effect


async def team_state(sandbox: Sandbox) -> list[dict[str, Any]]:
    """The teams as the rehearsal state line shows them: names, captain and members by handle."""
    assert sandbox.bot is not None
    async with sandbox.bot.db.read() as session:
        rows = await teams.state_snapshot(session, rules_of(sandbox.bot), sandbox.clock.now())
    return [
        {
            "name": row["name"],
            "captain": sandbox.handle_of(row["captain_id"]),
            "members": [sandbox.handle_of(m) for m in row["member_ids"]],
            "locked": row["locked"],
        }
        for row in rows
    ]


async def team_view(sandbox: Sandbox, name: str) -> teams.TeamView:
    assert sandbox.bot is not None
    async with sandbox.bot.db.read() as session:
        return await teams.find_team(
            session, name, rules=rules_of(sandbox.bot), now=sandbox.clock.now()
        )


async def invitations(sandbox: Sandbox) -> list[Invitation]:
    assert sandbox.bot is not None
    async with sandbox.bot.db.read() as session:
        return list(await session.scalars(select(Invitation).order_by(Invitation.id)))


async def join_requests(sandbox: Sandbox) -> list[JoinRequest]:
    assert sandbox.bot is not None
    async with sandbox.bot.db.read() as session:
        return list(await session.scalars(select(JoinRequest).order_by(JoinRequest.id)))


async def lft_profile(sandbox: Sandbox, handle: str) -> LftProfile | None:
    assert sandbox.bot is not None
    async with sandbox.bot.db.read() as session:
        return await session.get(LftProfile, uid(sandbox, handle))


async def audit_log(sandbox: Sandbox, prefix: str = "") -> list[AuditEntry]:
    assert sandbox.bot is not None
    async with sandbox.bot.db.read() as session:
        rows = await session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [row for row in rows if row.action.startswith(prefix)]


async def create_team(
    sandbox: Sandbox, captain: str, name: str, *joiners: str, open: bool = True, **options: Any
) -> None:
    """A team made through the commands: created by ``captain``, then joined by ``joiners``
    (at once in an open team, by invitation accepted from their DMs in a closed one)."""
    ok(await sandbox.run(captain, "team create", {"name": name, "open": open, **options}))
    for handle in joiners:
        if open:
            ok(await sandbox.run(handle, "team join", {"team": name}))
        else:
            ok(await sandbox.run(captain, "team invite", {"member": f"@{handle}"}))
            ok(await sandbox.click(handle, index=0, where="dm"))


async def disband(sandbox: Sandbox, captain: str, locale: str = "es-ES") -> StepOutcome:
    """`/team disband` as a captain does it: the command asks, the confirmation button (labelled
    in the captain's ``locale``) does it. Returns the confirmation's step."""
    ok(await sandbox.run(captain, "team disband"))
    return ok(await sandbox.click(captain, label=catalogs().t(locale, "teams.buttons.disband")))
