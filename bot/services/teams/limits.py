"""Limits on what one member can make the bot do: cooldowns and caps.

Each refusal is a :class:`bot.services.limits.LimitReached` naming the limit for the audit log
(organizers read who hit which limit with ``/teamadmin log``).

Cooldowns read what is already on record (invitations, join requests, the audit log), so no
table of counters is needed and a restart forgets nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models.ops import AuditEntry
from bot.models.teams import DECLINED, PENDING, Invitation, Team
from bot.services.limits import LimitReached
from bot.services.teams.queries import TeamRow

# Limits by name: the config key each one reads (``None``: derived from ``max_size``).
LIMITS: dict[str, str | None] = {
    "pending_invitations": "teams.invitation_overbooking",
    "reinvite_cooldown": "teams.reinvite_cooldown",
    "join_request_cooldown": "teams.join_request_cooldown",
    "create_cooldown": "teams.create_cooldown",
    "lft_post_cooldown": "teams.lft_post_cooldown",
    "busy": None,
}


async def ensure_invitation_room(
    session: AsyncSession, team: Team, *, max_size: int, overbooking: int = 0, now: datetime
) -> None:
    """Pending invitations of a team stay within its free places (``max_size`` - size), plus
    ``overbooking`` (``teams.invitation_overbooking``, 0 by default)."""
    pending = await session.scalar(
        select(func.count())
        .select_from(Invitation)
        .where(
            Invitation.team_id == team.id,
            Invitation.status == PENDING,
            Invitation.expires_at > now,
        )
    )
    free = max(max_size - team.size, 0)
    if int(pending or 0) >= free + overbooking:
        raise LimitReached(
            "pending_invitations",
            "teams.errors.invitations_pending",
            subject=team.name,
            team=team.name,
            count=int(pending or 0),
        )


async def ensure_reinvite_allowed(
    session: AsyncSession, team: Team, invitee_id: int, *, cooldown: timedelta, now: datetime
) -> None:
    """Someone who declined a team's invitation is not invited by it again before
    ``cooldown`` has passed since they declined."""
    if cooldown <= timedelta(0):
        return
    declined_at = await session.scalar(
        select(func.max(Invitation.answered_at)).where(
            Invitation.team_id == team.id,
            Invitation.invitee_id == invitee_id,
            Invitation.status == DECLINED,
        )
    )
    if declined_at is not None and now < declined_at + cooldown:
        raise LimitReached(
            "reinvite_cooldown",
            "teams.errors.reinvite_cooldown",
            subject=team.name,
            team=team.name,
            when=declined_at + cooldown,
        )


def refuse_request_cooling(
    team: Team | TeamRow, last: datetime | None, *, cooldown: timedelta, now: datetime
) -> None:
    """Refuse ``join_request_cooldown`` when the last request to ``team`` (``last``) is less
    than ``cooldown`` ago."""
    if last is not None and now < last + cooldown:
        raise LimitReached(
            "join_request_cooldown",
            "teams.errors.join_request_cooldown",
            subject=team.name,
            team=team.name,
            when=last + cooldown,
        )


async def last_action_at(session: AsyncSession, actor_id: int, action: str) -> datetime | None:
    """When ``actor_id`` last did ``action``, by the audit log."""
    at: datetime | None = await session.scalar(
        select(func.max(AuditEntry.at)).where(
            AuditEntry.action == action, AuditEntry.actor_id == actor_id
        )
    )
    return at


async def ensure_cooled_down(
    session: AsyncSession,
    *,
    actor_id: int,
    action: str,
    limit: str,
    key: str,
    cooldown: timedelta,
    now: datetime,
) -> None:
    """``actor_id`` did ``action`` at most once per ``cooldown`` (by the audit log)."""
    if cooldown <= timedelta(0):
        return
    last = await last_action_at(session, actor_id, action)
    refuse_if_cooling(last, limit=limit, key=key, cooldown=cooldown, now=now)


def refuse_if_cooling(
    last: datetime | None, *, limit: str, key: str, cooldown: timedelta, now: datetime
) -> None:
    """Refuse with ``limit`` when the last time (``last``) is less than ``cooldown`` ago."""
    if last is not None and now < last + cooldown:
        raise LimitReached(limit, key, when=last + cooldown)
