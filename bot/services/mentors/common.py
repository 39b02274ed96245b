"""Lookups every mentoring service shares: a member's team, a team's members, views of rows."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import NotFound
from bot.models import MentorBooking, MentorProfile, MentorRequest, Team, TeamMember
from bot.services.mentors.views import BookingView, ProfileView, RequestView


async def team_of(session: AsyncSession, user_id: int) -> Team | None:
    return await session.scalar(
        select(Team)
        .join(TeamMember, TeamMember.team_id == Team.id)
        .where(TeamMember.user_id == user_id)
    )


async def team_id_of(session: AsyncSession, user_id: int) -> int | None:
    """The id of the member's team (None: in no team), without loading the team."""
    return await session.scalar(
        select(TeamMember.team_id).where(TeamMember.user_id == user_id).limit(1)
    )


async def require_team(session: AsyncSession, user_id: int) -> Team:
    team = await team_of(session, user_id)
    if team is None:
        raise NotFound("mentors.errors.no_team")
    return team


async def member_ids(session: AsyncSession, team_id: int) -> tuple[int, ...]:
    rows = await session.scalars(
        select(TeamMember.user_id).where(TeamMember.team_id == team_id).order_by(TeamMember.id)
    )
    return tuple(rows)


async def profile_row(session: AsyncSession, user_id: int) -> MentorProfile | None:
    return await session.get(MentorProfile, user_id)


def profile_view(row: MentorProfile) -> ProfileView:
    return ProfileView(
        user_id=row.user_id,
        expertise=tuple(row.expertise),
        languages=tuple(row.languages),
        timezone=row.timezone,
        bio=row.bio,
    )


async def booking_view(session: AsyncSession, row: MentorBooking) -> BookingView:
    team = await session.get(Team, row.team_id)
    return BookingView(
        id=row.id,
        slot_id=row.slot_id,
        team_id=row.team_id,
        team_name=team.name if team else "?",
        team_thread_id=team.thread_id if team else None,
        mentor_id=row.mentor_id,
        booked_by=row.booked_by,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        topic=row.topic,
        status=row.status,
    )


async def request_view(session: AsyncSession, row: MentorRequest) -> RequestView:
    team = await session.get(Team, row.team_id)
    return RequestView(
        id=row.id,
        team_id=row.team_id,
        team_name=team.name if team else "?",
        team_thread_id=team.thread_id if team else None,
        requester_id=row.requester_id,
        topic=row.topic,
        details=row.details,
        status=row.status,
        mentor_id=row.mentor_id,
        preferred_mentor_id=row.preferred_mentor_id,
        channel_id=row.channel_id,
        message_id=row.message_id,
        thread_id=row.thread_id,
        rating=row.rating,
        member_ids=await member_ids(session, row.team_id),
        created_at=row.created_at,
    )
